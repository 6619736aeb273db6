"""`chipmcp build`: deterministic output, and every kind of broken knowledge rejected with where and why."""

from __future__ import annotations

import sqlite3
import tomllib
from pathlib import Path

import pytest
import sqlite_utils

from chipmcp.errors import KnowledgeError
from chipmcp.kb import build
from chipmcp.kb.store import KnowledgeBase, knowledge_dir

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


def test_the_real_knowledge_builds_the_same_tables_twice(tmp_path: Path, db_path: Path) -> None:
    # db_path is the session's build of the same knowledge by the same builder source (conftest: built in this
    # session, or by an earlier one and kept under its fingerprint): this build must dump to the same tables.
    again = tmp_path / "again.db"
    build.build(knowledge_dir(), again)
    dump = lambda path: list(sqlite3.connect(path).iterdump())  # noqa: E731
    assert dump(db_path) == dump(again)


BROKEN = [
    ("missing source", "figures/rep-1.toml", 'source = "rep-1"', 'source = "rep-9"', "unknown source 'rep-9'"),
    ("bad unit", "figures/rep-1.toml", 'unit = "TFLOPS"', 'unit = "TFLOP/s"', "unknown unit 'TFLOP/s'"),
    ("unit of the wrong dimension", "figures/rep-1.toml", 'unit = "TFLOPS"', 'unit = "GB"', "not a compute unit"),
    ("duplicate id", "catalog/entities.toml", 'id = "acme-x100"', 'id = "acme"', "duplicate id"),
    ("alias collision", "catalog/entities.toml", 'kind = "GPU"', 'kind = "GPU"\naliases = ["Acme"]', "alias 'Acme' also names"),
    ("range low above high", "figures/rep-1.toml", "low = 1.5, high = 2.0", "low = 2.5, high = 2.0", "range low 2.5 is above high 2.0"),
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
    (
        "forecast dated by as_of",
        "figures/rep-1.toml",
        'period = "2024",',
        'period = "2024", basis = "forecast", as_of = "2025-01-15",',
        "record the day it was announced",
    ),
]


@pytest.mark.parametrize(("what", "file", "old", "new", "reason"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_knowledge_is_rejected_with_file_line_and_reason(
    tmp_path: Path, what: str, file: str, old: str, new: str, reason: str
) -> None:
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


# TOML 1.1 (a trailing comma or a line break in an inline table, \\e, a time without seconds) is refused, with
# the message Python's own tomllib gives: the build reads TOML 1.0 as every other reader of knowledge/ does.
NOT_TOML_1_0 = [
    'rows = [{ metric = "compute", value = 1.0, unit = "TFLOPS", printed = "1T", }]',
    'rows = [{ metric = "compute", value = 1.0,\n unit = "TFLOPS", printed = "1T" }]',
    'rows = [{ metric = "compute", text = "\\e", printed = "1T" }]',
    "as_of = 07:32",
    "rows = [",
]


@pytest.mark.parametrize("line", NOT_TOML_1_0)
def test_a_knowledge_file_is_read_as_toml_1_0_with_the_standard_librarys_message(tmp_path: Path, line: str) -> None:
    files = dict(VALID)
    files["figures/rep-2.toml"] = f'[[figures]]\nsource = "rep-1"\nlocator = "表9"\nentity = "acme-x100"\n{line}\n'
    with pytest.raises(tomllib.TOMLDecodeError) as expected:
        tomllib.loads(files["figures/rep-2.toml"])
    with pytest.raises(KnowledgeError) as error:
        build.check(write(tmp_path / "knowledge", files))
    assert error.value.problems == [f"knowledge/figures/rep-2.toml: not valid TOML: {expected.value}"]


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
    found = _conflicts_of(
        tmp_path,
        """
  { metric = "memory_capacity", low = 40, high = 80, unit = "GB", alternatives = true, printed = "40GB/80GB" },
  { metric = "memory_capacity", value = 80, unit = "GB", printed = "80GB" },
  { metric = "memory_capacity", value = 64, unit = "GB", printed = "64GB" },
""",
    )
    assert found["40GB/80GB"] == ["64GB"]
    assert found["80GB"] == ["64GB"]


def test_vector_and_tensor_compute_are_separate_claims(tmp_path: Path) -> None:
    found = _conflicts_of(
        tmp_path,
        """
  { metric = "compute", precision = "fp16", engine = "vector", value = 25, unit = "TFLOPS", printed = "25T" },
  { metric = "compute", precision = "fp16", engine = "tensor", value = 100, unit = "TFLOPS", printed = "Tensor 100T" },
  { metric = "compute", precision = "fp16", value = 90, unit = "TFLOPS", printed = "90T" },
""",
    )
    # '100T' (VALID's row) and '90T' state no engine: a chip's headline compute is its matrix figure, so they
    # are compared with the tensor one, never with the vector one (A100: 312 is no rival of its 77.97 vector FP16).
    assert found["25T"] == []
    assert found["Tensor 100T"] == ["90T"]


def test_descriptions_in_other_words_do_not_conflict(tmp_path: Path) -> None:
    found = _conflicts_of(
        tmp_path,
        """
  { metric = "use_case", text = "training", printed = "训练" },
  { metric = "use_case", text = "training and inference", printed = "训练+推理" },
""",
    )
    assert found == {**found, "训练": [], "训练+推理": []}


def test_alternatives_need_two_configurations(tmp_path: Path) -> None:
    files = dict(VALID)
    files["figures/rep-1.toml"] = files["figures/rep-1.toml"].replace("value = 100,", "value = 100, alternatives = true,")
    with pytest.raises(KnowledgeError, match="alternatives"):
        build.check(write(tmp_path / "knowledge", files))


def test_a_metric_defined_twice_is_rejected(tmp_path: Path) -> None:
    files = dict(VALID)
    first_metric = files["metrics.toml"].split("[[metric]]")[1]
    files["catalog/more.toml"] = "[[metric]]" + first_metric
    with pytest.raises(KnowledgeError, match="metric compute: duplicate id"):
        build.check(write(tmp_path / "knowledge", files))


def test_bounds_are_intervals_and_currencies_are_not_compared(tmp_path: Path) -> None:
    found = _conflicts_of(
        tmp_path,
        """
  { metric = "compute", precision = "fp16", bound = "over", value = 90, unit = "TFLOPS", printed = "超90T" },
  { metric = "compute", precision = "fp16", bound = "approx", value = 97, unit = "TFLOPS", printed = "约97T" },
  { metric = "compute", precision = "fp16", bound = "under", value = 95, unit = "TFLOPS", printed = "不到95T" },
  { entity = "acme", metric = "revenue", period = "2024", value = 9, unit = "亿港元", printed = "9亿港元" },
  { entity = "acme", metric = "revenue", period = "2024", value = 3, unit = "亿元", printed = "3亿元" },
""",
    )
    assert found["超90T"] == []  # VALID's 100T is over 90
    assert found["约97T"] == []  # 100 is within 5% of 97
    assert found["不到95T"] == ["100T"]  # but not under 95; 超90 and 约97 may be
    assert found["9亿港元"] == []  # another currency: no exchange rate in the build, so no comparison
    assert found["3亿元"] == ["1.5-2.0亿元"]


def test_figures_linked_by_disagreements_form_one_conflict_group(tmp_path: Path) -> None:
    """100T ≠ 90T ≠ 约97T while 100T agrees with 约97T: one conflict for the reader, not two overlapping ones."""
    _conflicts_of(
        tmp_path,
        """
  { metric = "compute", precision = "fp16", value = 90, unit = "TFLOPS", printed = "90T" },
  { metric = "compute", precision = "fp16", bound = "approx", value = 97, unit = "TFLOPS", printed = "约97T" },
""",
    )
    rows = (
        sqlite3.connect(tmp_path / "kb.db")
        .execute("SELECT printed, conflict_group, preferred FROM figures WHERE metric = 'compute'")
        .fetchall()
    )
    groups = {printed: group for printed, group, _ in rows}
    assert groups["100T"] == groups["90T"] == groups["约97T"] is not None


def _preferred_because(tmp_path: Path, extra_rows: str, files: dict[str, str] | None = None) -> dict[str, str | None]:
    """Build VALID (100T on rep-1) plus `extra_rows` on rep-1 (or as `files` say); each compute token → why it is
    preferred (only the figures preferred in a disagreement have a reason)."""
    knowledge = dict(VALID) | (files or {})
    if extra_rows:
        knowledge["figures/rep-1b.toml"] = (
            f'[[figures]]\nsource = "rep-1"\nlocator = "表2"\nentity = "acme-x100"\nrows = [\n{extra_rows}]\n'
        )
    build.build(write(tmp_path / "knowledge", knowledge), tmp_path / "kb.db")
    query = "SELECT printed, preferred_because FROM figures WHERE metric = 'compute'"
    return dict(sqlite3.connect(tmp_path / "kb.db").execute(query).fetchall())


FP16_90T = '  { metric = "compute", precision = "fp16", value = 90, unit = "TFLOPS", printed = "90T"%s },\n'


@pytest.mark.parametrize(
    ("marks", "reasons"),
    [
        ("", {"100T": "order", "90T": None}),  # one report, one date: only the order of the files separates them
        (', prefer = true, note = "the newer table"', {"100T": None, "90T": "curated"}),
        (', suspect = true, note = "a slip"', {"100T": "suspect", "90T": None}),
    ],
)
def test_a_preferred_figure_records_the_rule_that_chose_it(tmp_path: Path, marks: str, reasons: dict[str, str | None]) -> None:
    assert _preferred_because(tmp_path, FP16_90T % marks) == reasons


def test_a_figure_of_a_newer_source_is_preferred_as_the_newer(tmp_path: Path) -> None:
    newer = VALID["sources.toml"].replace('"rep-1"', '"rep-2"').replace("2025-06", "2025-09").replace("rep1.txt", "rep2.txt")
    files = {
        "sources.toml": VALID["sources.toml"] + newer,
        "figures/rep-2.toml": f'[[figures]]\nsource = "rep-2"\nlocator = "表1"\nentity = "acme-x100"\nrows = [\n{FP16_90T % ""}]\n',
    }
    assert _preferred_because(tmp_path, "", files) == {"100T": None, "90T": "newer"}


def test_figures_agreeing_with_the_preferred_one_share_its_reason(tmp_path: Path) -> None:
    rows = FP16_90T % "" + '  { metric = "compute", precision = "fp16", value = 100, unit = "TFLOPS", printed = "100 TFLOPS" },\n'
    assert _preferred_because(tmp_path, rows) == {"100T": "order", "90T": None, "100 TFLOPS": "order"}


CAPEX_METRIC = """
[[metric]]
id = "capex"
dimension = "money"
label_en = "capex"
label_zh = "资本开支"
about = "capex"
measures = ["total", "operating"]
"""


def _capex_fixture(rows: str) -> dict[str, str]:
    files = dict(VALID)
    files["metrics.toml"] += CAPEX_METRIC
    files["figures/rep-2.toml"] = (
        f'[[figures]]\nsource = "rep-1"\nlocator = "表3"\nentity = "acme"\nperiod = "2025Q1"\nrows = [\n{rows}]\n'
    )
    return files


def test_figures_of_different_measures_are_separate_claims_and_notes_never_separate_them(tmp_path: Path) -> None:
    files = _capex_fixture("""
  { metric = "capex", value = 275, unit = "亿元", printed = "275亿元" },
  { metric = "capex", measure = "total", value = 27.5, unit = "亿元", printed = "27.5", note = "a curator's warning" },
  { metric = "capex", measure = "operating", value = 264, unit = "亿元", printed = "264亿元", note = "only operating" },
""")
    db = tmp_path / "kb.db"
    build.build(write(tmp_path / "knowledge", files), db)
    rows = dict(sqlite3.connect(db).execute("SELECT printed, conflicts_with FROM figures WHERE metric = 'capex'"))
    # 275 states no measure, so it measures the metric's first ('total') and meets 27.5 whatever the notes say.
    assert rows["275亿元"] and rows["27.5"] and not rows["264亿元"]


def test_a_measure_outside_the_metric_vocabulary_is_rejected_with_file_and_line(tmp_path: Path) -> None:
    files = _capex_fixture('  { metric = "capex", measure = "maintenance", value = 5, unit = "亿元", printed = "5亿元" },\n')
    with pytest.raises(KnowledgeError) as error:
        build.check(write(tmp_path / "knowledge", files))
    assert any(
        p.startswith("knowledge/figures/rep-2.toml:7:") and "measure 'maintenance'" in p and "total, operating" in p
        for p in error.value.problems
    ), error.value.problems


def test_a_figure_both_preferred_and_suspect_is_rejected_with_file_and_line(tmp_path: Path) -> None:
    files = _capex_fixture('  { metric = "capex", value = 5, unit = "亿元", printed = "5亿元", prefer = true, suspect = true },\n')
    with pytest.raises(KnowledgeError) as error:
        build.check(write(tmp_path / "knowledge", files))
    assert any(p.startswith("knowledge/figures/rep-2.toml:7:") and "both `prefer` and `suspect`" in p for p in error.value.problems), (
        error.value.problems
    )


def test_a_power_of_ten_apart_that_is_not_a_recorded_conflict_fails_the_build_with_file_and_line(tmp_path: Path) -> None:
    # '超26.4' and 264 agree as intervals, so they are no conflict: the ×10 would pass silently.
    files = _capex_fixture("""
  { metric = "capex", value = 264, unit = "亿元", printed = "264亿元" },
  { metric = "capex", value = 26.4, bound = "over", unit = "亿元", printed = "超26.4" },
""")
    with pytest.raises(KnowledgeError) as error:
        build.check(write(tmp_path / "knowledge", files))
    assert any(
        p.startswith("knowledge/figures/rep-2.toml:9:") and "10^-1 times '264亿元'" in p and "rep-2.toml:8)" in p
        for p in error.value.problems
    ), error.value.problems
    explained = files["figures/rep-2.toml"].replace(
        'printed = "超26.4" }', 'printed = "超26.4", suspect = true, note = "table in 十亿" }'
    )
    build.check(write(tmp_path / "knowledge", {**files, "figures/rep-2.toml": explained}))


@pytest.mark.parametrize(
    ("coarse", "fine", "agree"),
    [
        ('value = 91, unit = "%", printed = "同比增长91%"', 'value = 90.97, unit = "%", printed = "90.97%"', True),
        ('value = -25, unit = "%", printed = "-25%"', 'value = -24.86, unit = "%", printed = "-24.86%"', True),
        ('value = -24, unit = "%", printed = "-24%"', 'value = -24.86, unit = "%", printed = "-24.86%"', False),
        ('value = 1, unit = "PFLOPS", printed = "1P"', 'value = 672, unit = "TFLOPS", printed = "672"', False),
        ('value = 15.00, unit = "亿元", printed = "15.00"', 'value = 15.3, unit = "亿元", printed = "15.3亿元"', False),
    ],
)
def test_rounding_within_the_printed_precision_is_agreement(tmp_path: Path, coarse: str, fine: str, agree: bool) -> None:
    files = dict(VALID)
    files["metrics.toml"] += CAPEX_METRIC
    metric = "compute" if "FLOPS" in coarse else "capex"
    extra = 'precision = "fp8", ' if metric == "compute" else ""
    files["figures/rep-2.toml"] = (
        f'[[figures]]\nsource = "rep-1"\nlocator = "表3"\nentity = "acme-x100"\nrows = [\n'
        f'  {{ metric = "{metric}", {extra}{coarse} }},\n  {{ metric = "{metric}", {extra}{fine} }},\n]\n'
    )
    files["figures/rep-2.toml"] = files["figures/rep-2.toml"].replace('unit = "%"', 'unit = "亿元"')
    db = tmp_path / "kb.db"
    build.build(write(tmp_path / "knowledge", files), db)
    rivals = [r for (r,) in sqlite3.connect(db).execute("SELECT conflicts_with FROM figures WHERE locator = '表3'")]
    assert (rivals == ["", ""]) is agree, rivals


def test_a_figure_of_unstated_precision_never_corroborates_and_is_a_possible_conflict_when_nothing_matches(tmp_path: Path) -> None:
    files = dict(VALID)
    files["figures/rep-2.toml"] = """[[figures]]
source = "rep-1"
locator = "表3"
entity = "acme-x100"
rows = [
  { metric = "compute", value = 100, unit = "TFLOPS", printed = "100" },
  { metric = "compute", value = 672, unit = "TFLOPS", printed = "672" },
  { metric = "compute", precision = "fp16", value = 110, unit = "TFLOPS", printed = "110T", prefer = true },
]
"""
    db = tmp_path / "kb.db"
    build.build(write(tmp_path / "knowledge", files), db)
    rows = {
        p: (k, c, pref)
        for p, k, c, pref in sqlite3.connect(db).execute(
            "SELECT printed, conflict_kind, conflicts_with, preferred FROM figures WHERE metric = 'compute'"
        )
    }
    # 100 and 672 (no precision, where the chip states it elsewhere) may be of different precisions: they are
    # never set against each other. 100 agrees with the stated 100T (without corroborating it); 672 agrees with
    # no stated figure, so it is a possible disagreement. The fp16 claim 100T vs 110T is decided without them.
    assert rows["100T"][0] == rows["110T"][0] == "disagreement" and rows["100T"][2] == 0
    assert rows["100"][0] is None and rows["672"][0] == "possible"
    only_unknown = files["figures/rep-2.toml"].replace('  { metric = "compute", value = 100, unit = "TFLOPS", printed = "100" },\n', "")
    build.build(write(tmp_path / "knowledge", {**files, "figures/rep-2.toml": only_unknown}), db)
    rows = {
        p: (k, c, pref)
        for p, k, c, pref in sqlite3.connect(db).execute(
            "SELECT printed, conflict_kind, conflicts_with, preferred FROM figures WHERE metric = 'compute'"
        )
    }
    assert rows["672"][0] == "possible" and rows["672"][2] == 0 and len(rows["672"][1].split(",")) == 2
    assert rows["100T"][0] == "disagreement" and rows["110T"][2] == 1


def test_claims_at_different_dates_are_one_history_not_a_conflict(tmp_path: Path) -> None:
    files = dict(VALID)
    files["metrics.toml"] += '\n[[metric]]\nid = "price"\ndimension = "money"\nlabel_en = "price"\nlabel_zh = "价格"\nabout = "p"\n'
    files["figures/rep-2.toml"] = """[[figures]]
source = "rep-1"
locator = "表3"
entity = "acme-x100"
rows = [
  { metric = "price", low = 1, high = 1.2, unit = "万美元", printed = "1万至1.2万美元" },
  { metric = "price", as_of = "2024", low = 1.2, high = 1.5, unit = "万美元", printed = "1.2万-1.5万美元" },
  { metric = "price", as_of = "2025", low = 1.3, high = 1.8, unit = "万美元", printed = "1.3万-1.8万美元" },
]
"""
    db = tmp_path / "kb.db"
    build.build(write(tmp_path / "knowledge", files), db)
    rows = sqlite3.connect(db).execute("SELECT history_group, conflict_group FROM figures WHERE metric = 'price'").fetchall()
    assert len({h for h, _ in rows}) == 1 and rows[0][0] is not None and all(c is None for _, c in rows)


def test_the_database_name_changes_when_the_builders_code_changes(tmp_path: Path, monkeypatch) -> None:
    """A changed conflict or alias rule must not meet a database the old rule built: the builder's source is
    part of the fingerprint, as the knowledge files are."""
    import shutil

    from chipmcp.kb import fingerprint as fp

    package = tmp_path / "package"
    shutil.copytree(Path(fp.__file__).parents[1], package, ignore=shutil.ignore_patterns("__pycache__", "tools"))
    monkeypatch.setattr(fp, "_PACKAGE", package)
    folder = write(tmp_path / "knowledge", VALID)
    before = fp.fingerprint(folder)
    builder = package / "kb" / "build.py"
    builder.write_text(builder.read_text(encoding="utf-8") + "\n# a changed rule\n", encoding="utf-8")
    assert fp.fingerprint(folder) != before


def _with_market_share(row: str) -> dict[str, str]:
    files = dict(VALID)
    files["metrics.toml"] += """
[[metric]]
id = "market_share"
dimension = "percent"
label_en = "market share"
label_zh = "市场份额"
about = "share"
measures = ["own", "imported"]
"""
    files["catalog/entities.toml"] += """
[[market]]
id = "market-cn-ai-chips"
name_zh = "中国AI芯片市场"
name_en = "China AI chips"
kind = "market"
"""
    head, _, tail = files["figures/rep-1.toml"].rpartition("]\n")
    files["figures/rep-1.toml"] = head + row + "\n]\n" + tail
    return files


def test_a_market_share_on_a_market_must_name_the_part_it_measures(tmp_path: Path) -> None:
    broken = _with_market_share(
        '  { entity = "market-cn-ai-chips", metric = "market_share", value = 63, unit = "%", printed = "63%" },'
    )
    with pytest.raises(KnowledgeError) as error:
        build.check(write(tmp_path / "broken" / "knowledge", broken))
    problem = next(p for p in error.value.problems if "has no market_share of its own" in p)
    assert problem.startswith("knowledge/figures/rep-1.toml:8:") and "imported" in problem
    named = _with_market_share(
        '  { entity = "market-cn-ai-chips", metric = "market_share", measure = "imported", value = 63, unit = "%", printed = "63%" },'
    )
    assert build.check(write(tmp_path / "named" / "knowledge", named))["figures"] == 3


def test_rows_are_stored_as_sqlite_utils_insert_all_stores_them() -> None:
    # The build binds rows itself (one prepared statement); what lands must be what sqlite-utils would write.
    columns = {"id": int, "name": str, "share": float, "flag": int, "tags": str, "extra": str}
    rows = [
        {"id": 1, "name": "昇腾", "share": 0.5, "flag": True, "tags": ["a", "b"], "extra": {"k": "v"}},
        {"id": 2, "name": "H100", "share": None, "flag": False, "tags": [], "extra": None},
        {"id": 3, "name": "x"},  # the columns a row lacks are NULL
    ]
    stored = []
    for write in ("sqlite-utils", "build"):
        db = sqlite_utils.Database(memory=True)
        db.table("t").create(columns, pk="id")
        if write == "build":
            build._insert_rows(db.conn, "t", list(columns), rows)
        else:
            db.table("t").insert_all([{c: row.get(c) for c in columns} for row in rows])
        stored.append(db.execute("SELECT * FROM t ORDER BY id").fetchall())
    expected = [
        (1, "昇腾", 0.5, 1, '["a", "b"]', '{"k": "v"}'),
        (2, "H100", None, 0, "[]", None),
        (3, "x", None, None, None, None),
    ]
    assert stored == [expected, expected]


RUN = """
[[workload]]
id = "acme-llm"
name_zh = "艾克米大模型"
name_en = "Acme LLM"
kind = "llm"
trained_on = { chip = "CHIP", printed = "100T", source = "rep-1", locator = "表1" }
"""


def test_a_runs_chip_is_stored_with_its_citation_and_an_unknown_chip_is_rejected(tmp_path: Path) -> None:
    files = dict(VALID)
    files["catalog/runs.toml"] = RUN.replace("CHIP", "acme-x100")
    db = tmp_path / "kb.db"
    build.build(write(tmp_path / "knowledge", files), db)
    kb = KnowledgeBase(db)
    assert kb.trained_on("acme-llm") == {
        "workload": "acme-llm",
        "chip": "acme-x100",
        "printed": "100T",
        "source": "rep-1",
        "locator": "表1",
    }
    assert kb.trained_on("acme-x100") is None
    files["catalog/runs.toml"] = RUN.replace("CHIP", "acme-x200")
    with pytest.raises(KnowledgeError) as error:
        build.check(write(tmp_path / "broken" / "knowledge", files))
    assert "knowledge/catalog/runs.toml:2: workload acme-llm: trained_on chip 'acme-x200' is not a chip" in str(error.value)
