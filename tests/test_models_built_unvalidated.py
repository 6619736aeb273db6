"""Figures and cells are built from values checked before (rows `chipmcp build` validated, numbers the compute
core made) without validating them again: what they hold must be what validation would have made."""

from __future__ import annotations

from typing import Any

import pytest

from chipmcp.core import compute
from chipmcp.kb.store import KnowledgeBase
from chipmcp.reasoning import export_control, selection
from chipmcp.reasoning.cells import Cell, Claim, _point_or_range, cell_of, redumped
from chipmcp.tools._answer_parts import Derived, Figure
from chipmcp.tools._common import figure
from chipmcp.tools.compare import ComparisonCell
from chipmcp.tools.lookup import derived_metrics


def test_every_figure_built_without_validation_equals_the_validated_model(kb: KnowledgeBase) -> None:
    for row in kb.all_figures():
        built = figure(row, kb)
        validated = Figure.model_validate(built.model_dump())
        assert built.model_fields_set == set(Figure.model_fields), row["id"]
        assert built == validated, row["id"]
        assert built.model_dump_json() == validated.model_dump_json(), row["id"]


def test_each_call_builds_a_figure_of_its_own(kb: KnowledgeBase) -> None:
    row = kb.all_figures()[0]
    first, second = figure(row, kb), figure(row, kb)
    assert first == second
    assert first is not second and first.also is not second.also and first.conflicts_with is not second.conflicts_with


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"unit": "W"},
        {"text": "HBM2e", "figure_ids": [3], "suspect": True},
        {"unit": "TFLOPS", "label": "FP16 dense", "bound": "approx", "figure_ids": [1, 2], "suspect": False, "tier": "dense"},
        {"unit": "TPP", "claims": [Claim(value=1.0, figure_ids=[1])], "span": [1.0, 2.0], "note": "n"},
    ],
)
def test_a_cell_built_without_validation_equals_the_validated_cell(fields: dict[str, Any]) -> None:
    built, validated = cell_of(**fields), Cell(**fields)
    assert built == validated
    assert built.model_fields_set == validated.model_fields_set
    assert list(built.__dict__) == list(validated.__dict__)  # a dump writes the fields in this order
    assert built.model_dump_json() == validated.model_dump_json()
    assert built.tier == validated.tier


def test_cells_built_without_validation_share_no_lists() -> None:
    first, second = cell_of(), cell_of()
    assert first.figure_ids is not second.figure_ids and first.claims is not second.claims


CARRIED = [
    {},
    {"value": 3, "unit": "W", "label": "", "bound": "", "text": ""},
    {"value": 0.0, "unit": "TFLOPS", "label": "FP16 dense", "bound": "approx", "figure_ids": [1, 2], "suspect": True, "tier": "dense"},
    {"low": 1, "high": 2.5, "unit": "TPP", "claims": [Claim(value=1, figure_ids=[1]), Claim(low=2.0, high=3)], "span": [1, 2.0]},
    {"text": "HBM2e", "figure_ids": [3], "note": "n", "span": [], "claims": []},
]


def _same(built: Any, validated: Any) -> None:
    assert repr(built.__dict__) == repr(validated.__dict__)  # values, their types (3.0, not 3) and the dump's order
    assert built.model_fields_set == validated.model_fields_set
    assert built.model_dump_json() == validated.model_dump_json()


@pytest.mark.parametrize("fields", CARRIED)
def test_a_cell_carried_into_another_model_equals_its_dump_validated(fields: dict[str, Any]) -> None:
    cell = cell_of(**fields)  # unvalidated: a whole number may be an int
    every = tuple(name for name in Cell.model_fields if name != "tier")
    _same(redumped(Derived, cell, every, name="tflops_per_w"), Derived(name="tflops_per_w", **cell.model_dump(exclude={"tier"})))
    shown = ("value", "low", "high", "bound", "text", "unit", "label", "suspect", "span")
    _same(
        redumped(ComparisonCell, cell, shown, claims=list(cell.claims), note=cell.note, tier=cell.tier),
        ComparisonCell(**cell.model_dump(include=set(shown)), claims=cell.claims, note=cell.note, tier=cell.tier),
    )
    held = ComparisonCell.model_construct(**{k: v for k, v in cell.__dict__.items() if k != "figure_ids"})
    again = redumped(Cell, held, tuple(n for n in ComparisonCell.model_fields if n != "tier"), figure_ids=[7], tier="dense")
    _same(again, Cell(**held.model_dump(exclude={"tier"}), figure_ids=[7], tier="dense"))
    carried = redumped(Derived, cell, every, name="x")
    assert carried.figure_ids is not cell.figure_ids or not cell.figure_ids
    assert all(a is not b for a, b in zip(carried.claims, cell.claims, strict=True))


def test_every_entitys_derived_metrics_equal_those_made_by_validation(kb: KnowledgeBase) -> None:
    specs = ["compute_tflops", "memory_gb", "memory_bandwidth_gbs", "tdp_w", "system_power_w", "price"]
    for entity in kb.ids("chip") + kb.ids("system"):
        chosen = selection.cells(kb, entity, specs, "fp16")
        cells = [(name, selection.derived_cell(name, chosen)) for name in selection.DERIVED]
        cells.append(("tpp", export_control.chip_tpp(kb, entity)))
        cells = [(name, selection.labelled_if_planned(kb, c)) for name, c in cells]  # lookup says a planned one is
        expected = [Derived(name=name, **c.model_dump(exclude={"tier"})) for name, c in cells if c.ends() is not None]
        built = derived_metrics.uncached(kb, entity)
        assert len(built) == len(expected), entity
        for a, b in zip(built, expected, strict=True):
            _same(a, b)


@pytest.mark.parametrize("fields", CARRIED)
def test_a_model_updated_equals_its_model_copy(fields: dict[str, Any]) -> None:
    cell = cell_of(**fields)
    update = {"unit": "GB", "label": "x", "claims": [], "span": None}
    _same(cell.updated(**update), cell.model_copy(update=update))
    assert cell.updated(unit=None).figure_ids == cell.figure_ids


@pytest.mark.parametrize(("low", "high"), [(376.0, 376.0), (752.0, 800.0), (1.23456789, 1.23456781)])
def test_ends_written_at_once_equal_ends_assigned_field_by_field(low: float, high: float) -> None:
    written, assigned = Cell(unit="TFLOPS", label="FP16 dense"), Cell(unit="TFLOPS", label="FP16 dense")
    _point_or_range(written, low, high, digits=4)  # how scale_cell and divide_cells set a result's ends
    tidy_low, tidy_high = compute.tidy(low, 4), compute.tidy(high, 4)
    if tidy_low == tidy_high:
        assigned.value, assigned.low, assigned.high = tidy_low, None, None
    else:
        assigned.value, assigned.low, assigned.high = None, tidy_low, tidy_high
    assert written == assigned
    assert written.model_fields_set == assigned.model_fields_set
    assert written.model_dump_json() == assigned.model_dump_json()
