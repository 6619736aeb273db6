"""Figure models are built from rows `chipmcp build` validated, without validating them again: what they
hold must be what validation would have made of the same values, for every figure of the knowledge base."""

from __future__ import annotations

from chipmcp.kb.store import KnowledgeBase
from chipmcp.tools._common import figure
from chipmcp.tools.answers import Figure


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
