"""Name resolution: any way a user writes a chip, system or company → one entity id, or a clear refusal.

How a query is matched, in order:
1. its normalized key equals an alias key (aliases are written in knowledge/ or generated at build:
   simplified/traditional and pinyin spellings, stock codes with and without exchange suffix);
2. a vendor name leads or ends the query ("华为910B", "NVIDIA H20", "H100 (NVIDIA)"): the rest is matched
   among that vendor's entities;
3. a letter O, l or I typed for a digit inside a model number ('91oC' → 910C), when exactly one entity
   answers to the digits;
4. names joined in one query ('Cambricon and Hygon', '壁仞、摩尔线程', 'H20/H200', '昇腾910B（Ascend 910B）')
   whose parts each name an entity by 1 or 2: the one entity they all name, or refused with the entities
   they name (SeveralNamesError);
5. a memory size beside a name ('A100 80GB', 'H100 94GB'): the variant whose name carries it, refused when
   several do; else the entity the rest names, with a note;
6. fuzzy scoring (rapidfuzz) over the alias keys — but only aliases whose model-number signature
   equals the query's may match, so 910B never answers for 910C, nor H20 for H200; model numbers of
   several products that no alias carries together ('H20 H200') are refused as several names too, and a
   word that begins several entities' names ('Kunlun') is refused with them, not answered for the closest.

Normalization: NFKC (full-width → half-width), ™/® and invisible format characters dropped, case folded, traditional →
simplified (OpenCC t2s, loaded only for CJK input), every character but letters and digits a separator, generic
suffixes ("芯片", "chip") dropped.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple, Protocol, cast

from chipmcp.errors import AmbiguousNameError, NotFoundError, SeveralNamesError

_MARKS = str.maketrans("", "", "™®©℠")
# Every character that is neither a letter nor a digit separates words: spaces, punctuation of any script
# ('910B!!!', '《昇腾910B》', 'H100・SXM'), symbols. No alias holds another kind of character.
# (The Chinese blocks are kept whole, unassigned code points included, as _has_chinese counts them.)
_SEPARATORS = re.compile(r"(?:[^\w\u3400-\u9fff\uf900-\ufaff]|_)+")
# Chinese is told by comparing code points, not by a regular-expression class: compiling a class that spans
# the 27,000 ideographs walks every one of them (4 ms of each start, before a name is read).
_IDEOGRAPHS = ("\u3400", "\u9fff")  # CJK Unified Ideographs Extension A and the basic block
_COMPATIBILITY = ("\uf900", "\ufaff")  # CJK Compatibility Ideographs
# Where a letter or digit meets a character outside ASCII: a boundary between scripts when that one is Chinese.
_SCRIPT_MEETING = re.compile(r"(?<=[0-9a-z])(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])(?=[0-9a-z])")
_SUFFIXES = ("芯片", "加速卡", "算力卡", "显卡", "处理器", "chip", "card", "accelerator")
_DIGIT_RUN = re.compile(r"([a-z]*)(\d+)([a-z]*)")

# Brand words pypinyin's dictionary reads wrongly or not as the brand is read.
_BRAND_PINYIN = {
    "昇腾": "sheng teng",
    "昇騰": "sheng teng",
    "沐曦": "mu xi",
    "壁仞": "bi ren",
    "壁砺": "bi li",
    "燧原": "sui yuan",
    "云燧": "yun sui",
    "曦云": "xi yun",
    "元碁": "yuan qi",
    "天垓": "tian gai",
    "智铠": "zhi kai",
    "天数智芯": "tian shu zhi xin",
    "寒武纪": "han wu ji",
    "摩尔线程": "mo er xian cheng",
    "昆仑芯": "kun lun xin",
    "平头哥": "ping tou ge",
    "含光": "han guang",
    "鲲鹏": "kun peng",
    "玄戒": "xuan jie",
    "思元": "si yuan",
    "海光": "hai guang",
    "深算": "shen suan",
    "太初": "tai chu",
    "云天励飞": "yun tian li fei",
    "长鑫": "chang xin",
    "长江存储": "chang jiang cun chu",
}


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@cache
def _t2s() -> _Converter:
    import opencc  # imported here: ~50 ms, and only CJK input needs it

    # OpenCC derives from its untyped C extension: the protocol states the one method used.
    return cast(_Converter, opencc.OpenCC("t2s"))


def _ideograph(char: str) -> bool:
    return _IDEOGRAPHS[0] <= char <= _IDEOGRAPHS[1]


def _has_chinese(text: str) -> bool:
    """Whether `text` holds a Chinese character (an ideograph or a compatibility ideograph)."""
    return not text.isascii() and any(
        _IDEOGRAPHS[0] <= char <= _IDEOGRAPHS[1] or _COMPATIBILITY[0] <= char <= _COMPATIBILITY[1] for char in text
    )


def _split_scripts(text: str) -> str:
    """A space wherever an ideograph meets a letter or digit [0-9a-z], either way round."""

    def boundary(meeting: re.Match[str]) -> str:
        at = meeting.start()
        return " " if _ideograph(meeting.string[at - 1]) or _ideograph(meeting.string[at]) else ""

    return _SCRIPT_MEETING.sub(boundary, text)


def _without_format_characters(text: str) -> str:
    """`text` without Unicode format characters (category Cf: zero-width spaces and joiners, the soft hyphen,
    bidirectional marks, embeddings and isolates, the byte-order mark). They survive NFKC and come along with
    names pasted from web pages and documents; they are invisible, so they cannot be part of a name."""
    if text.isprintable():  # most texts: a format character is never printable
        return text
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


@lru_cache(maxsize=8192)  # pure; the build asks it of each alias and text several times (key, signature, words)
def spaced(text: str) -> str:
    """Lowercase, half-width, simplified, separators as single spaces, a space between scripts."""
    if text.isascii():  # most texts: ASCII is its own NFKC, has no marks nor Chinese, and casefolds as lower()
        return " ".join(_SEPARATORS.sub(" ", text.lower()).split())
    # Lone surrogates cannot be encoded (OpenCC would fail on them): replace them first.
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = unicodedata.normalize("NFKC", _without_format_characters(text.translate(_MARKS))).casefold()
    if not _has_chinese(text):  # no Chinese, so no boundary between scripts
        return " ".join(_SEPARATORS.sub(" ", text).split())
    text = _split_scripts(_SEPARATORS.sub(" ", _t2s().convert(text)))
    return " ".join(text.split())


@lru_cache(maxsize=8192)  # pure, and called for the same model numbers on every lookup
def normalize(text: str) -> str:
    """The matching key of a name: `spaced` without spaces and without a generic trailing suffix."""
    words = spaced(text)
    key = words.replace(" ", "")
    if not key.endswith(_SUFFIXES):  # most names: no suffix to weigh
        return key
    for suffix in _SUFFIXES:
        # A Latin suffix must be its own word: 'X100 chip' drops it, 'Rockchip' keeps it.
        glued = suffix.isascii() and not words.endswith(" " + suffix)
        if key.endswith(suffix) and len(key) > len(suffix) and not glued:
            key = key[: -len(suffix)]
            break
    return key


_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")


def search_terms(text: str) -> str:
    """The words full-text search indexes and queries: `spaced` text, letters split from digits ('gpt4' →
    'gpt 4'), and each run of Chinese characters cut into overlapping pairs ('市场规模' → '市场 场规 规模').

    Chinese is written without spaces, so SQLite's default tokenizer sees '全球ASIC芯片市场' as one token, and
    its trigram tokenizer cannot match a two-character word (市场, 份额, 开支); character pairs match both, as
    CJK search engines do (measured in benchmarks/BENCHMARKS.md)."""
    words = _LETTER_DIGIT.sub(" ", spaced(text))  # single-spaced, as `spaced` leaves it
    if not _has_chinese(words):  # most texts: nothing to cut
        return words
    out: list[str] = []
    for word in words.split():
        if len(word) > 1 and _has_chinese(word):
            out += [word[i : i + 2] for i in range(len(word) - 1)]
        else:
            out.append(word)
    return " ".join(out)


# Words that join two names ('H20 and H200', 'H20 vs H200'): never the short suffix of a model number.
_CONNECTORS = frozenset({"and", "or", "vs", "to"})
# What joins names written in one query: list marks, a slash or ampersand, the words for and, or, versus, and
# brackets ('昇腾910B（Ascend 910B）': a second name of the same entity, or of another).
_JOINS = re.compile(r"\s*(?:[,，、;；/&()（）]|\b(?:and|or|vs\.?|versus)\b|[和与及或])\s*", re.IGNORECASE)


def model_numbers(text: str) -> list[str]:
    """The model numbers a name carries, in the order written: each digit run with the letters glued to it.

    'Ascend 910B' → ['910b']; 'H200 and H20' → ['h200', 'h20']; 'K100_AI' → ['k100ai']; no digits → [].
    Leading letters count only when the token is short (a model prefix such as H, MI, MLU, not a
    brand word such as 'ascend' written without a space).
    """
    parts: list[str] = []
    tokens = spaced(text).split()
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        # A short word right after a model number is part of it: 'RTX 4090 D', 'K100 AI', '910 Pro'.
        short_word = following.isascii() and following.isalpha() and len(following) <= 3
        suffix = following if short_word and following not in _CONNECTORS else ""
        runs = _DIGIT_RUN.findall(token)
        for number, (lead, digits, trail) in enumerate(runs):
            tail = suffix if number == len(runs) - 1 else ""
            parts.append(f"{lead if len(lead) <= 3 else ''}{digits}{trail}{tail}")
    return parts


def signature(text: str) -> str:
    """The model numbers a name carries, each once, sorted and space-joined: what names with the same numbers
    share ('H20 H20' carries one, as 'H20' does)."""
    return " ".join(sorted(set(model_numbers(text))))


def variants(alias: str) -> Iterable[tuple[str, str]]:
    """Generated spellings of a written alias: (key, form). The written key itself is not repeated."""
    key = normalize(alias)
    for pinyin in {_pinyin(text) for text in pinyin_texts(alias)}:
        variant = normalize(pinyin)
        if variant and variant != key:
            yield variant, "pinyin"


def pinyin_texts(alias: str) -> list[str]:
    """The texts whose pinyin spells `alias` (none when it has no Chinese): as written, and `spaced`."""
    return [alias, spaced(alias)] if _has_chinese(alias) else []


@cache
def _pinyin_module():
    import pypinyin
    from pypinyin.constants import PHRASES_DICT
    from pypinyin.seg import mmseg

    # What pypinyin.load_phrases_dict does, but its segmenter learns only the brand words: it retrains on
    # every phrase it knows (a sixth of the build), and their prefixes are learnt already.
    PHRASES_DICT.update({word: [[syllable] for syllable in reading.split()] for word, reading in _BRAND_PINYIN.items()})
    mmseg.seg.train(iter(_BRAND_PINYIN))
    return pypinyin


@lru_cache(maxsize=8192)  # an alias and its spaced form are often the same text
def _pinyin(text: str) -> str:
    known = stored_readings().get(text)
    return known if known is not None else read_pinyin(text)


def read_pinyin(text: str) -> str:
    """pypinyin's reading of `text`, syllables spaced, characters it cannot read kept as they are."""
    # pypinyin's stub types the errors callback as returning str; it takes a list, each item one word.
    return " ".join(_pinyin_module().lazy_pinyin(text, errors=lambda chars: list(chars)))  # pyright: ignore[reportArgumentType]


READINGS_FILE = Path(__file__).with_name("pinyin_readings.json")


@cache
def stored_readings() -> dict[str, str]:
    """`read_pinyin` of the bundled knowledge's Chinese names, as scripts/pinyin_readings.py stored it, when the
    installed pypinyin is the release that read them and the brand words are the same (else nothing): a
    build of the bundled knowledge then never loads pypinyin's dictionaries, a fifth of its time.
    tests/test_pinyin_readings.py checks every stored reading against pypinyin."""
    try:
        stored = json.loads(READINGS_FILE.read_text(encoding="utf-8"))
        made_by = reading_inputs()
    except (OSError, ValueError, ImportError):  # no file, an unreadable one, or no pypinyin installed
        return {}
    return stored.get("readings", {}) if {k: stored.get(k) for k in made_by} == made_by else {}


def reading_inputs() -> dict[str, object]:
    """What a reading depends on besides the text: the installed pypinyin release and chipmcp's brand words."""
    from importlib import metadata

    return {"pypinyin": metadata.version("pypinyin"), "brands": _BRAND_PINYIN}


# --- the index ---------------------------------------------------------------------------------------


# Records rather than dataclasses: the name index, which a first question waits for, makes one per alias row
# (a few thousand), and a tuple is made in half a frozen dataclass's time.
class AliasEntry(NamedTuple):
    key: str
    entity: str
    alias: str
    form: str  # name_zh, name_en, alias, model, stock_code, pinyin, ...
    signature: str
    suspect: bool = False  # a spelling a report printed that looks wrong (a mistyped stock code)
    note: str = ""  # why it is suspect


class EntityInfo(NamedTuple):
    id: str
    kind: str  # vendor, chip, system, workload, market
    display: str
    vendor: str | None
    model: str | None
    parent: str | None = None  # for vendors: the parent company (T-Head → Alibaba)


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    kind: str
    display: str
    score: float


@dataclass(frozen=True)
class Match:
    id: str
    kind: str
    display: str
    method: str  # exact, normalized, pinyin, stock-code, vendor-prefix, vendor-suffix, digit-typo, fuzzy
    alias: str
    score: float
    note: str = ""
    alternatives: list[Candidate] = field(default_factory=list[Candidate])


# Letters typed for digits inside a model number; at most this many are tried at once (2^n spellings).
_TYPO_DIGITS = {"o": "0", "i": "1", "l": "1"}
_TYPO_RUN = re.compile(r"[0-9oil]+")
_DIGITS = frozenset("0123456789")
_TYPO_MAX = 4

_BEGUN_LISTED = 8  # the entities a family or brand word begins the names of, listed in its refusal
FUZZY_ACCEPT = 82.0  # a fuzzy score at or above this is an answer; below it only a suggestion
AMBIGUITY_MARGIN = 3.0  # two entities this close in score are reported as ambiguous


class NameIndex:
    """Every alias key of the knowledge base, built once per process from the aliases table."""

    def __init__(self, entries: Iterable[AliasEntry], entities: Iterable[EntityInfo]):
        self.entities = {e.id: e for e in entities}
        self.by_key: dict[str, list[AliasEntry]] = {}
        for entry in entries:
            self.by_key.setdefault(entry.key, []).append(entry)
        self._keys = list(self.by_key)
        self._sorted_keys = sorted(self._keys)  # for prefix queries (extending)
        # Fuzzy matches are accepted only between equal signatures, so each signature's keys are searched alone.
        self._keys_by_signature: dict[str, list[str]] = {}
        for entry in self._all_entries():
            keys = self._keys_by_signature.setdefault(entry.signature, [])
            if not keys or keys[-1] != entry.key:
                keys.append(entry.key)
        self._models_by_vendor: dict[str | None, list[tuple[str, str]]] = {}  # vendor → (chip id, model key)
        for info in self.entities.values():
            if info.kind == "chip" and info.model:
                self._models_by_vendor.setdefault(info.vendor, []).append((info.id, normalize(info.model)))
        self._relatives_of = lru_cache(maxsize=8192)(self._relatives)
        self._subsidiaries: dict[str, set[str]] = {}  # vendor → vendors whose parent it is (Alibaba → T-Head)
        for info in self.entities.values():
            if info.kind == "vendor" and info.parent:
                self._subsidiaries.setdefault(info.parent, set()).add(info.id)
        self._sized_words: list[tuple[str, str, frozenset[str]]] | None = None  # built on the first query with a size
        self._vendor_keys = frozenset(e.key for e in self._all_entries() if self.entities[e.entity].kind == "vendor")

    def _all_entries(self) -> Iterable[AliasEntry]:
        for entries in self.by_key.values():
            yield from entries

    def _candidate(self, entity_id: str, score: float) -> Candidate:
        info = self.entities[entity_id]
        return Candidate(info.id, info.kind, info.display, round(score, 1))

    def resolve(self, query: str, kinds: frozenset[str], what: str = "entity", suggest: bool = True) -> Match:
        """The one entity of `kinds` the query names; NotFoundError / AmbiguousNameError otherwise
        (`suggest=False`: without the closest names, for a caller that only asks whether it names one)."""
        key = normalize(query)
        if not key:
            raise NotFoundError(f"No {what} name given: '{query.strip()}' has no letters or digits.")
        exact = self._exact(query, key, kinds)
        if exact:
            return self._with_relatives(exact)
        prefixed = self._vendor_named(query, key, kinds)
        if prefixed:
            return self._with_relatives(prefixed)
        typo = self._digit_typo(query, key, kinds)
        if typo:
            return self._with_relatives(typo)
        joined = self._joined(query, kinds, what)
        if joined:
            return self._with_relatives(joined)
        sized = self._sized(query, kinds)
        if sized:
            return sized
        return self._fuzzy(query, key, kinds, what, suggest)

    def suggest(self, query: str, kinds: frozenset[str], limit: int = 5) -> list[Candidate]:
        """The closest entities of `kinds`, best first, whatever their model numbers."""
        from rapidfuzz import fuzz, process

        key = normalize(query)
        best: dict[str, float] = {}
        for alias_key, score, _ in process.extract(key, self._keys, scorer=fuzz.WRatio, limit=60, score_cutoff=50):
            for entry in self.by_key[alias_key]:
                if self.entities[entry.entity].kind in kinds:
                    best[entry.entity] = max(best.get(entry.entity, 0.0), score)
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [self._candidate(entity, score) for entity, score in ranked]

    def subsidiaries(self, vendor_id: str) -> set[str]:
        """Every company below `vendor_id` in the parent links (Alibaba → T-Head), at any depth."""
        found: set[str] = set()
        todo = [vendor_id]
        while todo:
            for child in self._subsidiaries.get(todo.pop(), set()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    def extending(self, query: str, kinds: frozenset[str]) -> list[str]:
        """Entities of `kinds` with a name that starts with the query's key ('DeepSeek' → DeepSeek-V3, -R1, …):
        what a bare family or brand word may mean. Keys shorter than three characters extend too much to say."""
        key = normalize(query)
        if len(key) < 3:
            return []
        found: set[str] = set()
        for index in range(bisect.bisect_left(self._sorted_keys, key), len(self._sorted_keys)):
            alias_key = self._sorted_keys[index]
            if not alias_key.startswith(key):
                break
            found.update(e.entity for e in self.by_key[alias_key] if self.entities[e.entity].kind in kinds)
        return sorted(found)

    def complete(self, typed: str, kinds: frozenset[str]) -> list[str]:
        """Ids of the entities of `kinds` that a partly typed name could be: those with a name or id
        beginning with it first, then those containing it; nothing typed → all of them.

        Typed text is matched in every spelling the index knows (昇騰 finds 昇腾910B, 'moore' finds
        摩尔线程), so a completion menu offers what resolve() would accept."""
        of_kinds = sorted(e.id for e in self.entities.values() if e.kind in kinds)
        key, written = normalize(typed), typed.strip().casefold()
        if not key:
            return of_kinds
        starting = {i for i in of_kinds if i.startswith(written)}
        containing = {i for i in of_kinds if written in i}
        for alias_key, entries in self.by_key.items():
            if key in alias_key:
                bucket = starting if alias_key.startswith(key) else containing
                bucket.update(e.entity for e in entries if self.entities[e.entity].kind in kinds)
        return sorted(starting) + sorted(containing - starting)

    def _exact(self, query: str, key: str, kinds: frozenset[str]) -> Match | None:
        entries = [e for e in self.by_key.get(key, []) if self.entities[e.entity].kind in kinds]
        if not entries:
            return None
        entities = sorted({e.entity for e in entries})
        if len(entities) > 1:
            raise self._several_entries(query, entities)
        entry = min(entries, key=lambda e: (e.suspect, _FORM_RANK.get(e.form, 9)))
        written = query.strip() == entry.alias
        method = "exact" if written else {"pinyin": "pinyin", "stock_code": "stock-code"}.get(entry.form, "normalized")
        match = self._match(entry.entity, method, entry.alias, 100.0)
        if entry.suspect:
            note = (
                f"Warning: '{entry.alias}' is a suspect name for {match.display}, printed by a report but "
                f"probably wrong ({entry.note or 'another report disagrees'}); it may name something else. "
                f"Answering for {match.display}, as that report meant."
            )
            match = Match(match.id, match.kind, match.display, match.method, match.alias, match.score, note)
        return match

    def _vendor_named(self, query: str, key: str, kinds: frozenset[str]) -> Match | None:
        """A company's name written before or after a name of one of its products ('NVIDIA H100', 'H100
        (NVIDIA)', '华为昇腾910B'): that product, when exactly one of the company's (or its subsidiaries')
        answers to the rest. The longest company name is tried first, before the model, then after it."""
        for method in ("vendor-prefix", "vendor-suffix"):
            for cut in range(len(key) - 1, 0, -1):  # each split of the key, the longest company name first
                vendor_key, rest = (key[:cut], key[cut:]) if method == "vendor-prefix" else (key[-cut:], key[:-cut])
                if vendor_key not in self._vendor_keys:
                    continue
                named = {e.entity for e in self.by_key[vendor_key]}
                vendors = named.union(*(self._subsidiaries.get(v, set()) for v in named))
                entries = [
                    e
                    for e in self.by_key.get(rest, [])
                    if self.entities[e.entity].kind in kinds and self.entities[e.entity].vendor in vendors
                ]
                found = sorted({e.entity for e in entries})
                if len(found) == 1:
                    return self._match(entries[0].entity, method, entries[0].alias, 100.0)
                if len(found) > 1:
                    raise self._several_entries(query, found)
        return None

    def _several_entries(self, query: str, entities: list[str]) -> AmbiguousNameError:
        """The refusal of a name several entries answer to exactly (an alias two chips share)."""
        shown = [f"{self.entities[e].display} ({e})" for e in entities]
        return AmbiguousNameError(
            f"'{query}' names {len(entities)} different entries: {', '.join(shown)}. Ask for one of them by its full name.", shown
        )

    def _digit_typo(self, query: str, key: str, kinds: frozenset[str]) -> Match | None:
        """A letter O typed for zero, or l/I for one, inside a model number ('91oC', 'MLU37O-X8'): the name
        it spells with digits, when exactly one entity answers to the substitutions."""
        spots = [
            index
            for run in _TYPO_RUN.finditer(key)
            if any(c in _DIGITS for c in run.group())
            for index in range(run.start(), run.end())
            if key[index] in _TYPO_DIGITS
        ]
        if not spots or len(spots) > _TYPO_MAX:
            return None
        found: dict[str, tuple[Match, str]] = {}
        for count in range(1, len(spots) + 1):
            for chosen in itertools.combinations(spots, count):
                variant = "".join(_TYPO_DIGITS[c] if i in chosen else c for i, c in enumerate(key))
                try:
                    match = self._exact(variant, variant, kinds) or self._vendor_named(variant, variant, kinds)
                except AmbiguousNameError:
                    continue
                if match:
                    found.setdefault(match.id, (match, variant))
        if len(found) != 1:
            return None
        match, variant = next(iter(found.values()))
        note = (
            f"'{query.strip()}' has a letter where a digit belongs (O for 0, l or I for 1); read as '{variant}', "
            f"which names {match.display}."
        )
        return Match(match.id, match.kind, match.display, "digit-typo", match.alias, 100.0, note)

    def _joined(self, query: str, kinds: frozenset[str], what: str) -> Match | None:
        """A query that joins names ('Cambricon and Hygon', '壁仞、摩尔线程', '昇腾910B（Ascend 910B）') when every
        part names an entity exactly: the one entity they all name, or refused when they name several — a
        fuzzy match of the whole would answer for a third. None when the query joins nothing or a part names
        no one entity exactly: the fuzzy search decides."""
        parts = [part for part in _JOINS.split(query) if part.strip()]
        if len(parts) < 2:
            return None
        named: dict[str, Match] = {}
        for part in parts:
            key = normalize(part)
            try:
                match = self._exact(part, key, kinds) or self._vendor_named(part, key, kinds) if key else None
            except AmbiguousNameError:  # a part naming several entries is not one name of the list
                return None
            if match is None:
                return None
            named.setdefault(match.id, match)
        if len(named) > 1:
            shown = [f"{self.entities[e].display} ({e})" for e in named]
            raise SeveralNamesError(
                f"'{query.strip()}' names more than one {what}: name one {what} at a time. It names {', '.join(shown)}.", shown
            )
        first = next(iter(named.values()))
        # The whole query is no alias as written, so a part matched as written is the query normalized.
        if first.method != "exact":
            return first
        return Match(first.id, first.kind, first.display, "normalized", first.alias, 100.0, first.note)

    def _sized(self, query: str, kinds: frozenset[str]) -> Match | None:
        """A memory size written beside a name ('A100 80GB', 'H20 96 GB'), which no alias carries as written: the
        one variant whose name carries the size and every other word, refused when several do; else the entity
        the other words name exactly, with a note that the size names no variant of it. Never a model number."""
        size, words = _memory_size(spaced(query).split())
        if size is None or not words:
            return None
        carrying: dict[str, str] = {}  # entity → its first alias carrying the size and every other word
        for entity, alias, written in self._sized_aliases():
            if self.entities[entity].kind in kinds and {*words, size} <= written:
                carrying.setdefault(entity, alias)
        carriers = sorted(carrying)
        shown = f"{size[:-2]} GB"
        if len(carriers) > 1:
            listed = [f"{self.entities[e].display} ({e})" for e in carriers]
            raise AmbiguousNameError(
                f"'{query.strip()}' names {len(carriers)} variants with {shown}: {', '.join(listed)}. "
                "Ask for one of them by its full name.",
                listed,
            )
        if carriers:
            return self._match(carriers[0], "normalized", carrying[carriers[0]], 100.0)
        rest = " ".join(words)
        key = normalize(rest)
        found = (self._exact(rest, key, kinds) or self._vendor_named(rest, key, kinds)) if key else None
        if found is None:
            return None
        note = f"'{shown}' names no variant of {found.display}: answered for it; its memory figures say what it reports."
        return Match(found.id, found.kind, found.display, "normalized", found.alias, 100.0, note)

    def _sized_aliases(self) -> list[tuple[str, str, frozenset[str]]]:
        """Each alias carrying a memory size: its entity, the alias and its words (the size one word: '80gb')."""
        if self._sized_words is None:
            found: list[tuple[str, str, frozenset[str]]] = []
            for entry in self._all_entries():
                size, words = _memory_size(spaced(entry.alias).split())
                if size is not None:
                    found.append((entry.entity, entry.alias, frozenset([*words, size])))
            self._sized_words = found
        return self._sized_words

    def _fuzzy(self, query: str, key: str, kinds: frozenset[str], what: str, suggest: bool = True) -> Match:
        from rapidfuzz import fuzz, process

        wanted = signature(query)
        scored: dict[str, tuple[float, AliasEntry]] = {}
        for alias_key, score, _ in process.extract(
            key, self._keys_by_signature.get(wanted, []), scorer=fuzz.ratio, limit=200, score_cutoff=50
        ):
            for entry in self.by_key[alias_key]:
                if self.entities[entry.entity].kind not in kinds or entry.signature != wanted:
                    continue
                if score > scored.get(entry.entity, (0.0, entry))[0]:
                    scored[entry.entity] = (score, entry)
        ranked = sorted(scored.items(), key=lambda item: (-item[1][0], item[0]))
        if ranked and ranked[0][1][0] >= FUZZY_ACCEPT:
            top_score, entry = ranked[0][1]
            close = [entity for entity, (score, _) in ranked[1:] if top_score - score < AMBIGUITY_MARGIN]
            if close:
                names = [entry.entity, *close]
                raise AmbiguousNameError(
                    f"'{query}' is equally close to "
                    + ", ".join(self.entities[e].display for e in names)
                    + ". Name one of them exactly.",
                    [f"{self.entities[e].display} ({e})" for e in names],
                )
            self._refuse_a_beginning(query, key, entry, kinds, what)
            return self._match(entry.entity, "fuzzy", entry.alias, top_score)
        closest = self.suggest(query, kinds) if suggest else []
        several = list(dict.fromkeys(model_numbers(query)))
        refusal: type[NotFoundError] = NotFoundError
        if len(several) > 1 and wanted not in self._keys_by_signature and all(n in self._keys_by_signature for n in several):
            # 'H20 and H200': each number names a product and none carries them together, so two names in one
            refusal = SeveralNamesError
            reason = (
                f"'{query.strip()}' names {len(several)} model numbers ({', '.join(several)}) that no one {what} "
                f"carries together: name one {what} at a time"
            )
        elif wanted and wanted not in self._keys_by_signature:  # no name at all carries this model number
            reason = f"No {what} with model number '{wanted}' is in the knowledge base"
        else:
            reason = f"No {what} matches '{query.strip()}'"
        if not closest:  # nothing to suggest: the caller adds how to find a name instead
            raise refusal(f"{reason}, and no known name is close to it.")
        listing = ", ".join(f"{c.display} ({c.id})" for c in closest)
        raise refusal(f"{reason}. Closest: {listing}.", [f"{c.display} ({c.id})" for c in closest])

    def _refuse_a_beginning(self, query: str, key: str, entry: AliasEntry, kinds: frozenset[str], what: str) -> None:
        """A query that is the beginning of the best alias ('Kunlun' of 'Kunlun I') and of other entities' names
        too is a family or brand word, not a misspelling of the one name it scored closest to: refused with
        the entities it begins (up to _BEGUN_LISTED of them)."""
        if not entry.key.startswith(key):
            return
        begun = self.extending(query, kinds)
        if len(begun) < 2:
            return
        shown = [f"{self.entities[e].display} ({e})" for e in begun[:_BEGUN_LISTED]]
        more = ", …" if len(begun) > _BEGUN_LISTED else ""
        raise AmbiguousNameError(
            f"'{query.strip()}' begins the names of {len(begun)} {what}s: {', '.join(shown)}{more}. Name one of them.", shown
        )

    def _match(self, entity_id: str, method: str, alias: str, score: float) -> Match:
        info = self.entities[entity_id]
        return Match(info.id, info.kind, info.display, method, alias, score)

    def _relatives(self, chip_id: str) -> tuple[str, ...]:
        """Chips of the same vendor whose model extends this one's ('910' → '910B', '910C')."""
        info = self.entities[chip_id]
        model = normalize(info.model or "")
        return tuple(
            sorted(
                other
                for other, other_model in self._models_by_vendor.get(info.vendor, [])
                if other != chip_id and model in other_model and other_model != model
            )
        )

    def _with_relatives(self, match: Match) -> Match:
        """A bare model that other models of the same vendor extend ('910' → 910B, 910C) gets them as
        alternatives and a note, so the answer never hides that the user may have meant another one."""
        info = self.entities[match.id]
        if info.kind != "chip" or not info.model:
            return match
        relatives = self._relatives_of(info.id)
        if not relatives:
            return match
        shown = ", ".join(self.entities[r].display for r in relatives)
        # 'contain', not 'share': H200 and GH200 contain H20's number without being an H20
        note = (
            f"Answered for {info.display} exactly; {shown} are separate chips whose model numbers contain {info.model} "
            "— ask for them by name."
        )
        return Match(
            match.id,
            match.kind,
            match.display,
            match.method,
            match.alias,
            match.score,
            note,
            [self._candidate(r, 0.0) for r in relatives],
        )


def _memory_size(words: list[str]) -> tuple[str | None, list[str]]:
    """The one memory size among a name's words ('80gb', '80g', '80 gb' → '80gb') and the other words; no size
    (None) when there is none or more than one."""
    sizes: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(words):
        word, following = words[index], words[index + 1] if index + 1 < len(words) else ""
        if word.isdigit() and following in _SIZE_UNITS:
            sizes.append(word + "gb")
            index += 2
            continue
        written = _SIZE_WORD.fullmatch(word)
        if written:
            sizes.append(written.group(1) + "gb")
        else:
            rest.append(word)
        index += 1
    return (sizes[0], rest) if len(sizes) == 1 else (None, words)


_SIZE_UNITS = ("g", "gb", "gib")
_SIZE_WORD = re.compile(r"(\d+)(?:g|gb|gib)")


_FORM_RANK = {"name_zh": 0, "name_en": 1, "model": 2, "alias": 3, "name_zh_hant": 4, "full_name_zh": 5, "stock_code": 6, "pinyin": 7}
