"""Choosing the one figure per spec that a calculation uses, and putting it in the core's units."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import compute
from ..kb import KnowledgeBase

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


def _number(row: dict[str, Any], notes: list[str]) -> float | None:
    if row["value"] is not None:
        return float(row["value"])
    if row["low"] is not None:
        kind = "two configurations" if row["alternatives"] else "a range"
        notes.append(f"'{row['printed']}' is {kind}; the lower one is used")
        return float(row["low"])
    return None


def _ordered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Preferred, unsuspect, numeric figures first, peak (tensor) compute before vector; then by figure id."""
    return sorted(rows, key=lambda r: (not r["preferred"], bool(r["suspect"]), r["value"] is None,
                                       r["engine"] == "vector", r["id"]))


def compute_spec(kb: KnowledgeBase, entity: str, precision: str, p_base: int = 1000,
                 allow_sparse: bool = False) -> Spec:
    """Peak compute at `precision`, dense preferred. A figure printed for 'fp16/bf16' serves both;
    a figure of another precision is never used."""
    rows = [r for r in kb.figures(entity, ["compute"])
            if r["precision"] and precision in r["precision"].split("/") and r["period"] is None]
    dense = [r for r in rows if r["sparsity"] == "dense"]
    unstated = [r for r in rows if not r["sparsity"]]
    sparse = [r for r in rows if r["sparsity"] == "sparse"]
    spec = Spec()
    for group, note in ((dense, None), (unstated, "sparsity not stated by the report; read as printed"),
                        (sparse if allow_sparse else [], "only a sparse figure is reported")):
        if group:
            row = _ordered(group)[0]
            value = _number(row, spec.notes)
            if value is None:
                continue
            spec.value = float(compute.convert(value, row["unit"], "TFLOPS", p_base))
            if row["high"] is not None:
                spec.high = float(compute.convert(row["high"], row["unit"], "TFLOPS", p_base))
            spec.figure = row
            if note:
                spec.notes.append(note)
            if "/" in row["precision"]:
                spec.notes.append(f"the report prints one figure for {row['precision'].upper()}; "
                                  f"it is used for {precision.upper()}")
            return spec
    if sparse and not allow_sparse:
        spec.notes.append(f"only sparse {precision.upper()} figures are reported; not mixed with dense")
    return spec


def plain_spec(kb: KnowledgeBase, entity: str, key: str) -> Spec:
    """Memory, bandwidth, interconnect or power, converted to SPEC_UNITS[key]."""
    rows = [r for r in kb.figures(entity, [SPEC_METRICS[key]]) if r["unit"] and r["period"] is None]
    spec = Spec()
    for row in _ordered(rows):
        value = _number(row, spec.notes)
        if value is None:
            continue
        spec.value = float(compute.convert(value, row["unit"], SPEC_UNITS[key]))
        spec.figure = row
        return spec
    return spec


def price_spec(kb: KnowledgeBase, entity: str) -> Spec:
    """The preferred price figure, in its own money unit (prices are not converted across currencies)."""
    spec = Spec()
    for row in _ordered(kb.figures(entity, ["price"])):
        value = _number(row, spec.notes)
        if value is not None:
            spec.value = float(compute.convert_money(value, row["unit"], "美元" if row["currency"] == "USD" else "元"))
            spec.figure = row
            return spec
    return spec


def chip_specs(kb: KnowledgeBase, entity: str, precision: str, p_base: int = 1000,
               allow_sparse: bool = False) -> dict[str, Spec]:
    specs = {"compute_tflops": compute_spec(kb, entity, precision, p_base, allow_sparse)}
    specs.update({key: plain_spec(kb, entity, key) for key in SPEC_METRICS})
    specs["price"] = price_spec(kb, entity)
    return specs
