"""Which figures a period question finds, and how: by the period a figure covers (or its corrected alias),
by the day a dated figure holds at (a share-price high on 2025-08 answers 2025Q3), or — for guidance — by
the period it was said in as well as the one it is for (a 2025Q2 outlook printed with the 2025Q1 results).

The knowledge base records what a figure is for, not when it was said. Guidance was said with the actual
figures printed beside it: the same entity, report and locator, at the period that ends the day before the
guidance's period starts. Nothing else is inferred: guidance printed alone is found by its own period only.
"""

from __future__ import annotations

import datetime
from typing import Any

from chipmcp.core import periods
from chipmcp.kb.store import KnowledgeBase

Row = dict[str, Any]


def found_by(kb: KnowledgeBase, row: Row, asked: periods.Period) -> str | None:
    """'period', 'said' or 'dated' when the figure answers a question about `asked`; None otherwise."""
    if periods.matches(asked, row["period"], row["period_alias"]):
        return "period"
    said = said_in(kb, row)
    if said and periods.stored(said).within(asked):
        return "said"
    if not row["period"] and row["as_of"] and periods.stored(row["as_of"]).within(asked):
        return "dated"
    return None


def said_in(kb: KnowledgeBase, row: Row) -> str | None:
    """The period whose actual figures a guidance figure was printed with, when that period ends the day
    before the guidance's starts (results for one quarter, outlook for the next)."""
    if row["basis"] != "guidance" or not row["period"]:
        return None
    aimed = periods.stored(row["period_alias"] or row["period"])
    for other in kb.figures(row["entity"]):
        if other["basis"] != "actual" or other["source"] != row["source"] or other["locator"] != row["locator"]:
            continue
        label = other["period_alias"] or other["period"]
        if label and _follows(periods.stored(label), aimed):
            return label
    return None


def _follows(before: periods.Period, after: periods.Period) -> bool:
    return before.fiscal == after.fiscal and _next_day(before.end) == after.start


def _next_day(day: periods.Day) -> periods.Day:
    year, month, date = day
    if month == 12 and date == 31:
        return (year + 1, 1, 1)
    following = datetime.date(year, month + 1, 1) if month < 12 else datetime.date(year + 1, 1, 1)
    last = (following - datetime.timedelta(days=1)).day
    if date >= last:  # a day field of 31 stands for the month's end
        return (following.year, following.month, 1)
    return (year, month, date + 1)


def found_lines(kb: KnowledgeBase, rows: list[Row], asked: periods.Period) -> list[str]:
    """What the answer must say about figures a period question found other than by their own period, and
    about guidance: which period it is for and which it was said in."""
    out = []
    for row in rows:
        how, said = found_by(kb, row, asked), said_in(kb, row)
        if how == "said":
            out.append(
                f"#{row['id']} {row['metric']} is guidance for {row['period']}, said with the {said} figures "
                f"({row['source']} / {row['locator']}): found by the period it was said in."
            )
        elif said:
            out.append(
                f"#{row['id']} {row['metric']} is guidance for {row['period']} (found by that period), said "
                f"with the {said} figures ({row['source']} / {row['locator']})."
            )
        elif how == "dated":
            out.append(f"#{row['id']} {row['metric']} has no period: it holds at {row['as_of']}, which lies in {asked}.")
    return out


def reported_said(kb: KnowledgeBase, rows: list[Row]) -> str:
    """`reported` for a reader: the periods figures report, then apart the days undated figures hold at (a
    share price's 2025-08 is findable by its day, but is no reporting period) with their metrics."""
    labels = sorted({r["period"] for r in rows if r["period"]} | {s for r in rows if (s := said_in(kb, r))})
    dated = [r for r in rows if not r["period"] and r["as_of"]]
    said = f"Periods reported: {', '.join(labels) or 'none'}"
    if dated:
        days = ", ".join(sorted({r["as_of"] for r in dated}))
        said += f"; figures dated {days} ({', '.join(sorted({r['metric'] for r in dated}))})"
    return said + "."


def reported(kb: KnowledgeBase, rows: list[Row]) -> list[str]:
    """Every period a question could find these figures by: printed periods, guidance's said-in periods and the
    days undated figures hold at."""
    labels = {r["period"] for r in rows if r["period"]}
    labels |= {s for r in rows if (s := said_in(kb, r))}
    labels |= {r["as_of"] for r in rows if not r["period"] and r["as_of"]}
    return sorted(labels)
