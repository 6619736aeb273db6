"""export_control_check: a chip's TPP per precision, performance density and ECCN 3A090 standing, with the
working shown — under the rule text and under the report's reading, both from knowledge/export-controls.toml."""

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from chipmcp.core import compute
from chipmcp.kb.memo import per_knowledge_base
from chipmcp.kb.store import KnowledgeBase, display_name
from chipmcp.reasoning import export_control, selection
from chipmcp.reasoning.cells import Cell, CompactModel, Model, Standing
from chipmcp.tools._answer_parts import (
    Figure,
    NameMatch,
    SourceRef,
    VendorRef,
)
from chipmcp.tools._common import describe, figure, format_value, match_line, source_lines, source_refs, tidied
from chipmcp.tools.lookup import resolve_chip
from chipmcp.tools.registry import Arguments, Name, Tool


class TppFigure(CompactModel):
    """TPP at one precision: the compute figure the selection rule chose, × the precision's bit length."""

    precision: str
    bits: int
    compute: Cell
    tpp: Cell


class Headroom(CompactModel):
    """How far the TPP is from one threshold: negative difference and ratio < 1 are below the line."""

    threshold: float
    where: str = Field(description="Class and reading the threshold belongs to")
    difference: list[float] = Field(description="[low, high] of TPP − threshold")
    ratio: list[float] = Field(description="[low, high] of TPP ÷ threshold")


class SuspectReading(Model):
    """What a figure marked suspect would give, stated beside the headline when its verdict differs."""

    tpp: Cell = Field(description="TPP from the suspect figures (the largest)")
    standing: str = Field(description="The standing that TPP would give, one line per reading")
    note: str = ""


class ExportControlAnswer(Model):
    id: str
    name: str
    entity_kind: Literal["chip", "system"]
    vendor: VendorRef
    match: NameMatch
    tpp_by_precision: list[TppFigure] = Field(description="TPP for every precision with a precision-stated compute figure")
    tpp: Cell = Field(description="The chip's TPP: the largest of tpp_by_precision not built on a suspect figure (empty when none)")
    die_area: Cell | None = None
    performance_density: Cell | None = Field(default=None, description="TPP ÷ die area, where a die area is reported")
    standings: list[Standing]
    standing: str = Field(description="One line per reading: the class the figures place it in")
    suspect_reading: SuspectReading | None = Field(
        default=None, description=("Set when a larger TPP from a figure marked suspect gives another standing: that TPP and standing")
    )
    headroom: list[Headroom] = Field(default_factory=list)
    reported: list[Figure] = Field(default_factory=list, description="Export-control figures a report prints for it")
    reproduction: str = Field(default="", description="Whether a report table's class for it follows from its figures")
    parts: list[str] = Field(default_factory=list, description="For a system: each part chip's standing")
    not_used: list[str] = Field(default_factory=list, description="Compute figures not used for TPP, and why")
    warnings: list[str] = Field(default_factory=list)
    statement: str
    sources: list[SourceRef]
    summary: str


STATEMENT = (
    "ECCN 3A090 is a U.S. Export Administration Regulations entry: it governs U.S.-origin items and items "
    "otherwise subject to the EAR. This is an indicator computed from figures printed in research reports, "
    "not a legal classification."
)
REPORTED_METRICS = ["tpp", "performance_density", "export_control_class"]


class ExportControlCheckArguments(Arguments):
    chip: Name = Field(description="Chip or system in any spelling: 昇腾910C, H20, H100, MLU370-X8, TPU v5e")


def export_control_check(kb: KnowledgeBase, args: ExportControlCheckArguments) -> ExportControlAnswer:
    chip = _resolve(kb, args)
    found = _select(kb, chip)
    answer = _answer(kb, chip, found)
    answer.reproduction = _reproduction(answer)
    answer.sources = _sources(kb, chip.id, found, answer)
    answer.summary = _summary(answer)
    return answer


@dataclass(frozen=True)
class _Chip:
    """The chip or system asked about, resolved, with its vendor."""

    match: NameMatch
    kind: Literal["chip", "system"]
    vendor: VendorRef

    @property
    def id(self) -> str:
        return self.match.id

    @property
    def is_system(self) -> bool:
        return self.kind == "system"


@dataclass(frozen=True)
class _Found:
    """The figures TPP and density are computed from, and the classes they place the chip in."""

    rows: list[export_control.TppRow]
    tpp: Cell
    area: Cell
    pd: Cell | None
    classed: bool  # a TPP to class: a chip (a system's parts are classed, not the system) with a TPP row
    standings: list[Standing]
    listed: dict[str, str]  # source → the class its own table lists the chip in
    standing: str


def _resolve(kb: KnowledgeBase, args: ExportControlCheckArguments) -> _Chip:
    match = resolve_chip(kb, args.chip)
    entity = kb.entity(match.id)
    assert entity is not None
    vendor = kb.entity(entity["vendor"]) or {"id": entity["vendor"], "name_zh": "", "name_en": ""}
    return _Chip(match, entity["entity_kind"], VendorRef(id=vendor["id"], name_zh=vendor["name_zh"], name_en=vendor["name_en"]))


def _select(kb: KnowledgeBase, chip: _Chip) -> _Found:
    rows = export_control.tpp_rows(kb, chip.id)
    tpp = export_control.headline(rows)
    area = selection.cell(kb, chip.id, "die_area_mm2")
    pd = export_control.density(kb, chip.id, tpp) if rows else None
    classed = bool(rows) and not chip.is_system
    standings = export_control.standings(kb, tpp, pd) if classed else []
    listed = {r["source"]: r["text"] for r in kb.figures(chip.id, ["export_control_class"]) if r["text"]}
    standing = _standing(standings, rows, chip.is_system, "" if rows else _no_tpp_reason(kb, chip.id), listed)
    return _Found(rows, tpp, area, pd, classed, standings, listed, standing)


def _answer(kb: KnowledgeBase, chip: _Chip, found: _Found) -> ExportControlAnswer:
    return ExportControlAnswer(
        id=chip.id,
        name=chip.match.name,
        entity_kind=chip.kind,
        vendor=chip.vendor,
        match=chip.match,
        tpp_by_precision=_tpp_figures(found.rows),
        tpp=found.tpp,
        die_area=found.area if found.area.ends() else None,
        performance_density=found.pd,
        standings=found.standings,
        standing=found.standing,
        suspect_reading=None if chip.is_system else _suspect_reading(kb, chip.id, found.rows, found.standing, found.listed),
        headroom=_headroom(kb, found.tpp) if found.classed else [],
        reported=[figure(r, kb) for r in kb.figures(chip.id, REPORTED_METRICS)],
        parts=_parts(kb, chip.id) if chip.is_system else [],
        not_used=_not_used(kb, chip.id, found.rows),
        warnings=_warnings(kb, found),
        statement=STATEMENT,
        sources=[],
        summary="",
    )


def _tpp_figures(rows: list[export_control.TppRow]) -> list[TppFigure]:
    # The TPP cell cites through the compute cell beside it, and `bits` says its factor: neither is said twice.
    return [
        TppFigure.checked_before(
            precision=r.precision,
            bits=r.bits,
            compute=r.compute,
            tpp=r.tpp.updated(figure_ids=[], label="÷ 2 (sparse figure halved)" if r.sparse_halved else ""),
        )
        for r in rows
    ]


def _warnings(kb: KnowledgeBase, found: _Found) -> list[str]:
    rows = found.rows
    warnings = [
        f"{r.precision.upper()}: only a sparse figure is printed ({r.compute.label}); it is halved for TPP, "
        "as sparsity doubles the printed peak"
        for r in rows
        if r.sparse_halved
    ]
    warnings += [f"{r.precision.upper()}: built on a figure marked suspect (figures {_ids(r.tpp)})" for r in rows if r.tpp.suspect]
    warnings += [
        f"{r.precision.upper()}: built on a planned figure, of a product not shipped at its source's date (figures {_ids(r.compute)})"
        for r in rows
        if selection.is_planned(kb, r.compute)
    ]
    warnings += [
        f"{r.precision.upper()}: reports disagree (compute {r.compute.span[0]:g}-{r.compute.span[1]:g}); "
        "TPP keeps the preferred claim and the span of all"
        for r in rows
        if r.compute.span
    ]
    return warnings + _density_warnings(found)


def _density_warnings(found: _Found) -> list[str]:
    if found.pd is None and found.classed:
        return [_pd_missing(found.standings)]
    if found.pd is not None and not found.area.ends():
        return [
            "No die area is reported: the performance density used is the band the report's "
            f"table prints for this chip (figures {_ids(found.pd)}), not a computed one"
        ]
    return []


def _sources(kb: KnowledgeBase, entity: str, found: _Found, answer: ExportControlAnswer) -> list[SourceRef]:
    cited = [f.source for f in answer.reported] + [s.source for s in found.standings]
    cited += [r["source"] for r in kb.figures(entity, ["compute"]) if not r["precision"] and r["period"] is None]
    used = {i for r in found.rows for i in r.tpp.figure_ids} | set(found.area.figure_ids)
    cited += [r["source"] for r in kb.figures_by_ids(sorted(used))]
    return source_refs(kb, cited)


def _suspect_reading(
    kb: KnowledgeBase, entity: str, rows: list[export_control.TppRow], standing: str, listed: dict[str, str]
) -> SuspectReading | None:
    """The standing a suspect figure left out of the headline would give, when it is not the headline's."""
    suspect = export_control.suspect_only(rows)
    if not suspect:
        return None
    tpp = export_control.largest(suspect)
    pd = export_control.density(kb, entity, tpp)
    other = _standing(export_control.standings(kb, tpp, pd), suspect, False, "", listed)
    if other == standing:
        return None
    return SuspectReading(tpp=tpp, standing=other, note=f"from figures {_ids(tpp)}, marked suspect: not the headline")


def _ids(value: Cell) -> str:
    return ", ".join(map(str, value.figure_ids))


def _standing(
    standings: list[Standing], rows: list, is_system: bool, no_tpp_reason: str = "", listed: dict[str, str] | None = None
) -> str:
    """One line per reading; a report whose own table lists the chip's class says so beside its note's reading."""
    if is_system:
        return "3A090 classifies integrated circuits, not systems: see each part chip's standing"
    if not rows:
        return "cannot compute TPP: " + (no_tpp_reason or "no compute figure is reported")
    readings: dict[tuple[str, str], list[Standing]] = {}
    for s in standings:
        readings.setdefault((s.reading, s.source), []).append(s)
    return "; ".join(_reading_line(reading, source, classes, listed or {}) for (reading, source), classes in readings.items())


def _reading_line(reading: str, source: str, classes: list[Standing], listed: dict[str, str]) -> str:
    line = _classed_by(classes, "the rule text" if reading == "rule" else f"{source}'s reading")
    if (table_class := listed.get(source)) and reading == "report":
        line += f"; {source}'s table lists it as {table_class}"
    return line


def _classed_by(classes: list[Standing], who: str) -> str:
    """The class a reading places the chip in: the first met, with the classes above it a die area would decide."""
    met = next((c for c in classes if c.status == "met"), None)
    above = classes[: classes.index(met)] if met is not None else classes
    open_ = [c.class_name for c in above if c.status == "undecided"]
    why = "undecided on these figures; a die area would decide"
    if met is not None and open_:
        return f"at least {met.class_name} by {who} ({', '.join(open_)} {why})"
    if met is not None:
        return f"{met.class_name} by {who}"
    if open_:
        return f"undecided by {who} ({', '.join(open_)} {why})"
    return f"outside 3A090 by {who}"


def _pd_missing(standings: list[Standing]) -> str:
    decided = sorted({f"{s.class_name} ({s.reading})" for s in standings if s.status != "undecided"})
    open_ = sorted({f"{s.class_name} ({s.reading})" for s in standings if s.status == "undecided"})
    text = "No die area is reported, so performance density is unknown"
    if decided:
        text += f"; TPP alone decides {', '.join(decided)}"
    if open_:
        text += f"; {', '.join(open_)} stay undecided without it"
    return text


def _headroom(kb: KnowledgeBase, tpp: Cell) -> list[Headroom]:
    ends = tpp.ends()
    if ends is None:
        return []
    out = []
    for (threshold, clause_name), who in _tpp_thresholds(kb).items():
        difference, ratio = compute.headroom(*ends, threshold)
        # Every field made here to its type (tidied floats, the threshold as a float): not validated again.
        out.append(
            Headroom.checked_before(
                threshold=float(threshold),
                where=f"{clause_name} ({'; '.join(sorted(who))})",
                difference=[tidied(d) for d in difference],
                ratio=[tidied(r, 4) for r in ratio],
            )
        )
    return sorted(out, key=lambda h: (h.threshold, h.where))


@per_knowledge_base
def _tpp_thresholds(kb: KnowledgeBase) -> dict[tuple[float, str], list[str]]:
    """Each TPP threshold a class clause sets, by (value, clause) → who reads it: a report's reading and the
    rule text at the same line share one."""
    readers: dict[tuple[float, str], list[str]] = {}
    seen = set()
    for rule in kb.control_classes:
        for number, clause in enumerate(rule["clauses"], start=1):
            for condition in clause:
                key = (condition["value"], rule["reading"], rule["source"])
                if condition["quantity"] != "tpp" or condition["op"] not in (">", ">=") or key in seen:
                    continue
                seen.add(key)
                readers.setdefault((condition["value"], f"{rule['name']}.{number}"), []).append(
                    "rule text" if rule["reading"] == "rule" else rule["source"]
                )
    return readers


def _parts(kb: KnowledgeBase, system: str) -> list[str]:
    out = []
    for part in kb.parts(system):
        chip = kb.entity(part["chip"]) or {"name_zh": part["chip"], "name_en": part["chip"]}
        rows = export_control.tpp_rows(kb, part["chip"])
        tpp = export_control.headline(rows)
        standings = export_control.standings(kb, tpp, export_control.density(kb, part["chip"], tpp)) if rows else []
        out.append(f"{part['count']} × {display_name(chip)}: TPP {_value(tpp)} → {_standing(standings, rows, False)}")
    return out


def _no_tpp_reason(kb: KnowledgeBase, entity: str) -> str:
    if any(r["period"] is None for r in kb.figures(entity, ["compute"])):
        return "its compute figures print no precision, and TPP needs the operation's bit length"
    return "no compute figure is reported for it"


def _reproduction(a: ExportControlAnswer) -> str:
    """Whether the class a report's table lists for the chip follows from its figures, and why not."""
    listed = [f for f in a.reported if f.metric == "export_control_class" and f.text]
    if not listed:
        return ""
    table = listed[0]
    head = f"{table.source}'s table lists {table.text} (printed '{table.printed}'{_bands(a.reported)})"
    if not a.tpp_by_precision:
        return f"{head}; not reproduced: no precision-stated compute figure to compute TPP from"
    computed = _rule_class(a.standings)
    verdict = "reproduced" if computed == table.text else "not reproduced"
    return f"{head}; {verdict}: the rule text gives {computed} from TPP {_value(a.tpp)}"


def _bands(reported: list[Figure]) -> str:
    """The TPP and PD bands a report's table prints beside the class."""
    printed = {f.metric: format_value(f) for f in reported if f.metric != "export_control_class"}
    bands = ", ".join(f"{'TPP' if m == 'tpp' else 'PD'} {v}" for m, v in printed.items())
    return f"; {bands}" if bands else ""


def _rule_class(standings: list[Standing]) -> str:
    """The class the rule text's reading places the chip in."""
    rule = [s for s in standings if s.reading == "rule"]
    met = next((s for s in rule if s.status == "met"), None)
    if met is not None:
        return met.class_name
    return "undecided" if any(s.status == "undecided" for s in rule) else "not restricted"


def _not_used(kb: KnowledgeBase, entity: str, tpp_rows: list[export_control.TppRow]) -> list[str]:
    """Compute figures TPP leaves aside: those without a precision, and a sparse reading at a precision whose
    TPP is built on a dense one (H20's reports print 148 TFLOPS sparse; Epoch's table, 148 dense): both
    readings stay visible, and the answer says which one it used."""
    figures = [r for r in kb.figures(entity, ["compute"]) if r["period"] is None]
    bare = [f"'{r['printed']}' ({r['source']}, #{r['id']})" for r in figures if not r["precision"]]
    out = [f"{', '.join(bare)}: no precision printed"] if bare else []
    used = {r.precision: r for r in tpp_rows if not r.sparse_halved}
    return out + [line for r in figures if (line := _sparse_beside(r, used))]


def _sparse_beside(row: dict[str, Any], used: dict[str, export_control.TppRow]) -> str:
    """A sparse figure at a precision whose TPP is built on a dense one: which figure TPP uses instead."""
    hit = [used[p] for p in (row["precision"] or "").split("/") if p in used]
    if row["sparsity"] != "sparse" or not hit:
        return ""
    compute_cell = hit[0].compute
    return f"'{row['printed']}' ({row['source']}, #{row['id']}): sparse; TPP uses {compute_cell.label} #{compute_cell.figure_ids[0]}"


def _value(value: Cell | None) -> str:
    if value is None or value.ends() is None:
        return "—"
    bound = {"approx": "≈", "over": ">", "at_least": "≥", "at_most": "≤", "under": "<"}.get(value.bound or "", "")
    shown = _number(value.value) if value.value is not None else f"{_number(value.low)}-{_number(value.high)}"
    claims = value.span and list(value.span) != list(value.ends() or ())  # a range already shows its span
    return bound + shown + (f" (claims {_number(value.span[0])}-{_number(value.span[1])})" if claims and value.span else "")


def _number(value: float | None) -> str:
    """6 significant digits, never in exponent form: a CloudMatrix's TPP is 4,800,000, not 4.8e+06."""
    if value is None:
        return "?"
    return f"{value:,.0f}" if abs(value) >= 1e5 else f"{value:,.6g}"


def _summary(a: ExportControlAnswer) -> str:
    head = f"{a.name}: "
    if not a.tpp_by_precision:
        return head + a.standing + "."
    best = a.tpp.label.removeprefix("largest of ")
    text = head + f"TPP {_value(a.tpp)} ({best})"
    if a.performance_density is not None:
        text += f", PD {_value(a.performance_density)}"
    text += f" → {a.standing}"
    if a.suspect_reading is not None:
        text += f" (a suspect figure would give TPP {_value(a.suspect_reading.tpp)} → {a.suspect_reading.standing})"
    return text + ". Indicator from reported figures, not a legal classification."


def render(a: ExportControlAnswer) -> str:
    lines = [a.summary, f"{a.name} [{a.id}], {a.entity_kind} by {a.vendor.name_zh} / {a.vendor.name_en} [{a.vendor.id}]."]
    lines += match_line(a.match)
    lines += _tpp_lines(a)
    lines += _density_lines(a)
    lines += _standing_lines(a.standings)
    lines += _headroom_lines(a.headroom)
    lines += _listed("Parts:", [f"- {p}" for p in a.parts])
    lines += _listed("Reported export-control figures:", [describe(f) for f in a.reported])
    lines += [f"Report table: {a.reproduction}"] if a.reproduction else []
    lines += ["Not used: " + "; ".join(a.not_used)] if a.not_used else []
    lines += [f"Warning: {w}" for w in a.warnings]
    lines.append(a.statement)
    lines.append(source_lines(a.sources))
    return "\n".join(lines)


def _listed(heading: str, items: list[str]) -> list[str]:
    return [heading, *items] if items else []


def _tpp_lines(a: ExportControlAnswer) -> list[str]:
    if not a.tpp_by_precision:
        return []
    return [
        "TPP per precision (peak × bit length):",
        *(
            f"- {t.precision.upper()}: {_value(t.compute)} {t.compute.unit} [{t.compute.label}] × {t.bits}"
            f"{' ' + t.tpp.label if t.tpp.label else ''} = {_value(t.tpp)} (figures "
            f"{_ids(t.compute)}){' [SUSPECT]' if t.tpp.suspect else ''}"
            for t in a.tpp_by_precision
        ),
        f"TPP: {_value(a.tpp)} ({a.tpp.label})",
    ]


def _density_lines(a: ExportControlAnswer) -> list[str]:
    """The suspect reading beside the headline, the die area and the performance density."""
    lines = []
    if a.suspect_reading is not None:
        s = a.suspect_reading
        lines.append(f"Beside it, SUSPECT: TPP {_value(s.tpp)} ({s.tpp.label}) → {s.standing} ({s.note})")
    if a.die_area is not None:
        lines.append(f"Die area: {_value(a.die_area)} mm² (figures {_ids(a.die_area)})")
    if a.performance_density is not None:
        pd = a.performance_density
        lines.append(
            f"Performance density: {_value(pd)} {pd.unit or ''} [{pd.label}] (figures {_ids(pd)})"
            + (" [SUSPECT]" if pd.suspect else "")
            + (f" — {pd.note}" if pd.note else "")
        )
    return lines


def _standing_lines(standings: list[Standing]) -> list[str]:
    if not standings:
        return []
    regimes = sorted({s.regime for s in standings})
    return [f"Standing by class ({', '.join(regimes)}):", *(_standing_line(s, len(regimes) > 1) for s in standings)]


def _standing_line(s: Standing, regimes: bool) -> str:
    who = ("rule text" if s.reading == "rule" else f"{s.source} reading") + (f", {s.regime}" if regimes else "")
    extra = f"; across all claims: {s.across_claims}" if s.across_claims else ""
    shadow = f" (already {s.shadowed_by})" if s.shadowed_by else ""
    tests = "; ".join(f"{c.test}: {c.status}" + (f" (needs {', '.join(c.needs)})" if c.needs else "") for c in s.clauses)
    return f"- {s.class_name} [{who}, {s.locator}]: {s.status}{shadow}{extra} — {tests}" + (f" — {s.note}" if s.note else "")


def _headroom_lines(headroom: list[Headroom]) -> list[str]:
    return _listed(
        "Headroom to TPP thresholds (TPP − threshold; TPP ÷ threshold):",
        [f"- {h.threshold:g} ({h.where}): {_pair(h.difference)}; ×{_pair(h.ratio)}" for h in headroom],
    )


def _pair(values: list[float]) -> str:
    return _number(values[0]) if values[0] == values[1] else f"{_number(values[0])} to {_number(values[1])}"


TOOL = Tool(
    name="export_control_check",
    title="Export-control check (ECCN 3A090)",
    description="A chip's TPP per precision, performance density and ECCN 3A090 standing, with the working shown.",
    example={"chip": "H20"},
    arguments=ExportControlCheckArguments,
    answer=ExportControlAnswer,
    run=export_control_check,
    render=render,
)

__all__ = ["TOOL", "export_control_check"]
