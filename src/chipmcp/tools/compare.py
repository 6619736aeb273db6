"""compare_chips: chips and systems side by side — every figure chosen by the one selection rule, with
ratios to a baseline, derived metrics, and a best per column only among figures that are comparable.

What each detail holds (both channels alike):
  summary  the compact table: per cell its value (both ends of a range, its bound), unit where it is not the
           column's, label where it is not the column's, the chosen figure's id (a derived cell's: those of
           the two figures it divides), suspect flag, the span of
           disagreeing claims and the ratio to the baseline; the default columns (every column a compared
           chip fills, less bandwidth_per_tflops, gb_per_tflops and tpp); each system's reported figures
           beside its parts' totals; best and left-out per column; warnings; sources.
  full     adds every figure agreeing with the chosen one, each claim of a contested cell with its figures,
           cell notes, and every column some compared chip fills.
Rows are the names asked for (at most 20) and columns the metrics a chip reports, so nothing is paged.
Said once, not per cell: a row holds its cells, their figure ids and their ratios as lists by column position
(a plain number or text bare, an object only when a cell says more), and names its vendor by the id of the
answer's `vendors`; a column says its unit, label and direction (`better`, from the metric registry).
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeGuard

from pydantic import Field

from chipmcp.core import compute
from chipmcp.core.units import PRECISION_BITS, PRECISIONS, UNITS
from chipmcp.errors import InputError
from chipmcp.kb.memo import handout
from chipmcp.kb.store import KnowledgeBase
from chipmcp.reasoning import export_control, ranking, selection
from chipmcp.reasoning.cells import (
    RATIO_DIGITS,
    Cell,
    Claim,
    CompactModel,
    Model,
    divide_cells,
    divided_ends,
    is_empty,
    redumped,
    scale_cell,
)
from chipmcp.reasoning.metric_cells import (
    METRICS,
    NUMERIC,
    SPEC_OF_METRIC,
    TEXT,
    better,
    known_metrics,
    metric_key,
)
from chipmcp.tools._answer_parts import (
    Detail,
    NameMatch,
    SourceRef,
)
from chipmcp.tools._common import (
    format_cell,
    ids,
    not_a_chip_metric,
    number,
    source_lines,
    source_refs,
    tidied,
    unknown_metric,
)
from chipmcp.tools.lookup import resolve_chip
from chipmcp.tools.registry import Arguments, Name, Precision, Tool


class VendorName(Model):
    name_zh: str
    name_en: str


class ComparisonCell(CompactModel):
    """A compared value a bare number or text cannot say alone: a range, a bound, a unit or label other than
    the column's, a suspect flag, the span and claims of a contested figure, notes. Its figures are in the
    row's figure_ids and its ratio in the row's ratios, at the same position."""

    value: float | None = None
    low: float | None = None
    high: float | None = None
    bound: str | None = Field(default=None, description="approx (约), over (超), at_least, at_most, under")
    text: str | None = None
    unit: str | None = Field(default=None, description="Only where it is not the column's")
    label: str = Field(default="", description="Only where it is not the column's: 'FP16 sparse, as printed'")
    suspect: bool = False
    span: list[float] | None = Field(default=None, description="[lowest, highest] claim when reports disagree")
    claims: list[Claim] = Field(default_factory=list[Claim], description="Full detail: each claim, the preferred first")
    note: str = ""
    tier: str = Field(default="", exclude=True)  # the selection rule's step, for the text block's tags

    def bare(self) -> "ComparisonCell | float | str":
        """The cell as a row holds it: a plain number or text bare, anything more as the object — bare when
        its dump (which leaves out every empty field, each field's default among them) would hold the
        number or the text alone."""
        held = self.__dict__
        if any(not is_empty(held[name]) for name in _OTHER_FIELDS):
            return self
        value, text = held["value"], held["text"]
        if not is_empty(value) and is_empty(text):
            return value
        if not is_empty(text) and is_empty(value):
            return text
        return self


class PartsCheck(CompactModel):
    """A system's own figure beside the same quantity summed over its parts (count × each chip's figure)."""

    metric: str = Field(description="compute_<precision>, memory_gb, memory_bandwidth_gbs, power_w or w_per_tflops")
    reported: Cell = Field(description="The system's figure as the reports give it (power: system power)")
    from_parts: Cell = Field(description="Σ count × the part's figure (power: the chips' TDP)")
    ratio: list[float] = Field(default_factory=list, description="[low, high] of reported ÷ from_parts")
    difference: list[float] = Field(default_factory=list, description="[low, high] of reported − from_parts")
    verdict: Literal["agree", "differ", "not equated"] = Field(
        description="agree: within 2% at some point of both ranges; not equated: the parts' total is at another precision (note)"
    )
    note: str = Field(default="", description="What a difference of this kind means (different precisions, what TDP covers)")


# A row's cell as its dump gives it (its tier is for the text block's tags).
_SHOWN_FIELDS = tuple(name for name in ComparisonCell.model_fields if name != "tier")
# Those that make a cell more than a bare number or text.
_OTHER_FIELDS = tuple(name for name in _SHOWN_FIELDS if name not in ("value", "text"))


class ComparisonRow(CompactModel):
    """One compared chip or system. `cells`, `figure_ids` and `ratios` follow the answer's columns position by
    position: a cell is a bare number (in the column's unit and label), bare text, an object when it says more
    (ComparisonCell), or null when the chip does not report the column."""

    id: str
    name: str
    vendor: str = Field(description="Key of the answer's vendors")
    kind: str = ""
    system: bool = Field(default=False, description="True for a server, rack or supernode (its own figures are totals)")
    matched: str = Field(default="", description="How the name was matched, when not exactly: method and known spelling")
    cells: list[ComparisonCell | float | str | None] = Field(default_factory=list, description="By column position")
    figure_ids: list[list[int]] = Field(
        default_factory=list, description="By column position: the figures each cell cites (a derived cell: the two it divides)"
    )
    ratios: list[float | list[float] | None] = Field(
        default_factory=list, description="By column position: value ÷ the baseline's ([low, high] for ranges); none for the baseline"
    )
    composition: str = Field(default="", description="For systems: the parts their totals are summed over, '384 × 昇腾910C'")
    versus_parts: list[PartsCheck] = Field(
        default_factory=list,
        description=("For systems: each reported figure beside the total its composition implies, and their difference"),
    )

    def cell(self, position: int) -> Cell | None:
        """The cell at a column position made whole again (its value, figures, label …), None where not reported."""
        held = self.cells[position] if position < len(self.cells) else None
        if held is None:
            return None
        figures = self.figure_ids[position] if position < len(self.figure_ids) else []
        if isinstance(held, str):
            return Cell(text=held, figure_ids=figures)
        if isinstance(held, float | int):
            return Cell(value=held, figure_ids=figures)
        return redumped(Cell, held, _SHOWN_FIELDS, figure_ids=list(figures), tier=held.tier)

    def ratio(self, position: int) -> float | list[float] | None:
        return self.ratios[position] if position < len(self.ratios) else None


class ComparisonColumn(CompactModel):
    key: str = Field(description="A metric of compare_chips' `metrics`; compute columns are compute_<precision>")
    unit: str = ""
    label: str = Field(
        default="",
        description=("What most of its cells are (e.g. 'FP16 dense'); a cell says its own when it differs, and always when marked"),
    )
    better: Literal["higher", "lower"] | None = Field(
        default=None, description="Which way ranks first, from the metric registry; absent: neither way is better, no best"
    )
    best: list[str] = Field(default_factory=list, description="Ids ranked 1 among comparable figures (ties share it)")
    left_out: dict[str, str] = Field(default_factory=dict, description="Ids with a figure not ranked, and why")
    no_best: str = Field(default="", description="Why no best is named (a column with one comparable figure names none)")
    ranked: int = Field(default=0, description="With a best: how many comparable figures it was chosen from")
    lacking: list[int] = Field(
        default_factory=list, description="With a best: the rows (by position in `rows`) that report no figure for it"
    )


class Comparison(Model):
    detail: Detail = "summary"
    baseline: str
    precision: str | None = Field(description="The precision asked for; null: every precision any chip reports")
    precisions: list[str] = Field(description="Precisions of the compute columns shown")
    derived_precision: str = Field(description="Precision of the compute used in derived metrics")
    columns: list[ComparisonColumn]
    vendors: dict[str, VendorName] = Field(description="Each compared chip's vendor, once, by the id its rows carry")
    rows: list[ComparisonRow]
    warnings: list[str]
    assumptions: list[str]
    sources: list[SourceRef]
    summary: str

    def cells(self, row: ComparisonRow) -> dict[str, Cell]:
        """A row's reported cells by column key, each whole (value, figures, label …)."""
        return {col.key: cell for j, col in enumerate(self.columns) if (cell := row.cell(j)) is not None}


# The compute columns by key, each with its precision: a registry metric named compute_… (compute_per_power)
# is a metric of its own, not a compute column.
COMPUTE_COLUMNS = {f"compute_{p}": p for p in PRECISIONS}
# A system's own figure → the spec of its parts whose total it is compared with (its power: the chips' TDP).
PART_METRICS = {"memory_gb": "memory_gb", "memory_bandwidth_gbs": "memory_bandwidth_gbs", "power_w": "tdp_w"}
# 16-bit float formats a system and its chips print one or the other of (CloudMatrix 384 in BF16, the 910C in
# FP16): shown side by side when the parts print no figure at the system's own precision, never equated.
COMPANION_PRECISION = {"bf16": "fp16", "fp16": "bf16"}
DEFAULT_SKIP = {"bandwidth_per_tflops", "gb_per_tflops", "tpp"}  # on request: twenty chips' default stays compact
# Registry metrics a CPU comparison leaves to a request: export-control readings, which export_control_check gives.
CPU_SKIP = {"export_control_class", "tpp", "performance_density"}
POWER_NOTE = "the parts' total is the chips' TDP alone; a system's power also feeds its CPUs, switches, optics and cooling"
RANKING_RULE = (
    "Best: no other chip's whole range is better, so overlapping ranges tie, and only where two or "
    "more figures compare (no_best says why not); ranked together are "
    "dense with sparsity-not-printed figures, sparse only with sparse, planned (roadmap) only with planned, "
    "tensor-unit FP32/FP64 and vector-unit figures of other precisions apart, one currency, chips apart "
    "from systems; precision-not-printed and suspect figures are never ranked (left_out says why)."
)
SHORT_RANKING_RULE = (
    "Best only among two or more comparable figures, overlapping ranges tied (left_out says why a "
    "figure is not ranked; no_best why a column names none)."
)
ARROWS = {"higher": "↑", "lower": "↓"}  # a column's direction in the text block's header


# Any metric of the registry can be asked for, so the schema names the kinds and the tool checks the name
# against the knowledge base it answers from (a new metric in knowledge/metrics.toml needs no code).
CompareMetric = Annotated[str, Field(min_length=1, max_length=40)]


class CompareChipsArguments(Arguments):
    names: Annotated[list[Name], Field(min_length=2, max_length=20)] = Field(
        description="2 to 20 chips or systems, any spelling: ['910B', 'H20', 'MLU370-X8']"
    )
    metrics: Annotated[list[CompareMetric] | None, Field(max_length=14)] = Field(
        default=None,
        description=(
            "Columns: compute_tflops, memory_gb, tdp_w, tflops_per_w, price, tpp … or any registry metric id "
            "(cores, pcie_lanes, transistors, clock …); default: every column a chip reports"
        ),
    )
    baseline: Name | None = Field(default=None, description="Chip the ratios are relative to; default the first")
    precision: Precision | None = Field(
        default=None, description=("Compute at this precision only; default: every precision any compared chip reports")
    )
    detail: Annotated[
        Detail,
        Field(
            description=("summary: each cell its value and chosen figure; full: adds every citation, each claim, notes, ratio columns")
        ),
    ] = "summary"


def compare_chips(kb: KnowledgeBase, args: CompareChipsArguments) -> Comparison:
    asked = _resolve(kb, args)
    table, parts = _select(kb, asked, args.detail)
    columns, row_cells = _compute(kb, asked, table, args.detail)
    return _answer(kb, asked, table, parts, columns, row_cells, args)


@dataclass(frozen=True)
class _Asked:
    """The question resolved: the entities in the order named, the baseline, the precisions, the columns asked."""

    matches: list[NameMatch]
    entities: list[dict[str, Any]]
    base_index: int
    systems: set[str]
    precisions: list[str]
    derived_precision: str
    metrics: list[str] | None
    registry: list[str]  # the registry metrics shown by default (_registry_default)

    @property
    def ids(self) -> list[str]:
        return [m.id for m in self.matches]


def _resolve(kb: KnowledgeBase, args: CompareChipsArguments) -> _Asked:
    """The names, the baseline and the metrics asked, each checked; the precisions the columns take."""
    metrics = _metrics_asked(kb, args.metrics)
    if args.precision is not None:
        selection.check_precision(args.precision)
    matches = [resolve_chip(kb, name) for name in args.names]
    ids = [m.id for m in matches]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise InputError(f"These names resolve to the same chip: {', '.join(repeated)}; list each chip once.")
    base_index = 0
    if args.baseline is not None:
        base_match = resolve_chip(kb, args.baseline)
        if base_match.id not in ids:
            raise InputError(f"Baseline '{args.baseline}' ({base_match.id}) is not among the compared chips: {', '.join(ids)}.")
        base_index = ids.index(base_match.id)
    entities = [kb.entity(i) or {} for i in ids]
    systems = {i for i, e in zip(ids, entities, strict=True) if e.get("entity_kind") == "system"}
    precisions = [args.precision] if args.precision else (selection.reported_precisions(kb, ids) or ["fp16"])
    derived = _derived_precision(kb, ids, args.precision, precisions)
    return _Asked(matches, entities, base_index, systems, precisions, derived, metrics, _registry_default(kb, entities))


def _select(kb: KnowledgeBase, asked: _Asked, detail: Detail) -> tuple[list[dict[str, Cell]], list[list[PartsCheck]]]:
    """Every cell of every entity keyed by column, by the one selection rule; each system beside its parts.
    The cells are the memo's own (selection.shared_cell): read here and after, never changed, and copied
    where the answer keeps them (_shown_cell, _cited)."""
    table: list[dict[str, Cell]] = []
    parts: list[list[PartsCheck]] = []
    precisions, derived_precision = asked.precisions, asked.derived_precision
    shown = _showable(asked, detail)
    for entity in asked.ids:
        # At a precision the entity does not print, the rule finds a figure with no printed precision or none,
        # and that figure is shown only in the derived-precision column (below): the others are not read.
        printed = selection.printed_precisions(kb, entity)
        read = [p for p in precisions if p in printed or p == derived_precision]
        own = {f"compute_{p}": selection.shared_cell(kb, entity, "compute_tflops", p) for p in read}
        if len(precisions) > 1:
            # A figure with no printed precision would fill every column the chip lacks; it is shown once,
            # in the derived-precision column, where the rule uses it.
            own = {k: c for k, c in own.items() if c.tier != "unlabeled" or k == f"compute_{derived_precision}"}
        own |= {m: selection.shared_cell(kb, entity, m) for m in NUMERIC[1:] + TEXT}
        at = own | {
            "compute_tflops": own.get(f"compute_{derived_precision}")
            or selection.shared_cell(kb, entity, "compute_tflops", derived_precision)
        }
        # A system's W per TFLOPS stands beside its parts' (_versus_parts) whether or not its column is shown.
        own |= {
            name: selection.derived_cell(name, at)
            for name in selection.DERIVED
            if name in shown or (name == "w_per_tflops" and entity in asked.systems)
        }
        if "tpp" in shown:
            own["tpp"] = export_control.chip_tpp(kb, entity)
        own |= _registry_cells(kb, entity, asked, own)
        if entity in kb.planned_entities():  # a roadmap product's figures say so in their cells (copies)
            own = {k: selection.labelled_if_planned(kb, c) for k, c in own.items()}
        table.append(own)
        parts.append(_versus_parts(kb, entity, own, precisions, derived_precision, detail) if entity in asked.systems else [])
    return _in_one_unit(table), parts


def _in_one_unit(table: list[dict[str, Cell]]) -> list[dict[str, Cell]]:
    """Each column's cells in the unit most of them use, where they print others of the same dimension (one
    chip's transistors in million, another's in 亿), so they rank together. Money stays in its currency and
    compute in TFLOPS or TOPS: those are never converted into each other."""
    for key in dict.fromkeys(k for row in table for k in row):
        units = [c.unit for row in table if _filled(c := row.get(key)) and c.unit]
        # Most columns print one unit: nothing to count or convert.
        to = Counter(units).most_common(1)[0][0] if len(set(units)) > 1 else None
        for row in table:
            c = row.get(key)
            if to and _filled(c) and c.unit and c.unit != to and _convertible(c.unit, to):
                row[key] = scale_cell(c, 1.0, to)
    return table


def _convertible(unit: str, to: str) -> bool:
    a, b = UNITS.get(unit), UNITS.get(to)
    return a is not None and b is not None and a.dimension == b.dimension and a.dimension not in ("money", "compute")


def _compute(
    kb: KnowledgeBase, asked: _Asked, table: list[dict[str, Cell]], detail: Detail
) -> "tuple[list[ComparisonColumn], list[list[_Placed | None]]]":
    """The columns shown, each ranked among comparable figures, and each row's cells with its ratio to the baseline."""
    wanted = _columns_wanted(asked, table, detail)
    # Systems' totals rank apart from chips in every column alike: decided once, by whether chips are compared.
    systems_apart = len(asked.systems) < len(asked.ids)
    # The roadmap products compared (most comparisons have none): only their cells can rest on a planned figure.
    roadmap = set(kb.planned_entities()).intersection(asked.ids)
    columns = [_column(kb, key, asked.ids, table, asked.systems, systems_apart, roadmap) for key in wanted]
    placed = _row_cells(columns, table, asked.base_index, detail)
    if detail == "full":
        _with_figure_notes(kb, placed)
    return columns, placed


def _answer(
    kb: KnowledgeBase,
    asked: _Asked,
    table: list[dict[str, Cell]],
    parts: list[list[PartsCheck]],
    columns: list[ComparisonColumn],
    placed: "list[list[_Placed | None]]",
    args: CompareChipsArguments,
) -> Comparison:
    """The answer model: rows, their vendors once, warnings, assumptions, the sources of every figure cited, and its summary."""
    rows = [_row(kb, m, e, cells, part) for m, e, cells, part in zip(asked.matches, asked.entities, placed, parts, strict=True)]
    warnings = _warnings(kb, asked.matches, table, columns)
    assumptions = _assumptions(args.detail, asked.derived_precision, asked.matches[asked.base_index].name, bool(asked.systems))
    # Every part was built from checked values (the arguments, the knowledge base's rows, models made here):
    # not validated again (rows and columns by the dozen; the answer's schema is the same either way).
    answer = Comparison.checked_before(
        detail=args.detail,
        baseline=asked.ids[asked.base_index],
        precision=args.precision,
        precisions=[p for p in asked.precisions if any(col.key == f"compute_{p}" for col in columns)],
        derived_precision=asked.derived_precision,
        columns=columns,
        vendors=_vendors(kb, rows),
        rows=rows,
        warnings=warnings,
        assumptions=assumptions,
        sources=source_refs(kb, {f["source"] for f in kb.figures_by_ids(_cited_ids(rows))}),
        summary="",
    )
    answer.summary = _summary(answer)
    return answer


def _row(
    kb: KnowledgeBase, m: NameMatch, entity: dict[str, Any], placed: "list[_Placed | None]", parts: list[PartsCheck]
) -> ComparisonRow:
    """One compared entity: its cells, their figures and their ratios by column position (each list left out
    when it holds nothing)."""
    cells, figure_ids, ratios = _by_position(placed)
    return ComparisonRow.checked_before(
        id=m.id,
        name=m.name,
        vendor=entity.get("vendor") or "",
        kind=entity.get("kind", ""),
        system=entity.get("entity_kind") == "system",
        matched="" if m.method in ("exact", "id") else f"{m.method} '{m.alias}'",
        cells=cells,
        figure_ids=figure_ids,
        ratios=ratios,
        composition=_composition(kb, m.id) if parts else "",
        versus_parts=parts,
    )


def _by_position(
    placed: "list[_Placed | None]",
) -> tuple[list[ComparisonCell | float | str | None], list[list[int]], list[float | list[float] | None]]:
    """A row's cells (plain values bare), their figure ids and their ratios by column position; a list that
    would hold nothing is left empty (and out of the answer)."""
    cells = [(p.cell.bare() if isinstance(p.cell, ComparisonCell) else p.cell) if p else None for p in placed]
    figure_ids = [p.figure_ids if p else [] for p in placed]
    ratios = [p.ratio if p else None for p in placed]
    return (
        cells if any(c is not None for c in cells) else [],
        figure_ids if any(figure_ids) else [],
        ratios if any(r is not None for r in ratios) else [],
    )


def _vendors(kb: KnowledgeBase, rows: list[ComparisonRow]) -> dict[str, VendorName]:
    """Each vendor of the compared entities, once (twenty rows of one vendor name it once)."""
    found = {v: kb.entity(v) or {} for v in dict.fromkeys(row.vendor for row in rows if row.vendor)}
    return {v: VendorName(name_zh=e.get("name_zh", ""), name_en=e.get("name_en", "")) for v, e in found.items()}


def _cited_ids(rows: list[ComparisonRow]) -> list[int]:
    """Every figure the answer cites: its cells', their claims', and each system's versus-parts cells'."""
    used = {i for row in rows for ids_ in row.figure_ids for i in ids_}
    used |= {i for row in rows for c in row.cells if isinstance(c, ComparisonCell) for claim in c.claims for i in claim.figure_ids}
    checks = [c for row in rows for check in row.versus_parts for c in (check.reported, check.from_parts)]
    used |= {i for c in checks for i in [*c.figure_ids, *(i for claim in c.claims for i in claim.figure_ids)]}
    return sorted(used)


def _metrics_asked(kb: KnowledgeBase, metrics: list[str] | None) -> list[str] | None:
    """The column names asked for, registry ids a spec reads turned into the spec's name (memory_capacity →
    memory_gb); an unknown name is an error naming the nearest known metrics."""
    if not metrics:
        return metrics
    keys = []
    for name in metrics:
        key = metric_key(kb, name)
        if key is None:
            raise unknown_metric(name, known_metrics(kb), "metrics", METRICS)
        if (refused := not_a_chip_metric(kb, name, key, "compare_chips")) is not None:
            raise refused
        keys.append(key)
    return keys


def _registry_default(kb: KnowledgeBase, entities: list[dict[str, Any]]) -> list[str]:
    """The registry's metrics shown by default: none, unless every compared entity is a CPU — then every
    spec a CPU reports (cores, threads, clock, memory channels, PCIe lanes …) rather than accelerator columns."""
    if not entities or any(e.get("kind") != "CPU" for e in entities):
        return []
    return [m for m, row in kb.metrics.items() if m not in SPEC_OF_METRIC and not row["descriptive"] and m not in CPU_SKIP]


def _registry_cells(kb: KnowledgeBase, entity: str, asked: _Asked, own: dict[str, Cell]) -> dict[str, Cell]:
    """Cells of registry metrics beyond the standard columns: those asked for, or when every compared entity
    is a CPU every one (a CPU compared with accelerators shows no registry column, so none is read)."""
    wanted = [m for m in (asked.metrics or []) if m not in own and m != "compute_tflops"]
    if not asked.metrics:
        wanted = asked.registry
    return {m: selection.shared_cell(kb, entity, m) for m in wanted}


def _with_figure_notes(kb: KnowledgeBase, placed: "list[list[_Placed | None]]") -> None:
    """At detail='full' a cell carries what lookup_chip shows with its figures: each figure's note (what it
    covers, a conflict's resolution), beside the claims the cell already keeps."""
    for p in (p for row in placed for p in row if p is not None):
        claims = p.cell.claims if isinstance(p.cell, ComparisonCell) else []  # a bare cell has none
        cited = list(dict.fromkeys([*p.figure_ids, *(i for c in claims for i in c.figure_ids)]))
        notes = [f"#{r['id']}: {r['note']}" for r in kb.figures_by_ids(cited) if r["note"]]
        if not notes:
            continue
        if not isinstance(p.cell, ComparisonCell):  # bare until now: made whole to carry the note
            p.cell = _shown_cell(p.column, p.source, True, _metric_of(p.column.key) in selection.DERIVED)
        p.cell.note = "; ".join([p.cell.note, *notes] if p.cell.note else notes)


def _assumptions(detail: Detail, derived: str, baseline: str, systems: bool) -> list[str]:
    """How the table was built: said in full at detail='full', in a line each at summary."""
    p = derived.upper()
    if detail == "summary":
        out = [
            "Compute by the one rule: matrix before vector units; dense, else sparsity not printed, else sparse, "
            "else precision not printed; "
            "ranges keep both ends; 1 PFLOPS = 1000 TFLOPS, integer compute in TOPS.",
            f"Derived metrics at {p}; power is TDP for chips, system power for systems.",
            SHORT_RANKING_RULE,
            f"Ratios to {baseline}, between comparable figures only.",
        ]
        if systems:
            out.append("Systems: reported ÷ and − their parts' totals, agree within 2%; parts' power is the chips' TDP.")
        return out
    out = [
        "Compute per precision by one rule: a matrix (tensor or engine unstated) figure before a vector-unit one; "
        "dense, else sparsity not printed, else sparse (as printed), else a "
        f"figure with no printed precision (shown once, in the {p} column).",
        "Ranges keep both ends. 1 PFLOPS = 1000 TFLOPS; integer compute in TOPS.",
        f"Derived metrics use {p} compute; power is TDP for chips, system power for systems.",
        RANKING_RULE,
        f"Ratios are to {baseline}, between comparable figures only.",
    ]
    if systems:
        out.append(
            "A system's own figures stand beside its parts' totals (count × each chip's figure, by the same "
            "rule): ratio and difference are reported ÷ and − from parts; agree means within 2%, not equated that the "
            "parts' total is at another precision. Power: "
            f"{POWER_NOTE}."
        )
    return out


def _derived_precision(kb: KnowledgeBase, ids: list[str], asked: str | None, precisions: list[str]) -> str:
    """The asked precision; else FP16 when any chip reports it; else the precision most chips report."""
    if asked:
        return asked
    if "fp16" in precisions:
        return "fp16"
    counts = Counter(p for i in ids for p in selection.printed_precisions(kb, i))
    return max(precisions, key=lambda p: (counts[p], -precisions.index(p)))


def _versus_parts(
    kb: KnowledgeBase, system: str, own: dict[str, Cell], precisions: list[str], derived_precision: str, detail: Detail
) -> list[PartsCheck]:
    """Each figure the system reports that its composition also implies, the two side by side."""
    checks: list[tuple[str, Cell | None, Cell | None, str]] = []
    parts_compute: dict[str, tuple[Cell, str]] = {}  # precision → the parts' total compute, and what it is
    for p in precisions:
        reported = own.get(f"compute_{p}")
        if not _filled(reported) or reported.tier == "unlabeled":
            continue
        found, note = _parts_compute(kb, system, p)
        checks.append((f"compute_{p}", reported, found, note))
        if found is not None:
            parts_compute[p] = (found, note)
    for key, part_spec in PART_METRICS.items():
        reported = own.get("system_power_w" if key == "power_w" else key)
        checks.append((key, reported, selection.composition_cell(kb, system, part_spec), ""))
    power_parts = selection.composition_cell(kb, system, "tdp_w")
    at = derived_precision if derived_precision in parts_compute else next(iter(parts_compute), None)
    if power_parts is not None and at is not None:
        # W per TFLOPS at one precision on both sides: the table's printed figure, else system power ÷ compute
        compute_parts, note = parts_compute[at]
        per = divide_cells(power_parts, compute_parts, f"W/{compute_parts.unit}", "chips' TDP ÷ parts' compute")
        reported = _printed_w_per_tflops(kb, system, at) or (own.get("w_per_tflops") if at == derived_precision else None)
        checks.append(("w_per_tflops", reported, per, note))
    composition = _composition(kb, system)
    out = []
    for key, reported, parts, note in checks:
        if not _filled(reported) or parts is None or not (parts_ends := parts.ends()) or (reported_ends := reported.ends()) is None:
            continue
        difference, ratio, agree = compute.interval_versus(reported_ends, parts_ends)
        # The row names the composition once; a part's label keeps what it adds (the precision of its compute).
        label = parts.label.removeprefix("from parts: ").removeprefix(composition).strip()
        parts = parts.updated(label=label)
        out.append(
            PartsCheck(
                metric=key,
                reported=_cited(reported, detail),
                from_parts=parts if key == "w_per_tflops" else _cited(parts, detail),
                ratio=[tidied(r, 4) for r in ratio],
                difference=[tidied(d, 6) for d in difference],
                # a total at another precision is set beside the system's figure, never judged equal or not
                verdict="not equated" if note else "agree" if agree else "differ",
                note=note,
            )
        )
    return out


def _composition(kb: KnowledgeBase, system: str) -> str:
    """'384 × 昇腾910C': the parts a system's totals are summed over, as composition_cell names them."""
    return " + ".join(f"{p['count']} × {(kb.entity(p['chip']) or {'name_zh': p['chip']})['name_zh']}" for p in kb.parts(system))


def _parts_compute(kb: KnowledgeBase, system: str, precision: str) -> tuple[Cell | None, str]:
    """The parts' total compute at `precision`, else at its companion precision, saying so."""
    found = selection.composition_cell(kb, system, "compute_tflops", precision)
    if found is not None or precision not in COMPANION_PRECISION:
        return found, ""
    other = COMPANION_PRECISION[precision]
    found = selection.composition_cell(kb, system, "compute_tflops", other)
    return found, f"different precisions: parts at {other.upper()}, none prints {precision.upper()}"


def _printed_w_per_tflops(kb: KnowledgeBase, system: str, precision: str) -> Cell | None:
    """The W per TFLOPS a report's table prints for the system at `precision`, if it does."""
    printed = selection.cell(kb, system, "power_per_compute")
    if not printed.figure_ids:
        return None
    row = kb.figures_by_ids(printed.figure_ids[:1])[0]
    if row["precision"] and precision not in row["precision"].split("/"):
        return None
    printed.label = f"as printed, {row['precision'].upper()}" if row["precision"] else "as printed"
    return printed


def _cited(c: Cell, detail: Detail) -> Cell:
    """A cell as an answer at `detail` shows it: at summary its chosen figure only, no claims or notes. The
    answer's own copy (`c` may be the memo's)."""
    c = handout(c)
    if detail == "full":
        return c
    return c.updated(figure_ids=c.figure_ids[:1], claims=[], note="")


def _columns_wanted(asked: _Asked, table: list[dict[str, Cell]], detail: Detail) -> list[str]:
    """Column keys: those asked for, or by default every column some compared entity fills (TDP and TFLOPS/W
    for chips, system power and W/TFLOPS for systems; at summary not the ratios and TPP asked for by name)."""

    def keys(metric: str) -> list[str]:
        return [f"compute_{p}" for p in asked.precisions] if metric == "compute_tflops" else [metric]

    if asked.metrics:
        return [k for m in dict.fromkeys(asked.metrics) for k in keys(m)]
    showable = _showable(asked, detail)
    return [k for m in METRICS + asked.registry if m in showable for k in keys(m) if any(_filled(cells.get(k)) for cells in table)]


def _showable(asked: _Asked, detail: Detail) -> set[str]:
    """The metrics whose columns the answer may show (those filled are shown): the ones asked for, or by
    default every metric less what the comparison leaves to a request — at summary the ratios and TPP asked
    for by name, system power and W/TFLOPS without a system, TDP and TFLOPS/W when every entity is one."""
    if asked.metrics:
        return set(asked.metrics)
    skip = set(DEFAULT_SKIP) if detail == "summary" else set()
    if not asked.systems:
        skip |= {"system_power_w", "w_per_tflops"}
    if len(asked.systems) == len(asked.ids):
        skip |= {"tdp_w", "tflops_per_w"}
    return {m for m in METRICS + asked.registry if m not in skip}


def _filled(c: Cell | None) -> TypeGuard[Cell]:
    return c is not None and (c.ends() is not None or c.text is not None)


def _metric_of(key: str) -> str:
    return "compute_tflops" if key in COMPUTE_COLUMNS else key


def _column(
    kb: KnowledgeBase,
    key: str,
    ids: list[str],
    table: list[dict[str, Cell]],
    systems: set[str],
    systems_apart: bool,
    roadmap: set[str],
) -> ComparisonColumn:
    """A column: the unit and label most of its cells share, the registry's direction, and its best
    (`roadmap`: the ids of the entities compared with any planned figure)."""
    metric = _metric_of(key)
    filled = {i: c for i, t in zip(ids, table, strict=True) if _filled(c := t.get(key))}  # by id, in row order
    col = ComparisonColumn.checked_before(
        key=key,
        # a compute column's unit is its precision's, filled or not
        unit=_shared_unit(filled.values()) or (selection.compute_unit(COMPUTE_COLUMNS[key]) if key in COMPUTE_COLUMNS else ""),
        label=_shared_label(metric, filled.values()),
        better=better(kb, metric),
        best=[],
        left_out={},
        no_best="",
        ranked=0,
        lacking=[],
    )
    if metric in TEXT or any(c.text is not None for c in filled.values()):
        return col
    col = _ranked(col, filled, systems, systems_apart, {i for i in roadmap if i in filled and selection.is_planned(kb, filled[i])})
    if col.best:
        col.lacking = [j for j, i in enumerate(ids) if i not in filled]
    return col


def _shared_unit(filled: Iterable[Cell]) -> str:
    units = {c.unit for c in filled if c.unit}
    return units.pop() if len(units) == 1 else ("mixed" if units else "")


def _shared_label(metric: str, filled: Iterable[Cell]) -> str:
    """The label most cells carry; a figure the rule marks (sparse, precision not printed) always says so in its own cell."""
    if metric in selection.DERIVED:
        return ""
    labels = [c.label for c in filled if c.label and not _marked(c) and c.tier != "sparse"]
    if len(set(labels)) < 2:  # most columns: every cell the same label, nothing to count
        return labels[0] if labels else ""
    return Counter(labels).most_common(1)[0][0]


def _planned(c: Cell) -> bool:
    """Whether the cell's label says it rests on a planned figure (selection.labelled_if_planned): such a label
    is the cell's own, never the column's."""
    return c.label == "planned" or c.label.endswith("; planned")


def _marked(c: Cell) -> bool:
    """Whether the cell is a figure the ranking rule sets apart by what it is (precision not printed, parts at
    different precisions, family-level, the other kind of unit, planned): it always says so in its own
    cell, a derived one too, and never lends its label to the column."""
    return c.tier in ("unlabeled", "mixed", "family") or bool(c.engine) or _planned(c)


def _ranked(
    col: ComparisonColumn, filled: dict[str, Cell], systems: set[str], systems_apart: bool, planned: set[str]
) -> ComparisonColumn:
    """The column with its best among comparable figures (`filled`: each filled cell by id, in row order)
    and how many it was chosen from, or why it names none: the registry gives no direction, or only one
    figure is comparable (a winner of one is no winner)."""
    if col.better is None:
        if len(filled) > 1:
            col.no_best = "the registry gives no direction for this metric"
        return col
    col.left_out = ranking.left_out(filled, systems, systems_apart, planned)
    ends = {i: e for i, c in filled.items() if i not in col.left_out and (e := c.ends()) is not None}
    if len(ends) == 1:
        col.no_best = "only one comparable figure"
    elif ends:
        ranks = compute.dominance_rank([e[0] for e in ends.values()], [e[1] for e in ends.values()], col.better == "higher")
        col.best = [i for i, r in zip(ends, ranks, strict=True) if r == 1]
        col.ranked = len(ends)
    return col


@dataclass
class _Placed:
    """A row's cell at one column: what the row shows, the figures it cites, its ratio to the baseline."""

    cell: ComparisonCell | float | str  # bare already where the shortcut (_bare) applies
    figure_ids: list[int]
    ratio: float | list[float] | None
    column: ComparisonColumn
    source: Cell  # the chosen cell (the memo's own): for a bare cell to be made whole when a figure note joins it


def _row_cells(columns: list[ComparisonColumn], table: list[dict[str, Cell]], base: int, detail: Detail) -> list[list[_Placed | None]]:
    """Each entity's cells by column position (None where not reported), with its ratio to the baseline."""
    return [
        [_placed(col, cells.get(col.key), None if j == base else table[base].get(col.key), detail) for col in columns]
        for j, cells in enumerate(table)
    ]


# What a row's cell takes from the chosen cell as it is; claims and note only at full detail.
_PLACED_FIELDS = ("value", "low", "high", "bound", "text", "unit", "label", "suspect", "span")


def _placed(col: ComparisonColumn, c: Cell | None, base: Cell | None, detail: Detail) -> _Placed | None:
    """At summary a cell cites its chosen figure (a derived cell the one of each side) and the span of
    disagreeing claims (each claim and every agreeing figure are at full); the column says the unit and
    label most cells share."""
    if not _filled(c):
        return None
    full = detail == "full"
    derived = _metric_of(col.key) in selection.DERIVED
    # A derived cell cites the chosen figure of each side it divides (as lookup_chip's derived lines do).
    figures = list(c.figure_ids) if full or derived else c.figure_ids[:1]
    # Most cells are a plain number or text: held so at once.
    held = _bare(col, c, derived, full)
    return _Placed(_shown_cell(col, c, full, derived) if held is None else held, figures, _ratio_to(c, base), col, c)


def _shown_cell(col: ComparisonColumn, c: Cell, full: bool, derived: bool) -> ComparisonCell:
    """The cell as a row shows it: claims and note at full detail only, the unit and label where not the column's."""
    shown = redumped(
        ComparisonCell, c, _PLACED_FIELDS, claims=handout(c.claims) if full else [], note=c.note if full else "", tier=c.tier
    )
    if shown.unit == col.unit:
        shown.unit = None
    if (derived and not _marked(c)) or shown.label == col.label:
        shown.label = ""  # derived: the cells it divides, in the same row, carry the label (unless it is marked)
    return shown


def _bare(col: ComparisonColumn, c: Cell, derived: bool, full: bool) -> float | str | None:
    """`_shown_cell(col, c, full, derived).bare()` where that is a plain number or text, None where the cell
    says more — read from the cell's fields, without making the ComparisonCell."""
    if full and (c.claims or c.note):
        return None
    if c.low is not None or c.high is not None or c.bound or c.suspect or c.span:
        return None
    if c.unit and c.unit != col.unit:
        return None
    if (not derived or _marked(c)) and c.label and c.label != col.label:
        return None
    if c.value is not None and not c.text:
        return float(c.value)
    if c.text and c.value is None:
        return c.text
    return None


def _ratio_to(c: Cell, base: Cell | None) -> float | list[float] | None:
    """c ÷ the baseline's cell (both ends for ranges), where the two are figures of one kind in one unit."""
    if c.text is not None or base is None or not (base_ends := base.ends()) or base.unit != c.unit or not _comparable(c, base):
        return None
    ends = divided_ends(c.ends(), base_ends)
    if ends is None:
        return None
    # Each end as divide_cells leaves a ratio of figures, then to the three digits a ratio shows.
    low, high = (tidied(tidied(end, RATIO_DIGITS), 3) for end in ends)
    return low if low == high else [low, high]


def _comparable(a: Cell, b: Cell) -> bool:
    """Whether a ratio of the two means something: same kind of figure, neither suspect nor unlabeled."""

    def kind(c: Cell) -> str | None:
        if c.suspect or c.tier in ("unlabeled", "mixed"):
            return None
        return ("sparse" if c.tier == "sparse" else "dense") + c.engine

    return kind(a) is not None and kind(a) == kind(b)


def _match_warning(m: Any) -> str:
    """A match note said short, twenty rows over: the model numbers it is not ('H20' is not H200), by id —
    a variant's id names it as well as its display name does, in half the characters."""
    related = [a.id for a in m.alternatives if a.score == 0]  # related models, listed, not scored
    if related and len(related) == len(m.alternatives):
        return f"'{m.query}' is {m.id} exactly, not {', '.join(related)} (ask for those by name)."
    return f"'{m.query}': {m.note}"


def _warnings(kb: KnowledgeBase, matches: list[Any], table: list[dict[str, Cell]], columns: list[ComparisonColumn]) -> list[str]:
    """How names were matched, the contested cells, then per entity its suspect cells and missing compute."""
    keys = [c.key for c in columns]
    warnings = [_match_warning(m) for m in matches if m.note] + _contested_warning(matches, table, keys)
    for m, cells in zip(matches, table, strict=True):
        warnings += _suspect_warning(m.id, cells, keys) + _no_compute_warning(kb, m.id, cells, keys)
    return warnings


def _contested_warning(matches: list[Any], table: list[dict[str, Cell]], keys: list[str]) -> list[str]:
    contested = [
        f"{m.id} ({', '.join(k for k in keys if k in cells and cells[k].span)})"
        for m, cells in zip(matches, table, strict=True)
        if any(k in cells and cells[k].span for k in keys)
    ]
    if not contested:
        return []
    return [
        "Reports disagree on " + "; ".join(contested) + ": each cell shows the preferred claim "
        "and the span of the claims; lookup_chip lists each with its source."
    ]


def _suspect_warning(entity: str, cells: dict[str, Cell], keys: list[str]) -> list[str]:
    suspect = [k for k in keys if k in cells and cells[k].suspect and _filled(cells[k])]
    return [f"{entity}: {', '.join(suspect)} rest on a suspect figure: flagged, not ranked."] if suspect else []


def _no_compute_warning(kb: KnowledgeBase, entity: str, cells: dict[str, Cell], keys: list[str]) -> list[str]:
    """Where compute columns are shown and the entity fills none: what it does report, and the argument that
    shows it — never a flat "none" beside a figure."""
    shown = [COMPUTE_COLUMNS[k] for k in keys if k in COMPUTE_COLUMNS]
    if not shown or any(_filled(cells.get(f"compute_{p}")) for p in shown):
        return []
    reported = selection.reported_precisions(kb, [entity])
    if not reported:
        return [f"{entity}: no compute figure reported."]
    asked = ", ".join(p.upper() for p in shown)
    offered = ", ".join(p.upper() for p in reported)
    return [f"{entity}: no {asked} compute figure; it reports {offered} (ask precision='{_nearest(reported, shown[0])}')."]


def _nearest(reported: list[str], asked: str) -> str:
    """The precision of `reported` nearest in width to the one asked (FP4 → INT8 before FP32), the narrower on a tie."""
    bits = PRECISION_BITS.get(asked, 16)
    return min(reported, key=lambda p: (abs(PRECISION_BITS.get(p, 16) - bits), PRECISION_BITS.get(p, 16)))


def _summary(c: Comparison) -> str:
    headline = {f"compute_{c.derived_precision}", "tflops_per_w", "w_per_tflops", "price_per_tflops"}
    bests = [_best(col, None) for col in c.columns if col.best and col.key in headline] or [
        _best(col, None) for col in c.columns if col.best
    ]  # the columns asked for, when not these
    left = sorted({i for col in c.columns for i in col.left_out})
    text = f"Compared {len(c.rows)}{_at(c)}, baseline {c.baseline}. Best (every column's in columns[].best) — " + (
        "; ".join(bests) or "no comparable figures"
    )
    if left:
        text += f". Left out of some rankings: {', '.join(left)}"
    differ = [
        f"{row.id} ({', '.join(k.metric for k in row.versus_parts if k.verdict == 'differ')})"
        for row in c.rows
        if any(k.verdict == "differ" for k in row.versus_parts)
    ]
    if differ:
        text += ". Reported figures that differ from their parts' totals: " + "; ".join(differ)
    return text + f". {len(c.warnings)} warning(s)."


def _at(c: Comparison) -> str:
    """The precisions the table's compute is at: its compute columns', else its derived metrics'."""
    if c.precisions:
        return f" at {', '.join(p.upper() for p in c.precisions)}"
    if any(col.key in selection.DERIVED for col in c.columns):
        return f" (derived metrics at {c.derived_precision.upper()})"
    return ""


LACKING_NAMED = 5  # up to this many rows lacking a best's figure are named; more are the '—' of their rows


def _best(col: ComparisonColumn, rows: list[ComparisonRow] | None) -> str:
    """'price: nvidia-h20 (best of 2; 3 lack it: …)': a best with the figures it was chosen from, and the
    compared entities with none (named from `rows` when a few; those left out are said apart, with the reason)."""
    lacking = ""
    if col.lacking:
        lacking = f"; {len(col.lacking)} lack it"
        if rows is not None:
            named = len(col.lacking) <= LACKING_NAMED
            lacking += f": {', '.join(rows[j].id for j in col.lacking)}" if named else ", shown — in their rows"
    return f"{col.key}: {', '.join(col.best)} (best of {col.ranked}{lacking})"


def _ratio(value: float | list[float] | None) -> str:
    if isinstance(value, list):
        return f" ({number(value[0])}–{number(value[1])}×)"
    return "" if value is None else f" ({number(value)}×)"


def _shown(cell: Cell) -> str:
    """A cell with its unit where it is not the column's, its own label and the figures behind it."""
    text = format_cell(cell)
    if cell.unit:
        text += f" {cell.unit}"
    if cell.label:
        text += f" ({cell.label})"
    return text + (f" {ids(cell.figure_ids)}" if cell.figure_ids else "")


def _pair(values: list[float], unit: str | None = "", signed: bool = False) -> str:
    def shown(v: float) -> str:
        return ("+" if signed and v > 0 else "") + number(v)

    unit = f" {unit}" if unit else ""
    if values[0] == values[1]:
        return f"{shown(values[0])}{unit}"
    return f"{shown(values[0])} to {shown(values[1])}{unit}"


def render(c: Comparison) -> str:
    """The text block: the same table as the structured answer, then what stands beside it."""
    return "\n".join(
        [
            c.summary,
            _detail_line(c),
            _header_line(c),
            *(_row_line(c, row) for row in c.rows),
            *_parts_lines(c),
            *_claim_lines(c),
            *_note_lines(c),
            *_ranking_lines(c),
            *(["Warnings:", *(f"- {w}" for w in c.warnings)] if c.warnings else []),
            "Assumptions: " + " ".join(c.assumptions),
            source_lines(c.sources),
        ]
    )


def _detail_line(c: Comparison) -> str:
    more = "" if c.detail == "full" else " (detail='full' adds every agreeing figure, each claim, notes and the ratio columns)"
    return f"Detail: {c.detail}{more}."


def _header_line(c: Comparison) -> str:
    """Each column with what its cells share: unit, label, and which way is better (an arrow, said once)."""

    def head(col: ComparisonColumn) -> str:
        said = [x for x in (col.unit, col.label, ARROWS.get(col.better or "", "")) if x]
        return col.key + (f" ({'; '.join(said)})" if said else "")

    legend = " — ↑/↓ higher/lower better" if any(col.better for col in c.columns) else ""
    return " | ".join([f"chip [id] (vendor, kind){legend}", *(head(col) for col in c.columns)])


def _row_line(c: Comparison, row: ComparisonRow) -> str:
    """A row; its vendor's names where the vendor first appears (each vendor is named once, as in `vendors`)."""
    named = c.vendors.get(row.vendor)
    first = named is not None and next(r for r in c.rows if r.vendor == row.vendor) is row
    vendor = f"{row.vendor} = {named.name_zh}/{named.name_en}" if named and first else row.vendor
    matched = f", matched {row.matched}" if row.matched else ""
    cells = [_cell_text(row, j) for j in range(len(c.columns))]
    return " | ".join([f"{row.name} [{row.id}] ({vendor}, {row.kind}{matched})", *cells])


def _cell_text(row: ComparisonRow, position: int) -> str:
    """A row's cell in the text block with its ratio; a bare number or text (most cells) is written as
    `_shown` writes it, without making it a whole Cell first."""
    held = row.cells[position] if position < len(row.cells) else None
    if held is None:
        return "—"
    if isinstance(held, ComparisonCell):
        shown = _shown(row.cell(position) or Cell())
    else:
        figures = row.figure_ids[position] if position < len(row.figure_ids) else []
        shown = (held if isinstance(held, str) else number(held)) + (f" {ids(figures)}" if figures else "")
    return shown + _ratio(row.ratio(position))


def _parts_lines(c: Comparison) -> list[str]:
    """Each system's reported figures beside its parts' totals."""
    lines = []
    for row in (row for row in c.rows if row.versus_parts):
        lines.append(f"{row.name}: reported vs from its parts, {row.composition} (reported ÷ parts; reported − parts):")
        for k in row.versus_parts:
            unit = k.reported.unit or k.from_parts.unit
            lines.append(
                f"- {k.metric}: {_shown(k.reported)} vs {_shown(k.from_parts)} → {k.verdict}; "
                f"×{_pair(k.ratio)}; {_pair(k.difference, unit, signed=True)}"
                + (f". {k.note[0].upper()}{k.note[1:]}" if k.note else "")
            )
    return lines


def _claim_lines(c: Comparison) -> list[str]:
    claims = [
        f"- {row.id} {key}: "
        + " vs ".join(
            (number(cl.value) if cl.value is not None else f"{number(cl.low)}–{number(cl.high)}") + f" ({ids(cl.figure_ids)})"
            for cl in cell.claims
        )
        for row in c.rows
        for key, cell in _held(c, row).items()
        if cell.claims
    ]
    return ["Claims of contested cells (the preferred first):", *claims] if claims else []


def _note_lines(c: Comparison) -> list[str]:
    notes = [f"- {row.id} {key}: {cell.note}" for row in c.rows for key, cell in _held(c, row).items() if cell.note]
    return ["Notes:", *notes] if notes else []


def _held(c: Comparison, row: ComparisonRow) -> dict[str, ComparisonCell]:
    """A row's cells held as objects, by column key: the claims and notes of its cells (a bare number or text
    has neither), read where they are rather than from each cell made whole again (Comparison.cells)."""
    return {col.key: held for col, held in zip(c.columns, row.cells, strict=False) if isinstance(held, ComparisonCell)}


def _ranking_lines(c: Comparison) -> list[str]:
    """Best per column, what was left out of each ranking and why, and the columns that name no best."""
    bests = [_best(col, c.rows) for col in c.columns if col.best]
    lines = ["Best per column: " + "; ".join(bests)] if bests else []
    lines += [
        f"Not ranked in {col.key}: " + ", ".join(f"{i} ({why})" for i, why in col.left_out.items()) for col in c.columns if col.left_out
    ]
    no_best = [f"{col.key} ({col.no_best})" for col in c.columns if col.no_best]
    return lines + (["No best named in: " + "; ".join(no_best)] if no_best else [])


TOOL = Tool(
    name="compare_chips",
    title="Compare chips",
    description="Chips side by side: normalized specs, ratios to a baseline, TFLOPS/W and friends, best per metric.",
    example={"names": ["昇腾910B", "H100", "MTT S4000"]},
    arguments=CompareChipsArguments,
    answer=Comparison,
    run=compare_chips,
    render=render,
)
