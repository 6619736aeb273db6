"""vendor_financials: a company's identity and every financial figure the reports give, filtered,
normalized on request, with growth computed by the compute core."""

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass

from pydantic import Field

from chipmcp.core import compute, periods
from chipmcp.core.units import UNITS
from chipmcp.errors import InputError, NotFoundError
from chipmcp.kb.store import KnowledgeBase, display_name
from chipmcp.reasoning.cells import Model
from chipmcp.tools import _periods
from chipmcp.tools._answer_parts import (
    Conflict,
    Detail,
    Figure,
    NameMatch,
    Page,
    SourceRef,
)
from chipmcp.tools._common import (
    DEFAULT_LIMIT,
    call_of,
    conflict_lines,
    conflicts,
    entries_lines,
    entries_page,
    entry_sources,
    figure,
    ids,
    match_line,
    metric_ids,
    name_match,
    number,
    resolve,
    source_lines,
    source_refs,
    sources_counted,
    summarize,
)
from chipmcp.tools._identity import IDENTITY_METRICS, VendorIdentity, company_identity, render_identity
from chipmcp.tools.registry import Arguments, DetailArg, LimitArg, Name, OffsetArg, PeriodArg, Tool


class NormalizedFigure(Model):
    figure_id: int
    value: float | None
    low: float | None
    high: float | None
    unit: str
    note: str


class GrowthFigure(Model):
    metric: str
    from_period: str
    to_period: str
    growth_pct: float | None = None
    cagr_pct: float | None = None
    low_pct: float | None = None
    high_pct: float | None = None
    figure_ids: list[int]


class VendorFinancials(Model):
    vendor: VendorIdentity
    match: NameMatch
    detail: Detail = "summary"
    figures: list[Figure]
    page: Page
    normalized: list[NormalizedFigure] = Field(default_factory=list)
    growth: list[GrowthFigure] = Field(default_factory=list, description="Computed by the compute core")
    conflicts: list[Conflict]
    chips: list[str] = Field(default_factory=list, description="Chip ids of this vendor (summary: the first few)")
    chips_total: int = Field(default=0, description="Summary: how many when `chips` lists the first few")
    sources: list[SourceRef]
    warnings: list[str] = Field(default_factory=list)
    summary: str


COMPANY = frozenset({"vendor", "market"})
_YEAR = re.compile(r"^(\d{4})$")


def resolve_company(kb: KnowledgeBase, name: str) -> NameMatch:
    """A company (or group such as BAT); a chip's name is routed to the chip's vendor."""
    try:
        return resolve(kb, name, COMPANY, "company")
    except NotFoundError as missing:
        try:
            chip = kb.names.resolve(name, frozenset({"chip", "system"}), "chip")
        except NotFoundError:
            raise missing from None
        if chip.method == "fuzzy":
            raise missing from None
        chip_entity = kb.entity(chip.id)
        vendor = kb.entity(chip_entity["vendor"]) if chip_entity is not None else None
        assert vendor is not None
        return NameMatch(
            query=name,
            id=vendor["id"],
            name=display_name(vendor),
            method="via-chip",
            alias=chip.alias,
            score=chip.score,
            note=f"'{name}' is a chip ({chip.display}); answering for its vendor.",
        )


class VendorFinancialsArguments(Arguments):
    vendor: Name = Field(description="Company, stock code or one of its chips: 摩尔线程, 688795, Cambricon, 寒武纪-U, 910B (→ Huawei)")
    period: PeriodArg = Field(
        default=None, description=("2025 or '2025', 2025H1 (1H25), 2025Q3 (3Q25), FY25Q3, 2025Q1-Q3; parts of a year match it")
    )
    metric: str | None = Field(
        default=None,
        max_length=60,
        description=("revenue, net_profit, net_profit_excl, revenue_growth, gross_margin, capex, market_cap, …"),
    )
    unit: str | None = Field(
        default=None, max_length=10, description=("Normalize money to this unit: 亿元, 万元, 元, 亿美元, 百万美元, 美元, …")
    )
    detail: DetailArg = "summary"
    offset: OffsetArg = 0
    limit: LimitArg = DEFAULT_LIMIT


# A summary names a vendor's first chips (NVIDIA has a hundred): find_chips(vendor=…) pages through every one.
CHIPS_SHOWN = 16


@dataclass
class _Selected:
    """What a call asks of a company: its identity and the figures its filters keep."""

    entity: dict
    identity: VendorIdentity
    identity_rows: list[dict]
    rows: list[dict]
    warnings: list[str]


def vendor_financials(kb: KnowledgeBase, args: VendorFinancialsArguments) -> VendorFinancials:
    match = resolve_company(kb, args.vendor)
    chosen = _select(kb, match, args)
    every = [figure(r, kb) for r in chosen.rows]
    answer = _answer(kb, match, chosen, every, args)
    answer.sources = source_refs(kb, _cited_sources(answer, chosen))  # the page adds its entries' as it is sized
    listed = every if args.detail == "full" else summarize(kb, chosen.rows, every)
    if args.detail == "summary" and not args.metric:  # a metric asked for is the answer: its entries hold it
        listed = _beyond_identity(listed, chosen.identity)
    call = call_of("vendor_financials", vendor=match.id, period=args.period, metric=args.metric, unit=args.unit)
    entries_page(kb, answer, listed, len(every), args.detail, args.offset, args.limit, call, ("conflicts", "growth"))
    _finish(kb, answer, chosen, every)
    return answer


def _select(kb: KnowledgeBase, match: NameMatch, args: VendorFinancialsArguments) -> _Selected:
    entity = kb.entity(match.id)
    assert entity is not None
    rows = kb.figures(match.id)
    if not rows:
        raise _nothing_reported(kb, match)
    chosen = _Selected(
        entity=entity,
        identity=company_identity(kb, entity, rows),
        identity_rows=[r for r in rows if r["metric"] in IDENTITY_METRICS],
        rows=[r for r in rows if r["metric"] not in IDENTITY_METRICS],
        warnings=[],
    )
    if args.metric:
        chosen.rows = _of_metric(kb, chosen.rows, args.metric, match.name)
    if args.period is not None:
        chosen.rows = _in_period(kb, chosen.rows, periods.parse(args.period), match.name, chosen.warnings)
    return chosen


def _of_metric(kb: KnowledgeBase, rows: list[dict], metric: str, company: str) -> list[dict]:
    wanted = metric_ids(kb, metric)
    kept = [r for r in rows if r["metric"] in wanted]
    if not kept:
        available = sorted({r["metric"] for r in rows})
        raise NotFoundError(f"No '{metric}' figures for {company}. Its metrics: {', '.join(available) or 'none'}.", available)
    return kept


def _answer(
    kb: KnowledgeBase, match: NameMatch, chosen: _Selected, every: list[Figure], args: VendorFinancialsArguments
) -> VendorFinancials:
    """The answer without its page of entries: identity, computed blocks, the vendor's chips."""
    chips = [c["id"] for c in kb.entities_of_vendor(match.id)]
    brief = args.detail == "summary" and len(chips) > CHIPS_SHOWN
    return VendorFinancials(
        vendor=chosen.identity,
        match=match,
        detail=args.detail,
        figures=[],
        page=Page(total=0, returned=0),
        normalized=_normalize(chosen.rows, args.unit, chosen.warnings) if args.unit else [],
        growth=_growth(chosen.rows),
        # Disagreements about the company itself (two stock codes) are shown whatever the filters.
        conflicts=conflicts([*every, *(figure(r, kb) for r in chosen.identity_rows)], kb, args.detail),
        chips=chips[:CHIPS_SHOWN] if brief else chips,
        chips_total=len(chips) if brief else 0,
        sources=[],
        warnings=chosen.warnings,
        summary="",
    )


def _finish(kb: KnowledgeBase, answer: VendorFinancials, chosen: _Selected, every: list[Figure]) -> None:
    """What depends on the page: the normalized figures of its entries, the sources it cites, the summary."""
    on_page = {f.id for f in answer.figures}
    answer.normalized = [n for n in answer.normalized if n.figure_id in on_page]
    answer.sources = source_refs(kb, _cited_sources(answer, chosen))
    answer.summary = _summary(answer, len(every), sources_counted(kb, {f.source for f in every}))


def _cited_sources(answer: VendorFinancials, chosen: _Selected) -> list[str]:
    cited = entry_sources(answer.figures, answer.page.citations)
    cited += [s for c in answer.conflicts for claim in c.claims for s in claim.sources]
    return cited + [r["source"] for r in chosen.identity_rows]


def _beyond_identity(entries: list[Figure], identity: VendorIdentity) -> list[Figure]:
    """Summary entries less the market caps the identity already states with their figure: each fact once."""
    stated = {cap.figure_id for cap in identity.market_cap}
    return [e for e in entries if e.id not in stated]


def _nothing_reported(kb: KnowledgeBase, match: NameMatch) -> NotFoundError:
    """A company the reports name but give no figure for: say so, and where its chips can be asked about."""
    chips = kb.entities_of_vendor(match.id) + kb.entities_of_vendor(match.id, "system")
    listing = ", ".join(f"{display_name(c)} ({c['id']})" for c in chips[:8])
    where = (
        f" It is known as the maker of {listing}: lookup_chip answers for those."
        if chips
        else " Ask lookup_chip about a chip, or vendor_financials about a company the reports cover (e.g. 寒武纪, 摩尔线程, 688256)."
    )
    return NotFoundError(
        f"The reports give no figures for {match.name}: no financials, stock code or listing.{where}",
        [f"{display_name(c)} ({c['id']})" for c in chips[:8]],
    )


def _in_period(kb: KnowledgeBase, rows: list[dict], query: periods.Period, company: str, warnings: list[str]) -> list[dict]:
    """The figures a period question asks for (by printed period or its alias, by the day a dated figure holds
    at, guidance also by the period it was said in: tools/_periods.py); for a year, say which metrics have only
    part-year figures, so a half-year is never read as the year."""
    reported = _periods.reported(kb, rows)
    query, kept = _found(kb, rows, query, reported, company, warnings)
    if not kept:
        raise NotFoundError(
            f"No figures for period '{query}' for {company}. Periods reported: {', '.join(reported) or 'none'}.", reported
        )
    if query.is_year:
        warnings += _part_year_warning(kept, query)
    warnings += _periods.found_lines(kb, kept, query)
    return kept


def _found(
    kb: KnowledgeBase, rows: list[dict], query: periods.Period, reported: list[str], company: str, warnings: list[str]
) -> tuple[periods.Period, list[dict]]:
    """The rows the period finds, and the period read: a company that reports by calendar year has one
    fiscal year, the calendar's."""
    kept = [r for r in rows if _periods.found_by(kb, r, query)]
    if kept or not query.fiscal or any(periods.stored(p).fiscal for p in reported):
        return query, kept
    calendar = periods.calendar(query)
    kept = [r for r in rows if _periods.found_by(kb, r, calendar)]
    if kept:
        warnings.append(f"{company} reports calendar years: the fiscal period asked for is read as {calendar}.")
    return calendar, kept


def _part_year_warning(kept: list[dict], year: periods.Period) -> list[str]:
    """The metrics with figures for parts of `year` and none for the whole of it."""
    parts: dict[str, set[str]] = defaultdict(set)
    whole = set()
    for row in kept:
        if not row["period"]:
            continue  # a dated figure (a price on a day) is no part of a year's total
        labels = [periods.stored(p) for p in (row["period"], row["period_alias"]) if p]
        if any(label == year for label in labels):
            whole.add(row["metric"])
        elif not any(label.is_span for label in labels):
            parts[row["metric"]].add(row["period"])
    partial = {m: sorted(p) for m, p in parts.items() if m not in whole}
    if not partial:
        return []
    listed = "; ".join(f"{m} ({', '.join(p)})" for m, p in sorted(partial.items()))
    return [f"No full-year {year} figure is reported for {listed}: these are part-year figures, not the year's total."]


def _normalize(rows: list[dict], unit: str, warnings: list[str]) -> list[NormalizedFigure]:
    target = UNITS.get(unit)
    if target is None or target.dimension != "money":
        allowed = ", ".join(u.symbol for u in UNITS.values() if u.dimension == "money")
        raise InputError(f"Unknown money unit '{unit}'. Allowed: {allowed}.")
    out = []
    skipped = set()
    for row in rows:
        if not row["unit"] or UNITS[row["unit"]].dimension != "money":
            continue
        if row["currency"] != target.currency:
            skipped.add(row["currency"])
            continue
        low, high, value = (compute.convert_money(row[k], row["unit"], unit) for k in ("low", "high", "value"))
        out.append(
            NormalizedFigure(
                figure_id=row["id"],
                value=_finite(value),
                low=_finite(low),
                high=_finite(high),
                unit=unit,
                note=f"from '{row['printed']}'",
            )
        )
    if skipped:
        warnings.append(
            f"Figures in {', '.join(sorted(skipped))} were not converted to {target.currency}: "
            "the knowledge base holds no exchange rate from the reports."
        )
    return out


def _finite(array) -> float | None:
    value = float(array)
    return None if value != value else round(value, 6)


def _growth(rows: list[dict]) -> list[GrowthFigure]:
    """YoY for consecutive years and CAGR from the first to the last year, per metric, on actual or
    estimated annual money figures (ranges carried as low/high)."""
    series: dict[tuple[str, str | None], dict[int, dict]] = defaultdict(dict)
    for row in rows:
        year = _YEAR.match(row["period"] or "")
        if not year or not row["unit"] or UNITS[row["unit"]].dimension != "money" or not row["preferred"]:
            continue
        series[(row["metric"], row["basis"])].setdefault(int(year.group(1)), row)
    out = []
    for (metric, _), by_year in sorted(series.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        years = sorted(by_year)
        if len(years) < 2:
            continue
        base = {y: (by_year[y]["base_value"], by_year[y]["base_low"], by_year[y]["base_high"]) for y in years}
        for a, b in itertools.pairwise(years):
            if b != a + 1:
                continue
            out.append(_span(metric, a, b, base[a], base[b], [by_year[a]["id"], by_year[b]["id"]], yoy=True))
        first, last = years[0], years[-1]
        if last - first >= 2:
            out.append(_span(metric, first, last, base[first], base[last], [by_year[first]["id"], by_year[last]["id"]], yoy=False))
    return out


def _span(metric: str, a: int, b: int, start: tuple, end: tuple, ids: list[int], yoy: bool) -> GrowthFigure:
    def pick(values: tuple, which: int) -> float | None:
        return values[0] if values[0] is not None else values[which]

    calc = (lambda s, e: compute.growth(s, e)) if yoy else (lambda s, e: compute.cagr(s, e, b - a))
    ranged = start[0] is None or end[0] is None
    key = "growth_pct" if yoy else "cagr_pct"
    if ranged:  # both ends of the growth, and no single value
        low = calc(pick(start, 2), pick(end, 1))  # lowest end over highest start
        high = calc(pick(start, 1), pick(end, 2))
        return GrowthFigure(
            metric=metric,
            from_period=str(a),
            to_period=str(b),
            figure_ids=ids,
            **{key: None},
            low_pct=_finite(low),
            high_pct=_finite(high),
        )
    mid = calc(start[0], end[0])
    return GrowthFigure(
        metric=metric, from_period=str(a), to_period=str(b), figure_ids=ids, **{key: _finite(mid)}, low_pct=None, high_pct=None
    )


def _summary(a: VendorFinancials, rows: int, sources: str) -> str:
    codes = ", ".join(dict.fromkeys(listing.code for listing in a.vendor.listings if not listing.suspect))
    text = f"{a.vendor.name_zh} ({a.vendor.name_en})" + (f", listed as {codes}" if codes else "")
    text += f": {rows} figure(s) from {sources}"
    if a.detail == "summary" and a.page.total != rows:
        text += f", {a.page.total} distinct"
    if a.conflicts:
        text += f", {len(a.conflicts)} disagreement(s)"
    return text + "."


def _growth_line(g: GrowthFigure) -> str:
    kind = "YoY" if g.growth_pct is not None or (g.cagr_pct is None and g.to_period == str(int(g.from_period) + 1)) else "CAGR"
    value = g.growth_pct if g.growth_pct is not None else g.cagr_pct
    shown = f"{number(value)}%" if value is not None else f"{number(g.low_pct)}% to {number(g.high_pct)}%"
    return f"- {g.metric} {g.from_period}→{g.to_period} {kind}: {shown} (figures {ids(g.figure_ids)})"


def render(a: VendorFinancials) -> str:
    lines = [a.summary, *render_identity(a.vendor), *match_line(a.match), f"Detail: {a.detail}."]
    lines += entries_lines(a.detail, a.page, a.figures, "- none", "Growth and conflicts")
    if a.normalized:
        lines.append(
            "Normalized: "
            + "; ".join(
                f"#{n.figure_id} {number(n.value) if n.value is not None else f'{number(n.low)}-{number(n.high)}'} {n.unit} ({n.note})"
                for n in a.normalized
            )
        )
    if a.growth:
        lines.append("Growth (compute core):")
        lines += [_growth_line(g) for g in a.growth]
    if a.conflicts:
        lines.append("Conflicts (claims side by side):")
        lines += conflict_lines(a.conflicts)
    if a.chips:
        lines.append(_chips_line(a))
    lines += [f"Warning: {w}" for w in a.warnings]
    lines.append(source_lines(a.sources))
    return "\n".join(lines)


def _chips_line(a: VendorFinancials) -> str:
    if not a.chips_total:
        return "Chips: " + ", ".join(a.chips)
    every = f"find_chips(vendor='{a.vendor.id}') lists every one"
    return f"Chips ({len(a.chips)} of {a.chips_total}; {every}): " + ", ".join(a.chips) + ", …"


TOOL = Tool(
    name="vendor_financials",
    title="Company financials",
    description="A company's identity (names, stock codes, listing) and every reported financial figure, with growth.",
    example={"vendor": "摩尔线程", "period": "2025"},
    arguments=VendorFinancialsArguments,
    answer=VendorFinancials,
    run=vendor_financials,
    render=render,
)

__all__ = ["TOOL", "name_match", "vendor_financials"]
