"""industry_figures: every figure of a market, group or AI model (and the company figures printed in its
tables), in lookup_chip's shape — share tables ranked, and the figures the knowledge base links as one
quantity (`quantity`: several publishers' sizing of one market, a claim about another model's cost) side by
side with a verdict and the rule behind it."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Annotated, Any, Literal, cast

from pydantic import Field

from chipmcp.core import compute, periods
from chipmcp.core.units import UNITS
from chipmcp.errors import NotFoundError
from chipmcp.kb.store import KnowledgeBase
from chipmcp.reasoning.cells import Model
from chipmcp.tools import _periods
from chipmcp.tools._answer_parts import (
    Candidate,
    Conflict,
    Detail,
    Figure,
    Page,
    SourceRef,
    TopicMethod,
)
from chipmcp.tools._common import (
    ANSWER_BUDGET,
    FIRST_PAGE_ONLY,
    call_of,
    citation_line,
    cite_once,
    cited_places,
    conflict_lines,
    conflicts,
    dataset_sources,
    describe,
    entry_sources,
    figure,
    format_value,
    ids,
    key_specs_first,
    metric_ids,
    number,
    page,
    page_line,
    room,
    source_lines,
    source_refs,
    sources_counted,
    summarize,
)
from chipmcp.tools._identity import IDENTITY_METRICS
from chipmcp.tools._topics import INDUSTRY_KINDS, INDUSTRY_METRICS, Topic, linked_company_figures, resolve_topic
from chipmcp.tools.registry import DEFAULT_LIMIT, Arguments, DetailArg, LimitArg, Name, OffsetArg, PeriodArg, Tool


class TopicMatch(Model):
    query: str
    entities: list[Candidate] = Field(description="The markets, groups, models or companies whose figures are shown")
    metrics: list[str] = Field(default_factory=list, description="Metrics the topic or `metric` named; empty: all")
    method: TopicMethod = Field(
        description="name: the topic is a name; +metric: with a metric's words; metric: a metric across the "
        "industry; search: full-text search over names, labels, locators and notes"
    )
    note: str = ""


class RankedShare(Model):
    rank: int
    entity: str
    name: str
    value: float | None
    low: float | None = None
    high: float | None = None
    printed: str
    figure_id: int


class ShareTable(Model):
    """A share table: figures of one metric across entities, from one table of one report, ranked."""

    metric: str
    label: str
    period: str | None
    source: str
    locator: str
    of: str = Field(description="What the shares are of, from the figures' note")
    rows: list[RankedShare]
    total: float | None = Field(description="Sum of the listed shares, in %")


class SeriesClaim(Model):
    """One claim of a linked quantity: a figure's value, or the value a ratio figure implies."""

    entity: str = Field(description="What the value is of (a ratio's implied value is of the quantity's entity)")
    period: str | None = None
    value: str = Field(description="As a reader would say it: '120 亿美元', '≈1 亿美元'")
    figure_ids: list[int]
    sources: list[str]
    implied: str = Field(default="", description="For a ratio: how the value was read from it")


class SeriesComparison(Model):
    """The claims of a linked quantity that share a period (or are all undated), compared."""

    period: str = Field(description="The shared period, or 'undated'")
    entities: list[str]
    figure_ids: list[int]
    apart: float | None = Field(default=None, description="Largest ÷ smallest value")
    agree: bool = Field(default=False, description="Every claim within the others' rounding and bounds")


class Series(Model):
    """Figures linked by one `quantity` id (one quantity from different publishers or definitions), side by side."""

    quantity: str = Field(description="The quantity id the knowledge base links the figures by")
    label: str
    entities: list[str]
    verdict: Literal["agree", "disagree", "different-definitions"] = Field(description="By the answer's `rules`")
    claims: list[SeriesClaim]
    compared: list[SeriesComparison] = Field(default_factory=list)


class EntityFigures(Model):
    entity: str
    name: str
    kind: str = Field(description="market, group, regulation, llm, training-run, or a company's kind")
    printed_with: str | None = Field(default=None, description="For a company: the topic entity whose table printed these")
    linked_by: str | None = Field(default=None, description="Shown because it reports this quantity of the topic")
    figures: list[Figure]


class IndustryFigures(Model):
    topic: TopicMatch
    detail: Detail = "summary"
    figures: list[EntityFigures] = Field(
        description=(
            "This page's figure entries by entity; at summary detail a figure shown in a share table or series is not repeated here"
        )
    )
    page: Page
    share_tables: list[ShareTable] = Field(default_factory=list)
    series: list[Series] = Field(default_factory=list, description="Several estimates of one quantity side by side")
    rules: dict[str, str] = Field(default_factory=dict, description="Each series verdict shown → the rule that gives it")
    conflicts: list[Conflict]
    definitions: dict[str, str] = Field(default_factory=dict, description="Entity id → what it covers (our words)")
    sources: list[SourceRef]
    summary: str


Row = dict[str, Any]


class IndustryFiguresArguments(Arguments):
    topic: Name = Field(
        description=("Market, group, AI model or metric, any language: 全球ASIC市场规模, 中国AI加速卡市场份额, BAT, DeepSeek-V3, capex")
    )
    period: PeriodArg = Field(default=None, description="2024, 2025H1, FY25, 1H25, …")
    metric: Annotated[str, Field(max_length=60)] | None = Field(
        default=None, description=("market_size, market_share, shipments, capex, parameters, gpu_hours, …")
    )
    detail: DetailArg = "summary"
    offset: OffsetArg = 0
    limit: LimitArg = DEFAULT_LIMIT


def industry_figures(kb: KnowledgeBase, args: IndustryFiguresArguments) -> IndustryFigures:
    resolved = resolve_topic(kb, args.topic)
    selected = _select(kb, resolved, args)
    answer = _compute(kb, resolved, selected, args)
    listed = _entries(kb, selected, answer)
    _page(kb, answer, listed, resolved, selected, args)
    return answer


@dataclass
class _Selected:
    """The figures a question selects, in entity order, and why each entity is shown."""

    entities: list[str]  # the topic's own
    wanted: set[str]
    rows: list[Row]
    every: list[Figure]
    linked_by: dict[str, str]  # entity shown for a quantity linked to the topic's figures → that quantity
    found: list[str]  # how a period question found figures other than by their own period

    @property
    def entity_of(self) -> dict[int, str]:
        return {r["id"]: r["entity"] for r in self.rows}

    @property
    def key(self) -> tuple[int, ...]:
        return tuple(r["id"] for r in self.rows)


def _select(kb: KnowledgeBase, resolved: Topic, args: IndustryFiguresArguments) -> _Selected:
    """The topic's figures of the metrics asked, the figures linked to them as one quantity, in the period asked."""
    entities = list(resolved.entities)
    wanted = metric_ids(kb, args.metric) if args.metric else resolved.metrics
    rows = _rows(kb, entities, wanted)
    if not rows:
        raise _nothing_reported(kb, entities, wanted)
    linked_by: dict[str, str] = {}
    found: list[str] = []
    for row in _linked_rows(kb, rows):
        rows.append(row)
        if row["entity"] not in entities:
            linked_by.setdefault(row["entity"], row["quantity"])
    if args.period is not None:  # after linking: another publisher's figure of the period answers too
        asked = periods.parse(args.period)
        reported = _periods.reported(kb, rows)
        rows = [r for r in rows if _periods.found_by(kb, r, asked)]
        if not rows:
            raise NotFoundError(
                f"No figures for period '{asked}' for {_names(kb, entities)}. Periods reported: {', '.join(reported) or 'none'}.",
                reported,
            )
        found = _periods.found_lines(kb, rows, asked)
        linked_by = {e: q for e, q in linked_by.items() if any(r["entity"] == e for r in rows)}
    order = {e: i for i, e in enumerate(dict.fromkeys([*entities, *(r["entity"] for r in rows)]))}
    rows.sort(key=lambda r: order[r["entity"]])  # stable: each entity's figures together, in id order
    return _Selected(entities, wanted, rows, [_figure(kb, r) for r in rows], linked_by, found)


def _compute(kb: KnowledgeBase, resolved: Topic, selected: _Selected, args: IndustryFiguresArguments) -> IndustryFigures:
    """The answer but its figure entries: share tables, linked series, conflicts and definitions."""
    key, every = selected.key, selected.every
    tables = _memo(kb, ("tables", key), lambda: share_tables(kb, every, selected.entity_of))
    series = _memo(kb, ("series", key), lambda: linked_series(kb, selected.rows))
    shown = [*selected.entities, *selected.linked_by]
    note = [_note(resolved, selected.linked_by), company_pointer(kb, selected.entities, selected.wanted, args.metric), *selected.found]
    later = args.detail == "summary" and args.offset > 0  # the first page holds them; a later one the entries asked
    return IndustryFigures(
        topic=TopicMatch(
            query=args.topic,
            entities=[Candidate(id=e, name=_name(kb, e), kind=kb.entities[e]["kind"], score=0.0) for e in shown],
            metrics=sorted(selected.wanted),
            method=cast(TopicMethod, resolved.method),
            note=" ".join(x for x in note if x),
        ),
        detail=args.detail,
        figures=[],
        page=Page(total=0, returned=0),
        share_tables=[] if later else tables,
        series=[] if later else series,
        rules={} if later else _rules(series),
        conflicts=[] if later else _memo(kb, ("conflicts", args.detail, key), lambda: conflicts(every, kb, args.detail, linked=False)),
        definitions={
            e: kb.entities[e]["note"]
            for e in dict.fromkeys([*selected.entities, *(r["entity"] for r in selected.rows)])
            if kb.entities[e]["note"] and kb.entities[e]["entity_kind"] != "vendor"
        },
        sources=[],
        summary="",
    )


def _entries(kb: KnowledgeBase, selected: _Selected, answer: IndustryFigures) -> list[Figure]:
    """The figure entries to page: at full detail every figure row; at summary each fact
    once, a figure a share table or series already cites left out, key specs first within each entity, each
    source and locator cited by a key (answer.page holds the whole table while the page is sized)."""
    if answer.detail == "full":
        return selected.every
    tables = _memo(kb, ("tables", selected.key), lambda: share_tables(kb, selected.every, selected.entity_of))
    series = _memo(kb, ("series", selected.key), lambda: linked_series(kb, selected.rows))
    elsewhere = {r.figure_id for t in tables for r in t.rows} | {i for x in series for c in x.claims for i in c.figure_ids}
    kept: dict[str, list[tuple[Row, Figure]]] = {}
    for r, f in zip(selected.rows, selected.every, strict=True):
        if f.id not in elsewhere:
            kept.setdefault(r["entity"], []).append((r, f))
    # Collapsed per entity: two vendors' equal shares are two facts, not one with two citations.
    listed: list[Figure] = []
    for pairs in kept.values():
        listed += key_specs_first(
            kb,
            _memo(
                kb,
                ("summary", tuple(r["id"] for r, _ in pairs)),
                lambda pairs=pairs: summarize(kb, [r for r, _ in pairs], [f for _, f in pairs]),
            ),
        )
    listed, table = cite_once(listed, dataset_sources(kb))
    answer.page = Page(total=0, returned=0, citations=table)
    return listed


def _page(
    kb: KnowledgeBase,
    answer: IndustryFigures,
    listed: list[Figure],
    resolved: Topic,
    selected: _Selected,
    args: IndustryFiguresArguments,
) -> None:
    """The page of entries the budgets leave room for, sized without rendering: the fixed blocks' text is
    measured once from the same line functions the renderer uses, every group's header and every source
    the page could cite counted (an upper bound)."""
    full = args.detail == "full"
    entities, rows, table = selected.entities, selected.rows, answer.page.citations
    single = len(entities) == 1 and not resolved.metrics and resolved.method == "name"
    call = call_of("industry_figures", topic=entities[0] if single else args.topic, period=args.period, metric=args.metric)
    budget = None
    if not full:
        answer.sources = source_refs(kb, [r["source"] for r in rows] + [s for x in answer.series for c in x.claims for s in c.sources])
        answer.figures = _grouped(kb, listed, selected.entity_of, entities, selected.linked_by, headers_only=True)
        text_room = TEXT_BUDGET - _fixed_text_size(answer)
        budget = min(room(answer), int(text_room * ANSWER_BUDGET / TEXT_BUDGET))
    entries, answer.page = page(
        listed,
        args.offset,
        args.limit,
        args.detail,
        call,
        "figure rows" if full else "entries",
        full_total=len(selected.every),
        budget=budget,
        cost=_cost,  # measured only for the entries the page weighs, not every one listed
    )
    answer.figures = _grouped(kb, entries, selected.entity_of, entities, selected.linked_by)
    if not full:
        answer.page.citations = cited_places(entries, table)
    cited = entry_sources(entries, answer.page.citations)
    cited += [s for c in answer.conflicts for claim in c.claims for s in claim.sources]
    cited += [t.source for t in answer.share_tables]
    cited += [s for x in answer.series for claim in x.claims for s in claim.sources]
    answer.sources = source_refs(kb, cited)
    answer.summary = _summary(kb, answer, selected.every)


TEXT_BUDGET = 3_600  # characters of text a default answer may take before its page line and summary (≤ 4,000)


def _cost(entry: Figure) -> int:
    """An entry's share of the budget: its compact JSON, or its text line scaled to the JSON budget, the larger."""
    return max(len(entry.model_dump_json(exclude_defaults=True)) + 1, (len(describe(entry)) + 1) * ANSWER_BUDGET // TEXT_BUDGET)


# Pieces of answers, per knowledge base (which cannot change while open): a figure, an entity's summary
# entries, a row set's share tables, series and conflicts are pure functions of the rows, so another
# spelling, page or detail of the same topic reuses them. Kept in the knowledge base's memo; shared, so
# never mutated once built.
def _memo(kb: KnowledgeBase, key: tuple[Any, ...], build: Any) -> Any:
    return kb.memo.get(("industry", *key), build)


def _figure(kb: KnowledgeBase, row: Row) -> Figure:
    return _memo(kb, ("figure", row["id"]), lambda: figure(row, kb))


def _rows(kb: KnowledgeBase, entities: list[str], metrics: set[str]) -> list[Row]:
    """The entities' own figures (a company's industry figures only) and the company figures printed in their
    tables, once each, in entity order then figure id."""
    seen: set[int] = set()
    out = []
    for entity in entities:
        own = kb.figures(entity)
        if kb.entities[entity]["entity_kind"] not in INDUSTRY_KINDS:
            own = company_rows(own, metrics)
        for row in [*own, *kb.figures_by_ids(linked_company_figures(kb, entity))]:
            if row["id"] not in seen and (not metrics or row["metric"] in metrics):
                seen.add(row["id"])
                out.append(row)
    return out


def company_rows(rows: list[Row], metrics: set[str]) -> list[Row]:
    """A company's figures an industry question shows: those of the metrics it names (revenue too: the question
    asked for it), else its industry figures (shares, shipments, capex), else — a company with none, such as a
    model maker — every figure it has but its identity (names, codes)."""
    if metrics:
        return [r for r in rows if r["metric"] in metrics]
    industry = [r for r in rows if r["metric"] in INDUSTRY_METRICS]
    return industry or [r for r in rows if r["metric"] not in IDENTITY_METRICS]


def company_pointer(kb: KnowledgeBase, entities: list[str], wanted: set[str], metric: str | None = None) -> str:
    """Where a company's money figures are answered with their growth and unit conversion: the exact call."""
    companies = [
        e
        for e in entities
        if kb.entities[e]["entity_kind"] == "vendor"
        and any(
            r["metric"] not in INDUSTRY_METRICS and r["metric"] not in IDENTITY_METRICS and (not wanted or r["metric"] in wanted)
            for r in kb.figures(e)
        )
    ]
    if not companies:
        return ""
    metric = metric or (next(iter(wanted)) if len(wanted) == 1 else None)
    calls = ", ".join(call_of("vendor_financials", vendor=e, metric=metric) + ")" for e in companies[:3])
    more = f" (and {len(companies) - 3} more companies)" if len(companies) > 3 else ""
    return f"Company figures (revenue, margins, costs) are vendor_financials' answer, with growth and unit conversion: {calls}{more}."


def _linked_rows(kb: KnowledgeBase, rows: list[Row]) -> list[Row]:
    """Figures of any entity that the knowledge base links to one of `rows` by a shared `quantity` id."""
    have = {r["id"] for r in rows}
    quantities = sorted({r["quantity"] for r in rows if r["quantity"]})
    return [r for r in kb.figures_of_quantity(quantities) if r["id"] not in have]


def _nothing_reported(kb: KnowledgeBase, entities: list[str], wanted: set[str]) -> NotFoundError:
    if not entities:
        return NotFoundError(
            f"No market, group, AI model or company reports {'/'.join(sorted(wanted))}. Ask about a "
            "metric the reports give (capex, market share, revenue, parameters) or a topic by name."
        )
    reported = sorted({r["metric"] for r in _rows(kb, entities, set())})
    pointer = company_pointer(kb, entities, set())
    if reported:
        return NotFoundError(
            f"No {'/'.join(sorted(wanted))} figures for {_names(kb, entities)}. "
            f"Metrics reported: {', '.join(reported)}." + (f" {pointer}" if pointer else ""),
            reported,
        )
    held = [e for e in entities if kb.figures(e)]
    if held:  # only its identity (a stock code, a listing): the company tool's answer
        metrics = sorted({r["metric"] for e in held for r in kb.figures(e)})
        calls = ", ".join(call_of("vendor_financials", vendor=e) + ")" for e in held[:3])
        return NotFoundError(
            f"{_names(kb, held)}: no market, share or other industry figure; the reports give "
            f"{', '.join(metrics)}, which {calls} answers.",
            metrics,
        )
    return NotFoundError(
        f"The reports name {_names(kb, entities)} but give no figures for it. Ask about a market "
        "(全球ASIC市场, China AI accelerator cards), a group (BAT) or a model with figures (DeepSeek-V3, "
        "GPT-4), or a metric across the industry (capex, market share)."
    )


def _note(resolved: Topic, linked_by: dict[str, str]) -> str:
    if not linked_by:
        return resolved.note
    by_quantity: dict[str, list[str]] = defaultdict(list)
    for entity, quantity in linked_by.items():
        by_quantity[quantity].append(entity)
    also = "; ".join(f"{', '.join(es)} (quantity {q})" for q, es in by_quantity.items())
    return " ".join(
        x
        for x in (
            resolved.note,
            f"Also shown: {also}, linked to the topic's figures as one quantity from another publisher or definition (see series).",
        )
        if x
    )


def _rules(series: list[Series]) -> dict[str, str]:
    rules = {s.verdict: RULES[s.verdict] for s in series}
    if any(c.implied for s in series for c in s.claims):
        rules["ratio"] = RATIO_RULE
    return rules


def _grouped(
    kb: KnowledgeBase,
    entries: list[Figure],
    entity_of: dict[int, str],
    topic: list[str],
    linked_by: dict[str, str],
    headers_only: bool = False,
) -> list[EntityFigures]:
    """Entries under the entity they are of (or, to size a page, only the groups' headers)."""
    groups: dict[str, list[Figure]] = {}
    for fig in entries:
        groups.setdefault(entity_of[fig.id], []).append(fig)
    tables = {t: set(linked_company_figures(kb, t)) for t in topic}
    # Texts of the knowledge base and this answer's own lists: every field given, in declaration order, not validated again.
    return [
        EntityFigures.checked_before(
            entity=e,
            name=_name(kb, e),
            kind=kb.entities[e]["kind"],
            printed_with=None if e in topic or e in linked_by else next((t for t in topic if tables[t] & {f.id for f in figs}), None),
            linked_by=linked_by.get(e),
            figures=[] if headers_only else figs,
        )
        for e, figs in groups.items()
    ]


def share_tables(kb: KnowledgeBase, figures: list[Figure], entity_of: dict[int, str]) -> list[ShareTable]:
    """Shares printed in one table of one report for two or more entities, ranked by value."""
    groups: dict[tuple[str, str, str | None, str], list[Figure]] = defaultdict(list)
    for fig in figures:
        if fig.metric == "market_share":
            groups[(fig.source, fig.locator, fig.period, fig.note)].append(fig)
    out = []
    for (source, locator, period, about), members in groups.items():
        if len({m.id for m in members}) < 2 or len({entity_of[m.id] for m in members}) < 2:
            continue
        values = [m.value if m.value is not None else m.low for m in members]
        ranks = compute.rank(compute.as_array(values), True)
        ordered = sorted(zip(ranks, members, strict=True), key=lambda pair: (pair[0] or 10**9, pair[1].id))
        out.append(
            ShareTable(
                metric=members[0].metric,
                label=members[0].label,
                period=period,
                source=source,
                locator=locator,
                of=about,
                total=compute.total(values),
                rows=[
                    RankedShare(
                        rank=int(rank),
                        entity=entity_of[m.id],
                        name=_name(kb, entity_of[m.id]),
                        value=m.value,
                        low=m.low,
                        high=m.high,
                        printed=m.printed,
                        figure_id=m.id,
                    )
                    for rank, m in ordered
                ],
            )
        )
    return out


# --- figures linked as one quantity -------------------------------------------------------------------

RULES = {
    "disagree": "Claims about one scope at one period differ beyond their rounding and stated bounds: the publishers disagree.",
    "different-definitions": "The claims are of different entities, each one publisher's scope (see definitions): "
    "set side by side and compared where a period is shared, not reconciled.",
    "agree": "Every claim agrees with the others of its scope and period, within rounding and stated bounds.",
}
RATIO_RULE = (
    "A ratio (unit x) on another entity is read as the value it implies: that entity's own figure of the quantity's metric ÷ the ratio."
)


class _Claim:
    """A claim of a linked quantity with what it allows, in base units (for the comparison)."""

    def __init__(
        self, claim: SeriesClaim, interval: tuple[float, float] | None, span: tuple[float, float] | None, currency: str | None
    ) -> None:
        self.claim, self.interval, self.span, self.currency = claim, interval, span, currency


def linked_series(kb: KnowledgeBase, rows: list[Row]) -> list[Series]:
    """One entry per quantity id held by two or more of the figures: their claims side by side, compared
    where they share a period, and a verdict by RULES — never a guess from names or metrics."""
    by_quantity: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row["quantity"]:
            by_quantity[row["quantity"]].append(row)
    out = []
    for quantity, members in by_quantity.items():
        if len(members) < 2:
            continue
        absolute = [m for m in members if not _is_ratio(m)]
        claims = [_figure_claim(kb, m) for m in absolute]
        claims += [_ratio_claim(kb, m, absolute[0] if absolute else None) for m in members if _is_ratio(m)]
        compared = _compare(claims)
        if any(len(set(c.entities)) == 1 and not c.agree for c in compared):
            verdict = "disagree"
        elif len({m["entity"] for m in absolute} | {c.claim.entity for c in claims}) > 1:
            verdict = "different-definitions"
        else:
            verdict = "agree"
        head = absolute[0] if absolute else members[0]
        out.append(
            Series(
                quantity=quantity,
                label=kb.metrics.get(head["metric"], {}).get("label_en", head["metric"]),
                entities=list(dict.fromkeys(m["entity"] for m in members)),
                verdict=verdict,
                claims=_merged(claims),
                compared=compared,
            )
        )
    return out


def _merged(claims: list[_Claim]) -> list[SeriesClaim]:
    """Claims saying the same value of the same scope and period once, with all their figures and reports."""
    out: dict[tuple[str, str | None, str, str], SeriesClaim] = {}
    for c in claims:
        key = (c.claim.entity, c.claim.period, c.claim.value, c.claim.implied)
        if key in out:
            out[key].figure_ids += [i for i in c.claim.figure_ids if i not in out[key].figure_ids]
            out[key].sources += [s for s in c.claim.sources if s not in out[key].sources]
        else:
            out[key] = c.claim.model_copy(update={"figure_ids": list(c.claim.figure_ids), "sources": list(c.claim.sources)})
    return list(out.values())


def _is_ratio(row: Row) -> bool:
    return bool(row["unit"]) and UNITS[row["unit"]].dimension == "ratio"


def _ends(row: Row) -> tuple[float, float] | None:
    if row["value"] is not None:
        return row["value"], row["value"]
    if row["low"] is not None and row["high"] is not None:
        return row["low"], row["high"]
    return None


def _interval(row: Row) -> tuple[float, float] | None:
    ends = _ends(row)
    if ends is None or not row["unit"]:
        return None
    return compute.claim_interval(*ends, row["bound"], row["printed"], UNITS[row["unit"]].factor)


def _figure_claim(kb: KnowledgeBase, row: Row) -> _Claim:
    fig = _figure(kb, row)
    base = (row["base_low"], row["base_high"]) if row["base_value"] is None else (row["base_value"], row["base_value"])
    return _Claim(
        SeriesClaim(
            entity=row["entity"], period=row["period"], value=format_value(fig), figure_ids=[row["id"]], sources=[row["source"]]
        ),
        _interval(row),
        base if None not in base else None,
        row["currency"],
    )


def _ratio_claim(kb: KnowledgeBase, ratio: Row, target: Row | None) -> _Claim:
    """What a ratio on entity B says of the quantity: B's own figure of the target's metric (same measure and
    period, the ratio's own report first) ÷ the ratio. Unread when B has no such figure."""
    fig = _figure(kb, ratio)
    unread = _Claim(
        SeriesClaim(
            entity=ratio["entity"],
            period=ratio["period"],
            value=format_value(fig),
            figure_ids=[ratio["id"]],
            sources=[ratio["source"]],
            implied="" if target is None else f"not read: {ratio['entity']} reports no {target['metric']} to apply it to",
        ),
        None,
        None,
        None,
    )
    if target is None:
        return unread
    measure = _measure(kb, target)
    bases = sorted(
        (
            r
            for r in kb.figures(ratio["entity"], [target["metric"]])
            if r["preferred"] and _ends(r) and r["unit"] and _measure(kb, r) == measure and r["period"] == ratio["period"]
        ),
        key=lambda r: (r["source"] != ratio["source"], r["id"]),
    )
    ratio_ends, ratio_interval = _ends(ratio), _interval(ratio)
    if not bases or ratio_ends is None or ratio_interval is None:
        return unread
    basis = bases[0]
    basis_ends, basis_interval = _ends(basis), _interval(basis)
    if basis_ends is None or basis_interval is None:  # never: bases are figures with ends and a unit
        return unread
    base: tuple[float, float] = (
        (basis["base_low"], basis["base_high"]) if basis["base_value"] is None else (basis["base_value"], basis["base_value"])
    )
    value, implied_base, allowed = compute.intervals_divided(
        [basis_ends, base, basis_interval], [ratio_ends, ratio_ends, ratio_interval]
    )
    shown = number(value[0]) if value[0] == value[1] else f"{number(value[0])}-{number(value[1])}"
    return _Claim(
        SeriesClaim(
            entity=target["entity"],
            period=ratio["period"],
            value=f"{shown} {basis['unit']}",
            figure_ids=[ratio["id"], basis["id"]],
            sources=list(dict.fromkeys([ratio["source"], basis["source"]])),
            implied=f"{ratio['entity']} {basis['metric']} {format_value(_figure(kb, basis))} "
            f"(#{basis['id']}) ÷ {format_value(fig)} (#{ratio['id']})",
        ),
        allowed,
        implied_base,
        basis["currency"],
    )


def _measure(kb: KnowledgeBase, row: Row) -> str | None:
    """A figure's measure, or the metric's first (what a figure without one measures)."""
    declared = (kb.metrics.get(row["metric"], {}).get("measures") or "").split(",")
    return row["measure"] or declared[0] or None


def _compare(claims: list[_Claim]) -> list[SeriesComparison]:
    """At each period (undated claims together) and currency: the claims of each scope with two or more
    claims, and, when several scopes share it, all of them across scopes."""
    by_period: dict[tuple[str, str | None], list[_Claim]] = defaultdict(list)
    for c in claims:
        if c.interval is not None and c.span is not None:
            by_period[(c.claim.period or "undated", c.currency)].append(c)
    out = []
    for (period, _), members in sorted(by_period.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        scopes: dict[str, list[_Claim]] = defaultdict(list)
        for c in members:
            scopes[c.claim.entity].append(c)
        groups = [same for same in scopes.values() if len(same) >= 2]
        if len(scopes) >= 2:
            groups.append(members)
        for group in groups:
            apart = compute.spread([(c.span[0] + c.span[1]) / 2 for c in group if c.span is not None])
            out.append(
                SeriesComparison(
                    period=period,
                    entities=[c.claim.entity for c in group],
                    figure_ids=[i for c in group for i in c.claim.figure_ids],
                    apart=round(apart, 2) if apart is not None else None,
                    agree=compute.intervals_agree([c.interval for c in group if c.interval is not None]),
                )
            )
    return out


# --- text ------------------------------------------------------------------------------------------------


def _name(kb: KnowledgeBase, entity_id: str) -> str:
    e = kb.entities[entity_id]
    return e["name_zh"] if e["name_zh"] == e["name_en"] else f"{e['name_zh']} ({e['name_en']})"


def _names(kb: KnowledgeBase, entities: list[str]) -> str:
    return ", ".join(_name(kb, e) for e in entities)


def _summary(kb: KnowledgeBase, a: IndustryFigures, every: list[Figure]) -> str:
    """The headline counts the figures the question selects and their reports, whatever the page shows."""
    named = [c.name for c in a.topic.entities]
    names = ", ".join(named) if len(named) <= 2 else f"{named[0]} and {len(named) - 1} more"
    head = f"{names}: {len(every)} figures from {sources_counted(kb, {f.source for f in every})}" + (
        f" ({', '.join(a.topic.metrics)})" if a.topic.metrics else ""
    )
    extras = []
    if a.share_tables:
        extras.append(f"{len(a.share_tables)} share table(s), ranked")
    verdicts = [s.verdict for s in a.series]
    if verdicts:
        extras.append(
            f"{len(verdicts)} linked quantit{'y' if len(verdicts) == 1 else 'ies'} side by side ("
            + ", ".join(dict.fromkeys(verdicts))
            + ")"
        )
    if a.conflicts:
        extras.append(f"{len(a.conflicts)} disagreement(s) or dated series between figures")
    return head + ("; " + "; ".join(extras) if extras else "") + "."


def render(a: IndustryFigures) -> str:
    lines = [a.summary, *_head_lines(a), page_line(a.page, "figures" if a.detail == "full" else "figure entries")]
    for group in a.figures:
        lines += [_group_line(group), *(describe(f) for f in group.figures)]
    return "\n".join([*lines, *_tail_lines(a)])


def _fixed_text_size(a: IndustryFigures) -> int:
    """Characters the text takes besides the summary, page line and entries (group headers included)."""
    lines = [*_head_lines(a), *(_group_line(group) for group in a.figures), *_tail_lines(a)]
    return sum(len(line) + 1 for line in lines)


def _head_lines(a: IndustryFigures) -> list[str]:
    lines = [
        f"Topic '{a.topic.query}' → "
        + ", ".join(f"{c.name} [{c.id}, {c.kind}]" for c in a.topic.entities)
        + f" ({a.topic.method}"
        + (f"; metrics {', '.join(a.topic.metrics)}" if a.topic.metrics else "")
        + f"). Detail: {a.detail}."
    ]
    if a.topic.note:
        lines.append(a.topic.note)
    if a.definitions:
        lines.append("What each covers:")
        lines += [f"- {entity}: {text}" for entity, text in a.definitions.items()]
    for table in a.share_tables:
        lines.append(
            f"Share table — {table.of or table.label} ({table.label} [{table.metric}], "
            f"{table.period or 'undated'}; {table.source} / {table.locator}), ranked:"
        )
        lines += [f"  {r.rank}. {r.name} [{r.entity}]: {r.printed}{_unless_printed(r)} (#{r.figure_id})" for r in table.rows]
        if table.total is not None:
            lines.append(f"  listed shares sum to {number(table.total)}%")
    for s in a.series:
        lines.append(f"Side by side — quantity {s.quantity} ({s.label}; {', '.join(s.entities)}): {s.verdict.upper()}.")
        lines += [
            f"  {c.entity} {c.period or 'undated'}: {c.value} ({', '.join(c.sources)}; {ids(c.figure_ids)})"
            + (f" — implied: {c.implied}" if c.implied else "")
            for c in s.claims
        ]
        lines += [
            f"  compared {c.period}: {' vs '.join(c.entities)} ({ids(c.figure_ids)}) — "
            + ("agree" if c.agree else "differ")
            + (f", ×{number(c.apart)} apart" if c.apart is not None else "")
            for c in s.compared
        ]
    lines += [f"Rule ({verdict}): {rule}" for verdict, rule in a.rules.items()]
    return lines


def _group_line(group: EntityFigures) -> str:
    via = (f", printed in the table of {group.printed_with}" if group.printed_with else "") + (
        f", linked by quantity {group.linked_by}" if group.linked_by else ""
    )
    return f"Figures of {group.name} [{group.entity}, {group.kind}{via}]:"


def _tail_lines(a: IndustryFigures) -> list[str]:
    lines = citation_line(a.page.citations)
    if a.detail == "summary" and a.page.offset:
        lines.append(f"Share tables, series and conflicts: {FIRST_PAGE_ONLY}.")
    if a.conflicts:
        lines.append("Conflicts (claims side by side):")
        lines += conflict_lines(a.conflicts)
    lines.append(source_lines(a.sources))
    return lines


def _unless_printed(row: RankedShare) -> str:
    values = [v for v in (row.value, row.low, row.high) if v is not None]
    missing = [number(v) for v in values if number(v) not in row.printed]
    return f" (= {'-'.join(missing)})" if missing else ""


TOOL = Tool(
    name="industry_figures",
    title="Industry figures",
    description="Market sizes and shares (ranked), cloud capex and AI-model figures, with sources and conflicts.",
    example={"topic": "全球ASIC市场规模"},
    arguments=IndustryFiguresArguments,
    answer=IndustryFigures,
    run=industry_figures,
    render=render,
)
