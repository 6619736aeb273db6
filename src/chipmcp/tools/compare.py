"""compare_chips: a table of chips side by side, normalized, with ratios, derived metrics and warnings."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .. import compute
from ..errors import InputError
from ..kb import KnowledgeBase
from ..models import Comparison, ComparisonCell, ComparisonColumn, ComparisonRow
from .lookup import resolve_chip
from .registry import Arguments, Name, Precision, Tool
from .specs import SPEC_UNITS, Spec, chip_specs

BASE_METRICS = ["compute_tflops", "memory_gb", "memory_bandwidth_gbs", "interconnect_gbs", "tdp_w", "price"]
METRICS = BASE_METRICS + list(compute.DERIVED)
DEFAULT_METRICS = [m for m in METRICS if m not in ("price", "price_per_tflops")]


def compare_chips(kb: KnowledgeBase, names: list[str], metrics: list[str] | None = None,
                  baseline: str | None = None, precision: str = "fp16") -> Comparison:
    wanted = metrics or DEFAULT_METRICS
    unknown = [m for m in wanted if m not in METRICS]
    if unknown:
        raise InputError(f"Unknown metric(s) {', '.join(map(repr, unknown))}. Allowed: {', '.join(METRICS)}.")
    wanted = list(dict.fromkeys(wanted))
    matches = [resolve_chip(kb, name) for name in names]
    ids = [m.id for m in matches]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise InputError(f"These names resolve to the same chip: {', '.join(repeated)}; list each chip once.")
    base_index = 0
    if baseline is not None:
        base_match = resolve_chip(kb, baseline)
        if base_match.id not in ids:
            raise InputError(f"Baseline '{baseline}' ({base_match.id}) is not among the compared chips: "
                             f"{', '.join(ids)}.")
        base_index = ids.index(base_match.id)

    specs = [chip_specs(kb, chip, precision) for chip in ids]
    columns = {key: compute.as_array([s[key].value for s in specs]) for key in BASE_METRICS}
    warnings = _warnings(kb, ids, specs, precision)
    currencies = {s["price"].figure["currency"] for s in specs if s["price"].figure}
    if len(currencies) > 1 and ({"price", "price_per_tflops"} & set(wanted)):
        warnings.append(f"Prices are in different currencies ({', '.join(sorted(currencies))}); "
                        "they are not compared.")
        columns["price"] = compute.as_array([None] * len(ids))
    columns.update(compute.derived_metrics(columns))
    ratios = compute.ratios_to(columns, base_index)

    out_columns, cells = [], [dict() for _ in ids]  # type: ignore[var-annotated]
    for metric in wanted:
        higher = compute.HIGHER_IS_BETTER[metric]
        best = compute.best_index(columns[metric], higher)
        ranks = compute.rank(columns[metric], higher)
        out_columns.append(ComparisonColumn(metric=metric, unit=_unit(metric, currencies), higher_is_better=higher,
                                            best=ids[best] if best is not None else None))
        for row, spec in enumerate(specs):
            value = float(columns[metric][row])
            ratio = float(ratios[metric][row])
            cells[row][metric] = ComparisonCell(
                value=None if value != value else round(value, 4), ratio=None if ratio != ratio else round(ratio, 4),
                rank=int(ranks[row]), figure_ids=_figure_ids(metric, spec), note="; ".join(_notes(metric, spec)))
    rows = [ComparisonRow(id=m.id, name=m.name, match=m, cells=c) for m, c in zip(matches, cells, strict=True)]
    assumptions = [f"Compute is {precision.upper()} peak, dense where reported; 1 PFLOPS = 1000 TFLOPS.",
                   "Each cell uses the preferred figure when reports disagree (see lookup_chip for all).",
                   f"Ratios are to {matches[base_index].name}."]
    used = {fid for row in rows for cell in row.cells.values() for fid in cell.figure_ids}
    sources = {f["source"] for f in kb.figures_by_ids(sorted(used))}
    from .common import source_refs

    answer = Comparison(baseline=ids[base_index], precision=precision, columns=out_columns, rows=rows,
                        warnings=warnings, assumptions=assumptions, sources=source_refs(kb, sources), summary="")
    answer.summary = _summary(answer)
    return answer


def _unit(metric: str, currencies: set[str]) -> str:
    if metric in SPEC_UNITS:
        return SPEC_UNITS[metric]
    if metric == "price":
        return next(iter(currencies)) if len(currencies) == 1 else "mixed currency"
    if metric == "price_per_tflops":
        return f"{next(iter(currencies)) if len(currencies) == 1 else 'currency'} per TFLOPS"
    return compute.DERIVED[metric][2]


def _figure_ids(metric: str, spec: dict[str, Spec]) -> list[int]:
    keys = [compute.DERIVED[metric][0], compute.DERIVED[metric][1]] if metric in compute.DERIVED else [metric]
    return sorted({spec[k].figure["id"] for k in keys if spec[k].figure})


def _notes(metric: str, spec: dict[str, Spec]) -> list[str]:
    keys = [compute.DERIVED[metric][0], compute.DERIVED[metric][1]] if metric in compute.DERIVED else [metric]
    return [note for k in keys for note in spec[k].notes]


def _warnings(kb: KnowledgeBase, ids: list[str], specs: list[dict[str, Spec]], precision: str) -> list[str]:
    warnings = []
    for chip, spec in zip(ids, specs, strict=True):
        compute_spec = spec["compute_tflops"]
        if compute_spec.value is None:
            others = sorted({r["precision"] for r in kb.figures(chip, ["compute"]) if r["precision"]})
            warnings.append(f"{chip}: no {precision.upper()} compute figure"
                            + (f" (reported precisions: {', '.join(others)})" if others else "") + ".")
        missing = [k for k in ("memory_gb", "memory_bandwidth_gbs", "tdp_w") if spec[k].value is None]
        if missing:
            warnings.append(f"{chip}: not reported: {', '.join(missing)}.")
        if compute_spec.figure and compute_spec.figure["conflicts_with"]:
            warnings.append(f"{chip}: reports disagree on {precision.upper()} compute; the preferred figure "
                            f"'{compute_spec.figure['printed']}' is used.")
    sparsities = {s["compute_tflops"].figure["sparsity"] or "unstated" for s in specs if s["compute_tflops"].figure}
    if len(sparsities) > 1:
        warnings.append(f"Compute figures mix sparsity ({', '.join(sorted(sparsities))}): not strictly comparable.")
    return warnings


def _summary(c: Comparison) -> str:
    bests = [f"{col.metric}: {col.best}" for col in c.columns if col.best]
    return (f"Compared {len(c.rows)} chips at {c.precision.upper()}, baseline {c.baseline}. Best — "
            + ("; ".join(bests) or "no comparable figures") + f". {len(c.warnings)} warning(s).")


def render(c: Comparison) -> str:
    lines = [c.summary]
    header = ["chip", *[f"{col.metric} ({col.unit})" for col in c.columns]]
    lines.append(" | ".join(header))
    for row in c.rows:
        cells = []
        for col in c.columns:
            cell = row.cells[col.metric]
            if cell.value is None:
                cells.append("—")
            else:
                cells.append(f"{cell.value:g}" + (f" ({cell.ratio:g}×)" if cell.ratio is not None else ""))
        lines.append(" | ".join([f"{row.name}", *cells]))
    if c.warnings:
        lines.append("Warnings:")
        lines += [f"- {w}" for w in c.warnings]
    lines.append("Assumptions: " + " ".join(c.assumptions))
    lines.append("Sources: " + ", ".join(s.id for s in c.sources))
    return "\n".join(lines)


CompareMetric = Literal["compute_tflops", "memory_gb", "memory_bandwidth_gbs", "interconnect_gbs", "tdp_w", "price",
                        "tflops_per_w", "bandwidth_per_tflops", "gb_per_tflops", "price_per_tflops"]


class CompareChipsArguments(Arguments):
    names: Annotated[list[Name], Field(min_length=2, max_length=20)] = Field(
        description="2 to 20 chips, any spelling: ['910B', 'H20', 'MLU370-X8']")
    metrics: Annotated[list[CompareMetric] | None, Field(max_length=10)] = Field(None, description=(
        "Columns to show; default: compute, memory, bandwidth, interconnect, power and derived ratios"))
    baseline: Name | None = Field(None, description="Chip the ratios are relative to; default the first")
    precision: Precision = Field("fp16", description="Precision of the compute column")


TOOL = Tool(name="compare_chips", title="Compare chips",
            description="Chips side by side: normalized specs, ratios to a baseline, TFLOPS/W and friends, best per metric.",
            example={"names": ["昇腾910B", "H100", "MTT S4000"]}, arguments=CompareChipsArguments, answer=Comparison,
            run=compare_chips, render=render)
