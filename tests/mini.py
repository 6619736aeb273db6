"""Helpers for the tests on the designed knowledge base (tests/data/mini-knowledge)."""

from __future__ import annotations

import shutil
from pathlib import Path

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
