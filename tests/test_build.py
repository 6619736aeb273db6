"""`chipmcp build`: deterministic output, and every kind of broken knowledge rejected with where and why."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chipmcp import build
from chipmcp.errors import KnowledgeError
from chipmcp.kb import knowledge_dir

VALID = {
    "sources.toml": """
[[source]]
id = "rep-1"
publisher = "某证券"
publisher_en = "Some Securities"
title = "a report"
kind = "broker report"
date = "2025-06"
language = "zh-Hans"
file = "rep1.txt"
""",
    "metrics.toml": """
[[metric]]
id = "compute"
dimension = "compute"
label_en = "peak compute"
label_zh = "算力"
about = "peak"

[[metric]]
id = "revenue"
dimension = "money"
label_en = "revenue"
label_zh = "营收"
about = "revenue"
""",
    "catalog/entities.toml": """
[[vendor]]
id = "acme"
name_zh = "艾克米"
name_en = "Acme"
kind = "chip-designer"
country = "CN"

[[chip]]
id = "acme-x100"
vendor = "acme"
name_zh = "艾克米X100"
name_en = "Acme X100"
model = "X100"
kind = "GPU"
""",
    "figures/rep-1.toml": """
[[figures]]
source = "rep-1"
locator = "表1"
rows = [
  { entity = "acme-x100", metric = "compute", precision = "fp16", value = 100, unit = "TFLOPS", printed = "100T" },
  { entity = "acme", metric = "revenue", period = "2024", low = 1.5, high = 2.0, unit = "亿元", printed = "1.5-2.0亿元" },
]
""",
}


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def test_the_fixture_knowledge_is_valid(tmp_path: Path) -> None:
    counts = build.check(write(tmp_path / "knowledge", VALID))
    assert counts["figures"] == 2 and counts["entities"] == 2


def test_the_real_knowledge_builds_the_same_tables_twice(tmp_path: Path) -> None:
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    build.build(knowledge_dir(), first)
    build.build(knowledge_dir(), second)
    dump = lambda path: list(sqlite3.connect(path).iterdump())  # noqa: E731
    assert dump(first) == dump(second)


BROKEN = [
    ("missing source", "figures/rep-1.toml", 'source = "rep-1"', 'source = "rep-9"', "unknown source 'rep-9'"),
    ("bad unit", "figures/rep-1.toml", 'unit = "TFLOPS"', 'unit = "TFLOP/s"', "unknown unit 'TFLOP/s'"),
    ("unit of the wrong dimension", "figures/rep-1.toml", 'unit = "TFLOPS"', 'unit = "GB"', "not a compute unit"),
    ("duplicate id", "catalog/entities.toml", 'id = "acme-x100"', 'id = "acme"', "duplicate id"),
    ("alias collision", "catalog/entities.toml", 'kind = "GPU"', 'kind = "GPU"\naliases = ["Acme"]',
     "alias 'Acme' also names"),
    ("range low above high", "figures/rep-1.toml", "low = 1.5, high = 2.0", "low = 2.5, high = 2.0",
     "range low 2.5 is above high 2.0"),
    ("unknown vendor", "catalog/entities.toml", 'vendor = "acme"', 'vendor = "acne"', "vendor 'acne' is not defined"),
    ("bad date", "sources.toml", 'date = "2025-06"', 'date = "June 2025"', "must be YYYY"),
    ("bad period", "figures/rep-1.toml", 'period = "2024"', 'period = "last year"', "period 'last year'"),
    ("missing printed token", "figures/rep-1.toml", ', printed = "100T"', "", "printed"),
    ("unknown metric", "figures/rep-1.toml", 'metric = "compute"', 'metric = "speed"', "unknown metric 'speed'"),
    ("unknown precision", "figures/rep-1.toml", 'precision = "fp16"', 'precision = "fp12"', "unknown precision"),
    ("unknown entity", "figures/rep-1.toml", 'entity = "acme-x100"', 'entity = "acme-x200"', "unknown entity"),
    ("value and range together", "figures/rep-1.toml", "low = 1.5,", "value = 3, low = 1.5,", "exactly one of"),
    ("number without unit", "figures/rep-1.toml", ', unit = "TFLOPS"', "", "needs a `unit`"),
    ("bad identifier", "catalog/entities.toml", 'id = "acme-x100"', 'id = "Acme X100"', "should match pattern"),
    ("unknown field", "catalog/entities.toml", 'kind = "GPU"', 'kind = "GPU"\ncolour = "red"', "colour"),
    ("not TOML", "catalog/entities.toml", "[[chip]]", "[[chip]", "not valid TOML"),
]


@pytest.mark.parametrize(("what", "file", "old", "new", "reason"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_knowledge_is_rejected_with_file_line_and_reason(
        tmp_path: Path, what: str, file: str, old: str, new: str, reason: str) -> None:
    files = dict(VALID)
    assert old in files[file], what
    files[file] = files[file].replace(old, new, 1)
    with pytest.raises(KnowledgeError) as error:
        build.check(write(tmp_path / "knowledge", files))
    message = str(error.value)
    assert reason in message
    assert f"knowledge/{file}" in message
    line = next(p for p in error.value.problems if reason in p).split(":")[1]
    assert line.isdigit() or "TOML" in message, message
