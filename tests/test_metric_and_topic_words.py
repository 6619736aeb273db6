"""The words a question names a metric or a topic by, through the MCP client: a metric's everyday name is
that metric (营收 is revenue, never only its growth); an answer's headline and entries describe one set;
industry_figures answers only a topic the question names, and points chip names to lookup_chip."""

from __future__ import annotations

import pytest
from mcp import Client

pytestmark = pytest.mark.anyio


async def _call(server, tool: str, arguments: dict):
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    return result.structured_content, result.content[0].text, result.is_error


def _shown(answer: dict) -> set[int]:
    """Every figure id the entries carry, their collapsed duplicates ('also') included."""
    entries = answer["figures"]
    if entries and "figures" in entries[0]:  # industry_figures groups its entries by entity
        entries = [f for group in entries for f in group["figures"]]
    return {f["id"] for f in entries} | {c["id"] for f in entries for c in f.get("also", [])}


@pytest.mark.parametrize("word", ["营收", "营业收入", "revenue", "Revenue"])
async def test_the_everyday_word_for_revenue_gives_revenue_and_what_is_about_it(server, kb, word) -> None:
    answer, text, error = await _call(server, "vendor_financials", {"vendor": "摩尔线程", "period": "2025", "metric": word, "limit": 50})
    assert not error, text
    revenue = {r["id"] for r in kb.figures("moore-threads", ["revenue"]) if (r["period"] or "").startswith("2025")}
    assert revenue and revenue <= _shown(answer)
    assert {f["metric"] for f in answer["figures"]} == {"revenue", "revenue_growth"}


async def test_a_metric_word_inside_a_longer_label_does_not_beat_the_metric_it_names(server, kb) -> None:
    answer, text, error = await _call(server, "vendor_financials", {"vendor": "寒武纪", "metric": "营收", "limit": 50})
    assert not error, text
    assert {r["id"] for r in kb.figures("cambricon", ["revenue", "revenue_growth"])} <= _shown(answer)
    net, text, error = await _call(server, "vendor_financials", {"vendor": "寒武纪", "metric": "净利", "limit": 50})
    assert not error, text
    assert {f["metric"] for f in net["figures"]} == {"net_profit"}  # 净利 is net profit, not net margin (净利率)


async def test_research_expense_is_the_expense_not_its_share_of_revenue(kb) -> None:
    from chipmcp.tools._common import metric_ids

    assert metric_ids(kb, "研发费用") == {"rd_expense", "rd_expense_growth"}  # 研发费用率 is rd_ratio
    assert metric_ids(kb, "研发费用率") == {"rd_ratio"}
    assert metric_ids(kb, "总市值") == {"market_cap"}


async def test_a_metric_the_header_states_is_among_the_entries_it_counts(server, kb) -> None:
    for metric in ("市值", "market_cap"):
        answer, text, error = await _call(server, "vendor_financials", {"vendor": "摩尔线程", "metric": metric})
        assert not error, text
        caps = {r["id"] for r in kb.figures("moore-threads", ["market_cap"])}
        assert {c["figure_id"] for c in answer["vendor"]["market_cap"]} == caps == _shown(answer)
        assert answer["page"]["total"] == len(caps) and "none of 0" not in text


async def test_an_industry_headline_counts_the_same_reports_on_every_page(server, kb) -> None:
    every, _, _ = await _call(server, "industry_figures", {"topic": "capex", "detail": "full", "limit": 200})
    reports = {f["source"] for g in every["figures"] for f in g["figures"]}
    heads = set()
    for limit in (1, 3, 200):
        for detail in ("summary", "full"):
            answer, text, error = await _call(server, "industry_figures", {"topic": "capex", "limit": limit, "detail": detail})
            assert not error, text
            heads.add(answer["summary"].split(";")[0])
    assert heads == {f"阿里巴巴 (Alibaba) and 7 more: 35 figures from {len(reports)} report(s) (capex)"}
