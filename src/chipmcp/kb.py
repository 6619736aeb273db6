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
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from .fingerprint import fingerprint
from .names import AliasEntry, EntityInfo, NameIndex

log = logging.getLogger("chipmcp")

_PACKAGE_DIR = Path(__file__).resolve().parent


def knowledge_dir() -> Path:
    """knowledge/ shipped in the wheel, or the repository's when installed editable."""
    configured = os.environ.get("CHIPMCP_KNOWLEDGE")
    if configured:
        return Path(configured)
    for candidate in (_PACKAGE_DIR / "knowledge", _PACKAGE_DIR.parents[1] / "knowledge"):
        if (candidate / "sources.toml").is_file():
            return candidate
    raise FileNotFoundError("chipmcp's knowledge/ folder is missing from this installation")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "chipmcp"


def default_db_path(knowledge: Path) -> Path:
    """CHIPMCP_DB if set; else a cache file named by the knowledge's fingerprint, so edited knowledge
    never meets a stale database."""
    configured = os.environ.get("CHIPMCP_DB")
    if configured:
        return Path(configured)
    return cache_dir() / f"chipmcp-{fingerprint(knowledge)}.db"


def ensure_database(knowledge: Path | None = None, db_path: Path | None = None) -> Path:
    """The database path, building it first when it does not exist yet."""
    knowledge = knowledge or knowledge_dir()
    path = db_path or default_db_path(knowledge)
    if not path.exists():
        from . import build  # only when there is something to build: the builder is slow to import

        log.info("building the knowledge base into %s", path)
        build.build(knowledge, path)
    return path


class KnowledgeBase:
    """Typed, read-only queries over one built database file."""

    def __init__(self, path: Path):
        self.path = path
        uri = f"{path.resolve().as_uri()}?mode=ro"
        self._connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._connection.row_factory = _dict_row
        self._connection.execute("PRAGMA query_only = ON")
        self._lock = threading.Lock()  # sync tools run in worker threads; one connection, serialized
        # The file never changes while open, so an entity's figures can be kept once read. Bounded, so a
        # knowledge base far larger than the real one cannot grow the server's memory without limit.
        self._figures_of = lru_cache(maxsize=4096)(self._read_figures)
        self._aliases_of = lru_cache(maxsize=4096)(self._read_aliases)
        self._systems_with_chip = lru_cache(maxsize=4096)(self._read_systems_with_chip)
        self._parts_of = lru_cache(maxsize=4096)(self._read_parts)

    @classmethod
    def open_default(cls) -> KnowledgeBase:
        return cls(ensure_database())

    def close(self) -> None:
        self._connection.close()

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self._lock:
            return self._connection.execute(sql, params).fetchall()

    # --- catalog ----------------------------------------------------------------------------------
    @cached_property
    def entities(self) -> dict[str, dict[str, Any]]:
        return {row["id"]: row for row in self._rows("SELECT * FROM entities ORDER BY id")}

    @cached_property
    def sources(self) -> dict[str, dict[str, Any]]:
        return {row["id"]: row for row in self._rows("SELECT * FROM sources ORDER BY id")}

    @cached_property
    def metrics(self) -> dict[str, dict[str, Any]]:
        return {row["id"]: row for row in self._rows("SELECT * FROM metrics ORDER BY id")}

    @cached_property
    def names(self) -> NameIndex:
        entries = [AliasEntry(r["key"], r["entity"], r["alias"], r["form"], r["signature"])
                   for r in self._rows("SELECT key, entity, alias, form, signature FROM aliases ORDER BY key, entity")]
        infos = [EntityInfo(e["id"], e["entity_kind"], display_name(e), e["vendor"], e["model"], e["parent"])
                 for e in self.entities.values()]
        return NameIndex(entries, infos)

    def entity(self, entity_id: str) -> dict[str, Any] | None:
        return self.entities.get(entity_id)

    def ids(self, entity_kind: str) -> list[str]:
        return [e["id"] for e in self.entities.values() if e["entity_kind"] == entity_kind]

    def entities_of_vendor(self, vendor_id: str, entity_kind: str = "chip") -> list[dict[str, Any]]:
        return [e for e in self.entities.values() if e["vendor"] == vendor_id and e["entity_kind"] == entity_kind]

    def aliases_of(self, entity_id: str) -> tuple[str, ...]:
        """Every written name of an entity except generated pinyin."""
        return self._aliases_of(entity_id)

    def _read_aliases(self, entity_id: str) -> tuple[str, ...]:
        rows = self._rows("SELECT DISTINCT alias FROM aliases WHERE entity = ? AND form != 'pinyin' ORDER BY alias",
                          (entity_id,))
        return tuple(r["alias"] for r in rows)

    # --- figures ------------------------------------------------------------------------------------
    def figures(self, entity_id: str, metrics: list[str] | None = None) -> list[dict[str, Any]]:
        """An entity's figures in id order, all or those of `metrics`. Treat the rows as read-only: they are shared."""
        rows = self._figures_of(entity_id)
        if metrics:
            wanted = set(metrics)
            return [row for row in rows if row["metric"] in wanted]
        return list(rows)

    def _read_figures(self, entity_id: str) -> tuple[dict[str, Any], ...]:
        return tuple(self._rows("SELECT * FROM figures WHERE entity = ? ORDER BY id", (entity_id,)))

    def figures_by_ids(self, ids: list[int]) -> list[dict[str, Any]]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return self._rows(f"SELECT * FROM figures WHERE id IN ({marks}) ORDER BY id", tuple(ids))

    def parts(self, system_id: str) -> list[dict[str, Any]]:
        return list(self._parts_of(system_id))

    def _read_parts(self, system_id: str) -> tuple[dict[str, Any], ...]:
        return tuple(self._rows("SELECT * FROM parts WHERE system = ? ORDER BY chip", (system_id,)))

    def systems_with_chip(self, chip_id: str) -> tuple[str, ...]:
        """Systems that contain the chip."""
        return self._systems_with_chip(chip_id)

    def _read_systems_with_chip(self, chip_id: str) -> tuple[str, ...]:
        return tuple(r["system"] for r in self._rows("SELECT DISTINCT system FROM parts WHERE chip = ? ORDER BY system",
                                                (chip_id,)))

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

    def all_parts(self) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM parts ORDER BY system, chip")

    @cached_property
    def _tables(self) -> frozenset[str]:
        return frozenset(r["name"] for r in self._rows("SELECT name FROM sqlite_master WHERE type = 'table'"))

    # --- whole-table reads for resources and benchmarks ---------------------------------------------
    def count(self, table: str) -> int:
        if table not in self._tables:
            raise ValueError(f"unknown table {table!r}")
        return int(self._rows(f"SELECT count(*) AS n FROM {table}")[0]["n"])  # table name checked above


def _dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip([column[0] for column in cursor.description], row, strict=True))


def display_name(entity: dict[str, Any]) -> str:
    """'昇腾910B (Ascend 910B)', or one name when both are the same."""
    zh, en = entity["name_zh"], entity["name_en"]
    return zh if zh == en else f"{zh} ({en})"
