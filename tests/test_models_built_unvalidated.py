"""Figures and cells are built from values checked before (rows `chipmcp build` validated, numbers the compute
core made) without validating them again: what they hold must be what validation would have made."""

from __future__ import annotations

from typing import Any

import pytest

from chipmcp.kb.store import KnowledgeBase
from chipmcp.reasoning.cells import Cell, Claim, cell_of
from chipmcp.tools._answer_parts import Figure
from chipmcp.tools._common import figure


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
