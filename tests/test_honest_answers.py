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


SOURCE = ('[[source]]\nid = "my-2026"\npublisher = "我"\npublisher_en = "Me"\ntitle = "测试"\nkind = "note"\n'
          'date = "2026-01"\nlanguage = "zh-Hans"\n')
CHIP = ('[[vendor]]\nid = "acme"\nname_zh = "测试芯"\nname_en = "Acme Silicon"\nkind = "chip-designer"\ncountry = "CN"\n'
        'note = "invented for a test"\n\n[[chip]]\nid = "acme-x1"\nvendor = "acme"\nname_zh = "测试芯X1"\n'
        'name_en = "Acme X1"\nmodel = "X1"\nkind = "NPU"\nnote = "invented for a test"\n')


def folder_kb(tmp_path: Path, rows: str, catalog: str = CHIP, source: str = SOURCE) -> KnowledgeBase:
    """The bundled knowledge plus a user's folder holding `rows` of source my-2026."""
    folder = tmp_path / "mine"
    (folder / "figures").mkdir(parents=True)
    (folder / "catalog").mkdir()
    (folder / "sources.toml").write_text(source, encoding="utf-8")
    (folder / "catalog" / "entities.toml").write_text(catalog, encoding="utf-8")
    (folder / "figures" / "my-2026.toml").write_text(
        f'[[figures]]\nsource = "my-2026"\nlocator = "表1"\nrows = [\n{rows}]\n', encoding="utf-8")
    build.build([knowledge_dir(), folder], tmp_path / "kb.db")
    return KnowledgeBase(tmp_path / "kb.db")


# --- 6. export_control_check never headlines a figure it marks suspect ---------------------------------


async def test_the_export_headline_uses_the_best_figure_not_marked_suspect_and_states_the_suspect_one_beside(
        server) -> None:
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


async def test_a_suspect_figure_with_the_same_verdict_is_not_repeated_and_an_all_suspect_chip_says_so(
        tmp_path: Path) -> None:
    kb = folder_kb(tmp_path, (
        '  { entity = "acme-x1", metric = "compute", precision = "fp16", value = 400, unit = "TFLOPS", printed = "400T" },\n'
        '  { entity = "acme-x1", metric = "compute", precision = "fp8", value = 900, unit = "TFLOPS", printed = "900T",'
        ' suspect = true },\n'))
    answer, _ = await call(build_server(kb), "export_control_check", {"chip": "acme-x1"})
    assert answer["tpp"]["value"] == 6400 and answer["tpp"]["label"] == "largest of FP16"  # not 7,200 from FP8
    assert answer.get("suspect_reading") is None  # 7,200 is 3A090.a by the rule text as 6,400 is
    kb = folder_kb(tmp_path / "b", (
        '  { entity = "acme-x1", metric = "compute", precision = "fp8", value = 900, unit = "TFLOPS", printed = "900T",'
        ' suspect = true },\n'))
    answer, text = await call(build_server(kb), "export_control_check", {"chip": "acme-x1"})
    assert answer["tpp"]["value"] == 7200 and answer["tpp"]["suspect"] is True  # nothing sound: flagged, not hidden
    assert answer.get("suspect_reading") is None and "[SUSPECT]" in text
