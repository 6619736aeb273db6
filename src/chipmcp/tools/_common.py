"""Pieces every tool uses: turning rows into answer models, resolving names for a tool, and the one
mechanism behind `detail` and paging (summary entries, conflict claims, pages with the call for more)."""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from chipmcp.core import compute
from chipmcp.core.names import Match, signature
from chipmcp.errors import AmbiguousNameError, InputError, NotFoundError, SeveralNamesError
from chipmcp.kb.memo import handout
from chipmcp.kb.store import KnowledgeBase, display_name
from chipmcp.reasoning.cells import Cell
from chipmcp.reasoning.metric_cells import METRICS
from chipmcp.reasoning.selection import SPECS
from chipmcp.tools._answer_parts import (
    Candidate,
    Citation,
    Conflict,
    ConflictClaim,
    Detail,
    Figure,
    NameMatch,
    NameMethod,
    Page,
    Place,
    SourceRef,
)
from chipmcp.tools.registry import DEFAULT_LIMIT

# Characters of compact JSON one answer may take: a page of entries gets what the rest of the answer
# leaves, so a default answer stays within 6,000 with room for its page line and summary
# (benchmarks/bench_sizes.py measures it over every chip, system and vendor).
ANSWER_BUDGET = 5_400
NOTE_LENGTH = 40  # summary notes: enough to say which variant a figure is, not the curator's reasoning
# A note this short is kept whole at summary detail: it says what the figure is ("per superchip (Grace CPU +
# 2 Blackwell GPUs)", "header says billion; the value reads as 亿 (340 million)"), and cut short it could
# say the opposite. Longer notes are the curator's reasoning, cut to NOTE_LENGTH.
WHOLE_NOTE = 64

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
        raise with_pointer(kb, missing, query, kinds, what) from None
    return name_match(query, match)


# Spellings shown when a query is close to nothing; only those this knowledge base resolves are shown.
_EXAMPLES = {
    "chip": ("昇腾910B", "H100", "MTT S4000", "CloudMatrix 384"),
    "company": ("寒武纪", "Moore Threads", "688256", "英伟达"),
    "chip or vendor": ("昇腾910B", "壁仞", "Hygon"),
    "workload": ("DeepSeek-V3", "GPT-4"),
}
_HOW_TO_FIND = {
    "chip": "find_chips(vendor=…) lists a company's chips and systems, find_chips() with filters any of them; "
    "xinchuang_certified() with no name lists the certified ones.",
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
    shown = (
        f"Write a {what} name as a report does, e.g. {', '.join(examples)}."
        if examples
        else f"Write a {what} name as a report does (Chinese, English or pinyin, with or without the vendor)."
    )
    return " ".join(x for x in (shown, _HOW_TO_FIND.get(what, "")) if x)


def with_pointer(kb: KnowledgeBase, missing: NotFoundError, query: str, kinds: frozenset[str], what: str = "entity") -> NotFoundError:
    """The not-found error a model can act on: when `query` names another kind of thing (a market or AI model
    asked of lookup_chip, a model asked of vendor_financials), the tool that answers for it — one 'did you
    mean' for every tool, from the names index and the full-text search; when it is close to nothing, how
    to write or find a name instead."""
    from chipmcp.tools._topics import elsewhere  # the search is needed only when a name is missing

    if isinstance(missing, SeveralNamesError):  # names it knows, joined ('H20 and H200'): nothing to point elsewhere
        several = " Give each chip its own name: compare_chips(names=[…]) takes 2 to 20." if kinds <= CHIP_OR_SYSTEM else ""
        return type(missing)(f"{missing}{several}", missing.candidates)
    # A query carrying a model number ('TPU v5', 'Atlas 800') names a product: full-text search, which would
    # find any note mentioning v5, only redirects topics written in words ('ASIC market').
    hint = elsewhere(kb, query, kinds, search=not signature(query))
    if hint and missing.candidates:
        return type(missing)(f"{missing}{hint}", missing.candidates)
    if hint:  # it does name something: say what, not that nothing is close
        return type(missing)(f"No {what} is named '{query.strip()}'.{hint}", missing.candidates)
    if not missing.candidates:
        return type(missing)(f"{missing} {_hint(kb, kinds, what)}")
    return missing


def metric_ids(kb: KnowledgeBase, metric: str) -> set[str]:
    """The metrics a filter names, with their family: `capex` also brings capex_growth and capex_growth_qoq.

    A word names the metric whose id, label or name (metrics.toml) it is; only a word that names none is
    looked for inside labels and names, so 营收 is revenue (its name) and not only 营收增速 (a label holding it).
    A metric belongs to another's family when its id extends that id (`capex` → `capex_growth`) or its
    label extends that label (资本开支 → 资本开支增速), as metrics.toml names them."""
    needle = metric.strip().casefold()
    words = {
        m["id"]: (m["id"], m["label_en"].casefold(), m["label_zh"].casefold(), *map(str.casefold, m["names"]))
        for m in kb.metrics.values()
    }
    found = {mid for mid, written in words.items() if needle in written}
    if not found:
        found = {mid for mid, written in words.items() if any(needle in w for w in written[1:])}
    if not found:
        raise InputError(
            f"Unknown metric '{metric}'. Use a metric id such as revenue, net_profit, net_profit_excl, "
            "revenue_growth, gross_margin, rd_expense, capex, market_cap, market_share, market_size, "
            "shipments, parameters, gpu_hours, training_cost, users."
        )
    heads = [kb.metrics[f] for f in found]
    return found | {m["id"] for m in kb.metrics.values() if any(_extends(m, head) for head in heads)}


def _extends(metric: dict, head: dict) -> bool:
    return (
        metric["id"].startswith(head["id"] + "_")
        or metric["label_en"].startswith(head["label_en"] + " ")
        or (metric["label_zh"] != head["label_zh"] and metric["label_zh"].startswith(head["label_zh"]))
    )


def name_match(query: str, match: Match) -> NameMatch:
    return NameMatch(
        query=query,
        id=match.id,
        name=match.display,
        method=cast(NameMethod, match.method),  # one of the index's methods
        alias=match.alias,
        score=round(match.score, 1),
        note=match.note,
        alternatives=[Candidate(id=c.id, name=c.display, kind=c.kind, score=c.score) for c in match.alternatives],
    )


def figure(row: dict[str, Any], kb: KnowledgeBase) -> Figure:
    metric = kb.metrics.get(row["metric"], {})
    # The row was validated by `chipmcp build` (and the tests check answers against the output schema):
    # the model is built without validating it again, every field given. Built anew on each call (a few
    # microseconds), each caller gets its own: cheaper than keeping one and copying it out.
    return Figure.checked_dict(
        {
            "id": row["id"],
            "metric": row["metric"],
            "label": metric.get("label_en", row["metric"]),
            "value": row["value"],
            "low": row["low"],
            "high": row["high"],
            "alternatives": bool(row["alternatives"]),
            "bound": row["bound"],
            "text": row["text"],
            "unit": row["unit"],
            "precision": row["precision"],
            "sparsity": row["sparsity"],
            "engine": row["engine"],
            "period": row["period"],
            "period_alias": row["period_alias"],
            "basis": row["basis"],
            "as_of": row["as_of"],
            "measure": row["measure"],
            "quantity": row["quantity"],
            "printed": row["printed"],
            "source": row["source"],
            "locator": row["locator"],
            "cite": "",
            "at": "",
            "note": row["note"] or "",
            "suspect": bool(row["suspect"]),
            "preferred": bool(row["preferred"]),
            "conflicts_with": [int(i) for i in row["conflicts_with"].split(",")] if row["conflicts_with"] else [],
            "conflict_group": row["conflict_group"],
            "conflict_kind": row["conflict_kind"],
            "history_group": row["history_group"],
            "also": [],
        }
    )


def conflicts(figures: list[Figure], kb: KnowledgeBase, detail: Detail = "full", linked: bool = True) -> list[Conflict]:
    """One entry per conflict group (figures linked by disagreements, set by the build), naming the preferred
    one and the rule that chose it; one per possible disagreement (with the stated figures it matches none of);
    one per history (a claim at several dates); and, when `linked`, one per quantity reported by several
    publishers (any entity). Each lists its distinct values as claims side by side; at full detail also every
    figure as printed, and every figure id of the conflict (at summary detail its claims hold them: each id once)."""
    full = detail == "full"
    by_id = {fig.id: fig for fig in figures}
    out = [_group_conflict(members, by_id, full, kb.preferred_because) for members in _grouped(figures, "conflict_group")]
    out += [_history(members, full) for members in _grouped(figures, "history_group")]
    if linked:
        out += _linked(figures, kb, full)
    return out


# What each rule of the build's preference order (kb/build.PREFERENCE_RULES) tells a reader.
PREFERRED_BECAUSE = {
    "suspect": "the others are marked suspect",
    "curated": "the curators' choice; its note says why",
    "report": "a report outranks a dataset",
    "newer": "the newest source",
    "order": "no rule tells them apart: the first listed",
}


def _grouped(figures: list[Figure], field: str) -> list[list[Figure]]:
    groups: dict[int, list[Figure]] = {}
    for fig in figures:
        if (group := getattr(fig, field)) is not None:
            groups.setdefault(group, []).append(fig)
    return list(groups.values())


def _group_conflict(members: list[Figure], by_id: dict[int, Figure], full: bool, because: dict[int, str]) -> Conflict:
    first = members[0]
    if first.conflict_kind == "possible":
        return _possible(first, [by_id[i] for i in first.conflicts_with if i in by_id], full)
    label = first.label or first.metric
    preferred = min(members, key=lambda m: (not m.preferred, m.suspect, m.id))
    qualifier = _claim_qualifier(first)
    listed = "; ".join(f"{m.printed} ({m.source}, {m.locator})" for m in members)
    return Conflict(
        kind="disagreement",
        metric=first.metric,
        qualifier=qualifier,
        figure_ids=[m.id for m in members] if full else [],
        preferred_id=preferred.id,
        why=PREFERRED_BECAUSE.get(because.get(preferred.id, ""), ""),
        claims=claims_of(sorted(members, key=lambda m: m is not preferred)),
        summary=f"Figures disagree on {label} ({qualifier}): {listed}. Preferred: {preferred.printed} ({preferred.source})."
        if full
        else "",
    )


def _possible(first: Figure, stated: list[Figure], full: bool) -> Conflict:
    """A figure of unprinted precision beside the stated figures it matches none of."""
    listed = "; ".join(f"{format_value(m)} ({qualifiers(m) or 'unqualified'})" for m in stated)
    return Conflict(
        kind="possible",
        metric=first.metric,
        qualifier=_claim_qualifier(first),
        figure_ids=[first.id, *(m.id for m in stated)] if full else [],
        preferred_id=None,
        claims=claims_of([first, *stated]),
        summary=f"Possible disagreement on {first.label or first.metric}: {first.printed} ({first.source}, {first.locator}) "
        f"does not print its precision and matches none of the stated figures: {listed}."
        if full
        else "",
    )


def _history(members: list[Figure], full: bool) -> Conflict:
    first = members[0]
    dated = sorted(members, key=lambda m: (m.as_of or "", m.id))
    listed = "; ".join(f"{m.as_of or 'undated'}: {format_value(m)} ({m.source})" for m in dated)
    return Conflict(
        kind="history",
        metric=first.metric,
        qualifier=_claim_qualifier(first),
        figure_ids=[m.id for m in dated] if full else [],
        claims=claims_of(dated, dated=True),
        summary=f"{first.label or first.metric} at different dates (not a disagreement; undated first): {listed}." if full else "",
    )


def _linked(figures: list[Figure], kb: KnowledgeBase, full: bool) -> list[Conflict]:
    """Each quantity the figures report that other publishers or definitions report too, side by side."""
    quantities = sorted({fig.quantity for fig in figures if fig.quantity})
    linked: dict[str, list[dict[str, Any]]] = {}
    for row in kb.figures_of_quantity(quantities) if quantities else []:
        linked.setdefault(row["quantity"], []).append(row)
    out = []
    for quantity, rows in linked.items():
        if len(rows) < 2:
            continue
        listed = "; ".join(
            f"{r['entity']} {r['metric']} {r['period'] or ''} {r['printed']} ({r['source']})".replace("  ", " ") for r in rows
        )
        out.append(
            Conflict(
                kind="linked",
                metric=rows[0]["metric"],
                qualifier=quantity,
                figure_ids=[r["id"] for r in rows] if full else [],
                claims=_linked_claims(rows, kb),
                summary=f"One quantity ({quantity}) from different publishers or definitions, side by side: {listed}." if full else "",
            )
        )
    return out


def claims_of(members: Sequence[Figure], dated: bool = False) -> list[ConflictClaim]:
    """Each distinct value (at each date, for a history) once, in the order given, with its figures and reports."""
    claims: dict[str, ConflictClaim] = {}
    for member in members:
        value = f"{member.as_of or 'undated'}: {format_value(member)}" if dated else format_value(member)
        claim = claims.setdefault(value, ConflictClaim(value=value, figure_ids=[], sources=[]))
        claim.figure_ids.append(member.id)
        if member.source not in claim.sources:
            claim.sources.append(member.source)
    return list(claims.values())


def _linked_claims(rows: list[dict[str, Any]], kb: KnowledgeBase) -> list[ConflictClaim]:
    claims: dict[str, ConflictClaim] = {}
    for row in rows:
        value = " ".join(x for x in (row["entity"], row["metric"], row["period"], format_value(figure(row, kb))) if x)
        claim = claims.setdefault(value, ConflictClaim(value=value, figure_ids=[], sources=[]))
        claim.figure_ids.append(row["id"])
        if row["source"] not in claim.sources:
            claim.sources.append(row["source"])
    return list(claims.values())


def _claim_qualifier(fig: Figure) -> str:
    return " ".join(x for x in (fig.precision, fig.engine, fig.measure, fig.period, fig.basis) if x) or "unqualified"


def summarize(kb: KnowledgeBase, rows: Sequence[dict[str, Any]], figures: Sequence[Figure]) -> list[Figure]:
    """Each preferred fact once: figures stating the same value for the same claim become one entry (the
    first printed) listing the others' citations in `also`. Figures a preferred one outranks are left to
    the conflicts' claims (whose preferred_id names the entry). Notes are cut short: what a figure
    measures is its `measure`, never its note."""
    entries: dict[tuple[Any, ...], Figure] = {}
    for row, fig in zip(rows, figures, strict=True):
        if not fig.preferred:
            continue
        key = (
            row["metric"],
            row["precision"],
            row["sparsity"],
            row["engine"],
            row["period"],
            row["basis"],
            row["as_of"],
            row["measure"],
            row["quantity"],
            row["bound"],
            bool(row["alternatives"]),
            (row["text"] or "").casefold() if row["text"] is not None else None,
            row["base_value"],
            row["base_low"],
            row["base_high"],
            row["currency"],
            fig.suspect,
        )
        entry = entries.get(key)
        if entry is None:
            # Which figures dispute it is the conflicts' business (their claims), not repeated per entry.
            entries[key] = fig.updated(label="", conflict_group=None, conflicts_with=[], also=[], note=short(fig.note))
        else:
            entry.also.append(Citation(id=fig.id, source=fig.source, locator=fig.locator, printed=fig.printed))
    return list(entries.values())


def key_specs_first(kb: KnowledgeBase, entries: list[Figure]) -> list[Figure]:
    """Entries in the order metrics.toml lists their metrics (compute, memory, bandwidth and power before form
    factor and use case), each metric's in figure order: a cut page leaves out the least telling facts."""
    order = kb.metric_order
    return sorted(entries, key=lambda entry: order.get(entry.metric, len(order)))


def cite_once(entries: list[Figure], datasets: frozenset[str] = frozenset()) -> tuple[list[Figure], dict[str, Place]]:
    """The entries citing each source and locator by a short key ('c1'), and the table of those keys: a
    report's table caption is written once, not on every figure printed in it. A dataset (`datasets`: their
    source ids) locates each cell at '<row> / <column>': the key names the row and the entry its column
    (`at`), so a chip's row is written once, not once per column. New entries; the given ones (possibly
    shared, memoized) are left as they are."""
    table: dict[str, Place] = {}
    return list(_citing(entries, datasets, table)), table


def _citing(entries: Iterable[Figure], datasets: frozenset[str], table: dict[str, Place]) -> Iterator[Figure]:
    """cite_once's entries one by one, `table` holding every key given so far as each is yielded (an entry
    cited depends only on those before it: a caller may stop early)."""
    keys: dict[tuple[str, str], str] = {}

    def key(source: str, locator: str) -> tuple[str, str]:
        row, at = locator.rsplit(" / ", 1) if source in datasets and " / " in locator else (locator, "")
        found = keys.get((source, row))
        if found is None:
            found = keys[(source, row)] = f"c{len(keys) + 1}"
            table[found] = Place(source=source, locator=row)
        return found, at

    # A note the page already gave (a dataset row's note is on each of its figures) points to its first entry.
    first_with: dict[str, int] = {}
    for entry in entries:
        cite, at = key(entry.source, entry.locator)
        also = [_cited_by_key(c, *key(c.source, c.locator), entry.printed) for c in entry.also]
        note = entry.note
        if note and note in first_with:
            note = f"as #{first_with[note]}"
        elif note:
            first_with[note] = entry.id
        yield entry.updated(cite=cite, at=at, source="", locator="", also=also, note=note)


def _cited_by_key(c: Citation, cite: str, at: str, printed: str) -> Citation:
    shown = "" if c.printed == printed else c.printed  # left out when it is the entry's own
    return c.updated(cite=cite, at=at, source="", locator="", printed=shown)


def dataset_sources(kb: KnowledgeBase) -> frozenset[str]:
    return frozenset(sid for sid, s in kb.sources.items() if s.get("kind") == "dataset")


def cited_places(entries: Iterable[Figure], table: dict[str, Place]) -> dict[str, Place]:
    """The part of a citation table the given entries use, in key order."""
    used = {e.cite for e in entries} | {c.cite for e in entries for c in e.also}
    return {k: place for k, place in table.items() if k in used}


def entry_sources(entries: Iterable[Figure], table: dict[str, Place]) -> list[str]:
    """The source ids of entries, through the citation table when they cite by key."""
    out = []
    for e in entries:
        for cited in (e, *e.also):
            out.append(table[cited.cite].source if cited.cite else cited.source)
    return out


def citation_line(table: dict[str, Place]) -> list[str]:
    if not table:
        return []
    return ["Cited at: " + "; ".join(f"{k} = {p.source} / {p.locator}" for k, p in table.items())]


def short(note: str, length: int = NOTE_LENGTH) -> str:
    if len(note) <= max(length, WHOLE_NOTE):
        return note
    cut = note[:length].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


T = TypeVar("T", bound=BaseModel)


def page(
    items: Sequence[T],
    offset: int,
    limit: int,
    detail: Detail,
    call: str,
    noun: str,
    full_total: int | None = None,
    budget: int | None = None,
    cost: Callable[[T], int] | None = None,
) -> tuple[list[T], Page]:
    """The entries from `offset` on, at most `limit` of them and, given a `budget`, no more than fit in that
    many characters of compact JSON (at least one; `cost` measures an entry otherwise), and what that leaves
    out: the call for the next page, and at summary detail the call for every row. `call` is the tool call
    without its paging arguments, e.g. "lookup_chip(name='nvidia-h100'" (closed here)."""
    if offset >= len(items) and items:  # the last entry is at len - 1: an offset at len shows nothing
        raise InputError(f"offset {offset} is past the end: there are {len(items)} {noun} at detail='{detail}'.")
    chosen: list[T] = []
    used = 0
    for item in items[offset : offset + limit]:
        if budget is not None:
            used += cost(item) if cost is not None else len(item.model_dump_json(exclude_defaults=True)) + 1
        if chosen and budget is not None and used > budget:
            break
        chosen.append(item)
    return chosen, _page_of(len(items), offset, len(chosen), limit, detail, call, noun, full_total)


def _page_of(total: int, offset: int, returned: int, limit: int, detail: Detail, call: str, noun: str, full_total: int | None) -> Page:
    """The Page of `returned` entries from `offset` of `total`, with the calls for what it leaves out."""
    detail_arg = ", detail='full'" if detail == "full" else ""
    limit_arg = f", limit={limit}" if limit != DEFAULT_LIMIT else ""
    more = []
    left = total - offset - returned
    if left > 0:
        more.append(f"{left} more {noun}: ask {call}{detail_arg}, offset={offset + returned}{limit_arg})")
    if detail == "summary" and full_total:
        more.append(f"every figure row ({full_total}, with notes and locators): ask {call}, detail='full')")
    return Page(total=total, returned=returned, offset=offset, more="; ".join(more))


def summary_page(
    kb: KnowledgeBase, entries: list[Figure], offset: int, limit: int, call: str, full_total: int, rest: Any
) -> tuple[list[Figure], Page]:
    """A summary page: key specs first, each source and locator cited once by key, as many entries as the
    budget leaves beside `rest` (the answer without its entries, its `sources` those it cites whatever the
    page holds), measured without rendering; the page holds the part of the citation table it uses."""
    cited, table = cite_once(key_specs_first(kb, entries), dataset_sources(kb))
    rest.page = Page(total=0, returned=0)
    budget = room(rest) + ENTRIES_SLACK
    cost = _entry_cost(kb, table, {s.id for s in rest.sources})
    chosen, shown = page(cited, offset, limit, "summary", call, "entries", full_total=full_total, budget=budget, cost=cost)
    shown.citations = cited_places(chosen, table)
    return chosen, shown


@dataclass(frozen=True, slots=True)
class SummaryPlan:
    """A summary's entries cited and sized from offset 0, as summary_page cites and sizes them, for a caller
    whose entries and answer sources are the same on every question (one entity's lookup): its first page is
    then a cut at the budget, not a sizing. Shared: the entries are handed out as copies."""

    total: int  # entries in the whole summary
    # The first entries, cited, and what entries[:k + 1] add to the answer (_entry_cost's costs, summed in
    # order), as far as the first sum beyond the largest budget a question may leave: no first page reaches
    # further, so no later entry is cited or kept.
    entries: tuple[Figure, ...]
    running: tuple[int, ...]
    table: dict[str, Place]  # the citation keys of those entries


def summary_plan(kb: KnowledgeBase, entries: list[Figure], listed: Iterable[str], rest_size: int = 0) -> SummaryPlan:
    """The plan of a summary whose answer cites `listed` besides its entries (what summary_page takes from
    `rest.sources`) and takes at least `rest_size` characters without them, whatever the question."""
    table: dict[str, Place] = {}
    cost = _entry_cost(kb, table, set(listed))
    cited: list[Figure] = []
    running: list[int] = []
    used = 0
    for entry in _citing(key_specs_first(kb, entries), dataset_sources(kb), table):
        used += cost(entry)
        cited.append(entry)
        running.append(used)
        if used > ANSWER_BUDGET - rest_size + ENTRIES_SLACK:
            break
    return SummaryPlan(len(entries), tuple(cited), tuple(running), table)


def first_summary_page(plan: SummaryPlan, rest_size: int, limit: int, call: str, full_total: int) -> tuple[list[Figure], Page]:
    """summary_page(kb, entries, 0, limit, call, full_total, rest) from the entries' plan, `rest_size` being the
    length of the rest's compact JSON with an empty page (what room() measures): the entries whose running
    cost fits the budget the rest leaves (at least one), at most `limit`."""
    budget = ANSWER_BUDGET - rest_size + ENTRIES_SLACK
    within = min(limit, len(plan.entries))
    count = max(bisect.bisect_right(plan.running, budget, 0, within), min(within, 1))
    chosen = handout(list(plan.entries[:count]))
    shown = _page_of(plan.total, 0, count, limit, "summary", call, "entries", full_total)
    shown.citations = handout(cited_places(chosen, plan.table))
    return chosen, shown


def _entry_cost(kb: KnowledgeBase, table: dict[str, Place], listed: set[str]) -> Callable[[Figure], int]:
    """What each entry adds to an answer, in characters of JSON: itself, the citations it adds to the page's
    table and the sources it adds to the answer's list (`listed`: those already there). A dataset cites every
    cell at its own row, so sizing the whole table (or every source) up front would leave a rich entity a
    short page. The text block says the same in its own words, within 4,000 of the JSON's 6,000."""
    placed: set[str] = set()

    def cost(entry: Figure) -> int:
        keys = [k for k in (entry.cite, *(c.cite for c in entry.also)) if k not in placed]
        placed.update(keys)
        sources = source_refs(kb, {source for k in keys if (source := table[k].source) not in listed})
        listed.update(r.id for r in sources)
        as_json = len(entry.model_dump_json(exclude_defaults=True)) + 1
        as_json += sum(len(k) + len(table[k].model_dump_json(exclude_defaults=True)) + 4 for k in keys)
        as_json += sum(len(r.model_dump_json()) + 1 for r in sources)
        as_text = len(describe(entry)) + 3 + sum(len(k) + len(table[k].source) + len(table[k].locator) + 8 for k in keys)
        as_text += sum(len(r.id) + len(r.publisher) + len(r.title) + len(r.date) + 10 for r in sources)
        return max(as_json, as_text * 8 // 5)

    return cost


def entries_page(
    kb: KnowledgeBase,
    answer: Any,
    listed: list[Figure],
    full_total: int,
    detail: Detail,
    offset: int,
    limit: int,
    call: str,
    first_page_only: Sequence[str],
) -> None:
    """Fill `answer.figures` and `answer.page` at either detail — a summary page sized by its budget, or
    figure rows — and, past the first page, empty the blocks (`first_page_only`) the first page holds."""
    if detail == "summary":
        if offset:  # the first page holds them; a later page is the entries it asks for
            for name in first_page_only:
                setattr(answer, name, [])
        answer.figures, answer.page = summary_page(kb, listed, offset, limit, call, full_total, answer)
    else:
        answer.figures, answer.page = page(listed, offset, limit, detail, call, "figure rows", full_total=full_total)


FIRST_PAGE_ONLY = "on the first page (offset=0): not repeated"
# What ANSWER_BUDGET keeps for the page line and summary (600) is more than a summary page's take: its
# `more` (at most ~260 characters) and summary (at most ~140) leave 200 for entries, within 6,000.
ENTRIES_SLACK = 200


def room(rest: BaseModel) -> int:
    """What a page of entries may take when the rest of the answer (built without them) is `rest`."""
    return ANSWER_BUDGET - len(rest.model_dump_json(exclude_defaults=True))


def call_of(tool: str, **arguments: Any) -> str:
    """'lookup_chip(name=\'nvidia-h100\'' — the opening of a call a model can copy."""
    return f"{tool}(" + ", ".join(f"{k}={v!r}" for k, v in arguments.items() if v is not None)


def source_refs(kb: KnowledgeBase, ids: Iterable[str]) -> list[SourceRef]:
    # A source row's fields were checked by `chipmcp build` (each a text): every field given, in declaration order.
    return [
        SourceRef.checked_before(
            id=s["id"], publisher=s["publisher_en"], title=s["title"], date=s["date"], licence=s.get("licence", "")
        )
        for sid in sorted(set(ids))
        if (s := kb.sources.get(sid))
    ]


BOUND_SYMBOLS = {"approx": "≈", "over": ">", "at_least": "≥", "at_most": "≤", "under": "<"}


def format_value(fig: Figure) -> str:
    """A figure as a reader would say it: '≈376 TFLOPS', '14.5-15.2 亿元', '688795.SH'."""
    if fig.text is not None:
        return fig.text
    bound = BOUND_SYMBOLS.get(fig.bound or "", "")
    if fig.value is not None:
        shown = number(fig.value)
    else:
        shown = f"{number(fig.low)} or {number(fig.high)}" if fig.alternatives else span_text(fig.low, fig.high)
    unit = "" if fig.unit == "count" else fig.unit  # '6,912 CUDA cores', not '6,912 count'
    return f"{bound}{shown} {unit}".strip()


def span_text(low: float | None, high: float | None, dash: str = "-") -> str:
    """'14.5-15.2', but '-11.5 to -10.4' when an end is negative (a loss): a dash there reads as a minus."""
    negative = any(v is not None and v < 0 for v in (low, high))
    return f"{number(low)} to {number(high)}" if negative else f"{number(low)}{dash}{number(high)}"


def number(value: float | None) -> str:
    """The one way the text blocks write a quantity: thousands separated, at most 4 decimals — more below 1, so
    that a small value keeps 4 significant digits, as the JSON beside it does (0.004264, not 0.0043)."""
    if value is None:
        return "?"
    if abs(value) >= 1e15:  # FLOP counts: '4.2e+23', not twenty-four digits
        return f"{value:.4g}"
    if value == int(value):
        return f"{int(value):,}"
    decimals = max(4, 3 - math.floor(math.log10(abs(value))))
    return f"{value:,.{decimals}f}".rstrip("0").rstrip(".")


def ids(values: Iterable[int]) -> str:
    return ", ".join(f"#{v}" for v in values)


def source_lines(sources: Iterable[SourceRef]) -> str:
    return "Sources: " + "; ".join(
        f"{s.id} = {s.publisher}, {s.title} ({s.date}{'; ' + s.licence if s.licence else ''})" for s in sources
    )


def sources_counted(kb: KnowledgeBase, ids: Iterable[str]) -> str:
    """What the sources are, counted: '3 report(s) and 1 dataset(s)' (a dataset is a table, not a report)."""
    ids = set(ids)
    datasets = sum((kb.sources.get(sid) or {}).get("kind") == "dataset" for sid in ids)
    said = [f"{n} {what}(s)" for n, what in ((len(ids) - datasets, "report"), (datasets, "dataset")) if n]
    return " and ".join(said) or "0 report(s)"


def match_line(m: NameMatch) -> list[str]:
    """How a name was matched, and the close alternatives, for the text block."""
    lines = [f"Matched '{m.query}' → {m.name} [{m.id}] ({m.method}, alias '{m.alias}', score {number(m.score)})."]
    if m.note:
        lines.append(m.note)
    if m.alternatives:
        lines.append(
            "Close alternatives: "
            # score 0: a related model the note names, not a scored match (a 'score 0' read as no match at all)
            + "; ".join(f"{c.name} [{c.id}, {c.kind}" + (f", score {number(c.score)}]" if c.score else "]") for c in m.alternatives)
        )
    return lines


def conflict_lines(items: Iterable[Conflict]) -> list[str]:
    out = []
    for c in items:
        sides = " vs ".join(f"{cl.value} ({', '.join(cl.sources)}: {ids(cl.figure_ids)})" for cl in c.claims)
        out.append(
            f"- {c.kind}: {c.metric} ({c.qualifier}): {sides}"
            + (f"; preferred #{c.preferred_id}" if c.preferred_id is not None else "")
            + (f" ({c.why})" if c.why else "")
            + (f". {c.summary}" if c.summary else "")
        )
    return out


def page_line(p: Page, noun: str) -> str:
    shown = f"{p.offset + 1}-{p.offset + p.returned}" if p.returned else "none"
    return (
        f"{noun.capitalize()} {shown} of {p.total} (offset {p.offset}, returned {p.returned})"
        + (f". More: {p.more}" if p.more else "")
        + "."
    )


def entries_lines(detail: str, page: Page, entries: list[Figure], none: str, first_page_blocks: str) -> list[str]:
    """A paged answer's entries in text: the page line, each entry, the citation table; on a later summary
    page, which blocks stayed on the first."""
    lines = [page_line(page, "figures" if detail == "full" else "figure entries")]
    lines += [describe(f) for f in entries] or [none]
    lines += citation_line(page.citations)
    if detail == "summary" and page.offset:
        lines.append(f"{first_page_blocks}: {FIRST_PAGE_ONLY}.")
    return lines


format_number = number  # '3,168', '7.02', '?' for a missing one: the identity lines format amounts alike


def shown_period(fig: Figure) -> str | None:
    """'FY2025Q3 [= FY2026Q1]' for a figure whose printed period has a corrected alias."""
    return f"{fig.period} [= {fig.period_alias}]" if fig.period and fig.period_alias else fig.period


def qualifiers(fig: Figure) -> str:
    parts = [
        p
        for p in (
            fig.precision.upper() if fig.precision else None,
            fig.sparsity,
            fig.engine,
            fig.measure,
            shown_period(fig),
            fig.basis,
            f"as of {fig.as_of}" if fig.as_of else None,
        )
        if p
    ]
    return ", ".join(parts)


def describe(fig: Figure) -> str:
    """One line per figure (or summary entry), for the text block: everything the structured one says."""
    quals = qualifiers(fig)
    flags = []
    if fig.conflict_kind == "possible":
        flags.append(
            "POSSIBLE CONFLICT: precision not printed, matches no stated figure"
            + (f": {ids(fig.conflicts_with)}" if fig.conflicts_with else "")
        )
    elif fig.conflicts_with:
        flags.append(("CONFLICT" if fig.preferred else "CONFLICT, not preferred") + " with " + ids(fig.conflicts_with))
    if fig.conflict_group is not None:
        flags.append(f"group #{fig.conflict_group}")
    if fig.history_group is not None:
        flags.append(f"dated series #{fig.history_group}")
    if fig.quantity:
        flags.append(f"quantity {fig.quantity}")
    if fig.suspect:
        flags.append("SUSPECT")
    extra = f" — {fig.note}" if fig.note else ""
    tail = f" [{'; '.join(flags)}]" if flags else ""
    name = f"{fig.label} [{fig.metric}]" if fig.label else fig.metric
    also = "".join(f"; also #{c.id}{_printed(c)} {_where(c)}" for c in fig.also)
    return f"- {name}{f' ({quals})' if quals else ''}: {format_value(fig)} — #{fig.id} '{fig.printed}' {_where(fig)}{also}{extra}{tail}"


def _printed(cited: Citation) -> str:
    return f" '{cited.printed}'" if cited.printed else ""  # empty: printed as the entry it backs


def _where(cited: Figure | Citation) -> str:
    if cited.cite:
        return f"[{cited.cite}: {cited.at}]" if cited.at else f"[{cited.cite}]"
    return f"{cited.source} / {cited.locator}"


def format_cell(cell: Cell) -> str:
    """A cell in the text block: '376', '752–800', '≈3000', tagged when it is not a plain dense figure."""
    bound = {"approx": "≈", "over": ">", "at_least": "≥", "at_most": "≤", "under": "<"}.get(cell.bound or "", "")
    if cell.text is not None:
        return cell.text
    ends = cell.ends()
    if ends is None:
        return "—"
    span = span_text(cell.span[0], cell.span[1], "–") if cell.span else ""
    shown = number(ends[0]) if ends[0] == ends[1] else span_text(ends[0], ends[1], "–")
    tags = [
        t
        for t, on in (
            ("sparse", cell.tier == "sparse"),
            ("no precision", cell.tier == "unlabeled"),
            ("suspect", cell.suspect),
            (f"claims {span}", bool(cell.span)),
        )
        if on
    ]
    return bound + shown + (f" [{', '.join(tags)}]" if tags else "")


def unknown_metric(name: str, known: Sequence[str], argument: str, common: Sequence[str] = ()) -> InputError:
    """The error for a metric name the registry does not know: the known metrics nearest to it, by spelling,
    and the `common` ones a tool reads most."""
    from rapidfuzz import fuzz, process  # loaded on the first bad name, not at start-up

    nearest = [m for m, _, _ in process.extract(name, list(known), scorer=fuzz.ratio, limit=5)]
    return InputError(
        f"Unknown metric '{name}' in {argument}. Nearest known metrics: {', '.join(nearest)}."
        + (f" Most used: {', '.join(common)}." if common else "")
        + f" Any metric id of the registry (knowledge/metrics.toml) is known, {len(known)} in all."
    )


# Where a metric no chip or system carries is answered, by the kind of entity its figures are of.
_TOOL_OF_KIND = {
    "vendor": ("vendor_financials", "companies"),
    "market": ("industry_figures", "markets"),
    "workload": ("industry_figures", "AI models and workloads"),
}


def not_a_chip_metric(kb: KnowledgeBase, name: str, metric: str, argument: str) -> InputError | None:
    """The error for a registry metric no chip or system figure carries (a company's revenue, a model's
    parameters), naming the tool that answers it; None for a chip or system metric."""
    if metric in METRICS or metric in SPECS or metric not in kb.metrics:
        return None
    kinds = kb.metric_entity_kinds.get(metric, frozenset())
    if kinds & {"chip", "system"}:
        return None
    holders = [_TOOL_OF_KIND[k] for k in sorted(kinds) if k in _TOOL_OF_KIND]
    if not holders:
        return InputError(f"No chip or system reports {name} ({argument} reads chip and system figures).")
    tools = list(dict.fromkeys(tool for tool, _ in holders))
    what = " and ".join(dict.fromkeys(words for _, words in holders))
    return InputError(
        f"{name} is not a chip or system metric: the reports give it for {what}. "
        f"Ask {' or '.join(tools)} for it; {argument} reads chip and system figures."
    )


def tidied(value: float, digits: int = 6) -> float:
    """`value` rounded by compute.tidy; a ratio or difference of figures is finite, and a NaN here is a bug."""
    rounded = compute.tidy(value, digits)
    if rounded is None:
        raise ValueError(f"{value} is not a finite number")
    return rounded
