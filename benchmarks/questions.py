"""Fresh questions for the benchmarks: for each tool, a stream of arguments no earlier call of the run asked.

A fresh question is one the answer cache has not seen AND whose entities are asked in a new combination
(another chip, another count, another threshold), as an analyst's next question would be — not the same
question with a space added. Each tool's stream walks the knowledge base in a fixed order (the run is
repeatable) and never repeats an argument set; `repeated(tool)` is the tool's README example, asked again
and again, which the answer cache serves.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

from chipmcp.kb.store import KnowledgeBase
from chipmcp.tools import BY_NAME

Call = tuple[str, dict[str, Any]]


def _names(kb: KnowledgeBase, kinds: tuple[str, ...], with_figures: bool = True) -> list[str]:
    """Names of entities of `kinds` in id order: every Chinese name first (as users type them most), then
    every English one, the ids, the English in lower and upper case — another spelling is a new question to
    the answer cache, though not to the entity."""
    entities = [e for i, e in sorted(kb.entities.items()) if e["entity_kind"] in kinds and (not with_figures or kb.figures(i))]
    spellings = [
        [e["name_zh"] or e["name_en"] for e in entities],
        [e["name_en"] for e in entities],
        [e["id"] for e in entities],
        [e["name_en"].lower() for e in entities],
        [e["name_en"].upper() for e in entities],
    ]
    return list(dict.fromkeys(name for names in spellings for name in names if name))


def fresh(kb: KnowledgeBase, tool: str) -> Iterator[dict[str, Any]]:
    """Endless distinct argument sets for `tool` (distinct within one run: a counter enters each)."""
    chips = _names(kb, ("chip",))
    chips_and_systems = _names(kb, ("chip", "system"))
    vendors = _names(kb, ("vendor",))
    topics = _names(kb, ("market", "workload"))
    every_chip = _names(kb, ("chip",), with_figures=False) + _names(kb, ("vendor",), with_figures=False)
    for n in itertools.count():

        def lap(names: list[str], n: int = n) -> int:  # after each pass over the names, another parameter changes
            return n // max(len(names), 1)

        match tool:
            case "lookup_chip":
                yield {"name": chips_and_systems[n % len(chips_and_systems)], "limit": 40 - lap(chips_and_systems) % 20}
            case "compare_chips":
                yield {
                    "names": [chips[n % len(chips)], chips[(n * 7 + 1) % len(chips)], chips[(n * 13 + 2) % len(chips)]]
                    if lap(chips) % 2 == 0
                    else [chips[(n * 3 + k) % len(chips)] for k in range(2 + n % 6)]
                }
            case "estimate_cluster":
                yield {"chip": chips_and_systems[n % len(chips_and_systems)], "count": 8 * (n + 1)}
            case "xinchuang_certified":
                yield {"name": every_chip[n % len(every_chip)], "detail": ("summary", "full")[lap(every_chip) % 2]}
            case "vendor_financials":
                yield {"vendor": vendors[n % len(vendors)], "limit": 40 - lap(vendors) % 30}
            case "find_chips":
                metric = ("memory_gb", "compute_tflops", "tdp_w", "memory_bandwidth_gbs")[n % 4]
                yield {
                    "where": [{"metric": metric, "op": ">=", "value": 1 + n}],
                    "sort_by": metric,
                    "domestic": (None, True, False)[n % 3],
                }
            case "industry_figures":
                yield {"topic": topics[n % len(topics)], "limit": 40 - lap(topics) % 30}
            case "export_control_check":
                yield {"chip": chips_and_systems[n % len(chips_and_systems)]}
            case _:
                raise KeyError(tool)


def usable(kb: KnowledgeBase, tool: str, count: int) -> list[dict[str, Any]]:
    """The first `count` fresh argument sets that the tool answers (a refusal is a different path: skipped), or
    all there are when the knowledge holds fewer (export_control_check takes only a name)."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    stale = 0  # a tool that takes only a name runs out of new questions: stop when none come any more
    for arguments in fresh(kb, tool):
        key = json.dumps(arguments, sort_keys=True, ensure_ascii=False)
        if key in seen:
            stale += 1
            if stale > 2_000:
                return out
            continue
        stale = 0
        seen.add(key)
        try:
            BY_NAME[tool].call(kb, **arguments)
        except Exception:  # a question the knowledge cannot answer is not a timing sample
            continue
        out.append(arguments)
        if len(out) == count:
            return out
    return out


def repeated(tool: str) -> dict[str, Any]:
    return dict(BY_NAME[tool].example)
