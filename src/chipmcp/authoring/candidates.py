"""`chipmcp kb candidates FILE`: lines of a report that look like figures the knowledge base lacks.

A curation aid that adds nothing. A line is listed when it names an entity the knowledge base knows (by
the server's own name index: every written alias, stock codes, simplified and traditional spellings)
together with a number followed by a unit of the unit vocabulary (chipmcp.core.units), and no entity named on
the line already holds that value (same dimension, same amount in base units, or the same printed token).
Each candidate carries the entity the number most likely belongs to (the nearest name before it), a
metric guess (the metric of that dimension whose label the words before the number resemble most), the
token as printed, and the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from chipmcp.core import compute, names
from chipmcp.core.units import PRECISIONS, UNITS
from chipmcp.kb.store import KnowledgeBase

_ASCII_WORD = re.compile(r"[0-9a-z]")
_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_LONGEST_KEY = 40  # longer alias keys are company registrations, which reports rarely print inline
_GUESS_ACCEPT = 60  # a label resembling the words before the number this well names the metric


@dataclass(frozen=True)
class Candidate:
    line_number: int
    line: str
    entity: str  # the entity id the number most likely belongs to
    metric: str  # a guess; the curator decides
    precision: str | None  # for compute: the precision printed nearest before the number
    printed: str  # the token exactly as printed
    value: float | None
    low: float | None
    high: float | None
    unit: str


@dataclass(frozen=True)
class _Mention:
    start: int  # position in the original line
    end: int
    entity: str


class CandidateFinder:
    """Scans report text against one knowledge base; build once, scan many lines."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb

    @cached_property
    def _entities_by_key(self) -> dict[str, str]:
        """Alias key → the one entity it names (keys naming several entities, pinyin spellings and bare
        short numbers are left out: on report text they would name the wrong thing more often than not)."""
        owners: dict[str, set[str]] = {}
        for key, entries in self.kb.names.by_key.items():
            written = [e for e in entries if e.form != "pinyin"]
            if written and len(key) <= _LONGEST_KEY and not (key.isdigit() and len(key) < 6):
                owners[key] = {e.entity for e in written}
        return {key: next(iter(ids)) for key, ids in owners.items() if len(ids) == 1}

    @cached_property
    def _key_lengths(self) -> list[int]:
        return sorted({len(key) for key in self._entities_by_key}, reverse=True)

    @cached_property
    def _token(self) -> re.Pattern[str]:
        symbols = sorted(UNITS, key=len, reverse=True)
        unit = "|".join(re.escape(symbol) for symbol in symbols)
        return re.compile(
            rf"(?<![A-Za-z0-9.])(?P<low>{_NUMBER})(?:\s*[-~～]\s*(?P<high>{_NUMBER}))?\s?"
            rf"(?P<unit>{unit})(?![A-Za-z])",
            re.IGNORECASE,
        )

    @cached_property
    def _unit_by_folded(self) -> dict[str, str]:
        folded: dict[str, str] = {}
        for symbol in sorted(UNITS, key=lambda s: (s.casefold(), s)):
            folded.setdefault(symbol.casefold(), symbol)
        return folded

    @cached_property
    def _metrics_by_dimension(self) -> dict[str, list[dict[str, str]]]:
        counts = self.kb.figure_count_by_metric()
        by_dimension: dict[str, list[dict[str, str]]] = {}
        for metric in sorted(self.kb.metrics.values(), key=lambda m: (-counts.get(m["id"], 0), m["id"])):
            by_dimension.setdefault(metric["dimension"], []).append(metric)
        return by_dimension  # most used first: the fallback guess

    def scan(self, text: str) -> list[Candidate]:
        found: list[Candidate] = []
        for number, line in enumerate(text.splitlines(), start=1):
            found += self._line(number, line)
        return found

    def _line(self, number: int, line: str) -> list[Candidate]:
        tokens = list(self._token.finditer(line))
        if not tokens:
            return []
        mentions = self._mentions(line, [(t.start(), t.end()) for t in tokens])
        if not mentions:
            return []
        named = {m.entity for m in mentions}
        found: list[Candidate] = []
        for token in tokens:
            unit = self._unit(token.group("unit"))
            low, high = float(token.group("low").replace(",", "")), token.group("high")
            value, high_value = (low, None) if high is None else (None, float(high.replace(",", "")))
            span = (low, low) if high_value is None else (low, high_value)
            if self._held(named, token.group(0), span, unit):
                continue
            before = [m for m in mentions if m.end <= token.start()]
            entity = (before[-1] if before else mentions[0]).entity
            start = before[-1].end if before else 0
            words = line[start : token.start()]
            metric = self._guess_metric(words, UNITS[unit].dimension)
            precision = self._precision(words) if UNITS[unit].dimension == "compute" else None
            candidate = Candidate(
                number,
                line.strip(),
                entity,
                metric,
                precision,
                token.group(0).strip(),
                value,
                None if value is not None else low,
                high_value,
                unit,
            )
            if candidate not in found:  # the same token printed twice on a line is one thing to curate
                found.append(candidate)
        return found

    def _unit(self, printed: str) -> str:
        return printed if printed in UNITS else self._unit_by_folded[printed.casefold()]

    def _mentions(self, line: str, tokens: list[tuple[int, int]]) -> list[_Mention]:
        """Names of known entities in the line, longest first where they overlap, outside number tokens."""
        mapped = _normalized_with_positions(line)
        keys = "".join(char for char, _ in mapped)
        mentions: list[_Mention] = []
        position = 0
        while position < len(keys):
            match = None
            for length in self._key_lengths:
                end = position + length
                if end > len(keys):
                    continue
                entity = self._entities_by_key.get(keys[position:end])
                if entity and _bounded(mapped, position, end):
                    match = (end, entity)
                    break
            if match is None:
                position += 1
                continue
            end, entity = match
            start_original, end_original = mapped[position][1], mapped[end - 1][1] + 1
            if not any(s <= start_original < e for s, e in tokens):
                mentions.append(_Mention(start_original, end_original, entity))
            position = end
        return mentions

    def _held(self, named: set[str], printed: str, span: tuple[float, float], unit: str) -> bool:
        """Whether an entity named on the line already has this figure: the same amount of the same
        dimension (converted by the compute core), or the same printed token."""
        dimension = UNITS[unit].dimension
        factor = compute.unit_factors([unit])
        low, high = (float(x) for x in compute.to_base(list(span), factor.repeat(2)))
        squeezed = re.sub(r"\s+", "", printed)
        for entity in named:
            for figure in self.kb.figures(entity):
                if re.sub(r"\s+", "", figure["printed"]) == squeezed:
                    return True
                held_unit = UNITS.get(figure["unit"] or "")
                if held_unit is None or held_unit.dimension != dimension or held_unit.currency != UNITS[unit].currency:
                    continue
                held = [figure[k] for k in ("base_value", "base_low", "base_high") if figure[k] is not None]
                if low == high and any(compute.spans_agree((low, low), (h, h)) for h in held):
                    return True
                if figure["base_low"] is not None and compute.spans_agree((low, high), (figure["base_low"], figure["base_high"])):
                    return True
        return False

    def _guess_metric(self, words: str, dimension: str) -> str:
        from rapidfuzz import fuzz

        metrics = self._metrics_by_dimension.get(dimension, [])
        if not metrics:
            return "?"
        text = words[-24:].casefold()
        scored = [
            (max(fuzz.partial_ratio(m["label_zh"], text), fuzz.partial_ratio(m["label_en"].casefold(), text)), m) for m in metrics
        ]
        score, best = max(scored, key=lambda item: item[0])  # max keeps the first (most used) of equal scores
        return best["id"] if score >= _GUESS_ACCEPT else metrics[0]["id"]

    @staticmethod
    def _precision(words: str) -> str | None:
        folded = words.casefold()
        found = [(folded.rfind(p), p) for p in PRECISIONS if p in folded]
        return max(found)[1] if found else None


def find_candidates(kb: KnowledgeBase, text: str) -> list[Candidate]:
    """Every candidate figure of a report's text, in line order."""
    return CandidateFinder(kb).scan(text)


def _normalized_with_positions(line: str) -> list[tuple[str, int]]:
    """The line as name keys are written (names.spaced character by character, without spaces), each
    character with the position of the original one it came from: `_bounded` reads gaps in the positions
    as the spaces that were there, so 'H20 0' is not read as 'H200'."""
    return [(normalized, index) for index, char in enumerate(line) for normalized in _key_chars(char)]


@lru_cache(maxsize=65536)
def _key_chars(char: str) -> str:
    return names.spaced(char).replace(" ", "")


def _bounded(mapped: list[tuple[str, int]], start: int, end: int) -> bool:
    """A name matched at [start, end) does not cut a Latin word or number in two ('H20' inside 'H200',
    '910' inside '910B'); Chinese text has no spaces, so only ASCII letters and digits bind."""

    def joined(left: int, right: int) -> bool:  # the characters at two adjacent mapped positions touch
        a, b = mapped[left], mapped[right]
        return b[1] == a[1] + 1 or b[1] == a[1]

    if start > 0 and _ASCII_WORD.match(mapped[start - 1][0]) and _ASCII_WORD.match(mapped[start][0]) and joined(start - 1, start):
        return False
    return not (
        end < len(mapped) and _ASCII_WORD.match(mapped[end - 1][0]) and _ASCII_WORD.match(mapped[end][0]) and joined(end - 1, end)
    )
