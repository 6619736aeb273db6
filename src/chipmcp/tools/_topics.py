"""What an industry topic names: a market, group or AI model, a company's industry figures, or a metric
across the industry — by name (the names index) and, failing that, by full-text search.

Order: the whole topic as a name (several names joined, "DeepSeek-V3, GPT-4", are refused as several);
the topic less the words of a metric it contains ("GPT4 参数量" → GPT-4 + parameters); a chip's or
system's own name ("A100") is lookup_chip's question; full-text search over names, metric labels,
locators and notes, where a company's figure counts for the market whose table printed it.
Only a search candidate whose names hold every word of the topic (but function words and a metric's) is
an answer ("AI服务器" is the China AI server market, not every server market); several left are
ambiguous, unless they are linked to the best by a `quantity` id (industry_figures shows linked figures
side by side anyway). Words found only in other figures' labels, locators or notes ("GPU" in DeepSeek-V3's
GPU hours) name no topic: the topics mentioning them are a "did you mean" error, or, when the topic names
a metric too ("cloud capex"), the metric across the industry with a note saying the rest named nothing.

A company named by the topic ("NVIDIA", "OpenAI ARR", "NVIDIA revenue") is that company, never the market
whose notes mention it. A topic holding a word the knowledge base never uses ("weather in Paris") is about
something it does not cover: a not-found error naming the nearest topics, never figures that share its
other words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from chipmcp.core.names import FUZZY_ACCEPT, search_terms, spaced
from chipmcp.errors import AmbiguousNameError, ChipMCPError, NotFoundError, SeveralNamesError
from chipmcp.kb.store import KnowledgeBase

INDUSTRY_KINDS = frozenset({"market", "workload"})
# A company's figures that belong to industry tables (share tables, shipments, capex rankings); its
# other figures (revenue, margins) are vendor_financials' business.
INDUSTRY_METRICS = frozenset(
    {"market_share", "shipments", "capex", "capex_growth", "capex_growth_qoq", "market_rank", "market_size", "market_growth"}
)
SEARCH_MARGIN = 0.9  # candidates scoring within 10% of the best are all shown or reported as ambiguous
# Candidates within this share of the best score compete on how many of the topic's words their names hold:
# a lower score that names every word beats a higher one that misses a word (bm25 favours short names).
COVERAGE_MARGIN = 0.75
VENDOR = frozenset({"vendor"})
# Words that name nothing: a topic's other words must be known to the knowledge base, these need not be.
FUNCTION_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "by",
        "for",
        "from",
        "how",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "per",
        "the",
        "to",
        "what",
        "which",
        "with",
        "的",
        "和",
        "与",
        "及",
        "在",
        "是",
    }
)
# Name methods that identify a company by one of its written names (a prefix of a topic must be one of these).
EXACT_METHODS = frozenset({"exact", "normalized", "pinyin", "stock-code", "id"})

T = TypeVar("T")


def cached(kb: KnowledgeBase, kind: str, key: str, build: Callable[[], T]) -> T:
    """Per knowledge base (read-only while open), in its memo: dropped with it, and bounded, as topics are endless."""
    return kb.memo.get(("topics", kind, key), build)


@dataclass
class Topic:
    entities: list[str]
    metrics: set[str] = field(default_factory=set)
    method: str = "name"
    note: str = ""


def resolve_topic(kb: KnowledgeBase, topic: str) -> Topic:
    """What `topic` names (errors are not kept: they are cheap to redo and their inputs endless)."""
    text = topic.strip()
    return cached(kb, "topic", text, lambda: _resolve_topic(kb, text))


def _resolve_topic(kb: KnowledgeBase, text: str) -> Topic:
    if (kb.entity(text) or {}).get("entity_kind") in INDUSTRY_KINDS | VENDOR:  # an id, as resources write it
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
    company = _company(kb, text)
    if len(family) == 1 and not company:  # a company's own name is the company, not the one group extending it
        return Topic(family, method="name")
    if len(family) > 1:
        names = [f"{kb.entities[e]['name_en']} ({e})" for e in family]
        also = (
            f" The company {kb.entities[company]['name_en']} is industry_figures(topic='{company}') or, for its "
            f"financials, vendor_financials(vendor='{company}')."
            if company
            else ""
        )
        raise AmbiguousNameError(
            f"'{text}' names {len(family)} topics: {', '.join(names[:12])}. Ask for one of them "
            "(e.g. industry_figures(topic='" + family[0] + "'))." + also,
            names,
        )
    if company:
        return Topic([company], metrics, "name")
    if metrics and rest:
        try:
            named = _named(kb, rest, INDUSTRY_KINDS | {"vendor"})
        except AmbiguousNameError:
            named = None  # the search below weighs the metric's words too, or shows the markets side by side
        if named:
            return Topic([named], metrics, "name+metric")
        _refuse_a_chip(kb, rest, text)
        if not kb.search(rest):
            return Topic(
                industry_entities_with(kb, metrics),
                metrics,
                "metric",
                note=f"'{rest}' matches nothing in the knowledge base; showing every {'/'.join(sorted(metrics))} "
                "figure of the industry.",
            )
    _refuse_a_chip(kb, text, text)
    headed = _company_headed(kb, text)
    if headed:
        return headed
    return _searched(kb, text, metrics)


CHIP_KINDS = frozenset({"chip", "system"})


def _refuse_a_chip(kb: KnowledgeBase, name: str, topic: str) -> None:
    """A chip's or system's own name ('A100', '910B', 'H20 market share') is lookup_chip's question, never a
    topic the search finds in some model's notes."""
    try:
        match = kb.names.resolve(name, CHIP_KINDS, "chip", suggest=False)
    except ChipMCPError:
        return
    if match.method == "fuzzy":
        return
    raise NotFoundError(
        f"'{topic.strip()}' names a {match.kind} ({match.display}), not a market, group, AI model or company: "
        f"ask lookup_chip(name='{match.id}'), or find_chips() to rank chips.",
        [f"{match.display} ({match.id})"],
    )


def _company(kb: KnowledgeBase, text: str) -> str | None:
    """The company `text` names with confidence, else None."""
    try:
        return _named(kb, text, VENDOR)
    except AmbiguousNameError:
        return None


def _company_headed(kb: KnowledgeBase, text: str) -> Topic | None:
    """'OpenAI ARR', 'NVIDIA 2025 revenue': a company's exact name followed by words the knowledge base uses —
    the company, with the metrics those words name."""
    words = text.split()
    cuts = [(" ".join(words[:cut]), " ".join(words[cut:])) for cut in range(len(words) - 1, 0, -1)]
    if len(words) == 1 and not text.isascii():  # '英伟达营收': Chinese runs words together
        cuts = [(text[:cut], text[cut:]) for cut in range(len(text) - 1, 1, -1)]
    for head, rest in cuts:
        try:
            match = kb.names.resolve(head, VENDOR, "company", suggest=False)
        except ChipMCPError:
            continue
        if match.method not in EXACT_METHODS:
            continue
        if unknown_words(kb, rest):
            return None  # 'NVIDIA weather': the rest is about something else; the search says what is near
        metrics, _ = metric_words(kb, rest)
        return Topic(
            [match.id],
            metrics,
            "name+metric" if metrics else "name",
            note=f"'{rest}' is read as words about {kb.entities[match.id]['name_en']}"
            + (f" (metrics {', '.join(sorted(metrics))})." if metrics else "; every figure of it is shown."),
        )
    return None


def unknown_words(kb: KnowledgeBase, text: str) -> list[str]:
    """The words of `text` no name, label, locator or note of the knowledge base uses (function words aside)."""
    return [
        word
        for word in dict.fromkeys(spaced(text).split())
        if word not in FUNCTION_WORDS
        and not (word.isascii() and word.isalpha() and len(word) < 2)
        and not cached(kb, "known", word, lambda word=word: any(kb.search(w, limit=1) for w in _inflections(word)))
    ]


def _inflections(word: str) -> list[str]:
    """'shipment' is known when 'shipments' is: the full-text index does not stem English plurals."""
    if not (word.isascii() and word.isalpha() and len(word) > 2):
        return [word]
    return [word, word + "s", word + "es", *([word[:-1]] if word.endswith("s") else [])]


def nearest_topics(kb: KnowledgeBase, text: str, limit: int = 6) -> list[str]:
    """Markets, groups and AI models with figures nearest to `text`: by the words it shares with them, then by
    spelling, then the ones with the most figures."""
    known = " ".join(w for w in spaced(text).split() if w not in unknown_words(kb, text) and w not in FUNCTION_WORDS)
    scores = topic_scores(kb, known) if known else {}
    ranked = sorted(scores, key=lambda e: (-scores[e], e))
    ranked += [c.id for c in kb.names.suggest(text, INDUSTRY_KINDS, limit)]
    ranked += sorted(
        (e["id"] for e in kb.entities.values() if e["entity_kind"] in INDUSTRY_KINDS), key=lambda e: (-len(kb.figures(e)), e)
    )
    out = [e for e in dict.fromkeys(ranked) if kb.figures(e)][:limit]
    return [f"{kb.entities[e]['name_en']} ({e})" for e in out]


def _not_found(kb: KnowledgeBase, text: str, unknown: list[str]) -> NotFoundError:
    near = nearest_topics(kb, text)
    why = (
        f"No name, label or note in the knowledge base uses {', '.join(repr(w) for w in unknown)}, so '{text}' "
        "is about nothing it covers"
        if unknown
        else f"No market, group, AI model or industry figure matches '{text}'"
    )
    return NotFoundError(
        f"{why}. Nearest topics: {'; '.join(near)}. Ask industry_figures(topic=…) with one of them, "
        f"or a metric across the industry (capex, market share, parameters).{_chips_beginning(kb, text)}",
        near,
    )


def _named(kb: KnowledgeBase, text: str, kinds: frozenset[str]) -> str | None:
    """The entity `text` names with confidence (exact, prefixed or a fuzzy score ≥ FUZZY_ACCEPT), else None;
    several equally good names are an AmbiguousNameError, several names joined ('DeepSeek-V3, GPT-4') a
    SeveralNamesError — the search would answer for one of them, or a third."""
    try:
        return kb.names.resolve(text, kinds, "topic", suggest=False).id
    except (AmbiguousNameError, SeveralNamesError):
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


def _metric_labels(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """(label, metric id) for every metric's zh and en labels, spaced id and names, longest first."""
    return cached(kb, "labels", "", lambda: _labels(kb))


def _labels(kb: KnowledgeBase) -> list[tuple[str, str]]:
    return sorted(
        (
            (spaced(label), m["id"])
            for m in kb.metrics.values()
            for label in (m["label_zh"], m["label_en"], m["id"].replace("_", " "), *m["names"])
            if len(label) >= 2
        ),
        key=lambda item: -len(item[0]),
    )


def industry_entities_with(kb: KnowledgeBase, metrics: set[str]) -> list[str]:
    """Markets, models and companies holding a figure of one of `metrics` (asked for by name: a company's
    revenue across the industry is answered too)."""
    out = []
    for entity in kb.entities.values():
        kind = entity["entity_kind"]
        industry = kind in INDUSTRY_KINDS or kind == "vendor"
        if industry and kb.figures(entity["id"], sorted(metrics)):
            out.append(entity["id"])
    return out


def _searched(kb: KnowledgeBase, text: str, metrics: set[str]) -> Topic:
    """The topic whose names hold every word of `text` (but function words and a metric's), among those the
    full-text search finds; words found only in other figures' labels, locators or notes name no topic: the
    metric across the industry when the text names one, else a 'did you mean' error listing those topics."""
    unknown = unknown_words(kb, text)
    scores = topic_scores(kb, text)
    if unknown or not scores:
        raise _not_found(kb, text, unknown)
    top = max(scores.values())
    asked = asked_words(kb, text)
    near = [e for e in scores if scores[e] >= top * COVERAGE_MARGIN and asked and asked <= name_words(kb, e)]
    if not near:
        return _unnamed(kb, text, metrics, scores)
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
    raise AmbiguousNameError(f"'{text}' could mean {len(rest) + 1} topics: {', '.join(names)}. Ask for one of them.", names)


def _chips_beginning(kb: KnowledgeBase, text: str) -> str:
    """A brand or family word ('TPU', 'Ascend'): the chips and systems whose names begin with it (a function
    word such as 'the' begins names only by accident: 'thead…')."""
    chips = kb.names.extending(text, CHIP_KINDS) if asked_words(kb, text) else []
    if not chips:
        return ""
    shown = ", ".join(kb.entities[c]["name_en"] for c in chips[:6]) + (", …" if len(chips) > 6 else "")
    return f" Chips and systems whose names begin with '{text.strip()}': {shown} — lookup_chip(name=…) answers for one."


def asked_words(kb: KnowledgeBase, text: str) -> frozenset[str]:
    """The search words of `text` a topic's names must hold: not function words, not a metric's words, not a
    year (a period asked of the topic)."""
    _, rest = metric_words(kb, text)
    return frozenset(w for w in search_terms(rest).split() if w not in FUNCTION_WORDS and not YEAR.fullmatch(w))


YEAR = re.compile(r"(?:19|20)\d\d")


def _unnamed(kb: KnowledgeBase, text: str, metrics: set[str], scores: dict[str, float]) -> Topic:
    """Words no topic is named by: the topics whose figures mention them are a suggestion, never the answer."""
    ranked = sorted(scores, key=lambda e: (-scores[e], e))[:6]
    mentioned = [f"{kb.entities[e]['name_en']} ({e})" for e in ranked]
    _, rest = metric_words(kb, text)
    if metrics:
        return Topic(
            industry_entities_with(kb, metrics),
            metrics,
            "metric",
            note=f"'{rest}' names no market, group, AI model or company (figures of {'; '.join(mentioned[:3])} mention it); "
            f"showing every {'/'.join(sorted(metrics))} figure of the industry.",
        )
    if not asked_words(kb, text):  # function words alone ('the') name nothing at all
        raise _not_found(kb, text, [])
    raise NotFoundError(
        f"'{text}' names no market, group, AI model or company; the figures or notes of {'; '.join(mentioned)} "
        f"mention it. Did you mean one of them? Ask industry_figures(topic='{ranked[0]}') or another by its id."
        + _chips_beginning(kb, text),
        mentioned,
    )


def name_words(kb: KnowledgeBase, entity: str) -> frozenset[str]:
    """The search words of every written name of an entity."""
    return cached(kb, "words", entity, lambda: _name_words(kb, entity))


def _name_words(kb: KnowledgeBase, entity: str) -> frozenset[str]:
    e = kb.entities[entity]
    return frozenset(search_terms(" ".join([e["name_zh"], e["name_en"], *kb.aliases_of(entity)])).split())


def quantity_peers(kb: KnowledgeBase, entity: str) -> frozenset[str]:
    """Entities holding a figure linked by a `quantity` id to one of `entity`'s."""
    return cached(kb, "peers", entity, lambda: _quantity_peers(kb, entity))


def _quantity_peers(kb: KnowledgeBase, entity: str) -> frozenset[str]:
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
    kinds = frozenset({"chip", "system", "vendor", "market", "workload"}) - asked
    if (kb.entity(query.strip()) or {}).get("entity_kind") in kinds:  # an id, as resources write it, is its name
        return _pointer(kb, query, query.strip())
    try:
        match = kb.names.resolve(query, kinds, "entity", suggest=False)
        if match.method != "fuzzy":
            return _pointer(kb, query, match.id)
        if match.score >= FUZZY_ACCEPT:  # a spelling close to a name is not that name ('Ascend' ~ Maxscend)
            return _pointer(kb, query, match.id, "is close to the name of")
    except ChipMCPError:
        pass
    if asked & INDUSTRY_KINDS or not search or unknown_words(kb, query):
        return ""
    scores = topic_scores(kb, query)
    if scores:
        best = max(scores, key=lambda e: (scores[e], e))
        if scores[best] >= SEARCH_FLOOR:
            words = asked_words(kb, query)
            if words and words <= name_words(kb, best):  # the query's words name it ('ASIC market')
                return _pointer(kb, query, best)
            return _mention(kb, query, best)
    return ""


SEARCH_FLOOR = 12.0  # a search score below this is too weak to redirect a user to another tool


def _mention(kb: KnowledgeBase, query: str, entity_id: str) -> str:
    """A word found only in an entity's figures or notes: where it is mentioned, never that it is the entity."""
    entity = kb.entities[entity_id]
    return f" '{query}' is mentioned in the figures of {entity['name_en']}: industry_figures(topic='{entity_id}') shows them."


def _pointer(kb: KnowledgeBase, query: str, entity_id: str, verb: str = "is") -> str:
    entity = kb.entities[entity_id]
    kind = entity["entity_kind"]
    name = f"{entity['name_zh']} / {entity['name_en']}" if entity["name_zh"] != entity["name_en"] else entity["name_en"]
    if kind == "workload":
        return f" '{query}' {verb} an AI model ({name}): use industry_figures(topic='{entity_id}')."
    if kind == "market":
        return f" '{query}' {verb} a {entity['kind']} ({name}): use industry_figures(topic='{entity_id}')."
    if kind == "vendor":
        return f" '{query}' {verb} a company ({name}): use vendor_financials(vendor='{entity_id}') or find_chips(vendor=…)."
    return f" '{query}' {verb} a {kind} ({name}): use lookup_chip(name='{entity_id}')."
