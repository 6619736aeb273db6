"""Tables as sources: a [[dataset]] names a CSV pinned by its sha256; each non-empty cell of a mapped column
([[dataset_column]]) of a row mapped to an entity ([[dataset_row]]) becomes one figure of the dataset's source.

    figure value   the cell converted to the dimension's usual unit (1.979e15 FLOP/s → 1979 TFLOPS)
    printed        the cell exactly as written
    locator        '<row name> / <column header>'
    origin         '<folder>/<path>.csv:<line>:<column header>' (the line the row starts on)
    link, modified the row's datasheet link and last-modified date, when the dataset names those columns

A curator marks a cell ([[dataset_cell]]) suspect, or as another metric than its column's, without
touching the pinned file. Every problem is reported as file:row:column, and any problem stops the build:
nothing is half built. Mapping records act only on a dataset of their own folder, so a user's folder adds
claims and never changes a bundled figure; a user's newer copy of a bundled table is a dataset of its own
that borrows the bundled mapping (`mapping_from`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from chipmcp.core import compute
from chipmcp.core.units import UNITS, dataset_unit
from chipmcp.kb.records import Dataset, DatasetCell, DatasetColumn, DatasetRow, FigureBlock, FigureRow, Metric, Source

# Why a report's figure outranks a dataset's on one claim: said in the answer, on the outranked figure.
OUTRANKED_NOTE = "not preferred: a report's figure outranks a dataset's on the same claim (knowledge/README.md)"


class DatasetBlock(FigureBlock):
    """The citation of one dataset figure: a FigureBlock plus the row's link and date."""

    link: str | None = None
    modified: str | None = None


@dataclass
class Declared:
    """A dataset's records as read: the [[dataset]] and every mapping record naming it, with origins."""

    dataset: Dataset
    origin: str
    folder: str
    toml_path: Path  # the file declaring it: `file` is relative to its folder
    columns: list[tuple[DatasetColumn, str]] = field(default_factory=list)
    rows: list[tuple[DatasetRow, str]] = field(default_factory=list)
    cells: list[tuple[DatasetCell, str]] = field(default_factory=list)


@dataclass
class Table:
    """A pinned file, read: its header and its rows with the line each starts on."""

    shown: str  # the file as origins name it
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


def read_table(path: Path, shown: str, sha256: str | None, problems: list[str]) -> Table | None:
    """The CSV at `path`, checked against its pinned sha256 first; None (with a problem) when it cannot be used."""
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.append(
            f"{shown}: cannot read the dataset file: {error.strerror or error}; put the CSV there or fix `file` in its [[dataset]]"
        )
        return None
    return parse_table(data, shown, sha256, problems)


def parse_table(data: bytes, shown: str, sha256: str | None, problems: list[str]) -> Table | None:
    """A CSV's bytes as a Table; None (with a problem) when they do not match `sha256` or are not a CSV."""
    found = hashlib.sha256(data).hexdigest()
    if sha256 is not None and found != sha256:
        problems.append(
            f"{shown}: sha256 {found} does not match the pinned {sha256}; the file changed since it "
            "was pinned: restore it, or bring the new copy in with `chipmcp kb refresh`"
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(f"{shown}: not UTF-8 text ({error.reason} at byte {error.start}); save the table as UTF-8 CSV")
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        rows = []
        start = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(cells) > len(header):
                    problems.append(
                        f"{shown}:{start}: {len(cells)} cells under a header of {len(header)} columns; "
                        "quote the cell that holds a comma"
                    )
                rows.append((start, dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))))
            start = reader.line_num + 1
    except csv.Error as error:
        problems.append(f"{shown}:{reader.line_num}: not a well-formed CSV: {error}")
        return None
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        problems.append(f"{shown}:1: header names {', '.join(map(repr, duplicates))} more than once; a column header must be unique")
    return Table(shown, header, rows)


def closest(name: str, choices: list[str]) -> str:
    """ "; closest: 'X'" for the most similar of `choices`, or ''."""
    from rapidfuzz import process  # only a mistake needs it: a build of valid knowledge never imports it

    best = process.extractOne(name, choices, score_cutoff=60) if choices else None
    return f"; closest: {best[0]!r}" if best else ""


def declared(by_kind: dict[str, list[Any]], folder_paths: dict[str, Path], problems: list[str]) -> list[Declared]:
    """Each [[dataset]] with the mapping records that apply to it: its own folder's records naming it, and,
    for a dataset with `mapping_from`, those of the dataset it copies (a user's newer snapshot)."""
    datasets: dict[str, Declared] = {}
    for loc in by_kind.get("dataset", []):
        record: Dataset = loc.record
        if record.source in datasets:
            problems.append(
                f"{loc.origin}: dataset {record.source}: declared twice (first at "
                f"{datasets[record.source].origin}); one [[dataset]] per source"
            )
            continue
        relative = loc.origin.removeprefix(loc.folder + "/").rpartition(":")[0]
        datasets[record.source] = Declared(record, loc.origin, loc.folder, folder_paths[loc.folder] / relative)
    for kind, attribute in (("dataset_column", "columns"), ("dataset_row", "rows"), ("dataset_cell", "cells")):
        for loc in by_kind.get(kind, []):
            target = datasets.get(loc.record.dataset)
            if target is None:
                problems.append(
                    f"{loc.origin}: {kind}: unknown dataset {loc.record.dataset!r}; declare it with "
                    f"[[dataset]] (known: {', '.join(sorted(datasets)) or 'none'})"
                )
            elif target.folder != loc.folder:
                problems.append(
                    f"{loc.origin}: {kind}: dataset {loc.record.dataset!r} is declared in another folder "
                    f"({target.origin}); a folder maps only its own tables, so it never changes another's "
                    "figures: declare your copy as a dataset of your own with `mapping_from`"
                )
            else:
                getattr(target, attribute).append((loc.record, loc.origin))
    for item in datasets.values():
        parent_id = item.dataset.mapping_from
        if parent_id is None:
            continue
        parent = datasets.get(parent_id)
        if parent is None or parent.dataset.mapping_from is not None:
            problems.append(
                f"{item.origin}: dataset {item.dataset.source}: mapping_from {parent_id!r} is not a "
                "dataset declared with its own mapping"
            )
            continue
        # A copy that maps columns of its own borrows none (its header changed: `kb refresh` writes them all);
        # a row it maps itself replaces the borrowed one.
        own_names = {r.name for r, _ in item.rows}
        if not item.columns:
            item.columns = list(parent.columns)
        item.rows += [(r, o) for r, o in parent.rows if r.name not in own_names]
        item.cells += parent.cells
    return list(datasets.values())


def figures(
    item: Declared, sources: dict[str, Source], metrics: dict[str, Metric], entities: dict[str, Any], problems: list[str]
) -> Iterator[tuple[FigureRow, DatasetBlock, str]]:
    """The figures of one dataset as (row, block, origin), like a [[figures]] block's; problems collected."""
    ds = item.dataset
    source = sources.get(ds.source)
    if source is None:
        problems.append(
            f"{item.origin}: dataset {ds.source}: no [[source]] with id {ds.source!r}; add one "
            '(kind = "dataset") with the publisher, title, date and licence'
        )
        return
    if source.kind != "dataset":
        problems.append(
            f"{item.origin}: dataset {ds.source}: its source's kind is {source.kind!r}; a table's source has kind \"dataset\""
        )
    path = item.toml_path.parent / ds.file
    shown = f"{item.origin.rpartition(':')[0].rpartition('/')[0]}/{ds.file}"
    table = read_table(path, shown, ds.sha256, problems)
    if table is None:
        return
    columns = _checked_columns(item, table, metrics, problems)
    if ds.row_name not in table.header:
        return  # said once for the header, not once a row
    names = _row_names(item, table, problems)
    mapped = _mapped_rows(item, table, names, entities, problems)
    marks = _marks(item, table, names, columns, metrics, problems)
    for line, cells in table.rows:
        name = cells.get(ds.row_name, "").strip()
        row = mapped.get(name)
        if row is None:
            continue
        link = cells.get(ds.link, "").strip() or None if ds.link else None
        modified = cells.get(ds.modified, "").strip() or None if ds.modified else None
        for column in columns:
            raw = cells.get(column.header, "")
            if not raw.strip():
                continue
            where = f"{table.shown}:{line}:{column.header}"
            mark = marks.get((name, column.header))
            metric_id = mark.metric if mark and mark.metric else column.metric
            made = _figure(row, column, metrics[metric_id], raw, mark, where, problems)
            if made is not None:
                yield (
                    made,
                    DatasetBlock(source=ds.source, locator=f"{name} / {column.header}", rows=[], link=link, modified=modified),
                    where,
                )


def _checked_columns(item: Declared, table: Table, metrics: dict[str, Metric], problems: list[str]) -> list[DatasetColumn]:
    ds = item.dataset
    for role, header in (("row_name", ds.row_name), ("link", ds.link), ("modified", ds.modified)):
        if header is not None and header not in table.header:
            problems.append(
                f"{table.shown}:1: column {header!r} (the dataset's {role}) is not in the header"
                f"{closest(header, table.header)}; the file's header was renamed, or fix {item.origin}"
            )
    columns, seen = [], set()
    for column, origin in item.columns:
        where = f"{origin}: dataset_column {column.header!r}"
        if column.header in seen:
            problems.append(f"{where}: the column is mapped twice; keep one record")
            continue
        seen.add(column.header)
        if column.header not in table.header:
            problems.append(
                f"{table.shown}:1:{column.header}: the header has no column {column.header!r} (mapped at "
                f"{origin}){closest(column.header, table.header)}; fix the mapping or the file"
            )
            continue
        metric = metrics.get(column.metric)
        if metric is None:
            problems.append(f"{where}: unknown metric {column.metric!r}; see knowledge/metrics.toml")
            continue
        if not _unit_fits(column.unit, metric, where, problems):
            continue
        columns.append(column)
    return columns


def _unit_fits(unit: str | None, metric: Metric, where: str, problems: list[str]) -> bool:
    if metric.dimension == "text":
        if unit is not None:
            problems.append(f"{where}: metric {metric.id} is a text metric; drop `unit`")
            return False
        return True
    if unit is None or UNITS[unit].dimension != metric.dimension:
        allowed = ", ".join(u.symbol for u in UNITS.values() if u.dimension == metric.dimension)
        problems.append(f"{where}: metric {metric.id} needs a {metric.dimension} unit ({allowed}), not {unit!r}")
        return False
    return True


def _row_names(item: Declared, table: Table, problems: list[str]) -> dict[str, int]:
    """Each row name → the line its row starts on; empty and repeated names are problems."""
    lines: dict[str, int] = {}
    for line, cells in table.rows:
        name = cells.get(item.dataset.row_name, "").strip()
        if not name:
            problems.append(f"{table.shown}:{line}:{item.dataset.row_name}: the row has no name; every row is named in that column")
        elif name in lines:
            problems.append(
                f"{table.shown}:{line}:{item.dataset.row_name}: row name {name!r} is also the name of the "
                f"row at line {lines[name]}; row names must be unique"
            )
        else:
            lines[name] = line
    return lines


def _mapped_rows(
    item: Declared, table: Table, names: dict[str, int], entities: dict[str, Any], problems: list[str]
) -> dict[str, DatasetRow]:
    """Row name → its [[dataset_row]]. Every row of the file needs one; a record naming a row the file does not
    have is refused, unless it was borrowed from the dataset this one copies (a row since dropped)."""
    mapped: dict[str, DatasetRow] = {}
    owned = {id(r) for r, o in item.rows if r.dataset == item.dataset.source}
    for row, origin in item.rows:
        if row.name in mapped:
            problems.append(f"{origin}: dataset_row {row.name!r}: the row is mapped twice; keep one record")
            continue
        if row.name not in names:
            if id(row) in owned:
                problems.append(
                    f"{origin}: dataset_row {row.name!r}: no row of that name in the dataset's file{closest(row.name, list(names))}"
                )
            continue
        if row.entity not in entities or entities[row.entity][0] not in ("chip", "system"):
            problems.append(
                f"{origin}: dataset_row {row.name!r}: entity {row.entity!r} is not a chip or system; "
                "define it in knowledge/catalog/ or fix the id"
            )
            continue
        mapped[row.name] = row
    named = {r.name for r, _ in item.rows}
    for name, line in names.items():
        if name not in named:
            problems.append(
                f"{table.shown}:{line}:{item.dataset.row_name}: row "
                f"{name!r} has no [[dataset_row]]; add one naming the chip or system it is "
                f"(dataset = {item.dataset.source!r}, name = {name!r}, entity = …)"
            )
    return mapped


def _marks(
    item: Declared, table: Table, names: dict[str, int], columns: list[DatasetColumn], metrics: dict[str, Metric], problems: list[str]
) -> dict[tuple[str, str], DatasetCell]:
    by_header = {c.header: c for c in columns}
    owned = {id(c) for c, _ in item.cells if c.dataset == item.dataset.source}
    marks: dict[tuple[str, str], DatasetCell] = {}
    for cell, origin in item.cells:
        where = f"{origin}: dataset_cell {cell.row!r} / {cell.column!r}"
        if id(cell) not in owned and (cell.row not in names or cell.column not in by_header):
            continue  # borrowed from the dataset this one copies, about a row or column the copy no longer has
        if cell.row not in names:
            problems.append(f"{where}: no row of that name in the dataset's file{closest(cell.row, list(names))}")
            continue
        column = by_header.get(cell.column)
        if column is None:
            if cell.column in table.header:
                problems.append(f"{where}: the column is not imported (no [[dataset_column]]); a mark applies to an imported figure")
            else:
                problems.append(f"{where}: the header has no column {cell.column!r}{closest(cell.column, table.header)}")
            continue
        if (cell.row, cell.column) in marks:
            problems.append(f"{where}: the cell is marked twice; keep one record")
            continue
        if cell.metric is not None:
            metric = metrics.get(cell.metric)
            if metric is None:
                problems.append(f"{where}: unknown metric {cell.metric!r}; see knowledge/metrics.toml")
                continue
            if not _unit_fits(column.unit, metric, where, problems):
                continue
        marks[(cell.row, cell.column)] = cell
    return marks


def _figure(
    row: DatasetRow, column: DatasetColumn, metric: Metric, raw: str, mark: DatasetCell | None, where: str, problems: list[str]
) -> FigureRow | None:
    notes = [n for n in (column.note, row.note, mark.note if mark else "") if n]
    fields: dict[str, Any] = {
        "entity": row.entity,
        "metric": metric.id,
        "precision": column.precision,
        "sparsity": column.sparsity or (row.sparsity if metric.dimension == "compute" else None),
        "engine": (row.engine or column.engine) if column.engine else None,
        "measure": column.measure,
        "basis": row.basis,
        "printed": raw,
        "note": "; ".join(notes),
        "suspect": bool(mark and mark.suspect),
    }
    if metric.dimension == "text":
        fields["text"] = raw.strip()
    else:
        try:
            number = float(raw.replace(",", ""))
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            problems.append(
                f"{where}: {raw!r} is not a number, and the column holds {metric.id} in {column.unit}; fix the cell, or leave it empty"
            )
            return None
        assert column.unit is not None  # a numeric column without a unit is refused before (_unit_fits)
        unit = dataset_unit(metric.dimension, column.unit)
        fields["value"] = _significant(float(compute.convert(number, column.unit, unit)))
        fields["unit"] = unit
    try:
        return FigureRow.model_validate(fields)
    except ValidationError as error:
        problems.append(f"{where}: " + "; ".join(issue["msg"].removeprefix("Value error, ") for issue in error.errors()))
        return None


def _significant(value: float, digits: int = 12) -> float:
    """A converted value without the float noise of the conversion (1979.0000000000002 → 1979.0)."""
    return float(f"{value:.{digits}g}")
