"""find_chips' column engine (chipmcp.reasoning.catalog_index) against the straightforward per-entity computation.

The reference below is the computation find_chips did before it had columns: one cell per entity and
metric, each filter and the sort applied entity by entity in Python. Over many random queries on the real
knowledge base the engine must give the same rows in the same order, the same total, the same cells and
the same not_reported lists.
"""

from __future__ import annotations

import gc
import os
import threading
import weakref
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chipmcp import tools
from chipmcp.core import compute
from chipmcp.core.units import PRECISIONS
from chipmcp.errors import InputError
from chipmcp.kb.store import KnowledgeBase
from chipmcp.reasoning import catalog_index, ranking
from chipmcp.reasoning.cells import Cell, Condition
from chipmcp.reasoning.metric_cells import METRICS, TEXT, better, metric_cell
from chipmcp.tools.xinchuang import certification_matches, chip_status
from mini import WithSpecRows, spec_row

EXAMPLES = int(os.environ.get("CHIPMCP_FUZZ_EXAMPLES", "300"))
QUICK_EXAMPLES = 40  # the quick loop's share; the full count runs with the slow tests
NUMERIC = [m for m in METRICS if m not in TEXT]
NUMERIC_OPS = (">", ">=", "<", "<=", "=", "!=")
TEXT_OPS = ("=", "!=", "contains")


# --- the reference: every entity in turn ------------------------------------------------------------------


@cache
def _reference_cell(kb: KnowledgeBase, entity: str, metric: str, precision: str) -> Cell:
    found = metric_cell(kb, entity, metric, precision)
    if any(f["basis"] == "plan" for f in kb.figures_by_ids(found.figure_ids)):  # a row says a planned figure is one
        return found.updated(label="; ".join(x for x in (found.label, "planned") if x))
    return found


def _reported(cell: Cell) -> bool:
    return cell.text is not None or cell.ends() is not None


def _passes(cell: Cell, metric: str, op: str, value: float | str) -> bool:
    if metric in TEXT:
        found = str(value).casefold() in (cell.text or "").casefold()
        return not found if op == "!=" else found
    low, high = cell.ends()  # type: ignore[misc]
    return {
        ">": low > value,
        ">=": low >= value,
        "<": high < value,
        "<=": high <= value,
        "=": low <= value <= high,
        "!=": not low <= value <= high,
    }[op]


def reference(
    kb: KnowledgeBase,
    vendor: str | None,
    domestic: bool | None,
    kind: str | None,
    certified: bool | None,
    where: list[tuple[str, str, float | str]],
    sort_by: str | None,
    descending: bool | None,
    precision: str,
) -> dict[str, Any]:
    pool = [e for e in kb.entities.values() if e["entity_kind"] in ("chip", "system")]
    if vendor is not None:
        family = {vendor, *kb.names.subsidiaries(vendor)}
        pool = [e for e in pool if e["vendor"] in family]
    if domestic is not None:
        pool = [e for e in pool if ((kb.entity(e["vendor"]) or {}).get("country") == "CN") == domestic]
    if kind is not None:
        wanted_kind = kind.strip().casefold()
        pool = [
            e
            for e in pool
            if (e["entity_kind"] == wanted_kind if wanted_kind in ("chip", "system") else e["kind"].casefold() == wanted_kind)
        ]
    status: dict[str, str] = {}
    family: list[str] = []
    if certified is not None:
        for e in pool:
            status[e["id"]] = chip_status(kb, e["id"]).match if e["entity_kind"] == "chip" else "none"
        family = [e["id"] for e in pool if status[e["id"]] == "same-family"]
        pool = [e for e in pool if (status[e["id"]] == "listed-product") == certified]
    wanted = list(dict.fromkeys([m for m, _, _ in where] + ([sort_by] if sort_by else [])))
    missing: dict[str, list[str]] = {m: [] for m in wanted}
    rows = []
    apart: list[tuple[dict[str, Any], str]] = []
    # The ranking rule in its by-id form (compare_chips'), over every filled cell of the pool per metric.
    table = {e["id"]: {m: _reference_cell(kb, e["id"], m, precision) for m in wanted} for e in pool}
    systems = {e["id"] for e in pool if e["entity_kind"] == "system"}
    systems_apart = any(e["entity_kind"] != "system" for e in pool)
    why = {
        m: {}
        if m in TEXT
        else ranking.left_out(
            {i: cells[m] for i, cells in table.items() if _reported(cells[m])},
            systems,
            systems_apart,
            {i for i, cells in table.items() if cells[m].label.endswith("planned")},
        )
        for m in wanted
    }
    for entity in pool:
        cells = table[entity["id"]]
        lacking = [m for m, c in cells.items() if not _reported(c)]
        kept_out = [m for m in wanted if entity["id"] in why[m]]
        if any(not _passes(cells[m], m, op, v) for m, op, v in where if m not in lacking and m not in kept_out):
            continue
        for m in lacking:
            missing[m].append(entity["id"])
        if not lacking and not kept_out:
            rows.append((entity, cells))
        elif not lacking:
            reasons = [why[m][entity["id"]] for m in kept_out]
            apart.append((entity, reasons[0] if len(wanted) == 1 else "; ".join(f"{m}: {why[m][entity['id']]}" for m in kept_out)))
    down = None
    if sort_by:
        higher = better(kb, sort_by) != "lower"
        down = higher if descending is None else descending

        def key(pair: tuple[dict[str, Any], dict[str, Cell]]) -> float:
            end = pair[1][sort_by].ends()[0 if higher else 1]  # type: ignore[index]
            return -end if down else end

        rows.sort(key=key)  # stable like the engine's sort: equal keys keep the catalog (id) order
    else:
        rows.sort(key=lambda pair: (pair[0]["vendor"] or "", pair[0]["entity_kind"], pair[0]["id"]))
    apart.sort(key=lambda pair: (pair[0]["vendor"] or "", pair[0]["entity_kind"], pair[0]["id"]))
    return {
        "apart": [(e["id"], reason) for e, reason in apart],
        "ids": [e["id"] for e, _ in rows],
        "cells": [{m: c.model_dump() for m, c in cells.items()} for _, cells in rows],
        "certified": [status.get(e["id"]) for e, _ in rows],
        "not_reported": [(m, ids) for m, ids in missing.items() if ids],
        "descending": down,
        "family": family,
    }


# --- queries drawn from the knowledge base's own values, so boundaries (=, ≥ at a printed value) are hit ---


@pytest.fixture(scope="module")
def catalog(kb: KnowledgeBase) -> dict[str, Any]:
    entities = [e for e in kb.entities.values() if e["entity_kind"] in ("chip", "system")]
    values = {
        m: sorted(
            {
                end
                for e in entities
                for precision in ("fp16", "int8")
                for end in (_reference_cell(kb, e["id"], m, precision).ends() or ())
            }
        )
        or [0.0]
        for m in NUMERIC
    }
    texts = sorted({c.text for e in entities for m in TEXT if (c := _reference_cell(kb, e["id"], m, "fp16")).text})
    kinds = sorted({e["kind"] for e in entities})
    return {
        "vendors": sorted({e["vendor"] for e in entities if e["vendor"]}),
        "values": values,
        "words": sorted({w for t in texts for w in (t, t[:3], t[-2:].upper())}),
        "kinds": kinds + [k.lower() for k in kinds] + ["system", " System ", "chip"],
    }


def _queries(catalog: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    # A metric's own printed values (and its neighbours) make ≥ versus > and = on a range's end matter.
    numeric = st.sampled_from(NUMERIC).flatmap(
        lambda m: st.tuples(
            st.just(m), st.sampled_from(NUMERIC_OPS), st.sampled_from(catalog["values"][m]) | st.floats(-10, 1e6, allow_nan=False)
        )
    )
    text = st.tuples(st.sampled_from(TEXT), st.sampled_from(TEXT_OPS), st.sampled_from(catalog["words"]))
    return st.fixed_dictionaries(
        {
            "vendor": st.one_of(st.none(), st.none(), st.sampled_from(catalog["vendors"])),
            "domestic": st.none() | st.booleans(),
            "kind": st.none() | st.none() | st.sampled_from(catalog["kinds"]),
            "certified": st.none() | st.none() | st.booleans(),
            "where": st.lists(numeric | text, max_size=3),
            "sort_by": st.none() | st.sampled_from(NUMERIC),
            "descending": st.none() | st.booleans(),
            "precision": st.sampled_from(["fp16", "fp16", "int8", "bf16", "fp8", "fp32", *PRECISIONS]),
            "limit": st.integers(1, 100),
            "offset": st.integers(0, 160),
        }
    )


def _fast(kb: KnowledgeBase, query: dict[str, Any], limit: int, offset: int):
    return tools.BY_NAME["find_chips"].call(
        kb,
        vendor=query["vendor"],
        domestic=query["domestic"],
        kind=query["kind"],
        certified=query["certified"],
        where=[{"metric": m, "op": op, "value": v} for m, op, v in query["where"]],
        sort_by=query["sort_by"],
        descending=query["descending"],
        precision=query["precision"],
        limit=limit,
        offset=offset,
        detail="full",
    )


def assert_same_answers(kb: KnowledgeBase, query: dict[str, Any]) -> None:
    expected = reference(
        kb,
        query["vendor"],
        query["domestic"],
        query["kind"],
        query["certified"],
        [(m, op, v if m in TEXT else float(v)) for m, op, v in query["where"]],
        query["sort_by"],
        query["descending"],
        query["precision"],
    )
    first = _fast(kb, query, 100, 0)
    end = max(first.total, first.partial_total or 0, first.not_ranked_total or 0)  # every page, however large the catalog grows
    whole = [_fast(kb, query, 100, offset) for offset in range(0, max(end, 1), 100)]
    rows = [r for answer in whole for r in answer.rows]
    assert [r.id for r in rows] == expected["ids"]
    assert [(r.id, r.why) for answer in whole for r in answer.not_ranked] == expected["apart"]
    assert [{m: c.model_dump() for m, c in r.cells.items()} for r in rows] == expected["cells"]
    assert [r.certified for r in rows] == expected["certified"]
    if query["offset"] and query["offset"] >= end:  # past the end of every list: an error that says so
        with pytest.raises(InputError, match="past the end"):
            _fast(kb, query, query["limit"], query["offset"])
        return
    page = _fast(kb, query, query["limit"], query["offset"])
    window = slice(query["offset"], query["offset"] + query["limit"])
    for answer in (*whole, page):
        assert answer.total == len(expected["ids"])
        assert [(g.metric, g.chips) for g in answer.not_reported] == expected["not_reported"]
        assert all(g.count == len(g.chips) for g in answer.not_reported)
        assert answer.descending == expected["descending"]
        if query["certified"] is not None:  # the chips only of a listed product's family, named or counted
            said = next(f for f in answer.filters if "安全可靠测评" in f)
            family = expected["family"]
            named = f"{len(family)} only of a listed product's family: {', '.join(family)})"
            counted = f"({len(family)} of them of a listed product's family)"
            assert said.endswith(named if query["certified"] else counted) == bool(family)
    assert [r.id for r in page.rows] == expected["ids"][window]
    assert page.returned == len(expected["ids"][window])


@pytest.mark.parametrize(
    "examples", [pytest.param(QUICK_EXAMPLES, id="quick"), pytest.param(EXAMPLES, id="full", marks=pytest.mark.slow)]
)
def test_engine_answers_every_random_query_exactly_as_the_per_entity_computation(kb, catalog, examples: int) -> None:
    @settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(query=_queries(catalog))
    def check(query: dict[str, Any]) -> None:
        assert_same_answers(kb, query)

    check()


@pytest.mark.parametrize("op", NUMERIC_OPS)
@pytest.mark.parametrize("per_metric", [pytest.param(2, id="quick"), pytest.param(6, id="full", marks=pytest.mark.slow)])
def test_engine_agrees_at_printed_values_where_each_comparison_is_decided(kb, catalog, op, per_metric: int) -> None:
    # A condition at a value some entity prints is where > and ≥, or a range's end and =, part ways: every
    # metric at its smallest and largest printed value and `per_metric` evenly spaced between.
    for metric in NUMERIC:
        values = catalog["values"][metric]
        for value in values[:: max(1, len(values) // per_metric)] + values[-1:]:
            assert_same_answers(
                kb,
                {
                    "vendor": None,
                    "domestic": None,
                    "kind": None,
                    "certified": None,
                    "where": [(metric, op, value)],
                    "sort_by": metric,
                    "descending": None,
                    "precision": "fp16",
                    "limit": 10,
                    "offset": 0,
                },
            )


def test_the_engine_is_exercised_on_matches_gaps_and_every_filter(kb) -> None:
    # Guards the random test against vacuity: this query has rows, gaps, and chips only of a listed family.
    query = {
        "vendor": None,
        "domestic": True,
        "kind": "npu",
        "certified": False,
        "where": [("memory_gb", ">=", 32.0)],
        "sort_by": "compute_tflops",
        "descending": None,
        "precision": "fp16",
        "limit": 3,
        "offset": 1,
    }
    assert_same_answers(kb, query)
    expected = reference(kb, None, True, "npu", False, query["where"], "compute_tflops", None, "fp16")
    assert len(expected["ids"]) >= 2 and expected["not_reported"] and expected["family"]


def test_index_builds_each_column_once_however_many_threads_ask(kb) -> None:
    index = catalog_index.CatalogIndex(kb)
    columns: list[catalog_index.Column] = []
    threads = [threading.Thread(target=lambda: columns.append(index.column("tflops_per_w", "fp16"))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(columns) == 8 and all(c is columns[0] for c in columns)
    assert index.column("memory_gb", "fp16") is index.column("memory_gb", "int8")  # memory reads no compute
    assert index.column("compute_tflops", "fp16") is not index.column("compute_tflops", "int8")


def test_a_query_asks_the_rule_only_for_entries_of_the_entities_its_cheap_filters_leave(mini_kb) -> None:
    """A column's entries come in bulk for every entity; an entry the bulk form leaves (beside a figure in a unit
    the rule refuses: mini-beta's and mini-delta's TDP here) is read from its cell only for the entities the
    cheap filters leave (mini-delta, of minico-sub)."""
    refused = [spec_row("mini-beta", "tdp", 10_001, 2.0, "马力"), spec_row("mini-delta", "tdp", 10_002, 2.0, "马力")]
    kb = WithSpecRows(mini_kb.path, refused)
    index = catalog_index.CatalogIndex(kb)
    memory_reported = (Condition(metric="memory_gb", op=">", value=0),)
    index.find(
        catalog_index.Query(vendors=frozenset({"minico-sub"}), sort_by="tdp_w", conditions=memory_reported),
        certification=lambda chips: ["none"] * len(chips),
    )
    nothing = compute.mask(index.size, [])
    tdp, memory = index.column("tdp_w", "fp16", nothing), index.column("memory_gb", "fp16", nothing)  # enter nothing more
    catalog = {e["id"] for e in kb.entities.values() if e["entity_kind"] in ("chip", "system")}
    assert "mini-beta" in catalog and kb.entities["mini-delta"]["vendor"] == "minico-sub"
    assert {index.ids[p] for p in range(index.size) if tdp.known[p]} == catalog - {"mini-beta"}
    assert {index.ids[p] for p in range(index.size) if memory.known[p]} == catalog


def test_certification_matches_are_each_chips_status_match(kb) -> None:
    chips = kb.ids("chip")
    assert certification_matches(kb, chips) == [chip_status(kb, c).match for c in chips]
    assert {"listed-product", "same-family", "none"} <= set(certification_matches(kb, chips))


def test_index_keeps_a_bounded_number_of_columns(kb, monkeypatch) -> None:
    monkeypatch.setattr(catalog_index, "MAX_COLUMNS", 3)
    index = catalog_index.CatalogIndex(kb)
    for precision in ("fp16", "bf16", "int8", "fp8", "fp32"):
        index.column("compute_tflops", precision)
    assert len(index._columns) == 3
    assert [key[1] for key in index._columns] == ["int8", "fp8", "fp32"]  # least recently used left first


def test_index_does_not_keep_its_knowledge_base_alive(db_path) -> None:
    kb = KnowledgeBase(db_path)
    tools.BY_NAME["find_chips"].call(kb, sort_by="memory_gb")
    gone = weakref.ref(kb)
    kb.close()
    del kb
    gc.collect()
    assert gone() is None


def test_a_tpp_column_for_a_few_entities_reads_their_cells_and_one_for_many_is_built_in_bulk_the_same(kb) -> None:
    """TPP's bulk form reads compute at every precision: a query whose cheap filters leave a few entities fills
    only theirs from chip_cell; a later one over the whole catalog enters the bulk entries, every one the rule's."""
    index = catalog_index.CatalogIndex(kb)
    hygon = [p for p in range(index.size) if kb.entities[index.ids[p]]["vendor"] == "hygon"]
    assert 0 < len(hygon) <= catalog_index.FEW_FOR_BULK_TPP < index.size
    narrow = index.column("tpp", "fp16", compute.mask(index.size, hygon))
    assert (narrow.entered, [p for p in range(index.size) if narrow.known[p]]) == (False, hygon)
    whole = index.column("tpp", "fp16")
    assert whole is narrow and whole.entered and bool(whole.known.all())
    for at, entity in enumerate(index.ids):
        ends = catalog_index.chip_cell(kb, entity, "tpp", "fp16").ends()
        got = (float(whole.low[at]), float(whole.high[at])) if whole.reported[at] else None
        assert got == ends, entity
