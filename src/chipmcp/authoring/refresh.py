"""`chipmcp kb refresh DATASET --from PATH|URL --into DIR`: a newer copy of a bundled table, for one user.

The bundled snapshot is never touched. The new copy goes into the user's knowledge folder as a dataset of its
own, `<dataset>-<date>` (the newest row date it holds), with its own [[source]] and a [[dataset]] pinning its
sha256 and naming the bundled one in `mapping_from`: the bundled column mapping, row entities and cell marks
apply to it by header and row name. Its figures are claims beside the bundled ones, never replacing them.

Before writing, the new header is checked against the bundled file's: columns added, dropped and renamed
(best guess by similarity). When a mapped column was renamed or dropped, the copy gets a column mapping of its
own (the renamed header in place of the old, the dropped one left out), since a copy that declares columns
borrows none. Rows are compared by name: added (each needs a [[dataset_row]] of the user's before the folder
builds; the file lists them, commented, to fill in) and changed (which mapped cells differ).
"""

from __future__ import annotations

import hashlib
import re
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, utils

from chipmcp.errors import InputError, NotFoundError
from chipmcp.kb import build, datasets
from chipmcp.kb.records import DatasetColumn, Source

RENAME_SCORE = 80  # a dropped and an added header at least this similar are read as one column renamed
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Refresh:
    dataset: str
    new_id: str
    sha256: str
    added_columns: list[str] = field(default_factory=list)
    dropped_columns: list[str] = field(default_factory=list)
    renamed_columns: list[tuple[str, str, float]] = field(default_factory=list)  # (old, new, similarity)
    added_rows: list[str] = field(default_factory=list)
    removed_rows: list[str] = field(default_factory=list)
    changed_rows: dict[str, list[str]] = field(default_factory=dict)  # row → mapped columns whose cell changed
    written: list[Path] = field(default_factory=list)
    own_columns: bool = False


def read_source(given: str, timeout: float = 60.0) -> bytes:
    """The bytes of a local file, or of an http(s) URL."""
    if re.match(r"^https?://", given, re.IGNORECASE):
        try:
            with urllib.request.urlopen(given, timeout=timeout) as response:  # http(s) only: checked above
                return response.read()
        except OSError as error:
            raise InputError(f"cannot download {given}: {error}; check the URL, or download it and pass the file") from error
    path = Path(given)
    if not path.is_file():
        raise InputError(f"{given}: no such file; pass a CSV file or an http(s) URL")
    return path.read_bytes()


def refresh(dataset_id: str, data: bytes, into: Path, folders: list[Path]) -> Refresh:
    """Compare `data` (a CSV) with the bundled snapshot of `dataset_id` and write the copy into `into`."""
    loaded = build.load(folders[:1])
    problems: list[str] = []
    bundled = {item.dataset.source: item for item in datasets.declared(loaded.by_kind, loaded.paths, problems)}
    item = bundled.get(dataset_id)
    if item is None:
        raise NotFoundError(f"No bundled dataset {dataset_id!r}. Datasets: {', '.join(sorted(bundled)) or 'none'}.")
    old = datasets.read_table(item.toml_path.parent / item.dataset.file, item.dataset.file, None, problems)
    new = datasets.parse_table(data, "the new copy", None, problems)
    if old is None or new is None or problems:
        raise InputError("; ".join(problems) or "the table could not be read")
    ds = item.dataset
    if ds.row_name not in new.header:
        raise InputError(
            f"the new copy has no column {ds.row_name!r} naming its rows{datasets.closest(ds.row_name, new.header)}; "
            "it is not a copy of this dataset"
        )
    sha = hashlib.sha256(data).hexdigest()
    days = sorted(m.group() for _, cells in new.rows if ds.modified for m in [_DAY.match(cells.get(ds.modified, ""))] if m)
    result = Refresh(dataset_id, f"{dataset_id}-{days[-1] if days else sha[:8]}", sha)
    _compare_header(old.header, new.header, result)
    _compare_rows(item, old, new, result)
    mapped = {c.header for c, _ in item.columns}
    result.own_columns = any(h in mapped for h in [*result.dropped_columns, *(o for o, _, _ in result.renamed_columns)])
    source = next(s for s in (build.record_as(loc, Source) for loc in loaded.by_kind["source"]) if s.id == dataset_id)
    _write(into, data, item, source, result)
    return result


def _compare_header(old: list[str], new: list[str], result: Refresh) -> None:
    """Headers only in the old file or only in the new; the most similar such pairs, best first, are renames."""
    dropped = [h for h in old if h not in new]
    added = [h for h in new if h not in old]
    pairs = sorted(
        ((fuzz.WRatio(d, a, processor=utils.default_process), d, a) for d in dropped for a in added),
        key=lambda p: (-p[0], old.index(p[1]), new.index(p[2])),
    )
    for score, before, after in pairs:
        if score >= RENAME_SCORE and before in dropped and after in added:
            result.renamed_columns.append((before, after, round(score, 1)))
            dropped.remove(before)
            added.remove(after)
    result.renamed_columns.sort(key=lambda r: old.index(r[0]))
    result.added_columns, result.dropped_columns = added, dropped


def _compare_rows(item: datasets.Declared, old: datasets.Table, new: datasets.Table, result: Refresh) -> None:
    name = item.dataset.row_name
    renamed = {o: n for o, n, _ in result.renamed_columns}
    before = {cells.get(name, "").strip(): cells for _, cells in old.rows}
    after = {cells.get(name, "").strip(): cells for _, cells in new.rows}
    result.added_rows = [n for n in after if n not in before]
    result.removed_rows = [n for n in before if n not in after]
    kept = [c.header for c, _ in item.columns if c.header not in result.dropped_columns]  # a dropped one is no change
    for row, cells in after.items():
        if row in before:
            changed = [h for h in kept if before[row].get(h, "") != cells.get(renamed.get(h, h), "")]
            if changed:
                result.changed_rows[row] = changed


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def _record(kind: str, fields: Mapping[str, object]) -> str:
    return f"[[{kind}]]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in fields.items() if v not in (None, ""))


def _write(into: Path, data: bytes, item: datasets.Declared, source: Source, result: Refresh) -> None:
    into.mkdir(parents=True, exist_ok=True)
    csv_path, toml_path = into / f"{result.new_id}.csv", into / f"{result.new_id}.toml"
    csv_path.write_bytes(data)
    ds = item.dataset
    day = result.new_id.removeprefix(result.dataset + "-")
    parts = [
        f"# A newer copy of {result.dataset}, written by `chipmcp kb refresh`: the bundled mapping applies to it\n"
        f"# through mapping_from; its figures are claims of their own beside the bundled snapshot's.\n",
        _record(
            "source",
            source.model_dump()
            | {
                "id": result.new_id,
                "date": day[:7] if _DAY.match(day) else source.date,
                "date_note": f"copy refreshed from {result.dataset}; newest row modified {day}"
                if _DAY.match(day)
                else f"copy refreshed from {result.dataset}",
                "file": "",
            },
        ),
        _record(
            "dataset",
            {
                "source": result.new_id,
                "file": csv_path.name,
                "sha256": result.sha256,
                "row_name": ds.row_name,
                "link": ds.link,
                "modified": ds.modified,
                "mapping_from": result.dataset,
            },
        ),
    ]
    if result.own_columns:
        renamed = {o: n for o, n, _ in result.renamed_columns}
        parts.append("# The bundled column mapping names a header this copy no longer has: the copy maps its own.\n")
        for column, _ in item.columns:
            if column.header in result.dropped_columns:
                continue
            fields = column.model_dump() | {"dataset": result.new_id, "header": renamed.get(column.header, column.header)}
            parts.append(_record("dataset_column", {k: v for k, v in fields.items() if k in DatasetColumn.model_fields}))
    if result.added_rows:
        parts.append(
            "# Rows the bundled snapshot does not have: each needs the chip or system it is before this folder\n"
            "# builds. Uncomment each record and set `entity`.\n"
        )
        for row in result.added_rows:
            parts.append(
                "\n".join(
                    "# " + line
                    for line in _record("dataset_row", {"dataset": result.new_id, "name": row, "entity": "FILL-IN"}).splitlines()
                )
                + "\n"
            )
    toml_path.write_text("\n".join(parts), encoding="utf-8")
    result.written = [csv_path, toml_path]


def report(result: Refresh) -> str:
    lines = [f"{result.dataset} → {result.new_id} (sha256 {result.sha256})"]
    lines.append("columns added: " + (", ".join(map(repr, result.added_columns)) or "none"))
    lines.append("columns dropped: " + (", ".join(map(repr, result.dropped_columns)) or "none"))
    lines.append(
        "columns renamed (best guess): " + (", ".join(f"{o!r} → {n!r} ({s:g})" for o, n, s in result.renamed_columns) or "none")
    )
    lines.append(f"rows added: {len(result.added_rows)}" + (": " + ", ".join(result.added_rows) if result.added_rows else ""))
    lines.append(f"rows removed: {len(result.removed_rows)}" + (": " + ", ".join(result.removed_rows) if result.removed_rows else ""))
    lines.append(f"rows changed: {len(result.changed_rows)}")
    lines += [f"- {row}: {', '.join(columns)}" for row, columns in result.changed_rows.items()]
    if result.own_columns:
        lines.append("a mapped column was renamed or dropped: the copy maps its columns itself")
    lines.append("wrote " + ", ".join(str(p) for p in result.written))
    if result.added_rows:
        lines.append(
            f"next: give each added row its entity in {result.written[-1]}, then `chipmcp build --knowledge "
            f"{result.written[-1].parent}`"
        )
    return "\n".join(lines)
