"""The spec figures the build stores column-wise (chipmcp.kb.spec_columns) read back as the figures table holds
them: every field of every row of every metric, NULL as the rule reads it, each entity's rank its place in id
order; and the catalog index's positions by rank are those bulk_cells works out from the entities."""

from __future__ import annotations

import math
import sqlite3
from typing import cast

import numpy as np
import pytest

from chipmcp.kb.spec_columns import FLAGS, FLOATS, RANK
from chipmcp.kb.spec_index import SPEC_FIELDS
from chipmcp.kb.store import KnowledgeBase
from chipmcp.reasoning import bulk_cells, catalog_index


def _table(kb: KnowledgeBase) -> dict[str, list[tuple[object, ...]]]:
    """Every metric's spec figures as the figures table gives them, in id order."""
    with sqlite3.connect(f"{kb.path.resolve().as_uri()}?mode=ro", uri=True) as connection:
        rows = connection.execute(f"SELECT metric, {', '.join(SPEC_FIELDS)} FROM figures WHERE period IS NULL ORDER BY metric, id")
        found: dict[str, list[tuple[object, ...]]] = {}
        for metric, *fields in rows:
            found.setdefault(metric, []).append(tuple(fields))
    return found


def _read(value: object, field: str) -> object:
    """A table value as the packed column gives it: a number as a float (NULL as NaN), a flag as its truth."""
    if field in FLOATS:
        return math.nan if value is None else float(cast(float, value))
    if field in FLAGS:
        return bool(value)
    return value


@pytest.mark.parametrize("which", ["kb", "mini_kb"])
def test_every_stored_spec_column_reads_back_as_the_figures_table_holds_it(which: str, request: pytest.FixtureRequest) -> None:
    kb: KnowledgeBase = request.getfixturevalue(which)
    table = _table(kb)
    rank = {entity: at for at, entity in enumerate(kb.entities)}
    assert table
    for metric, rows in table.items():
        packed = kb.spec_figures(metric, (*SPEC_FIELDS, RANK))
        for at, field in enumerate(SPEC_FIELDS):
            column = packed[field]
            got = [column.data[r] if column.labels is None else column.labels[column.data[r]] for r in range(len(column.data))]
            got = [bool(v) if field in FLAGS else v for v in got]
            expected = [_read(row[at], field) for row in rows]
            assert len(got) == len(expected), (metric, field)
            assert all(g == e or (g != g and e != e) for g, e in zip(got, expected, strict=True)), (metric, field)
        entities = packed["entity"].labels or []
        assert list(packed[RANK].data) == [rank.get(e, -1) for e in entities], metric


def test_a_metric_with_no_spec_figures_reads_as_empty_columns(kb: KnowledgeBase) -> None:
    packed = kb.spec_figures("no-such-metric", ("entity", "value", RANK))
    assert {field: (len(column.data), column.labels) for field, column in packed.items()} == {
        "entity": (0, []),
        "value": (0, None),
        RANK: (0, None),
    }


@pytest.mark.parametrize("which", ["kb", "mini_kb"])
def test_the_catalog_indexs_positions_by_rank_are_the_entities_positions_in_id_order(
    which: str, request: pytest.FixtureRequest
) -> None:
    kb: KnowledgeBase = request.getfixturevalue(which)
    index = catalog_index.CatalogIndex(kb)
    expected = bulk_cells.positions_by_rank(kb, index.position)
    assert np.array_equal(index._by_rank, expected)
    assert sorted(int(p) for p in expected if p >= 0) == list(range(index.size))
