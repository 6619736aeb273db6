"""The curation of Epoch AI's accelerator table: every row of the pinned CSV is one entity of the catalog.

Reads only the repository's own files (the CSV copy in knowledge/datasets/ and the TOML records), so it
holds on a fresh clone whatever the build does with them."""

from __future__ import annotations

import csv
import hashlib
import tomllib
from collections import Counter, defaultdict

import pytest

from conftest import ROOT

KNOWLEDGE = ROOT / "knowledge"
CSV_PATH = KNOWLEDGE / "datasets" / "epoch-ml-hardware.csv"
ROWS_PATH = KNOWLEDGE / "datasets" / "epoch-ml-hardware-rows.toml"
DATASET = "epoch-ml-hardware"
# The snapshot described in its README: 170 accelerators, pinned by this digest.
SHA256 = "e90bfa9e4c005381c1f45f3554aeebc0b6997f98c6da87584a966d9be488457e"
SUPERCHIPS = {"nvidia-gb200", "nvidia-gb300", "nvidia-gh200"}


def _records() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for path in sorted(KNOWLEDGE.rglob("*.toml")):
        for kind, items in tomllib.loads(path.read_text(encoding="utf-8")).items():
            if isinstance(items, list):
                out[kind].extend(item for item in items if isinstance(item, dict))
    return out


@pytest.fixture(scope="module")
def records() -> dict[str, list[dict]]:
    return _records()


@pytest.fixture(scope="module")
def table() -> list[dict[str, str]]:
    with CSV_PATH.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def mapping(records) -> list[dict]:
    return [r for r in records["dataset_row"] if r["dataset"] == DATASET]


@pytest.fixture(scope="module")
def marks(records) -> list[dict]:
    return [r for r in records["dataset_cell"] if r["dataset"] == DATASET]


def _defined(records, kind: str) -> dict[str, dict]:
    return {r["id"]: r for r in records[kind] if not r.get("extends")}


def test_the_bundled_csv_is_the_pinned_snapshot_of_170_rows(table) -> None:
    assert hashlib.sha256(CSV_PATH.read_bytes()).hexdigest() == SHA256
    assert len(table) == 170


def test_every_csv_row_has_exactly_one_mapping_by_its_exact_name(table, mapping) -> None:
    names = Counter(r["name"] for r in mapping)
    assert {n for n, c in names.items() if c > 1} == set()
    assert set(names) == {row["Hardware name"] for row in table}


def test_every_row_joins_a_chip_or_system_of_the_catalog(records, mapping) -> None:
    known = set(_defined(records, "chip")) | set(_defined(records, "system"))
    assert sorted({r["entity"] for r in mapping} - known) == []


def test_rows_sharing_an_entity_each_say_why(mapping) -> None:
    by_entity: dict[str, list[dict]] = defaultdict(list)
    for r in mapping:
        by_entity[r["entity"]].append(r)
    shared = {e: rows for e, rows in by_entity.items() if len(rows) > 1}
    unexplained = sorted(r["name"] for rows in shared.values() for r in rows if not r.get("note"))
    assert unexplained == []


def test_per_gpu_rows_are_noted_and_never_join_a_superchip(table, mapping) -> None:
    per_gpu = {
        row["Hardware name"] for row in table if "per gpu" in row["Notes"].lower() or "per individual gpu" in row["Notes"].lower()
    }
    assert per_gpu  # Epoch's notes say so for GB200 and GB300
    for r in mapping:
        if r["name"] in per_gpu:
            assert "per GPU" in r.get("note", ""), r["name"]
            assert r["entity"] not in SUPERCHIPS, r["name"]


def test_new_chips_name_an_existing_vendor_and_variants_an_existing_chip(records) -> None:
    chips = _defined(records, "chip")
    vendors = set(_defined(records, "vendor"))
    assert sorted(c["id"] for c in chips.values() if c["vendor"] not in vendors) == []
    bad_links = sorted(c["id"] for c in chips.values() if "variant_of" in c and c["variant_of"] not in chips)
    assert bad_links == []
    assert sorted(c["id"] for c in chips.values() if c.get("variant_of") == c["id"]) == []


def test_extensions_add_names_to_entities_defined_elsewhere(records) -> None:
    for kind in ("chip", "vendor"):
        defined = _defined(records, kind)
        assert sorted(r["id"] for r in records[kind] if r.get("extends") and r["id"] not in defined) == []


def test_variants_of_the_reports_unqualified_chips_are_linked_not_merged(mapping, records) -> None:
    chips = _defined(records, "chip")
    entity = {r["name"]: r["entity"] for r in mapping}
    for name, parent in [
        ("NVIDIA H100 PCIe", "nvidia-h100"),
        ("NVIDIA H100 NVL", "nvidia-h100"),
        ("Huawei Ascend 910B1 (v1)", "huawei-ascend-910b"),
        ("Huawei Ascend 910B2", "huawei-ascend-910b"),
        ("Huawei Ascend 910B3", "huawei-ascend-910b"),
        ("Huawei Ascend 910B4", "huawei-ascend-910b"),
        ("Cambricon MLU370-S4", "cambricon-siyuan-370"),
        ("Cambricon MLU370-X4", "cambricon-siyuan-370"),
    ]:
        assert entity[name] != parent
        assert chips[entity[name]]["variant_of"] == parent
    assert chips[entity["Cambricon MLU370-X8"]]["variant_of"] == "cambricon-siyuan-370"


def test_cell_marks_name_a_non_empty_cell_and_say_what_is_wrong(table, marks, records) -> None:
    cells = {row["Hardware name"]: row for row in table}
    metrics = {m["id"] for m in records["metric"]}
    assert marks
    for m in marks:
        assert m["row"] in cells, m
        assert m["column"] in cells[m["row"]], m
        assert cells[m["row"]][m["column"]].strip(), m
        assert m.get("note"), m
        assert m.get("suspect", False) or "metric" in m, m  # a mark says what is wrong with the cell
        if "metric" in m:
            assert m["metric"] in metrics, m
    marked = {(m["row"], m["column"]) for m in marks}
    assert ("MetaX MXC500 (OAM)", "Memory bandwidth (byte/s)") in marked
    assert ("Meta MTIA v2", "Memory (bytes)") in marked


def test_chinese_names_are_never_made_up_for_foreign_english_only_chips(records) -> None:
    path = KNOWLEDGE / "catalog" / "chips-epoch.toml"
    new = [c for c in tomllib.loads(path.read_text(encoding="utf-8"))["chip"] if not c.get("extends")]
    english_only = {"amd", "meta", "groq", "pezy", "nudt"}
    assert sorted(c["id"] for c in new if c["vendor"] in english_only and "name_zh" in c) == []
    assert sorted(c["id"] for c in new if c["vendor"] == "nvidia" and "name_zh" in c and not c["name_zh"].startswith("英伟达")) == []


def test_an_entity_without_a_chinese_name_shows_its_english_name_in_both_places() -> None:
    from chipmcp.kb.records import Chip, Vendor

    chip = Chip.model_validate({"id": "pezy-sc2", "vendor": "pezy", "name_en": "PEZY-SC2", "model": "PEZY-SC2", "kind": "ASIC"})
    assert (chip.name_zh, chip.name_en) == ("PEZY-SC2", "PEZY-SC2")
    vendor = Vendor.model_validate({"id": "huawei", "name_zh": "华为", "name_en": "Huawei", "kind": "chip-designer", "country": "CN"})
    assert vendor.name_zh == "华为"
    with pytest.raises(ValueError, match="name_zh"):
        Chip.model_validate({"id": "x-1", "vendor": "x", "name_zh": "", "name_en": "X 1", "model": "1", "kind": "ASIC"})
