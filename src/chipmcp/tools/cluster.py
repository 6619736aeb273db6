"""estimate_cluster: cards, servers, compute, memory, power and energy for a chip or a system — and,
optionally, a training job or a reported training run recomputed."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field

from .. import compute
from ..errors import InputError
from ..kb import KnowledgeBase
from ..models import ClusterEstimate, Derived, NameMatch, TrainingJob, WorkloadFacts
from ..selection import check_precision
from .common import CHIP_OR_SYSTEM, describe, figure, resolve, source_refs
from .lookup import resolve_chip
from .registry import Arguments, Name, Precision, Tool
from .specs import Spec, chip_specs


def estimate_cluster(kb: KnowledgeBase, chip: str, count: int | None = None, target_pflops: float | None = None,
                     precision: str = "fp16", cards_per_server: int = 8, utilization: float = 1.0,
                     power_overhead: float = 0.0, p_base: int = 1000, use_server_figure: bool = False,
                     parameters_billion: float | None = None, tokens_billion: float | None = None,
                     mfu: float | None = None, price_per_gpu_hour: float | None = None,
                     workload: str | None = None) -> ClusterEstimate:
    if (count is None) == (target_pflops is None):
        raise InputError("Give exactly one of `count` (cards, or systems for a system name) or `target_pflops`.")
    check_precision(precision)
    match = resolve_chip(kb, chip, CHIP_OR_SYSTEM)
    entity = kb.entity(match.id)
    assert entity is not None
    if entity["entity_kind"] == "system":
        return _system_estimate(kb, match, count, target_pflops, precision, utilization, p_base, workload)
    assumptions = [f"1 PFLOPS = {p_base} TFLOPS" + (" (the binary reading some report tables use)" if p_base == 1024 else ""),
                   f"utilization {utilization:g} applied to peak compute", f"{cards_per_server} cards per server"]
    warnings: list[str] = []
    specs = chip_specs(kb, match.id, precision, p_base)
    card = specs["compute_tflops"]
    if card.value is None and workload is not None and count is not None:
        return _workload_only(kb, match, count, precision, cards_per_server, workload, specs)
    if card.value is None:
        raise InputError(f"No {precision.upper()} compute figure for {match.name}; "
                         f"reported precisions: {_precisions(kb, match.id) or 'none'}. Choose one of those.")
    warnings += card.notes
    used = [s.figure["id"] for s in specs.values() if s.figure]
    server_row = None
    if target_pflops is not None:
        if use_server_figure:
            server_row = _server_figure(kb, match.id, precision)
            server_tflops = float(compute.convert(server_row["value"], server_row["unit"], "TFLOPS", p_base))
            servers = compute.servers_for_target(target_pflops, server_tflops / p_base, p_base=1000)
            cards = servers * cards_per_server
            used.append(server_row["id"])
            assumptions.append(f"servers from the report's per-server figure '{server_row['printed']}' "
                               f"({server_row['source']}), rounded up")
        else:
            cards = compute.cards_for_target(target_pflops, card.value, utilization, p_base)
    else:
        cards = int(count)  # type: ignore[arg-type]
    size = compute.size_cluster(cards, card.value, _or_nan(specs["memory_gb"]), _or_nan(specs["memory_bandwidth_gbs"]),
                                _or_nan(specs["tdp_w"]), cards_per_server, utilization, power_overhead)
    servers = size.servers if server_row is None else cards // cards_per_server
    if power_overhead:
        assumptions.append(f"system power = chip power × (1 + {power_overhead:g}) for cooling, CPUs, network")
    else:
        assumptions.append("system power counts the accelerators' power only (power_overhead = 0)")
    for key, label in (("memory_gb", "memory"), ("memory_bandwidth_gbs", "memory bandwidth"), ("tdp_w", "power")):
        if specs[key].value is None:
            warnings.append(f"no {label} figure reported for {match.name}; totals for it are omitted")
    training = _training(cards, card.value, parameters_billion, tokens_billion, mfu, price_per_gpu_hour, assumptions)
    fit = None
    if parameters_billion is not None and specs["memory_gb"].value is not None:
        need = compute.weights_memory_gb(parameters_billion * 1e9, compute.BYTES_PER_PARAMETER.get(precision, 2.0))
        fit = (f"weights at {precision.upper()} need {need:,.0f} GB; the cluster has {size.memory_gb:,.0f} GB — "
               + ("they fit" if need <= size.memory_gb else "they do not fit")
               + " (weights only: no KV cache, activations or optimizer state)")
    facts = _workload(kb, workload, cards, card.value) if workload else None
    figure_ids = sorted(set(used) | set(facts.figure_ids if facts else []))
    answer = ClusterEstimate(
        target=match.id, name=match.name, match=match, mode="count" if count is not None else "target_pflops",
        precision=precision,
        per_card={k: s.value for k, s in specs.items() if k != "price"}, figure_ids=figure_ids, cards=cards,
        servers=servers, cards_per_server=cards_per_server, **_reported_totals(size, p_base), weights_fit=fit,
        training=training,
        workload=facts, assumptions=assumptions, warnings=warnings,
        sources=source_refs(kb, [r["source"] for r in kb.figures_by_ids(figure_ids)]), summary="")
    answer.summary = _summary(answer)
    return answer


def _system_estimate(kb: KnowledgeBase, match: NameMatch, count: int | None, target_pflops: float | None,
                     precision: str, utilization: float, p_base: int, workload: str | None) -> ClusterEstimate:
    parts = kb.parts(match.id)
    if not parts:
        raise InputError(f"{match.name} has no reported composition; estimate from its chip instead.")
    warnings: list[str] = []
    per_chip: dict[str, dict[str, Spec]] = {p["chip"]: chip_specs(kb, p["chip"], precision, p_base) for p in parts}
    counts = compute.as_array([p["count"] for p in parts])
    columns = {key: compute.as_array([per_chip[p["chip"]][key].value for p in parts])
               for key in ("compute_tflops", "memory_gb", "memory_bandwidth_gbs", "tdp_w")}
    system_tflops = compute.aggregate(columns["compute_tflops"], counts)
    highs = compute.as_array([per_chip[p["chip"]]["compute_tflops"].high or per_chip[p["chip"]]["compute_tflops"].value
                              for p in parts])
    system_tflops_high = compute.aggregate(highs, counts)
    if not math.isfinite(system_tflops):
        if target_pflops is not None:
            raise InputError(f"No {precision.upper()} compute figure for the chips of {match.name}; "
                             f"reported precisions: {_precisions(kb, parts[0]['chip']) or 'none'}.")
        warnings.append(f"no {precision.upper()} compute figure for its chips; compute totals omitted")
    systems = count if count is not None else compute.cards_for_target(target_pflops, system_tflops, utilization, p_base)  # type: ignore[arg-type]
    reported = [figure(r, kb) for r in kb.figures(match.id)]
    power_rows = [r for r in kb.figures(match.id, ["system_power"]) if r["value"] is not None and r["preferred"]]
    system_power_w = (float(compute.convert(power_rows[0]["value"], power_rows[0]["unit"], "W")) * systems
                      if power_rows else None)
    chips_total = int(counts.sum()) * systems
    size = compute.size_cluster(chips_total, system_tflops / counts.sum(),
                                compute.aggregate(columns["memory_gb"], counts) / counts.sum(),
                                compute.aggregate(columns["memory_bandwidth_gbs"], counts) / counts.sum(),
                                compute.aggregate(columns["tdp_w"], counts) / counts.sum(),
                                int(counts.sum()), utilization, system_power_w=system_power_w)
    assumptions = [f"{systems} × {match.name} = " + " + ".join(f"{p['count']} × {p['chip']}" for p in parts)
                   + " per system (composition as reported)", f"1 PFLOPS = {p_base} TFLOPS",
                   f"utilization {utilization:g}"]
    if system_power_w is not None and math.isfinite(size.compute_tflops):
        watts_per_tflop = compute.safe_divide(compute.as_array(system_power_w), compute.as_array(size.compute_tflops))
        assumptions.append(f"system power is the reported '{power_rows[0]['printed']}' ({power_rows[0]['source']}) "
                           f"per system → {float(watts_per_tflop):.2f} W per {precision.upper()} TFLOPS")
    else:
        warnings.append("no system power reported; power is the chips' power only")
    used = [s.figure["id"] for specs in per_chip.values() for s in specs.values() if s.figure]
    used += [r["id"] for r in power_rows]
    for chip_id, specs in per_chip.items():
        warnings += [f"{chip_id}: {n}" for n in specs["compute_tflops"].notes]
    facts = _workload(kb, workload, chips_total, system_tflops / counts.sum()) if workload else None
    answer = ClusterEstimate(
        target=match.id, name=match.name, match=match, mode="count" if count is not None else "target_pflops",
        precision=precision, per_card={k: _finite(v[0]) for k, v in columns.items()},
        figure_ids=sorted(set(used)), cards=chips_total, servers=systems, cards_per_server=int(counts.sum()),
        **_reported_totals(size, p_base),
        compute_pflops_high=(_in_unit(system_tflops_high * systems, "TFLOPS", "PFLOPS", p_base)
                             if system_tflops_high != system_tflops else None),
        workload=facts, reported=reported,
        implied_per_chip=_implied_per_chip(kb, match.id, int(counts.sum()), p_base),
        assumptions=assumptions, warnings=warnings,
        sources=source_refs(kb, [r["source"] for r in kb.figures_by_ids(sorted(set(used)))] + [f.source for f in reported]),
        summary="")
    answer.summary = _summary(answer)
    return answer


def _implied_per_chip(kb: KnowledgeBase, system: str, chips: int, p_base: int) -> list[Derived]:
    """What the system's own reported totals say about one chip: total ÷ chips per system."""
    units = {"compute": "TFLOPS", "memory_capacity": "GB", "system_power": "W"}
    out = []
    for row in kb.figures(system, list(units)):
        if row["value"] is None or not row["preferred"]:
            continue
        total = compute.convert(row["value"], row["unit"], units[row["metric"]], p_base)
        per_chip = compute.safe_divide(total, compute.as_array(float(chips)))
        out.append(Derived(name=f"{row['metric']} per chip", value=round(float(per_chip), 4), unit=units[row["metric"]],
                           from_figures=[row["id"]], note=f"'{row['printed']}' ({row['source']}) ÷ {chips} chips"
                           + (f", {row['precision']}" if row["precision"] else "")))
    return out


def _workload_only(kb: KnowledgeBase, match: NameMatch, count: int, precision: str, cards_per_server: int,
                   workload: str, specs: dict[str, Spec]) -> ClusterEstimate:
    """A reported run recomputed (cost from GPU hours) for a chip with no compute figure of its own."""
    facts = _workload(kb, workload, count, float("nan"))
    ids = sorted(set(facts.figure_ids) | {s.figure["id"] for s in specs.values() if s.figure})
    answer = ClusterEstimate(
        target=match.id, name=match.name, match=match, mode="count", precision=precision,
        per_card={k: s.value for k, s in specs.items() if k != "price"}, figure_ids=ids, cards=count,
        servers=compute.servers_for_cards(count, cards_per_server), cards_per_server=cards_per_server, compute_pflops=None,
        effective_pflops=None, memory_tb=None, memory_bandwidth_tbs=None, chip_power_kw=None, system_power_kw=None,
        energy_per_day_mwh=None, workload=facts,
        assumptions=[f"no {precision.upper()} compute figure is reported for {match.name}: only the run's own "
                     "figures are recomputed"], warnings=[],
        sources=source_refs(kb, [r["source"] for r in kb.figures_by_ids(ids)]), summary="")
    answer.summary = _summary(answer)
    return answer


def _precisions(kb: KnowledgeBase, entity: str) -> str:
    return ", ".join(sorted({r["precision"] for r in kb.figures(entity, ["compute"]) if r["precision"]}))


def _server_figure(kb: KnowledgeBase, chip: str, precision: str) -> dict:
    rows = [r for r in kb.figures(chip, ["server_compute"]) if r["value"] is not None
            and (not r["precision"] or precision in r["precision"].split("/"))]
    if not rows:
        raise InputError("No per-server compute figure is reported for this chip; drop use_server_figure.")
    return sorted(rows, key=lambda r: (not r["preferred"], r["id"]))[0]


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _or_nan(spec: Spec) -> float:
    return float("nan") if spec.value is None else spec.value


def _in_unit(value: float, unit: str, to: str, p_base: int = 1000) -> float | None:
    """`value` converted by the compute core; None when it could not be computed (a figure was missing)."""
    converted = float(compute.convert(value, unit, to, p_base))
    return round(converted, 6) if math.isfinite(converted) else None


def _reported_totals(size: compute.ClusterSize, p_base: int) -> dict[str, float | None]:
    """A cluster's totals in the units an estimate reports them in."""
    return {"compute_pflops": _in_unit(size.compute_tflops, "TFLOPS", "PFLOPS", p_base),
            "effective_pflops": _in_unit(size.effective_tflops, "TFLOPS", "PFLOPS", p_base),
            "memory_tb": _in_unit(size.memory_gb, "GB", "TB"),
            "memory_bandwidth_tbs": _in_unit(size.memory_bandwidth_gbs, "GB/s", "TB/s"),
            "chip_power_kw": _in_unit(size.chip_power_w, "W", "kW"),
            "system_power_kw": _in_unit(size.system_power_w, "W", "kW"),
            "energy_per_day_mwh": _in_unit(size.energy_per_day_kwh, "kWh", "MWh")}


def _training(cards: int, card_tflops: float, parameters_billion: float | None, tokens_billion: float | None,
              mfu: float | None, price: float | None, assumptions: list[str]) -> TrainingJob | None:
    given = [parameters_billion, tokens_billion, mfu]
    if all(v is None for v in given):
        return None
    if any(v is None for v in given):
        raise InputError("A training estimate needs parameters_billion, tokens_billion and mfu together.")
    job = compute.estimate_training(parameters_billion * 1e9, tokens_billion * 1e9, cards, card_tflops, mfu, price)  # type: ignore[operator]
    assumptions.append(f"training FLOPs = 6 × parameters × tokens; MFU {mfu:g}")
    return TrainingJob(parameters=parameters_billion * 1e9, tokens=tokens_billion * 1e9, mfu=mfu,  # type: ignore[operator,arg-type]
                       total_flop=job.total_flop, days=round(job.days, 3), gpu_hours=round(job.gpu_hours, 1),
                       price_per_gpu_hour=price, cost=None if job.cost is None else round(job.cost, 2),
                       currency_note="cost is in the currency of price_per_gpu_hour")


def _workload(kb: KnowledgeBase, name: str, cards: int, card_tflops: float) -> WorkloadFacts:
    match = resolve(kb, name, frozenset({"workload"}), "workload")
    rows = kb.figures(match.id)
    facts = WorkloadFacts(id=match.id, name=match.name)
    def usable(metric: str) -> list[dict]:
        """One trustworthy figure per phase (note): suspect and non-preferred figures are left out."""
        kept: dict[str, dict] = {}
        for r in rows:
            if r["metric"] == metric and r["value"] is not None and not r["suspect"] and r["preferred"]:
                kept.setdefault(r["note"] or "", r)
        return list(kept.values())

    hours, prices, costs = usable("gpu_hours"), usable("gpu_hour_price"), usable("training_cost")
    if hours and prices:
        price = prices[0]
        gpu_hours = compute.as_array([compute.convert(r["value"], r["unit"], "GPU-hour") for r in hours])
        cost = compute.gpu_hour_cost(gpu_hours, float(price["value"]))
        def whole(row: dict) -> bool:
            return (row["note"] or "").lower().startswith(("whole", "total"))

        for row, hrs, amount in zip(hours, gpu_hours, cost, strict=True):
            if whole(row):
                facts.notes.append(f"reported total GPU hours: '{row['printed']}' ({row['source']})")
                continue
            facts.phases.append({"phase": row["note"] or "run", "gpu_hours": float(hrs),
                                 "price_per_gpu_hour": float(price["value"]), "computed_cost": float(amount)})
        facts.notes += [f"reported cost ({c['note']}): '{c['printed']}' ({c['source']})" for c in costs]
        phase_hours = compute.as_array([p["gpu_hours"] for p in facts.phases])
        facts.total_gpu_hours = float(phase_hours.sum())
        facts.computed_total_cost = float(compute.gpu_hour_cost(phase_hours, float(price["value"])).sum())
        facts.cost_unit = price["unit"]
        facts.figure_ids += [r["id"] for r in hours + prices + costs]
        facts.notes.append(f"cost = GPU hours × {price['printed']} per GPU hour ({price['source']})")
    flop = [r for r in rows if r["metric"] == "training_compute" and r["value"] is not None]
    days = [r for r in rows if r["metric"] == "training_days"]
    if flop and days and math.isfinite(card_tflops):
        d = days[0]
        span = compute.as_array([d["low"] if d["low"] is not None else d["value"],
                                 d["high"] if d["high"] is not None else d["value"]])
        span_days = compute.convert(span, d["unit"], "day")
        mfu = compute.implied_mfu(float(compute.convert(flop[0]["value"], flop[0]["unit"], "FLOP")), cards,
                                  card_tflops, span_days)
        facts.implied_mfu_high, facts.implied_mfu_low = round(float(mfu[0]), 4), round(float(mfu[1]), 4)
        facts.figure_ids += [flop[0]["id"], d["id"]]
        facts.notes.append(f"implied MFU = {flop[0]['printed']} FLOP / ({cards} cards × {card_tflops:g} TFLOPS × "
                           f"{d['printed']})")
    if not facts.notes:
        facts.notes.append("the reports give no GPU hours with a price, nor total FLOPs with a duration, for it")
    return facts


def _summary(e: ClusterEstimate) -> str:
    unit = "systems" if e.reported or e.implied_per_chip else "servers"
    text = f"{e.cards:,} × {e.name} ({e.servers:,} {unit})"
    if e.compute_pflops is not None:
        high = f"-{e.compute_pflops_high:,.2f}" if e.compute_pflops_high is not None else ""
        text += f": {e.compute_pflops:,.2f}{high} PFLOPS {e.precision.upper()} peak"
    if e.memory_tb is not None:
        text += f", {e.memory_tb:,.2f} TB memory"
    if e.system_power_kw is not None:
        text += f", {e.system_power_kw:,.1f} kW, {e.energy_per_day_mwh:,.2f} MWh/day"
    if e.training:
        text += f"; training ≈ {e.training.days:,.1f} days"
    if e.workload and e.workload.computed_total_cost is not None:
        text += f"; {e.workload.name} cost recomputed: {e.workload.computed_total_cost:,.0f} {e.workload.cost_unit}"
    if e.workload and e.workload.implied_mfu_low is not None:
        text += (f"; {e.workload.name} implied MFU {e.workload.implied_mfu_low:.1%}-"
                 f"{e.workload.implied_mfu_high:.1%}")
    return text + "."


def render(e: ClusterEstimate) -> str:
    lines = [e.summary, "Per card: " + ", ".join(f"{k}={v:g}" for k, v in e.per_card.items()
                                             if v is not None and v == v)]
    lines += [f"Implied per chip: {d.value:g} {d.unit} ({d.note})" for d in e.implied_per_chip]
    if e.weights_fit:
        lines.append(e.weights_fit)
    if e.training:
        t = e.training
        lines.append(f"Training: {t.total_flop:.3g} FLOP, {t.days:,.1f} days, {t.gpu_hours:,.0f} GPU hours"
                     + (f", cost {t.cost:,.0f}" if t.cost is not None else ""))
    if e.workload:
        w = e.workload
        for phase in w.phases:
            lines.append(f"- {phase['phase']}: {phase['gpu_hours']:,.0f} GPU hours → {phase['computed_cost']:,.0f} "
                         f"{w.cost_unit}")
        lines += [f"- {n}" for n in w.notes]
    if e.reported:
        lines.append("Reported system figures:")
        lines += [describe(f) for f in e.reported]
    lines.append("Assumptions: " + "; ".join(e.assumptions))
    if e.warnings:
        lines.append("Warnings: " + "; ".join(e.warnings))
    lines.append("Sources: " + ", ".join(s.id for s in e.sources) + f"; figures {', '.join(map(str, e.figure_ids))}")
    return "\n".join(lines)



class EstimateClusterArguments(Arguments):
    chip: Name = Field(description="Chip (910B, H100) or system (CloudMatrix 384, GB200 NVL72)")
    count: Annotated[int | None, Field(ge=1, le=10_000_000)] = Field(None, description=(
        "Number of cards (or of systems, for a system name); give this or target_pflops"))
    target_pflops: Annotated[float | None, Field(gt=0, le=1e9, allow_inf_nan=False)] = Field(None, description=(
        "Compute to reach, in PFLOPS at `precision`; give this or count"))
    precision: Precision = Field("fp16", description="Precision of the compute figures used")
    cards_per_server: Annotated[int, Field(ge=1, le=1024)] = Field(8, description="Cards in one server")
    utilization: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = Field(1.0, description=(
        "Share of peak compute delivered (e.g. MFU 0.4); 1 = peak"))
    power_overhead: Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)] = Field(0.0, description=(
        "Extra system power as a share of chip power (0.3 = +30%)"))
    p_base: Literal[1000, 1024] = Field(1000, description="TFLOPS per PFLOPS: 1000, or 1024 as some report tables read it")
    use_server_figure: bool = Field(False, description=(
        "Size by the report's printed per-server compute (e.g. 整机8卡 约3P) instead of per-card figures"))
    parameters_billion: Annotated[float | None, Field(gt=0, le=1e6, allow_inf_nan=False)] = Field(None, description=(
        "Training: model parameters in billions (with tokens_billion and mfu)"))
    tokens_billion: Annotated[float | None, Field(gt=0, le=1e9, allow_inf_nan=False)] = Field(
        None, description="Training: tokens in billions")
    mfu: Annotated[float | None, Field(gt=0, le=1, allow_inf_nan=False)] = Field(
        None, description="Training: model FLOPs utilization, 0-1")
    price_per_gpu_hour: Annotated[float | None, Field(ge=0, le=1e6, allow_inf_nan=False)] = Field(
        None, description="Training: rental price of one card-hour, for a cost")
    workload: Name | None = Field(None, description=(
        "A reported training run to recompute (DeepSeek-V3, GPT-4): cost from its GPU hours, or implied MFU"))


TOOL = Tool(name="estimate_cluster", title="Estimate a cluster",
            description="Cards and servers for a PFLOPS target, or totals (compute, memory, power, energy) for N cards.",
            example={"chip": "MTT S4000", "target_pflops": 1000}, arguments=EstimateClusterArguments,
            answer=ClusterEstimate, run=estimate_cluster, render=render)
