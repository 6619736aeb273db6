"""Every disagreement in the reports is surfaced, through the tools, and every figure sits on its entity."""

from __future__ import annotations

import pytest
from mcp import Client

pytestmark = pytest.mark.anyio


async def _call(server, tool: str, arguments: dict) -> dict:
    """Every figure row (detail='full'; the default summary collapses agreeing figures). Fields at their
    default are left out of an answer, hence .get() for optional ones."""
    async with Client(server) as client:
        result = await client.call_tool(tool, {"detail": "full", "limit": 200, **arguments})
    return result.structured_content


def _printed_sets(answer: dict, metric: str, kind: str = "disagreement") -> list[set[str]]:
    printed = {f["id"]: f["printed"] for f in answer["figures"]}
    return [
        {printed.get(i, str(i)) for i in c["figure_ids"]} for c in answer["conflicts"] if c["metric"] == metric and c["kind"] == kind
    ]


async def test_tencent_capex_scale_slips_are_conflicts_and_roundings_are_not(server) -> None:
    answer = await _call(server, "vendor_financials", {"vendor": "腾讯"})
    capex = _printed_sets(answer, "capex")
    assert {"264亿元", "26.4"} in capex and {"366亿元", "36.6"} in capex
    assert any({"275亿元", "27.5"} <= group for group in capex)
    # −25% vs −24.86% and +91% vs 90.97% are roundings: no conflict on capex growth at all.
    assert not _printed_sets(answer, "capex_growth_qoq") and not _printed_sets(answer, "capex_growth")
    measures = {f["printed"]: f.get("measure") for f in answer["figures"] if f["metric"] == "capex"}
    assert measures["264亿元"] == measures["26.4"] == "operating"


async def test_h100_672_of_unprinted_precision_is_surfaced_as_a_conflict(server) -> None:
    answer = await _call(server, "lookup_chip", {"name": "H100"})
    # 672 states no precision and equals none of H100's stated peaks: a possible disagreement with them. The
    # iteration table's 3958 states none either, but it is never set against 672 (they may be different
    # precisions), and it equals the stated FP8 sparse 3958; 672 is never the preferred one.
    possible = [s for s in _printed_sets(answer, "compute", "possible") if "672 TFLOP/s" in s]
    assert possible and "3958" not in possible[0]
    assert not [s for s in _printed_sets(answer, "compute") if "672 TFLOP/s" in s]
    fig = next(f for f in answer["figures"] if f["printed"] == "672 TFLOP/s")
    assert fig.get("precision") is None and fig["conflict_kind"] == "possible" and not fig.get("preferred")


@pytest.mark.parametrize(
    ("chip", "printed", "kind"),
    [("H100", "3958", None), ("H200", "3958", "possible"), ("B200", "10000", "possible"), ("B300", "15000", None)],
)
async def test_the_iteration_table_compute_column_keeps_its_unprinted_precision(
    server, chip: str, printed: str, kind: str | None
) -> None:
    answer = await _call(server, "lookup_chip", {"name": chip})
    fig = next(f for f in answer["figures"] if f["printed"] == printed and f["metric"] == "compute")
    # H100's 3958 equals its stated FP8 sparse peak; B200's 10000 matches none of its stated peaks; B300's
    # 15000 equals the text's FP4 dense 15PFlops. Unprinted-precision figures are never set against each other.
    assert fig.get("precision") is None and fig.get("sparsity") is None and fig.get("conflict_kind") == kind


async def test_a100_624_of_unprinted_precision_does_not_corroborate_int8(server) -> None:
    answer = await _call(server, "lookup_chip", {"name": "A100"})
    # minsheng's 642 TOPS is the 80GB PCIe card's, on a chip of its own: no INT8 disagreement is left, and the
    # bare 624 (it equals the INT8 peak) is neither a claim nor a possible disagreement
    assert not _printed_sets(answer, "compute") and not _printed_sets(answer, "compute", "possible")
    bare = next(f for f in answer["figures"] if f["printed"] == "624")
    assert bare.get("precision") is None and bare.get("conflict_group") is None and bare.get("conflict_kind") is None


async def test_h20_prices_at_different_dates_are_shown_as_one_history(server) -> None:
    answer = await _call(server, "lookup_chip", {"name": "H20"})
    [history] = [c for c in answer["conflicts"] if c["kind"] == "history" and c["metric"] == "price"]
    printed = {f["id"]: f["printed"] for f in answer["figures"]}
    # Epoch's release price (12000, undated) agrees with the undated 1万至1.2万 and stands beside it
    assert [printed[i] for i in history["figure_ids"]] == ["1万至1.2万美元", "12000.0", "1.2万-1.5万美元", "1.3万-1.8万美元"]


async def test_moore_threads_forecast_dates_disagree(server) -> None:
    answer = await _call(server, "vendor_financials", {"vendor": "摩尔线程"})
    assert {"1月12日", "1月21日"} in _printed_sets(answer, "announcement_date")
    revenue = [f for f in answer["figures"] if f["metric"] == "revenue" and f["period"] == "2025"]
    assert revenue and not any(f.get("conflicts_with") for f in revenue)


async def test_huagang_claims_sit_on_the_architecture_not_the_company(server) -> None:
    company = await _call(server, "vendor_financials", {"vendor": "摩尔线程"})
    assert not {"64 倍", "10 倍", "超 10 萬片", "計算密度提升 50%"} & {f["printed"] for f in company["figures"]}
    for name in ("花港", "華罡"):
        arch = await _call(server, "lookup_chip", {"name": name})
        assert arch["id"] == "moore-threads-huagang"
        assert {"64 倍", "10 倍", "超 10 萬片", "計算密度提升 50%"} <= {f["printed"] for f in arch["figures"]}


def test_deepseek_app_users_and_the_european_factory_sit_on_their_entities(kb) -> None:
    users = {r["printed"]: r["entity"] for r in kb.all_figures() if r["metric"] == "users" and r["source"] == "yuanda-2025"}
    assert users["34.7 万"] == users["近 1.2 亿"] == users["3,494 万"] == "deepseek"
    factory = next(r for r in kb.all_figures() if r["printed"] == "500亿美元")
    assert factory["entity"] == "europe-ai-factory"


async def test_cloudmatrix_table_and_text_power_figures_are_present(server) -> None:
    answer = await _call(server, "lookup_chip", {"name": "CloudMatrix 384"})
    printed = {f["printed"]: f for f in answer["figures"]}
    assert printed["455.2"]["metric"] == "power_per_bandwidth" and printed["11.4"]["metric"] == "power_per_capacity"
    assert printed["559.4kW"]["metric"] == "system_power" and printed["近四倍"]["measure"] == "system-power"
    gb200 = await _call(server, "lookup_chip", {"name": "GB200 NVL72"})
    assert {"251.7", "10.5"} <= {f["printed"] for f in gb200["figures"]}


def test_global_asic_series_and_gpt4o_cost_are_linked_quantities(kb) -> None:
    asic = kb.figures_of_quantity(["global-asic-market-size"])
    assert {r["entity"] for r in asic} == {"market-global-asic", "market-global-asic-verifiedmarket", "market-global-ai-asic"}
    assert {r["source"] for r in kb.figures_of_quantity(["gpt-4o-training-cost"])} == {"minsheng-2025h1", "yuanda-2025"}


def test_metax_c600_superpod_holds_256_chips(kb) -> None:
    assert [(p["chip"], p["count"]) for p in kb.parts("metax-c600-superpod")] == [("metax-c600", 256)]


def test_chatgpt_launch_and_user_counts_sit_on_chatgpt_not_the_gpt_3_5_model(kb) -> None:
    figures = [f for f in kb.all_figures() if f["source"] == "yuanda-2025"]
    on = {(f["entity"], f["printed"]) for f in figures}
    assert {("chatgpt", "超过 10 万用户"), ("chatgpt", "突破百万"), ("chatgpt", "1 亿用户仅用时两个月")} <= on
    assert not [f for f in figures if f["entity"] == "gpt-3-5"]
    # The report prints only the launch year: no invented launch day; the five-day count is of registrations.
    users = {f["printed"]: f for f in figures if f["metric"] == "users" and f["entity"] == "chatgpt"}
    assert {f["as_of"] for f in users.values()} == {"2022"} and users["突破百万"]["measure"] == "registered"


async def test_forecasts_are_dated_by_announcement_date_not_as_of(server) -> None:
    answer = await _call(server, "vendor_financials", {"vendor": "景嘉微"})
    forecasts = [f for f in answer["figures"] if f.get("basis") == "forecast"]
    assert forecasts and all(f.get("as_of") is None for f in forecasts)
    assert [f["text"] for f in forecasts if f["metric"] == "announcement_date"] == ["2026-01-15"]


async def test_run_rates_and_utilization_are_not_filed_as_revenue_or_cluster_efficiency(server) -> None:
    openai = await _call(server, "vendor_financials", {"vendor": "OpenAI", "metric": "revenue"})
    assert {f.get("measure") for f in openai["figures"] if f["metric"] == "revenue"} == {"annualized-run-rate"}
    smic = await _call(server, "vendor_financials", {"vendor": "中芯国际"})
    assert [f["printed"] for f in smic["figures"] if f["metric"] == "capacity_utilization"] == ["89.6%"]
    assert not [f for f in smic["figures"] if f["metric"] == "efficiency"]
