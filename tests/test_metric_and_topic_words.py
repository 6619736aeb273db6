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
    answer, text, error = await _call(
        server, "vendor_financials", {"vendor": "摩尔线程", "period": "2025", "metric": word, "limit": 50}
    )
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


@pytest.mark.parametrize("topic", ["GPU", "HBM3e", "FP8", "the", "x", "2025", "全球AI服务器", "IDC shipment share"])
async def test_a_topic_found_only_in_notes_or_labels_is_a_suggestion_not_an_answer(server, topic) -> None:
    answer, text, error = await _call(server, "industry_figures", {"topic": topic})
    assert error and answer is None, text
    assert "industry_figures(topic=" in text


async def test_the_suggestion_names_the_topics_whose_figures_hold_the_words(server) -> None:
    _, text, error = await _call(server, "industry_figures", {"topic": "全球AI服务器"})
    assert error and "market-global-servers" in text and "market-china-ai-servers" in text, text
    _, text, error = await _call(server, "industry_figures", {"topic": "IDC shipment share"})
    assert error and "market-china-ai-accelerator-cards" in text, text


@pytest.mark.parametrize(
    ("topic", "answered_by"),
    [
        ("AI服务器", ["market-china-ai-servers"]),
        ("ASIC market", ["market-global-asic"]),
        ("ASIC市场规模", ["market-global-asic"]),
        ("global ASIC market size 2025", ["market-global-asic"]),  # a year asks for a period, not a topic
    ],
)
async def test_a_topic_whose_words_are_all_in_a_topics_names_is_that_topic(server, topic, answered_by) -> None:
    answer, text, error = await _call(server, "industry_figures", {"topic": topic})
    assert not error, text
    assert [e["id"] for e in answer["topic"]["entities"]][: len(answered_by)] == answered_by


async def test_a_metric_with_words_naming_no_topic_is_the_metric_across_the_industry_and_says_so(server, kb) -> None:
    answer, text, error = await _call(server, "industry_figures", {"topic": "cloud capex"})
    assert not error, text
    every, _, _ = await _call(server, "industry_figures", {"topic": "capex"})
    assert answer["topic"]["entities"] == every["topic"]["entities"] and answer["topic"]["metrics"] == ["capex"]
    assert "'cloud'" in answer["topic"]["note"] and "'cloud'" in text


@pytest.mark.parametrize(
    ("topic", "chip"),
    [
        ("A100", "nvidia-a100"),
        ("910B", "huawei-ascend-910b"),
        ("H20", "nvidia-h20"),
        ("H20 market share", "nvidia-h20"),
        ("GB200", "nvidia-gb200"),
        ("TPU", None),
    ],
)
async def test_a_chip_name_asked_of_industry_figures_points_to_lookup_chip(server, topic, chip) -> None:
    _, text, error = await _call(server, "industry_figures", {"topic": topic})
    assert error and "lookup_chip(" in text, text
    if chip:  # the chip itself, not the models whose notes mention its model number
        assert f"lookup_chip(name='{chip}')" in text and "Qwen3" not in text and "DeepSeek" not in text, text
    else:  # a brand or family word: the chips it begins
        assert "Google TPU v4" in text


@pytest.mark.parametrize("topic", ["DeepSeek-V3, GPT-4", "DeepSeek-V3 and GPT-4", "GPT-4、DeepSeek-V3"])
async def test_several_topics_in_one_argument_are_refused_like_several_chips(server, topic) -> None:
    _, text, error = await _call(server, "industry_figures", {"topic": topic})
    assert error and "names more than one" in text and "deepseek-v3" in text and "(gpt-4)" in text, text


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("lookup_chip", {"name": "GPU"}),
        ("lookup_chip", {"name": "training"}),
        ("lookup_chip", {"name": "price"}),
        ("compare_chips", {"names": ["GPU", "H100"]}),
        ("estimate_cluster", {"chip": "GPU", "count": 8}),
        ("export_control_check", {"chip": "GPU"}),
    ],
)
async def test_a_hint_says_a_word_is_an_entity_only_when_it_is_one_of_its_names(server, tool, arguments) -> None:
    _, text, error = await _call(server, tool, arguments)
    assert error and " is an AI model" not in text and " is a market" not in text, text


async def test_a_hint_for_a_name_of_another_kind_still_says_what_it_is(server) -> None:
    _, text, error = await _call(server, "lookup_chip", {"name": "DeepSeek-V3"})
    assert error and "'DeepSeek-V3' is an AI model" in text and "industry_figures(topic='deepseek-v3')" in text, text


async def test_a_hint_for_a_spelling_close_to_a_name_says_it_is_close_not_that_it_is(server) -> None:
    _, text, error = await _call(server, "lookup_chip", {"name": "deepsek-v3"})
    assert error and "'deepsek-v3' is close to the name of an AI model (DeepSeek-V3)" in text, text
    assert "industry_figures(topic='deepseek-v3')" in text


async def test_an_id_asked_of_the_wrong_tool_is_that_entity(server) -> None:
    _, text, error = await _call(server, "vendor_financials", {"vendor": "moore-threads-s5000-1k-cluster"})
    assert error and "'moore-threads-s5000-1k-cluster' is a system (" in text, text


async def test_a_metric_name_inside_an_industry_topic_names_that_metric(server) -> None:
    answer, text, error = await _call(server, "industry_figures", {"topic": "摩尔线程营收"})
    assert not error, text
    assert [e["id"] for e in answer["topic"]["entities"]] == ["moore-threads"] and answer["topic"]["metrics"] == ["revenue"]
