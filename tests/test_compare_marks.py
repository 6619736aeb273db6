"""compare_chips and find_chips set apart, with the reason and a label in the figure's own cell, a figure
that is not the kind the others are: a roadmap product's planned figure beside shipped ones, a compute
figure of the other kind of unit than its precision's headline (tensor units at FP32, vector units at FP16),
and a derived cell built on compute whose precision is not printed."""

from __future__ import annotations

import pytest
from mcp import Client

from chipmcp.kb.store import KnowledgeBase
from chipmcp.reasoning import catalog_index, ranking, selection
from chipmcp.reasoning.cells import Cell
from mini import extended

pytestmark = pytest.mark.anyio


async def _call(server, tool: str, arguments: dict) -> tuple[bool, str, dict]:
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    return result.is_error, result.content[0].text, result.structured_content or {}


def _column(answer: dict, key: str) -> tuple[int, dict]:
    return next((j, c) for j, c in enumerate(answer["columns"]) if c["key"] == key)


def _cell(answer: dict, row_id: str, position: int):
    row = next(r for r in answer["rows"] if r["id"] == row_id)
    return row["cells"][position] if row.get("cells") else None


# --- planned figures ---------------------------------------------------------------------------------


async def test_compare_chips_labels_each_planned_cell_and_names_no_best_beside_a_shipped_chip(server) -> None:
    error, text, answer = await _call(server, "compare_chips", {"names": ["昇腾970", "昇腾960", "昇腾910C"]})
    assert not error, text
    j, bandwidth = _column(answer, "memory_bandwidth_gbs")
    assert _cell(answer, "huawei-ascend-970", j) == {"value": 14400, "label": "planned"}
    assert _cell(answer, "huawei-ascend-960", j) == {"value": 9600, "label": "planned"}
    assert _cell(answer, "huawei-ascend-910c", j) == 3200
    assert bandwidth.get("best", []) == [] and bandwidth["no_best"] == "only one comparable figure"
    assert bandwidth["left_out"] == {"huawei-ascend-970": "planned", "huawei-ascend-960": "planned"}
    assert "14,400 (planned) #3333" in text
    assert "Not ranked in memory_bandwidth_gbs: huawei-ascend-970 (planned), huawei-ascend-960 (planned)" in text


async def test_compare_chips_never_lends_a_planned_label_to_a_column_of_shipped_figures(server) -> None:
    _, text, answer = await _call(server, "compare_chips", {"names": ["昇腾970", "昇腾960", "昇腾910C"]})
    for column in answer["columns"]:
        assert "planned" not in column.get("label", ""), column
    assert "memory_bandwidth_gbs (GB/s; ↑)" in text


async def test_compare_chips_ranks_planned_figures_among_themselves(server) -> None:
    _, _, answer = await _call(server, "compare_chips", {"names": ["昇腾970", "昇腾960"], "metrics": ["memory_bandwidth"]})
    column = answer["columns"][0]
    assert column["best"] == ["huawei-ascend-970"] and column["ranked"] == 2 and "left_out" not in column
    assert [r["cells"][0] for r in answer["rows"]] == [{"value": 14400, "label": "planned"}, {"value": 9600, "label": "planned"}]


async def test_find_chips_lists_planned_figures_apart_from_shipped_ones(server) -> None:
    _, text, answer = await _call(server, "find_chips", {"domestic": True, "sort_by": "memory_bandwidth", "limit": 50})
    apart = {r["id"]: r["why"] for r in answer["not_ranked"]}
    assert {i for i, why in apart.items() if why == "planned"} == {"huawei-ascend-950dt", "huawei-ascend-960", "huawei-ascend-970"}
    assert all("planned" not in r["cells"]["memory_bandwidth_gbs"].get("label", "") for r in answer["rows"])
    assert "huawei-ascend-970" not in {r["id"] for r in answer["rows"]}
    assert "昇腾970 (Ascend 970) [huawei-ascend-970] (planned)" in text


async def test_find_and_compare_set_the_same_planned_figure_apart(server) -> None:
    _, _, found = await _call(server, "find_chips", {"sort_by": "compute_tflops", "precision": "fp8", "limit": 100, "detail": "full"})
    planned = [r["id"] for r in found["not_ranked"] if r["why"] == "planned"]
    assert planned
    chip = found["rows"][0]["id"]
    for entity in planned[:4]:
        _, _, compared = await _call(
            server, "compare_chips", {"names": [chip, entity], "metrics": ["compute_tflops"], "precision": "fp8"}
        )
        assert compared["columns"][0]["left_out"] == {entity: "planned"}


# --- the kind of unit -------------------------------------------------------------------------------


async def test_compare_chips_labels_a_tensor_unit_fp32_figure_and_never_ranks_it_against_headline_fp32(server) -> None:
    _, text, answer = await _call(server, "compare_chips", {"names": ["K100_AI", "H20"], "precision": "fp32"})
    j, column = _column(answer, "compute_fp32")
    assert _cell(answer, "hygon-k100-ai", j) == {"value": 98, "label": "FP32, sparsity not printed (tensor units)"}
    assert column["left_out"] == {"hygon-k100-ai": "tensor units"}
    assert column.get("best", []) == [] and column["no_best"] == "only one comparable figure"
    h20 = next(r for r in answer["rows"] if r["id"] == "nvidia-h20")
    assert h20["ratios"][j] is None  # no ratio between a tensor-unit and a headline figure
    k, per_watt = _column(answer, "tflops_per_w")
    assert per_watt["left_out"] == {"hygon-k100-ai": "tensor units"} and per_watt.get("best", []) == []
    assert _cell(answer, "hygon-k100-ai", k)["label"] == "FP32, sparsity not printed (tensor units)"
    assert "Not ranked in compute_fp32: hygon-k100-ai (tensor units)" in text


async def test_find_chips_lists_vector_unit_fp16_figures_apart_from_matrix_ones(server) -> None:
    _, _, answer = await _call(server, "find_chips", {"sort_by": "compute_tflops", "precision": "fp16", "limit": 100})
    assert all("vector units" not in r["cells"]["compute_tflops"].get("label", "") for r in answer["rows"])
    vector = [r for r in answer["not_ranked"] if r["why"] == "vector units"]
    assert vector and all("(vector units)" in r["cells"]["compute_tflops"]["label"] for r in vector)


def test_the_rule_sets_the_other_kind_of_unit_and_planned_figures_apart_where_the_headline_kind_is_there() -> None:
    cells = {
        "a": Cell(value=10, tier="dense"),
        "t": Cell(value=20, tier="dense", engine="tensor"),
        "v": Cell(value=30, tier="dense", engine="vector"),
        "p": Cell(value=40, tier="dense"),
    }
    assert ranking.left_out(cells, set(), False, {"p"}) == {"t": "tensor units", "v": "vector units", "p": "planned"}
    # with no figure of the headline kind, or none shipped, the rest rank among themselves
    assert ranking.left_out({"t": cells["t"], "u": Cell(value=1, engine="tensor")}, set(), False) == {}
    assert ranking.left_out({"p": cells["p"], "q": Cell(value=1)}, set(), False, {"p", "q"}) == {}


_PLANNED_CHIPS = """
[[chip]]
id = "mini-roadmap"
vendor = "minico"
name_zh = "迷你R9"
name_en = "Roadmap R9"
model = "R9"
kind = "NPU"
"""
_PLANNED_FIGURES = """
[[figures]]
source = "mini-2026"
locator = "表9 设计"
entity = "mini-roadmap"
rows = [
  { metric = "compute", precision = "fp16", sparsity = "dense", value = 9000, unit = "TFLOPS", basis = "plan", printed = "9000T" },
  { metric = "compute", precision = "fp32", engine = "vector", value = 50, unit = "TFLOPS", printed = "50T" },
]
"""


@pytest.fixture(scope="module")
def roadmap_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return extended(tmp_path_factory.mktemp("roadmap"), _PLANNED_CHIPS, _PLANNED_FIGURES)


def _apart(kb: KnowledgeBase, **query) -> dict[str, str]:
    found = catalog_index.of(kb).find(catalog_index.Query(**query), certification=lambda chips: ["none"] * len(chips))
    return {e["id"]: why for (e, _), why in zip(found.apart, found.apart_why, strict=True)}


def test_find_on_a_designed_catalog_sets_a_planned_figure_apart_from_shipped_ones(roadmap_kb) -> None:
    assert selection.is_planned(roadmap_kb, selection.cell(roadmap_kb, "mini-roadmap", "compute_tflops", "fp16"))
    assert _apart(roadmap_kb, sort_by="compute_tflops")["mini-roadmap"] == "planned"
    found = catalog_index.of(roadmap_kb).find(
        catalog_index.Query(sort_by="compute_tflops"), certification=lambda chips: ["none"] * len(chips)
    )
    assert "mini-roadmap" not in found.rows.ids and found.rows.ids  # shipped figures still rank


def test_find_on_a_designed_catalog_sets_a_tensor_unit_fp32_figure_apart_from_vector_ones(roadmap_kb) -> None:
    apart = _apart(roadmap_kb, sort_by="compute_tflops", precision="fp32")
    assert apart["mini-gamma"] == "tensor units"
    found = catalog_index.of(roadmap_kb).find(
        catalog_index.Query(sort_by="compute_tflops", precision="fp32"), certification=lambda chips: ["none"] * len(chips)
    )
    assert found.rows.ids == ["mini-roadmap", "mini-delta"]  # vector units are FP32's headline


# --- derived cells -----------------------------------------------------------------------------------


async def test_a_derived_cell_on_compute_of_no_printed_precision_says_so_and_is_never_ranked(server) -> None:
    _, text, answer = await _call(server, "compare_chips", {"names": ["H100", "B200"], "precision": "fp4"})
    for key in ("tflops_per_w", "price_per_tflops"):
        j, column = _column(answer, key)
        cell = _cell(answer, "nvidia-h100", j)
        assert isinstance(cell, dict) and cell["label"] == "precision not printed", (key, cell)
        assert column["left_out"] == {"nvidia-h100": "precision not printed"}
        assert column.get("best", []) == []
    assert "5.654 [no precision] (precision not printed) #586, #363" in text
