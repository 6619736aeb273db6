"""The one figure-selection rule (chipmcp.reasoning.selection), on the real knowledge base."""

from __future__ import annotations

import pytest

from chipmcp.core.units import PRECISIONS
from chipmcp.errors import InputError
from chipmcp.reasoning import selection


def _figure_id(kb, entity: str, printed: str) -> int:
    # Figure ids follow file order, so adding a row anywhere renumbers them: find the figure by its token.
    [fid] = [f["id"] for f in kb.figures(entity) if f["printed"] == printed]
    return fid


def test_dense_figure_is_chosen_before_one_with_sparsity_not_printed_and_the_disagreement_is_kept(kb) -> None:
    c = selection.cell(kb, "huawei-ascend-910b", "compute_tflops", "fp16")
    assert (c.value, c.label, c.figure_ids[0]) == (376, "FP16 dense", _figure_id(kb, "huawei-ascend-910b", "376T"))
    assert c.span == [320, 376]
    assert [claim.value for claim in c.claims] == [376, 320]


def test_a_sparse_only_figure_is_used_and_labelled_sparse(reports_kb) -> None:
    c = selection.cell(reports_kb, "nvidia-h20", "compute_tflops", "fp16")  # the reports print it sparse only
    assert (c.value, c.label) == (148, "FP16 sparse, as printed")


def test_a_dense_figure_of_another_source_answers_before_a_sparse_one(kb) -> None:
    c = selection.cell(kb, "nvidia-h20", "compute_tflops", "fp16")  # Epoch's Tensor-FP16/BF16 148 dense
    assert (c.value, c.label, c.tier) == (148, "FP16 dense", "dense")


def test_a_vector_unit_figure_answers_only_when_nothing_else_does_and_says_so(kb) -> None:
    a100 = selection.cell(kb, "nvidia-a100", "compute_tflops", "fp16")  # 312 tensor, not Epoch's 77.97 vector
    assert (a100.value, a100.label, a100.claims) == (312, "FP16 dense", [])
    max1550 = selection.cell(kb, "intel-gpu-max-1550", "compute_tflops", "fp16")  # Epoch prints no matrix FP16
    assert (max1550.value, max1550.label) == (52.43, "FP16, sparsity not printed (vector units)")


def test_a_dataset_row_says_its_fp16_column_is_the_matrix_figure(kb) -> None:
    epoch = [
        r for r in kb.figures("huawei-ascend-910c", ["compute"]) if r["source"] == "epoch-ml-hardware" and r["precision"] == "fp16"
    ]
    assert [r["engine"] for r in epoch] == ["tensor"]  # [[dataset_row]] engine = "tensor" over the column's vector
    c = selection.cell(kb, "huawei-ascend-910c", "compute_tflops", "fp16")
    assert c.claims and {(cl.low, cl.high, cl.value) for cl in c.claims} == {(752, 800, None), (None, None, 800)}


def test_a_figure_without_printed_precision_fills_in_only_when_nothing_else_exists(kb) -> None:
    d = selection.cell(kb, "huawei-ascend-910d", "compute_tflops", "int8")
    assert (d.value, d.label, d.unit) == (1200, "precision not printed", "TOPS")
    h100 = selection.cell(kb, "nvidia-h100", "compute_tflops", "fp16")  # 672 TFLOP/s has no precision
    assert h100.label == "FP16 dense" and _figure_id(kb, "nvidia-h100", "672 TFLOP/s") not in h100.figure_ids


def test_a_range_keeps_both_ends(kb) -> None:
    c = selection.cell(kb, "huawei-ascend-910c", "compute_tflops", "fp16")
    assert (c.value, c.low, c.high) == (None, 752, 800)
    assert c.ends() == (752, 800)


def test_a_suspect_figure_is_flagged(reports_kb) -> None:
    price = selection.cell(reports_kb, "nvidia-h100", "price")  # the reports' only H100 price is suspect
    assert price.suspect and price.bound == "approx" and price.unit == "美元"


def test_a_system_composition_sums_its_parts_keeping_ranges(kb) -> None:
    c = selection.composition_cell(kb, "huawei-cloudmatrix-384", "compute_tflops", "fp16")
    assert c is not None and c.ends() == (384 * 752, 384 * 800)


def test_compute_offers_list_every_precision_and_sparsity(kb) -> None:
    offers = {(o.precision, o.sparsity) for o in selection.compute_offers(kb, "nvidia-h100")}
    assert {("fp16", "dense"), ("fp16", "sparse"), ("int8", "sparse"), (None, None)} <= offers
    assert selection.reported_precisions(kb, ["aws-trainium2"]) == ["fp32", "tf32", "fp16", "bf16", "fp8", "int8"]


def test_an_unknown_precision_lists_the_allowed_ones() -> None:
    with pytest.raises(InputError) as error:
        selection.check_precision("fp13")
    assert all(p in str(error.value) for p in PRECISIONS) and "int16" in PRECISIONS
