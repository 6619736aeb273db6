"""Export-control indicators of a chip from its reported figures: TPP per precision, performance density,
and its standing under each control class the knowledge base holds (the rule text and reports' readings).

    tpp_rows(kb, entity) -> [TppRow]          TPP for every precision the entity prints compute at
    chip_tpp(kb, entity) -> Cell              the entity's TPP (the largest not suspect), as a Cell like any spec
    headline(rows) -> Cell                    that TPP from rows already computed
    density(kb, entity, tpp) -> Cell | None   TPP ÷ die area (mm²), or the density a report prints
    standings(kb, tpp, pd) -> [Standing]      each class of each reading, met / not met / undecided

Figures are chosen by the one selection rule (chipmcp.reasoning.selection); a figure with no printed precision has
no bit length and is never used; a sparse-only figure counts half, with a warning. Ranges and contested
figures carry through as low/high; thresholds and their precedence are data (knowledge/export-controls.toml).
No MCP here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chipmcp.core import compute
from chipmcp.core.units import PRECISION_BITS
from chipmcp.kb.memo import handout, per_knowledge_base
from chipmcp.kb.store import KnowledgeBase
from chipmcp.reasoning import selection
from chipmcp.reasoning.cells import Cell, ClauseTest, Standing, Status, cell_of

QUANTITY_LABELS = {"tpp": "TPP", "performance_density": "PD"}


@dataclass(frozen=True)
class TppRow:
    precision: str
    bits: int
    compute: Cell  # the compute figure used, as the selection rule chose it
    tpp: Cell
    sparse_halved: bool


def tpp_rows(kb: KnowledgeBase, entity: str, p_base: int = 1000) -> list[TppRow]:
    rows: list[TppRow] = []
    for precision in selection.reported_precisions(kb, [entity]):
        chosen = selection.cell(kb, entity, "compute_tflops", precision, p_base)
        ends = chosen.ends()
        if ends is None or chosen.tier == "unlabeled":
            continue
        sparse = chosen.tier == "sparse"
        bits = PRECISION_BITS[precision]
        low, high = compute.total_processing_performance(*ends, bits, sparse)
        label = f"{chosen.label} × {bits} bits" + (" ÷ 2 (sparse figure halved)" if sparse else "")
        tpp = _cell(low, high, label, chosen)
        if chosen.span:
            span = compute.total_processing_performance(chosen.span[0], chosen.span[1], bits, sparse)
            tpp.span = [end for end in (compute.tidy(span[0]), compute.tidy(span[1])) if end is not None]
        rows.append(TppRow(precision, bits, chosen, tpp, sparse))
    return rows


@per_knowledge_base(copy=handout)
def chip_tpp(kb: KnowledgeBase, entity: str, p_base: int = 1000) -> Cell:
    """The entity's TPP: the largest over its precisions not built on a suspect figure (an empty Cell when no
    precision-stated compute exists)."""
    return headline(tpp_rows(kb, entity, p_base))


def headline(rows: list[TppRow]) -> Cell:
    """The TPP to state: the largest of the rows not built on a suspect figure; only when every row is suspect,
    the largest of those (flagged suspect). A suspect figure is never preferred to a sound one because it is larger."""
    return largest(trusted(rows) or rows)


def trusted(rows: list[TppRow]) -> list[TppRow]:
    return [r for r in rows if not r.tpp.suspect]


def suspect_only(rows: list[TppRow]) -> list[TppRow]:
    """The rows a headline leaves aside as suspect (none when every row is suspect: then they are the headline)."""
    return [r for r in rows if r.tpp.suspect] if trusted(rows) else []


def largest(rows: list[TppRow]) -> Cell:
    if not rows:
        return Cell(unit="TPP")
    ends = [(r, r_ends) for r in rows if (r_ends := r.tpp.ends()) is not None]  # every row's TPP has ends (tpp_rows)
    low, high = compute.interval_max([e for _, e in ends])
    top = [r for r, (r_low, r_high) in ends if r_high == high or r_low == low]
    figure_ids = sorted({i for r in top for i in r.tpp.figure_ids})
    label = "largest of " + ", ".join(f"{r.precision.upper()}" for r in top)
    out = _cell(low, high, label, Cell(figure_ids=figure_ids, suspect=any(r.tpp.suspect for r in top)))
    spans = [r.tpp.span for r in top if r.tpp.span]
    if spans:
        out.span = [max(s[0] for s in spans), max(s[1] for s in spans)]
    return out


def density(kb: KnowledgeBase, entity: str, tpp: Cell) -> Cell | None:
    """Performance density = TPP ÷ die area where a die area is reported; else the density a report prints
    for the chip (the BIS table's bands); None when neither exists."""
    area = selection.cell(kb, entity, "die_area_mm2")
    tpp_ends, area_ends = tpp.ends(), area.ends()
    if area_ends is None:
        printed = selection.cell(kb, entity, "performance_density")
        if printed.ends() is None:
            return None
        printed.unit, printed.label = "TPP/mm²", "as the report prints it (no die area reported)"
        return printed
    if tpp_ends is None:
        return None
    low, high = compute.interval_divide(tpp_ends, area_ends)
    return _cell(
        low,
        high,
        f"TPP ÷ {area.value or area.low} mm²",
        Cell(figure_ids=tpp.figure_ids + area.figure_ids, suspect=tpp.suspect or area.suspect),
    )


def standings(kb: KnowledgeBase, tpp: Cell, pd: Cell | None) -> list[Standing]:
    """Every class of every reading, tested on the preferred TPP; where reports disagree, also on the span
    of all claims. Within one reading a class met shadows the classes of lower precedence."""
    values = {"tpp": _interval(tpp), "performance_density": _interval(pd)}
    spans = {
        "tpp": (tpp.span[0], tpp.span[1]) if tpp.span else None,
        "performance_density": (pd.span[0], pd.span[1]) if pd and pd.span else None,
    }
    out: list[Standing] = []
    met_before: dict[tuple[str, str, str], str] = {}
    # Over every claim only where reports disagree: elsewhere the values are the same, and so is the status.
    across_values = {k: spans[k] or values[k] for k in values} if any(spans.values()) else None
    for rule in kb.control_classes:
        status, tests = _evaluate(rule["clauses"], values)
        across = _status_over(rule["clauses"], across_values) if across_values is not None else status
        key = (rule["regime"], rule["reading"], rule["source"])
        shadowed = met_before.get(key)
        if status == "met" and shadowed is None:
            met_before[key] = rule["name"]
        out.append(
            Standing.checked_before(  # every field, in declaration order (a dump's), each of its type: not validated again
                regime=rule["regime"],
                class_name=rule["name"],
                reading=rule["reading"],
                source=rule["source"],
                locator=rule["locator"],
                status=status,
                across_claims=across if across != status else None,
                shadowed_by=shadowed,
                clauses=tests,
                note=rule["note"] or "",
            )
        )
    return out


def _interval(value: Cell | None) -> tuple[float, float] | None:
    """The values a cell allows: its ends, widened by its bound ('约' ±5%, '超' open above)."""
    ends = value.ends() if value else None
    return None if value is None or ends is None else compute.bounded_span(*ends, value.bound)


def _checks(clause: list[dict[str, Any]], values: dict[str, tuple[float, float] | None]) -> list[bool | None]:
    """Each condition of a clause tested on the values (None: undecided, the quantity unknown)."""
    return [compute.holds(*(values[c["quantity"]] or (None, None)), c["op"], c["value"]) for c in clause]


def _status_over(clauses: list[list[dict[str, Any]]], values: dict[str, tuple[float, float] | None]) -> Status:
    """The status `_evaluate` gives, without the clause tests it shows."""
    return _status(compute.any_holds([compute.all_hold(_checks(clause, values)) for clause in clauses]))


def _evaluate(clauses: list[list[dict[str, Any]]], values: dict[str, tuple[float, float] | None]) -> tuple[Status, list[ClauseTest]]:
    tests: list[ClauseTest] = []
    results: list[bool | None] = []
    for clause in clauses:
        checks = _checks(clause, values)
        result = compute.all_hold(checks)
        results.append(result)
        text = " and ".join(f"{QUANTITY_LABELS[c['quantity']]} {c['op']} {c['value']:g}" for c in clause)
        needs = (
            {QUANTITY_LABELS[c["quantity"]] for c, r in zip(clause, checks, strict=True) if r is None and values[c["quantity"]] is None}
            if result is None
            else set[str]()
        )
        tests.append(ClauseTest.checked_before(test=text, status=_status(result), needs=sorted(needs)))
    return _status(compute.any_holds(results)), tests


def _status(result: bool | None) -> Status:
    statuses: dict[bool | None, Status] = {True: "met", False: "not met", None: "undecided"}
    return statuses[result]


def _cell(low: float, high: float, label: str, basis: Cell) -> Cell:
    tidy_low, tidy_high = compute.tidy(low), compute.tidy(high)
    out = cell_of(unit="TPP", label=label, figure_ids=list(basis.figure_ids), suspect=basis.suspect, bound=basis.bound)
    if tidy_low == tidy_high:
        out.value = tidy_low
    else:
        out.low, out.high = tidy_low, tidy_high
    return out
