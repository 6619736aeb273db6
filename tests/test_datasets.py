"""Tables as sources: a CSV pinned by sha256 and mapped column by column becomes cited figures; malformed
tables are refused with file:row:column; a user's table adds claims; verify and refresh check the cells."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from chipmcp.authoring import refresh as refreshing
from chipmcp.authoring.verify import verify
from chipmcp.cli import main
from chipmcp.errors import KnowledgeError
from chipmcp.kb import build
from chipmcp.kb.datasets import OUTRANKED_NOTE
from chipmcp.kb.store import KnowledgeBase, knowledge_dir
from conftest import ROOT
from test_build import VALID, write

SPEC_SHEET = ROOT / "tests" / "data" / "spec-sheet"

TABLE = (
    "Name,FP16 (FLOP/s),Memory (bytes),Bandwidth (bit/s),Die (mm^2),Released,Link,Modified,Derived score\n"
    "Acme X100,1.2e14,64000000000.0,,600,2024-05,https://acme.example/x100.pdf,2025-01-02 10:00:00+00:00,99\n"
    '"Acme X200",2000000000000000.0,,800000000000.0,,,"https://a.example/1\nhttps://a.example/2",2025-02-03,1\n'
)


def mapping(sha: str, **extra: str) -> str:
    return f"""
[[source]]
id = "tab-1"
publisher = "Table Co"
publisher_en = "Table Co"
title = "a table"
kind = "dataset"
date = "2025-02"
language = "en"

[[dataset]]
source = "tab-1"
file = "tab.csv"
sha256 = "{sha}"
row_name = "Name"
link = "Link"
modified = "Modified"

[[dataset_column]]
dataset = "tab-1"
header = "FP16 (FLOP/s)"
metric = "compute"
unit = "FLOP/s"
precision = "fp16"
sparsity = "dense"

[[dataset_column]]
dataset = "tab-1"
header = "Memory (bytes)"
metric = "memory_capacity"
unit = "byte"

[[dataset_column]]
dataset = "tab-1"
header = "Bandwidth (bit/s)"
metric = "memory_bandwidth"
unit = "bit/s"

[[dataset_column]]
dataset = "tab-1"
header = "Die (mm^2)"
metric = "die_area"
unit = "mm^2"

[[dataset_column]]
dataset = "tab-1"
header = "Released"
metric = "release"

[[dataset_row]]
dataset = "tab-1"
name = "Acme X100"
entity = "acme-x100"

[[dataset_row]]
dataset = "tab-1"
name = "Acme X200"
entity = "acme-x200"
sparsity = "sparse"
note = "per die"
""" + "".join(extra.values())


METRICS = """
[[metric]]
id = "memory_capacity"
dimension = "bytes"
label_en = "memory"
label_zh = "显存"
about = "memory"

[[metric]]
id = "memory_bandwidth"
dimension = "bandwidth"
label_en = "bandwidth"
label_zh = "带宽"
about = "bandwidth"

[[metric]]
id = "die_area"
dimension = "area"
label_en = "die area"
label_zh = "面积"
about = "die"

[[metric]]
id = "release"
dimension = "text"
label_en = "release"
label_zh = "发布"
about = "release"
"""

X200 = """
[[chip]]
id = "acme-x200"
vendor = "acme"
name_zh = "艾克米X200"
name_en = "Acme X200"
model = "X200"
kind = "GPU"
variant_of = "acme-x100"
"""


def folder(tmp_path: Path, table: str = TABLE, sha: str | None = None, **extra: str) -> Path:
    files = dict(VALID)
    files["metrics.toml"] += METRICS
    files["catalog/entities.toml"] += X200
    files["datasets/tab.csv"] = table
    files["datasets/tab.toml"] = mapping(sha or hashlib.sha256(table.encode()).hexdigest(), **extra)
    return write(tmp_path / "knowledge", files)


def built(knowledge: Path | list[Path], tmp_path: Path) -> KnowledgeBase:
    path = tmp_path / "kb.db"
    build.build(knowledge, path)
    return KnowledgeBase(path)


def problems_of(knowledge: Path | list[Path]) -> str:
    with pytest.raises(KnowledgeError) as raised:
        build.check(knowledge)
    return str(raised.value)


def test_mapped_cells_become_figures_converted_printed_as_written_with_locator_link_and_date(tmp_path: Path) -> None:
    kb = built(folder(tmp_path), tmp_path)
    rows = {(r["entity"], r["metric"]): r for r in kb.all_figures() if r["source"] == "tab-1"}
    assert sorted(rows) == [
        ("acme-x100", "compute"),
        ("acme-x100", "die_area"),
        ("acme-x100", "memory_capacity"),
        ("acme-x100", "release"),
        ("acme-x200", "compute"),
        ("acme-x200", "memory_bandwidth"),
    ]
    x100 = rows[("acme-x100", "compute")]
    assert (x100["value"], x100["unit"], x100["printed"], x100["precision"], x100["sparsity"]) == (
        120.0,
        "TFLOPS",
        "1.2e14",
        "fp16",
        "dense",
    )
    assert x100["locator"] == "Acme X100 / FP16 (FLOP/s)"
    assert (x100["link"], x100["modified"]) == ("https://acme.example/x100.pdf", "2025-01-02 10:00:00+00:00")
    assert x100["origin"] == "knowledge/datasets/tab.csv:2:FP16 (FLOP/s)"
    memory = rows[("acme-x100", "memory_capacity")]
    assert (memory["value"], memory["unit"], memory["printed"], memory["base_value"]) == (64.0, "GB", "64000000000.0", 6.4e10)
    bandwidth = rows[("acme-x200", "memory_bandwidth")]
    assert (bandwidth["value"], bandwidth["unit"], bandwidth["base_value"]) == (100.0, "GB/s", 1e11)
    assert (rows[("acme-x100", "die_area")]["value"], rows[("acme-x100", "die_area")]["unit"]) == (600.0, "mm²")
    assert rows[("acme-x100", "release")]["text"] == "2024-05"
    x200 = rows[("acme-x200", "compute")]
    assert (x200["value"], x200["note"], x200["link"]) == (2000.0, "per die", "https://a.example/1\nhttps://a.example/2")
    assert x200["sparsity"] == "dense"  # the column's sparsity wins over the row's
    assert x200["origin"] == "knowledge/datasets/tab.csv:3:FP16 (FLOP/s)"


def test_a_report_figure_is_preferred_over_a_dataset_figure_and_the_outranked_one_says_why(tmp_path: Path) -> None:
    kb = built(folder(tmp_path), tmp_path)
    compute = {r["source"]: r for r in kb.figures("acme-x100", ["compute"])}
    report, table = compute["rep-1"], compute["tab-1"]  # 100T printed by the report, 120T by the table
    assert report["conflicts_with"] == str(table["id"]) and table["conflicts_with"] == str(report["id"])
    assert (report["preferred"], table["preferred"]) == (1, 0)
    assert table["note"] == OUTRANKED_NOTE


def test_a_suspect_report_figure_loses_to_the_dataset_figure(tmp_path: Path) -> None:
    knowledge = folder(tmp_path)
    figures = knowledge / "figures" / "rep-1.toml"
    figures.write_text(
        figures.read_text().replace('printed = "100T" }', 'printed = "100T", suspect = true, note = "slip" }'), encoding="utf-8"
    )
    compute = {r["source"]: r for r in built(knowledge, tmp_path).figures("acme-x100", ["compute"])}
    assert (compute["rep-1"]["preferred"], compute["tab-1"]["preferred"]) == (0, 1)
    assert compute["tab-1"]["note"] == ""


def test_a_marked_cell_is_kept_suspect_or_read_as_another_metric(tmp_path: Path) -> None:
    marks = """
[[dataset_cell]]
dataset = "tab-1"
row = "Acme X100"
column = "FP16 (FLOP/s)"
suspect = true
note = "looks like a sparse figure"

[[dataset_cell]]
dataset = "tab-1"
row = "Acme X100"
column = "Memory (bytes)"
metric = "cache"
note = "on-chip SRAM, not board memory"
"""
    knowledge = folder(tmp_path, marks=marks)
    (knowledge / "metrics.toml").write_text(
        (knowledge / "metrics.toml").read_text()
        + """
[[metric]]
id = "cache"
dimension = "bytes"
label_en = "cache"
label_zh = "缓存"
about = "on-chip memory"
""",
        encoding="utf-8",
    )
    rows = {r["metric"]: r for r in built(knowledge, tmp_path).figures("acme-x100") if r["source"] == "tab-1"}
    assert (rows["compute"]["suspect"], rows["compute"]["note"]) == (1, "looks like a sparse figure")
    assert "memory_capacity" not in rows
    assert (rows["cache"]["value"], rows["cache"]["note"]) == (64.0, "on-chip SRAM, not board memory")


REFUSED = [
    (
        "a non-number in a numeric column",
        TABLE.replace("1.2e14", "about 120T"),
        {},
        "knowledge/datasets/tab.csv:2:FP16 (FLOP/s): 'about 120T' is not a number",
    ),
    (
        "a renamed header",
        TABLE.replace("Die (mm^2)", "Die size (mm^2)"),
        {},
        "knowledge/datasets/tab.csv:1:Die (mm^2): the header has no column 'Die (mm^2)'",
    ),
    (
        "a renamed row-name header",
        TABLE.replace("Name,", "Chip name,", 1),
        {},
        "knowledge/datasets/tab.csv:1: column 'Name' (the dataset's row_name) is not in the header; closest: 'Chip name'",
    ),
    (
        "a duplicate row name",
        TABLE.replace('"Acme X200"', "Acme X100"),
        {},
        "knowledge/datasets/tab.csv:3:Name: row name 'Acme X100' is also the name of the row at line 2",
    ),
    (
        "a row without [[dataset_row]]",
        TABLE + "Acme X300,1,,,,,,,\n",
        {},
        "knowledge/datasets/tab.csv:5:Name: row 'Acme X300' has no [[dataset_row]]",
    ),
    (
        "an unknown unit",
        TABLE,
        {"unit": '\n[[dataset_column]]\ndataset = "tab-1"\nheader = "Derived score"\nmetric = "compute"\nunit = "FLOPs"\n'},
        "unknown unit 'FLOPs'",
    ),
    (
        "a mark on a row the file lacks",
        TABLE,
        {"cell": '\n[[dataset_cell]]\ndataset = "tab-1"\nrow = "Acme X900"\ncolumn = "FP16 (FLOP/s)"\nnote = "n"\n'},
        "dataset_cell 'Acme X900' / 'FP16 (FLOP/s)': no row of that name",
    ),
    (
        "a row record naming no row",
        TABLE,
        {"row": '\n[[dataset_row]]\ndataset = "tab-1"\nname = "Acme Z"\nentity = "acme-x100"\n'},
        "dataset_row 'Acme Z': no row of that name in the dataset's file",
    ),
]


@pytest.mark.parametrize(("case", "table", "extra", "message"), REFUSED, ids=[c[0] for c in REFUSED])
def test_a_malformed_table_is_refused_naming_file_row_and_column(
    tmp_path: Path, case: str, table: str, extra: dict[str, str], message: str
) -> None:
    sha = hashlib.sha256(table.encode()).hexdigest()
    assert message in problems_of(folder(tmp_path, table, sha, **extra))
    assert not (tmp_path / "kb.db").exists()


def test_a_file_that_does_not_match_its_pinned_sha256_is_refused_naming_both(tmp_path: Path) -> None:
    knowledge = folder(tmp_path)
    pinned = hashlib.sha256(TABLE.encode()).hexdigest()
    edited = TABLE.replace("600", "601")
    (knowledge / "datasets" / "tab.csv").write_text(edited, encoding="utf-8")
    message = problems_of(knowledge)
    assert (
        f"knowledge/datasets/tab.csv: sha256 {hashlib.sha256(edited.encode()).hexdigest()} does not match the "
        f"pinned {pinned}" in message
    )


def test_a_users_table_adds_a_claim_beside_the_bundled_figures_and_changes_none(tmp_path: Path) -> None:
    kb = built([knowledge_dir(), SPEC_SHEET], tmp_path)
    alone = KnowledgeBase(tmp_path / "bundled.db") if build.build(knowledge_dir(), tmp_path / "bundled.db") else None
    assert alone is not None
    compute = [
        r
        for r in kb.figures("huawei-ascend-910c", ["compute"])
        if r["precision"] == "fp16" and r["source"] in ("minsheng-2025h1", "acme-spec-sheet")
    ]
    assert [(r["printed"], r["source"], r["preferred"]) for r in compute] == [
        ("800 TFLOPS/FP16", "minsheng-2025h1", 0),
        ("752 - 800 TFLOPS", "minsheng-2025h1", 1),
        ("780", "acme-spec-sheet", 0),
    ]
    assert compute[2]["locator"] == "Ascend 910C / FP16 dense (TFLOPS)"
    assert compute[2]["link"] == "https://example.com/910c.pdf" and compute[2]["modified"] == "2026-02-12"
    # Every bundled figure keeps its id, value and citation; only which claim is preferred may move (a suspect
    # 3000 美元 H100 price, alone before, now has a rival).
    keep = ("id", "entity", "metric", "value", "printed", "source", "locator", "suspect", "note")
    before = [{k: r[k] for k in keep} for r in alone.all_figures()]
    after = [{k: r[k] for k in keep} for r in kb.all_figures() if r["source"] != "acme-spec-sheet"]
    assert after == before
    assert len(kb.all_figures()) - len(before) == 10  # 3 rows; 2 empty cells skipped


def test_a_user_folder_cannot_map_or_mark_a_table_of_another_folder(tmp_path: Path) -> None:
    user = write(
        tmp_path / "mine",
        {"marks.toml": '[[dataset_cell]]\ndataset = "acme-spec-sheet"\nrow = "H20"\ncolumn = "HBM (GB)"\nsuspect = true\nnote = "n"\n'},
    )
    message = problems_of([knowledge_dir(), SPEC_SHEET, user])
    assert "dataset 'acme-spec-sheet' is declared in another folder" in message


def test_variants_name_their_chip_and_the_chip_lists_them(tmp_path: Path) -> None:
    from chipmcp.tools.lookup import LookupChipArguments, lookup_chip, render

    kb = built(folder(tmp_path), tmp_path)
    variant, parent = lookup_chip(kb, LookupChipArguments(name="acme-x200")), lookup_chip(kb, LookupChipArguments(name="acme-x100"))
    assert (variant.variants, parent.variants) == (
        "variant of acme-x100 (figures kept apart)",
        "variants: acme-x200 (figures kept apart)",
    )
    assert "\nVariant of acme-x100 (figures kept apart).\n" in render(variant)
    assert "\nVariants: acme-x200 (figures kept apart).\n" in render(parent)
    assert all(
        f.source != "tab-1" or f.printed != "2000000000000000.0"
        for f in lookup_chip(kb, LookupChipArguments(name="acme-x100", detail="full")).figures
    )


def test_verify_finds_every_dataset_figure_in_its_cell_and_names_a_changed_one(tmp_path: Path) -> None:
    knowledge = folder(tmp_path)
    kb = built(knowledge, tmp_path)
    result = verify(kb, [tmp_path], ["tab-1"], [knowledge])
    assert (result.checked, result.misses) == (6, [])
    csv_path = knowledge / "datasets" / "tab.csv"
    csv_path.write_text(TABLE.replace("600", "610"), encoding="utf-8")
    result = verify(kb, [tmp_path], ["tab-1"], [knowledge])
    assert result.misses == ["knowledge/datasets/tab.csv:2:Die (mm^2) (acme-x100 die_area): printed '600' but the cell holds '610'"]


NEWER = (
    "Name,FP16 (FLOP/s),Memory (bytes),Bandwidth (bits/s),Die (mm^2),Released,Link,Modified,Power (W)\n"
    "Acme X100,1.3e14,64000000000.0,,600,2024-05,https://acme.example/x100.pdf,2025-03-04 10:00:00+00:00,300\n"
    "Acme X300,1e15,,,,,,2025-03-05,\n"
)


def test_refresh_reports_header_and_row_changes_and_pins_the_copy_leaving_the_bundled_file(tmp_path: Path) -> None:
    bundled = folder(tmp_path)
    original = (bundled / "datasets" / "tab.csv").read_bytes()
    into = tmp_path / "mine"
    result = refreshing.refresh("tab-1", NEWER.encode(), into, [bundled])
    assert result.new_id == "tab-1-2025-03-05"
    assert (result.added_columns, result.dropped_columns) == (["Power (W)"], ["Derived score"])
    assert [(o, n) for o, n, _ in result.renamed_columns] == [("Bandwidth (bit/s)", "Bandwidth (bits/s)")]
    assert (result.added_rows, result.removed_rows) == (["Acme X300"], ["Acme X200"])
    assert result.changed_rows == {"Acme X100": ["FP16 (FLOP/s)"]}
    assert result.own_columns
    assert (bundled / "datasets" / "tab.csv").read_bytes() == original
    assert (into / "tab-1-2025-03-05.csv").read_bytes() == NEWER.encode()
    written = (into / "tab-1-2025-03-05.toml").read_text(encoding="utf-8")
    assert f'sha256 = "{hashlib.sha256(NEWER.encode()).hexdigest()}"' in written
    assert 'header = "Bandwidth (bits/s)"' in written and 'mapping_from = "tab-1"' in written
    # The added row needs its entity before the folder builds; once given, the copy's figures sit beside the table's.
    assert "row 'Acme X300' has no [[dataset_row]]" in problems_of([bundled, into])
    (into / "tab-1-2025-03-05.toml").write_text(
        written.replace("# [[dataset_row]]", "[[dataset_row]]")
        .replace('# dataset = "tab-1-2025-03-05"', 'dataset = "tab-1-2025-03-05"')
        .replace('# name = "Acme X300"', 'name = "Acme X300"')
        .replace('# entity = "FILL-IN"', 'entity = "acme-x200"'),
        encoding="utf-8",
    )
    kb = built([bundled, into], tmp_path)
    compute = {r["source"]: r["printed"] for r in kb.figures("acme-x100", ["compute"])}
    assert compute == {"rep-1": "100T", "tab-1": "1.2e14", "tab-1-2025-03-05": "1.3e14"}
    assert [r["printed"] for r in kb.figures("acme-x200", ["compute"]) if r["source"] == "tab-1-2025-03-05"] == ["1e15"]


def test_refresh_from_the_command_line_reads_a_local_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bundled = folder(tmp_path)
    monkeypatch.setenv("CHIPMCP_BUNDLED_KNOWLEDGE", str(bundled))
    monkeypatch.delenv("CHIPMCP_KNOWLEDGE", raising=False)
    newer = tmp_path / "new.csv"
    newer.write_bytes(TABLE.replace("1.2e14", "1.25e14").encode())
    assert main(["kb", "refresh", "tab-1", "--from", str(newer), "--into", str(tmp_path / "mine")]) == 0
    out = capsys.readouterr().out
    assert "rows changed: 1\n- Acme X100: FP16 (FLOP/s)" in out and "columns renamed (best guess): none" in out
    assert main(["kb", "refresh", "tab-9", "--from", str(newer), "--into", str(tmp_path / "mine")]) == 1
    assert "No bundled dataset 'tab-9'" in capsys.readouterr().err


def test_the_fingerprint_covers_a_datasets_csv(tmp_path: Path) -> None:
    from chipmcp.kb.fingerprint import fingerprint

    knowledge = folder(tmp_path)
    before = fingerprint(knowledge)
    (knowledge / "datasets" / "tab.csv").write_text(TABLE + "\n", encoding="utf-8")
    assert fingerprint(knowledge) != before


def test_the_readme_worked_example_is_the_spec_sheet_fixture() -> None:
    readme = (ROOT / "knowledge" / "README.md").read_text(encoding="utf-8")
    assert (SPEC_SHEET / "specs.csv").read_text(encoding="utf-8") in readme


@pytest.mark.anyio
async def test_the_epoch_source_record_served_to_clients_carries_its_credit_and_licence(server) -> None:
    import json

    from mcp import Client

    async with Client(server) as client:
        epoch = json.loads((await client.read_resource("chipmcp://sources/epoch-ml-hardware")).contents[0].text)
        report = json.loads((await client.read_resource("chipmcp://sources/guosen-2026")).contents[0].text)
    assert epoch["credit"] == (
        "Epoch AI, 'Data on Machine Learning Hardware'. Published online at epoch.ai. Retrieved "
        "from https://epoch.ai/data/machine-learning-hardware."
    )
    assert (epoch["licence"], epoch["licence_url"], epoch["kind"]) == (
        "CC BY 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
        "dataset",
    )
    assert epoch["changes"].startswith("units converted to chipmcp's")
    assert not {"url", "licence", "licence_url", "credit", "changes"} & set(report)


def test_a_table_figure_a_power_of_ten_off_a_report_figure_is_flagged_not_averaged(tmp_path: Path) -> None:
    table = TABLE.replace("1.2e14", "1e15")  # 1000 TFLOPS against the report's 100T
    knowledge = folder(tmp_path, table, hashlib.sha256(table.encode()).hexdigest())
    compute = {r["source"]: r for r in built(knowledge, tmp_path).figures("acme-x100", ["compute"])}
    report, cell = compute["rep-1"], compute["tab-1"]
    assert (report["value"], cell["value"], report["preferred"], cell["preferred"]) == (100.0, 1000.0, 1, 0)
    assert cell["note"] == (
        f"{OUTRANKED_NOTE}; 10^1 times #{report['id']} '100T' (rep-1): a scale slip in one of them; neither is averaged"
    )


def test_a_table_figure_agreeing_with_a_report_figure_is_no_conflict_and_carries_no_note(tmp_path: Path) -> None:
    table = TABLE.replace("1.2e14", "1.0e14")
    knowledge = folder(tmp_path, table, hashlib.sha256(table.encode()).hexdigest())
    compute = {r["source"]: r for r in built(knowledge, tmp_path).figures("acme-x100", ["compute"])}
    assert compute["rep-1"]["conflicts_with"] == "" and compute["tab-1"]["note"] == ""


def test_a_rows_sparsity_qualifies_its_compute_cells_where_the_column_states_none(tmp_path: Path) -> None:
    knowledge = folder(tmp_path)
    mapped = knowledge / "datasets" / "tab.toml"
    mapped.write_text(mapped.read_text().replace('precision = "fp16"\nsparsity = "dense"\n', 'precision = "fp16"\n'), encoding="utf-8")
    kb = built(knowledge, tmp_path)
    sparsity = {r["entity"]: r["sparsity"] for r in kb.all_figures() if r["source"] == "tab-1" and r["metric"] == "compute"}
    assert sparsity == {"acme-x100": None, "acme-x200": "sparse"}
    assert [r["sparsity"] for r in kb.figures("acme-x200") if r["metric"] == "memory_bandwidth"] == [None]


def test_export_control_tpp_comes_from_a_tables_dense_figure_converted_from_flop_per_second(tmp_path: Path) -> None:
    from chipmcp.core import compute
    from chipmcp.reasoning.export_control import chip_tpp

    assert float(compute.convert(1.979e15, "FLOP/s", "TFLOPS")) == pytest.approx(1979.0, rel=1e-12)
    assert float(compute.convert(3.958e15, "OP/s", "POPS")) == pytest.approx(3.958, rel=1e-12)
    kb = built(folder(tmp_path), tmp_path)
    tpp = chip_tpp(kb, "acme-x200")  # 2e15 FLOP/s FP16 dense (the table) × 16 bits
    assert (tpp.value, tpp.figure_ids) == (32000.0, [r["id"] for r in kb.figures("acme-x200", ["compute"])])


# --- the real snapshot: Epoch AI's table as bundled ---------------------------------------------------------

EPOCH_FIGURES = 1912  # non-empty cells of the 25 mapped columns over the 170 rows


def test_every_row_of_the_epoch_snapshot_joins_an_entity_and_every_mapped_cell_is_a_figure(kb: KnowledgeBase) -> None:
    rows = [r for r in kb.all_figures() if r["source"] == "epoch-ml-hardware"]
    assert len(rows) == EPOCH_FIGURES
    assert len({r["locator"].rpartition(" / ")[0] for r in rows}) == 170
    assert all(r["origin"].startswith("knowledge/datasets/epoch-ml-hardware.csv:") for r in rows)
    derived = ("Max performance", "Energy efficiency", "Total processing performance", "Price-performance", "ML OP/s")
    assert not [r for r in rows if r["locator"].rpartition(" / ")[2].startswith(derived)]


def test_verify_finds_every_epoch_figure_in_its_cell(kb: KnowledgeBase, tmp_path: Path) -> None:
    result = verify(kb, [tmp_path], ["epoch-ml-hardware"])
    assert (result.checked, result.misses) == (EPOCH_FIGURES, [])


def test_a_variant_row_is_linked_to_the_chip_reports_name_and_kept_apart(kb: KnowledgeBase) -> None:
    from chipmcp.tools.lookup import LookupChipArguments, lookup_chip

    pcie, h100 = lookup_chip(kb, LookupChipArguments(name="H100 PCIe")), lookup_chip(kb, LookupChipArguments(name="nvidia-h100"))
    assert (pcie.id, pcie.variants) == ("nvidia-h100-pcie", "variant of nvidia-h100 (figures kept apart)")
    assert "nvidia-h100-pcie" in h100.variants.removeprefix("variants: ").removesuffix(" (figures kept apart)").split(", ")
    assert not [r for r in kb.figures("nvidia-h100") if r["locator"].startswith("NVIDIA H100 PCIe")]


def test_the_910c_fp16_of_epoch_and_of_the_report_are_claims_side_by_side_the_report_preferred(kb: KnowledgeBase) -> None:
    fp16 = [r for r in kb.figures("huawei-ascend-910c", ["compute"]) if "fp16" in (r["precision"] or "").split("/")]
    report = next(r for r in fp16 if r["printed"] == "752 - 800 TFLOPS")
    epoch = [r for r in fp16 if r["source"] == "epoch-ml-hardware"]
    assert epoch and all(r["value"] == 800.0 and r["conflict_group"] == report["conflict_group"] for r in epoch)
    assert report["preferred"] == 1 and not any(r["preferred"] for r in epoch)
    assert all(OUTRANKED_NOTE in r["note"] for r in epoch)


@pytest.mark.anyio
async def test_a_chip_only_epoch_lists_is_answered_by_every_tool_that_takes_a_chip(server) -> None:
    from mcp import Client

    calls = {
        "lookup_chip": {"name": "MI300X"},
        "compare_chips": {"names": ["MI300X", "昇腾910C"]},
        "estimate_cluster": {"chip": "MI300X", "target_pflops": 1000},
        "find_chips": {"where": [{"metric": "memory_gb", "op": ">=", "value": 192}], "limit": 50},
        "export_control_check": {"chip": "MI300X"},
    }
    async with Client(server) as client:
        answers = {name: await client.call_tool(name, arguments) for name, arguments in calls.items()}
    for name, result in answers.items():
        assert not result.is_error, name
        text = result.content[0].text
        assert "amd-mi300x" in text and "epoch-ml-hardware" in text, name
    assert "memory_capacity: 192 GB — #" in answers["lookup_chip"].content[0].text
    lookup = answers["lookup_chip"].content[0].text  # cited by the row's key, once, and the cell's column
    key = re.search(r"'192000000000\.0' \[(c\d+): Memory \(bytes\)\]", lookup)
    assert key and re.search(rf"\b{key.group(1)} = epoch-ml-hardware / AMD Instinct MI300X(;|$)", lookup, re.M)
