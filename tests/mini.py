"""Helpers for the tests on the designed knowledge base (tests/data/mini-knowledge)."""

from __future__ import annotations

from chipmcp.kb.store import KnowledgeBase


def figure_id(kb: KnowledgeBase, entity: str, printed: str) -> int:
    """The id of `entity`'s figure printed as `printed` (ids follow file order; tests name figures by token)."""
    found = [row["id"] for row in kb.figures(entity) if row["printed"] == printed]
    assert len(found) == 1, (entity, printed, found)
    return found[0]
