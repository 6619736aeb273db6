"""compare_chips: chips and systems side by side — every figure chosen by the one selection rule, with
ratios to a baseline, derived metrics, and a best per column only among figures that are comparable."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from pydantic import Field

from .. import compute, export_control, selection
from ..errors import InputError
from ..kb import KnowledgeBase
from ..metric_cells import HIGHER_IS_BETTER, METRICS, NUMERIC, TEXT, MetricName
from ..models import Cell, Comparison, ComparisonCell, ComparisonColumn, ComparisonRow, VendorRef
from .common import format_cell, source_refs
from .lookup import resolve_chip
from .registry import Arguments, Name, Precision, Tool

# Parts of a system summed into what its composition implies.
PART_METRICS = ["compute_tflops", "memory_gb", "memory_bandwidth_gbs", "tdp_w"]
RANKING_RULE = ("Best: no other chip's whole range is better, so overlapping ranges tie; ranked together are "
                "dense with sparsity-not-printed figures, sparse only with sparse, one currency, chips apart "
                "from systems; precision-not-printed and suspect figures are never ranked (left_out says why).")


def compare_chips(kb: KnowledgeBase, names: list[str], metrics: list[str] | None = None,
                  baseline: str | None = None, precision: str | None = None) -> Comparison:
    unknown = [m for m in metrics or [] if m not in METRICS]
    if unknown:
        raise InputError(f"Unknown metric(s) {', '.join(map(repr, unknown))}. Allowed: {', '.join(METRICS)}.")
    if precision is not None:
        selection.check_precision(precision)
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
    entities = [kb.entity(i) or {} for i in ids]
    systems = {i for i, e in zip(ids, entities, strict=True) if e.get("entity_kind") == "system"}
    precisions = [precision] if precision else (selection.reported_precisions(kb, ids) or ["fp16"])
    derived_precision = _derived_precision(kb, ids, precision, precisions)

    # Every cell of every entity, keyed by column.
    table: list[dict[str, Cell]] = []
    parts: list[dict[str, Cell]] = []
    for entity in ids:
        own = {f"compute_{p}": selection.cell(kb, entity, "compute_tflops", p) for p in precisions}
        if len(precisions) > 1:
            # A figure with no printed precision would fill every column the chip lacks; it is shown once,
            # in the derived-precision column, where the rule uses it.
            own = {k: c for k, c in own.items() if c.tier != "unlabeled" or k == f"compute_{derived_precision}"}
        own |= {m: selection.cell(kb, entity, m) for m in NUMERIC[1:] + TEXT}
        at = own | {"compute_tflops": own.get(f"compute_{derived_precision}")
                    or selection.cell(kb, entity, "compute_tflops", derived_precision)}
        own |= {name: selection.derived_cell(name, at) for name in selection.DERIVED}
        own["tpp"] = export_control.chip_tpp(kb, entity)
        table.append(own)
        parts.append(_from_parts(kb, entity, precisions) if entity in systems else {})

    wanted = _columns_wanted(metrics, table, precisions, systems, len(ids))
    columns = [_column(key, ids, table, systems) for key in wanted]
    row_cells = _row_cells(columns, table, base_index)
    rows = [ComparisonRow(id=m.id, name=m.name, vendor=_vendor(kb, e), kind=e.get("kind", ""),
                          system=e.get("entity_kind") == "system",
                          matched="" if m.method in ("exact", "id") else f"{m.method} '{m.alias}'",
                          cells=cells, from_parts=part)
            for m, e, cells, part in zip(matches, entities, row_cells, parts, strict=True)]
    warnings = _warnings(matches, table, columns)
    assumptions = [
        "Compute per precision by one rule: dense, else sparsity not printed, else sparse (as printed), else a "
        f"figure with no printed precision (shown once, in the {derived_precision.upper()} column).",
        "Ranges keep both ends. 1 PFLOPS = 1000 TFLOPS; integer compute in TOPS.",
        f"Derived metrics use {derived_precision.upper()} compute; power is TDP for chips, system power for systems.",
        RANKING_RULE, f"Ratios are to {matches[base_index].name}, between comparable figures only."]
    used = sorted({i for row in rows for c in [*row.cells.values(), *row.from_parts.values()] for i in c.figure_ids})
    answer = Comparison(baseline=ids[base_index], precision=precision, precisions=precisions,
                        derived_precision=derived_precision, columns=columns, rows=rows, warnings=warnings,
                        assumptions=assumptions,
                        sources=source_refs(kb, {f["source"] for f in kb.figures_by_ids(used)}), summary="")
    answer.summary = _summary(answer)
    return answer


def _derived_precision(kb: KnowledgeBase, ids: list[str], asked: str | None, precisions: list[str]) -> str:
    """The asked precision; else FP16 when any chip reports it; else the precision most chips report."""
    if asked:
        return asked
    if "fp16" in precisions:
        return "fp16"
    counts = Counter(p for i in ids for p in {o.precision for o in selection.compute_offers(kb, i) if o.precision})
    return max(precisions, key=lambda p: (counts[p], -precisions.index(p)))


def _from_parts(kb: KnowledgeBase, system: str, precisions: list[str]) -> dict[str, Cell]:
    out = {}
    for metric in PART_METRICS:
        for p in (precisions if metric == "compute_tflops" else [None]):
            c = selection.composition_cell(kb, system, metric, p)
            if c is not None:
                out[f"compute_{p}" if p else metric] = c
    return out


def _columns_wanted(metrics: list[str] | None, table: list[dict[str, Cell]], precisions: list[str],
                    systems: set[str], n: int) -> list[str]:
    """Column keys: those asked for, or by default every column some compared entity fills (TDP and TFLOPS/W
    for chips, system power and W/TFLOPS for systems)."""
    def keys(metric: str) -> list[str]:
        return [f"compute_{p}" for p in precisions] if metric == "compute_tflops" else [metric]

    if metrics:
        return [k for m in dict.fromkeys(metrics) for k in keys(m)]
    skip = {"bandwidth_per_tflops", "gb_per_tflops", "tpp"}  # on request: twenty chips' default answer stays compact
    if not systems:
        skip |= {"system_power_w", "w_per_tflops"}
    if len(systems) == n:
        skip |= {"tdp_w", "tflops_per_w"}
    return [k for m in METRICS if m not in skip for k in keys(m)
            if any(_filled(cells.get(k)) for cells in table)]


def _filled(c: Cell | None) -> bool:
    return c is not None and (c.ends() is not None or c.text is not None)


def _metric_of(key: str) -> str:
    return "compute_tflops" if key.startswith("compute_") else key


def _column(key: str, ids: list[str], table: list[dict[str, Cell]], systems: set[str]) -> ComparisonColumn:
    metric = _metric_of(key)
    cells = [t.get(key) or Cell() for t in table]
    units = {c.unit for c in cells if _filled(c) and c.unit}
    col = ComparisonColumn(key=key, precision=key.split("_", 1)[1] if metric == "compute_tflops" else None,
                           unit=units.pop() if len(units) == 1 else ("mixed" if units else ""),
                           higher_is_better=HIGHER_IS_BETTER.get(metric))
    if metric in TEXT:
        return col
    reasons = _left_out(ids, cells, systems)
    ranked = [j for j, c in enumerate(cells) if _filled(c) and ids[j] not in reasons]
    col.left_out = reasons
    if ranked:
        ends = [cells[j].ends() for j in ranked]
        ranks = compute.dominance_rank([e[0] for e in ends], [e[1] for e in ends], bool(col.higher_is_better))  # type: ignore[index]
        col.best = [ids[j] for j, r in zip(ranked, ranks, strict=True) if r == 1]
    return col


def _left_out(ids: list[str], cells: list[Cell], systems: set[str]) -> dict[str, str]:
    """Why each filled cell is not ranked: figures of different kinds are not compared."""
    reasons: dict[str, str] = {}
    filled = [(i, c) for i, c in zip(ids, cells, strict=True) if _filled(c)]
    chips_present = any(i not in systems for i, _ in filled)
    for i, c in filled:
        if c.suspect:
            reasons[i] = "suspect"
        elif c.tier == "unlabeled":
            reasons[i] = "precision not printed"
        elif c.tier == "mixed":
            reasons[i] = "parts at different precisions"
        elif i in systems and chips_present:
            reasons[i] = "system total"
    rest = [(i, c) for i, c in filled if i not in reasons]
    if any(c.tier in ("dense", "unstated") for _, c in rest):
        for i, c in rest:
            if c.tier == "sparse":
                reasons[i] = "sparse"
    currencies = Counter(c.unit for i, c in rest if i not in reasons)
    if len(currencies) > 1:
        main = currencies.most_common(1)[0][0]
        for i, c in rest:
            if i not in reasons and c.unit != main:
                reasons[i] = f"other currency ({c.unit})"
    return reasons


def _row_cells(columns: list[ComparisonColumn], table: list[dict[str, Cell]], base: int) -> list[dict[str, ComparisonCell]]:
    """Each entity's filled cells with its ratio to the baseline (both ends for ranges)."""
    out: list[dict[str, ComparisonCell]] = [{} for _ in table]
    for col in columns:
        base_cell = table[base].get(col.key)
        for j, cells in enumerate(table):
            c = cells.get(col.key)
            if not _filled(c):
                continue
            # A comparison cites the chosen figure and the span of disagreeing claims; every citation and
            # each claim are in lookup_chip (twenty chips' worth would crowd the answer).
            cell = ComparisonCell(**c.model_dump(exclude={"tier", "claims", "figure_ids"}),  # type: ignore[union-attr]
                                  figure_ids=[] if _metric_of(col.key) in selection.DERIVED else c.figure_ids[:1])  # type: ignore[union-attr]
            cell.tier = c.tier  # type: ignore[union-attr]
            if cell.unit == col.unit:
                cell.unit = None
            if _metric_of(col.key) in selection.DERIVED:
                cell.label = ""  # the cells it divides, in the same row, carry the label and the figure ids
            if _metric_of(col.key) not in TEXT and j != base and base_cell is not None and base_cell.ends() \
                    and base_cell.unit == c.unit and _comparable(c, base_cell):  # type: ignore[arg-type,union-attr]
                ratio = compute.divide_cells(c, base_cell, "x")  # type: ignore[arg-type]
                ends = ratio.ends()
                if ends is not None:
                    low, high = compute.tidy(ends[0], 3), compute.tidy(ends[1], 3)
                    cell.ratio = low if low == high else [low, high]  # type: ignore[list-item]
            out[j][col.key] = cell
    return out


def _comparable(a: Cell, b: Cell) -> bool:
    """Whether a ratio of the two means something: same kind of figure, neither suspect nor unlabeled."""
    def kind(c: Cell) -> str | None:
        if c.suspect or c.tier in ("unlabeled", "mixed"):
            return None
        return "sparse" if c.tier == "sparse" else "dense"

    return kind(a) is not None and kind(a) == kind(b)


def _vendor(kb: KnowledgeBase, entity: dict[str, Any]) -> VendorRef:
    vendor = kb.entity(entity.get("vendor") or "") or {"id": entity.get("vendor") or "", "name_zh": "", "name_en": ""}
    return VendorRef(id=vendor["id"], name_zh=vendor["name_zh"], name_en=vendor["name_en"])


def _warnings(matches: list[Any], table: list[dict[str, Cell]], columns: list[ComparisonColumn]) -> list[str]:
    warnings = [f"'{m.query}': {m.note}" for m in matches if m.note]
    keys = [c.key for c in columns]
    contested = [f"{m.id} ({', '.join(k for k in keys if k in cells and cells[k].span)})"
                 for m, cells in zip(matches, table, strict=True) if any(k in cells and cells[k].span for k in keys)]
    if contested:
        warnings.append("Reports disagree on " + "; ".join(contested) + ": each cell shows the preferred claim "
                        "and the span of the claims; lookup_chip lists each with its source.")
    for m, cells in zip(matches, table, strict=True):
        suspect = [k for k in keys if k in cells and cells[k].suspect and _filled(cells[k])]
        if suspect:
            warnings.append(f"{m.id}: {', '.join(suspect)} rest on a suspect figure: flagged, not ranked.")
        if not any(_filled(cells.get(k)) for k in keys if k.startswith("compute_")):
            warnings.append(f"{m.id}: no compute figure reported.")
    return warnings


def _span(c: Cell) -> str:
    return f"({compute.tidy(c.span[0]):g}–{compute.tidy(c.span[1]):g})" if c.span else ""


def _summary(c: Comparison) -> str:
    headline = {f"compute_{c.derived_precision}", "tflops_per_w", "w_per_tflops", "price_per_tflops"}
    bests = [f"{col.key}: {', '.join(col.best)}" for col in c.columns if col.best and col.key in headline]
    left = sorted({i for col in c.columns for i in col.left_out})
    text = (f"Compared {len(c.rows)} at {', '.join(p.upper() for p in c.precisions)}, baseline {c.baseline}. Best "
            "(every column's in columns[].best) — " + ("; ".join(bests) or "no comparable figures"))
    if left:
        text += f". Left out of some rankings: {', '.join(left)}"
    return text + f". {len(c.warnings)} warning(s)."


def render(c: Comparison) -> str:
    lines = [c.summary]
    lines.append(" | ".join(["chip (vendor, kind)", *[f"{col.key} ({col.unit})" if col.unit else col.key
                                                       for col in c.columns]]))
    for row in c.rows:
        cells = []
        for col in c.columns:
            cell = row.cells.get(col.key)
            if cell is None:
                cells.append("—")
                continue
            ratio = cell.ratio
            shown = format_cell(cell)
            if isinstance(ratio, list):
                shown += f" ({ratio[0]:.3g}–{ratio[1]:.3g}×)"
            elif ratio is not None:
                shown += f" ({ratio:.3g}×)"
            cells.append(shown)
        lines.append(" | ".join([f"{row.name} ({row.vendor.name_zh}/{row.vendor.name_en}, {row.kind})", *cells]))
        if row.from_parts:
            lines.append("  from its parts: " + "; ".join(f"{k} {format_cell(v)} {v.unit} ({v.label})"
                                                         for k, v in row.from_parts.items()))
    labels = sorted({f"{k}: {cell.label}" for row in c.rows for k, cell in row.cells.items() if cell.label
                     and k.startswith("compute_")})
    if labels:
        lines.append("Compute labels: " + "; ".join(labels))
    for col in c.columns:
        if col.left_out:
            lines.append(f"Not ranked in {col.key}: " + ", ".join(f"{i} ({why})" for i, why in col.left_out.items()))
    if c.warnings:
        lines.append("Warnings:")
        lines += [f"- {w}" for w in c.warnings]
    lines.append("Assumptions: " + " ".join(c.assumptions))
    lines.append("Sources: " + ", ".join(s.id for s in c.sources))
    return "\n".join(lines)


CompareMetric = MetricName


class CompareChipsArguments(Arguments):
    names: Annotated[list[Name], Field(min_length=2, max_length=20)] = Field(
        description="2 to 20 chips or systems, any spelling: ['910B', 'H20', 'MLU370-X8']")
    metrics: Annotated[list[CompareMetric] | None, Field(max_length=14)] = Field(None, description=(
        "Columns to show; default: every column a compared chip reports (compute per precision, memory, "
        "bandwidth, power, price, derived ratios, memory type, release)"))
    baseline: Name | None = Field(None, description="Chip the ratios are relative to; default the first")
    precision: Precision | None = Field(None, description=(
        "Compute at this precision only; default: every precision any compared chip reports"))


TOOL = Tool(name="compare_chips", title="Compare chips",
            description="Chips side by side: normalized specs, ratios to a baseline, TFLOPS/W and friends, best per metric.",
            example={"names": ["昇腾910B", "H100", "MTT S4000"]}, arguments=CompareChipsArguments, answer=Comparison,
            run=compare_chips, render=render)
