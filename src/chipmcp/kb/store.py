"""The knowledge base at run time: finds (or builds) the SQLite file and answers typed queries.

The file is opened read-only (`mode=ro` URI), so nothing reachable from a tool can change it.
Every query is parameterized; this is the only module that speaks SQL.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from chipmcp.core.names import AliasEntry, EntityInfo, NameIndex, search_terms
from chipmcp.kb.fingerprint import fingerprint
from chipmcp.kb.folders import bundled_dir, folder_of, knowledge_folders
from chipmcp.kb.memo import Memo, MemoNames, per_knowledge_base
from chipmcp.kb.spec_columns import RANK, Packed, empty, unpack
from chipmcp.kb.spec_index import FAMILY_INDEX, GENERATION_INDEX, SPEC_FIELDS

log = logging.getLogger("chipmcp")


def knowledge_dir() -> Path:
    """The bundled knowledge/ folder alone (see chipmcp.kb.store.folders; extra folders are merged over it)."""
    return bundled_dir()


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "chipmcp"


def default_db_path(knowledge: Path | Sequence[Path]) -> Path:
    """CHIPMCP_DB if set; else a cache file named by the knowledge's fingerprint, so edited knowledge
    never meets a stale database."""
    configured = os.environ.get("CHIPMCP_DB")
    if configured:
        return Path(configured)
    return cache_dir() / f"chipmcp-{fingerprint(knowledge)}.db"


def ensure_database(knowledge: Path | Sequence[Path] | None = None, db_path: Path | None = None) -> Path:
    """The database path, building it first when it does not exist yet. Default knowledge: the bundled
    folder and the user's extra folders (CHIPMCP_KNOWLEDGE)."""
    knowledge = knowledge or knowledge_folders()
    path = db_path or default_db_path(knowledge)
    if not path.exists():
        from chipmcp.kb import build  # only when there is something to build: the builder is slow to import

        log.info("building the knowledge base into %s", path)
        build.build(knowledge, path)
    return path


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One full-text match: an entity's names (metric and figure None), a metric's labels (entity None), or a figure."""

    entity: str | None
    metric: str | None
    figure: int | None
    score: float  # higher is better


# Figure rows kept by id beside their entities' (KnowledgeBase._read_rows): the real knowledge base has a few
# thousand; one a hundred times larger starts the map again past this many.
READ_ROWS_KEPT = 50_000

_LICENCE_FIELDS = frozenset({"url", "licence", "licence_url", "credit", "changes"})


def _figure_id(row: dict[str, Any]) -> int:
    return row["id"]


class KnowledgeBase:
    """Typed, read-only queries over one built database file."""

    def __init__(self, path: Path):
        self.path = path
        uri = f"{path.resolve().as_uri()}?mode=ro"
        self._connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._connection.execute("PRAGMA query_only = ON")
        self._lock = threading.Lock()  # sync tools run in worker threads; one connection, serialized
        # Results computed from this file (chosen cells, derived metrics, name matches …), dropped on close.
        self.memo = Memo()
        # The file never changes while open, so an entity's figures can be kept once read. Bounded, so a
        # knowledge base far larger than the real one cannot grow the server's memory without limit.
        self._figures_of = lru_cache(maxsize=4096)(self._read_figures)
        self._metric_figures_of = lru_cache(maxsize=4096)(self._group_figures)
        self._search = lru_cache(maxsize=4096)(self._read_search)
        self._figures_with_ids = lru_cache(maxsize=4096)(self._read_figures_with_ids)
        # Every figure row read with its entity's, by id: the figures an answer cites are nearly always those
        # of the entities it has just read, so they need no query of their own (figures_by_ids).
        self._read_rows: dict[int, dict[str, Any]] = {}
        self._quantities = lru_cache(maxsize=4096)(self._read_quantities)

    @classmethod
    def open_default(cls, knowledge: Sequence[Path] | None = None) -> KnowledgeBase:
        """The database of `knowledge` (default: bundled plus CHIPMCP_KNOWLEDGE's folders), built if needed."""
        return cls(ensure_database(knowledge))

    def close(self) -> None:
        self.memo.clear()
        self._read_rows = {}
        self._connection.close()

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self._lock:
            cursor = self._connection.execute(sql, params)
            rows = cursor.fetchall()
        # Rows as dicts, the column names read once per query rather than once per row (a row factory's way).
        names = [column[0] for column in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _tuples(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._connection.execute(sql, params).fetchall()

    # --- catalog ----------------------------------------------------------------------------------
    @cached_property
    def entities(self) -> dict[str, dict[str, Any]]:
        return {row["id"]: row for row in self._rows("SELECT * FROM entities ORDER BY id")}

    @cached_property
    def sources(self) -> dict[str, dict[str, Any]]:
        # A licence's fields (url, licence, credit …) only where the source has them: a report's record reads as before.
        return {
            row["id"]: {k: v for k, v in row.items() if v or k not in _LICENCE_FIELDS}
            for row in self._rows("SELECT * FROM sources ORDER BY id")
        }

    @cached_property
    def preferred_because(self) -> dict[int, str]:
        """Figure id → the rule that made it the preferred figure of a disagreement (build.PREFERENCE_RULES)."""
        return dict(self._tuples("SELECT id, preferred_because FROM figures WHERE preferred_because IS NOT NULL"))

    @cached_property
    def metric_order(self) -> dict[str, int]:
        """Metric id → its place in knowledge/metrics.toml (key specs first, form factor and use case after)."""
        return {row["id"]: index for index, row in enumerate(self._rows("SELECT id FROM metrics ORDER BY rowid"))}

    @cached_property
    def metrics(self) -> dict[str, dict[str, Any]]:
        rows = {row["id"]: row for row in self._rows("SELECT * FROM metrics ORDER BY id")}
        for row in rows.values():  # the estimate relation and the names are stored as JSON text
            row["estimate"] = json.loads(row["estimate"]) if row.get("estimate") else None
            row["names"] = json.loads(row["names"]) if row.get("names") else []
        return rows

    @cached_property
    def names(self) -> NameIndex:
        # Every alias row, read as tuples: the index is what a first question waits for, and a dict per row
        # (`_rows`) would be a third of its making.
        entries = [
            AliasEntry(key, entity, alias, form, signature, bool(suspect), note or "")
            for key, entity, alias, form, signature, suspect, note in self._tuples(
                "SELECT key, entity, alias, form, signature, suspect, note FROM aliases ORDER BY key, entity"
            )
        ]
        infos = [
            EntityInfo(e["id"], e["entity_kind"], display_name(e), e["vendor"], e["model"], e["parent"]) for e in self.entities.values()
        ]
        return MemoNames(entries, infos, self.memo)

    def entity(self, entity_id: str) -> dict[str, Any] | None:
        return self.entities.get(entity_id)

    def ids(self, entity_kind: str) -> list[str]:
        return [e["id"] for e in self.entities.values() if e["entity_kind"] == entity_kind]

    def generations(self) -> list[tuple[str, str]]:
        """(entity id, generation id) of every entity naming its generation, in id order: a few hundred rows
        read through their index, where a pass over the whole catalog would visit every entity."""
        rows = self._tuples(f"SELECT id, generation FROM entities INDEXED BY {GENERATION_INDEX} WHERE generation > ''")
        # A code-point sort is SQLite's binary one of UTF-8, the order of kb.entities.
        return [(entity, generation) for entity, generation in sorted(rows)]

    def entities_of_families(self, families: Collection[str]) -> list[str]:
        """The ids of every entity of one of `families`, in id order (through their index: a few rows)."""
        if not families:
            return []
        marks = ",".join("?" * len(families))
        sql = f"SELECT id FROM entities INDEXED BY {FAMILY_INDEX} WHERE family IN ({marks})"
        return sorted(entity for (entity,) in self._tuples(sql, tuple(families)))

    def entities_of_vendor(self, vendor_id: str, entity_kind: str = "chip") -> list[dict[str, Any]]:
        return list(self._of_vendor.get((vendor_id, entity_kind), ()))

    @cached_property
    def _of_vendor(self) -> dict[tuple[str, str], tuple[dict[str, Any], ...]]:
        """Entities by (vendor, kind), each in id order: one pass over the catalog rather than one per question."""
        found: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for e in self.entities.values():
            found.setdefault((e["vendor"], e["entity_kind"]), []).append(e)
        return {key: tuple(rows) for key, rows in found.items()}

    def variants_of(self, entity_id: str) -> list[str]:
        """The chips that name this one as what a report's unqualified name means (H100 PCIe → H100)."""
        return list(self._variants.get(entity_id, ()))

    @cached_property
    def _variants(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        for e in self.entities.values():  # in id order, as each entity's list reads
            if e.get("variant_of"):
                found.setdefault(e["variant_of"], []).append(e["id"])
        return {entity: tuple(ids) for entity, ids in found.items()}

    def aliases_of(self, entity_id: str) -> tuple[str, ...]:
        """Every written name of an entity except generated pinyin and suspect spellings."""
        return self._written_names.get(entity_id, ())

    @cached_property
    def _written_names(self) -> dict[str, tuple[str, ...]]:
        """Each entity's aliases, as `SELECT DISTINCT alias FROM aliases WHERE entity = ? AND form != 'pinyin'
        AND NOT suspect ORDER BY alias` gives them, from the rows the name index read: one pass once per
        knowledge base, not a query per entity asked about (a code-point sort is SQLite's binary one of UTF-8)."""
        found: dict[str, set[str]] = {}
        for entries in self.names.by_key.values():
            for entry in entries:
                if entry.form != "pinyin" and not entry.suspect:
                    found.setdefault(entry.entity, set()).add(entry.alias)
        return {entity: tuple(sorted(aliases)) for entity, aliases in found.items()}

    # --- figures ------------------------------------------------------------------------------------
    def figures(self, entity_id: str, metrics: list[str] | None = None) -> list[dict[str, Any]]:
        """An entity's figures in id order: all (`metrics` None), or those of `metrics` (none for an empty list).
        Treat the rows as read-only: they are shared."""
        if metrics is None:
            return list(self._figures_of(entity_id))
        if len(metrics) == 1:  # the selection rule asks one metric at a time, a dozen per entity
            return list(self._metric_figures_of(entity_id).get(metrics[0], ()))
        wanted = set(metrics)
        return [row for row in self._figures_of(entity_id) if row["metric"] in wanted]

    def _group_figures(self, entity_id: str) -> dict[str, tuple[dict[str, Any], ...]]:
        """An entity's figures by metric, each metric's in id order: one pass, not one per metric asked."""
        grouped: dict[str, list[dict[str, Any]]] = {}
        for row in self._figures_of(entity_id):
            grouped.setdefault(row["metric"], []).append(row)
        return {metric: tuple(rows) for metric, rows in grouped.items()}

    def _read_figures(self, entity_id: str) -> tuple[dict[str, Any], ...]:
        # In id order, sorted here: an ORDER BY would have SQLite sort whole rows (every column) in a temporary
        # B-tree, a third of the read; the id is unique, so the order is the same.
        rows = tuple(sorted(self._rows("SELECT * FROM figures WHERE entity = ?", (entity_id,)), key=_figure_id))
        if len(self._read_rows) > READ_ROWS_KEPT:  # a knowledge base far larger than the real one: start again
            self._read_rows = {}
        self._read_rows.update((row["id"], row) for row in rows)
        return rows

    def spec_figures(self, metric: str, fields: Collection[str] = SPEC_FIELDS) -> dict[str, Packed]:
        """Every entity's figures of `metric` tied to no period (the rows the selection rule chooses among), in id
        order, the `fields` asked (of SPEC_FIELDS and RANK) each as one packed array (chipmcp.kb.spec_columns):
        one query for a whole catalog column, and no Python object per field of every row."""
        wanted = [field for field in (*SPEC_FIELDS, RANK) if field in fields]
        marks = ", ".join("?" * len(wanted))
        found = {
            field: unpack(field, labels, data)
            for field, labels, data in self._tuples(
                f"SELECT field, labels, data FROM spec_columns WHERE metric = ? AND field IN ({marks})", (metric, *wanted)
            )
        }
        return {field: found.get(field) or empty(field) for field in wanted}

    def figures_by_ids(self, ids: list[int]) -> list[dict[str, Any]]:
        """The figures of `ids` that exist, each once, in id order. Treat the rows as read-only: they are shared."""
        if not ids:
            return []
        read = self._read_rows
        try:
            return [read[i] for i in sorted(set(ids))]
        except KeyError:  # one of them not read yet (or no such figure): the query says
            return list(self._figures_with_ids(tuple(ids)))

    def _read_figures_with_ids(self, ids: tuple[int, ...]) -> tuple[dict[str, Any], ...]:
        marks = ",".join("?" * len(ids))
        return tuple(self._rows(f"SELECT * FROM figures WHERE id IN ({marks}) ORDER BY id", ids))

    def figures_of_quantity(self, quantities: list[str]) -> list[dict[str, Any]]:
        """Every figure reporting one of `quantities` (one quantity from several publishers), any entity."""
        return list(self._quantities(tuple(quantities))) if quantities else []

    def _read_quantities(self, quantities: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
        marks = ",".join("?" * len(quantities))
        return tuple(self._rows(f"SELECT * FROM figures WHERE quantity IN ({marks}) ORDER BY id", quantities))

    def parts(self, system_id: str) -> list[dict[str, Any]]:
        return list(self._parts[0].get(system_id, ()))

    def trained_on(self, workload_id: str) -> dict[str, Any] | None:
        """The chip a reported run was trained on, with the citation that names it (None when no report does)."""
        rows = self._rows("SELECT * FROM trained_on WHERE workload = ?", (workload_id,))
        return rows[0] if rows else None

    def planned_entities(self) -> tuple[str, ...]:
        """The entities with any planned figure (basis plan: roadmap products, a few dozen), in id order:
        read once, so compare_chips asks whether a cell is planned of these alone."""
        return self._planned_entities

    @cached_property
    def planned_figure_ids(self) -> frozenset[int]:
        """The ids of the planned figures (basis plan), read through the build's partial index of them."""
        return frozenset(row[0] for row in self._tuples("SELECT id FROM figures WHERE basis = 'plan'"))

    @cached_property
    def _planned_entities(self) -> tuple[str, ...]:
        return tuple(row[0] for row in self._tuples("SELECT DISTINCT entity FROM figures WHERE basis = 'plan' ORDER BY entity"))

    def systems_with_chip(self, chip_id: str) -> tuple[str, ...]:
        """Systems that contain the chip."""
        return self._parts[1].get(chip_id, ())

    @cached_property
    def _parts(self) -> tuple[dict[str, tuple[dict[str, Any], ...]], dict[str, tuple[str, ...]]]:
        """The parts table (a few rows per system) read once: each system's parts by chip, each chip's
        systems in order — asked of every chip looked up, answered by most with nothing."""
        by_system: dict[str, list[dict[str, Any]]] = {}
        by_chip: dict[str, dict[str, None]] = {}
        for row in self._rows("SELECT * FROM parts ORDER BY system, chip"):
            by_system.setdefault(row["system"], []).append(row)
            by_chip.setdefault(row["chip"], {})[row["system"]] = None
        return {k: tuple(v) for k, v in by_system.items()}, {k: tuple(v) for k, v in by_chip.items()}

    # --- full-text search ----------------------------------------------------------------------------
    def search(self, text: str, limit: int = 200) -> tuple[SearchHit, ...]:
        """Documents (entities, metrics, figures) sharing words with `text`, best first (bm25, a name hit
        weighing most, then metric labels, locators, notes). Any word may match: ranking, not filtering."""
        return self._search(search_terms(text), limit)

    def _read_search(self, terms: str, limit: int) -> tuple[SearchHit, ...]:
        # NUL ends a C string: SQLite would read an open quote. Other text is safe inside "…" with "" escaped.
        words = list(dict.fromkeys(w for w in terms.replace("\x00", " ").split() if w.isprintable()))
        if not words:
            return ()
        match = " OR ".join('"' + word.replace('"', '""') + '"' for word in words[:32])
        rows = self._rows(
            "SELECT s.entity, s.metric, s.figure, bm25(search_fts, 10.0, 5.0, 2.0, 1.0) AS rank "
            "FROM search_fts JOIN search s ON s.rowid = search_fts.rowid "
            "WHERE search_fts MATCH ? ORDER BY rank, s.id LIMIT ?",
            (match, limit),
        )
        return tuple(SearchHit(r["entity"], r["metric"], r["figure"], -float(r["rank"])) for r in rows)

    def industry_table_members(self, owner_kinds: frozenset[str], metrics: frozenset[str]) -> dict[str, list[int]]:
        """Owner entity (of `owner_kinds`) → ids of vendors' figures of `metrics` printed in a table (same
        source and locator) where the owner has a figure too: a share table's vendors, a group's members."""
        return self._table_members(tuple(sorted(owner_kinds)), tuple(sorted(metrics)))[0]

    def industry_table_owners(self, owner_kinds: frozenset[str], metrics: frozenset[str]) -> dict[int, list[str]]:
        """The inverse of industry_table_members: vendor figure id → owner entities."""
        return self._table_members(tuple(sorted(owner_kinds)), tuple(sorted(metrics)))[1]

    @per_knowledge_base
    def _table_members(
        self, owner_kinds: tuple[str, ...], metrics: tuple[str, ...]
    ) -> tuple[dict[str, list[int]], dict[int, list[str]]]:
        kinds, wanted = ",".join("?" * len(owner_kinds)), ",".join("?" * len(metrics))
        rows = self._rows(
            "SELECT DISTINCT o.entity AS owner, f.id AS figure FROM figures f "
            "JOIN figures o ON o.source = f.source AND o.locator = f.locator AND o.entity != f.entity "
            f"WHERE f.entity_kind = 'vendor' AND f.metric IN ({wanted}) AND o.entity_kind IN ({kinds}) "
            "ORDER BY o.entity, f.id",
            (*metrics, *owner_kinds),
        )
        members: dict[str, list[int]] = {}
        owners: dict[int, list[str]] = {}
        for row in rows:
            members.setdefault(row["owner"], []).append(row["figure"])
            owners.setdefault(row["figure"], []).append(row["owner"])
        return members, owners

    # --- certification ------------------------------------------------------------------------------
    @cached_property
    def announcements(self) -> dict[str, dict[str, Any]]:
        return {row["id"]: row for row in self._rows("SELECT * FROM announcements ORDER BY id")}

    def certifications(self) -> list[dict[str, Any]]:
        return list(self._certifications)

    @cached_property
    def _certifications(self) -> tuple[dict[str, Any], ...]:
        return tuple(self._rows("SELECT * FROM certifications ORDER BY announcement, seq"))

    @cached_property
    def control_classes(self) -> tuple[dict[str, Any], ...]:
        """Export-control classes in (regime, reading, source, precedence) order; `clauses` parsed."""
        rows = self._rows("SELECT * FROM control_classes ORDER BY regime, reading, source, precedence")
        return tuple(row | {"clauses": json.loads(row["clauses"])} for row in rows)

    def figure_count_by_source(self) -> dict[str, int]:
        return {r["source"]: r["n"] for r in self._rows("SELECT source, count(*) AS n FROM figures GROUP BY source")}

    def all_figures(self) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM figures ORDER BY id")

    def figure_count_by_metric(self) -> dict[str, int]:
        return {r["metric"]: r["n"] for r in self._rows("SELECT metric, count(*) AS n FROM figures GROUP BY metric")}

    @cached_property
    def metric_entity_kinds(self) -> dict[str, frozenset[str]]:
        """Metric id → the kinds of entity (chip, system, vendor, market, workload) some figure of it is of."""
        found: dict[str, set[str]] = {}
        for metric, kind in self._tuples("SELECT DISTINCT metric, entity_kind FROM figures"):
            found.setdefault(metric, set()).add(kind)
        return {metric: frozenset(kinds) for metric, kinds in found.items()}

    @cached_property
    def folders(self) -> tuple[str, ...]:
        """Labels of the knowledge folders the database was built from, bundled first."""
        rows = self._rows("SELECT value FROM meta WHERE key = 'folders'")
        return tuple(json.loads(rows[0]["value"])) if rows else ()

    def folder_of(self, origin: str) -> str:
        """The folder label a record's origin lies in."""
        return folder_of(origin, self.folders)

    def all_parts(self) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM parts ORDER BY system, chip")

    def all_trained_on(self) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM trained_on ORDER BY workload")

    @cached_property
    def _tables(self) -> frozenset[str]:
        return frozenset(r["name"] for r in self._rows("SELECT name FROM sqlite_master WHERE type = 'table'"))

    # --- whole-table reads for resources and benchmarks ---------------------------------------------
    def count(self, table: str) -> int:
        if table not in self._tables:
            raise ValueError(f"unknown table {table!r}")
        return int(self._rows(f"SELECT count(*) AS n FROM {table}")[0]["n"])  # table name checked above


def display_name(entity: dict[str, Any]) -> str:
    """'昇腾910B (Ascend 910B)', or one name when both are the same."""
    zh, en = entity["name_zh"], entity["name_en"]
    return zh if zh == en else f"{zh} ({en})"
