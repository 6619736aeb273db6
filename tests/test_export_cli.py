"""`chipmcp export` through the command line: each format read back with its own library, the chips table
one row per chip with a citation per cell, the figures equal to lookup_chip's, and bad input refused."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from chipmcp import tools
from chipmcp.cli import main
from chipmcp.kb.store import KnowledgeBase
from chipmcp.reasoning.metric_cells import METRICS, TEXT
from chipmcp.tools.registry import MAX_LIMIT
from chipmcp.views import dataset


@pytest.fixture(scope="module")
def default_kb() -> KnowledgeBase:
    """The knowledge base the command opens (bundled knowledge, no extra folder)."""
    return KnowledgeBase.open_default()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["export", *argv])
    except SystemExit as exit_:  # argparse refuses unknown choices itself
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def read_back(fmt: str, path: Path) -> list[dict[str, Any]]:
    """The written rows through each format's own reader, cells as Python values (CSV's as text)."""
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as file:
            return list(csv.DictReader(file))
    if fmt == "json":
        return json.loads(path.read_text(encoding="utf-8"))
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        header, *rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
        # A row's empty trailing cells are not stored; read as None.
        return [dict(zip(header, row + [None] * (len(header) - len(row)), strict=True)) for row in rows]
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


def as_written(value: Any, fmt: str) -> Any:
    """What `value` reads back as in `fmt`: CSV has only text (whole numbers without '.0')."""
    if fmt != "csv":
        return value
    return str(dataset._plain(value))


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "parquet"])
@pytest.mark.parametrize("what", ["figures", "chips", "financials"])
def test_each_format_reads_back_as_the_table_it_was_written_from(capsys, tmp_path, default_kb, fmt, what) -> None:
    path = tmp_path / f"{what}.{fmt}"
    code, _, err = run(capsys, "--what", what, "--format", fmt, "--out", str(path), "--domestic")
    assert code == 0, err
    expected = dataset.table_for(default_kb, what, dataset.Filters(domestic=True))
    rows = read_back(fmt, path)
    assert [list(r) for r in rows[:1]] == [list(expected.columns)]
    assert rows == [{k: as_written(v, fmt) for k, v in row.items()} for row in expected.rows]
    assert f"wrote {path}: {len(expected.rows)} {what} rows" in err


def test_csv_and_json_go_to_stdout_without_out(capsys, default_kb) -> None:
    code, out, _ = run(capsys, "--what", "chips", "--format", "csv", "--vendor", "寒武纪")
    assert code == 0
    ids = [row["id"] for row in csv.DictReader(io.StringIO(out))]
    assert ids == dataset.chips_matching(default_kb, dataset.Filters(vendor="寒武纪")) and ids
    code, out, _ = run(capsys, "--what", "chips", "--format", "json", "--vendor", "寒武纪")
    assert code == 0 and [row["id"] for row in json.loads(out)] == ids


def test_chips_xlsx_has_one_row_per_chip_and_a_citation_for_every_cell(capsys, tmp_path, default_kb) -> None:
    import openpyxl

    path = tmp_path / "chips.xlsx"
    assert run(capsys, "--what", "chips", "--format", "xlsx", "--out", str(path))[0] == 0
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["chips", "sources"]
    sources = [r[0] for r in book["sources"].iter_rows(min_row=2, values_only=True)]
    book.close()
    rows = read_back("xlsx", path)
    everything = default_kb.ids("chip") + default_kb.ids("system")
    assert sorted(r["id"] for r in rows) == sorted(everything)
    figures = {f["id"]: f for f in default_kb.all_figures()}
    cited_cells = 0
    for row in rows:
        for metric in METRICS:
            has_value = row[metric] is not None or (metric not in TEXT and row[f"{metric}_low"] is not None)
            citation = row[f"{metric}_citation"]
            assert bool(has_value) == bool(citation), (row["id"], metric)
            if not citation:
                continue
            cited_cells += 1
            for cited in citation.split("; "):
                figure_id, source = cited.split(" ")[:2]
                figure = figures[int(figure_id.lstrip("#"))]
                assert figure["source"] == source and f"“{figure['printed']}”" in cited and figure["locator"] in cited
            if metric not in TEXT and row[f"{metric}_span"]:
                low, high = (float(x) for x in row[f"{metric}_span"].split("–"))
                assert low < high, (row["id"], metric)
    assert cited_cells > len(rows)
    assert sorted(sources) == sorted(default_kb.sources)


def test_contested_cells_carry_the_span_of_the_claims(capsys, default_kb) -> None:
    _, out, _ = run(capsys, "--what", "chips", "--format", "json", "--vendor", "华为")
    row = {r["id"]: r for r in json.loads(out)}["huawei-ascend-910b"]
    answer = tools.BY_NAME["compare_chips"].call(default_kb, names=["昇腾910B", "H20"])
    cell = answer.cells(answer.rows[0])["compute_fp16"]
    assert (row["compute_tflops"], row["compute_tflops_span"]) == (cell.value, f"{cell.span[0]:g}–{cell.span[1]:g}")


def test_every_exported_figure_equals_the_same_figure_in_lookup_chip_full(capsys, tmp_path, default_kb) -> None:
    path = tmp_path / "figures.csv"
    assert run(capsys, "--what", "figures", "--format", "csv", "--out", str(path))[0] == 0
    exported = {int(r["figure_id"]): r for r in read_back("csv", path)}
    assert len(exported) == len(default_kb.all_figures())
    lookup = tools.BY_NAME["lookup_chip"]
    seen = 0
    for entity in default_kb.ids("chip") + default_kb.ids("system"):
        offset, figures = 0, []
        while True:
            answer = lookup.call(default_kb, name=entity, detail="full", offset=offset, limit=MAX_LIMIT)
            figures += answer.figures
            offset += answer.page.returned
            if not answer.page.returned or offset >= answer.page.total:
                break
        assert {f.id for f in figures} == {i for i, r in exported.items() if r["entity"] == entity}, entity
        for figure in figures:
            row = exported[figure.id]
            for key in ("value", "low", "high"):
                number = getattr(figure, key)
                assert (float(row[key]) if row[key] else None) == number, (figure.id, key)
            for key in ("unit", "source", "locator", "printed", "metric", "precision", "period"):
                assert row[key] == (getattr(figure, key) or ""), (figure.id, key)
            assert row["preferred"] == ("true" if figure.preferred else "false")
            assert (int(row["conflict_group"]) if row["conflict_group"] else None) == figure.conflict_group
            seen += 1
    assert seen > 500


def test_financials_are_the_figures_of_the_makers_of_the_matching_chips(capsys, default_kb) -> None:
    code, out, _ = run(capsys, "--what", "financials", "--format", "json", "--vendor", "寒武纪")
    rows = json.loads(out)
    assert code == 0 and rows and {r["entity"] for r in rows} == {"cambricon"}
    assert [r["figure_id"] for r in rows] == [f["id"] for f in default_kb.figures("cambricon")]
    code, out, _ = run(capsys, "--what", "financials", "--format", "json")
    assert {r["entity_kind"] for r in json.loads(out)} == {"vendor"}


@pytest.mark.parametrize(
    "argv, said",
    [
        (["--what", "chip", "--format", "csv"], "invalid choice: 'chip'"),
        (["--what", "chips", "--format", "xls"], "invalid choice: 'xls'"),
        (["--what", "chips", "--format", "csv", "--where", "memory_gb about 64"], "is not 'METRIC OP VALUE'"),
        (["--what", "chips", "--format", "xlsx"], "xlsx is a binary file: name it with --out PATH"),
        (["--what", "chips", "--format", "csv", "--where", "bogus >= 1"], "bogus"),
        (["--what", "chips", "--format", "csv", "--vendor", "无此公司zzz"], "无此公司zzz"),
        (["--what", "chips", "--format", "csv", "--precision", "fp7"], "precision"),
        (["--what", "chips", "--format", "csv", "--kind", "x" * 40], "kind"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(capsys, argv, said) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and said in err, err


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet", "json"])
def test_a_filter_matching_nothing_exits_2_and_leaves_no_file(capsys, tmp_path, fmt) -> None:
    path = tmp_path / f"none.{fmt}"
    code, _, err = run(
        capsys, "--what", "figures", "--format", fmt, "--out", str(path), "--vendor", "寒武纪", "--where", "memory_gb > 100000"
    )
    assert code == 2 and "No chip or system matches vendor=寒武纪, memory_gb > 100000" in err
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_path_is_named_in_the_error(capsys, tmp_path) -> None:
    missing = tmp_path / "no-such-folder" / "chips.csv"
    code, _, err = run(capsys, "--what", "chips", "--format", "csv", "--out", str(missing))
    assert code == 2 and f"cannot write {missing}" in err
    code, _, err = run(capsys, "--what", "chips", "--format", "csv", "--out", str(tmp_path))
    assert code == 2 and f"cannot write {tmp_path}: it is a folder" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt, module", [("xlsx", "openpyxl"), ("parquet", "pyarrow")])
def test_a_missing_extra_says_how_to_install_it_and_writes_nothing(capsys, tmp_path, monkeypatch, fmt, module) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # what an install without chipmcp[export] sees: ImportError
    path = tmp_path / f"chips.{fmt}"
    code, _, err = run(capsys, "--what", "chips", "--format", fmt, "--out", str(path))
    assert code == 2 and f"needs {module}" in err and "pip install 'chipmcp[export]'" in err
    assert not path.exists()


def test_a_users_knowledge_folder_exports_the_same_way(capsys) -> None:
    example = Path(__file__).parent / "data" / "example-knowledge"
    code, out, err = run(capsys, "--what", "chips", "--format", "json", "--vendor", "xinghe", "--knowledge", str(example))
    assert code == 0, err
    rows = json.loads(out)
    assert [r["id"] for r in rows] == ["xinghe-xh-200"]
    cited = [v for k, v in rows[0].items() if k.endswith("_citation") and v]
    assert cited and all("example-2026-03" in c for c in cited)
    code, out, _ = run(capsys, "--what", "figures", "--format", "csv", "--knowledge", str(example))
    assert code == 0 and "example-2026-03" in {r["source"] for r in csv.DictReader(io.StringIO(out))}
