"""Pieces every tool uses: turning rows into answer models, resolving names for a tool."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import periods
from ..errors import AmbiguousNameError, InputError, NotFoundError
from ..kb import KnowledgeBase, display_name
from ..models import Candidate, Conflict, Figure, NameMatch, SourceRef
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
    try:
        match = kb.names.resolve(query, kinds, what)
    except AmbiguousNameError:
        raise
    except NotFoundError as missing:
        if not missing.candidates:  # close to nothing: say how to write or find a name instead
            missing = NotFoundError(f"{missing} {_hint(kb, kinds, what)}")
        raise with_pointer(kb, missing, query, kinds) from None
    return name_match(query, match)


# Spellings shown when a query is close to nothing; only those this knowledge base resolves are shown.
_EXAMPLES = {"chip": ("昇腾910B", "H100", "MTT S4000", "CloudMatrix 384"),
             "company": ("寒武纪", "Moore Threads", "688256", "英伟达"),
             "chip or vendor": ("昇腾910B", "壁仞", "Hygon"), "workload": ("DeepSeek-V3", "GPT-4")}
_HOW_TO_FIND = {
    "chip": "vendor_financials(vendor=…) lists a company's chips; xinchuang_certified() with no name lists the "
            "certified ones.",
    "company": "A stock code or one of its chips (910B → Huawei) works too.",
    "chip or vendor": "xinchuang_certified() with no name lists every certified product.",
}


def _hint(kb: KnowledgeBase, kinds: frozenset[str], what: str) -> str:
    """What to write instead: example names this knowledge base knows, and how to list them."""
    examples = []
    for example in _EXAMPLES.get(what, ()):
        try:
            kb.names.resolve(example, kinds, what)
        except NotFoundError:
            continue
        examples.append(example)
    shown = f"Write a {what} name as a report does, e.g. {', '.join(examples)}." if examples else \
        f"Write a {what} name as a report does (Chinese, English or pinyin, with or without the vendor)."
    return " ".join(x for x in (shown, _HOW_TO_FIND.get(what, "")) if x)


def with_pointer(kb: KnowledgeBase, missing: NotFoundError, query: str, kinds: frozenset[str]) -> NotFoundError:
    """The not-found error, plus the tool that does answer for `query` when it names another kind of thing
    (a market or AI model asked of lookup_chip, a model asked of vendor_financials): one 'did you mean' for
    every tool, from the names index and the full-text search."""
    from .topics import elsewhere  # the search is needed only when a name is missing

    hint = elsewhere(kb, query, kinds)
    if not hint:
        return missing
    error = type(missing)(f"{missing}{hint}", missing.candidates)
    return error



def metric_ids(kb: KnowledgeBase, metric: str) -> set[str]:
    """The metrics a filter names, with their family: `capex` also brings capex_growth and capex_growth_qoq.

    A metric belongs to another's family when its id extends that id (`capex` → `capex_growth`) or its
    label extends that label (资本开支 → 资本开支增速), as metrics.toml names them."""
    needle = metric.strip().casefold()
    found = {m["id"] for m in kb.metrics.values()
             if needle in (m["id"], m["label_en"].casefold(), m["label_zh"].casefold())}
    if not found:
        found = {m["id"] for m in kb.metrics.values() if needle in m["label_en"].casefold() or needle in m["label_zh"]}
    if not found:
        raise InputError(f"Unknown metric '{metric}'. Use a metric id such as revenue, net_profit, net_profit_excl, "
                         "revenue_growth, gross_margin, rd_expense, capex, market_cap, market_share, market_size, "
                         "shipments, parameters, gpu_hours, training_cost, users.")
    heads = [kb.metrics[f] for f in found]
    return found | {m["id"] for m in kb.metrics.values() if any(_extends(m, head) for head in heads)}


def _extends(metric: dict, head: dict) -> bool:
    return (metric["id"].startswith(head["id"] + "_") or metric["label_en"].startswith(head["label_en"] + " ")
            or (metric["label_zh"] != head["label_zh"] and metric["label_zh"].startswith(head["label_zh"])))


def period_matches(row: dict[str, Any], asked: periods.Period) -> bool:
    """Whether a figure falls in the asked period, by its printed period or its corrected alias."""
    return periods.matches(asked, row["period"], row["period_alias"])


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
        sparsity=row["sparsity"], engine=row["engine"], period=row["period"], period_alias=row["period_alias"],
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


format_number = _num  # '3,168', '7.02', '?' for a missing one: the identity lines format amounts alike


def shown_period(fig: Figure) -> str | None:
    """'FY2025Q3 [= FY2026Q1]' for a figure whose printed period has a corrected alias."""
    return f"{fig.period} [= {fig.period_alias}]" if fig.period and fig.period_alias else fig.period


def qualifiers(fig: Figure) -> str:
    parts = [p for p in (fig.precision.upper() if fig.precision else None, fig.sparsity, fig.engine, fig.measure,
                         shown_period(fig),
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
