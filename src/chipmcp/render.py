"""The text block of each answer: complete on its own, for clients that show only text."""

from __future__ import annotations

from pydantic import BaseModel

from .models import ChipAnswer, ClusterEstimate, Comparison, VendorFinancials, XinchuangAnswer
from .tools import cluster, compare, financials, lookup


def render(answer: BaseModel) -> str:
    if isinstance(answer, ChipAnswer):
        return lookup.render(answer)
    if isinstance(answer, Comparison):
        return compare.render(answer)
    if isinstance(answer, ClusterEstimate):
        return cluster.render(answer)
    if isinstance(answer, VendorFinancials):
        return financials.render(answer)
    if isinstance(answer, XinchuangAnswer):
        return _xinchuang(answer)
    raise TypeError(f"no renderer for {type(answer).__name__}")


def _xinchuang(a: XinchuangAnswer) -> str:
    lines = [a.summary]
    if a.match:
        lines.append(f"Matched '{a.match.query}' → {a.match.name} ({a.match.method}).")
    for e in a.entries:
        lines.append(f"- #{e.seq} {e.product} — {e.company} — {e.level} (chip {e.chip_id})")
    if a.announcement:
        ann = a.announcement
        lines.append(f"Announcement: {ann.name}, {ann.issuer}, {ann.date} (via {ann.source}: {ann.locator})")
    return "\n".join(lines)
