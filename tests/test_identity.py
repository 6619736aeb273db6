"""vendor_financials: a company's identity (codes, listing, market cap), period spellings, metric families,
and errors a model can act on — all through the in-process MCP client."""

from __future__ import annotations

import pytest
from mcp import Client

pytestmark = pytest.mark.anyio


async def call(server, tool: str, arguments: dict):
    async with Client(server) as client:
        return await client.call_tool(tool, arguments)


async def test_metax_lists_both_stock_codes_the_suspect_one_marked_and_their_conflict(server) -> None:
    result = await call(server, "vendor_financials", {"vendor": "沐曦"})
    answer, text = result.structured_content, result.content[0].text
    codes = {listing["code"]: listing for listing in answer["vendor"]["listings"]}
    assert set(codes) == {"688802.SH", "688020.SH"}
    assert codes["688020.SH"].get("suspect") and not codes["688802.SH"].get("suspect")
    assert "688802" in codes["688020.SH"]["note"]
    conflict = [c for c in answer["conflicts"] if c["metric"] == "stock_code"]
    assert len(conflict) == 1
    claimed = {i for claim in conflict[0]["claims"] for i in claim["figure_ids"]}  # summary: each id once, in its claim
    assert claimed == {codes["688802.SH"]["figure_id"], codes["688020.SH"]["figure_id"]}
    assert "688020.SH" in text and "SUSPECT" in text and "688802.SH" in text


@pytest.mark.parametrize("query", ["688020", "688020.SH", "SH688020"])
async def test_a_suspect_stock_code_resolves_to_its_company_with_a_warning(server, query: str) -> None:
    result = await call(server, "vendor_financials", {"vendor": query})
    assert not result.is_error, result.content[0].text
    match = result.structured_content["match"]
    assert result.structured_content["vendor"]["id"] == "metax"
    assert match["method"] in ("stock-code", "exact")
    assert "suspect" in match["note"] and "688802.SH" in match["note"]
    assert match["note"] in result.content[0].text


async def test_a_suspect_stock_code_is_not_listed_among_the_company_aliases(server) -> None:
    result = await call(server, "vendor_financials", {"vendor": "沐曦"})
    assert "688020.SH" not in result.structured_content["vendor"]["aliases"]


@pytest.mark.parametrize(
    ("vendor", "listed", "exchange", "board", "cap", "unit", "currency"),
    [
        ("摩尔线程", "2025-12-05", "Shanghai Stock Exchange", "STAR Market", 3168, "亿元", "CNY"),
        ("天数智芯", "2026-01-08", "Hong Kong Exchange", "Main Board", 398, "亿港元", "HKD"),
    ],
)
async def test_company_identity_gives_listing_date_exchange_board_and_market_cap(
    server, vendor, listed, exchange, board, cap, unit, currency
) -> None:
    result = await call(server, "vendor_financials", {"vendor": vendor})
    identity, text = result.structured_content["vendor"], result.content[0].text
    assert identity["listing_date"]["value"] == listed and identity["listing_date"]["figure_ids"]
    assert identity["venue"]["exchange"] == exchange and identity["venue"]["board"] == board
    caps = identity["market_cap"]
    assert any(c["value"] == cap and c["unit"] == unit and c["currency"] == currency and c["as_of"] == "2026-01-08" for c in caps), caps
    for fact in (listed, exchange, board, f"{cap:,} {unit}", "as of 2026-01-08"):
        assert fact in text


async def test_a_metric_filter_returns_the_whole_family(server) -> None:
    result = await call(server, "vendor_financials", {"vendor": "腾讯", "metric": "capex", "detail": "full", "limit": 200})
    metrics = {f["metric"] for f in result.structured_content["figures"]}
    assert {"capex", "capex_growth", "capex_growth_qoq"} <= metrics
    assert all(m.startswith("capex") for m in metrics)


async def test_a_metric_family_does_not_mix_in_other_metrics(server) -> None:
    result = await call(server, "vendor_financials", {"vendor": "寒武纪", "metric": "revenue"})
    metrics = {f["metric"] for f in result.structured_content["figures"]}
    assert "revenue" in metrics and "net_profit" not in metrics


async def test_a_year_with_only_part_year_figures_says_so(server) -> None:
    result = await call(server, "vendor_financials", {"vendor": "天数智芯", "period": "2025"})
    answer = result.structured_content
    assert {f.get("period") for f in answer["figures"]} == {"2025H1", None}
    assert all(f["as_of"].startswith("2025") for f in answer["figures"] if not f.get("period"))  # dated in 2025
    warning = [w for w in answer["warnings"] if "full-year" in w]
    assert warning and "2025H1" in warning[0] and "revenue" in warning[0]
    assert warning[0] in result.content[0].text


async def test_a_year_with_a_full_year_figure_does_not_warn_for_that_metric(server) -> None:
    result = await call(server, "vendor_financials", {"vendor": "摩尔线程", "period": "2025", "metric": "revenue"})
    answer = result.structured_content
    assert "2025" in {f["period"] for f in answer["figures"]}
    assert not [w for w in answer.get("warnings", []) if "full-year" in w and "revenue (" in w]


@pytest.mark.parametrize("period", [2025, "2025"])
async def test_period_accepts_a_year_as_number_or_text(server, period) -> None:
    result = await call(server, "vendor_financials", {"vendor": "摩尔线程", "period": period})
    assert not result.is_error, result.content[0].text
    assert all((f.get("period") or f["as_of"]).startswith("2025") for f in result.structured_content["figures"])


@pytest.mark.parametrize("period", ["1Q25", "25Q1", "2025Q1", "Q1 2025"])
async def test_quarter_spellings_find_the_same_figures(server, period: str) -> None:
    result = await call(server, "vendor_financials", {"vendor": "腾讯", "period": period})
    assert not result.is_error, result.content[0].text
    assert {f["period"] for f in result.structured_content["figures"]} == {"2025Q1"}


async def test_half_year_spelling_finds_the_half(server) -> None:
    result = await call(server, "vendor_financials", {"vendor": "天数智芯", "period": "1H25"})
    figures = result.structured_content["figures"]
    assert {f.get("period") for f in figures} == {"2025H1", None}  # and the figures dated in that half
    assert all("2025-01" <= f["as_of"] <= "2025-06-31" for f in figures if not f.get("period"))


async def test_nvidia_may_2025_quarter_is_one_period_as_printed_with_its_corrected_alias(server) -> None:
    result = await call(server, "vendor_financials", {"vendor": "英伟达", "detail": "full", "limit": 200})
    quarter = [
        f
        for f in result.structured_content["figures"]
        if f["locator"] == "复盘本轮美股上涨，直接原因：英伟达业绩超预期" and f["period"] in ("FY2025Q3", "FY2026Q1")
    ]
    assert len(quarter) == 6  # revenue, its growth yoy and qoq, guidance, consensus, the H20 impact
    assert {(f["period"], f["period_alias"], f["suspect"]) for f in quarter} == {("FY2025Q3", "FY2026Q1", True)}


@pytest.mark.parametrize("period", ["FY25Q3", "FY2025Q3", "FY2026Q1", "1QFY26", "FY26"])
async def test_the_mislabelled_quarter_is_found_by_its_printed_label_and_by_its_alias(server, period: str) -> None:
    result = await call(server, "vendor_financials", {"vendor": "NVIDIA", "period": period})
    assert not result.is_error, result.content[0].text
    printed = {f["printed"] for f in result.structured_content["figures"]}
    assert {"441亿美元", "+69%"} <= printed
    assert "FY2025Q3 [= FY2026Q1]" in result.content[0].text


async def test_a_period_that_is_not_a_period_says_how_to_write_one(server) -> None:
    result = await call(server, "vendor_financials", {"vendor": "摩尔线程", "period": "next year"})
    assert result.is_error and "FY25Q3" in result.content[0].text


@pytest.mark.parametrize("vendor", ["Apple", "英特尔"])
async def test_a_company_the_reports_give_nothing_for_is_not_found(server, vendor: str) -> None:
    result = await call(server, "vendor_financials", {"vendor": vendor})
    assert result.is_error
    text = result.content[0].text
    assert "no figures" in text and "lookup_chip" in text and "Sources: " not in text


async def test_an_unknown_company_is_not_found(server) -> None:
    result = await call(server, "vendor_financials", {"vendor": "Zyxwv Holdings"})
    assert result.is_error and "Sources: " not in result.content[0].text


@pytest.mark.parametrize(
    ("tool", "argument"),
    [("lookup_chip", "name"), ("vendor_financials", "vendor"), ("xinchuang_certified", "name"), ("estimate_cluster", "chip")],
)
@pytest.mark.parametrize("query", ["%", "🚀"])
async def test_input_with_no_candidate_gets_a_hint_not_closest_none(server, tool, argument, query) -> None:
    arguments = {argument: query} | ({"count": 8} if tool == "estimate_cluster" else {})
    result = await call(server, tool, arguments)
    assert result.is_error
    text = result.content[0].text
    assert "Closest: none" not in text
    assert "e.g." in text


async def test_a_chip_hint_says_how_to_list_chips(server) -> None:
    result = await call(server, "lookup_chip", {"name": "%"})
    text = result.content[0].text
    assert "昇腾910B" in text and "find_chips(vendor=" in text  # find_chips lists a company's chips (#11)


@pytest.mark.parametrize(
    ("query", "expect"),
    [("91oC", "huawei-ascend-910c"), ("MLU37O-X8", "cambricon-mlu370-x8"), ("昇腾9l0B", "huawei-ascend-910b"), ("H2O", "nvidia-h20")],
)
async def test_a_letter_typed_for_a_digit_resolves_and_says_so(server, query: str, expect: str) -> None:
    result = await call(server, "lookup_chip", {"name": query})
    assert not result.is_error, result.content[0].text
    match = result.structured_content["match"]
    assert result.structured_content["id"] == expect
    assert match["method"] == "digit-typo" and match["note"]


async def test_a_fiscal_year_asked_of_a_calendar_year_company_reads_as_that_year(server) -> None:
    result = await call(server, "vendor_financials", {"vendor": "寒武纪", "period": "FY25"})
    assert not result.is_error, result.content[0].text
    answer = result.structured_content
    assert answer["figures"] and any("reports calendar years" in w for w in answer["warnings"])
    nvidia = await call(server, "vendor_financials", {"vendor": "英伟达", "period": "FY25"})
    assert not nvidia.is_error and not any("calendar years" in w for w in nvidia.structured_content.get("warnings", []))
