"""The knowledge base as tables an analyst takes to a spreadsheet (`chipmcp export`), every cell cited.

    figures     one row per figure: entity, metric, value or low/high, unit, qualifiers, period, source,
                locator, the token as printed, its conflict group and whether it is the preferred one
    chips       one row per chip or system, one group of columns per metric (the value the selection rule
                prefers, as compare_chips and find_chips show it), each with its citation and the span of
                the claims when reports disagree
    financials  one row per figure about a company (what vendor_financials answers from)

Chips are chosen by find_chips itself (its filters: vendor, domestic, kind, certified, where), so an export
and a find_chips call with the same filters hold the same chips. Written as CSV, JSON, XLSX (openpyxl) or
Parquet (pyarrow); the last two come with the `chipmcp[export]` extra.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from chipmcp.errors import InputError, plain_argument_errors
from chipmcp.kb.store import KnowledgeBase, display_name
from chipmcp.reasoning.cells import Cell
from chipmcp.reasoning.metric_cells import METRICS, TEXT, metric_cell
from chipmcp.tools.find import MAX_LIMIT as FIND_PAGE
from chipmcp.tools.find import FindChipsArguments, find_chips

WHAT = ("figures", "chips", "financials")
FORMATS = ("csv", "xlsx", "parquet", "json")
NEEDS_PATH = ("xlsx", "parquet")  # binary: never to a terminal
EXTRA = {"xlsx": "openpyxl", "parquet": "pyarrow"}
CHIP_KINDS = ("chip", "system")


class MissingExtraError(InputError):
    """A format whose library is not installed."""


@dataclass
class Table:
    """Rows with typed columns, so every format writes the same types (a range column stays a float)."""

    name: str
    columns: dict[str, type] = field(default_factory=dict)  # name → str, float, int or bool
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append({k: _typed(row.get(k), t) for k, t in self.columns.items()})


def _typed(value: Any, kind: type) -> Any:
    if value is None or value == "":
        return None
    if kind is float:
        return float(value)
    if kind is int:
        return int(value)
    if kind is bool:
        return bool(value)
    return str(value)


# --- which chips: find_chips decides -------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    vendor: str | None = None
    domestic: bool | None = None
    kind: str | None = None
    certified: bool | None = None
    where: tuple[dict[str, Any], ...] = ()
    precision: str = "fp16"

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.vendor, self.domestic, self.kind, self.certified)) or bool(self.where)

    def words(self) -> str:
        shown = [
            f"{k}={v}"
            for k, v in (("vendor", self.vendor), ("domestic", self.domestic), ("kind", self.kind), ("certified", self.certified))
            if v is not None
        ]
        return ", ".join(
            shown
            + [
                f"{w['metric']} {w['op']} {w['value']:g}" if isinstance(w["value"], float) else f"{w['metric']} {w['op']} {w['value']}"
                for w in self.where
            ]
        )


def chips_matching(kb: KnowledgeBase, filters: Filters) -> list[str]:
    """Ids of the chips and systems find_chips returns for these filters, in its order (every page)."""
    asked = {
        "vendor": filters.vendor,
        "domestic": filters.domestic,
        "kind": filters.kind,
        "certified": filters.certified,
        "where": list(filters.where) or None,
        "precision": filters.precision,
        "limit": FIND_PAGE,
    }
    try:
        arguments = FindChipsArguments.model_validate(asked)
    except ValidationError as error:  # the filters are find_chips' arguments, and refused in its words
        described = {k: f.description or k for k, f in FindChipsArguments.model_fields.items()}
        said = plain_argument_errors("find_chips", error.errors(include_url=False), described)
        raise InputError("the filters are find_chips': " + said.removeprefix("Error executing tool find_chips: ")) from None
    ids: list[str] = []
    offset = 0
    while True:
        found = find_chips(kb, arguments.model_copy(update={"offset": offset}))
        ids += [row.id for row in found.rows]
        offset += found.returned
        if not found.returned or offset >= found.total:
            return ids


# --- the three tables ----------------------------------------------------------------------------------

FIGURE_COLUMNS: dict[str, type] = {
    "figure_id": int,
    "entity": str,
    "entity_name": str,
    "entity_kind": str,
    "vendor": str,
    "metric": str,
    "metric_label": str,
    "value": float,
    "low": float,
    "high": float,
    "alternatives": bool,
    "bound": str,
    "text": str,
    "unit": str,
    "currency": str,
    "qualifier": str,
    "precision": str,
    "sparsity": str,
    "engine": str,
    "measure": str,
    "period": str,
    "period_alias": str,
    "basis": str,
    "as_of": str,
    "source": str,
    "locator": str,
    "printed": str,
    "note": str,
    "suspect": bool,
    "preferred": bool,
    "conflict_group": int,
    "conflict_kind": str,
    "conflicts_with": str,
    "quantity": str,
    "history_group": int,
}


def figures_table(kb: KnowledgeBase, entities: Iterable[str] | None = None, name: str = "figures") -> Table:
    """Every figure of `entities` (default: every figure in the knowledge base), by entity then figure id."""
    rows = kb.all_figures() if entities is None else [r for e in entities for r in kb.figures(e)]
    table = Table(name, dict(FIGURE_COLUMNS))
    for row in rows:
        entity = kb.entity(row["entity"]) or {}
        metric = kb.metrics.get(row["metric"], {})
        qualifier = " ".join(q for q in (row["precision"], row["sparsity"], row["engine"], row["measure"]) if q)
        table.add(
            row
            | {
                "figure_id": row["id"],
                "entity_name": display_name(entity) if entity else row["entity"],
                "entity_kind": entity.get("entity_kind", row["entity_kind"]),
                "vendor": entity.get("vendor"),
                "metric_label": metric.get("label_en"),
                "qualifier": qualifier,
                "alternatives": bool(row["alternatives"]),
                "suspect": bool(row["suspect"]),
                "preferred": bool(row["preferred"]),
            }
        )
    return table


def financials_table(kb: KnowledgeBase, vendors: Iterable[str] | None = None) -> Table:
    """Every figure about a company: of `vendors`, or of every company when None."""
    companies = sorted({e["id"] for e in kb.entities.values() if e["entity_kind"] == "vendor"} if vendors is None else set(vendors))
    return figures_table(kb, companies, name="financials")


def chips_table(kb: KnowledgeBase, chips: Iterable[str], precision: str = "fp16") -> Table:
    """One row per chip: per metric its preferred value (or range ends), unit, what it is, the claims' span
    when reports disagree, and a citation naming every figure behind it."""
    columns: dict[str, type] = {
        "id": str,
        "name": str,
        "name_zh": str,
        "name_en": str,
        "vendor": str,
        "vendor_name": str,
        "kind": str,
        "entity_kind": str,
    }
    for metric in METRICS:
        if metric in TEXT:
            columns |= {metric: str, f"{metric}_citation": str}
        else:
            columns |= {
                metric: float,
                f"{metric}_low": float,
                f"{metric}_high": float,
                f"{metric}_unit": str,
                f"{metric}_label": str,
                f"{metric}_span": str,
                f"{metric}_citation": str,
            }
    table = Table("chips", columns)
    for chip in chips:
        entity = kb.entity(chip)
        assert entity is not None
        vendor = kb.entity(entity["vendor"]) if entity["vendor"] else None
        row: dict[str, Any] = {
            "id": chip,
            "name": display_name(entity),
            "name_zh": entity["name_zh"],
            "name_en": entity["name_en"],
            "vendor": entity["vendor"],
            "vendor_name": display_name(vendor) if vendor else None,
            "kind": entity["kind"],
            "entity_kind": entity["entity_kind"],
        }
        for metric in METRICS:
            row |= _metric_columns(kb, metric, metric_cell(kb, chip, metric, precision))
        table.add(row)
    return table


def _metric_columns(kb: KnowledgeBase, metric: str, cell: Cell) -> dict[str, Any]:
    ends = cell.ends()
    if cell.text is None and ends is None:
        return {}
    cited = citation(kb, [*cell.figure_ids, *(i for claim in cell.claims for i in claim.figure_ids)])
    if metric in TEXT:
        return {metric: cell.text, f"{metric}_citation": cited}
    label = "; ".join(
        str(part) for part in (cell.label, cell.bound and f"bound {cell.bound}", cell.suspect and "suspect", cell.note) if part
    )
    span = f"{cell.span[0]:g}–{cell.span[1]:g}" if cell.span else None
    return {
        metric: cell.value,
        f"{metric}_low": ends[0] if ends else None,
        f"{metric}_high": ends[1] if ends else None,
        f"{metric}_unit": cell.unit,
        f"{metric}_label": label,
        f"{metric}_span": span,
        f"{metric}_citation": cited,
    }


def citation(kb: KnowledgeBase, figure_ids: Iterable[int]) -> str:
    """Each figure as '#id source · locator · “printed”', the chosen one first."""
    by_id = {r["id"]: r for r in kb.figures_by_ids(sorted(set(figure_ids)))}
    return "; ".join(
        f"#{i} {by_id[i]['source']} · {by_id[i]['locator']} · “{by_id[i]['printed']}”" for i in dict.fromkeys(figure_ids) if i in by_id
    )


def table_for(kb: KnowledgeBase, what: str, filters: Filters) -> Table:
    """The table `what` for these filters; an InputError when nothing matches (no empty file is written)."""
    if what not in WHAT:
        raise InputError(f"--what must be one of {', '.join(WHAT)}, not '{what}'.")
    chips = chips_matching(kb, filters) if filters.any or what == "chips" else None
    if chips == []:
        raise InputError(
            f"No chip or system matches {filters.words()}; nothing exported. "
            "find_chips with the same filters shows what each one keeps."
        )
    if what == "chips":
        table = chips_table(kb, chips or [], filters.precision)
    elif what == "figures":
        table = figures_table(kb, chips)
    else:
        vendors = None if chips is None else {e["vendor"] for c in chips if (e := kb.entity(c)) and e["vendor"]}
        table = financials_table(kb, vendors)
    if not table.rows:
        raise InputError(f"No {what} for {filters.words() or 'the knowledge base'}; nothing exported.")
    return table


# --- writing -----------------------------------------------------------------------------------------


def write(table: Table, fmt: str, out: Path | None, stdout: TextIO, kb: KnowledgeBase | None = None) -> None:
    """Write `table` as `fmt` to `out` (whole or not at all: a temporary file is renamed into place), or to
    `stdout` for csv and json when `out` is None."""
    if fmt not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}, not '{fmt}'.")
    if fmt in EXTRA:
        _require(EXTRA[fmt], fmt)
    if out is None:
        if fmt in NEEDS_PATH:
            raise InputError(f"{fmt} is a binary file: name it with --out PATH.")
        (_csv if fmt == "csv" else _json)(table, stdout)
        return
    out = out.expanduser()
    if out.is_dir():
        raise InputError(f"cannot write {out}: it is a folder; name a file, e.g. {out / (table.name + '.' + fmt)}")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent if str(out.parent) else ".")
    except OSError as error:
        raise InputError(f"cannot write {out}: {error.strerror or error}") from None
    os.close(handle)
    try:
        if fmt == "csv":
            with open(temporary, "w", encoding="utf-8-sig", newline="") as file:  # the BOM lets Excel read Chinese
                _csv(table, file)
        elif fmt == "json":
            with open(temporary, "w", encoding="utf-8") as file:
                _json(table, file)
        elif fmt == "xlsx":
            _xlsx(table, Path(temporary), kb)
        else:
            _parquet(table, Path(temporary))
        os.replace(temporary, out)
    except OSError as error:
        raise InputError(f"cannot write {out}: {error.strerror or error}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _require(module: str, fmt: str) -> None:
    try:
        __import__(module)
    except ImportError:
        raise MissingExtraError(
            f"{fmt} export needs {module}, which is not installed: pip install 'chipmcp[export]' (csv and json need nothing)."
        ) from None


def _plain(value: Any) -> Any:
    """A cell as text for CSV: whole floats without '.0', booleans as true/false, missing as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


def _csv(table: Table, file: TextIO) -> None:
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([_plain(row[c]) for c in table.columns] for row in table.rows)


def _json(table: Table, file: TextIO) -> None:
    json.dump(table.rows, file, ensure_ascii=False, indent=1)
    file.write("\n")


def _xlsx(table: Table, path: Path, kb: KnowledgeBase | None) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.name)
    sheet.freeze_panes = "B2"
    bold = Font(bold=True)
    header = []
    for name in table.columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append([row[c] for c in table.columns])
    if kb is not None:  # the reports every citation names, so the workbook stands on its own
        sources = book.create_sheet("sources")
        sources.append(["id", "publisher", "publisher_en", "title", "date", "kind", "language"])
        for source in kb.sources.values():
            sources.append([source.get(k) for k in ("id", "publisher", "publisher_en", "title", "date", "kind", "language")])
    book.save(path)


def _parquet(table: Table, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    kinds = {str: pa.string(), float: pa.float64(), int: pa.int64(), bool: pa.bool_()}
    schema = pa.schema([(name, kinds[kind]) for name, kind in table.columns.items()])
    pq.write_table(pa.Table.from_pylist(table.rows, schema=schema), path)


def export(kb: KnowledgeBase, what: str, fmt: str, out: Path | None, filters: Filters, stdout: TextIO | None = None) -> Table:
    """Check the arguments, build the table and write it; nothing is written when any of it fails."""
    if fmt not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}, not '{fmt}'.")
    if fmt in EXTRA:
        _require(EXTRA[fmt], fmt)
    if out is None and fmt in NEEDS_PATH:
        raise InputError(f"{fmt} is a binary file: name it with --out PATH.")
    table = table_for(kb, what, filters)
    write(table, fmt, out, stdout or io.StringIO(), kb)
    return table


__all__ = [
    "FORMATS",
    "WHAT",
    "Filters",
    "MissingExtraError",
    "Table",
    "chips_matching",
    "chips_table",
    "citation",
    "export",
    "figures_table",
    "financials_table",
    "table_for",
    "write",
]
