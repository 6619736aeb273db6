"""The text block of each answer: complete on its own, for clients that show only text.

Each tool module renders its own answer; this picks the renderer by the answer's type."""

from __future__ import annotations

from pydantic import BaseModel

from .models import ChipAnswer, ChipList, ClusterEstimate, Comparison, IndustryFigures, VendorFinancials, XinchuangAnswer
from .tools import catalog, cluster, compare, financials, industry, lookup, xinchuang

RENDERERS = {ChipAnswer: lookup.render, Comparison: compare.render, ClusterEstimate: cluster.render,
             VendorFinancials: financials.render, XinchuangAnswer: xinchuang.render, ChipList: catalog.render,
             IndustryFigures: industry.render}


def render(answer: BaseModel) -> str:
    renderer = RENDERERS.get(type(answer))
    if renderer is None:
        raise TypeError(f"no renderer for {type(answer).__name__}")
    return renderer(answer)  # type: ignore[operator]
