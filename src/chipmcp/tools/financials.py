"""vendor_financials: a company's identity and every financial figure the reports give, filtered,
normalized on request, with growth computed by the compute core."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict

from pydantic import Field

from .. import compute
from ..errors import InputError, NotFoundError
from ..kb import KnowledgeBase, display_name
from ..models import GrowthFigure, Listing, NameMatch, NormalizedFigure, VendorFinancials, VendorIdentity
from ..units import UNITS
from .common import conflicts, describe, figure, name_match, resolve, source_refs
from .registry import Arguments, Name, Tool

COMPANY = frozenset({"vendor", "market"})
IDENTITY_METRICS = {"stock_code", "exchange", "listing_date"}
_EXCHANGES = {"SH": "Shanghai Stock Exchange", "SZ": "Shenzhen Stock Exchange", "HK": "Hong Kong Exchange",
              "BJ": "Beijing Stock Exchange", "O": "NASDAQ", "N": "NYSE", "TW": "Taiwan Stock Exchange"}
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
        vendor = kb.entity(kb.entity(chip.id)["vendor"])  # type: ignore[index]
        assert vendor is not None
        return NameMatch(query=name, id=vendor["id"], name=display_name(vendor), method="via-chip",
                         alias=chip.alias, score=chip.score,
                         note=f"'{name}' is a chip ({chip.display}); answering for its vendor.")


def vendor_financials(kb: KnowledgeBase, vendor: str, period: str | None = None, metric: str | None = None,
                      unit: str | None = None) -> VendorFinancials:
    match = resolve_company(kb, vendor)
    entity = kb.entity(match.id)
    assert entity is not None
    rows = kb.figures(match.id)
    identity = _identity(kb, entity, rows)
    rows = [r for r in rows if r["metric"] not in IDENTITY_METRICS]
    if metric:
        wanted = _metric_ids(kb, metric)
        available = sorted({r["metric"] for r in rows})
        rows = [r for r in rows if r["metric"] in wanted]
        if not rows:
            raise NotFoundError(f"No '{metric}' figures for {match.name}. Its metrics: {', '.join(available) or 'none'}.",
                                available)
    if period:
        periods = sorted({r["period"] for r in rows if r["period"]})
        rows = [r for r in rows if r["period"] and (r["period"] == period or r["period"].startswith(period)
                                                   or period in r["period"].split("-"))]
        if not rows:
            raise NotFoundError(f"No figures for period '{period}' for {match.name}. Periods reported: "
                                f"{', '.join(periods) or 'none'}.", periods)
    figures = [figure(r, kb) for r in rows]
    warnings: list[str] = []
    normalized = _normalize(rows, unit, warnings) if unit else []
    answer = VendorFinancials(
        vendor=identity, match=match, figures=figures, normalized=normalized, growth=_growth(rows),
        conflicts=conflicts(figures), chips=[c["id"] for c in kb.entities_of_vendor(match.id)],
        sources=source_refs(kb, [f.source for f in figures]), warnings=warnings, summary="")
    answer.summary = _summary(answer)
    return answer


def _metric_ids(kb: KnowledgeBase, metric: str) -> set[str]:
    needle = metric.strip().casefold()
    found = {m["id"] for m in kb.metrics.values()
             if needle in (m["id"], m["label_en"].casefold(), m["label_zh"].casefold())}
    if not found:
        found = {m["id"] for m in kb.metrics.values() if needle in m["label_en"].casefold() or needle in m["label_zh"]}
    if not found:
        raise InputError(f"Unknown metric '{metric}'. Use a metric id such as revenue, net_profit, net_profit_excl, "
                         "revenue_growth, gross_margin, rd_expense, capex, market_cap, market_share.")
    return found


def _identity(kb: KnowledgeBase, entity: dict, rows: list[dict]) -> VendorIdentity:
    listings = []
    for row in rows:
        if row["metric"] == "stock_code" and row["text"]:
            suffix = row["text"].rsplit(".", 1)[-1].upper() if "." in row["text"] else None
            listings.append(Listing(code=row["text"], exchange=_EXCHANGES.get(suffix or "", suffix),
                                    figure_id=row["id"], source=row["source"], suspect=bool(row["suspect"])))
    return VendorIdentity(id=entity["id"], name_zh=entity["name_zh"], name_zh_hant=entity["name_zh_hant"] or "",
                          name_en=entity["name_en"], full_name_zh=entity["full_name_zh"] or "",
                          aliases=kb.aliases_of(entity["id"]), kind=entity["kind"], country=entity["country"],
                          parent=entity["parent"], listings=listings)


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
        out.append(NormalizedFigure(figure_id=row["id"], value=_finite(value), low=_finite(low), high=_finite(high),
                                    unit=unit, note=f"from '{row['printed']}'"))
    if skipped:
        warnings.append(f"Figures in {', '.join(sorted(skipped))} were not converted to {target.currency}: "
                        "the knowledge base holds no exchange rate from the reports.")
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
            out.append(_span(metric, first, last, base[first], base[last], [by_year[first]["id"], by_year[last]["id"]],
                             yoy=False))
    return out


def _span(metric: str, a: int, b: int, start: tuple, end: tuple, ids: list[int], yoy: bool) -> GrowthFigure:
    def pick(values: tuple, which: int) -> float | None:
        return values[0] if values[0] is not None else values[which]

    calc = (lambda s, e: compute.growth(s, e)) if yoy else (lambda s, e: compute.cagr(s, e, b - a))
    mid = calc(pick(start, 1) if start[0] is not None else None, pick(end, 1) if end[0] is not None else None)
    low = calc(pick(start, 2), pick(end, 1))  # lowest end over highest start
    high = calc(pick(start, 1), pick(end, 2))
    ranged = start[0] is None or end[0] is None
    key = "growth_pct" if yoy else "cagr_pct"
    return GrowthFigure(metric=metric, from_period=str(a), to_period=str(b), figure_ids=ids,
                        **{key: None if ranged else _finite(mid)},
                        low_pct=_finite(low) if ranged else None, high_pct=_finite(high) if ranged else None)


def _summary(a: VendorFinancials) -> str:
    codes = ", ".join(dict.fromkeys(listing.code for listing in a.vendor.listings if not listing.suspect))
    text = f"{a.vendor.name_zh} ({a.vendor.name_en})" + (f", listed as {codes}" if codes else "")
    text += f": {len(a.figures)} figure(s) from {len(a.sources)} report(s)"
    if a.conflicts:
        text += f", {len(a.conflicts)} disagreement(s)"
    return text + "."


def render(a: VendorFinancials) -> str:
    lines = [a.summary]
    if a.match.note:
        lines.append(a.match.note)
    lines.append("Figures:")
    lines += [describe(f) for f in a.figures] or ["- none"]
    if a.normalized:
        lines.append("Normalized: " + "; ".join(
            f"#{n.figure_id} {n.value if n.value is not None else f'{n.low}-{n.high}'} {n.unit}" for n in a.normalized))
    if a.growth:
        lines.append("Growth (compute core):")
        for g in a.growth:
            kind = "YoY" if g.growth_pct is not None or (g.cagr_pct is None and g.to_period == str(int(g.from_period) + 1)) else "CAGR"
            value = g.growth_pct if g.growth_pct is not None else g.cagr_pct
            shown = f"{value:.2f}%" if value is not None else f"{g.low_pct:.2f}% to {g.high_pct:.2f}%"
            lines.append(f"- {g.metric} {g.from_period}→{g.to_period} {kind}: {shown}")
    if a.conflicts:
        lines.append("Conflicts:")
        lines += [f"- {c.summary}" for c in a.conflicts]
    lines += [f"Warning: {w}" for w in a.warnings]
    lines.append("Sources: " + "; ".join(f"{s.id} = {s.publisher}, {s.title} ({s.date})" for s in a.sources))
    return "\n".join(lines)


class VendorFinancialsArguments(Arguments):
    vendor: Name = Field(description="Company, stock code or one of its chips: 摩尔线程, 688795, Cambricon, 寒武纪-U, "
                                     "910B (→ Huawei)")
    period: str | None = Field(None, max_length=20, description="2024, 2025H1, 2025Q3, … (prefix match)")
    metric: str | None = Field(None, max_length=60, description=(
        "revenue, net_profit, net_profit_excl, revenue_growth, gross_margin, capex, market_cap, …"))
    unit: str | None = Field(None, max_length=10, description=(
        "Normalize money to this unit: 亿元, 万元, 元, 亿美元, 百万美元, 美元, …"))


TOOL = Tool(name="vendor_financials", title="Company financials",
            description="A company's identity (names, stock codes, listing) and every reported financial figure, with growth.",
            example={"vendor": "摩尔线程", "period": "2025"}, arguments=VendorFinancialsArguments,
            answer=VendorFinancials, run=vendor_financials, render=render)

__all__ = ["TOOL", "name_match", "vendor_financials"]
