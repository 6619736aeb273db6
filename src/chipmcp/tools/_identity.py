"""A company's identity as its figures give it: names, every stock code (suspect ones marked), where and
when it listed, and its reported market value."""

from typing import Any

from pydantic import Field

from chipmcp.core.names import spaced
from chipmcp.core.units import UNITS
from chipmcp.kb.store import KnowledgeBase
from chipmcp.reasoning.cells import Model
from chipmcp.tools._common import format_number, ids


class Listing(Model):
    code: str
    exchange: str | None
    figure_id: int
    source: str
    suspect: bool = Field(default=False, description="Printed by a report but looks wrong (another report's code is preferred)")
    note: str = Field(default="", description="Why a code is suspect")
    conflicts_with: list[int] = Field(default_factory=list, description="Figure ids of codes that disagree")


class IdentityFact(Model):
    """One fact about a company (its listing date), with every figure that states it."""

    value: str
    figure_ids: list[int]
    sources: list[str]


class Venue(Model):
    """Where a company's shares trade: the exchange and its board (STAR Market, Main Board, …)."""

    text: str = Field(description="As recorded, e.g. 上交所科创板")
    exchange: str | None = Field(description="Shanghai Stock Exchange, Hong Kong Exchange, …")
    board: str | None = Field(description="STAR Market, ChiNext, Main Board, …; null when not printed")
    figure_ids: list[int]
    sources: list[str]


class MarketCap(Model):
    figure_id: int
    value: float | None
    low: float | None = None
    high: float | None = None
    bound: str | None = None
    unit: str
    currency: str | None
    as_of: str | None
    basis: str | None = None
    printed: str
    source: str
    preferred: bool = True


class VendorIdentity(Model):
    id: str
    name_zh: str
    name_zh_hant: str
    name_en: str
    full_name_zh: str
    aliases: list[str]
    kind: str
    country: str | None
    parent: str | None
    listings: list[Listing] = Field(description="Every stock code the reports print, suspect ones marked")
    listing_date: IdentityFact | None = None
    venue: Venue | None = None
    market_cap: list[MarketCap] = Field(default_factory=list, description="Each reported market cap, with its date")


IDENTITY_METRICS = frozenset({"stock_code", "exchange", "listing_date"})

# A code's suffix names its exchange (688256.SH, 09660.HK, NVDA.O).
_BY_SUFFIX = {
    "SH": "Shanghai Stock Exchange",
    "SZ": "Shenzhen Stock Exchange",
    "HK": "Hong Kong Exchange",
    "BJ": "Beijing Stock Exchange",
    "O": "NASDAQ",
    "N": "NYSE",
    "TW": "Taiwan Stock Exchange",
}
# How reports write exchanges and boards (simplified: `spaced` folds traditional spellings to these).
_EXCHANGE_WORDS = {
    "上交所": "Shanghai Stock Exchange",
    "上海证券交易所": "Shanghai Stock Exchange",
    "深交所": "Shenzhen Stock Exchange",
    "深圳证券交易所": "Shenzhen Stock Exchange",
    "港交所": "Hong Kong Exchange",
    "香港交易所": "Hong Kong Exchange",
    "联交所": "Hong Kong Exchange",
    "北交所": "Beijing Stock Exchange",
    "北京证券交易所": "Beijing Stock Exchange",
    "纳斯达克": "NASDAQ",
    "nasdaq": "NASDAQ",
    "纽交所": "NYSE",
    "nyse": "NYSE",
}
_BOARD_WORDS = {
    "科创板": "STAR Market",
    "创业板": "ChiNext",
    "主板": "Main Board",
    "主机板": "Main Board",
    "gem": "GEM",
    "创业板市场": "GEM",
}


def company_identity(kb: KnowledgeBase, entity: dict[str, Any], rows: list[dict[str, Any]]) -> VendorIdentity:
    return VendorIdentity(
        id=entity["id"],
        name_zh=entity["name_zh"],
        name_zh_hant=entity["name_zh_hant"] or "",
        name_en=entity["name_en"],
        full_name_zh=entity["full_name_zh"] or "",
        aliases=list(kb.aliases_of(entity["id"])),
        kind=entity["kind"],
        country=entity["country"],
        parent=entity["parent"],
        listings=_listings(rows),
        listing_date=_listing_date(rows),
        venue=_venue(rows),
        market_cap=_market_caps(rows),
    )


def _listings(rows: list[dict[str, Any]]) -> list[Listing]:
    """Every stock code printed, its exchange from its suffix; a suspect one with its note and the figures it conflicts with."""
    return [
        Listing(
            code=r["text"],
            exchange=_BY_SUFFIX.get(_suffix(r["text"]) or "", _suffix(r["text"])),
            figure_id=r["id"],
            source=r["source"],
            suspect=bool(r["suspect"]),
            note=(r["note"] or "") if r["suspect"] else "",
            conflicts_with=[int(i) for i in r["conflicts_with"].split(",")] if r["conflicts_with"] else [],
        )
        for r in rows
        if r["metric"] == "stock_code" and r["text"]
    ]


def _suffix(code: str) -> str | None:
    return code.rsplit(".", 1)[-1].upper() if "." in code else None


def _chosen(rows: list[dict[str, Any]], metric: str) -> tuple[str, list[dict[str, Any]]] | None:
    """The value the preferred figures of a text metric give, and every figure giving it."""
    stated = [r for r in rows if r["metric"] == metric and r["text"]]
    if not stated:
        return None
    best = min(stated, key=lambda r: (not r["preferred"], bool(r["suspect"]), r["id"]))
    return best["text"], [r for r in stated if r["text"] == best["text"]]


def _listing_date(rows: list[dict[str, Any]]) -> IdentityFact | None:
    chosen = _chosen(rows, "listing_date")
    if chosen is None:
        return None
    value, agreeing = chosen
    return IdentityFact(value=value, figure_ids=[r["id"] for r in agreeing], sources=sorted({r["source"] for r in agreeing}))


def _venue(rows: list[dict[str, Any]]) -> Venue | None:
    chosen = _chosen(rows, "exchange")
    if chosen is None:
        return None
    text, agreeing = chosen
    words = spaced(text).replace(" ", "")
    exchange = next((name for word, name in _EXCHANGE_WORDS.items() if word in words), None)
    board = next((name for word, name in sorted(_BOARD_WORDS.items(), key=lambda kv: -len(kv[0])) if word in words), None)
    return Venue(
        text=text,
        exchange=exchange if exchange is not None else _exchange_of_codes(rows),  # "STAR Market" alone: from its codes
        board=board,
        figure_ids=[r["id"] for r in agreeing],
        sources=sorted({r["source"] for r in agreeing}),
    )


def _exchange_of_codes(rows: list[dict[str, Any]]) -> str | None:
    """The exchange the company's first trustworthy stock code names by its suffix."""
    return next(
        (_BY_SUFFIX.get(_suffix(r["text"]) or "") for r in rows if r["metric"] == "stock_code" and r["text"] and not r["suspect"]),
        None,
    )


def _market_caps(rows: list[dict[str, Any]]) -> list[MarketCap]:
    return [
        MarketCap(
            figure_id=r["id"],
            value=r["value"],
            low=r["low"],
            high=r["high"],
            bound=r["bound"],
            unit=r["unit"],
            currency=UNITS[r["unit"]].currency,
            as_of=r["as_of"],
            basis=r["basis"],
            printed=r["printed"],
            source=r["source"],
            preferred=bool(r["preferred"]),
        )
        for r in rows
        if r["metric"] == "market_cap" and r["unit"]
    ]


def render_identity(identity: VendorIdentity) -> list[str]:
    """The identity lines of the text block: names, listing, every code, market value."""
    lines = [_names_line(identity)]
    if identity.aliases:
        lines.append("Also written: " + "; ".join(identity.aliases))
    lines += _listed_lines(identity)
    lines += _codes_lines(identity.listings)
    lines += [_market_cap_line(cap) for cap in identity.market_cap]
    return lines


def _names_line(v: VendorIdentity) -> str:
    names = " / ".join(dict.fromkeys(n for n in (v.name_zh, v.name_zh_hant, v.name_en, v.full_name_zh) if n))
    return (
        f"Company {v.id}: {names}; kind {v.kind}"
        + (f"; country {v.country}" if v.country else "")
        + (f"; parent {v.parent}" if v.parent else "")
        + "."
    )


def _listed_lines(identity: VendorIdentity) -> list[str]:
    """When and where it listed, with the reports and figures that say so."""
    facts = [f for f in (identity.listing_date, identity.venue) if f]
    if not facts:
        return []
    listed = [f"on {identity.listing_date.value}"] if identity.listing_date else []
    if identity.venue:
        listed.append(_venue_words(identity.venue))
    cited: list[str] = sorted({s for f in facts for s in f.sources})
    figure_ids = [i for f in facts for i in f.figure_ids]
    return [f"Listed {' '.join(listed)} — {', '.join(cited)} ({ids(dict.fromkeys(figure_ids))})"]


def _venue_words(venue: Venue) -> str:
    where = ", ".join(x for x in (venue.exchange, venue.board) if x)
    return f"at {where} ({venue.text})" if where else f"at {venue.text}"


def _codes_lines(listings: list[Listing]) -> list[str]:
    if not listings:
        return []
    printed_by: dict[tuple[str, str, bool, str], list[str]] = {}  # one entry per code, every report printing it
    for listing in listings:
        key = (listing.code, listing.exchange or "exchange not known", listing.suspect, listing.note)
        printed_by.setdefault(key, []).append(f"{listing.source} #{listing.figure_id}")
    return [
        "Stock codes: "
        + "; ".join(
            f"{code} ({exchange}; {', '.join(where)}{f'; SUSPECT: {note}' if suspect else ''})"
            for (code, exchange, suspect, note), where in printed_by.items()
        )
    ]


def _market_cap_line(cap: MarketCap) -> str:
    bound = {"approx": "≈", "over": ">", "at_least": "≥", "at_most": "≤", "under": "<"}.get(cap.bound or "", "")
    amount = format_number(cap.value) if cap.value is not None else f"{format_number(cap.low)}-{format_number(cap.high)}"
    extra = "".join(
        f", {x}" for x in (cap.basis if cap.basis not in (None, "actual") else None, None if cap.preferred else "not preferred") if x
    )
    return (
        f"Market cap: {bound}{amount} {cap.unit} ({cap.currency or 'no currency'}), as of "
        f"{cap.as_of or 'date not printed'} — printed '{cap.printed}', {cap.source} #{cap.figure_id}{extra}"
    )
