"""The figures a catalog column reads (every entity's figures of one metric tied to no period, in id order),
stored by the build column by column: each field of a metric's rows as one packed array, so a column is read
as a few arrays instead of one Python object per field of every row (which was most of a column's making at
100× knowledge).

    pack(rows, ranks) -> [(metric, field, labels, data)]    the build's: rows of SPEC_FIELDS, the metric first
    unpack(labels, data, field) -> Packed            the store's: one field of one metric

A number is a float (NULL as NaN), an id an integer, a flag its truth as the selection rule reads it (bool:
NULL and 0 false), and a label field (an entity, a unit, a text …) its distinct values in order of first
appearance with each row's place among them. Beside a metric's entities, RANK gives each one's place among
every entity in id order (the order KnowledgeBase.entities and its name index give), -1 for an id the
entities table does not hold: a reader that holds every entity's position in that order maps a column's
entities to its positions by indexing, without looking each name up. The arrays are in the machine's byte order: the database is a
cache built where it is read (its fingerprint names the knowledge, not the machine, but a cache directory is
not shared between machines of different byte order).
"""

from __future__ import annotations

import json
import math
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chipmcp.kb.spec_index import SPEC_FIELDS

FLOATS = frozenset({"value", "low", "high", "conflict_group"})
FLAGS = frozenset({"suspect", "preferred", "alternatives"})
INTEGERS = frozenset({"id"})
LABELS = frozenset({"entity", "unit", "precision", "sparsity", "engine", "text"})
_TYPECODES = {**dict.fromkeys(FLOATS, "d"), **dict.fromkeys(FLAGS, "b"), **dict.fromkeys(INTEGERS, "q")}
_LABEL_CODE = "i"
RANK = "entity_rank"  # each of the metric's entity labels' place among all entities in id order


@dataclass(frozen=True, slots=True)
class Packed:
    """One field of a metric's spec figures: per row a float, an integer, a flag, or (with `labels`) the place
    of the row's value among `labels`."""

    data: array[Any]
    labels: list[Any] | None = None


def pack(rows: Iterable[Sequence[Any]], ranks: Mapping[str, int]) -> list[tuple[str, str, str | None, bytes]]:
    """(metric, field, labels as JSON or None, packed data) for every metric and field of `rows` and RANK: each
    row is the metric followed by SPEC_FIELDS' values, in id order;
    `ranks` gives each entity's place among all entities in id order."""
    by_metric: dict[str, list[Sequence[Any]]] = {}
    for row in rows:
        by_metric.setdefault(row[0], []).append(row[1:])
    out: list[tuple[str, str, str | None, bytes]] = []
    for metric, found in by_metric.items():
        for field, column in zip(SPEC_FIELDS, zip(*found, strict=True), strict=True):
            if field in LABELS:
                labels = list(dict.fromkeys(column))
                place = {v: at for at, v in enumerate(labels)}
                codes = array(_LABEL_CODE, map(place.__getitem__, column))
                out.append((metric, field, json.dumps(labels, ensure_ascii=False), codes.tobytes()))
                if field == "entity":
                    out.append((metric, RANK, None, array(_LABEL_CODE, [ranks.get(e, -1) for e in place]).tobytes()))
            elif field in FLOATS:
                out.append((metric, field, None, array("d", [math.nan if v is None else float(v) for v in column]).tobytes()))
            elif field in FLAGS:
                out.append((metric, field, None, array("b", [bool(v) for v in column]).tobytes()))
            else:
                out.append((metric, field, None, array(_TYPECODES[field], column).tobytes()))
    return out


def unpack(field: str, labels: str | None, data: bytes) -> Packed:
    """One field as `pack` stored it."""
    packed = array(_typecode(field))
    packed.frombytes(data)
    return Packed(packed, None if labels is None else json.loads(labels))


def empty(field: str) -> Packed:
    """A field of a metric with no spec figures."""
    return Packed(array(_typecode(field)), [] if field in LABELS else None)


def _typecode(field: str) -> str:
    return _LABEL_CODE if field in LABELS or field == RANK else _TYPECODES[field]
