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


def _conflicts_of(tmp_path: Path, extra_rows: str) -> dict[str, list[str]]:
    """Build VALID plus `extra_rows` in one more block; map each printed token to the tokens it conflicts with."""
    files = dict(VALID)
    files["figures/rep-1b.toml"] = f'[[figures]]\nsource = "rep-1"\nlocator = "表2"\nentity = "acme-x100"\nrows = [\n{extra_rows}]\n'
    files["metrics.toml"] += """
[[metric]]
id = "memory_capacity"
dimension = "bytes"
label_en = "memory"
label_zh = "显存"
about = "memory"

[[metric]]
id = "use_case"
dimension = "text"
label_en = "use"
label_zh = "用途"
about = "use"
descriptive = true
"""
    db = tmp_path / "kb.db"
    build.build(write(tmp_path / "knowledge", files), db)
    rows = sqlite3.connect(db).execute("SELECT id, printed, conflicts_with FROM figures").fetchall()
    printed = {fid: token for fid, token, _ in rows}
    return {token: sorted(printed[int(i)] for i in rivals.split(",")) if rivals else [] for _, token, rivals in rows}


def test_two_configurations_agree_with_either_and_disagree_with_a_third(tmp_path: Path) -> None:
    found = _conflicts_of(tmp_path, """
  { metric = "memory_capacity", low = 40, high = 80, unit = "GB", alternatives = true, printed = "40GB/80GB" },
  { metric = "memory_capacity", value = 80, unit = "GB", printed = "80GB" },
  { metric = "memory_capacity", value = 64, unit = "GB", printed = "64GB" },
""")
    assert found["40GB/80GB"] == ["64GB"]
    assert found["80GB"] == ["64GB"]


def test_vector_and_tensor_compute_are_separate_claims(tmp_path: Path) -> None:
    found = _conflicts_of(tmp_path, """
  { metric = "compute", precision = "fp16", engine = "vector", value = 25, unit = "TFLOPS", printed = "25T" },
  { metric = "compute", precision = "fp16", engine = "tensor", value = 100, unit = "TFLOPS", printed = "Tensor 100T" },
  { metric = "compute", precision = "fp16", value = 90, unit = "TFLOPS", printed = "90T" },
""")
    # '100T' (VALID's row) and '90T' state no engine, so they may be either and are compared with both.
    assert found["25T"] == ["100T", "90T"]
    assert found["Tensor 100T"] == ["90T"]


def test_descriptions_in_other_words_do_not_conflict(tmp_path: Path) -> None:
    found = _conflicts_of(tmp_path, """
  { metric = "use_case", text = "training", printed = "训练" },
  { metric = "use_case", text = "training and inference", printed = "训练+推理" },
""")
    assert found == {**found, "训练": [], "训练+推理": []}


def test_alternatives_need_two_configurations(tmp_path: Path) -> None:
    files = dict(VALID)
    files["figures/rep-1.toml"] = files["figures/rep-1.toml"].replace('value = 100,', 'value = 100, alternatives = true,')
    with pytest.raises(KnowledgeError, match="alternatives"):
        build.check(write(tmp_path / "knowledge", files))


def test_a_metric_defined_twice_is_rejected(tmp_path: Path) -> None:
    files = dict(VALID)
    first_metric = files["metrics.toml"].split("[[metric]]")[1]
    files["catalog/more.toml"] = "[[metric]]" + first_metric
    with pytest.raises(KnowledgeError, match="metric compute: duplicate id"):
        build.check(write(tmp_path / "knowledge", files))


def test_bounds_are_intervals_and_currencies_are_not_compared(tmp_path: Path) -> None:
    found = _conflicts_of(tmp_path, """
  { metric = "compute", precision = "fp16", bound = "over", value = 90, unit = "TFLOPS", printed = "超90T" },
  { metric = "compute", precision = "fp16", bound = "approx", value = 97, unit = "TFLOPS", printed = "约97T" },
  { metric = "compute", precision = "fp16", bound = "under", value = 95, unit = "TFLOPS", printed = "不到95T" },
  { entity = "acme", metric = "revenue", period = "2024", value = 9, unit = "亿港元", printed = "9亿港元" },
  { entity = "acme", metric = "revenue", period = "2024", value = 3, unit = "亿元", printed = "3亿元" },
""")
    assert found["超90T"] == []  # VALID's 100T is over 90
    assert found["约97T"] == []  # 100 is within 5% of 97
    assert found["不到95T"] == ["100T"]  # but not under 95; 超90 and 约97 may be
    assert found["9亿港元"] == []  # another currency: no exchange rate in the build, so no comparison
    assert found["3亿元"] == ["1.5-2.0亿元"]


def test_figures_linked_by_disagreements_form_one_conflict_group(tmp_path: Path) -> None:
    """100T ≠ 90T ≠ 约97T while 100T agrees with 约97T: one conflict for the reader, not two overlapping ones."""
    _conflicts_of(tmp_path, """
  { metric = "compute", precision = "fp16", value = 90, unit = "TFLOPS", printed = "90T" },
  { metric = "compute", precision = "fp16", bound = "approx", value = 97, unit = "TFLOPS", printed = "约97T" },
""")
    rows = sqlite3.connect(tmp_path / "kb.db").execute(
        "SELECT printed, conflict_group, preferred FROM figures WHERE metric = 'compute'").fetchall()
    groups = {printed: group for printed, group, _ in rows}
    assert groups["100T"] == groups["90T"] == groups["约97T"] is not None
