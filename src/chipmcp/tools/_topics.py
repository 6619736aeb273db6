"""What an industry topic names: a market, group or AI model, a company's industry figures, or a metric
across the industry — by name (the names index) and, failing that, by full-text search.

Order: the whole topic as a name; the topic less the words of a metric it contains ("GPT4 参数量" →
GPT-4 + parameters); the metric alone ("cloud capex" → capex everywhere); full-text search over names,
metric labels, locators and notes, where a company's figure counts for the market whose table printed it.
Of the search's close candidates, those whose names hold every word of the topic win ("AI服务器" is the
China AI server market, not every server market); several left are ambiguous, unless they are linked to
the best by a `quantity` id (industry_figures shows linked figures side by side anyway).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chipmcp.core.names import FUZZY_ACCEPT, search_terms, spaced
from chipmcp.errors import AmbiguousNameError, ChipMCPError, NotFoundError
from chipmcp.kb.memo import per_knowledge_base
from chipmcp.kb.store import KnowledgeBase

INDUSTRY_KINDS = frozenset({"market", "workload"})
# A company's figures that belong to industry tables (share tables, shipments, capex rankings); its
# other figures (revenue, margins) are vendor_financials' business.
INDUSTRY_METRICS = frozenset({"market_share", "shipments", "capex", "capex_growth", "capex_growth_qoq",
                              "market_rank", "market_size", "market_growth"})
SEARCH_MARGIN = 0.9  # candidates scoring within 10% of the best are all shown or reported as ambiguous
# Candidates within this share of the best score compete on how many of the topic's words their names hold:
# a lower score that names every word beats a higher one that misses a word (bm25 favours short names).
COVERAGE_MARGIN = 0.75


@dataclass
class Topic:
    entities: list[str]
    metrics: set[str] = field(default_factory=set)
    method: str = "name"
    note: str = ""


def resolve_topic(kb: KnowledgeBase, topic: str) -> Topic:
    """What `topic` names (errors are not kept: they are cheap to redo and their inputs endless)."""
    return _resolve_topic(kb, topic.strip())


@per_knowledge_base
def _resolve_topic(kb: KnowledgeBase, text: str) -> Topic:
    if kb.entity(text) and (kb.entity(text) or {}).get("entity_kind") in INDUSTRY_KINDS:
        return Topic([text])
    metrics, rest = metric_words(kb, text)
    if metrics and not rest:  # 'capex', '市场份额': the metric across the industry, not a name that resembles it
        return Topic(industry_entities_with(kb, metrics), metrics, "metric")
    try:
        named = _named(kb, text, INDUSTRY_KINDS)
    except AmbiguousNameError:
        named = None  # a metric's words may be what blurs the name; the steps below try without them
    if named:
        return Topic([named])
    family = kb.names.extending(text, INDUSTRY_KINDS)
    if len(family) == 1:
        return Topic(family, method="name")
    if len(family) > 1:
        names = [f"{kb.entities[e]['name_en']} ({e})" for e in family]
        raise AmbiguousNameError(f"'{text}' names {len(family)} topics: {', '.join(names[:12])}. Ask for one of them "
                                 "(e.g. industry_figures(topic='" + family[0] + "')).", names)
    if metrics and rest:
        try:
            named = _named(kb, rest, INDUSTRY_KINDS | {"vendor"})
        except AmbiguousNameError:
            named = None  # the search below weighs the metric's words too, or shows the markets side by side
        if named:
            return Topic([named], metrics, "name+metric")
        if not kb.search(rest):
            return Topic(industry_entities_with(kb, metrics), metrics, "metric",
                         note=f"'{rest}' matches nothing in the knowledge base; showing every {'/'.join(sorted(metrics))} "
                              "figure of the industry.")
    return _searched(kb, text, metrics)


def _named(kb: KnowledgeBase, text: str, kinds: frozenset[str]) -> str | None:
    """The entity `text` names with confidence (exact, prefixed or a fuzzy score ≥ FUZZY_ACCEPT), else None;
    several equally good names are an AmbiguousNameError."""
    try:
        return kb.names.resolve(text, kinds, "topic", suggest=False).id
    except AmbiguousNameError:
        raise
    except NotFoundError:
        return None


def metric_words(kb: KnowledgeBase, text: str) -> tuple[set[str], str]:
    """Metrics whose label (zh or en) or id the topic contains, longest first, and the topic without them."""
    words = spaced(text)
    found: set[str] = set()
    for label, metric in _metric_labels(kb):
        if label in words and (not label.isascii() or f" {label} " in f" {words} "):
            found.add(metric)
            words = words.replace(label, " ")
    return found, " ".join(words.split())


@per_knowledge_base
def _metric_labels(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """(label, metric id) for every metric's zh and en labels and spaced id, longest first."""
    return sorted(((spaced(label), m["id"]) for m in kb.metrics.values()
                   for label in (m["label_zh"], m["label_en"], m["id"].replace("_", " ")) if len(label) >= 2),
                  key=lambda item: -len(item[0]))


def industry_entities_with(kb: KnowledgeBase, metrics: set[str]) -> list[str]:
    """Markets, models and (for industry metrics) companies holding a figure of one of `metrics`."""
    out = []
    for entity in kb.entities.values():
        kind = entity["entity_kind"]
        industry = kind in INDUSTRY_KINDS or (kind == "vendor" and metrics & INDUSTRY_METRICS)
        if industry and kb.figures(entity["id"], sorted(metrics)):
            out.append(entity["id"])
    return out


def _searched(kb: KnowledgeBase, text: str, metrics: set[str]) -> Topic:
    scores = topic_scores(kb, text)
    if not scores:
        raise NotFoundError(f"No market, group, AI model or industry figure matches '{text}'. "
                            "Try a market (全球AI ASIC市场, China AI accelerator cards), a model (DeepSeek-V3) "
                            "or a metric (capex, market share, parameters).")
    top = max(scores.values())
    near = [e for e, s in scores.items() if s >= top * COVERAGE_MARGIN]
    words = set(search_terms(text).split())
    coverage = {e: len(words & name_words(kb, e)) for e in near}
    most = max(coverage.values())
    near = [e for e in near if coverage[e] == most]
    best = max(scores[e] for e in near)
    close = sorted((e for e in near if scores[e] >= best * SEARCH_MARGIN), key=lambda e: (-scores[e], e))
    rest = [e for e in close[1:] if e not in quantity_peers(kb, close[0])]
    if not rest:
        return Topic(close[:1], metrics, "search")
    names = [f"{kb.entities[e]['name_zh']} / {kb.entities[e]['name_en']} ({e})" for e in [close[0], *rest][:8]]
    raise AmbiguousNameError(f"'{text}' could mean {len(rest) + 1} topics: {', '.join(names)}. Ask for one of them.",
                             names)


@per_knowledge_base
def name_words(kb: KnowledgeBase, entity: str) -> frozenset[str]:
    """The search words of every written name of an entity."""
    e = kb.entities[entity]
    return frozenset(search_terms(" ".join([e["name_zh"], e["name_en"], *kb.aliases_of(entity)])).split())


@per_knowledge_base
def quantity_peers(kb: KnowledgeBase, entity: str) -> frozenset[str]:
    """Entities holding a figure linked by a `quantity` id to one of `entity`'s."""
    quantities = sorted({r["quantity"] for r in kb.figures(entity) if r["quantity"]})
    return frozenset(r["entity"] for r in kb.figures_of_quantity(quantities)) - {entity}


def topic_scores(kb: KnowledgeBase, text: str) -> dict[str, float]:
    """Search score per market, group or model: its best hit plus a quarter of the rest (at most ten), where
    a company's industry figure counts for the market whose table (source and locator) printed it too."""
    owners = _table_owners(kb)
    hits: dict[str, list[float]] = {}
    for hit in kb.search(text):
        if hit.entity is None:
            continue
        kind = kb.entities[hit.entity]["entity_kind"]
        if kind in INDUSTRY_KINDS:
            targets = [hit.entity]
        elif hit.figure is not None and hit.metric in INDUSTRY_METRICS:
            targets = owners.get(hit.figure, [])
        else:
            continue
        for target in targets:
            hits.setdefault(target, []).append(hit.score)
    out = {}
    for entity, values in hits.items():
        values.sort(reverse=True)
        out[entity] = values[0] + 0.25 * sum(values[1:11])
    return out


def _table_owners(kb: KnowledgeBase) -> dict[int, list[str]]:
    return kb.industry_table_owners(INDUSTRY_KINDS, INDUSTRY_METRICS)


def linked_company_figures(kb: KnowledgeBase, entity: str) -> list[int]:
    """Company figures printed in the same table (source, locator) as the entity's own: the vendors of a
    share table, the members of a capex group."""
    return kb.industry_table_members(INDUSTRY_KINDS, INDUSTRY_METRICS).get(entity, [])


def elsewhere(kb: KnowledgeBase, query: str, asked: frozenset[str], search: bool = True) -> str:
    """'Did you mean': the tool that answers for `query` when it names no entity of the `asked` kinds — by
    name, and (with `search`) by full-text search over names, labels, locators and notes."""
    try:
        kinds = frozenset({"chip", "system", "vendor", "market", "workload"}) - asked
        match = kb.names.resolve(query, kinds, "entity", suggest=False)
        if match.method != "fuzzy" or match.score >= FUZZY_ACCEPT:
            return _pointer(kb, query, match.id)
    except ChipMCPError:
        pass
    if asked & INDUSTRY_KINDS or not search:
        return ""
    scores = topic_scores(kb, query)
    if scores:
        best = max(scores, key=lambda e: (scores[e], e))
        if scores[best] >= SEARCH_FLOOR:
            return _pointer(kb, query, best)
    return ""


SEARCH_FLOOR = 12.0  # a search score below this is too weak to redirect a user to another tool


def _pointer(kb: KnowledgeBase, query: str, entity_id: str) -> str:
    entity = kb.entities[entity_id]
    kind = entity["entity_kind"]
    name = f"{entity['name_zh']} / {entity['name_en']}" if entity["name_zh"] != entity["name_en"] else entity["name_en"]
    if kind == "workload":
        return f" '{query}' is an AI model ({name}): use industry_figures(topic='{entity_id}')."
    if kind == "market":
        return f" '{query}' is a {entity['kind']} ({name}): use industry_figures(topic='{entity_id}')."
    if kind == "vendor":
        return f" '{query}' is a company ({name}): use vendor_financials(vendor='{entity_id}') or find_chips(vendor=…)."
    return f" '{query}' is a {kind} ({name}): use lookup_chip(name='{entity_id}')."
