"""Every metric a chip or system can be compared, filtered or ranked by, as one Cell: a spec chosen by the
selection rule, a ratio of two chosen specs, or the export-control TPP. compare_chips and find_chips both
read their cells here, so a column and a filter of the same name always mean the same number.

    METRICS                      every metric name, in the order answers list them
    better(kb, name)             "higher" / "lower": the way a ranking of the metric puts the best first
    known_metrics(kb)            those names and every metric id of the knowledge base's registry
    metric_key(kb, name)         the name a cell is read by (memory_capacity → memory_gb), None if unknown
    metric_cell(kb, entity, metric, precision) -> Cell   any of them; a registry id by the same selection rule
"""

from __future__ import annotations

from typing import Literal

from chipmcp.kb.store import KnowledgeBase
from chipmcp.reasoning import export_control, selection
from chipmcp.reasoning.cells import Cell

NUMERIC = ["compute_tflops", "memory_gb", "memory_bandwidth_gbs", "interconnect_gbs", "tdp_w", "system_power_w", "price"]
INDICATORS = ["tpp"]  # computed from several figures by a rule of their own (export_control)
TEXT = ["memory_type", "release"]
METRICS = NUMERIC + list(selection.DERIVED) + INDICATORS + TEXT
_RATIO_PARTS = ["compute_tflops", "memory_gb", "memory_bandwidth_gbs", "tdp_w", "system_power_w", "price"]


# A registry metric (knowledge/metrics.toml) that one of the names above already reads, by that name.
SPEC_OF_METRIC = {d.metric: spec for spec, d in selection.SPECS.items()}


def known_metrics(kb: KnowledgeBase) -> list[str]:
    """Every metric name a tool accepts: the names above, then every id of the knowledge base's registry
    (knowledge/metrics.toml) that none of them reads — so a new metric there needs no code."""
    specs = [s for s in selection.SPECS if s not in METRICS]
    return METRICS + specs + [m for m in kb.metrics if m not in METRICS and m not in specs]


def better(kb: KnowledgeBase, name: str) -> Literal["higher", "lower"] | None:
    """The way a ranking of `name` puts the best first: the registry's `better` for a spec or registry
    metric (knowledge/metrics.toml), a ratio's own rule for a derived metric; None where neither way is."""
    if name in selection.DERIVED:
        return "higher" if selection.DERIVED[name].higher_is_better else "lower"
    row = kb.metrics.get(selection.SPECS[name].metric if name in selection.SPECS else name)
    return row["better"] if row and row.get("better") in ("higher", "lower") else None


def metric_key(kb: KnowledgeBase, name: str) -> str | None:
    """The name a cell is read by: a registry id a spec reads becomes the spec (memory_capacity → memory_gb);
    None when neither knows it."""
    name = name.strip()
    if name in METRICS or name in selection.SPECS:
        return name
    if name in SPEC_OF_METRIC:
        return SPEC_OF_METRIC[name]
    return name if name in kb.metrics else None


def metric_cell(kb: KnowledgeBase, entity: str, metric: str, precision: str, p_base: int = 1000) -> Cell:
    """`metric` of `entity`; compute and the ratios built on it at `precision` (TPP takes every precision)."""
    if metric == "tpp":
        return export_control.chip_tpp(kb, entity, p_base)
    if metric in selection.DERIVED:
        return selection.derived_cell(metric, selection.cells(kb, entity, _RATIO_PARTS, precision, p_base))
    return selection.cell(kb, entity, metric, precision if metric == "compute_tflops" else None, p_base)
