"""The one rule for choosing the figure a calculation uses. Every tool that computes, compares, ranks
or filters picks its figures here, so one spec of one chip is the same number everywhere.

    cell(kb, entity, spec, precision=None, p_base=1000) -> Cell   one spec (compute needs a precision)
    shared_cell(…) -> Cell                     the same, the memo's own (to read, never to change)
    cells(kb, entity, specs, precision, p_base) -> {spec: Cell}
    compute_offers(kb, entity) -> [Offer]      every (precision, sparsity) compute figure it reports
    reported_precisions(kb, entities) -> [precision]   precisions any of them prints, in PRECISIONS order
    printed_precisions(kb, entity) -> frozenset       the same for one entity, once per knowledge base
    composition_cell(kb, system, spec, precision, p_base) -> Cell | None   Σ count × each part's cell
    unused_forms(kb, entity, precision) -> [str]   compute it reports in a form `cell` does not use
    family_cell(kb, entity, spec, …) -> Cell | None   the spec as its generation's record reports it
    family_cells(kb, entity) -> {metric: Cell}  every metric its generation reports and it does not (MODEL_ONLY aside)
    spec_def(kb, spec) -> SpecDef              a spec of SPECS, or any metric id of the registry
    check_precision(precision) -> precision     InputError listing PRECISIONS otherwise

The rule for compute at a precision (a figure printed 'FP16/BF16' holds for each of them):
  1. dense                                  label "FP16 dense"
  2. sparsity not printed                   label "FP16, sparsity not printed"
  3. sparse                                 label "FP16 sparse, as printed"
  4. compute printed with no precision      label "precision not printed" — only when 1-3 find nothing
Within a step: the figure the build prefers among disagreeing ones, matrix (tensor) units before vector
units, a single value before an 'a/b' pair, then figure id. A suspect figure is chosen only when no
unsuspect one exists at steps 1-3 (or at step 4), and the cell carries suspect=True. Other specs take
the preferred unsuspect figure the same way. Ranges keep low and high, bounds keep their bound, and
when reports disagree the cell keeps the preferred claim as its value with every claim and their span.
Figures tied to a period (a quarter's shipments, a forecast) are not specs and are never chosen.
A model that reports none of a spec takes the figure of the record standing for its generation or series
(the catalog's `generation`), chosen by the same rule, labelled 'family-level: <name>' with tier 'family';
never for compute or what export control reads (MODEL_ONLY).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from chipmcp.core import compute
from chipmcp.core.units import PRECISIONS, UNITS
from chipmcp.errors import InputError
from chipmcp.kb.memo import handout, per_knowledge_base
from chipmcp.kb.store import KnowledgeBase
from chipmcp.reasoning.cells import Cell, Claim, cell_of, divide_cells


@dataclass(frozen=True)
class SpecDef:
    metric: str
    unit: str | None  # None: money, kept in its own currency's base unit; text specs have no unit
    text: bool = False


SPECS: dict[str, SpecDef] = {
    "compute_tflops": SpecDef("compute", "TFLOPS"),
    "memory_gb": SpecDef("memory_capacity", "GB"),
    "memory_bandwidth_gbs": SpecDef("memory_bandwidth", "GB/s"),
    "interconnect_gbs": SpecDef("interconnect_bandwidth", "GB/s"),
    "tdp_w": SpecDef("tdp", "W"),
    "system_power_w": SpecDef("system_power", "W"),
    "price": SpecDef("price", None),
    "memory_type": SpecDef("memory_type", None, text=True),
    "release": SpecDef("release", None, text=True),
    "die_area_mm2": SpecDef("die_area", "mm²"),
    "performance_density": SpecDef("performance_density", "count"),
    "power_per_compute": SpecDef("power_per_compute", "W/TFLOPS"),  # as a system's table prints it
}
CURRENCY_UNITS = {"USD": "美元", "CNY": "元", "HKD": "港元", "TWD": "新台币"}
TIERS = ("dense", "unstated", "sparse", "unlabeled")
_LABELS = {
    "dense": "{p} dense",
    "unstated": "{p}, sparsity not printed",
    "sparse": "{p} sparse, as printed",
    "unlabeled": "precision not printed",
}


@dataclass
class Offer:
    """Compute an entity reports at one (precision, sparsity): precision None when not printed."""

    precision: str | None
    sparsity: str | None
    figure_ids: list[int] = field(default_factory=list[int])


def check_precision(precision: str) -> str:
    if precision not in PRECISIONS:
        raise InputError(f"Unknown precision '{precision}'. Allowed: {', '.join(PRECISIONS)}.")
    return precision


def compute_unit(precision: str | None) -> str:
    """TOPS for integer precisions, TFLOPS otherwise (the compute core counts them alike)."""
    return "TOPS" if precision and precision.startswith("int") else "TFLOPS"


def spec_def(kb: KnowledgeBase, spec: str) -> SpecDef:
    """A spec of SPECS, or any metric of the knowledge base's registry (knowledge/metrics.toml) read as one:
    text when its dimension is, else a number in the unit of the figure the rule chooses."""
    if spec in SPECS:
        return SPECS[spec]
    metric = kb.metrics.get(spec)
    if metric is None:
        raise KeyError(spec)
    return SpecDef(spec, "", text=metric["dimension"] == "text")


def is_text(kb: KnowledgeBase, spec: str) -> bool:
    try:
        return spec_def(kb, spec).text
    except KeyError:
        return False


# Figures of the silicon itself, never taken from a generation's record: compute and what export control
# reads (TPP, die area, performance density, a class) belong to the model alone.
MODEL_ONLY = frozenset({"compute", "die_area", "performance_density", "tpp", "export_control_class"})


def cell(kb: KnowledgeBase, entity: str, spec: str, precision: str | None = None, p_base: int = 1000) -> Cell:
    """The figure `spec` of `entity` as the rule chooses it; an empty Cell (no value) when none is reported.
    When the entity reports none, a figure its family or generation reports stands in, labelled as such."""
    return handout(_chosen(kb, entity, spec, precision, p_base))


def shared_cell(kb: KnowledgeBase, entity: str, spec: str, precision: str | None = None, p_base: int = 1000) -> Cell:
    """`cell` as the memo holds it, not a copy: for a caller that only reads it (compare_chips reads dozens
    per answer). Never change what it returns, nor put it in an answer a caller may change."""
    return _chosen(kb, entity, spec, precision, p_base)


@per_knowledge_base
def _chosen(kb: KnowledgeBase, entity: str, spec: str, precision: str | None, p_base: int) -> Cell:
    """`cell`, once per knowledge base and arguments (always given in full: one entry however a caller writes them)."""
    own = _own_cell(kb, entity, spec, precision, p_base)
    if own.ends() is not None or own.text is not None or spec_def(kb, spec).metric in MODEL_ONLY:
        return own
    return family_cell(kb, entity, spec, precision, p_base) or own


def _own_cell(kb: KnowledgeBase, entity: str, spec: str, precision: str | None, p_base: int) -> Cell:
    definition = spec_def(kb, spec)
    rows = [r for r in kb.figures(entity, [definition.metric]) if r["period"] is None]
    if definition.text:
        rows = [r for r in rows if r["text"]]
        if not rows:
            return cell_of()
        chosen = min(rows, key=_order)
        return cell_of(text=chosen["text"], figure_ids=[chosen["id"]], suspect=bool(chosen["suspect"]))
    rows = [r for r in rows if r["unit"] and (r["value"] is not None or r["low"] is not None)]
    if definition.metric == "compute":
        if precision is None:
            raise ValueError("compute needs a precision")
        return _compute_cell(rows, check_precision(precision), p_base)
    unit = definition.unit
    if not rows:
        return cell_of(unit=unit or None)
    chosen = min(rows, key=_order)
    if unit == "":  # a registry metric: the chosen figure's unit, the others converted within its dimension
        unit = chosen["unit"]
        if UNITS[unit].dimension == "compute":  # counted in TFLOPS (TOPS) under the P convention, as _ends does
            unit = compute_unit(chosen["precision"])
        rows = [r for r in rows if UNITS[r["unit"]].dimension == UNITS[unit].dimension]
    if unit is None:  # money: converted within its currency only, never across
        unit = CURRENCY_UNITS[UNITS[chosen["unit"]].currency or ""]
        rows = [r for r in rows if CURRENCY_UNITS[UNITS[r["unit"]].currency or ""] == unit]
    return _cell_from(chosen, rows, rows, unit, "", "", p_base)


def family_cell(kb: KnowledgeBase, entity: str, spec: str, precision: str | None = None, p_base: int = 1000) -> Cell | None:
    """`spec` as the record standing for `entity`'s generation or series reports it (the catalog's
    `generation`), chosen by the same rule and labelled 'family-level: <name>' (tier 'family'); None when
    there is no such record or it reports none. A model's own figure always comes first (`cell`)."""
    generation = (kb.entity(entity) or {}).get("generation")
    if not generation:
        return None
    found = _own_cell(kb, generation, spec, precision, p_base)
    if found.ends() is None and found.text is None:
        return None
    record = kb.entity(generation) or {}
    name = record.get("name_zh") or generation
    label = f"family-level: {name}" + (f", {found.label}" if found.label else "")
    return found.updated(label=label, tier="family")


def family_cells(kb: KnowledgeBase, entity: str) -> dict[str, Cell]:
    """Every metric the record for `entity`'s generation reports and `entity` does not, as `family_cell`
    chooses it (compute, which needs a precision, and descriptive text are left to the tools that ask)."""
    generation = (kb.entity(entity) or {}).get("generation")
    if not generation:
        return {}
    own = {r["metric"] for r in kb.figures(entity) if r["period"] is None}
    wanted = dict.fromkeys(r["metric"] for r in kb.figures(generation) if r["period"] is None)
    out: dict[str, Cell] = {}
    for metric in wanted:
        if metric in own or metric in MODEL_ONLY or kb.metrics[metric]["descriptive"]:
            continue
        found = family_cell(kb, entity, metric)
        if found is not None:
            out[metric] = found
    return out


def cells(kb: KnowledgeBase, entity: str, specs: Iterable[str], precision: str, p_base: int = 1000) -> dict[str, Cell]:
    return {spec: cell(kb, entity, spec, precision, p_base) for spec in specs}


def _compute_cell(rows: list[dict[str, Any]], precision: str, p_base: int) -> Cell:
    unit = compute_unit(precision)
    at = [r for r in rows if r["precision"] and precision in r["precision"].split("/")]
    groups = {
        "dense": [r for r in at if r["sparsity"] == "dense"],
        "unstated": [r for r in at if not r["sparsity"]],
        "sparse": [r for r in at if r["sparsity"] == "sparse"],
    }
    unlabeled = [r for r in rows if not r["precision"]]
    # A vector-unit figure answers only where the chip prints no matrix (tensor or unstated) figure at the
    # precision, dense, unstated or sparse: it is a smaller quantity, not another reading of the headline.
    for matrix in (True, False):
        for allow_suspect in (False, True):
            for tier in ("dense", "unstated", "sparse"):
                usable = [r for r in groups[tier] if (allow_suspect or not r["suspect"]) and (r["engine"] != "vector") == matrix]
                if usable:
                    return _compute_from(min(usable, key=_order), groups[tier], at, tier, unit, precision, p_base)
    if unlabeled:
        return _compute_from(min(unlabeled, key=_order), unlabeled, unlabeled, "unlabeled", unit, precision, p_base)
    return cell_of(unit=unit)


def _compute_from(
    chosen: dict[str, Any], peers: list[dict[str, Any]], rivals: list[dict[str, Any]], tier: str, unit: str, precision: str, p_base: int
) -> Cell:
    label = _LABELS[tier].format(p=precision.upper())  # the reading asked for; the figure says its own (FP16/BF16)
    off = off_engine(chosen["engine"], precision)
    if chosen["engine"] == "vector" or off:
        label += f" ({chosen['engine']} units)"
    out = _cell_from(chosen, peers, rivals, unit, tier, label, p_base)
    if off:
        out.engine = off
    return out


# Precisions whose headline figures are of vector units (a GPU's FP32 and FP64); every other precision's
# headline is of matrix (tensor) units.
VECTOR_HEADLINE = frozenset({"fp32", "fp64"})


def off_engine(engine: str | None, precision: str) -> str:
    """The figure's engine where it is not the kind of unit the precision's headline figures are of (an FP32
    figure of tensor units, an FP16 one of vector units): another quantity, ranked apart; "" otherwise
    (an engine not printed reads as the headline's)."""
    if engine == "tensor" and precision in VECTOR_HEADLINE:
        return "tensor"
    if engine == "vector" and precision not in VECTOR_HEADLINE:
        return "vector"
    return ""


def _cell_from(
    chosen: dict[str, Any], peers: list[dict[str, Any]], rivals: list[dict[str, Any]], unit: str, tier: str, label: str, p_base: int
) -> Cell:
    """`peers`: figures of the same step (those equal to the chosen one are cited with it); `rivals`: every
    candidate figure, whose disagreements with the chosen one become claims."""
    ends = _ends(chosen, unit, p_base)
    agreeing = [r["id"] for r in peers if r["id"] != chosen["id"] and not r["suspect"] and _ends(r, unit, p_base) == ends]
    if chosen["alternatives"]:
        label = f"{label}; a/b configurations" if label else "a/b configurations"
    out = cell_of(
        unit=unit, label=label, bound=chosen["bound"], figure_ids=[chosen["id"], *agreeing], suspect=bool(chosen["suspect"]), tier=tier
    )
    if ends[0] == ends[1] and not chosen["alternatives"]:
        out.value = ends[0]
    else:
        out.low, out.high = ends
    claims = _claims(chosen, rivals, unit, p_base)
    if len(claims) > 1:
        out.claims = claims
        lows = [end for c in claims if (end := c.low if c.value is None else c.value) is not None]
        highs = [end for c in claims if (end := c.high if c.value is None else c.value) is not None]
        out.span = [min(lows), max(highs)]
    return out


def _claims(chosen: dict[str, Any], rivals: list[dict[str, Any]], unit: str, p_base: int) -> list[Claim]:
    """Each value given by the figures the build links to `chosen` by disagreement, the chosen claim first.
    The link can cross the rule's steps (910B: 376 dense vs 320 with sparsity not printed)."""
    if chosen["conflict_group"] is None:
        return []
    linked = [chosen] + [
        r for r in rivals if r["conflict_group"] == chosen["conflict_group"] and r["id"] != chosen["id"] and not r["suspect"]
    ]  # a suspect figure is not a claim to weigh
    by_ends: dict[tuple[float | None, float | None], list[int]] = {}
    for row in linked:
        by_ends.setdefault(_ends(row, unit, p_base), []).append(row["id"])
    return [
        Claim(value=lo, figure_ids=ids) if lo == hi else Claim(low=lo, high=hi, figure_ids=ids) for (lo, hi), ids in by_ends.items()
    ]


def _ends(row: dict[str, Any], unit: str, p_base: int) -> tuple[float | None, float | None]:
    """The figure's ends in `unit`, tidied (None only for an end that is not a finite number)."""
    low = row["value"] if row["value"] is not None else row["low"]
    high = row["value"] if row["value"] is not None else row["high"]
    dimension = UNITS[row["unit"]].dimension
    if dimension == "money":
        converted = compute.convert_money_ends(low, high, row["unit"], unit)
    elif dimension == "compute":
        converted = compute.convert_ends(low, high, row["unit"], "TFLOPS", p_base)
    else:
        converted = compute.convert_ends(low, high, row["unit"], unit)
    return compute.tidy(converted[0]), compute.tidy(converted[1])


def _order(row: dict[str, Any]) -> tuple[Any, ...]:
    """Unsuspect first, then the build's preferred figure, tensor before vector, a value before an a/b pair, id."""
    return (bool(row["suspect"]), not row["preferred"], row["engine"] == "vector", bool(row["alternatives"]), row["id"])


def compute_offers(kb: KnowledgeBase, entity: str) -> list[Offer]:
    """Every (precision, sparsity) at which `entity` prints compute, in PRECISIONS order, unlabeled last."""
    offers: dict[tuple[str | None, str | None], Offer] = {}
    for row in kb.figures(entity, ["compute"]):
        if row["period"] is not None or row["unit"] is None:
            continue
        for part in row["precision"].split("/") if row["precision"] else [None]:
            offers.setdefault((part, row["sparsity"]), Offer(part, row["sparsity"])).figure_ids.append(row["id"])
    rank = {p: i for i, p in enumerate(PRECISIONS)}
    return sorted(offers.values(), key=lambda o: (rank.get(o.precision or "", len(rank)), o.sparsity or "~"))


def reported_precisions(kb: KnowledgeBase, entities: Iterable[str]) -> list[str]:
    """The precisions any of `entities` prints compute at (a printed 'FP16/BF16' counts for both)."""
    found = {p for e in entities for p in printed_precisions(kb, e)}
    return [p for p in PRECISIONS if p in found]


@per_knowledge_base
def printed_precisions(kb: KnowledgeBase, entity: str) -> frozenset[str]:
    """The precisions `entity` prints compute at: asked for every chip of every comparison and TPP."""
    return frozenset(o.precision for o in compute_offers(kb, entity) if o.precision)


def unused_forms(kb: KnowledgeBase, entity: str, precision: str) -> list[str]:
    """Compute `entity` reports that `cell` does not use at `precision`, each naming what would use it:
    a per-server figure (use_server_figure), a system's own figures (name the system)."""
    out: list[str] = []
    servers = [
        r
        for r in kb.figures(entity, ["server_compute"])
        if r["period"] is None and (not r["precision"] or precision in r["precision"].split("/"))
    ]
    if servers:
        out.append(f"a per-server figure '{servers[0]['printed']}' (used with use_server_figure=true)")
    for system in kb.systems_with_chip(entity):
        if precision in printed_precisions(kb, system):
            out.append(f"the system {system} reports {precision.upper()} compute (name it to use its own figures)")
    return out


def composition_cell(kb: KnowledgeBase, system: str, spec: str, precision: str | None = None, p_base: int = 1000) -> Cell | None:
    """Σ count × each part's cell: what a system's composition implies; None when it has no reported
    composition or a part lacks the spec."""
    parts = kb.parts(system)
    if not parts or SPECS[spec].text or SPECS[spec].unit is None:
        return None
    part_cells = [cell(kb, p["chip"], spec, precision, p_base) for p in parts]
    ends = [e for c in part_cells if (e := c.ends()) is not None]
    if len(ends) < len(part_cells):
        return None
    low, high = compute.interval_sum_of_products([e[0] for e in ends], [e[1] for e in ends], [p["count"] for p in parts])
    described: list[str] = []
    for part, part_cell in zip(parts, part_cells, strict=True):
        entity = kb.entity(part["chip"]) or {"name_zh": part["chip"]}
        described.append(f"{part['count']} × {entity['name_zh']}" + (f" {part_cell.label}" if part_cell.label else ""))
    tiers = {c.tier for c in part_cells}
    out = Cell(
        unit=part_cells[0].unit,
        label="from parts: " + " + ".join(described),
        figure_ids=sorted({i for c in part_cells for i in c.figure_ids}),
        suspect=any(c.suspect for c in part_cells),
        tier=tiers.pop() if len(tiers) == 1 else "mixed",
    )
    low, high = compute.tidy(low), compute.tidy(high)
    if low == high:
        out.value = low
    else:
        out.low, out.high = low, high
    return out


@dataclass(frozen=True)
class DerivedDef:
    numerator: str
    denominator: str
    unit: str  # {c}: the compute unit (TFLOPS or TOPS); {cur}: the price's currency
    higher_is_better: bool


DERIVED: dict[str, DerivedDef] = {
    "tflops_per_w": DerivedDef("compute_tflops", "power", "{c}/W", True),
    "w_per_tflops": DerivedDef("power", "compute_tflops", "W/{c}", False),
    "bandwidth_per_tflops": DerivedDef("memory_bandwidth_gbs", "compute_tflops", "GB/s per {c}", True),
    "gb_per_tflops": DerivedDef("memory_gb", "compute_tflops", "GB per {c}", True),
    "price_per_tflops": DerivedDef("price", "compute_tflops", "{cur} per {c}", False),
}


def power_cell(specs: dict[str, Cell]) -> Cell:
    """A chip's power is its TDP; a system's, its reported system power."""
    tdp = specs.get("tdp_w")
    return tdp if tdp is not None and tdp.ends() is not None else specs.get("system_power_w") or Cell(unit="W")


def derived_cell(name: str, specs: dict[str, Cell]) -> Cell:
    """A ratio of two chosen cells (`specs` holds compute_tflops at the precision wanted), both ends kept.
    It carries the compute cell's label, and suspect=True with a note when either figure is suspect."""
    definition = DERIVED[name]

    def pick(key: str) -> Cell:
        return power_cell(specs) if key == "power" else specs.get(key) or Cell()

    numerator, denominator = pick(definition.numerator), pick(definition.denominator)
    compute_cell_ = specs.get("compute_tflops") or Cell()
    unit = definition.unit.format(c=compute_cell_.unit or "TFLOPS", cur=specs["price"].unit if "price" in specs else "")
    out = divide_cells(numerator, denominator, unit, compute_cell_.label)
    out.tier = compute_cell_.tier
    if compute_cell_.engine:
        out.engine = compute_cell_.engine
    if out.suspect:
        out.note = "built on a suspect figure"
    return out


def is_planned(kb: KnowledgeBase, cell: Cell) -> bool:
    """Whether a figure behind `cell` is a plan (basis plan: a product not shipped at its source's date, a
    roadmap rack): an answer that shows the cell, or a number built on it, says so."""
    return any(f["basis"] == "plan" for f in kb.figures_by_ids(cell.figure_ids))


def labelled_if_planned(kb: KnowledgeBase, cell: Cell) -> Cell:
    """`cell`, its label ending in 'planned' where is_planned (a copy: the chosen cell is shared)."""
    if not is_planned(kb, cell):
        return cell
    return cell.updated(label=f"{cell.label}; planned" if cell.label else "planned")


def row_cell(row: dict[str, Any], unit: str, p_base: int = 1000) -> Cell:
    """One given figure as a cell in `unit` (a report's own total, read beside what is computed)."""
    ends = _ends(row, unit, p_base)
    precision = (row["precision"] or "").upper()
    label = ", ".join(
        x
        for x in (precision or ("precision not printed" if SPECS["compute_tflops"].metric == row["metric"] else ""), row["sparsity"])
        if x
    )
    out = Cell(unit=unit, label=label, bound=row["bound"], figure_ids=[row["id"]], suspect=bool(row["suspect"]))
    if ends[0] == ends[1] and not row["alternatives"]:
        out.value = ends[0]
    else:
        out.low, out.high = ends
    return out
