"""estimate_cluster: cards, servers, compute, memory, power, energy and its cost for a chip or a system — a
training job or a reported training run recomputed — with every reported figure that answers the same
question shown beside the computed one (tools/reconcile.py)."""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar, Literal, NotRequired, TypedDict, cast

from pydantic import Field

from chipmcp.core import compute
from chipmcp.errors import InputError
from chipmcp.kb.store import KnowledgeBase, display_name
from chipmcp.reasoning import selection
from chipmcp.reasoning.cells import Cell, Model, divide_cells, rescale_cell, scale_cell
from chipmcp.reasoning.selection import check_precision, compute_unit
from chipmcp.tools._answer_parts import (
    Derived,
    Detail,
    Figure,
    NameMatch,
    OmitsNewWhenEmpty,
    Page,
    SourceRef,
)
from chipmcp.tools._common import (
    CHIP_OR_SYSTEM,
    call_of,
    describe,
    figure,
    ids,
    match_line,
    number,
    page,
    resolve,
    source_lines,
    source_refs,
)
from chipmcp.tools._estimate_arguments import EstimateClusterArguments, per_server, question, server_figure, sized
from chipmcp.tools._reconcile import Reconciliation, reconcile, reconcile_totals
from chipmcp.tools.lookup import resolve_chip
from chipmcp.tools.registry import Tool


class TrainingJob(Model):
    parameters: float
    tokens: float
    mfu: float
    total_flop: float
    days: float
    gpu_hours: float
    price_per_gpu_hour: float | None
    cost: float | None
    currency_note: str


class WorkloadFacts(OmitsNewWhenEmpty):
    """A reported training run recomputed by the compute core, beside what the reports print."""

    omit_empty: ClassVar[frozenset[str]] = frozenset(
        {"energy_mwh", "energy_cost", "energy_cost_unit", "trained_on", "equivalent_gpu_hours"}
    )

    id: str
    name: str
    trained_on: str | None = Field(
        default=None, description="The chip the run ran on, as a report names it: its GPU hours, cards and energy are that chip's"
    )
    phases: list[dict[str, float | str | None]] = Field(
        default_factory=list, description="Per phase: GPU hours, price per GPU hour, computed and reported cost"
    )
    total_gpu_hours: float | None = Field(default=None, description="The GPU hours the reports give, on the chip the run ran on")
    equivalent_gpu_hours: float | None = Field(
        default=None,
        description="On another chip: total GPU hours × the run's chip's peak ÷ this chip's peak, at the precision asked",
    )
    wall_clock_days: float | None = Field(
        default=None,
        description="GPU hours (equivalent ones on another chip) ÷ count ÷ 24: every card busy throughout; "
        "none when the hours cannot be put on these cards",
    )
    computed_total_cost: float | None = None
    cost_unit: str | None = None
    implied_mfu_low: float | None = Field(default=None, description="Implied MFU for the longest reported duration")
    implied_mfu_high: float | None = Field(default=None, description="Implied MFU for the shortest reported duration")
    figure_ids: list[int] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    energy_mwh: float | None = Field(
        default=None, description="total GPU hours × the power of the chip the run ran on (× 1 + power_overhead)"
    )
    energy_cost: float | None = Field(default=None, description="energy_mwh × 1000 × electricity_price")
    energy_cost_unit: str | None = None
    # Why an implied MFU is not a result (above 100%: the cards cannot do the run in its days); the answer's warnings carry it.
    infeasible: str | None = Field(default=None, exclude=True)
    chip_name: str | None = Field(default=None, exclude=True)  # the name of `trained_on`, for the text
    elsewhere: bool = Field(default=False, exclude=True)  # the cards asked are not the chip the run ran on


class ClusterEstimate(OmitsNewWhenEmpty):
    omit_empty: ClassVar[frozenset[str]] = frozenset({"grouping", "not_used"})

    target: str = Field(description="Chip or system id the estimate is for")
    name: str
    match: NameMatch
    detail: Detail = "summary"
    mode: Literal["count", "target_pflops", "memory"]
    precision: str
    per_card: dict[str, Cell] = Field(description="Per-card (per-chip) figures used, as the selection rule chose them")
    figure_ids: list[int]
    cards: int
    servers: int
    cards_per_server: int
    compute_pflops: Cell = Field(description="Peak compute of all cards (1P = p_base T); a range keeps both ends")
    effective_pflops: Cell = Field(description="compute × utilization")
    memory_tb: Cell
    memory_bandwidth_tbs: Cell
    chip_power_kw: Cell = Field(description="The accelerators' power; each contested TDP claim gives its own total")
    system_power_kw: Cell
    energy_per_day_mwh: Cell = Field(description="system power × 24 h")
    energy_cost_per_day: Cell = Field(default_factory=Cell, description="energy × electricity_price, in `currency`")
    energy_cost_per_year: Cell = Field(default_factory=Cell, description="energy cost per day × 365")
    reconciliation: list[Reconciliation] = Field(
        default_factory=list, description="Reported figures answering the same question, beside the computed ones"
    )
    weights_fit: str | None = None
    min_cards_for_weights: int | None = Field(default=None, description="Fewest cards whose memory holds the weights")
    training: TrainingJob | None = None
    workload: WorkloadFacts | None = None
    reported: list[Figure] = Field(default_factory=list, description="System figures the reports print")
    reported_page: Page | None = None
    implied_per_chip: list[Derived] = Field(default_factory=list, description="A system's reported totals divided by its chip count")
    grouping: str = Field(
        default="",
        description="The unit cards are grouped in, when a report gives one (a rack, pod, superpod), and the cards left over",
    )
    not_used: list[str] = Field(default_factory=list, description="Each argument given but not used, and why")
    assumptions: list[str]
    warnings: list[str]
    sources: list[SourceRef]
    summary: str


class Totals(TypedDict):
    """The totals of a ClusterEstimate, by its field names."""

    compute_pflops: Cell
    effective_pflops: Cell
    memory_tb: Cell
    memory_bandwidth_tbs: Cell
    chip_power_kw: Cell
    system_power_kw: Cell
    energy_per_day_mwh: Cell
    energy_cost_per_day: NotRequired[Cell]
    energy_cost_per_year: NotRequired[Cell]


PER_CARD = ("compute_tflops", "memory_gb", "memory_bandwidth_gbs", "interconnect_gbs", "tdp_w")


def estimate_cluster(kb: KnowledgeBase, args: EstimateClusterArguments) -> ClusterEstimate:
    asked = _resolve(kb, args)
    answer = _system_estimate(kb, asked.match, asked.q) if asked.is_system else _chip_estimate(kb, asked)
    _settle(answer, asked)
    answer.not_used = not_used(_given(args), answer, asked.is_system)
    answer.summary = _summary(answer)  # render: the headline here; the text block is `render`
    return answer


@dataclass(frozen=True)
class _Asked:
    """The question resolved: the entity, the question as the sizing reads it (`q`: the count a named run
    reports filled in, cards_per_server the grouping's size) and how the count was found."""

    match: NameMatch
    is_system: bool
    q: EstimateClusterArguments
    memory_only: bool  # parameters_billion alone: how many cards hold the weights
    group: "Grouping"
    count_line: str | None = None  # the count a named run reports, and the figure it is from
    count_figure: tuple[int, ...] = ()


def _resolve(kb: KnowledgeBase, args: EstimateClusterArguments) -> _Asked:
    """The entity, the card count a named run reports, the unit cards are grouped in; each argument checked."""
    match = resolve_chip(kb, args.chip, CHIP_OR_SYSTEM)
    entity = kb.entity(match.id)
    assert entity is not None
    memory_only = args.parameters_billion is not None and args.tokens_billion is None and args.mfu is None
    count, run = _count_asked(kb, args, memory_only)
    check_precision(args.precision)
    is_system = entity["entity_kind"] == "system"
    count_line, count_figure = None, []
    if run is not None:
        count, count_line = _run_count(kb, run, match, is_system)
        count_figure = [run.row["id"]]
    group = Grouping(args.cards_per_server or 8) if is_system else _grouping(kb, match.id, args.cards_per_server)
    q = question(args, match.id, count=count, cards_per_server=group.size)
    return _Asked(match, is_system, q, memory_only, group, count_line, tuple(count_figure))


def _count_asked(kb: KnowledgeBase, args: EstimateClusterArguments, memory_only: bool) -> tuple[int | None, "_RunCards | None"]:
    """The count given, or the cards a named run reports; exactly one of a count and a target (or the weights alone)."""
    count, run = args.count, None
    if count is None and args.target_pflops is None and args.workload is not None:
        run = _workload_count(kb, args.workload)
        count = run.cards
    if (count is not None and args.target_pflops is not None) or (count is None and args.target_pflops is None and not memory_only):
        raise InputError(
            "Give exactly one of `count` (cards, or systems for a system name) or `target_pflops` "
            "(or only `parameters_billion` to ask how many cards hold the weights)."
        )
    return count, run


def _settle(answer: ClusterEstimate, asked: _Asked) -> None:
    """The grouping cards come in, and the reported count a named run gave, said first among the assumptions."""
    group = asked.group
    if not asked.is_system:
        answer.grouping = group.describe(answer.cards)
    if asked.count_line:
        answer.assumptions.insert(0, asked.count_line)
        answer.figure_ids = sorted({*answer.figure_ids, *asked.count_figure})
    if group.line and answer.grouping:
        answer.assumptions = [a for a in answer.assumptions if a != f"{group.size} cards per server"] + [group.line]


def _given(args: EstimateClusterArguments) -> dict[str, Any]:
    """The arguments a call gave a value other than their default: each must be used or said to be unused."""
    # Every argument is a plain value (no model, no list), so the model's own values are what a dump gives.
    defaults = _argument_defaults()
    return {k: v for k, v in args.__dict__.items() if k != "chip" and v != defaults[k]}


@cache
def _argument_defaults() -> dict[str, Any]:
    return {k: f.get_default() for k, f in EstimateClusterArguments.model_fields.items()}


@dataclass(frozen=True)
class _RunCards:
    """The cards a reported run was trained on, as a report prints them, and the chip they were."""

    name: str
    cards: int
    row: dict[str, Any]
    trained_on: str | None


def _workload_count(kb: KnowledgeBase, name: str) -> _RunCards:
    """The cards a reported run was trained on, as a report prints it: the count the estimate takes."""
    match = resolve(kb, name, frozenset({"workload"}), "workload")
    rows = [r for r in kb.figures(match.id, ["accelerators_used"]) if r["value"] is not None and not r["suspect"]]
    if not rows:
        raise InputError(f"No card count is reported for {match.name}; give `count`.")
    row = min(rows, key=lambda r: (not r["preferred"], r["id"]))
    cards = round(float(compute.convert(row["value"], row["unit"], "count")))
    origin = kb.trained_on(match.id)
    return _RunCards(match.name, cards, row, origin["chip"] if origin else None)


def _run_count(kb: KnowledgeBase, run: _RunCards, match: NameMatch, is_system: bool) -> tuple[int, str]:
    """The count a run's cards give the entity asked: as many cards of a chip, or the systems whose
    composition holds them (rounded up) — a run's card count is never a count of systems."""
    row = run.row
    chips = sum(p["count"] for p in kb.parts(match.id)) if is_system else 0
    if chips:
        systems = math.ceil(run.cards / chips)
        return systems, (
            f"{number(systems)} systems: the {number(run.cards)} cards {run.name} reports ('{row['printed']}', "
            f"{row['source']}, #{row['id']}) ÷ {number(chips)} chips a system (composition as reported), rounded up"
        )
    line = f"{number(run.cards)} cards: the count {run.name} reports, '{row['printed']}' ({row['source']}, #{row['id']})"
    if run.trained_on is not None and run.trained_on != match.id and not is_system:
        line += f"; those were {_chip_name(kb, run.trained_on)} cards, and as many {match.name} cards are assumed"
    return run.cards, line


def _chip_name(kb: KnowledgeBase, chip: str) -> str:
    entity = kb.entity(chip)
    return display_name(entity) if entity else chip


@dataclass(frozen=True)
class Grouping:
    """The unit cards come in: a server of `cards_per_server`, or a system a report gives (a rack, pod, superpod)."""

    size: int
    name: str = ""  # the reported system, when the grouping is one
    line: str = ""
    system: str = ""  # its id: its own printed totals are shown beside the computed ones

    def describe(self, cards: int) -> str:
        if not self.name:
            return ""
        full, left = divmod(cards, self.size)
        text = f"{number(cards)} cards = {number(full)} × {self.name} ({number(self.size)} cards each)"
        if left:
            text += (
                f" + {number(left)} cards over: the count does not fill whole systems, so "
                f"{number(full + 1)} systems with the last one holding {number(left)} of {number(self.size)}"
            )
        return text


GROUPING_KINDS = ("server", "board", "rack", "supernode")  # a cluster is a deployment, not a unit cards come in


def _grouping(kb: KnowledgeBase, chip: str, cards_per_server: int | None) -> Grouping:
    """cards_per_server when given; else the smallest unit a report gives the chip in (a system of this chip
    alone, a server before a rack before a supernode); else 8-card servers."""
    if cards_per_server is not None:
        return Grouping(cards_per_server)
    units = []
    for system in kb.systems_with_chip(chip):
        parts, entity = kb.parts(system), kb.entity(system) or {}
        if len(parts) == 1 and entity.get("kind") in GROUPING_KINDS:
            units.append((GROUPING_KINDS.index(entity["kind"]), parts[0]["count"], entity, parts[0]))
    if not units:
        return Grouping(8)
    _, size, entity, part = min(units, key=lambda u: (u[0], u[1], u[2]["id"]))
    name = display_name(entity)
    return Grouping(
        size,
        name,
        f"grouped in {name} [{entity['id']}], {number(size)} cards each, as "
        f"{part['source']} gives its composition ('{part['printed']}'); cards_per_server "
        "sets another",
        entity["id"],
    )


# Why an argument given is not used, by the state of the answer it left untouched.
def not_used(given: dict[str, Any], e: ClusterEstimate, is_system: bool) -> list[str]:
    """Every argument given that the answer does not use, each with why: no input is dropped silently."""
    reasons = _sizing_reasons(e, is_system) | _energy_reasons(given, e, is_system) | _paging_reasons(e)
    if e.mode == "memory":  # no count: only how many cards hold the weights
        reasons |= _memory_only_reasons(e)
    reasons |= _training_reasons(e)
    return [f"{key} not used because {reasons[key]}" for key in given if reasons.get(key)]


def _sizing_reasons(e: ClusterEstimate, is_system: bool) -> dict[str, str | None]:
    no_compute = e.compute_pflops.ends() is None
    return {
        "use_server_figure": (
            "the estimate sizes by count, and the per-server figure sizes a target_pflops"
            if e.mode != "target_pflops"
            else "a system is sized by its own composition"
            if is_system
            else None
        ),
        "cards_per_server": "a system's composition gives its cards" if is_system else None,
        "utilization": "no compute figure to apply it to" if no_compute else None,
        "p_base": "no compute figure to convert" if no_compute and e.training is None else None,
        "price_per_gpu_hour": (
            "no training job was estimated (give parameters_billion, tokens_billion and mfu with a compute figure)"
            if e.training is None
            else None
        ),
    }


def _energy_reasons(given: dict[str, Any], e: ClusterEstimate, is_system: bool) -> dict[str, str | None]:
    no_energy_cost = e.energy_cost_per_day.ends() is None and (e.workload is None or e.workload.energy_cost is None)
    return {
        "currency": "no electricity_price was given" if "electricity_price" not in given else None,
        "electricity_price": "no power figure, so no energy cost" if no_energy_cost else None,
        "power_overhead": _power_overhead_reason(e, is_system),
    }


def _power_overhead_reason(e: ClusterEstimate, is_system: bool) -> str | None:
    reported = is_system and e.system_power_kw.ends() is not None and "power_overhead" not in (e.system_power_kw.label or "")
    if reported and _reported_power(e):
        return "the system's reported power is used"
    return "no power figure" if e.chip_power_kw.ends() is None else None


def _paging_reasons(e: ClusterEstimate) -> dict[str, str | None]:
    unpaged = e.reported_page is None or e.detail != "full"
    reason = "only a system's reported figures at detail='full' are paged" if unpaged else None
    return {"offset": reason, "limit": reason}


def _memory_only_reasons(e: ClusterEstimate) -> dict[str, str | None]:
    reasons: dict[str, str | None] = dict.fromkeys(
        ("utilization", "p_base", "power_overhead", "electricity_price", "currency"),
        "the estimate sizes memory only (give count for compute, power and energy totals)",
    )
    reasons["target_pflops"] = f"no {e.precision.upper()} compute figure for {e.name} to size it on; the estimate sizes memory only"
    return reasons


def _training_reasons(e: ClusterEstimate) -> dict[str, str | None]:
    why = (
        f"no {e.precision.upper()} compute figure for {e.name} to train on"
        if e.compute_pflops.ends() is None
        else "no memory figure to size the weights on"
    )
    return {
        key: None if e.training is not None or (key == "parameters_billion" and e.weights_fit) else why
        for key in ("parameters_billion", "tokens_billion", "mfu")
    }


def _reported_power(e: ClusterEstimate) -> bool:
    return any("system power is the reported" in a for a in e.assumptions)


def _chip_estimate(kb: KnowledgeBase, asked: _Asked) -> ClusterEstimate:
    match, q = asked.match, asked.q
    per = _per_card(kb, match.id, q)
    card = per["compute_tflops"].ends()
    if _weights_alone(asked, card is not None) and q.parameters_billion is not None:
        return _memory_only(kb, match, q, q.parameters_billion, per)
    if card is None and (q.target_pflops is not None or not _has_any_total(per)):
        raise InputError(_no_compute(kb, match, q.precision))
    assumptions = _chip_assumptions(q, card is not None)
    used = _first_figures(per.values())
    cards, servers = _chip_sizing(kb, q, per["compute_tflops"], assumptions, used)
    totals = _totals(per["compute_tflops"], per["memory_gb"], per["memory_bandwidth_gbs"], per["tdp_w"], None, cards, q)
    assumptions += _power_lines(q, totals, None)
    training = _chip_training(asked, cards, card, assumptions)
    fit, minimum = _chip_weights(q, per["memory_gb"], totals)
    facts = _chip_workload(kb, q, match.id, cards, per["compute_tflops"], assumptions)
    answer = ClusterEstimate(
        target=match.id,
        name=match.name,
        match=match,
        detail=q.detail,
        mode=_mode(q),
        precision=q.precision,
        per_card=_reported_only(per),
        figure_ids=[],
        cards=cards,
        servers=servers,
        cards_per_server=per_server(q),
        **totals,
        weights_fit=fit,
        min_cards_for_weights=minimum,
        training=training,
        workload=facts,
        assumptions=assumptions,
        warnings=_chip_warnings(kb, match, q.precision, per) + _run_warnings(facts),
        sources=[],
        summary="",
    )
    answer.reconciliation = reconcile(kb, q, answer)
    if asked.group.system and cards >= asked.group.size:  # cards filling a reported system: its own printed totals beside
        systems = q.model_copy(update={"chip": asked.group.system, "count": answer.servers, "target_pflops": None})
        answer.reconciliation += reconcile_totals(kb, systems, answer)
    return _cited(kb, answer, used + _run_figures(facts))


def _per_card(kb: KnowledgeBase, chip: str, q: EstimateClusterArguments) -> dict[str, Cell]:
    """Each per-card figure as the selection rule chooses it (compute at the precision asked)."""
    return {k: selection.cell(kb, chip, k, q.precision if k == "compute_tflops" else None, q.p_base) for k in PER_CARD}


def _first_figures(cells: Iterable[Cell]) -> list[int]:
    """The figure each cell is built on first: the figures an estimate uses."""
    return [i for c in cells for i in c.figure_ids[:1]]


def _run_figures(facts: WorkloadFacts | None) -> list[int]:
    return facts.figure_ids if facts else []


def _mode(q: EstimateClusterArguments) -> Literal["count", "target_pflops"]:
    return "count" if q.count is not None else "target_pflops"


def _weights_alone(asked: _Asked, has_compute: bool) -> bool:
    """No count (nor a compute figure to size a target on): how many cards hold the weights, by memory alone."""
    q = asked.q
    return asked.memory_only and q.count is None and (q.target_pflops is None or not has_compute)


def _chip_assumptions(q: EstimateClusterArguments, has_compute: bool) -> list[str]:
    if not has_compute:
        return [f"{q.cards_per_server} cards per server"]
    return [_p_line(q.p_base), f"utilization {q.utilization:g} applied to peak compute", f"{q.cards_per_server} cards per server"]


def _chip_training(asked: _Asked, cards: int, card: tuple[float, float] | None, assumptions: list[str]) -> TrainingJob | None:
    """A training job on the low end of the per-card compute (none without a compute figure)."""
    if card is None:
        return None
    q = asked.q
    parameters = None if asked.memory_only else q.parameters_billion
    return _training(cards, card[0], parameters, q.tokens_billion, q.mfu, q.price_per_gpu_hour, assumptions)


def _chip_workload(
    kb: KnowledgeBase, q: EstimateClusterArguments, chip: str, cards: int, card: Cell, assumptions: list[str]
) -> WorkloadFacts | None:
    """A reported run on these cards (the low end of a per-card compute range)."""
    if q.workload is None:
        return None
    return _workload(kb, q, cards, card, (chip,), assumptions)


def _run_warnings(facts: WorkloadFacts | None) -> list[str]:
    return [facts.infeasible] if facts is not None and facts.infeasible else []


def _chip_sizing(
    kb: KnowledgeBase, q: EstimateClusterArguments, card: Cell, assumptions: list[str], used: list[int]
) -> tuple[int, int]:
    """(cards, servers): the count asked, or those a target needs; the per-server figure a target is sized on is used."""
    if q.target_pflops is None:
        cards = _count(q)
        return cards, compute.servers_for_cards(cards, per_server(q))
    sized_on = sized(kb, q, card)
    ends = card.ends()
    if q.use_server_figure:
        row = server_figure(kb, q)
        used.append(row["id"])
        assumptions.append(f"servers from the report's per-server figure '{row['printed']}' ({row['source']}), rounded up")
    elif ends is not None and ends[0] != ends[1]:  # a target needs a compute figure: checked before
        assumptions.append(f"cards sized on the low end of the per-card range ({number(ends[0])}-{number(ends[1])} {card.unit})")
    return sized_on


def _chip_warnings(kb: KnowledgeBase, match: NameMatch, precision: str, per: dict[str, Cell]) -> list[str]:
    """How each per-card figure was chosen, where reports disagree, and the totals a missing figure leaves out."""
    warnings = [n for k in PER_CARD for n in _notes(per[k], k)] + _disagreements(per)
    if per["compute_tflops"].ends() is None:
        # Every other total still follows from the figures there are; the compute line says what is missing.
        warnings.insert(0, _no_compute(kb, match, precision, totals=True))
    for key, label in (("memory_gb", "memory"), ("memory_bandwidth_gbs", "memory bandwidth"), ("tdp_w", "power")):
        if per[key].ends() is None:
            warnings.append(f"no {label} figure reported for {match.name}; totals for it are omitted")
    return warnings


def _chip_weights(q: EstimateClusterArguments, memory: Cell, totals: Totals) -> tuple[str | None, int | None]:
    """Whether the weights of parameters_billion fit the cluster's memory, and the fewest cards that hold them."""
    memory_ends = memory.ends()
    if q.parameters_billion is None or memory_ends is None:
        return None, None
    need = compute.weights_memory_gb(q.parameters_billion * 1e9, compute.BYTES_PER_PARAMETER.get(q.precision, 2.0))
    held = _held_gb(totals)
    fit = (
        f"weights at {q.precision.upper()} need {number(round(need))} GB; the cluster has {number(held)} GB — "
        + ("they fit" if need <= held else "they do not fit")
        + " (weights only: no KV cache, activations or optimizer state)"
    )
    return fit, compute.cards_for_memory(need, memory_ends[0])


def _cited(kb: KnowledgeBase, answer: ClusterEstimate, used: list[int]) -> ClusterEstimate:
    """Figure ids and the sources behind them, the reconciliation's and the listed figures' included."""
    answer.figure_ids = sorted(set(used) | {r.figure_id for r in answer.reconciliation})
    shown = sorted(set(answer.figure_ids) | _cell_ids(answer))  # every figure a cell cites, agreeing ones included
    cited = [r["source"] for r in kb.figures_by_ids(shown)] + [f.source for f in answer.reported]
    run = kb.trained_on(answer.workload.id) if answer.workload is not None else None
    answer.sources = source_refs(kb, cited + ([run["source"]] if run else []))  # the report naming a run's chip
    planned = [r["id"] for r in kb.figures_by_ids(answer.figure_ids) if r["basis"] == "plan"]
    if planned:
        answer.warnings.append(f"built on planned figures, of a product not shipped at its source's date (figures {ids(planned)})")
    return answer


def _cell_ids(answer: ClusterEstimate) -> set[int]:
    """The figures the answer's cells cite (per card, the totals, a system's per-chip figures), each claim's too."""
    cells = [*answer.per_card.values(), *(getattr(answer, name) for name in Totals.__annotations__)]
    found = {i for cell in cells for i in cell.figure_ids}
    found |= {i for cell in cells for claim in cell.claims for i in claim.figure_ids}
    return found | {i for derived in answer.implied_per_chip for i in derived.figure_ids}


def _totals(
    compute_cell: Cell, memory: Cell, bandwidth: Cell, chip_power: Cell, system_power: Cell | None, n: int, q: EstimateClusterArguments
) -> Totals:
    """Every total of `n` cards (or systems) from per-unit cells: both ends of a range and every claim kept.
    System power is the reported per-system figure when given, else chip power × (1 + power_overhead)."""
    unit = "POPS" if compute_unit(q.precision) == "TOPS" else "PFLOPS"
    chip_kw = _scaled(chip_power, n, "kW")
    if system_power is not None:
        system_kw = _scaled(system_power, n, "kW")
    elif q.power_overhead:
        system_kw = _scaled(chip_power, n * (1.0 + q.power_overhead), "kW", label=f"chips × (1 + {q.power_overhead:g})")
    else:
        system_kw = chip_kw  # no overhead: the chips' power is the system's, the same product
    compute_total = _scaled(compute_cell, n, unit, q.p_base)
    out = Totals(
        compute_pflops=compute_total,
        # At full utilization the effective compute is the peak, the same product.
        effective_pflops=compute_total if q.utilization == 1 else _scaled(compute_cell, n * q.utilization, unit, q.p_base),
        memory_tb=_scaled(memory, n, "TB"),
        memory_bandwidth_tbs=_scaled(bandwidth, n, "TB/s"),
        chip_power_kw=chip_kw,
        system_power_kw=system_kw,
        energy_per_day_mwh=_rescaled(system_kw, compute.HOURS_PER_DAY / 1000, "MWh"),
    )
    if q.electricity_price is not None:
        per_day = _rescaled(system_kw, compute.HOURS_PER_DAY * q.electricity_price, q.currency)
        out["energy_cost_per_day"] = per_day
        out["energy_cost_per_year"] = _rescaled(per_day, compute.DAYS_PER_YEAR, q.currency)
    return out


def _scaled(cell: Cell, factor: float, unit: str, p_base: int = 1000, label: str | None = None) -> Cell:
    """scale_cell's total, or an empty cell when nothing was computed (nor is, from an empty cell)."""
    return _computed(scale_cell(cell, factor, unit, p_base, label)) if cell.ends() is not None else Cell()


def _rescaled(cell: Cell, factor: float, unit: str) -> Cell:
    """rescale_cell's total, or an empty cell when nothing was computed (nor is, from an empty cell)."""
    return _computed(rescale_cell(cell, factor, unit)) if cell.ends() is not None else Cell()


def _computed(total: Cell) -> Cell:
    """The total, or an empty cell when nothing was computed."""
    return total if total.ends() is not None else Cell()


def _held_gb(totals: Totals) -> float:
    """The cluster's memory in GB (NaN when no memory total was computed)."""
    ends = totals["memory_tb"].ends()
    return ends[0] * 1000 if ends is not None else math.nan


def _count(q: EstimateClusterArguments) -> int:
    """The count asked: the arguments require it wherever no target is given."""
    if q.count is None:
        raise InputError("Give `count` (cards or systems) or `target_pflops`.")
    return q.count


def _reported_only(cells: dict[str, Cell]) -> dict[str, Cell]:
    """The per-card cells that hold a figure (an empty one says nothing)."""
    return {k: c for k, c in cells.items() if c.ends() is not None or c.text}


def _power_lines(q: EstimateClusterArguments, totals: Totals, reported: str | None) -> list[str]:
    lines = []
    if reported:
        lines.append(reported)
    elif q.power_overhead:
        lines.append(f"system power = chip power × (1 + {q.power_overhead:g}) for cooling, CPUs, network")
    else:
        lines.append("system power counts the accelerators' power only (power_overhead = 0)")
    if totals["system_power_kw"].ends() is not None:
        lines.append(
            "energy = system power × 24 h a day"
            + (f"; cost at {number(q.electricity_price)} {q.currency}/kWh, 365 days a year" if q.electricity_price is not None else "")
        )
    elif q.electricity_price is not None:
        lines.append("no power figure, so no energy cost")
    return lines


def _notes(cell: Cell, key: str) -> list[str]:
    """What the reader must know about a per-card figure: how it was chosen, and when reports disagree."""
    out = []
    if key == "compute_tflops" and cell.tier in ("sparse", "unlabeled", "unstated"):
        out.append(f"compute is {cell.label}")
    if cell.suspect:
        out.append(f"{key}: a figure marked suspect is used")
    return out


def _disagreements(cells: dict[str, Cell]) -> list[str]:
    contested = [k for k, c in cells.items() if c.claims]
    return [f"reports disagree on {', '.join(contested)}: totals are given per claim, the preferred first"] if contested else []


def _p_line(p_base: int) -> str:
    return f"1 PFLOPS = {p_base} TFLOPS" + (" (the binary reading some report tables use)" if p_base == 1024 else "")


def _system_estimate(kb: KnowledgeBase, match: NameMatch, q: EstimateClusterArguments) -> ClusterEstimate:
    parts = kb.parts(match.id)
    if not parts:
        # No report gives its parts, and a system record names its chips only through them.
        raise InputError(
            f"{match.name} has no reported composition, and the knowledge base names no chip in it, so it cannot be "
            f"sized: ask estimate_cluster(chip=…) about the chip it holds by name; lookup_chip(name='{match.id}') "
            "shows what the reports give for the system."
        )
    chips = sum(p["count"] for p in parts)
    warnings: list[str] = []
    assumptions = [
        " + ".join(f"{p['count']} × {p['chip']}" for p in parts) + " per system (composition as reported)",
        _p_line(q.p_base),
        f"utilization {q.utilization:g}",
    ]
    # select: each per-system figure, the system's own first; the chips' power and the system's
    per_system = _system_per_unit(kb, match.id, q, assumptions, warnings)
    chip_power = selection.composition_cell(kb, match.id, "tdp_w") or Cell(unit="W")
    own_power = selection.cell(kb, match.id, "system_power_w")
    has_power = own_power.ends() is not None
    # compute: systems, totals, power, the chips' notes, a run and a training job on them
    systems = _system_count(kb, match, q, parts, per_system["compute_tflops"], warnings)
    totals = _totals(
        per_system["compute_tflops"],
        per_system["memory_gb"],
        per_system["memory_bandwidth_gbs"],
        chip_power,
        own_power if has_power else None,
        systems,
        q,
    )
    assumptions += _power_lines(q, totals, _system_power_line(kb, q, own_power, per_system["compute_tflops"], warnings))
    warnings += _part_notes(kb, q, parts)
    facts = _system_workload(kb, q, parts, per_system["compute_tflops"], systems, assumptions) if q.workload else None
    warnings += _run_warnings(facts)
    training, fit = _system_training(per_system, chips, systems, q, assumptions)
    answer = ClusterEstimate(
        target=match.id,
        name=match.name,
        match=match,
        detail=q.detail,
        mode=_mode(q),
        precision=q.precision,
        per_card=_reported_only(_single_part_per_card(kb, q, parts)),
        figure_ids=[],
        cards=chips * systems,
        servers=systems,
        cards_per_server=chips,
        **totals,
        workload=facts,
        training=training,
        weights_fit=fit,
        implied_per_chip=_implied_per_chip(kb, match.id, chips, q.p_base, q.detail == "full"),
        assumptions=assumptions,
        warnings=warnings,
        sources=[],
        summary="",
    )
    answer.reconciliation = reconcile(kb, q, answer)
    # page: the system's own reported figures
    answer.reported, answer.reported_page = _system_reported(kb, match.id, q, q.offset, q.limit)
    used = _first_figures([*per_system.values(), chip_power, own_power])
    return _cited(kb, answer, used + _run_figures(facts))


def _single_part_per_card(kb: KnowledgeBase, q: EstimateClusterArguments, parts: list[dict[str, Any]]) -> dict[str, Cell]:
    """The per-card figures of a system of one kind of chip (none for a system of several)."""
    if len(parts) != 1:
        return {}
    return _per_card(kb, parts[0]["chip"], q)


def _part_notes(kb: KnowledgeBase, q: EstimateClusterArguments, parts: list[dict[str, Any]]) -> list[str]:
    """How each part chip's compute figure was chosen, where that needs saying."""
    notes = []
    for part in parts:
        chosen = selection.cell(kb, part["chip"], "compute_tflops", q.precision, q.p_base)
        notes += [f"{part['chip']}: {n}" for n in _notes(chosen, "compute_tflops")]
    return notes


def _system_workload(
    kb: KnowledgeBase,
    q: EstimateClusterArguments,
    parts: list[dict[str, Any]],
    compute_cell: Cell,
    systems: int,
    assumptions: list[str],
) -> WorkloadFacts:
    """A reported run on the systems' chips: per-chip compute is the system's ÷ its chips."""
    chips = sum(p["count"] for p in parts)
    card = scale_cell(compute_cell, 1.0 / chips) if compute_cell.ends() is not None else Cell()
    return _workload(kb, q, chips * systems, card, tuple(p["chip"] for p in parts), assumptions)


def _system_per_unit(
    kb: KnowledgeBase, system: str, q: EstimateClusterArguments, assumptions: list[str], warnings: list[str]
) -> dict[str, Cell]:
    """Compute, memory and bandwidth of one system: its own reported figure when one is not suspect, else
    what its composition gives."""
    per_system: dict[str, Cell] = {}
    for spec in ("compute_tflops", "memory_gb", "memory_bandwidth_gbs"):
        own = selection.cell(kb, system, spec, q.precision if spec == "compute_tflops" else None, q.p_base)
        built = selection.composition_cell(kb, system, spec, q.precision if spec == "compute_tflops" else None, q.p_base) or Cell(
            unit=own.unit
        )
        if own.ends() is not None and not own.suspect:
            # The system's own reported figure comes first; its composition stands beside it (reconciliation).
            per_system[spec] = own.model_copy(update={"label": "system's own figure" + (f", {own.label}" if own.label else "")})
            assumptions.append(f"{spec}: the system's own {own.label or ''} figure".replace("  ", " "))
        else:
            if own.ends() is not None:
                warnings.append(f"{spec}: the system's own figure is marked suspect; its composition is used")
            per_system[spec] = built
    return per_system


def _system_count(
    kb: KnowledgeBase,
    match: NameMatch,
    q: EstimateClusterArguments,
    parts: list[dict[str, Any]],
    compute_cell: Cell,
    warnings: list[str],
) -> int:
    """The systems asked for, or those a target_pflops needs (which needs a compute figure)."""
    if compute_cell.ends() is None:
        if q.target_pflops is not None:
            raise InputError(
                f"No {q.precision.upper()} compute figure for {match.name} or its chips; reported "
                f"precisions: {', '.join(selection.reported_precisions(kb, [match.id, parts[0]['chip']])) or 'none'}."
            )
        warnings.append(f"no {q.precision.upper()} compute figure for the system or its chips; compute totals omitted")
    if q.target_pflops is not None and (ends := compute_cell.ends()) is not None:  # no figure: raised above
        return compute.cards_for_target(q.target_pflops, ends[0], q.utilization, q.p_base)
    return _count(q)


def _system_power_line(
    kb: KnowledgeBase, q: EstimateClusterArguments, own_power: Cell, compute_cell: Cell, warnings: list[str]
) -> str | None:
    """The system's reported power and its W per unit of compute; without one, a warning that chips' power is used."""
    if own_power.ends() is None:
        warnings.append(
            "no system power reported; power is the chips' power" + (" × (1 + power_overhead)" if q.power_overhead else " only")
        )
        return None
    row = kb.figures_by_ids(own_power.figure_ids[:1])[0]
    line = f"system power is the reported '{row['printed']}' ({row['source']}) per system"
    w_per = divide_cells(own_power, compute_cell, f"W/{compute_unit(q.precision)}")
    if (w_ends := w_per.ends()) is not None:
        line += (
            f" → {number(w_ends[0])}"
            + (f"-{number(w_ends[1])}" if w_per.value is None else "")
            + f" W per {q.precision.upper()} {compute_unit(q.precision)}"
        )
    return line


def _system_reported(kb: KnowledgeBase, system: str, q: EstimateClusterArguments, offset: int, limit: int) -> tuple[list[Figure], Page]:
    """The system's reported figures: a page of them at detail='full', else the call that lists them."""
    rows = kb.figures(system)
    call = call_of(
        "estimate_cluster",
        chip=system,
        count=q.count,
        target_pflops=q.target_pflops,
        precision=q.precision if q.precision != "fp16" else None,
    )
    if q.detail == "full":
        return page([figure(r, kb) for r in rows], offset, limit, "full", call, "figure rows")
    return [], Page(
        total=len(rows),
        returned=0,
        more=(f"the system's {len(rows)} reported figures: ask {call}, detail='full') or lookup_chip(name='{system}')"),
    )


def _system_training(
    per_system: dict[str, Cell], chips: int, systems: int, q: EstimateClusterArguments, assumptions: list[str]
) -> tuple[TrainingJob | None, str | None]:
    """A training job on the system's own compute (its per-system figure ÷ its chips, the low end of a range),
    and whether the weights fit its memory: the same questions a chip answers, asked of the whole system."""
    per_chip = per_system["compute_tflops"].ends()
    training = None
    if q.tokens_billion is not None or q.mfu is not None:
        if per_chip is None:
            return None, None  # not_used says the system has no compute to train on
        training = _training(
            chips * systems, per_chip[0] / chips, q.parameters_billion, q.tokens_billion, q.mfu, q.price_per_gpu_hour, assumptions
        )
        assumptions.append(
            f"per-chip compute for training = the system's {number(per_chip[0])} {per_system['compute_tflops'].unit} ÷ {chips} chips"
        )
    memory = per_system["memory_gb"].ends()
    if q.parameters_billion is None or memory is None:
        return training, None
    need = compute.weights_memory_gb(q.parameters_billion * 1e9, compute.BYTES_PER_PARAMETER.get(q.precision, 2.0))
    held = memory[0] * systems
    return training, (
        f"weights at {q.precision.upper()} need {number(round(need))} GB; {number(systems)} system(s) "
        f"hold {number(held)} GB — "
        + ("they fit" if need <= held else "they do not fit")
        + " (weights only: no KV cache, activations or optimizer state)"
    )


def _implied_per_chip(kb: KnowledgeBase, system: str, chips: int, p_base: int, full: bool) -> list[Derived]:
    """What the system's own reported totals say about one chip: total ÷ chips per system (at summary detail
    once per value; every figure at full)."""
    units = {"compute": "TFLOPS", "memory_capacity": "GB", "system_power": "W"}
    out: list[Derived] = []
    seen: set[tuple[str, float]] = set()
    for row in kb.figures(system, list(units)):
        if row["value"] is None or not row["preferred"] or row["period"] is not None:
            continue
        total = selection.row_cell(row, units[row["metric"]], p_base)
        per_chip = scale_cell(total, 1.0 / chips)
        key = (row["metric"], compute.tidy(per_chip.value, 3) or 0.0)
        if key in seen and not full:
            continue
        seen.add(key)
        out.append(
            Derived(
                name=f"{row['metric']} per chip",
                value=per_chip.value,
                unit=units[row["metric"]],
                figure_ids=[row["id"]],
                note=f"'{row['printed']}' ({row['source']}) ÷ {chips} chips" + (f", {row['precision']}" if row["precision"] else ""),
            )
        )
    return out


def _empty_totals(q: EstimateClusterArguments) -> Totals:
    return Totals(
        compute_pflops=Cell(),
        effective_pflops=Cell(),
        memory_tb=Cell(),
        memory_bandwidth_tbs=Cell(),
        chip_power_kw=Cell(),
        system_power_kw=Cell(),
        energy_per_day_mwh=Cell(),
    )


def _has_any_total(per: dict[str, Cell]) -> bool:
    return any(per[k].ends() is not None for k in ("memory_gb", "memory_bandwidth_gbs", "tdp_w"))


def _no_compute(kb: KnowledgeBase, match: NameMatch, precision: str, totals: bool = False) -> str:
    """What the estimate can use instead: only precisions the rule finds a figure at, and other forms.
    `totals`: the other totals are given, so the line says only what compute is missing and where it is."""
    usable = []
    for p in selection.reported_precisions(kb, [match.id]):
        c = selection.cell(kb, match.id, "compute_tflops", p)
        usable.append(p if c.tier in ("dense", "unstated") else f"{p} ({c.label.split(' ', 1)[1]})")
    if totals:
        text = (
            f"compute: no {precision.upper()} compute figure is reported for {match.name}, so compute totals "
            "are omitted (memory, power and energy are given)"
        )
        return text + (
            f"; it reports compute at: {', '.join(usable)} — pass one as `precision`"
            if usable
            else "; it reports no compute figure at all"
        )
    text = f"No {precision.upper()} compute figure for {match.name}."
    text += (
        f" It reports compute at: {', '.join(usable)} — pass one as `precision`." if usable else " It reports no compute figure at all."
    )
    others = selection.unused_forms(kb, match.id, precision)
    if others:
        text += " Also reported: " + "; ".join(others) + "."
    systems = kb.systems_with_chip(match.id)
    if systems:  # a system built of it may report its own compute (the S5000's 10,000-card cluster: 10 EFLOPS)
        text += (
            " Systems built of it, which may report their own: "
            + ", ".join(f"estimate_cluster(chip='{system}', count=…)" for system in systems[:_SYSTEMS_LISTED])
            + "."
        )
    text += " For whether a model's weights fit, give `parameters_billion` alone (no compute needed)."
    return text


_SYSTEMS_LISTED = 4  # systems named in a refusal for want of a chip's compute figure


def _memory_only(
    kb: KnowledgeBase, match: NameMatch, q: EstimateClusterArguments, parameters_billion: float, per: dict[str, Cell]
) -> ClusterEstimate:
    """Do the weights fit in `count` cards, and how many cards hold them — memory alone, no compute figure."""
    memory = per["memory_gb"]
    ends = memory.ends()
    if ends is None:
        raise InputError(f"No memory capacity is reported for {match.name}, so weights cannot be sized on it.")
    bytes_per = compute.BYTES_PER_PARAMETER[q.precision]
    need = compute.weights_memory_gb(parameters_billion * 1e9, bytes_per)
    minimum = compute.cards_for_memory(need, ends[0])
    cards = q.count if q.count is not None else minimum
    totals = _empty_totals(q)
    totals["memory_tb"] = scale_cell(memory, cards, "TB")
    held = _held_gb(totals)
    fit = (
        f"weights of {parameters_billion:g}B parameters at {q.precision.upper()} ({bytes_per:g} bytes each) need "
        f"{number(round(need))} GB; {number(ends[0])} GB per card → at least {minimum} cards"
        + (f"; {cards} cards hold {number(held)} GB — " + ("they fit" if need <= held else "they do not fit") if q.count else "")
        + " (weights only: no KV cache, activations or optimizer state)"
    )
    answer = ClusterEstimate(
        target=match.id,
        name=match.name,
        match=match,
        detail=q.detail,
        mode="count" if q.count else "memory",
        precision=q.precision,
        per_card=_reported_only(per),
        figure_ids=[],
        cards=cards,
        servers=compute.servers_for_cards(cards, per_server(q)),
        cards_per_server=per_server(q),
        **totals,
        weights_fit=fit,
        min_cards_for_weights=minimum,
        assumptions=[f"{bytes_per:g} bytes per parameter at {q.precision.upper()}", "memory-only sizing: no compute figure used"],
        warnings=_notes(memory, "memory_gb"),
        sources=[],
        summary="",
    )
    return _cited(kb, answer, memory.figure_ids[:1])


def _training(
    cards: int,
    card_tflops: float,
    parameters_billion: float | None,
    tokens_billion: float | None,
    mfu: float | None,
    price: float | None,
    assumptions: list[str],
) -> TrainingJob | None:
    given = [parameters_billion, tokens_billion, mfu]
    if all(v is None for v in given):
        return None
    if parameters_billion is None or tokens_billion is None or mfu is None:
        raise InputError("A training estimate needs parameters_billion, tokens_billion and mfu together.")
    job = compute.estimate_training(parameters_billion * 1e9, tokens_billion * 1e9, cards, card_tflops, mfu, price)
    assumptions.append(f"training FLOPs = 6 × parameters × tokens; MFU {mfu:g}")
    return TrainingJob(
        parameters=parameters_billion * 1e9,
        tokens=tokens_billion * 1e9,
        mfu=mfu,
        total_flop=job.total_flop,
        days=round(job.days, 3),
        gpu_hours=round(job.gpu_hours, 1),
        price_per_gpu_hour=price,
        cost=None if job.cost is None else round(job.cost, 2),
        currency_note="cost is in the currency of price_per_gpu_hour",
    )


def _workload(
    kb: KnowledgeBase, q: EstimateClusterArguments, cards: int, card: Cell, here: tuple[str, ...], assumptions: list[str]
) -> WorkloadFacts:
    """A reported run on these cards (`here`: the chips they are): its GPU hours as wall-clock days — through
    a stated compute ratio when the run ran on another chip — and cost, its energy on the chip it ran on, and
    the MFU its FLOPs and days imply on these cards."""
    assert q.workload is not None
    match = resolve(kb, q.workload, frozenset({"workload"}), "workload")
    rows = kb.figures(match.id)
    origin = kb.trained_on(match.id)
    facts = WorkloadFacts(id=match.id, name=match.name)
    if origin is not None:
        facts.trained_on, facts.chip_name = origin["chip"], _chip_name(kb, origin["chip"])
        facts.elsewhere = here != (origin["chip"],)
    hours = _usable(rows, "gpu_hours")
    if hours:
        ratio = _hours_ratio(kb, facts, origin, card, q, assumptions)
        _run_hours(facts, hours, _usable(rows, "gpu_hour_price"), _usable(rows, "training_cost"), cards, ratio, assumptions)
    ends = card.ends()
    _implied_mfu(facts, rows, cards, ends[0] if ends else math.nan, card.unit or compute_unit(q.precision))
    if not facts.notes and not facts.phases and not facts.infeasible:
        facts.notes.append("the reports give no GPU hours, nor total FLOPs with a duration, for it")
    _workload_energy(facts, selection.cell(kb, origin["chip"], "tdp_w") if origin else Cell(), q, assumptions)
    return facts


def _hours_ratio(
    kb: KnowledgeBase,
    facts: WorkloadFacts,
    origin: dict[str, Any] | None,
    card: Cell,
    q: EstimateClusterArguments,
    assumptions: list[str],
) -> float | None:
    """What one GPU hour of the run's own chip is in hours of these cards: 1 on its own chip; on another, its
    peak ÷ this one's at the precision asked (an assumption said, both figures cited); None when no report
    names the chip it ran on, or either peak is missing or not a dense one."""
    if origin is None:
        facts.notes.append("the reports do not name the chip its GPU hours were on, so they are not turned into days on these cards")
        return None
    if not facts.elsewhere:
        return 1.0
    theirs = selection.cell(kb, origin["chip"], "compute_tflops", q.precision, q.p_base)
    ran = f"its GPU hours are {facts.chip_name}'s, the chip it ran on ('{origin['printed']}', {origin['source']})"
    mine, them = card.ends(), theirs.ends()
    unfit = {"sparse", "unlabeled"}
    if them is None or theirs.tier in unfit or mine is None or card.tier in unfit:
        lacking = facts.chip_name if them is None or theirs.tier in unfit else "these cards"
        facts.notes.append(f"{ran}; no dense {q.precision.upper()} peak for {lacking} to convert them by, so no days on these cards")
        return None
    ratio = them[0] / mine[0]
    cited = [*theirs.figure_ids[:1], *card.figure_ids[:1]]
    facts.figure_ids += cited
    unit = card.unit or compute_unit(q.precision)
    assumptions.append(
        f"{facts.name}: {ran}; on these cards they are scaled by its {number(them[0])} ÷ these cards' "
        f"{number(mine[0])} {unit} {q.precision.upper()} peak ({ids(cited)}) = ×{ratio:.4g}, assuming the run "
        "reaches the same fraction of peak on both chips"
    )
    return ratio


def _usable(rows: list[dict[str, Any]], metric: str) -> list[dict[str, Any]]:
    """One trustworthy figure per phase (note): suspect and non-preferred figures are left out."""
    kept: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["metric"] == metric and r["value"] is not None and not r["suspect"] and r["preferred"]:
            kept.setdefault(r["note"] or "", r)
    return list(kept.values())


def _whole_run(row: dict[str, Any]) -> bool:
    return row["measure"] == "whole-run" or (row["note"] or "").lower().startswith(("whole", "total"))


def _run_hours(
    facts: WorkloadFacts,
    hours: list[dict[str, Any]],
    prices: list[dict[str, Any]],
    costs: list[dict[str, Any]],
    cards: int,
    ratio: float | None,
    assumptions: list[str],
) -> None:
    """The run's GPU hours, phase by phase (a whole-run total is noted, not added), its days on `cards` (its
    hours × `ratio`, the hours of these cards one of its own is; none without one) and its cost."""
    gpu_hours = compute.as_array([compute.convert(r["value"], r["unit"], "GPU-hour") for r in hours])
    price = prices[0] if prices else None
    for row, hrs in zip(hours, gpu_hours, strict=True):
        if _whole_run(row):
            facts.notes.append(f"reported total GPU hours: '{row['printed']}' ({row['source']})")
        else:
            facts.phases.append(_phase(row, float(hrs), price))
    phase_hours = compute.as_array([cast(float, p["gpu_hours"]) for p in facts.phases]) if facts.phases else gpu_hours
    facts.total_gpu_hours = float(phase_hours.sum())
    if ratio is not None:
        here = facts.total_gpu_hours
        if facts.elsewhere:
            here = facts.equivalent_gpu_hours = round(facts.total_gpu_hours * ratio, 1)
        facts.wall_clock_days = round(compute.wall_clock_days(here, cards), 2)
        assumptions.append(
            f"{facts.name} wall-clock days = its {'equivalent ' if facts.elsewhere else ''}GPU hours ÷ {number(cards)} "
            "cards ÷ 24 h (every card busy for the whole run, no restarts)"
        )
    facts.figure_ids += [r["id"] for r in hours + costs]
    facts.notes += [f"reported cost ({c['note']}): '{c['printed']}' ({c['source']})" for c in costs]
    if price:
        facts.computed_total_cost = float(compute.gpu_hour_cost(phase_hours, float(price["value"])).sum())
        facts.cost_unit = price["unit"]
        facts.figure_ids.append(price["id"])
        facts.notes.append(f"cost = GPU hours × {price['printed']} per GPU hour ({price['source']})")


def _phase(row: dict[str, Any], hours: float, price: dict[str, Any] | None) -> dict[str, float | str | None]:
    phase: dict[str, float | str | None] = {"phase": row["note"] or "run", "gpu_hours": hours}
    if price:
        phase |= {
            "price_per_gpu_hour": float(price["value"]),
            "computed_cost": float(compute.gpu_hour_cost(compute.as_array(hours), float(price["value"]))),
        }
    return phase


def _implied_mfu(facts: WorkloadFacts, rows: list[dict[str, Any]], cards: int, card_tflops: float, unit: str) -> None:
    """The MFU a run's reported total FLOPs and training days imply on these cards (both ends of a day range).
    Above 1 it is no result: the cards cannot do the run in that time, and `infeasible` says so."""
    flop = [r for r in rows if r["metric"] == "training_compute" and r["value"] is not None]
    days = [r for r in rows if r["metric"] == "training_days"]
    if not (flop and days and math.isfinite(card_tflops)):
        return
    d = days[0]
    span_days = compute.convert(compute.as_array(_row_ends(d)), d["unit"], "day")
    total = float(compute.convert(flop[0]["value"], flop[0]["unit"], "FLOP"))
    mfu = compute.implied_mfu(total, cards, card_tflops, span_days)
    high, low = round(float(mfu[0]), 4), round(float(mfu[1]), 4)
    facts.figure_ids += [flop[0]["id"], d["id"]]
    work = f"{number(total)} FLOP ('{flop[0]['printed']}')"
    on = f"{number(cards)} cards × {number(card_tflops)} {unit}"
    if high > 1:
        shortest, longest = (float(x) for x in span_days)
        reported = f"{number(shortest)} days" if shortest == longest else f"{number(shortest)}-{number(longest)} days"
        fastest = compute.days_at_mfu(total, cards, card_tflops, 1.0)
        facts.infeasible = (
            f"{facts.name} is infeasible on these cards: {work} in its reported {reported} ('{d['printed']}') would need "
            f"MFU {low:.1%}-{high:.1%} of {on} (#{flop[0]['id']}, #{d['id']}); above 100% is impossible, so these cards "
            f"cannot do the run in {'that time' if low > 1 else 'the shorter of those times'} — at 100% of peak it takes at "
            f"least {number(math.ceil(fastest))} days"
        )
        return
    facts.implied_mfu_high, facts.implied_mfu_low = high, low
    facts.notes.append(f"implied MFU = {work} / ({on} × {d['printed']})")


def _row_ends(row: dict[str, Any]) -> list[float]:
    """A figure's low and high ends: its value at both ends when it is not a range."""
    return [row["low"] if row["low"] is not None else row["value"], row["high"] if row["high"] is not None else row["value"]]


def _workload_energy(facts: WorkloadFacts, card_power: Cell, q: EstimateClusterArguments, assumptions: list[str]) -> None:
    """A reported run's energy from its own GPU hours on the chip it ran on: hours × that chip's power
    (× 1 + power_overhead), and at electricity_price its cost — the run's hours, not the cluster's days, so
    neither the count nor the chip asked enters."""
    power = card_power.ends()
    if not facts.total_gpu_hours or power is None:
        return
    watts = power[0] * (1.0 + q.power_overhead)
    facts.energy_mwh = compute.tidy(facts.total_gpu_hours * watts / 1e6, 6)
    line = (
        f"{facts.name} energy = its {number(facts.total_gpu_hours)} GPU hours × {number(power[0])} W a card"
        + (f" of {facts.chip_name}, the chip it ran on" if facts.elsewhere else "")
        + (f" × (1 + {q.power_overhead:g})" if q.power_overhead else "")
        + (" (the low end of the card's power range)" if power[0] != power[1] else "")
    )
    if q.electricity_price is not None and facts.energy_mwh is not None:
        facts.energy_cost = compute.tidy(facts.energy_mwh * 1000 * q.electricity_price, 6)
        facts.energy_cost_unit = q.currency
        line += f"; cost at {number(q.electricity_price)} {q.currency}/kWh"
    facts.figure_ids += card_power.figure_ids[:1]
    assumptions.append(line)


def _total_text(cell: Cell) -> str:
    ends = cell.ends()
    if ends is None:
        return "none"
    shown = number(ends[0]) if ends[0] == ends[1] else f"{number(ends[0])}-{number(ends[1])}"
    return f"{shown} {cell.unit or ''}".strip()


def _summary(e: ClusterEstimate) -> str:
    unit = "systems" if e.reported_page is not None or e.grouping else "servers"
    text = f"{number(e.cards)} × {e.name} ({number(e.servers)} {unit})" + "".join(_totals_phrases(e))
    if e.min_cards_for_weights is not None:
        text += f"; the weights need at least {number(e.min_cards_for_weights)} cards"
    if e.training:
        text += f"; training ≈ {number(e.training.days)} days"
    text += "".join(_workload_phrases(e.workload) if e.workload else [])
    text += "".join(
        f"; the report prints {_total_text(r.reported)} ({r.source})"
        for r in e.reconciliation
        if r.difference_pct and r.output == "servers"
    )
    return text + "."


def _totals_phrases(e: ClusterEstimate) -> list[str]:
    said = []
    if e.compute_pflops.ends() is not None:
        said.append(f": {_total_text(e.compute_pflops)} {_peak_reading(e)}")
    if e.memory_tb.ends() is not None:
        said.append(f", {_total_text(e.memory_tb)} memory")
    if e.system_power_kw.ends() is not None:
        said.append(f", {_total_text(e.system_power_kw)}, {_total_text(e.energy_per_day_mwh)}/day")
    if e.energy_cost_per_year.ends() is not None:
        said.append(f", {_total_text(e.energy_cost_per_year)}/year for electricity")
    return said


def _peak_reading(e: ClusterEstimate) -> str:
    """What the compute total is, when the rule took a figure other than a dense one at the precision."""
    label = e.compute_pflops.label
    if "precision not printed" in label:
        return f"peak of a figure with no printed precision (used for {e.precision.upper()})"
    if "sparse" in label:
        return f"{e.precision.upper()} peak, sparse as printed"
    return f"{e.precision.upper()} peak"


def _workload_phrases(w: WorkloadFacts) -> list[str]:
    """The summary's words on a reported run: its days on these cards, its cost, energy and implied MFU."""
    said = []
    if w.wall_clock_days is not None:
        said.append(
            f"; {w.name} ≈ {number(w.wall_clock_days)} days on these cards"
            + (f" (its {w.chip_name} GPU hours scaled by peak compute)" if w.elsewhere else "")
        )
    if w.computed_total_cost is not None:
        whose = f" from its {w.chip_name} GPU hours" if w.elsewhere else ""
        said.append(f"; cost recomputed{whose}: {number(w.computed_total_cost)} {w.cost_unit}")
    if w.energy_mwh is not None:
        said.append(
            f"; {w.name} used ≈ {number(w.energy_mwh)} MWh"
            + (f" on its {w.chip_name} cards" if w.elsewhere else "")
            + (f", {number(w.energy_cost)} {w.energy_cost_unit} of electricity" if w.energy_cost is not None else "")
        )
    if w.implied_mfu_low is not None and w.implied_mfu_high is not None:
        said.append(f"; {w.name} implied MFU {w.implied_mfu_low:.1%}-{w.implied_mfu_high:.1%}")
    if w.infeasible:
        said.append(f"; {w.name} is infeasible on these cards in its reported time (an implied MFU above 100%: see warnings)")
    return said


def cell_text(cell: Cell) -> str:
    """A cell with everything it carries: value or range, unit, bound, label, figures, claims, note."""
    if cell.text is not None:
        return cell.text
    bound = {"approx": "≈", "over": ">", "at_least": "≥", "at_most": "≤", "under": "<"}.get(cell.bound or "", "")
    tags = [t for t in (cell.label, ids(cell.figure_ids), "SUSPECT" if cell.suspect else "", cell.note) if t]
    if cell.claims:
        tags.append(
            "per claim "
            + " / ".join(
                f"{_total_text(Cell(value=c.value, low=c.low, high=c.high, unit=cell.unit))} ({ids(c.figure_ids)})" for c in cell.claims
            )
        )
    if cell.span:
        tags.append(f"span {number(cell.span[0])}-{number(cell.span[1])}")
    return bound + _total_text(cell) + (f" [{'; '.join(tags)}]" if tags else "")


TOTALS = (
    "compute_pflops",
    "effective_pflops",
    "memory_tb",
    "memory_bandwidth_tbs",
    "chip_power_kw",
    "system_power_kw",
    "energy_per_day_mwh",
    "energy_cost_per_day",
    "energy_cost_per_year",
)


def render(e: ClusterEstimate) -> str:
    """The text block: every field of the estimate, numbers as `common.number` writes them."""
    n = number
    unit = "systems of" if e.reported_page is not None or e.grouping else "servers of"
    lines = [
        e.summary,
        f"Estimate for {e.name} [{e.target}], mode {e.mode}, precision {e.precision}, detail "
        f"{e.detail}: {n(e.cards)} cards, {n(e.servers)} {unit} {n(e.cards_per_server)}.",
        *match_line(e.match),
    ]
    lines += _totals_lines(e)
    lines += [_reconciliation_line(r) for r in e.reconciliation]
    lines += [f"Implied per chip: {d.name} {n(d.value)} {d.unit} ({ids(d.figure_ids)}; {d.note})" for d in e.implied_per_chip]
    lines += _weights_lines(e)
    lines += [_training_line(e.training)] if e.training else []
    lines += _workload_lines(e.workload) if e.workload else []
    lines += _reported_lines(e)
    lines += _closing_lines(e)
    return "\n".join(lines)


def _totals_lines(e: ClusterEstimate) -> list[str]:
    lines = []
    if e.per_card:
        lines.append("Per card: " + "; ".join(f"{k} {cell_text(c)}" for k, c in e.per_card.items() if c.ends() is not None or c.text))
    shown = [f"{k} {cell_text(c)}" for k in TOTALS if (c := getattr(e, k)).ends() is not None]
    if shown:
        lines.append("Totals: " + "; ".join(shown))
    return lines


def _reconciliation_line(r: Reconciliation) -> str:
    n = number
    diff = (
        (
            f"differs {n(r.difference_pct[0])}%"
            + (f" to {n(r.difference_pct[1])}%" if r.difference_pct[1] != r.difference_pct[0] else "")
        )
        if r.difference_pct
        else ""
    )
    return (
        f"Reported beside computed — {r.output}, {r.question}: report {_said_or_missing(r.reported)} "
        f"('{r.printed}' {r.source} / {r.locator}); computed {_said_or_missing(r.computed)}"
        + (f"; {diff}" if diff else "")
        + f". {r.convention}"
        + (f" Reproduce: {r.reproduce}." if r.reproduce else "")
    )


def _said_or_missing(cell: Cell) -> str:
    """A cell as cell_text writes it, or, when it holds no value, 'nothing' and why."""
    if cell.ends() is not None or cell.text is not None:
        return cell_text(cell)
    return "nothing" + (f" ({cell.label})" if cell.label else "")


def _weights_lines(e: ClusterEstimate) -> list[str]:
    lines = [e.weights_fit] if e.weights_fit else []
    if e.min_cards_for_weights is not None:
        lines.append(f"Minimum cards for the weights: {number(e.min_cards_for_weights)}.")
    return lines


def _training_line(t: TrainingJob) -> str:
    n = number
    return (
        f"Training: {n(t.parameters)} parameters, {n(t.tokens)} tokens, MFU {n(t.mfu)}: "
        f"{n(t.total_flop)} FLOP, {n(t.days)} days, {n(t.gpu_hours)} GPU hours"
        + (f", {n(t.price_per_gpu_hour)} per GPU hour" if t.price_per_gpu_hour is not None else "")
        + (f", cost {n(t.cost)}" if t.cost is not None else "")
        + f" ({t.currency_note})"
    )


def _workload_lines(w: WorkloadFacts) -> list[str]:
    n = number
    said = [
        f"total {n(w.total_gpu_hours)} GPU hours" + (f" on {w.chip_name}" if w.chip_name else "")
        if w.total_gpu_hours is not None
        else "no GPU hours reported"
    ]
    said += [f"{n(w.equivalent_gpu_hours)} equivalent GPU hours on these cards"] if w.equivalent_gpu_hours is not None else []
    said += [f"wall-clock {n(w.wall_clock_days)} days"] if w.wall_clock_days is not None else []
    said += [f"computed cost {n(w.computed_total_cost)} {w.cost_unit}"] if w.computed_total_cost is not None else []
    if w.implied_mfu_low is not None and w.implied_mfu_high is not None:
        said.append(f"implied MFU {n(w.implied_mfu_low)}-{n(w.implied_mfu_high)}")
    lines = [f"Workload {w.name} [{w.id}]: " + ", ".join(said) + (f" ({ids(w.figure_ids)})" if w.figure_ids else "")]
    lines += [
        "- " + ", ".join(f"{k} {n(v) if isinstance(v, int | float) else v}" for k, v in p.items() if v is not None) for p in w.phases
    ]
    if w.energy_mwh is not None:
        lines.append(
            f"- energy {n(w.energy_mwh)} MWh"
            + (f", electricity cost {n(w.energy_cost)} {w.energy_cost_unit}" if w.energy_cost is not None else "")
        )
    return lines + [f"- {note}" for note in w.notes]


def _reported_lines(e: ClusterEstimate) -> list[str]:
    lines = ["Reported system figures:", *(describe(f) for f in e.reported)] if e.reported else []
    if e.reported_page is not None:
        p = e.reported_page
        lines.append(
            f"Reported system figures listed: {number(p.returned)} of {number(p.total)} (offset {number(p.offset)})"
            + (f". More: {p.more}" if p.more else "")
            + "."
        )
    return lines


def _closing_lines(e: ClusterEstimate) -> list[str]:
    """Grouping, assumptions, arguments not used, warnings, the figures and sources behind it all."""
    lines = [f"Grouping: {e.grouping}."] if e.grouping else []
    lines.append("Assumptions: " + "; ".join(e.assumptions))
    if e.not_used:
        lines.append("Not used: " + "; ".join(e.not_used) + ".")
    if e.warnings:
        lines.append("Warnings: " + "; ".join(e.warnings))
    lines.append(f"Figures used: {ids(e.figure_ids)}.")
    lines.append(source_lines(e.sources))
    return lines


TOOL = Tool(
    name="estimate_cluster",
    title="Estimate a cluster",
    description="Cards and servers for a PFLOPS target, or totals (compute, memory, power, energy) for N cards.",
    example={"chip": "MTT S4000", "target_pflops": 1000},
    arguments=EstimateClusterArguments,
    answer=ClusterEstimate,
    run=estimate_cluster,
    render=render,
)
