"""export_control_check, industry_figures and every tool's source list build some parts from checked values
without validating them again (TPP entries, headroom, standings and their clause tests, an industry answer's
groups of figures, source references): what they build must be what validation makes of the same fields —
the same values of the same types, in the same order, so the same JSON."""

from __future__ import annotations

from pydantic import BaseModel

from chipmcp.reasoning.cells import ClauseTest, Standing
from chipmcp.tools import BY_NAME
from chipmcp.tools._answer_parts import SourceRef
from chipmcp.tools.export_control import Headroom, TppFigure
from chipmcp.tools.industry import EntityFigures


def _as_validated(model: type[BaseModel], built: BaseModel, where: object) -> None:
    validated = model.model_validate(dict(built.__dict__))
    assert repr(validated.__dict__) == repr(built.__dict__), (where, model.__name__)
    assert validated.model_dump_json() == built.model_dump_json(), (where, model.__name__)


def test_every_export_control_part_built_unvalidated_is_what_validation_makes_of_its_fields(kb) -> None:
    check = BY_NAME["export_control_check"]
    seen: dict[str, int] = {"TppFigure": 0, "Headroom": 0, "Standing": 0, "ClauseTest": 0}
    for entity in kb.ids("chip") + kb.ids("system"):
        answer = check.call(kb, chip=entity)
        parts: list[tuple[type[BaseModel], BaseModel]] = [
            *((TppFigure, t) for t in answer.tpp_by_precision),
            *((Headroom, h) for h in answer.headroom),
            *((Standing, s) for s in answer.standings),
            *((ClauseTest, c) for s in answer.standings for c in s.clauses),
            *((SourceRef, s) for s in answer.sources),
        ]
        for model, built in parts:
            _as_validated(model, built, entity)
            seen[model.__name__] = seen.get(model.__name__, 0) + 1
    assert all(seen.values()), seen  # every kind of part was built and checked


def test_every_industry_group_built_unvalidated_is_what_validation_makes_of_its_fields(kb) -> None:
    industry = BY_NAME["industry_figures"]
    groups = 0
    for topic in kb.ids("market") + kb.ids("workload"):
        for detail in ("summary", "full"):
            try:
                answer = industry.call(kb, topic=topic, detail=detail)
            except Exception:  # a topic with no figures of its own is a refusal, not an answer to check
                continue
            for group in answer.figures:
                _as_validated(EntityFigures, group, (topic, detail))
                groups += 1
            for source in answer.sources:
                _as_validated(SourceRef, source, (topic, detail))
    assert groups > 50
