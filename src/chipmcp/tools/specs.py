"""Per-card figures for the cluster arithmetic, chosen by the one rule in chipmcp.selection."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import selection
from ..kb import KnowledgeBase
from ..models import Cell

SPEC_UNITS = {"compute_tflops": "TFLOPS", "memory_gb": "GB", "memory_bandwidth_gbs": "GB/s",
              "interconnect_gbs": "GB/s", "tdp_w": "W"}
SPEC_METRICS = {"memory_gb": "memory_capacity", "memory_bandwidth_gbs": "memory_bandwidth",
                "interconnect_gbs": "interconnect_bandwidth", "tdp_w": "tdp"}


@dataclass
class Spec:
    """A spec value in SPEC_UNITS, the figure it came from, and what the reader must know about it."""

    value: float | None = None
    high: float | None = None  # upper end when the figure is a range (value is then the lower end)
    figure: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


def _spec(kb: KnowledgeBase, cell: Cell) -> Spec:
    """A selection Cell in the shape the cluster arithmetic reads: low end, high end, chosen figure, notes."""
    spec = Spec()
    ends = cell.ends()
    if ends is None:
        return spec
    spec.value = ends[0]
    spec.high = ends[1] if ends[1] != ends[0] else None
    rows = kb.figures_by_ids(cell.figure_ids[:1])
    spec.figure = rows[0] if rows else None
    if cell.tier in ("sparse", "unlabeled", "unstated") or cell.suspect:
        spec.notes.append(f"compute is {cell.label}" if cell.tier else "a figure marked suspect is used")
    if cell.span:
        spec.notes.append(f"reports disagree ({cell.span[0]:g}-{cell.span[1]:g} {cell.unit}); the preferred claim is used")
    return spec


def chip_specs(kb: KnowledgeBase, entity: str, precision: str, p_base: int = 1000,
               allow_sparse: bool = True) -> dict[str, Spec]:
    """Per-card figures chosen by the one selection rule (chipmcp.selection), keyed as SPEC_UNITS."""
    del allow_sparse  # the rule itself uses a sparse figure, marked, when no other exists
    specs = {"compute_tflops": _spec(kb, selection.cell(kb, entity, "compute_tflops", precision, p_base))}
    specs.update({key: _spec(kb, selection.cell(kb, entity, key)) for key in SPEC_METRICS})
    specs["price"] = _spec(kb, selection.cell(kb, entity, "price"))
    return specs
