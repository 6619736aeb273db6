"""`chipmcp kb verify --reports DIR`: every printed token must occur in the report it cites."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .kb import KnowledgeBase

_SPACE = re.compile(r"\s+")


def _loose(text: str) -> str:
    """Report text as extracted from PDFs wraps and spaces freely: compare without whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFC", text))


@dataclass
class Verification:
    checked: int = 0
    misses: list[str] = field(default_factory=list)
    loose_matches: int = 0
    unchecked: Counter[str] = field(default_factory=Counter)  # tokens of sources with no report file, per source
    per_source: Counter[str] = field(default_factory=Counter)
    per_kind: Counter[str] = field(default_factory=Counter)
    per_metric_kind: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.misses


def verify(kb: KnowledgeBase, reports: Path) -> Verification:
    texts: dict[str, tuple[str, str]] = {}
    result = Verification()
    for source in kb.sources.values():
        if not source["file"]:  # a regulation cited by its official citation: nothing here to read
            continue
        path = reports / source["file"]
        if not path.is_file():
            result.misses.append(f"source {source['id']}: report file {path} not found")
            continue
        text = path.read_text(encoding="utf-8")
        texts[source["id"]] = (text, _loose(text))

    def check(token: str, source: str, what: str) -> None:
        if not kb.sources[source]["file"]:
            result.unchecked[source] += 1
            return
        result.checked += 1
        if source not in texts:
            return
        exact, loose = texts[source]
        if token in exact:
            return
        if _loose(token) in loose:
            result.loose_matches += 1
            return
        result.misses.append(f"{what}: printed {token!r} not found in {source}")

    for row in kb.all_figures():
        check(row["printed"], row["source"], f"{row['origin']} ({row['entity']} {row['metric']})")
        result.per_source[row["source"]] += 1
        result.per_kind[row["entity_kind"]] += 1
    for part in kb.all_parts():
        check(part["printed"], part["source"], f"system {part['system']} part {part['chip']}")
    for cert in kb.certifications():
        check(cert["printed"], cert["source"], f"{cert['origin']} certification {cert['product']}")
    for ann in kb.announcements.values():
        check(ann["printed"], ann["source"], f"{ann['origin']} announcement {ann['id']}")
    for rule in kb.control_classes:
        for clause in rule["clauses"]:
            for condition in clause:
                check(condition["printed"], rule["source"], f"{rule['origin']} control_class {rule['id']}")
    for entity in kb.entities.values():
        result.per_metric_kind[entity["entity_kind"]] += 1
    return result


def report(result: Verification) -> str:
    lines = [f"checked {result.checked} printed tokens: {len(result.misses)} missing"
             + (f", {result.loose_matches} found only across line breaks/spaces" if result.loose_matches else "")]
    lines.append("figures per source: " + ", ".join(f"{k} {v}" for k, v in sorted(result.per_source.items())))
    lines.append("figures per entity kind: " + ", ".join(f"{k} {v}" for k, v in sorted(result.per_kind.items())))
    lines.append("entities per kind: " + ", ".join(f"{k} {v}" for k, v in sorted(result.per_metric_kind.items())))
    lines += [f"not checked: {n} token(s) of {source}, which has no report file to check them against"
              for source, n in sorted(result.unchecked.items())]
    lines += [f"MISSING {m}" for m in result.misses]
    return "\n".join(lines)
