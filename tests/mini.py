"""Helpers for the tests on the designed knowledge base (tests/data/mini-knowledge)."""

from __future__ import annotations

import shutil
from collections.abc import Collection
from pathlib import Path

from chipmcp.kb.spec_columns import Packed, pack, unpack
from chipmcp.kb.spec_index import SPEC_FIELDS
from chipmcp.kb.store import KnowledgeBase
from conftest import MINI_KNOWLEDGE


def figure_id(kb: KnowledgeBase, entity: str, printed: str) -> int:
    """The id of `entity`'s figure printed as `printed` (ids follow file order; tests name figures by token)."""
    found = [row["id"] for row in kb.figures(entity) if row["printed"] == printed]
    assert len(found) == 1, (entity, printed, found)
    return found[0]


def extended(folder: Path, entities: str, figures: str = "", metrics: str = "") -> KnowledgeBase:
    """The designed knowledge base with more catalog entries (`entities`, TOML), figures (`figures`, TOML) and
    registry metrics (`metrics`, TOML), built in `folder`: a case of its own without changing what mini_kb's tests see."""
    from chipmcp.kb import build

    knowledge = folder / "knowledge"
    shutil.copytree(MINI_KNOWLEDGE, knowledge)
    with (knowledge / "catalog" / "entities.toml").open("a", encoding="utf-8") as out:
        out.write(entities)
    if metrics:
        with (knowledge / "metrics.toml").open("a", encoding="utf-8") as out:
            out.write(metrics)
    if figures:
        (knowledge / "figures" / "mini-extended.toml").write_text(figures, encoding="utf-8")
    build.build(knowledge, folder / "extended.db")
    return KnowledgeBase(folder / "extended.db")


class WithSpecRows(KnowledgeBase):
    """A knowledge base with rows the build would refuse (`spec_row`) added to its stored spec columns (what
    find_chips' columns read; the rule's own reads do not see them): the bulk form must not claim to be sure
    of an entity whose figures the rule would refuse."""

    def __init__(self, path: Path, rows: list[dict[str, object]]):
        super().__init__(path)
        self.rows = rows

    def spec_figures(self, metric: str, fields: Collection[str] = SPEC_FIELDS) -> dict[str, Packed]:
        stored = super().spec_figures(metric)
        rows = [(metric, *(_value(stored[f], row) for f in SPEC_FIELDS)) for row in range(len(stored["id"].data))]
        rows += [(metric, *map(r.get, SPEC_FIELDS)) for r in self.rows if r["metric"] == metric]
        ranks = {entity: rank for rank, entity in enumerate(self.entities)}
        return {f: unpack(f, labels, data) for _, f, labels, data in pack(rows, ranks) if f in fields}


def _value(field: Packed, row: int) -> object:
    return field.data[row] if field.labels is None else field.labels[field.data[row]]


def spec_row(entity: str, metric: str, figure: int, value: float, unit: str) -> dict[str, object]:
    """A figure row of `entity` for WithSpecRows."""
    return {
        "entity": entity,
        "metric": metric,
        "id": figure,
        "value": value,
        "unit": unit,
        "suspect": 0,
        "preferred": 1,
        "alternatives": 0,
    }
