"""The knowledge base answers from what it has already read (the figure rows of entities read, the parts
table, indexes of the catalog) exactly what a query of the file would."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from chipmcp.kb.store import KnowledgeBase


def _query(db_path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    connection = sqlite3.connect(db_path)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute(sql, params)]
    finally:
        connection.close()


def test_figures_by_ids_are_the_rows_a_query_gives_before_and_after_their_entities_are_read(db_path: Path) -> None:
    every = _query(db_path, "SELECT * FROM figures ORDER BY id")
    ids = [row["id"] for row in every]
    asked = [ids[:5], ids[120:100:-1] + ids[110:125], [ids[0], ids[0], ids[-1]], [ids[3], 10**9], []]
    kb = KnowledgeBase(db_path)
    try:
        for reading in ("none read", "some read", "all read"):
            if reading == "some read":
                kb.figures(every[0]["entity"])
            if reading == "all read":
                for entity in {row["entity"] for row in every}:
                    kb.figures(entity)
            for wanted in asked:
                assert kb.figures_by_ids(wanted) == [row for row in every if row["id"] in set(wanted)], (reading, wanted)
    finally:
        kb.close()


def test_parts_and_the_systems_of_a_chip_are_what_the_parts_table_says(kb: KnowledgeBase, db_path: Path) -> None:
    parts = _query(db_path, "SELECT * FROM parts ORDER BY system, chip")
    assert parts, "the real knowledge base has systems made of chips"
    for system in {p["system"] for p in parts} | {"no-such-system"}:
        assert kb.parts(system) == [p for p in parts if p["system"] == system]
    for chip in {p["chip"] for p in parts} | {"no-such-chip"}:
        assert kb.systems_with_chip(chip) == tuple(sorted({p["system"] for p in parts if p["chip"] == chip}))


def test_a_vendors_entities_and_a_chips_variants_are_those_a_pass_over_the_catalog_finds(kb: KnowledgeBase) -> None:
    entities = list(kb.entities.values())
    for vendor in {e["vendor"] for e in entities} | {"no-such-vendor"}:
        for kind in ("chip", "system", "vendor"):
            assert kb.entities_of_vendor(vendor, kind) == [e for e in entities if e["vendor"] == vendor and e["entity_kind"] == kind]
    assert any(e.get("variant_of") for e in entities), "the real knowledge base has variants"
    for entity in entities:
        assert kb.variants_of(entity["id"]) == [e["id"] for e in entities if e.get("variant_of") == entity["id"]]


def test_what_a_caller_is_given_is_its_own_list(kb: KnowledgeBase) -> None:
    vendor = next(e["vendor"] for e in kb.entities.values() if e["entity_kind"] == "chip")
    kb.entities_of_vendor(vendor).clear()
    assert kb.entities_of_vendor(vendor)
    system = next(e["id"] for e in kb.entities.values() if e["entity_kind"] == "system" and kb.parts(e["id"]))
    kb.parts(system).clear()
    assert kb.parts(system)


def test_an_entitys_aliases_are_those_a_query_of_the_aliases_table_gives(kb: KnowledgeBase, db_path: Path) -> None:
    sql = "SELECT DISTINCT alias FROM aliases WHERE entity = ? AND form != 'pinyin' AND NOT suspect ORDER BY alias"
    entities = [*kb.entities, "no-such-entity"]
    assert any(any(not a.isascii() for a in kb.aliases_of(e)) for e in entities), "the real knowledge base has Chinese names"
    for entity in entities:
        assert kb.aliases_of(entity) == tuple(row["alias"] for row in _query(db_path, sql, (entity,))), entity


def test_an_entitys_figures_are_all_without_metrics_those_of_the_metrics_asked_and_none_for_an_empty_list(
    kb: KnowledgeBase, db_path: Path
) -> None:
    every = _query(db_path, "SELECT * FROM figures WHERE entity = 'huawei-ascend-910b' ORDER BY id")
    metrics = sorted({row["metric"] for row in every})
    assert len(every) > 10 and len(metrics) > 3, "the 910B has many figures of many metrics"
    assert kb.figures("huawei-ascend-910b") == every
    assert kb.figures("huawei-ascend-910b", []) == []
    for asked in ([metrics[0]], metrics[1:3], [*metrics[:2], "no-such-metric"], ["no-such-metric"]):
        assert kb.figures("huawei-ascend-910b", asked) == [row for row in every if row["metric"] in asked], asked
