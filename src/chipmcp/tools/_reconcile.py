"""Reported figures beside computed ones: the one relation between an estimate's outputs and the figures of
the same metric on the same entity that answer the same question.

A metric declares in knowledge/metrics.toml which estimate output its figures report (`estimate = { output
= "servers", target_pflops = 1000, cards_per_server = 8 }`: 千P算力8卡机台数; `{ output = "compute_pflops",
count = 1 }`: a system's compute). Any figure of such a metric on the estimated entity is shown beside the
output when it answers the estimate's question — the same target (千P read either way) or, for totals, per
`count` of the entity scaled to the systems asked — with the difference and the reading that reconciles
them, found by re-running the sizing under the conventions reports use (1P = 1024T, the per-server figure,
a binary 千P, rounding of the printed digits, a system's power beyond its chips'). A new report's row of such
a metric is picked up with no code change.

Chips: a per-card figure of a `count` metric is the estimate's own input, so only `target_pflops` relations
apply. Systems: `count` relations compare the printed total with what the composition gives.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import Field

from chipmcp.core import compute
from chipmcp.errors import InputError
from chipmcp.kb.store import KnowledgeBase, display_name
from chipmcp.reasoning import selection
from chipmcp.reasoning.cells import Cell, Model, cells_differ_by, scale_cell
from chipmcp.tools._common import call_of, number
from chipmcp.tools._estimate_arguments import EstimateClusterArguments, server_figure, sized


class Estimated(Protocol):
    """What a reconciliation reads of the estimate it reconciles (the estimate module's ClusterEstimate)."""

    cards: int
    servers: int
    per_card: dict[str, Cell]


class Reconciliation(Model):
    """A reported figure that answers the same question as one of the estimate's outputs (the metric's
    `estimate` relation in metrics.toml), beside what the estimate computes, and what reconciles them."""

    output: str = Field(description="The estimate field it answers: servers, compute_pflops, system_power_kw, …")
    question: str = Field(description="What the figure answers, e.g. '8-card servers for 1000 PFLOPS (FP16)'")
    figure_id: int
    printed: str
    source: str
    locator: str
    reported: Cell = Field(description="The figure, scaled to this estimate's question (× systems)")
    computed: Cell = Field(description="What the estimate computes for it from per-card figures or composition")
    difference_pct: list[float] | None = Field(default=None, description="(reported − computed) ÷ computed, per end, in %")
    convention: str = Field(description="What reconciles the two numbers, or why they cannot be compared")
    reproduce: str = Field(default="", description="A call whose output equals the printed figure, when one exists")


# Each output of a system total: the spec its composition is summed from, that spec's unit, and the total's.
COMPOSED = {
    "compute_pflops": ("compute_tflops", "TFLOPS", "PFLOPS"),
    "memory_tb": ("memory_gb", "GB", "TB"),
    "memory_bandwidth_tbs": ("memory_bandwidth_gbs", "GB/s", "TB/s"),
    "system_power_kw": ("tdp_w", "W", "kW"),
}


def reconcile(kb: KnowledgeBase, q: EstimateClusterArguments, answer: Estimated, totals_only: bool = False) -> list[Reconciliation]:
    relations = {m["id"]: m for m in kb.metrics.values() if m["estimate"] and (not totals_only or m["estimate"]["output"] in COMPOSED)}
    is_system = (kb.entity(q.chip) or {}).get("entity_kind") == "system"
    out: list[Reconciliation] = []
    seen: set[str] = set()
    for row in _printed(kb, q, sorted(relations)):
        metric = relations[row["metric"]]
        output = metric["estimate"]["output"]
        if q.detail != "full" and output in seen:
            continue  # summary: one printed figure per output; every one at detail='full'
        entry = _entry(_Beside(kb, q, answer, row, metric), is_system)
        if entry is not None:
            seen.add(output)
            out.append(entry)
    return out


def reconcile_totals(kb: KnowledgeBase, q: EstimateClusterArguments, answer: Estimated) -> list[Reconciliation]:
    """The printed totals of the system `q.chip` (compute, memory, bandwidth, power) beside what its composition
    gives, for `answer.servers` of it: the estimate of a chip's cards grouped in that system (384 × 910C, one
    CloudMatrix 384, whose 559.4 kW counts more than its chips)."""
    return reconcile(kb, q, answer, totals_only=True)


def _printed(kb: KnowledgeBase, q: EstimateClusterArguments, metrics: list[str]) -> list[dict[str, Any]]:
    """The entity's figures of these metrics that answer the question at its precision, the one a reader would
    cite first first: unsuspect, preferred, dense, then in file order."""
    if not metrics:  # no metric relates its figures to an estimate (kb.figures would read [] as every metric)
        return []
    rows = [
        r for r in kb.figures(q.chip, metrics) if r["period"] is None and r["unit"] and (r["value"] is not None or r["low"] is not None)
    ]
    rows = _at_precision(rows, q.precision)
    rows.sort(key=lambda r: (bool(r["suspect"]), not r["preferred"], r["sparsity"] != "dense", r["id"]))
    return rows


def _at_precision(rows: list[dict[str, Any]], precision: str) -> list[dict[str, Any]]:
    """The figures printed at the precision; a figure printing none only where its metric has none at it."""
    at_precision = {r["metric"] for r in rows if r["precision"] and precision in r["precision"].split("/")}
    return [r for r in rows if (precision in r["precision"].split("/") if r["precision"] else r["metric"] not in at_precision)]


@dataclass(frozen=True)
class _Beside:
    """One printed figure beside the estimate: what each step of its reconciliation reads — the knowledge
    base, the question as the estimate sized it, the estimate, the figure's row and its metric."""

    kb: KnowledgeBase
    q: EstimateClusterArguments
    answer: Estimated
    row: dict[str, Any]
    metric: dict[str, Any]

    @property
    def relation(self) -> dict[str, Any]:
        """The metric's `estimate` relation (metrics.toml): the output it reports and the question it answers."""
        return self.metric["estimate"]


def _entry(beside: _Beside, is_system: bool) -> Reconciliation | None:
    """The figure beside the output it reports: a target's cards or servers, or a system's total."""
    relation = beside.relation
    if relation.get("target_pflops") is not None:
        return _target_entry(beside)
    if is_system and relation["output"] in COMPOSED:
        return _total_entry(beside)
    return None


def _citation(row: dict[str, Any]) -> dict[str, Any]:
    return {"figure_id": row["id"], "printed": row["printed"], "source": row["source"], "locator": row["locator"]}


def _difference(computed: Cell, reported: Cell) -> list[float] | None:
    differs = cells_differ_by(computed, reported)
    return None if differs is None else [round(d, 2) for d in differs]


def _target_entry(beside: _Beside) -> Reconciliation | None:
    kb, q, answer, row, metric, relation = beside.kb, beside.q, beside.answer, beside.row, beside.metric, beside.relation
    target = float(relation["target_pflops"])
    if not _asks_target(q, relation, target):
        return None
    output = relation["output"]
    computed_value = answer.servers if output == "servers" else answer.cards
    reported = selection.row_cell(row, row["unit"])
    used = answer.per_card.get("compute_tflops", Cell()).figure_ids[:1]
    computed = Cell(
        value=computed_value,
        unit=row["unit"],
        figure_ids=used,
        label=("from the per-server figure" if q.use_server_figure else "from per-card figures") + f", 1P = {q.p_base}T",
    )
    convention, reproduce = _target_convention(_readings(kb, q, target, output), q, computed_value, reported.value)
    return Reconciliation(
        output=output,
        question=f"{metric['label_en']} ({(row['precision'] or q.precision).upper()})",
        **_citation(row),
        reported=reported,
        computed=computed,
        difference_pct=_difference(computed, reported),
        convention=convention,
        reproduce=reproduce,
    )


def _asks_target(q: EstimateClusterArguments, relation: dict[str, Any], target: float) -> bool:
    """Whether the estimate asks the relation's question: its target (千P read either way), at its server size."""
    if q.target_pflops is None or not any(abs(q.target_pflops - t) < 1e-9 for t in (target, target * q.p_base / 1000)):
        return False
    return not (relation.get("cards_per_server") and relation["cards_per_server"] != q.cards_per_server)


def _target_convention(
    readings: list[tuple[list[str], EstimateClusterArguments, int]],
    q: EstimateClusterArguments,
    computed_value: int,
    printed: float | None,
) -> tuple[str, str]:
    """The reading that reproduces the printed count (the one changing least), or the nearest when none does."""
    exact = [(changes, alt) for changes, alt, value in readings if value == printed]
    if any(not changes for changes, _ in exact):
        return "Agrees: the estimate reads the question as the report does.", ""
    if exact:
        changes, alt = min(exact, key=lambda e: len(e[0]))
        return (
            f"Computed {number(computed_value)} {_how(q)}; the report prints {number(printed)}: it {' and '.join(changes)}.",
            _call(alt),
        )
    changes, alt, value = min(readings, key=lambda r: (abs(r[2] - (printed or 0)), len(r[0])))
    return (
        f"Computed {number(computed_value)} {_how(q)}; no reading reproduces the printed "
        f"{number(printed)} exactly — the nearest ({' and '.join(changes) or 'as asked'}, "
        f"{_call(alt)}) gives {number(value)}: the report rounds differently.",
        "",
    )


def _how(q: EstimateClusterArguments) -> str:
    return f"at 1P = {q.p_base}T from " + ("the per-server figure" if q.use_server_figure else "per-card figures")


def _readings(
    kb: KnowledgeBase, q: EstimateClusterArguments, target: float, output: str
) -> list[tuple[list[str], EstimateClusterArguments, int]]:
    """The sizing re-run under each convention reports use, with what each changes from the question asked."""
    has_server = any(r["value"] is not None for r in kb.figures(q.chip, ["server_compute"]))
    out = []
    for p_base in (1000, 1024):
        card = selection.cell(kb, q.chip, "compute_tflops", q.precision, p_base)
        for goal in dict.fromkeys((target, target * p_base / 1000)):
            for server in (False, True) if has_server else (False,):
                if card.ends() is None and not server:
                    continue
                alt = q.model_copy(update={"p_base": p_base, "target_pflops": goal, "use_server_figure": server})
                try:
                    cards, servers = sized(kb, alt, card)
                except InputError:
                    continue
                out.append((_changes(kb, q, alt, target), alt, servers if output == "servers" else cards))
    return out


def _changes(kb: KnowledgeBase, q: EstimateClusterArguments, alt: EstimateClusterArguments, target: float) -> list[str]:
    """What a re-run reading changes from the question asked, in words."""
    changes = []
    if alt.target_pflops != q.target_pflops:  # a binary 千P comes only with binary prefixes
        changes.append(
            f"reads prefixes as powers of 1024 (1P = {alt.p_base}T, {number(target)} PFLOPS = "
            f"{number(target / 1000)} EFLOPS = {number(alt.target_pflops)} PFLOPS)"
        )
    elif alt.p_base != q.p_base:
        changes.append(f"reads 1P as {alt.p_base}T")
    if alt.use_server_figure != q.use_server_figure:
        row = server_figure(kb, alt) if alt.use_server_figure else None
        changes.append(
            f"sizes from the per-server figure '{row['printed']}' ({row['source']}), rounding servers up"
            if row
            else "sizes from per-card figures"
        )
    return changes


def _call(q: EstimateClusterArguments, **extra: Any) -> str:
    target = q.target_pflops
    return (
        call_of(
            "estimate_cluster",
            chip=q.chip,
            count=q.count,
            target_pflops=int(target) if target is not None and float(target).is_integer() else target,
            precision=q.precision if q.precision != "fp16" else None,
            p_base=q.p_base if q.p_base != 1000 else None,
            use_server_figure=True if q.use_server_figure else None,
            **extra,
        )
        + ")"
    )


def _total_entry(beside: _Beside) -> Reconciliation:
    kb, q, answer, row, metric = beside.kb, beside.q, beside.answer, beside.row, beside.metric
    output = beside.relation["output"]
    spec, base, total_unit = COMPOSED[output]
    unit = getattr(answer, output).unit or total_unit
    systems = answer.servers / beside.relation["count"]
    reported = scale_cell(selection.row_cell(row, base, q.p_base), systems, unit, q.p_base)
    built = selection.composition_cell(kb, q.chip, spec, q.precision if spec == "compute_tflops" else None, q.p_base)
    overhead = 1.0 + q.power_overhead if spec == "tdp_w" else 1.0
    computed = (
        scale_cell(built, systems * overhead, unit, q.p_base) if built is not None else Cell(unit=unit, label="its parts report none")
    )
    question = (
        f"{metric['label_en']}"
        + (f" ({row['precision'].upper()})" if row["precision"] else "")
        + f" of {number(answer.servers)} × {display_name(kb.entity(q.chip) or {'name_zh': q.chip, 'name_en': ''})}"
    )
    convention, reproduce = _total_convention(beside, built, spec, base)
    if row["suspect"]:
        convention = f"The printed figure is marked suspect ({row['note']}). " + convention
    return Reconciliation(
        output=output,
        question=question,
        **_citation(row),
        reported=reported,
        computed=computed,
        difference_pct=_difference(computed, reported),
        convention=convention,
        reproduce=reproduce,
    )


def _total_convention(beside: _Beside, built: Cell | None, spec: str, base: str) -> tuple[str, str]:
    q, row = beside.q, beside.row
    ends = built.ends() if built is not None else None
    if ends is None:
        return _no_composition(q, row, beside.metric, spec), ""
    total = _Total(row, base, ends, q.p_base)
    if row["value"] is None:
        return "The printed figure is a range; compare its ends with the computed ones.", ""
    if compute.printed_agrees(row["value"], row["printed"], row["bound"], total.per_system):
        how = "lies within the range its parts give" if total.is_range else "is that number as the report rounds it"
        return f"Agrees: the composition gives {total.shown} {row['unit']} a system; the printed '{row['printed']}' {how}.", ""
    other = _OTHER_READINGS.get(spec)
    found = other(beside, total) if other is not None else None
    return found or (
        f"The composition gives {total.shown} {row['unit']} a system; no convention reproduces the printed "
        f"'{row['printed']}': the system's own figure is used.",
        "",
    )


def _no_composition(q: EstimateClusterArguments, row: dict[str, Any], metric: dict[str, Any], spec: str) -> str:
    return (
        f"Its parts report no {metric['label_en']}"
        + (f" at {q.precision.upper()}" if spec == "compute_tflops" else "")
        + (
            ": nothing to compare, and a suspect figure is not used in the totals."
            if row["suspect"]
            else ": the printed figure is the only one, used as printed."
        )
    )


class _Total:
    """A system total as its composition gives it (`ends`, in `base` units) beside the printed figure (`row`)."""

    def __init__(self, row: dict[str, Any], base: str, ends: tuple[float, float], p_base: int):
        self.row, self.base, self.ends = row, base, ends
        in_printed_unit = compute.convert(list(ends), base, row["unit"], p_base)
        self.per_system = (float(in_printed_unit[0]), float(in_printed_unit[1]))

    @property
    def is_range(self) -> bool:
        return self.per_system[0] != self.per_system[1]

    @property
    def shown(self) -> str:
        low, high = self.per_system
        return f"{number(compute.tidy(low))}" + (f"-{number(compute.tidy(high))}" if self.is_range else "")

    def agrees(self, per_system: tuple[float, float]) -> bool:
        return compute.printed_agrees(self.row["value"], self.row["printed"], self.row["bound"], per_system)


def _other_p_base(beside: _Beside, total: _Total) -> tuple[str, str] | None:
    """The report reads 1P as the other number of TFLOPS."""
    q = beside.q
    other = 1024 if q.p_base == 1000 else 1000
    alt = compute.convert(list(total.ends), total.base, total.row["unit"], other)
    if not total.agrees((float(alt[0]), float(alt[1]))):
        return None
    return (
        f"The composition gives {total.shown} {total.row['unit']} a system at 1P = {q.p_base}T; the report reads 1P as {other}T.",
        _call(q.model_copy(update={"p_base": other})),
    )


def _binary_units(beside: _Beside, total: _Total) -> tuple[str, str] | None:
    """The report counts 1024 of a memory unit to the next."""
    low, high = total.per_system
    if not total.agrees((low * 1000 / 1024, high * 1000 / 1024)):
        return None
    return (
        f"The composition gives {total.shown} {total.row['unit']} a system in decimal units; the report counts 1024 to the next unit.",
        "",
    )


def _beyond_chips(beside: _Beside, total: _Total) -> tuple[str, str]:
    """The printed power is the whole system's: the power_overhead on its chips that reproduces it."""
    kb, q, answer = beside.kb, beside.q, beside.answer
    row, chips_low = total.row, total.ends[0]
    chips_w = chips_low * (1.0 + q.power_overhead)
    printed_w = float(compute.convert(row["value"], row["unit"], "W"))
    overhead = compute.overhead_between(printed_w, chips_low)
    text = (
        f"The printed figure is the whole system's power (CPUs, network, cooling), "
        f"{number(round(printed_w / chips_w, 2))}× its chips' {number(compute.tidy(chips_w))} W"
    )
    parts = kb.parts(q.chip)
    if 0 <= overhead <= 10 and len(parts) == 1:
        return (
            text + f": power_overhead={number(round(overhead, 2))} on the chips reproduces it.",
            call_of("estimate_cluster", chip=parts[0]["chip"], count=answer.cards, power_overhead=round(overhead, 2)) + ")",
        )
    return text + ".", ""


# The conventions a report's system total may follow, by the spec it is summed from.
_OTHER_READINGS: dict[str, Callable[[_Beside, _Total], tuple[str, str] | None]] = {
    "compute_tflops": _other_p_base,
    "memory_gb": _binary_units,
    "memory_bandwidth_gbs": _binary_units,
    "tdp_w": _beyond_chips,
}
