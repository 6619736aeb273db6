"""compare_chips and estimate_cluster reason with sparse, unlabeled, ranged, contested and system-level
figures and say what each number is (issue #10), through the MCP client."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client

from chipmcp import tools
from chipmcp.reasoning.cells import Cell
from chipmcp.tools import estimate
from compared import compared_cells

pytestmark = pytest.mark.anyio


async def call(server, tool: str, arguments: dict, error: bool = False) -> dict | str:
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    assert result.is_error == error, result.content[0].text
    return result.content[0].text if error else result.structured_content


async def test_a_sparse_only_figure_sizes_a_cluster_and_is_labelled(reports_server) -> None:
    # The reports print H20's FP16 only as a sparse reading; Epoch's table adds a dense one (below).
    answer = await call(reports_server, "estimate_cluster", {"chip": "H20", "count": 8})
    assert answer["compute_pflops"]["value"] == pytest.approx(8 * 148 / 1000)
    assert any("sparse, as printed" in w for w in answer["warnings"])


async def test_a_dense_figure_from_another_source_sizes_the_cluster_before_a_sparse_one(server) -> None:
    answer = await call(server, "estimate_cluster", {"chip": "H20", "count": 8})
    assert answer["compute_pflops"]["value"] == pytest.approx(8 * 148 / 1000)
    assert answer["compute_pflops"]["label"] == "FP16 dense"
    assert not any("sparse, as printed" in w for w in answer["warnings"])


async def test_a_missing_precision_error_offers_only_what_can_be_used(reports_server) -> None:
    # The reports give H20 no INT8 (Epoch's table does: 296 TOPS).
    text = await call(reports_server, "estimate_cluster", {"chip": "H20", "target_pflops": 100, "precision": "int8"}, error=True)
    assert "fp16 (sparse, as printed)" in text and "fp32" in text and "`precision`" in text
    assert "Choose one of those" not in text
    # A count needs no compute figure: the other totals are given, and the compute line says the same (#21).
    answer = await call(reports_server, "estimate_cluster", {"chip": "H20", "count": 8, "precision": "int8"})
    line = answer["warnings"][0]
    assert "fp16 (sparse, as printed)" in line and "fp32" in line and "`precision`" in line


async def test_a_chip_with_compute_of_unprinted_precision_is_compared_but_not_ranked(server) -> None:
    answer = await call(server, "compare_chips", {"names": ["昇腾910D", "H100"]})
    cells = compared_cells(answer)
    assert cells["huawei-ascend-910d"]["compute_fp16"]["value"] == 1200
    assert cells["huawei-ascend-910d"]["compute_fp16"]["label"] == "precision not printed"
    column = next(c for c in answer["columns"] if c["key"] == "compute_fp16")
    # #10: the 910D left out, H100 is the only comparable figure: a winner of one is no winner.
    assert column.get("best", []) == [] and column["no_best"] == "only one comparable figure"
    assert column["left_out"] == {"huawei-ascend-910d": "precision not printed"}
    assert "huawei-ascend-910d" in answer["summary"]


async def test_compare_shows_every_precision_vendor_memory_type_and_int8_for_910b_and_910c(server) -> None:
    answer = await call(server, "compare_chips", {"names": ["910B", "910C"]})
    rows = {row["id"]: row for row in answer["rows"]}
    cells = compared_cells(answer)
    assert cells["huawei-ascend-910b"]["compute_int8"]["value"] == 640
    assert cells["huawei-ascend-910c"]["compute_int8"]["value"] == 1504
    assert cells["huawei-ascend-910c"]["compute_fp16"]["low"] == 752  # a range, never cut to one end
    assert cells["huawei-ascend-910c"]["compute_fp16"]["high"] == 800
    assert rows["huawei-ascend-910b"]["vendor"] == "huawei"
    assert answer["vendors"] == {"huawei": {"name_zh": "华为", "name_en": "Huawei"}}  # two rows, the vendor once
    assert cells["huawei-ascend-910b"]["memory_type"]["text"] == "HBM2e"


async def test_a_suspect_price_gives_a_flagged_price_per_tflops_never_ranked(reports_server) -> None:
    # The reports' only H100 price is suspect; Epoch's table adds an unsuspect one, preferred in `server`.
    answer = await call(reports_server, "compare_chips", {"names": ["H100", "H20"], "precision": "fp16"})
    h100 = compared_cells(answer)["nvidia-h100"]
    assert h100["price_per_tflops"]["suspect"] is True
    column = next(c for c in answer["columns"] if c["key"] == "price_per_tflops")
    assert column["left_out"].get("nvidia-h100") == "suspect"


async def test_a_system_is_estimated_at_a_precision_only_it_reports(server) -> None:
    answer = await call(server, "estimate_cluster", {"chip": "CloudMatrix 384", "count": 4, "precision": "bf16"})
    assert answer["compute_pflops"]["value"] == pytest.approx(1200)
    assert any("system's own" in a for a in answer["assumptions"])


async def test_memory_only_sizing_needs_no_compute_figure(server) -> None:
    c600 = await call(server, "estimate_cluster", {"chip": "曦云C600", "parameters_billion": 70})
    assert c600["min_cards_for_weights"] == 1 and "value" not in c600["compute_pflops"]
    b = await call(server, "estimate_cluster", {"chip": "昇腾910B", "count": 8, "parameters_billion": 671})
    assert b["min_cards_for_weights"] == 21 and "do not fit" in b["weights_fit"]


async def test_argument_errors_are_plain_words_without_pydantic_links(server) -> None:
    text = await call(server, "estimate_cluster", {"chip": "910B", "count": 8, "precision": "fp13"}, error=True)
    assert "int16" in text and "pydantic" not in text and "type=" not in text


def test_twenty_chip_comparison_stays_within_its_size_budget(reports_kb, kb) -> None:
    """16,100 on the reports' knowledge and on the whole catalog, Epoch's table included (its FP64, TF32, FP4
    and INT4 columns and dated prices fit since rows hold cells by column position and the vendors once; a
    figure set apart says why in its column and its own cell)."""
    names = [
        "910B",
        "天垓150",
        "元碁T100",
        "曦云C500",
        "MTT S4000",
        "云燧T21",
        "MLU370-X8",
        "H100",
        "H20",
        "B200",
        "TPU v5e",
        "Trainium2",
        "910C",
        "910D",
        "思元590",
        "A100",
        "H800",
        "K100_AI",
        "BR166",
        "MTT S5000",
    ]
    richest = sorted(kb.ids("chip"), key=lambda c: -len(kb.figures(c)))[:20]  # the largest benchmarks/bench_sizes.py finds
    for knowledge, asked in ((reports_kb, names), (kb, names), (kb, richest)):
        structured = tools.BY_NAME["compare_chips"].call(knowledge, names=asked).model_dump(mode="json")
        assert len(json.dumps(structured, ensure_ascii=False, separators=(",", ":"))) <= 16_100


CHIPS = ["910B", "910C", "H100", "H20", "B200", "TPU v5e", "Trainium2", "MTT S4000", "A100", "K100_AI"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(CHIPS), min_size=2, max_size=5, unique=True))
def test_compare_cells_keep_low_below_high_and_equal_the_selection_rule(kb, names: list[str]) -> None:
    from chipmcp.reasoning import selection

    answer = tools.BY_NAME["compare_chips"].call(kb, names=names, precision="fp16")
    for row in answer.rows:
        for key, cell in answer.cells(row).items():
            if cell.low is not None:
                assert cell.low <= cell.high
            if key in ("compute_fp16", "memory_gb", "tdp_w"):
                chosen = selection.cell(kb, row.id, "compute_tflops" if key.startswith("compute") else key, "fp16")
                assert cell.ends() == chosen.ends() and cell.figure_ids[0] == chosen.figure_ids[0]


# Every total of the estimate: each field of its answer that is a cell (a range keeps both ends). The text
# block lists the same ones.
TOTALS = tuple(name for name, info in estimate.ClusterEstimate.model_fields.items() if info.annotation is Cell)


def test_the_estimate_has_nine_totals_and_its_text_lists_each() -> None:
    assert len(TOTALS) == 9 and "energy_cost_per_year" in TOTALS and estimate.TOTALS == TOTALS


def cell_ends(cell) -> list[tuple[float, float]]:
    """A total's ends, then each claim's: everything that must scale with the count."""
    claims = [(c.value, c.value) if c.value is not None else (c.low, c.high) for c in cell.claims]
    return ([cell.ends()] if cell.ends() is not None else []) + claims


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from([*CHIPS, "CloudMatrix 384", "GB200 NVL72"]),
    st.integers(min_value=1, max_value=5000),
    st.sampled_from([None, 0.6, 0.08]),
)
def test_doubling_count_doubles_every_total_including_both_ends(kb, chip: str, count: int, price) -> None:
    run = tools.BY_NAME["estimate_cluster"].call
    one = run(kb, chip=chip, count=count, electricity_price=price)
    two = run(kb, chip=chip, count=2 * count, electricity_price=price)
    pairs = [(getattr(one, f), getattr(two, f)) for f in TOTALS]
    # A reconciliation is of whole systems (a system's totals, or the reported system a chip's cards fill): it
    # doubles with them. 192 cards of 910C fill no CloudMatrix 384 and 384 fill one; 1 card and 2 start one
    # each; 193 cards fill none and 386 one, started in two.
    if two.servers == 2 * one.servers and len(one.reconciliation) == len(two.reconciliation):
        pairs += [(a.reported, b.reported) for a, b in zip(one.reconciliation, two.reconciliation, strict=True)]
        pairs += [(a.computed, b.computed) for a, b in zip(one.reconciliation, two.reconciliation, strict=True)]
    for a, b in pairs:
        ends_a, ends_b = cell_ends(a), cell_ends(b)
        assert len(ends_a) == len(ends_b)
        for (low_a, high_a), (low_b, high_b) in zip(ends_a, ends_b, strict=True):
            assert low_a <= high_a
            assert (low_b, high_b) == (pytest.approx(2 * low_a, rel=1e-5), pytest.approx(2 * high_a, rel=1e-5))
    assert (one.energy_cost_per_year.ends() is None) == (price is None or one.system_power_kw.ends() is None)


async def test_systems_compare_their_reported_figures_beside_their_parts_with_the_difference(reports_server) -> None:
    # The reports alone: their 910C prints FP16 only (Epoch's table adds its FP16/BF16 column; see below).
    async with Client(reports_server) as client:
        result = await client.call_tool("compare_chips", {"names": ["CloudMatrix 384", "GB200 NVL72"]})
    answer, text = result.structured_content, result.content[0].text
    checks = {row["id"]: {k["metric"]: k for k in row["versus_parts"]} for row in answer["rows"]}
    cm, nvl = checks["huawei-cloudmatrix-384"], checks["nvidia-gb200-nvl72"]
    # system power against the chips' TDP: 559.4 kW vs 384 × 310 W; 145 kW vs 72 × 1200 W
    assert cm["power_w"]["reported"]["value"] == 559_400 and cm["power_w"]["from_parts"]["value"] == 384 * 310
    assert cm["power_w"]["difference"] == [559_400 - 384 * 310] * 2 and cm["power_w"]["verdict"] == "differ"
    assert nvl["power_w"]["from_parts"]["value"] == 72 * 1200 and nvl["power_w"]["ratio"][0] == pytest.approx(145 / 86.4, 1e-3)
    # W per TFLOPS as the report's table prints it, beside the chips' TDP over the parts' compute
    assert cm["w_per_tflops"]["reported"]["value"] == 1.87 and "as printed" in cm["w_per_tflops"]["reported"]["label"]
    low, high = cm["w_per_tflops"]["from_parts"]["low"], cm["w_per_tflops"]["from_parts"]["high"]
    assert low == pytest.approx(310 / 800, 1e-3) and high == pytest.approx(310 / 752, 1e-3)
    # the system prints BF16 and its chips FP16: side by side, said so, both ends of the 910C's range kept
    compute = cm["compute_bf16"]
    assert (compute["from_parts"]["low"], compute["from_parts"]["high"]) == (384 * 752, 384 * 800)
    # figures at different precisions are set side by side, never judged to agree or differ
    assert compute["verdict"] == "not equated" and "different precisions" in compute["note"]
    assert cm["w_per_tflops"]["verdict"] == "not equated" and "different precisions" in cm["w_per_tflops"]["note"]
    assert cm["memory_gb"]["verdict"] == "agree"
    for line in ("- power_w: 559,400 W #1122 vs 119,040 W", "→ differ; ×4.699; +440,360 W", "- w_per_tflops: 1.87"):
        assert line in text
    assert "huawei-cloudmatrix-384 (power_w)" in answer["summary"]


async def test_a_system_compares_with_its_parts_at_its_own_precision_once_a_source_gives_the_parts_it(server) -> None:
    # Epoch's 910C row prints FP16/BF16 800 TFLOPS: CloudMatrix 384's BF16 300 PFLOPS now meets 384 × 800 at BF16.
    answer = await call(server, "compare_chips", {"names": ["CloudMatrix 384", "GB200 NVL72"]})
    checks = {row["id"]: {k["metric"]: k for k in row["versus_parts"]} for row in answer["rows"]}
    compute = checks["huawei-cloudmatrix-384"]["compute_bf16"]
    assert compute["from_parts"]["value"] == 384 * 800 and compute["from_parts"]["label"].startswith("BF16")
    assert compute["difference"] == [300_000 - 384 * 800] * 2 and compute["verdict"] == "differ"
    assert "different precisions" not in compute.get("note", "")


async def test_a_chip_compare_has_no_parts_checks_and_a_chip_without_figures_still_answers(reports_server) -> None:
    # Every chip has figures once Epoch's table is in; without it the reports only name the MI300X.
    async with Client(reports_server) as client:
        result = await client.call_tool("compare_chips", {"names": ["昇腾910B", "amd-mi300x"]})
    assert not result.is_error, result.content[0].text
    rows = {row["id"]: row for row in result.structured_content["rows"]}
    assert "versus_parts" not in rows["huawei-ascend-910b"] and rows["amd-mi300x"].get("cells", {}) == {}


async def test_a_chip_missing_the_asked_precision_is_told_what_it_reports_and_how_to_ask(server) -> None:
    answer = await call(server, "compare_chips", {"names": ["天垓150", "910B"], "precision": "int8"})
    assert "iluvatar-tiangai-150: no INT8 compute figure; it reports FP16 (ask precision='fp16')." in answer["warnings"]
    assert not [w for w in answer["warnings"] if "no compute figure reported" in w]


async def test_an_estimate_headline_says_when_its_compute_has_no_printed_precision_or_is_sparse(server, reports_server) -> None:
    unlabeled = await call(server, "estimate_cluster", {"chip": "昇腾910D", "count": 8, "precision": "int8"})
    assert "no printed precision (used for INT8)" in unlabeled["summary"]
    sparse = await call(reports_server, "estimate_cluster", {"chip": "H20", "count": 8})
    assert "FP16 peak, sparse as printed" in sparse["summary"]
