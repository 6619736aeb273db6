"""Answers that say what the knowledge base holds (issue #21, items 5, 6 and 8), through the MCP client:
export_control_check never headlines a suspect figure; industry_figures routes a company's money figures
to vendor_financials and never answers a topic that matches nothing with unrelated figures; a period finds
the guidance said about it and the dated figures inside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from chipmcp.kb import build
from chipmcp.kb.store import KnowledgeBase, knowledge_dir
from chipmcp.serving.server import build_server

pytestmark = pytest.mark.anyio


async def call(server, tool: str, arguments: dict[str, Any], error: bool = False) -> tuple[Any, str]:
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    assert result.is_error == error, result.content[0].text
    return result.structured_content, result.content[0].text


SOURCE = (
    '[[source]]\nid = "my-2026"\npublisher = "我"\npublisher_en = "Me"\ntitle = "测试"\nkind = "note"\n'
    'date = "2026-01"\nlanguage = "zh-Hans"\n'
)
CHIP = (
    '[[vendor]]\nid = "acme"\nname_zh = "测试芯"\nname_en = "Acme Silicon"\nkind = "chip-designer"\ncountry = "CN"\n'
    'note = "invented for a test"\n\n[[chip]]\nid = "acme-x1"\nvendor = "acme"\nname_zh = "测试芯X1"\n'
    'name_en = "Acme X1"\nmodel = "X1"\nkind = "NPU"\nnote = "invented for a test"\n'
)


def folder_kb(tmp_path: Path, rows: str, catalog: str = CHIP, source: str = SOURCE) -> KnowledgeBase:
    """The bundled knowledge plus a user's folder holding `rows` of source my-2026."""
    folder = tmp_path / "mine"
    (folder / "figures").mkdir(parents=True)
    (folder / "catalog").mkdir()
    (folder / "sources.toml").write_text(source, encoding="utf-8")
    (folder / "catalog" / "entities.toml").write_text(catalog, encoding="utf-8")
    (folder / "figures" / "my-2026.toml").write_text(
        f'[[figures]]\nsource = "my-2026"\nlocator = "表1"\nrows = [\n{rows}]\n', encoding="utf-8"
    )
    build.build([knowledge_dir(), folder], tmp_path / "kb.db")
    return KnowledgeBase(tmp_path / "kb.db")


# --- 6. export_control_check never headlines a figure it marks suspect ---------------------------------


async def test_the_export_headline_uses_the_best_figure_not_marked_suspect_and_states_the_suspect_one_beside(server) -> None:
    """B30: a suspect 200 TFLOPS FP32 (TPP 6,400) would place it in 3A090.a; its FP16 80-100 TFLOPS does not."""
    answer, text = await call(server, "export_control_check", {"chip": "B30"})
    assert answer["tpp"]["low"] == 1280 and answer["tpp"]["high"] == 1600 and not answer["tpp"].get("suspect")
    assert answer["tpp"]["label"] == "largest of FP16"
    beside = answer["suspect_reading"]
    assert beside["tpp"]["value"] == 6400 and beside["tpp"]["suspect"] is True
    assert beside["standing"] != answer["standing"] and "3A090.a by the rule text" in beside["standing"]
    assert answer["summary"].startswith("英伟达B30 (NVIDIA B30): TPP 1,280-1,600 (FP16) →")
    assert "a suspect figure would give TPP 6,400" in answer["summary"]
    assert "Beside it, SUSPECT: TPP 6,400" in text
    async with Client(server) as client:  # the same TPP wherever it is asked for
        lookup = (await client.call_tool("lookup_chip", {"name": "B30"})).structured_content
    derived = next(d for d in lookup["derived"] if d["name"] == "tpp")
    assert (derived["low"], derived["high"]) == (1280, 1600)


async def test_a_suspect_figure_with_the_same_verdict_is_not_repeated_and_an_all_suspect_chip_says_so(tmp_path: Path) -> None:
    kb = folder_kb(
        tmp_path,
        (
            '  { entity = "acme-x1", metric = "compute", precision = "fp16", value = 400, unit = "TFLOPS", printed = "400T" },\n'
            '  { entity = "acme-x1", metric = "compute", precision = "fp8", value = 900, unit = "TFLOPS", printed = "900T",'
            " suspect = true },\n"
        ),
    )
    answer, _ = await call(build_server(kb), "export_control_check", {"chip": "acme-x1"})
    assert answer["tpp"]["value"] == 6400 and answer["tpp"]["label"] == "largest of FP16"  # not 7,200 from FP8
    assert answer.get("suspect_reading") is None  # 7,200 is 3A090.a by the rule text as 6,400 is
    kb = folder_kb(
        tmp_path / "b",
        (
            '  { entity = "acme-x1", metric = "compute", precision = "fp8", value = 900, unit = "TFLOPS", printed = "900T",'
            " suspect = true },\n"
        ),
    )
    answer, text = await call(build_server(kb), "export_control_check", {"chip": "acme-x1"})
    assert answer["tpp"]["value"] == 7200 and answer["tpp"]["suspect"] is True  # nothing sound: flagged, not hidden
    assert answer.get("suspect_reading") is None and "[SUSPECT]" in text


# --- 5. routing is honest --------------------------------------------------------------------------------


async def test_a_topic_with_a_word_the_knowledge_base_never_uses_is_not_found_with_the_nearest_topics(server) -> None:
    """'weather in Paris' shares 'Paris' with a note on European AI factories: no reason to answer with their capex."""
    for topic in ("weather in Paris", "price of tea in China", "NVIDIA weather"):
        _, text = await call(server, "industry_figures", {"topic": topic}, error=True)
        assert "Nearest topics: " in text and "industry_figures(topic=…)" in text, text
    _, text = await call(server, "industry_figures", {"topic": "weather in Paris"}, error=True)
    assert "uses 'weather'" in text and "Europe AI compute (market-europe-ai-compute)" in text
    # Known words ("shipments") that name no topic: the topics whose figures hold them, as a suggestion.
    _, text = await call(server, "industry_figures", {"topic": "IDC shipment share"}, error=True)
    assert "Did you mean" in text and "industry_figures(topic='market-china-ai-accelerator-cards')" in text, text


async def test_a_companys_money_figures_asked_of_industry_figures_are_answered_and_the_call_named(server, kb) -> None:
    answer, text = await call(server, "industry_figures", {"topic": "NVIDIA revenue"})
    assert [e["id"] for e in answer["topic"]["entities"]] == ["nvidia"] and answer["topic"]["metrics"] == ["revenue"]
    shown = {f["id"] for g in answer["figures"] for f in g["figures"]} | {
        c["id"] for g in answer["figures"] for f in g["figures"] for c in f.get("also", [])
    }
    assert shown == {r["id"] for r in kb.figures("nvidia", ["revenue"])}
    assert "vendor_financials(vendor='nvidia', metric='revenue')" in answer["topic"]["note"]
    assert "vendor_financials(vendor='nvidia', metric='revenue')" in text
    openai, _ = await call(server, "industry_figures", {"topic": "OpenAI ARR"})  # a model maker: every figure
    arr = [f for g in openai["figures"] for f in g["figures"] if f.get("measure") == "annualized-run-rate"]
    assert {f["printed"] for f in arr} >= {"突破100亿美元", "55亿美元"}
    assert "vendor_financials(vendor='openai')" in openai["topic"]["note"]
    margins, _ = await call(server, "industry_figures", {"topic": "gross margin"})  # across companies
    assert {e["id"] for e in margins["topic"]["entities"]} == {e for e in kb.ids("vendor") if kb.figures(e, ["gross_margin"])}
    named, _ = await call(server, "industry_figures", {"topic": "英伟达"})  # a company is itself, not a market
    assert [e["id"] for e in named["topic"]["entities"]] == ["nvidia"]


NO_FIGURES = ("no figures for", "give no figures", "but give no figures")


@pytest.mark.slow  # a whole-catalog sweep
async def test_no_tool_says_an_entity_has_no_figures_when_it_has_figures(server, kb) -> None:
    """Every chip, system, company, market and model through each tool that names it: 'no figures' only when the
    knowledge base holds none (identity rows aside, which vendor_financials shows as the identity)."""
    said = 0
    async with Client(server) as client:
        for entity in kb.entities:
            kind = kb.entities[entity]["entity_kind"]
            calls = {
                "chip": [("lookup_chip", {"name": entity})],
                "system": [("lookup_chip", {"name": entity})],
                "vendor": [("vendor_financials", {"vendor": entity}), ("industry_figures", {"topic": entity})],
                "market": [("vendor_financials", {"vendor": entity}), ("industry_figures", {"topic": entity})],
                "workload": [("industry_figures", {"topic": entity})],
            }[kind]
            for tool, arguments in calls:
                result = await client.call_tool(tool, arguments)
                text = result.content[0].text.casefold()
                if result.is_error and any(phrase in text for phrase in NO_FIGURES):
                    said += 1
                    assert not kb.figures(entity), (tool, entity, result.content[0].text)
    assert said > 0  # the reports do name entities they give no figure for


# --- 8. periods find what was said about them ------------------------------------------------------------


async def test_guidance_said_with_one_quarters_results_for_the_next_is_found_by_either_quarter(server, kb) -> None:
    """SMIC prints its 2025Q2 outlook (revenue -4~6% q/q, gross margin 18-20%) beside its 2025Q1 results."""
    guidance = {r["id"] for r in kb.figures("smic") if r["basis"] == "guidance"}
    assert len(guidance) == 2
    for period, how in (("2025Q1", "found by the period it was said in"), ("2025Q2", "(found by that period)")):
        answer, text = await call(server, "vendor_financials", {"vendor": "SMIC", "period": period, "detail": "full"})
        assert guidance <= {f["id"] for f in answer["figures"]}, period
        said = [w for w in answer["warnings"] if "said with the 2025Q1 figures" in w]
        assert len(said) == 2 and all(how in w and "guidance for 2025Q2" in w for w in said), answer["warnings"]
        assert said[0] in text
    q1, _ = await call(server, "vendor_financials", {"vendor": "SMIC", "period": "2025Q1", "detail": "full"})
    assert {f["period"] for f in q1["figures"]} == {"2025Q1", "2025Q2"}  # nothing else comes with it
    nvidia, _ = await call(server, "vendor_financials", {"vendor": "NVIDIA", "period": "FY2026Q1"})
    assert any("guidance for FY2026Q2, said with the FY2026Q1 figures" in w for w in nvidia["warnings"])


async def test_a_dated_market_figure_is_found_by_the_period_holding_its_day_and_a_bare_period_lists_them(server, kb) -> None:
    answer, text = await call(server, "vendor_financials", {"vendor": "寒武纪", "period": "2025Q3"})
    assert [(f["metric"], f["value"], f.get("as_of")) for f in answer["figures"]] == [("share_price", 1595.88, "2025-08")]
    high = next(r["id"] for r in kb.figures("cambricon", ["share_price"]))
    assert answer["warnings"] == [f"#{high} share_price has no period: it holds at 2025-08, which lies in 2025Q3."]
    _, text = await call(server, "vendor_financials", {"vendor": "寒武纪", "period": "2019"}, error=True)
    assert text.endswith("Periods reported: 2025, 2025-08, 2025-12, 2025Q1.")
    _, text = await call(server, "industry_figures", {"topic": "DeepSeek-V3", "period": "2023"}, error=True)
    assert "Periods reported: 2025-12." in text
