"""compare_chips builds its answer, rows and columns from checked values without validating them again: what
it builds must be what validation makes of the same fields, over comparisons of chips, systems and CPUs at
both details."""

from __future__ import annotations

from chipmcp.tools import BY_NAME
from chipmcp.tools.compare import Comparison, ComparisonColumn, ComparisonRow


def test_every_comparison_built_unvalidated_is_what_validation_makes_of_its_fields(kb) -> None:
    compare = BY_NAME["compare_chips"]
    entities = kb.ids("chip") + kb.ids("system")
    groups = [entities[i : i + 5] for i in range(0, len(entities) - 1, 5)]
    for names in groups:
        for detail in ("summary", "full"):
            answer = compare.call(kb, names=names, detail=detail)
            for model, built in [
                (Comparison, answer),
                *((ComparisonRow, r) for r in answer.rows),
                *((ComparisonColumn, c) for c in answer.columns),
            ]:
                validated = model.model_validate(dict(built.__dict__))
                assert repr(validated.__dict__) == repr(built.__dict__), (names, detail, model.__name__)
                assert validated.model_dump_json() == built.model_dump_json(), (names, detail, model.__name__)
