"""Issue #20's 'done means' questions through the MCP client: Epoch AI's table beside the reports, every
figure cited to its report or to its dataset row and column."""

from __future__ import annotations

import pytest

from answering import answered
from compared import compared_cells

pytestmark = pytest.mark.anyio


call = answered


async def test_mi300x_against_910c_sets_epochs_row_beside_the_reports(server) -> None:
    answer, text = await call(server, "compare_chips", {"names": ["MI300X", "昇腾910C"]})
    rows = compared_cells(answer)
    assert rows["amd-mi300x"]["compute_fp16"]["value"] == 1307.4  # Epoch's row only
    assert (rows["huawei-ascend-910c"]["compute_fp16"]["low"], rows["huawei-ascend-910c"]["compute_fp16"]["high"]) == (
        752,
        800,
    )  # the reports' spec-table range, preferred; Epoch's 800 is one of its claims
    assert {s["id"] for s in answer["sources"]} >= {"epoch-ml-hardware", "minsheng-2025h1"}
    assert "amd-mi300x" in text and "huawei-ascend-910c" in text


async def test_at_least_192_gb_searches_the_whole_catalog(server) -> None:
    answer, _ = await call(server, "find_chips", {"where": [{"metric": "memory_gb", "op": ">=", "value": 192}], "limit": 50})
    ids = {row["id"] for row in answer["rows"]}
    # Epoch-only chips (MI300X, MI325X, B300) beside those the reports give (B200's 192 GB)
    assert {"amd-mi300x", "amd-mi325x", "nvidia-b300", "nvidia-b200"} <= ids
    assert not ids & {"nvidia-h100", "nvidia-h200", "huawei-ascend-910c"}


async def test_the_tpp_of_the_h200_says_which_reading_it_used(server) -> None:
    answer, text = await call(server, "export_control_check", {"chip": "H200"})
    assert answer["tpp"]["value"] == 16_000 and answer["tpp"]["label"] == "largest of FP16, FP8, INT8"
    by_precision = {t["precision"]: t for t in answer["tpp_by_precision"]}
    assert by_precision["bf16"]["compute"] == {
        "value": 989.5,
        "unit": "TFLOPS",
        "label": "BF16 dense",
        "figure_ids": by_precision["bf16"]["compute"]["figure_ids"],
    }
    assert "FP16 dense" in text and "epoch-ml-hardware" in text


async def test_what_the_sources_say_of_the_910c_fp16_report_and_dataset_side_by_side(server) -> None:
    answer, text = await call(server, "lookup_chip", {"name": "910C"})
    assert "epoch-ml-hardware" in text
    [fp16] = [c for c in answer["conflicts"] if c["metric"] == "compute" and c["qualifier"] == "fp16"]
    claims = {c["value"]: set(c["sources"]) for c in fp16["claims"]}
    assert claims == {"752-800 TFLOPS": {"minsheng-2025h1"}, "800 TFLOPS": {"minsheng-2025h1", "epoch-ml-hardware"}}
    full, _ = await call(server, "lookup_chip", {"name": "910C", "detail": "full", "limit": 40})
    epoch = {f["locator"] for f in full["figures"] if f["source"] == "epoch-ml-hardware" and f["metric"] == "compute"}
    assert {
        "Huawei Ascend 910C / FP16 (half precision) performance (FLOP/s)",
        "Huawei Ascend 910C / Tensor-FP16/BF16 performance (FLOP/s)",
    } <= epoch
    # Epoch's FP16 column is this row's matrix figure ([[dataset_row]] engine), so it is a claim, not a
    # smaller vector-unit quantity
    assert all(f.get("engine") == "tensor" for f in full["figures"] if f["source"] == "epoch-ml-hardware" and f["metric"] == "compute")


async def test_a100_shows_no_disagreement_with_epochs_vector_fp16(server) -> None:
    answer, _ = await call(server, "lookup_chip", {"name": "A100"})
    assert not [c for c in answer["conflicts"] if c["metric"] == "compute" and c["qualifier"].startswith("fp16")]


async def test_a_csv_only_chip_is_answered_by_every_tool_that_takes_a_chip(server) -> None:
    for tool, arguments in (
        ("lookup_chip", {"name": "MI300X"}),
        ("estimate_cluster", {"chip": "MI300X", "count": 8}),
        ("export_control_check", {"chip": "MI300X"}),
    ):
        _, text = await call(server, tool, arguments)
        assert "amd-mi300x" in text and "epoch-ml-hardware" in text, tool
    estimate, _ = await call(server, "estimate_cluster", {"chip": "MI300X", "count": 8})
    assert estimate["compute_pflops"]["value"] == pytest.approx(8 * 1307.4 / 1000)


@pytest.mark.parametrize(
    ("typed", "entity"),
    [
        ("MI300X", "amd-mi300x"),
        ("H200", "nvidia-h200"),
        ("Gaudi 3", "intel-gaudi3"),
        ("TPU v7", "google-tpu-ironwood"),
        ("Ironwood", "google-tpu-ironwood"),
    ],
)
async def test_short_forms_analysts_type_resolve(server, typed: str, entity: str) -> None:
    answer, _ = await call(server, "lookup_chip", {"name": typed, "limit": 1})
    assert answer["id"] == entity


@pytest.mark.parametrize(
    ("name", "counted"),
    [
        ("H100", "64 figures from 3 report(s) and 1 dataset(s), "),  # Epoch's row beside three reports
        ("MI300X", "13 figures from 1 dataset(s). "),  # Epoch's row alone
        ("昇腾910D", "10 figures from 1 report(s). "),  # a report alone, worded as before
    ],
)
async def test_a_lookup_summary_says_how_many_of_its_sources_are_reports_and_how_many_datasets(server, name, counted) -> None:
    answer, text = await call(server, "lookup_chip", {"name": name})
    assert counted in answer["summary"] and answer["summary"] in text
