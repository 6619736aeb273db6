"""find_chips and industry_figures through the MCP client: filters, sorting, paging, gaps, topics, pointers."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client

from chipmcp import tools
from chipmcp.serving.server import INSTRUCTIONS
from citing import located

pytestmark = pytest.mark.anyio


async def call(server, tool: str, arguments: dict):
    async with Client(server) as client:
        return await client.call_tool(tool, arguments)


async def answer(server, tool: str, arguments: dict) -> dict:
    result = await call(server, tool, arguments)
    assert not result.is_error, result.content[0].text
    assert result.structured_content["summary"] in result.content[0].text
    return result.structured_content


async def test_domestic_filter_keeps_only_chinese_vendors(server, kb) -> None:
    found = await answer(server, "find_chips", {"domestic": True, "limit": 100})
    assert found["total"] > 20 and all(kb.entity(r["vendor"])["country"] == "CN" for r in found["rows"])
    assert "nvidia-h100" not in {r["id"] for r in found["rows"]}


async def test_kind_filter_and_system_kind(server) -> None:
    gpus = await answer(server, "find_chips", {"kind": "gpu", "limit": 100})
    systems = await answer(server, "find_chips", {"kind": "system", "limit": 100})
    assert gpus["rows"] and all(r["kind"] == "GPU" for r in gpus["rows"])
    assert systems["rows"] and all(r["entity_kind"] == "system" for r in systems["rows"])


async def test_certified_means_the_listed_product_as_xinchuang_certified_says_and_names_family_only_chips(server) -> None:
    found = await answer(server, "find_chips", {"certified": True, "limit": 100})
    assert found["rows"] and {r["certified"] for r in found["rows"]} == {"listed-product"}
    assert "huawei-ascend-910" in {r["id"] for r in found["rows"]}
    assert "huawei-ascend-910b" not in {r["id"] for r in found["rows"]}  # only of the 910 family: not certified
    assert any("huawei-ascend-910b" in f and "family" in f for f in found["filters"])
    async with Client(server) as client:
        status = (await client.call_tool("xinchuang_certified", {"name": "昇腾910B"})).structured_content
    assert status["certified"] is False


async def test_where_memory_filter_answers_domestic_cards_with_64gb_or_more(server) -> None:
    found = await answer(
        server, "find_chips", {"domestic": True, "limit": 100, "where": [{"metric": "memory_gb", "op": ">=", "value": 64}]}
    )
    ids = {r["id"] for r in found["rows"]}
    assert {"huawei-ascend-910b", "metax-c500"} <= ids
    assert all(r["cells"]["memory_gb"]["figure_ids"] for r in found["rows"])
    gaps = {g["metric"]: g for g in found["not_reported"]}
    every = {
        g["metric"]: g
        for g in (
            await answer(
                server, "find_chips", {"domestic": True, "where": [{"metric": "memory_gb", "op": ">=", "value": 64}], "detail": "full"}
            )
        )["not_reported"]
    }
    assert every["memory_gb"]["count"] == len(every["memory_gb"]["chips"]) == gaps["memory_gb"]["count"] > 0
    assert gaps["memory_gb"]["chips"] == every["memory_gb"]["chips"][: len(gaps["memory_gb"]["chips"])]  # summary: the first few
    assert "biren-br106" in gaps["memory_gb"]["chips"]


async def test_text_spec_matches_as_case_insensitive_substring(server) -> None:
    found = await answer(
        server, "find_chips", {"domestic": True, "where": [{"metric": "memory_type", "op": "contains", "value": "hbm"}]}
    )
    assert found["rows"] and all("HBM" in r["cells"]["memory_type"]["text"] for r in found["rows"])


async def test_sort_follows_higher_is_better_and_can_be_reversed(server) -> None:
    best = await answer(server, "find_chips", {"domestic": True, "sort_by": "tflops_per_w", "limit": 100})
    power = await answer(server, "find_chips", {"sort_by": "tdp_w", "limit": 100})
    reverse = await answer(server, "find_chips", {"sort_by": "tdp_w", "descending": True, "limit": 100})
    assert best["descending"] is True and power["descending"] is False
    assert reverse["rows"][0]["id"] != power["rows"][0]["id"]
    assert best["rows"][0]["id"] == "huawei-ascend-910c"


async def test_limit_offset_and_total(server) -> None:
    first = await answer(server, "find_chips", {"domestic": True, "limit": 3})
    second = await answer(server, "find_chips", {"domestic": True, "limit": 3, "offset": 3})
    assert first["returned"] == 3 and first["total"] > 6 and first["total"] == second["total"]
    assert not {r["id"] for r in first["rows"]} & {r["id"] for r in second["rows"]}


async def test_empty_result_is_an_answer_not_an_error(server) -> None:
    result = await call(server, "find_chips", {"where": [{"metric": "memory_gb", "op": ">", "value": 1e9}]})
    assert not result.is_error
    assert result.structured_content["total"] == 0 and "No chip or system matches" in result.content[0].text


async def test_vendor_list_includes_subsidiaries_chips(server) -> None:
    alibaba = await answer(server, "find_chips", {"vendor": "阿里巴巴", "limit": 100})
    huawei = await answer(server, "find_chips", {"vendor": "华为", "limit": 100})
    cambricon = await answer(server, "find_chips", {"vendor": "寒武纪"})
    hisilicon = await answer(server, "find_chips", {"vendor": "海思", "limit": 100})
    assert {r["id"] for r in hisilicon["rows"]} == {r["id"] for r in huawei["rows"]}
    assert "t-head-hanguang-800" in {r["id"] for r in alibaba["rows"]}
    assert "t-head" in {r["vendor"] for r in alibaba["rows"]}
    assert {"huawei-ascend-910b", "huawei-cloudmatrix-384"} <= {r["id"] for r in huawei["rows"]}
    assert {r["id"] for r in cambricon["rows"]} >= {"cambricon-siyuan-590", "cambricon-mlu370-x8"}


async def test_bad_where_is_a_tool_error_naming_the_metrics(server) -> None:
    result = await call(server, "find_chips", {"where": [{"metric": "happiness", "op": ">", "value": 1}]})
    assert result.is_error and "compute_tflops" in result.content[0].text


_METRIC = st.sampled_from(["compute_tflops", "memory_gb", "memory_bandwidth_gbs", "tdp_w", "tflops_per_w"])
_OP = st.sampled_from([">", ">=", "<", "<=", "!="])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.lists(st.tuples(_METRIC, _OP, st.floats(0, 2000)), max_size=2), sort_by=_METRIC, descending=st.none() | st.booleans())
def test_every_row_meets_every_condition_and_rows_are_ordered(kb, where, sort_by, descending) -> None:
    conditions = [{"metric": m, "op": o, "value": v} for m, o, v in where]
    found = tools.BY_NAME["find_chips"].call(kb, where=conditions, sort_by=sort_by, descending=descending, limit=100)
    for row in found.rows:
        for metric, op, value in where:
            low, high = row.cells[metric].ends()
            assert {">": low > value, ">=": low >= value, "<": high < value, "<=": high <= value, "!=": not low <= value <= high}[op]
    higher = {"tdp_w": False}.get(sort_by, True)
    keys = [(lambda e: e[0] if higher else e[1])(row.cells[sort_by].ends()) for row in found.rows]
    assert keys == sorted(keys, reverse=found.descending)


async def test_industry_market_sizes_side_by_side_from_different_publishers(server) -> None:
    found = await answer(server, "industry_figures", {"topic": "ASIC市场规模"})
    shown = {e["id"] for e in found["topic"]["entities"]}
    assert {"market-global-asic", "market-global-ai-asic", "market-global-asic-verifiedmarket"} <= shown
    assert found["series"] and found["series"][0]["verdict"] == "different-definitions"


async def test_industry_share_table_is_ranked(server) -> None:
    found = await answer(server, "industry_figures", {"topic": "China AI accelerator card market share"})
    table = found["share_tables"][0]
    assert [r["entity"] for r in table["rows"]][:2] == ["nvidia", "huawei"]
    assert [r["rank"] for r in table["rows"]] == sorted(r["rank"] for r in table["rows"])


async def test_industry_capex_group_includes_its_members(server) -> None:
    found = await answer(server, "industry_figures", {"topic": "BAT", "metric": "capex"})
    entities = {g["entity"] for g in found["figures"]}
    assert {"group-bat", "tencent", "alibaba", "baidu"} <= entities


async def test_industry_model_gpu_hours(server) -> None:
    found = await answer(server, "industry_figures", {"topic": "DeepSeek V3", "metric": "gpu_hours"})
    printed = {f["printed"] for g in found["figures"] for f in g["figures"]}
    assert "278.8万个小时" in printed
    parameters = await answer(server, "industry_figures", {"topic": "GPT4 参数量"})
    assert parameters["topic"]["entities"][0]["id"] == "gpt-4" and parameters["topic"]["metrics"] == ["parameters"]


def _series(found: dict, quantity: str) -> dict:
    return next(s for s in found.get("series", []) if s["quantity"] == quantity)


async def test_industry_links_the_three_global_asic_series_by_their_quantity(server, kb) -> None:
    found = await answer(server, "industry_figures", {"topic": "全球ASIC市场规模"})
    size = _series(found, "global-asic-market-size")
    linked = {r["id"] for r in kb.figures_of_quantity(["global-asic-market-size"])}
    assert {i for c in size["claims"] for i in c["figure_ids"]} == linked
    assert set(size["entities"]) == {"market-global-asic", "market-global-asic-verifiedmarket", "market-global-ai-asic"}
    assert size["verdict"] == "different-definitions" and "different entities" in found["rules"]["different-definitions"]
    shared = next(c for c in size["compared"] if c["period"] == "2024")
    assert set(shared["entities"]) == {"market-global-asic-verifiedmarket", "market-global-ai-asic"}
    assert shared["apart"] == 1.85 and not shared.get("agree")
    groups = {
        g["entity"]: g for g in (await answer(server, "industry_figures", {"topic": "全球ASIC市场规模", "detail": "full"}))["figures"]
    }
    assert groups["market-global-ai-asic"]["linked_by"] == "global-asic-market-size"


async def test_industry_period_is_answered_by_the_linked_publishers_too(server) -> None:
    """IDC prints no 2024 sizing of its ASIC market; the two publishers linked to it by the quantity do."""
    found = await answer(server, "industry_figures", {"topic": "全球ASIC市场规模", "period": 2024})
    size = _series(found, "global-asic-market-size")
    assert {c["period"] for c in size["claims"]} == {"2024"} and size["compared"][0]["apart"] == 1.85


async def test_industry_gpt4o_training_cost_and_the_one_tenth_claim_disagree(server, kb) -> None:
    ratio = next(r for r in kb.figures("deepseek-v3") if r["quantity"] == "gpt-4o-training-cost")
    for topic in ("GPT-4o", "DeepSeek-V3"):
        found = await answer(server, "industry_figures", {"topic": topic})
        cost = _series(found, "gpt-4o-training-cost")
        assert cost["verdict"] == "disagree" and {"disagree", "ratio"} <= set(found["rules"])
        implied = next(c for c in cost["claims"] if c.get("implied"))
        assert implied["entity"] == "gpt-4o" and implied["value"] == "5,576 万美元"
        assert implied["figure_ids"][0] == ratio["id"] and implied["sources"] == ["yuanda-2025"]
        assert cost["compared"][0]["apart"] == 1.79


async def test_industry_ai_servers_is_the_ai_server_market_not_every_server_market(server) -> None:
    found = await answer(server, "industry_figures", {"topic": "AI服务器"})
    assert [e["id"] for e in found["topic"]["entities"]] == ["market-china-ai-servers"]
    assert not found.get("series") and {g["entity"] for g in found["figures"]} <= {"market-china-ai-servers"}


def test_industry_puts_side_by_side_only_figures_linked_by_a_quantity(kb) -> None:
    """Over every market, group and model: an entity beside the topic's is there by a quantity one of the
    topic's figures holds (or a table that printed it), and every series holds figures of its quantity only."""
    for topic in kb.ids("market") + kb.ids("workload"):
        if not kb.figures(topic):
            continue
        found = tools.BY_NAME["industry_figures"].call(kb, topic=topic, detail="full")
        own = {r["quantity"] for r in kb.figures(topic) if r["quantity"]}
        for group in found.figures:
            assert group.entity == topic or group.printed_with == topic or group.linked_by in own, (topic, group.entity)
        for series in found.series:
            # an implied claim cites the ratio first, then the figure it was applied to (which holds no quantity)
            members = [i for c in series.claims for i in (c.figure_ids[:1] if c.implied else c.figure_ids)]
            assert {r["quantity"] for r in kb.figures_by_ids(members)} == {series.quantity}, (topic, series.quantity)


async def test_industry_paging_returns_each_figure_once(server, kb) -> None:
    async with Client(server) as client:
        for detail in ("full", "summary"):
            seen: list[int] = []
            offset, total = 0, None
            while total is None or offset < total:
                result = await client.call_tool("industry_figures", {"topic": "capex", "detail": detail, "offset": offset, "limit": 7})
                assert not result.is_error, result.content[0].text
                found = result.structured_content
                page = found["page"]
                total = page["total"]
                ids = [f["id"] for g in found["figures"] for f in g["figures"]]
                assert page.get("offset", 0) == offset and page["returned"] == len(ids) <= 7
                assert page.get("more", "") in result.content[0].text
                if offset + len(ids) < total:
                    assert f"offset={offset + len(ids)}" in page["more"]
                seen += ids
                offset += len(ids)
            assert len(seen) == len(set(seen)) == total
            if detail == "full":
                assert found["topic"]["metrics"] == ["capex"]
                every = {
                    r["id"]
                    for e in kb.entities
                    for r in kb.figures(e, ["capex"])
                    if kb.entities[e]["entity_kind"] in ("vendor", "market", "workload")
                }
                assert set(seen) == every


async def _every_entry(client: Client, arguments: dict) -> tuple[list[dict], dict]:
    """Every entry over the pages, and the first page: share tables, series and conflicts are given there once."""
    entries, offset, first = [], 0, None
    while True:
        result = await client.call_tool("industry_figures", {**arguments, "offset": offset, "limit": 200})
        found = result.structured_content
        first = first or found
        table = found["page"].get("citations", {})  # summary entries cite their source and locator by key
        entries += [located(f, table) if "cite" in f else f for g in found["figures"] for f in g["figures"]]
        offset += found["page"]["returned"]
        if offset >= found["page"]["total"]:
            return entries, first


@pytest.mark.parametrize("topic", ["全球ASIC市场规模", "中国AI加速卡市场份额", "BAT capex", "DeepSeek-V3", "capex", "GPT-4o"])
async def test_industry_summary_is_a_subset_of_full_citing_every_preferred_figure(server, topic) -> None:
    async with Client(server) as client:
        full_entries, _ = await _every_entry(client, {"topic": topic, "detail": "full"})
        summary_entries, summary = await _every_entry(client, {"topic": topic})
    full = {f["id"]: f for f in full_entries}
    cited = [e["id"] for e in summary_entries] + [c["id"] for e in summary_entries for c in e.get("also", [])]
    for entry in summary_entries:
        row = full[entry["id"]]
        assert all(
            entry.get(k) == row.get(k)
            for k in ("metric", "value", "low", "high", "text", "unit", "period", "printed", "source", "locator")
        ), entry["id"]
    cited += [r["figure_id"] for t in summary.get("share_tables", []) for r in t["rows"]]
    cited += [i for s in summary.get("series", []) for c in s["claims"] for i in c["figure_ids"] if i in full]
    claimed = {i for c in summary["conflicts"] for claim in c["claims"] for i in claim["figure_ids"]}
    assert len(cited) == len(set(cited)), "each fact once"
    assert set(cited) <= set(full)
    assert {i for i, f in full.items() if f.get("preferred", True)} <= set(cited)
    assert set(full) <= set(cited) | claimed
    assert len(summary_entries) <= len(full_entries)


async def test_industry_ambiguous_topic_lists_candidates(server) -> None:
    result = await call(server, "industry_figures", {"topic": "DeepSeek"})
    assert result.is_error and "deepseek-v3" in result.content[0].text and "deepseek-r1" in result.content[0].text


@pytest.mark.parametrize(
    ("tool", "arguments", "points_at"),
    [
        ("lookup_chip", {"name": "DeepSeek-V3"}, "industry_figures(topic='deepseek-v3')"),
        ("lookup_chip", {"name": "ASIC market"}, "industry_figures"),
        ("vendor_financials", {"vendor": "DeepSeek-V3"}, "industry_figures(topic='deepseek-v3')"),
        ("compare_chips", {"names": ["GPT-4", "H100"]}, "industry_figures"),
    ],
)
async def test_not_found_points_at_the_tool_that_answers(server, tool, arguments, points_at) -> None:
    result = await call(server, tool, arguments)
    assert result.is_error and points_at in result.content[0].text


def test_instructions_stay_under_two_kilobytes() -> None:
    assert len(INSTRUCTIONS.encode("utf-8")) < 2048
