"""Pieces every tool uses: turning rows into answer models, resolving names for a tool."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import NotFoundError
from ..kb import KnowledgeBase, display_name
from ..models import Candidate, Cell, Conflict, Figure, NameMatch, SourceRef
from ..names import Match

CHIP = frozenset({"chip"})
CHIP_OR_SYSTEM = frozenset({"chip", "system"})
VENDOR = frozenset({"vendor"})
CHIP_OR_VENDOR = frozenset({"chip", "vendor"})


def resolve(kb: KnowledgeBase, query: str, kinds: frozenset[str], what: str) -> NameMatch:
    """The entity `query` names, accepting an entity id as written in resources."""
    text = query.strip()
    entity = kb.entity(text)
    if entity and entity["entity_kind"] in kinds:
        return NameMatch(query=query, id=text, name=display_name(entity), method="id", alias=text, score=100.0)
    match = kb.names.resolve(query, kinds, what)
    return name_match(query, match)


def name_match(query: str, match: Match) -> NameMatch:
    return NameMatch(
        query=query, id=match.id, name=match.display, method=match.method,  # type: ignore[arg-type]
        alias=match.alias, score=round(match.score, 1), note=match.note,
        alternatives=[Candidate(id=c.id, name=c.display, kind=c.kind, score=c.score) for c in match.alternatives],
    )


def figure(row: dict[str, Any], kb: KnowledgeBase) -> Figure:
    metric = kb.metrics.get(row["metric"], {})
    # The row was validated by `chipmcp build` (and the tests check answers against the output schema);
    # building the model without validating it again takes a third off a lookup.
    return Figure.model_construct(
        id=row["id"], metric=row["metric"], label=metric.get("label_en", row["metric"]),
        value=row["value"], low=row["low"], high=row["high"], alternatives=bool(row["alternatives"]),
        bound=row["bound"], text=row["text"], unit=row["unit"], precision=row["precision"],
        sparsity=row["sparsity"], engine=row["engine"], period=row["period"],
        basis=row["basis"], as_of=row["as_of"], measure=row["measure"], quantity=row["quantity"],
        printed=row["printed"], source=row["source"],
        locator=row["locator"], note=row["note"] or "", suspect=bool(row["suspect"]),
        preferred=bool(row["preferred"]),
        conflicts_with=[int(i) for i in row["conflicts_with"].split(",")] if row["conflicts_with"] else [],
        conflict_group=row["conflict_group"], conflict_kind=row["conflict_kind"], history_group=row["history_group"],
    )


def conflicts(figures: list[Figure], kb: KnowledgeBase | None = None) -> list[Conflict]:
    """One entry per conflict group (figures linked by disagreements, set by the build), naming the preferred
    one; one per possible disagreement (with the stated figures it matches none of); one per history (a claim
    at several dates); and, given `kb`, one per quantity reported by several publishers (any entity)."""
    by_id = {fig.id: fig for fig in figures}
    members_of: dict[int, list[Figure]] = {}
    histories: dict[int, list[Figure]] = {}
    for fig in figures:
        if fig.conflict_group is not None:
            members_of.setdefault(fig.conflict_group, []).append(fig)
        if fig.history_group is not None:
            histories.setdefault(fig.history_group, []).append(fig)
    out = []
    for members in members_of.values():
        first = members[0]
        qualifier = _claim_qualifier(first)
        if first.conflict_kind == "possible":
            stated = [by_id[i] for i in first.conflicts_with if i in by_id]
            listed = "; ".join(f"{format_value(m)} ({qualifiers(m) or 'unqualified'})" for m in stated)
            out.append(Conflict(kind="possible", metric=first.metric, qualifier=qualifier,
                                figure_ids=[first.id, *(m.id for m in stated)], preferred_id=None,
                                summary=f"Possible disagreement on {first.label}: {first.printed} ({first.source}, "
                                        f"{first.locator}) does not print its precision and matches none of the "
                                        f"stated figures: {listed}."))
            continue
        preferred = min(members, key=lambda m: (not m.preferred, m.suspect, m.id))
        listed = "; ".join(f"{m.printed} ({m.source}, {m.locator})" for m in members)
        out.append(Conflict(metric=first.metric, qualifier=qualifier, figure_ids=[m.id for m in members],
                            preferred_id=preferred.id,
                            summary=f"Figures disagree on {first.label} ({qualifier}): {listed}. "
                                    f"Preferred: {preferred.printed} ({preferred.source})."))
    for members in histories.values():
        first = members[0]
        dated = sorted(members, key=lambda m: (m.as_of or "", m.id))
        listed = "; ".join(f"{m.as_of or 'undated'}: {format_value(m)} ({m.source})" for m in dated)
        out.append(Conflict(kind="history", metric=first.metric, qualifier=_claim_qualifier(first),
                            figure_ids=[m.id for m in dated],
                            summary=f"{first.label} at different dates (not a disagreement; undated first): {listed}."))
    quantities = sorted({fig.quantity for fig in figures if fig.quantity})
    if kb is not None and quantities:
        linked: dict[str, list[dict[str, Any]]] = {}
        for row in kb.figures_of_quantity(quantities):
            linked.setdefault(row["quantity"], []).append(row)
        for quantity, rows in linked.items():
            if len(rows) < 2:
                continue
            listed = "; ".join(f"{r['entity']} {r['metric']} {r['period'] or ''} {r['printed']} ({r['source']})"
                               .replace("  ", " ") for r in rows)
            out.append(Conflict(kind="linked", metric=rows[0]["metric"], qualifier=quantity,
                                figure_ids=[r["id"] for r in rows],
                                summary=f"One quantity ({quantity}) from different publishers or definitions, "
                                        f"side by side: {listed}."))
    return out


def _claim_qualifier(fig: Figure) -> str:
    return " ".join(x for x in (fig.precision, fig.engine, fig.measure, fig.period, fig.basis) if x) or "unqualified"


def source_refs(kb: KnowledgeBase, ids: Iterable[str]) -> list[SourceRef]:
    return [SourceRef(id=s["id"], publisher=s["publisher_en"], title=s["title"], date=s["date"])
            for sid in sorted(set(ids)) if (s := kb.sources.get(sid))]


def format_value(fig: Figure) -> str:
    """A figure as a reader would say it: '约 376 TFLOPS', '14.5-15.2 亿元', '688795.SH'."""
    if fig.text is not None:
        return fig.text
    bound = {"approx": "≈", "over": ">", "at_least": "≥", "at_most": "≤", "under": "<"}.get(fig.bound or "", "")
    if fig.value is not None:
        number = _num(fig.value)
    else:
        number = f"{_num(fig.low)} or {_num(fig.high)}" if fig.alternatives else f"{_num(fig.low)}-{_num(fig.high)}"
    unit = "" if fig.unit == "count" else fig.unit  # '6,912 CUDA cores', not '6,912 count'
    return f"{bound}{number} {unit}".strip()


def _num(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:,.4f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def qualifiers(fig: Figure) -> str:
    parts = [p for p in (fig.precision.upper() if fig.precision else None, fig.sparsity, fig.engine, fig.measure,
                         fig.period,
                         fig.basis if fig.basis and fig.basis != "actual" else None,
                         f"as of {fig.as_of}" if fig.as_of else None) if p]
    return ", ".join(parts)


def describe(fig: Figure) -> str:
    """One line per figure, for the text block."""
    quals = qualifiers(fig)
    flags = []
    if fig.conflict_kind == "possible":
        flags.append("POSSIBLE CONFLICT: precision not printed, matches no stated figure")
    elif fig.conflicts_with:
        flags.append("CONFLICT" + ("" if fig.preferred else ", not preferred"))
    if fig.suspect:
        flags.append("SUSPECT")
    extra = f" — {fig.note}" if fig.note else ""
    tail = f" [{'; '.join(flags)}]" if flags else ""
    return (f"- {fig.label}{f' ({quals})' if quals else ''}: {format_value(fig)}"
            f" — printed '{fig.printed}', {fig.source} / {fig.locator}{extra}{tail}")


def require(condition: bool, message: str, candidates: list[str] | None = None) -> None:
    if not condition:
        raise NotFoundError(message, candidates)


def format_cell(cell: Cell) -> str:
    """A cell in the text block: '376', '752–800', '≈3000', tagged when it is not a plain dense figure."""
    bound = {"approx": "≈", "over": ">", "at_least": "≥", "at_most": "≤", "under": "<"}.get(cell.bound or "", "")
    if cell.text is not None:
        return cell.text
    ends = cell.ends()
    if ends is None:
        return "—"
    span = f"{cell.span[0]:g}–{cell.span[1]:g}" if cell.span else ""
    number = f"{ends[0]:g}" if ends[0] == ends[1] else f"{ends[0]:g}–{ends[1]:g}"
    tags = [t for t, on in (("sparse", cell.tier == "sparse"), ("no precision", cell.tier == "unlabeled"),
                            ("suspect", cell.suspect), (f"claims {span}", bool(cell.span))) if on]
    return bound + number + (f" [{', '.join(tags)}]" if tags else "")
