"""industry_figures: every figure of a market, group or AI model (and the company figures printed in its
tables), in lookup_chip's shape — with share tables ranked and several estimates of one quantity side by side."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

from pydantic import Field

from .. import compute, periods
from ..errors import NotFoundError
from ..kb import KnowledgeBase
from ..models import Candidate, EntityFigures, Figure, IndustryFigures, RankedShare, Series, ShareTable, TopicMatch
from .common import conflicts, describe, figure, format_value, metric_ids, period_matches, source_refs
from .registry import Arguments, Name, Tool
from .topics import INDUSTRY_KINDS, INDUSTRY_METRICS, linked_company_figures, named_markets, resolve_topic


def industry_figures(kb: KnowledgeBase, topic: str, period: int | str | None = None,
                     metric: str | None = None) -> IndustryFigures:
    resolved = resolve_topic(kb, topic)
    entities = resolved.entities
    note = resolved.note
    if len(entities) == 1 and kb.entities[entities[0]]["kind"] == "market":
        entities, note = _with_other_estimates(kb, topic, entities, note)
    wanted = metric_ids(kb, metric) if metric else resolved.metrics
    rows = _rows(kb, entities, wanted)
    if not rows:
        reported = sorted({r["metric"] for e in entities for r in _rows(kb, [e], set())})
        raise NotFoundError(f"No {'/'.join(sorted(wanted))} figures for {_names(kb, entities)}. "
                            f"Metrics reported: {', '.join(reported) or 'none'}.", reported)
    if period is not None:
        asked = periods.parse(period)
        reported = sorted({r["period"] for r in rows if r["period"]})
        rows = [r for r in rows if period_matches(r, asked)]
        if not rows:
            raise NotFoundError(f"No figures for period '{asked}' for {_names(kb, entities)}. "
                                f"Periods reported: {', '.join(reported) or 'none'}.", reported)
    figures = [figure(r, kb) for r in rows]
    entity_of = {r["id"]: r["entity"] for r in rows}
    shown = [Candidate(id=e, name=_name(kb, e), kind=kb.entities[e]["kind"], score=0.0) for e in entities]
    answer = IndustryFigures(
        topic=TopicMatch(query=topic, entities=shown, metrics=sorted(wanted), method=resolved.method,  # type: ignore[arg-type]
                         note=note),
        figures=_grouped(kb, figures, entity_of, entities), share_tables=share_tables(kb, figures, entity_of),
        series=series(kb, figures, entity_of), conflicts=conflicts(figures),
        definitions={e: kb.entities[e]["note"] for e in dict.fromkeys(entity_of.values()) if kb.entities[e]["note"]
                     and kb.entities[e]["entity_kind"] != "vendor"},
        sources=source_refs(kb, [f.source for f in figures]), summary="")
    answer.summary = _summary(kb, answer)
    return answer


def _grouped(kb: KnowledgeBase, figures: list[Figure], entity_of: dict[int, str],
             topic: list[str]) -> list[EntityFigures]:
    groups: dict[str, list[Figure]] = {}
    for fig in figures:
        groups.setdefault(entity_of[fig.id], []).append(fig)
    return [EntityFigures(entity=e, name=_name(kb, e), kind=kb.entities[e]["kind"],
                          printed_with=None if e in topic else next(
                              (t for t in topic if set(linked_company_figures(kb, t)) & {f.id for f in figs}), None),
                          figures=figs) for e, figs in groups.items()]


def _rows(kb: KnowledgeBase, entities: list[str], metrics: set[str]) -> list[dict[str, Any]]:
    """The entities' own figures (a company's industry figures only) and the company figures printed in their
    tables, once each, in entity order then figure id."""
    seen: set[int] = set()
    out = []
    for entity in entities:
        own = kb.figures(entity)
        if kb.entities[entity]["entity_kind"] not in INDUSTRY_KINDS:
            own = [r for r in own if r["metric"] in INDUSTRY_METRICS]
        for row in [*own, *kb.figures_by_ids(linked_company_figures(kb, entity))]:
            if row["id"] not in seen and (not metrics or row["metric"] in metrics):
                seen.add(row["id"])
                out.append(row)
    return out


def _with_other_estimates(kb: KnowledgeBase, topic: str, entities: list[str], note: str) -> tuple[list[str], str]:
    """One market, with the other markets whose names the topic's words match nearly as well and that report
    a metric in common: other publishers' sizing of about the same thing (three global ASIC estimates)."""
    scores = named_markets(kb, topic)
    own = scores.get(entities[0]) or max(scores.values(), default=0.0)
    metrics = {r["metric"] for r in kb.figures(entities[0])}
    others = sorted((e for e, s in scores.items() if e not in entities and s >= own * OTHER_ESTIMATES
                     and metrics & {r["metric"] for r in kb.figures(e)}), key=lambda e: (-scores[e], e))[:3]
    if not others:
        return entities, note
    return [*entities, *others], (note + " " if note else "") + (
        f"Also shown: {_names(kb, others)}, whose names the same words match — other estimates of a related "
        "quantity, compared below.")


OTHER_ESTIMATES = 0.85  # a market whose name scores this share of the named one's is shown beside it


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
        out.append(ShareTable(
            metric=members[0].metric, label=members[0].label, period=period, source=source, locator=locator,
            of=about, total=compute.total(values),
            rows=[RankedShare(rank=int(rank), entity=entity_of[m.id], name=_name(kb, entity_of[m.id]),
                              value=m.value, low=m.low, high=m.high, printed=m.printed, figure_id=m.id)
                  for rank, m in ordered]))
    return out


def series(kb: KnowledgeBase, figures: list[Figure], entity_of: dict[int, str]) -> list[Series]:
    """One metric reported for several markets: the estimates side by side, compared where a period is shared."""
    by_metric: dict[str, list[Figure]] = defaultdict(list)
    for fig in figures:
        entity = entity_of[fig.id]
        if kb.entities[entity]["kind"] == "market" and fig.text is None:
            by_metric[fig.metric].append(fig)
    out = []
    for metric, members in by_metric.items():
        entities = list(dict.fromkeys(entity_of[m.id] for m in members))
        if len(entities) < 2:
            continue
        rows = {m.id: m for m in members}
        shared = _shared_periods(members, entity_of)
        comparisons, verdicts = [], []
        for period, same in shared.items():
            base = [kb_row["base_value"] if kb_row["base_value"] is not None else kb_row["base_low"]
                    for kb_row in kb.figures_by_ids([m.id for m in same])]
            ratio = compute.spread(base)
            agree = ratio is not None and ratio <= 1.05
            verdicts.append(agree)
            comparisons.append(f"{period}: " + " vs ".join(f"{format_value(m)} ({_name(kb, entity_of[m.id])})"
                                                             for m in same)
                               + (f" — {'agree' if agree else f'×{ratio:.2f} apart'}" if ratio else ""))
        verdict = "agree" if verdicts and all(verdicts) else "different-definitions"
        per_entity = "; ".join(
            f"{_name(kb, e)}: " + ", ".join(f"{m.period or 'undated'} {format_value(m)}" for m in members
                                            if entity_of[m.id] == e) for e in entities)
        why = ("they agree where a period is shared" if verdict == "agree" else
               "each market is a different scope (see definitions), so the numbers measure different things")
        out.append(Series(metric=metric, label=members[0].label, period=None, figure_ids=sorted(rows),
                          entities=entities, verdict=verdict,  # type: ignore[arg-type]
                          summary=f"{members[0].label} from {len(entities)} estimates — {per_entity}. "
                                  + (f"Shared periods: {'; '.join(comparisons)}. " if comparisons else
                                     "No period is shared. ") + f"Verdict: {why}."))
    return out


def _shared_periods(members: list[Figure], entity_of: dict[int, str]) -> dict[str, list[Figure]]:
    by_period: dict[str, list[Figure]] = defaultdict(list)
    for m in members:
        if m.period:
            by_period[m.period].append(m)
    return {p: ms for p, ms in sorted(by_period.items()) if len({entity_of[m.id] for m in ms}) >= 2}


def _name(kb: KnowledgeBase, entity_id: str) -> str:
    e = kb.entities[entity_id]
    return e["name_zh"] if e["name_zh"] == e["name_en"] else f"{e['name_zh']} ({e['name_en']})"


def _names(kb: KnowledgeBase, entities: list[str]) -> str:
    return ", ".join(_name(kb, e) for e in entities)


def _summary(kb: KnowledgeBase, a: IndustryFigures) -> str:
    names = _names(kb, [c.id for c in a.topic.entities][:6]) + (" …" if len(a.topic.entities) > 6 else "")
    count = sum(len(g.figures) for g in a.figures)
    head = (f"{names}: {count} figures from {len(a.sources)} report(s)"
            + (f" ({', '.join(a.topic.metrics)})" if a.topic.metrics else ""))
    extras = []
    if a.share_tables:
        extras.append(f"{len(a.share_tables)} share table(s), ranked")
    if a.series:
        extras.append(f"{len(a.series)} quantity/quantities with several estimates side by side")
    if a.conflicts:
        extras.append(f"{len(a.conflicts)} disagreement(s) between figures")
    return head + ("; " + "; ".join(extras) if extras else "") + "."


def render(a: IndustryFigures) -> str:
    lines = [a.summary, f"Topic '{a.topic.query}' → {', '.join(f'{c.name} ({c.id})' for c in a.topic.entities)} "
                        f"({a.topic.method})."]
    if a.topic.note:
        lines.append(a.topic.note)
    if a.definitions:
        lines.append("What each covers:")
        lines += [f"- {entity}: {text}" for entity, text in a.definitions.items()]
    for table in a.share_tables:
        lines.append(f"Share table — {table.of or table.label}, {table.period or 'undated'} "
                     f"({table.source} / {table.locator}), ranked:")
        lines += [f"  {r.rank}. {r.name}: {r.printed} (figure {r.figure_id})" for r in table.rows]
        if table.total is not None:
            lines.append(f"  listed shares sum to {table.total:g}%")
    for s in a.series:
        lines.append(f"Side by side ({s.verdict}): {s.summary}")
    for group in a.figures:
        via = f", printed in the table of {group.printed_with}" if group.printed_with else ""
        lines.append(f"Figures of {group.name} ({group.entity}, {group.kind}{via}):")
        lines += [describe(f) for f in group.figures]
    if a.conflicts:
        lines.append("Conflicts:")
        lines += [f"- {c.summary}" for c in a.conflicts]
    lines.append("Sources: " + "; ".join(f"{s.id} = {s.publisher}, {s.title} ({s.date})" for s in a.sources))
    return "\n".join(lines)


class IndustryFiguresArguments(Arguments):
    topic: Name = Field(description=(
        "Market, group, AI model or industry metric in any language: 全球ASIC市场规模, IDC shipment share, BAT, "
        "DeepSeek-V3, GPT4 参数量"))
    period: int | Annotated[str, Field(max_length=30)] | None = Field(None, description=(
        "2024, 2025H1, 2025Q3, FY25, 1H25, … (figures within that period)"))
    metric: Annotated[str, Field(max_length=60)] | None = Field(None, description=(
        "market_size, market_share, shipments, capex, parameters, gpu_hours, training_cost, users, …"))


TOOL = Tool(name="industry_figures", title="Industry figures",
            description="Market sizes and shares (ranked), cloud capex and AI-model figures, with sources and conflicts.",
            example={"topic": "全球ASIC市场规模"}, arguments=IndustryFiguresArguments, answer=IndustryFigures,
            run=industry_figures, render=render)
