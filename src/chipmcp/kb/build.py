"""`chipmcp build`: knowledge/*.toml → validated records → one SQLite file (sqlite-utils).

The bundled folder and a user's extra folders (chipmcp.kb.store.folders) are read as one knowledge base: an id
defined twice is a problem wherever the two records live, except an extension (`extends = true`), which
adds aliases to an entity another record defines.

Deterministic: files are read in sorted order, rows are written in a stable order, and derived
columns (base-unit values, conflicts, preferred flags, alias keys) depend only on the input, so the
same knowledge gives identical tables. Every problem is collected and reported together as
'file:line: record: what to fix'.
"""

from __future__ import annotations

import gc
import json
import operator
import os
import re
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils
import tomli
from pydantic import ValidationError
from sqlite_utils.db import jsonify_if_needed, quote_identifier

from chipmcp.core import compute, names
from chipmcp.core.units import UNITS
from chipmcp.errors import KnowledgeError
from chipmcp.kb import datasets, spec_columns
from chipmcp.kb.fingerprint import SCHEMA_VERSION, fingerprint, knowledge_files
from chipmcp.kb.folders import as_folders, folder_of, labels
from chipmcp.kb.records import (
    EXTENDABLE_KINDS,
    RECORD_KINDS,
    Announcement,
    Certification,
    ControlClass,
    Entity,
    Extension,
    FigureBlock,
    FigureRow,
    Metric,
    Record,
    Source,
    System,
    Workload,
)
from chipmcp.kb.spec_index import FAMILY_INDEX, GENERATION_INDEX, SPEC_FIELDS

R = TypeVar("R", bound=Record)

_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z_]+)\s*\]\]")
_ROW = re.compile(r"^\s*\{")


@dataclass
class Located:
    record: Record
    origin: str  # "knowledge/figures/x.toml:12", or "/home/me/my-reports/figures/x.toml:3" in an extra folder
    folder: str = ""  # the label of the folder it was read from (chipmcp.kb.store.folders.labels)


@dataclass
class Loaded:
    """Everything read from knowledge/, validated record by record."""

    by_kind: dict[str, list[Located]] = field(default_factory=lambda: defaultdict(list))
    figures: list[tuple[FigureRow, FigureBlock, str]] = field(default_factory=list)
    extensions: list[tuple[str, Located]] = field(default_factory=list)  # (kind, record adding aliases)
    problems: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)  # labels of the folders read, bundled first
    paths: dict[str, Path] = field(default_factory=dict)  # each folder's label → the folder (datasets' files)


def _line_map(text: str) -> tuple[dict[str, list[int]], list[list[int]]]:
    """Line numbers of each `[[kind]]` header, and of the `{`-rows under each [[figures]] header."""
    headers: dict[str, list[int]] = defaultdict(list)
    figure_rows: list[list[int]] = []
    current: list[int] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            headers[header.group(1)].append(number)
            current = [] if header.group(1) == "figures" else None
            if current is not None:
                figure_rows.append(current)
        elif current is not None and _ROW.match(line):
            current.append(number)
    return headers, figure_rows


def _describe(error: ValidationError) -> str:
    parts = []
    for issue in error.errors():
        where = ".".join(str(p) for p in issue["loc"]) or "record"
        message = issue["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def load(knowledge: Path | Sequence[Path]) -> Loaded:
    """Read and validate every record of every file of every folder (bundled first); collect problems
    instead of stopping."""
    loaded = Loaded()
    folders = as_folders(knowledge)
    loaded.folders = labels(folders)
    for folder, label in zip(folders, loaded.folders, strict=True):
        loaded.paths[label] = folder
        _load_folder(folder, label, loaded)
    return loaded


def _load_folder(knowledge_dir: Path, label: str, loaded: Loaded) -> None:
    for path in knowledge_files(knowledge_dir):
        shown = f"{label}/{path.relative_to(knowledge_dir).as_posix()}"
        text = path.read_text(encoding="utf-8")
        try:
            data = tomli.loads(text)
        except tomli.TOMLDecodeError as error:
            loaded.problems.append(f"{shown}: not valid TOML: {error}")
            continue
        headers, figure_rows = _line_map(text)
        for kind, items in data.items():
            model = RECORD_KINDS.get(kind)
            if model is None or not isinstance(items, list):
                loaded.problems.append(f"{shown}: unknown table {kind!r}; use [[{']], [['.join(RECORD_KINDS)}]]")
                continue
            for index, item in enumerate(items):
                lines = headers.get(kind, [])
                origin = f"{shown}:{lines[index]}" if index < len(lines) else f"{shown}:[[{kind}]] #{index + 1}"
                if isinstance(item, dict) and "extends" in item:
                    _load_extension(kind, item, origin, label, loaded)
                    continue
                try:
                    record = model.model_validate(item)
                except ValidationError as error:
                    name = item.get("id", "") if isinstance(item, dict) else ""
                    loaded.problems.append(f"{origin}: {kind} {name}: {_describe(error)}".replace("  ", " "))
                    continue
                loaded.by_kind[kind].append(Located(record, origin, label))
                if isinstance(record, FigureBlock):
                    rows = figure_rows[index] if index < len(figure_rows) else []
                    _load_rows(record, rows, shown, origin, loaded)


def _load_extension(kind: str, item: dict[str, Any], origin: str, label: str, loaded: Loaded) -> None:
    """A record saying `extends = true`: aliases for an entity defined elsewhere, and nothing else."""
    name = f"{kind} {item.get('id', '')}".rstrip()
    if kind not in EXTENDABLE_KINDS:
        loaded.problems.append(f"{origin}: {name}: only {', '.join(EXTENDABLE_KINDS)} records can extend another; drop `extends`")
        return
    extra = sorted(set(item) - set(Extension.model_fields))
    if extra:
        loaded.problems.append(
            f"{origin}: {name}: an extension (`extends = true`) carries only id and aliases, not "
            f"{', '.join(extra)}; to change the record itself, edit it where it is defined"
        )
        return
    try:
        extension = Extension.model_validate(item)
    except ValidationError as error:
        loaded.problems.append(f"{origin}: {name}: {_describe(error)}")
        return
    loaded.extensions.append((kind, Located(extension, origin, label)))


def _load_rows(block: FigureBlock, row_lines: list[int], shown: str, block_origin: str, loaded: Loaded) -> None:
    defaults = {
        k: v
        for k, v in (("entity", block.entity), ("period", block.period), ("basis", block.basis), ("as_of", block.as_of))
        if v is not None
    }
    lines_known = len(row_lines) == len(block.rows)
    for index, raw in enumerate(block.rows):
        origin = f"{shown}:{row_lines[index]}" if lines_known else f"{block_origin} row {index + 1}"
        try:
            row = FigureRow.model_validate({**defaults, **raw})
        except ValidationError as error:
            loaded.problems.append(f"{origin}: figure {raw.get('printed', '')!r}: {_describe(error)}")
            continue
        if row.entity is None:
            loaded.problems.append(f"{origin}: figure {row.printed!r}: no `entity` (set it on the row or block)")
            continue
        loaded.figures.append((row, block, origin))


# --- whole-knowledge checks and derived tables ------------------------------------------------------


def _records(loaded: Loaded, kind: str) -> list[Located]:
    return loaded.by_kind.get(kind, [])


def _field(record: Record, name: str, default: Any = None) -> Any:
    """A field only some kinds of record have (a chip's vendor, a dataset block's link), else `default`.
    Read from the record's fields: getattr of a name a pydantic model lacks goes through its __getattr__ and
    an exception, thirty times slower, and a build asks some 5,000 times."""
    return record.__dict__.get(name, default)


def record_as(located: Located, *models: type[R]) -> R:
    """The record as the model its kind was validated with (RECORD_KINDS): one of `models`."""
    if not isinstance(located.record, models):
        raise TypeError(f"{located.origin}: a {type(located.record).__name__}, not one of {[m.__name__ for m in models]}")
    return located.record


def _unique_ids(loaded: Loaded, kinds: list[str], problems: list[str]) -> dict[str, tuple[str, Located]]:
    seen: dict[str, tuple[str, Located]] = {}
    for kind in kinds:
        for located in _records(loaded, kind):
            rid = record_as(located, Source, Metric, Entity).id
            if rid in seen and seen[rid][1].folder != located.folder:
                problems.append(
                    f"{located.origin}: {kind} {rid}: duplicate id: {rid} is already defined at "
                    f"{seen[rid][1].origin}; give this record a new id, or, to add names to that "
                    "one, keep only `id`, `aliases` and `extends = true`"
                )
            elif rid in seen:
                problems.append(
                    f"{located.origin}: {kind} {rid}: duplicate id (first defined at {seen[rid][1].origin}); merge the two records"
                )
            else:
                seen[rid] = (kind, located)
    return seen


def _shared_metric_words(metrics: dict[str, Metric]) -> list[str]:
    """A word naming two metrics (an id, a label or a name, case aside) would answer for the wrong one."""
    owner: dict[str, str] = {}
    problems = []
    for metric in metrics.values():
        for word in dict.fromkeys(w.casefold() for w in (metric.id, metric.label_en, metric.label_zh, *metric.names)):
            if owner.setdefault(word, metric.id) != metric.id:
                problems.append(f"metric {metric.id}: '{word}' already names metric {owner[word]}; a word names one metric")
    return problems


def assemble(loaded: Loaded) -> dict[str, list[dict[str, Any]]]:
    """Cross-check the records and turn them into table rows; raise KnowledgeError on any problem."""
    problems = list(loaded.problems)
    source_records = _unique_ids(loaded, ["source"], problems)
    sources = {rid: record_as(loc, Source) for rid, (_, loc) in source_records.items()}
    metrics = {rid: record_as(loc, Metric) for rid, (_, loc) in _unique_ids(loaded, ["metric"], problems).items()}
    for loc in _records(loaded, "metric"):
        metric = record_as(loc, Metric)
        if metric.dimension not in compute.DIMENSIONS:
            problems.append(f"{loc.origin}: metric {metric.id}: unknown dimension {metric.dimension!r}")
    problems += _shared_metric_words(metrics)
    entities = _unique_ids(loaded, ["vendor", "chip", "system", "workload", "market"], problems)
    vendors = {rid for rid, (kind, _) in entities.items() if kind == "vendor"}
    chips = {rid for rid, (kind, _) in entities.items() if kind == "chip"}

    def need_source(origin: str, what: str, source: str) -> None:
        if source not in sources:
            problems.append(f"{origin}: {what}: unknown source {source!r}; use one of {', '.join(sorted(sources))}")

    entity_rows, part_rows, trained_rows = [], [], []
    for rid, (kind, loc) in sorted(entities.items()):
        rec = record_as(loc, Entity)
        vendor = _field(rec, "vendor", None)
        if kind in ("chip", "system") and vendor not in vendors:
            problems.append(f"{loc.origin}: {kind} {rid}: vendor {vendor!r} is not defined; add a [[vendor]] record or fix the id")
        parent = _field(rec, "parent", None)
        if parent is not None and parent not in vendors:
            problems.append(f"{loc.origin}: vendor {rid}: parent {parent!r} is not a vendor")
        variant_of = _field(rec, "variant_of", None)
        if variant_of is not None and (variant_of not in chips or variant_of == rid):
            problems.append(
                f"{loc.origin}: chip {rid}: variant_of {variant_of!r} is not another chip; name the chip "
                "or family a report's unqualified name means"
            )
        generation = _field(rec, "generation", None)
        if generation is not None and (generation not in chips or generation == rid):
            problems.append(f"{loc.origin}: chip {rid}: generation {generation!r} is not another chip")
        if isinstance(rec, System):
            for part in rec.parts:
                if part.chip not in chips:
                    problems.append(f"{loc.origin}: system {rid}: part chip {part.chip!r} is not a chip")
                need_source(loc.origin, f"system {rid} part", part.source)
                part_rows.append(
                    {
                        "system": rid,
                        "chip": part.chip,
                        "count": part.count,
                        "printed": part.printed,
                        "source": part.source,
                        "locator": part.locator,
                    }
                )
        if isinstance(rec, Workload) and rec.trained_on is not None:
            if rec.trained_on.chip not in chips:
                problems.append(f"{loc.origin}: workload {rid}: trained_on chip {rec.trained_on.chip!r} is not a chip")
            need_source(loc.origin, f"workload {rid} trained_on", rec.trained_on.source)
            trained_rows.append({"workload": rid} | rec.trained_on.model_dump())
        entity_rows.append(
            {
                "id": rid,
                "entity_kind": kind,
                "kind": _field(rec, "kind", kind),
                "vendor": vendor if kind != "vendor" else None,
                "name_zh": rec.name_zh,
                "name_zh_hant": rec.name_zh_hant,
                "name_en": rec.name_en,
                "full_name_zh": _field(rec, "full_name_zh", ""),
                "model": _field(rec, "model", None),
                "family": _field(rec, "family", None),
                "generation": _field(rec, "generation", None),
                "country": _field(rec, "country", None),
                "parent": parent,
                "note": rec.note,
                "origin": loc.origin,
                "variant_of": variant_of,
            }
        )

    tables = [
        figure
        for item in datasets.declared(loaded.by_kind, loaded.paths, problems)
        for figure in datasets.figures(item, sources, metrics, entities, problems)
    ]
    figure_rows = _figure_rows(loaded, entities, metrics, sources, problems, tables)
    alias_rows = _alias_rows(entities, figure_rows, problems, _extension_aliases(loaded, entities, problems))

    announcement_rows, certification_rows = [], []
    for loc in _records(loaded, "announcement"):
        ann = record_as(loc, Announcement)
        need_source(loc.origin, f"announcement {ann.id}", ann.source)
        announcement_rows.append(ann.model_dump() | {"origin": loc.origin})
    announcement_ids = {row["id"] for row in announcement_rows}
    for loc in _records(loaded, "certification"):
        cert = record_as(loc, Certification)
        if cert.announcement not in announcement_ids:
            problems.append(f"{loc.origin}: certification {cert.product}: unknown announcement {cert.announcement!r}")
        if cert.chip not in chips:
            problems.append(f"{loc.origin}: certification {cert.product}: chip {cert.chip!r} is not a chip")
        if cert.vendor not in vendors:
            problems.append(f"{loc.origin}: certification {cert.product}: vendor {cert.vendor!r} is not a vendor")
        need_source(loc.origin, f"certification {cert.product}", cert.source)
        certification_rows.append(cert.model_dump() | {"origin": loc.origin})

    control_rows = _control_rows(loaded, entities, need_source, problems)

    if problems:
        raise KnowledgeError(problems)
    return {
        "sources": [s.record.model_dump() | {"origin": s.origin} for _, (_, s) in sorted(source_records.items())],
        "metrics": [
            m.model_dump()
            | {
                "names": json.dumps(m.names, ensure_ascii=False),
                "measures": ",".join(m.measures),
                "estimate": m.estimate.model_dump_json(exclude_none=True) if m.estimate else None,
            }
            for _, m in metrics.items()
        ],  # in metrics.toml's order: answers list key specs first
        "entities": entity_rows,
        "aliases": alias_rows,
        "parts": sorted(part_rows, key=lambda r: (r["system"], r["chip"])),
        "trained_on": trained_rows,
        "figures": figure_rows,
        "announcements": sorted(announcement_rows, key=lambda r: r["id"]),
        "certifications": sorted(certification_rows, key=lambda r: (r["announcement"], r["seq"])),
        "search": _search_rows(entity_rows, alias_rows, [m for _, m in sorted(metrics.items())], figure_rows),
        "control_classes": control_rows,
    }


def _search_rows(
    entity_rows: list[dict[str, Any]], alias_rows: list[dict[str, Any]], metrics: list[Metric], figure_rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One full-text document per entity (its names), per metric (its labels) and per figure (its metric's
    labels, locator and note), in the words `names.search_terms` cuts, so Chinese matches word by word."""
    written: dict[str, list[str]] = defaultdict(list)
    for alias in alias_rows:
        if alias["form"] != "pinyin" and alias["alias"] not in written[alias["entity"]]:
            written[alias["entity"]].append(alias["alias"])
    labels = {m.id: f"{m.label_en} {m.label_zh} {m.id.replace('_', ' ')}" for m in metrics}
    rows: list[dict[str, Any]] = []
    # Figures repeat their metric's labels and their table's locator: a quarter of the texts are distinct.
    terms = cache(names.search_terms)

    def add(entity: str | None, metric: str | None, figure: int | None, **text: str) -> None:
        rows.append(
            {"id": len(rows) + 1, "entity": entity, "metric": metric, "figure": figure}
            | {column: terms(text.get(column, "")) for column in SEARCH_COLUMNS}
        )

    for entity in entity_rows:
        add(entity["id"], None, None, names=" ".join(written[entity["id"]]), note=entity["note"] or "")
    for metric in metrics:
        add(None, metric.id, None, labels=labels[metric.id], note=metric.about)
    for fig in figure_rows:
        add(fig["entity"], fig["metric"], fig["id"], labels=labels[fig["metric"]], locator=fig["locator"], note=fig["note"] or "")
    return rows


def _control_rows(
    loaded: Loaded, entities: dict[str, tuple[str, Located]], need_source: Any, problems: list[str]
) -> list[dict[str, Any]]:
    """Export-control classes as rows, their clauses as JSON; the regime must be a regulation entity."""
    rows = []
    for located in _records(loaded, "control_class"):
        rule = record_as(located, ControlClass)
        what = f"control_class {rule.id}"
        kind = entities.get(rule.regime)
        if kind is None or kind[0] != "market" or _field(kind[1].record, "kind", "") != "regulation":
            problems.append(f"{located.origin}: {what}: regime {rule.regime!r} is not a [[market]] of kind 'regulation'")
        need_source(located.origin, what, rule.source)
        rows.append(
            {
                **rule.model_dump(exclude={"clauses"}),
                "origin": located.origin,
                "clauses": json.dumps([[c.model_dump() for c in clause] for clause in rule.clauses], ensure_ascii=False),
            }
        )
    seen: dict[str, str] = {}  # "(regime, reading, source):precedence" → the class holding it
    for row in rows:
        key = (row["regime"], row["reading"], row["source"])
        order = f"{key}:{row['precedence']}"
        if order in seen:
            problems.append(
                f"{row['origin']}: control_class {row['id']}: precedence {row['precedence']} is taken by "
                f"{seen[order]} for the same regime, reading and source"
            )
        seen[order] = row["id"]
    return sorted(rows, key=lambda r: (r["regime"], r["reading"], r["source"], r["precedence"]))


def _figure_rows(
    loaded: Loaded,
    entities: dict[str, tuple[str, Located]],
    metrics: dict[str, Metric],
    sources: dict[str, Source],
    problems: list[str],
    tables: Sequence[tuple[FigureRow, FigureBlock, str]] = (),
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for row, block, origin in [*loaded.figures, *tables]:
        what = f"figure {row.printed!r}"
        if block.source not in sources:
            problems.append(f"{origin}: {what}: unknown source {block.source!r}; use one of {', '.join(sorted(sources))}")
            continue
        if row.entity not in entities:
            problems.append(f"{origin}: {what}: unknown entity {row.entity!r}; define it in knowledge/catalog/")
            continue
        metric = metrics.get(row.metric)
        if metric is None:
            problems.append(f"{origin}: {what}: unknown metric {row.metric!r}; see knowledge/metrics.toml")
            continue
        if metric.dimension == "text":
            if row.text is None:
                problems.append(f"{origin}: {what}: metric {row.metric} is a text metric; give `text`, not a number")
                continue
        elif row.text is not None:
            problems.append(f"{origin}: {what}: metric {row.metric} is numeric ({metric.dimension}); give value or range")
            continue
        elif row.unit is not None and UNITS[row.unit].dimension != metric.dimension:  # a numeric row has a unit
            allowed = ", ".join(u.symbol for u in UNITS.values() if u.dimension == metric.dimension)
            problems.append(f"{origin}: {what}: unit {row.unit!r} is not a {metric.dimension} unit; use {allowed}")
            continue
        if row.measure is not None and row.measure not in metric.measures:
            allowed = ", ".join(metric.measures) if metric.measures else "none (the metric declares no `measures`)"
            problems.append(
                f"{origin}: {what}: measure {row.measure!r} is not one of metric {row.metric}'s "
                f"measures: {allowed}; use one or declare it in knowledge/metrics.toml"
            )
            continue
        if row.basis == "forecast" and row.as_of is not None:
            # as_of makes dated figures a history instead of a conflict; a forecast's day is no such date
            problems.append(
                f"{origin}: {what}: a forecast holds for its `period`, not at a date: drop "
                f"as_of {row.as_of!r} and record the day it was announced as an `announcement_date` figure"
            )
            continue
        if entities[row.entity][0] == "market" and metric.measures and metric.measures[0] == "own" and row.measure in (None, "own"):
            problems.append(
                f"{origin}: {what}: a market has no {row.metric} of its own: name the part of "
                f"{row.entity} it measures with `measure` ({', '.join(metric.measures[1:])})"
            )
            continue
        rows.append(
            {
                "entity": row.entity,
                "entity_kind": entities[row.entity][0],
                "metric": row.metric,
                "value": row.value,
                "low": row.low,
                "high": row.high,
                "bound": row.bound,
                "text": row.text,
                "unit": row.unit,
                "precision": row.precision,
                "sparsity": row.sparsity,
                "engine": row.engine,
                "alternatives": row.alternatives,
                "period": row.period,
                "period_alias": row.period_alias,
                "basis": row.basis,
                "as_of": row.as_of,
                "measure": row.measure,
                "quantity": row.quantity,
                "source": block.source,
                "locator": block.locator,
                "printed": row.printed,
                "note": row.note,
                "prefer": row.prefer,
                "suspect": row.suspect,
                "source_date": sources[block.source].date,
                "origin": origin,
                "link": _field(block, "link", None),
                "modified": _field(block, "modified", None),
                "from_dataset": isinstance(block, datasets.DatasetBlock),
            }
        )
    rank = {label: index for index, label in enumerate(loaded.folders)}
    # Bundled figures first, then each extra folder's, a folder's tables after its reports': adding a folder or
    # a table leaves the ids of the figures already there alone.
    rows.sort(key=lambda r: (rank.get(folder_of(r["origin"], loaded.folders), 0), r["from_dataset"], _origin_key(r["origin"])))
    for number, row in enumerate(rows, start=1):
        row["id"] = number
    _derive_base_values(rows)
    _mark_conflicts(rows, metrics)
    _check_powers_of_ten(rows, metrics, problems)
    for row in rows:
        del row["source_date"], row["tolerance"], row["from_dataset"]
    return rows


def _origin_key(origin: str) -> tuple[str, int, str]:
    path, _, rest = origin.partition(":")
    digits = re.match(r"\d*", rest)  # 'x.toml:12', 'x.csv:12:Header' (`\d*` matches every string)
    line = digits.group() if digits else ""
    return (path, int(line) if line else 0, rest)


def _derive_base_values(rows: list[dict[str, Any]]) -> None:
    numeric = [r for r in rows if r["unit"]]
    factors = compute.unit_factors([r["unit"] for r in numeric])
    for name in ("value", "low", "high"):
        values = compute.to_base([r[name] for r in numeric], factors)
        for row, base in zip(numeric, values, strict=True):
            row[f"base_{name}"] = None if base != base else float(base)  # NaN marks "absent"
    for row in rows:
        if not row["unit"]:
            row.update(base_value=None, base_low=None, base_high=None)
        row["currency"] = UNITS[row["unit"]].currency if row["unit"] else None
        # Half a unit of the coarsest printed place, in base units: what rounding can account for.
        ends = [v for v in (row["value"], row["low"], row["high"]) if v is not None]
        row["tolerance"] = (
            (max(compute.rounding_tolerance(compute.printed_decimals(row["printed"], v), v) for v in ends) * UNITS[row["unit"]].factor)
            if row["unit"] and ends
            else 0.0
        )


def _measure(row: dict[str, Any], metrics: dict[str, Metric]) -> str | None:
    """What the figure measures: its `measure`, else the metric's first (what an unstated figure measures)."""
    declared = metrics[row["metric"]].measures
    return row["measure"] or (declared[0] if declared else None)


def _claim_key(row: dict[str, Any], precision: str, metrics: dict[str, Metric], dated: bool = True) -> tuple[Any, ...]:
    return (
        row["entity"],
        row["metric"],
        precision,
        row["period"],
        row["basis"],
        _measure(row, metrics),
        row["as_of"] if dated else None,
    )


def _mark_conflicts(rows: list[dict[str, Any]], metrics: dict[str, Metric]) -> None:
    """Group figures that claim the same thing; flag differing values and pick the preferred one.

    A claim is entity, metric, precision, period, basis, measure and as_of; notes never enter it. A figure
    printed for several precisions ('bf16/fp16') joins the claim of each of them. A figure whose precision
    is not printed, on a metric whose other figures state theirs, never corroborates a stated one; when no
    stated figure agrees with it, it is a *possible* disagreement. Claims that differ only in as_of are a
    history: not a conflict (a price can change), but linked so readers see them together."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        for precision in (row["precision"] or "").split("/"):
            groups[_claim_key(row, precision, metrics)].append(row)
    # Where an entity states the precision of some figures of a metric, two figures that both leave it out
    # may be of different precisions (H100's 672 and 3958): they are each held against the stated ones
    # (_mark_possible), never against each other.
    precision_stated = {(row["entity"], row["metric"]) for row in rows if row["precision"]}
    rivals_of: dict[int, set[int]] = defaultdict(set)
    peers_of: dict[int, set[int]] = defaultdict(set)  # figures making the same claim: rivals and agreeing ones
    for members in groups.values():
        for row in members:
            for other in members:
                unknown_pair = not row["precision"] and not other["precision"] and (row["entity"], row["metric"]) in precision_stated
                if other is not row and _compatible(row, other) and not unknown_pair:
                    peers_of[row["id"]].add(other["id"])
                    if not metrics[row["metric"]].descriptive and _differs(row, other):
                        rivals_of[row["id"]].add(other["id"])
    by_id = {row["id"]: row for row in rows}
    group_of = _linked_sets(rivals_of)
    for row in rows:
        rivals = sorted(rivals_of[row["id"]])
        row.update(
            conflicts_with=",".join(map(str, rivals)),
            conflict_group=group_of.get(row["id"]),
            conflict_kind="disagreement" if rivals else None,
            preferred=True,
            preferred_because=None,
        )
    for row in rows:
        if not row["conflicts_with"]:
            continue
        # The best of all figures making this claim; a figure agreeing with it is preferred too (two reports
        # printing the winning 400W are both right), so 'preferred' never depends on which rival came first.
        claim = [row, *(by_id[i] for i in peers_of[row["id"]])]
        best = min(claim, key=_preference)
        row["preferred"] = best is row or not _differs(row, best)
        if row["preferred"]:
            # Agreement is within each figure's printed precision, so not transitive: a rival of this row may agree
            # with the best one, which then wins over this row's rivals.
            rivals = [r for r in claim if _differs(r, best)] or [by_id[i] for i in rivals_of[row["id"]]]
            row["preferred_because"] = _preferred_because(best, rivals)
        if row["from_dataset"] and not row["preferred"] and not best["from_dataset"] and not row["suspect"]:
            row["note"] = "; ".join(n for n in (row["note"], datasets.OUTRANKED_NOTE) if n)
    _mark_possible(rows, metrics)
    _mark_histories(groups, metrics)


def _preference(row: dict[str, Any]) -> tuple[Any, ...]:
    """The order of the figures making one claim, best first: a figure not marked suspect, then one the curators
    marked `prefer`, then a report's before a dataset's, then the newer source's, then the first in the files."""
    return (row["suspect"], not row["prefer"], row["from_dataset"], _negated_date(row["source_date"]), _origin_key(row["origin"]))


# What decided a preference, by the first part of _preference that tells the best figure from its strongest rival.
PREFERENCE_RULES = ("suspect", "curated", "report", "newer", "order")


def _preferred_because(best: dict[str, Any], rivals: list[dict[str, Any]]) -> str:
    """The rule by which `best` wins over the strongest of its `rivals` (those stating another value)."""
    mine, theirs = _preference(best), _preference(min(rivals, key=_preference))
    return next((rule for rule, a, b in zip(PREFERENCE_RULES, mine, theirs, strict=True) if a != b), "order")


def _mark_possible(rows: list[dict[str, Any]], metrics: dict[str, Metric]) -> None:
    """A figure of unstated precision that no stated-precision figure of its claim agrees with: a possible
    disagreement with all of them (672 TFLOP/s for H100 is none of its FP16, FP8, TF32 peaks)."""
    stated: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["precision"] and row["unit"] and not metrics[row["metric"]].descriptive:
            stated[_claim_key(row, "", metrics)].append(row)
    for row in rows:
        if row["precision"] or not row["unit"] or row["conflicts_with"]:
            continue
        candidates = [other for other in stated.get(_claim_key(row, "", metrics), []) if _compatible(row, other)]
        if candidates and all(_differs(row, other) for other in candidates):
            row.update(
                conflicts_with=",".join(str(other["id"]) for other in candidates),
                conflict_group=row["id"],
                conflict_kind="possible",
                preferred=False,
            )


def _mark_histories(groups: dict[tuple[Any, ...], list[dict[str, Any]]], metrics: dict[str, Metric]) -> None:
    """Claims of one quantity at different dates (as_of) whose values differ share a history group."""
    undated: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for key, members in groups.items():
        undated[key[:-1]].extend(members)
    for row in (r for members in groups.values() for r in members):
        row.setdefault("history_group", None)
    for members in undated.values():
        if len({r["as_of"] for r in members}) < 2 or metrics[members[0]["metric"]].descriptive:
            continue
        changes = any(a["as_of"] != b["as_of"] and _compatible(a, b) and _differs(a, b) for a in members for b in members)
        if changes:
            first = min(r["id"] for r in members)
            for row in members:
                row["history_group"] = row["history_group"] or first


def _check_powers_of_ten(rows: list[dict[str, Any]], metrics: dict[str, Metric], problems: list[str]) -> None:
    """Figures of one claim (entity, metric and qualifiers) whose printed digits are a power of ten apart are
    a scale slip (a table in 十亿 headed 亿) unless shown otherwise: they must be a recorded conflict, or one
    must be `suspect` with a note saying why. A bound, a currency or an 'a/b' pair can make such figures
    agree; this check is what keeps them from passing silently."""
    claims: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["base_value"] is not None:
            for precision in (row["precision"] or "").split("/"):
                claims[_claim_key(row, precision, metrics)].append(row)
    reported: set[tuple[int, int]] = set()
    for members in claims.values():
        for a in members:
            for b in members:
                if a["id"] >= b["id"] or (a["id"], b["id"]) in reported:
                    continue
                k = compute.power_of_ten_apart(a["base_value"], b["base_value"], a["tolerance"], b["tolerance"])
                recorded = str(b["id"]) in (a["conflicts_with"] or "").split(",")
                explained = any(r["suspect"] and r["note"] for r in (a, b))
                if k and recorded and (a["from_dataset"] or b["from_dataset"]):
                    reported.add((a["id"], b["id"]))  # once, though a 'fp16/bf16' figure sits in two claims
                    # A table's cell 10^k off a report's (or another table's) figure: said on the cell's figure.
                    for mine, other, power in ((a, b, -k), (b, a, k)):
                        if mine["from_dataset"]:
                            flag = (
                                f"10^{power} times #{other['id']} '{other['printed']}' ({other['source']}): a scale "
                                "slip in one of them; neither is averaged"
                            )
                            mine["note"] = "; ".join(n for n in (mine["note"], flag) if n)
                if k and not recorded and not explained:
                    reported.add((a["id"], b["id"]))
                    problems.append(
                        f"{b['origin']}: figure {b['printed']!r}: is 10^{k} times {a['printed']!r} ({a['origin']}), "
                        f"same entity {a['entity']}, metric {a['metric']} and qualifiers, yet not a recorded conflict; "
                        "mark the wrong one `suspect` with a note saying why, or correct the figure"
                    )


def _linked_sets(rivals_of: dict[int, set[int]]) -> dict[int, int]:
    """Each figure that disagrees with another → the smallest id of the set linked to it by disagreements,
    so a chain (A≠B, B≠C) is one conflict for the reader, not two overlapping ones."""
    root: dict[int, int] = {}

    def find(fid: int) -> int:
        while root.setdefault(fid, fid) != fid:
            fid = root[fid]
        return fid

    for fid, rivals in rivals_of.items():
        for other in rivals:
            a, b = find(fid), find(other)
            root[max(a, b)] = min(a, b)
    return {fid: find(fid) for fid, rivals in rivals_of.items() if rivals}


def _negated_date(date: str) -> tuple[int, ...]:
    return tuple(-int(part) for part in date.split("-"))


def _compatible(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Figures can disagree only if their sparsity is equal or unstated on one side, they are in the same
    currency (a report's HKD market cap and its own CNY conversion are not rivals) and both or neither are
    vector-unit figures: a chip's headline compute is its matrix (tensor) figure, so an unstated engine reads
    as tensor, and a vector-unit figure is another quantity (A100's 77.97 FP16 beside its 312), not a rival."""
    return all(not a[key] or not b[key] or a[key] == b[key] for key in ("sparsity", "currency")) and (a["engine"] == "vector") == (
        b["engine"] == "vector"
    )


_DATE_TEXT = re.compile(r"^\d{4}(-?(\d{2}|Q[1-4]|H[12]))*$", re.IGNORECASE)


def _differs(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two figures of one claim say different things. Rounding within the coarser figure's printed
    precision is agreement (91% and 90.97%); a date agrees with a finer one inside it ('2022', '2022-03')."""
    if a["text"] is not None or b["text"] is not None:
        x, y = (a["text"] or "").casefold(), (b["text"] or "").casefold()
        if _DATE_TEXT.match(x) and _DATE_TEXT.match(y):
            return not (x.startswith(y) or y.startswith(x))
        return x != y
    span_a = (a["base_low"], a["base_high"]) if a["base_value"] is None else (a["base_value"], a["base_value"])
    span_b = (b["base_low"], b["base_high"]) if b["base_value"] is None else (b["base_value"], b["base_value"])
    tolerance = max(a["tolerance"], b["tolerance"])
    if a["bound"] or b["bound"]:  # '超400%' agrees with 444.84%: bounds are intervals
        widened = [
            (low - row["tolerance"], high + row["tolerance"])
            for row, (low, high) in ((a, compute.bounded_span(*span_a, a["bound"])), (b, compute.bounded_span(*span_b, b["bound"])))
        ]
        return not compute.spans_overlap(*widened)
    if a["alternatives"] != b["alternatives"]:  # '40GB/80GB' agrees with '80GB': one of its configurations
        options, single = (span_a, span_b) if a["alternatives"] else (span_b, span_a)
        return not any(compute.spans_agree_within((option, option), single, tolerance) for option in options)
    return not compute.spans_agree_within(span_a, span_b, tolerance)


def _extension_aliases(
    loaded: Loaded, entities: dict[str, tuple[str, Located]], problems: list[str]
) -> list[tuple[str, str, str, str]]:
    """The aliases extensions add, as (alias, entity, form, origin), each at the extension's own origin."""
    written = []
    for kind, loc in loaded.extensions:
        ext = record_as(loc, Extension)
        defined = entities.get(ext.id)
        if defined is None or defined[0] != kind:
            found = f"; {ext.id} is a {defined[0]}, extend it as [[{defined[0]}]]" if defined else ""
            problems.append(
                f"{loc.origin}: {kind} {ext.id}: extends {kind} {ext.id!r}, which is not defined{found}; "
                "drop `extends` and give the full record to define a new one"
            )
            continue
        written += [(alias, ext.id, "alias", loc.origin) for alias in ext.aliases]
    return written


def _alias_rows(
    entities: dict[str, tuple[str, Located]],
    figure_rows: list[dict[str, Any]],
    problems: list[str],
    extended: Sequence[tuple[str, str, str, str]] = (),
) -> list[dict[str, Any]]:
    """Every way each entity is written, with its normalized key; one written alias → one entity.

    A suspect stock code (printed, but contradicted by another report) still finds its company, flagged
    with the figure's note, so a user quoting that report is answered and warned. It never takes a key
    that names something else, and nothing is ever refused because of it."""
    written: list[tuple[str, str, str, str]] = []  # (alias, entity, form, origin)
    for rid, (_, loc) in sorted(entities.items()):
        rec = record_as(loc, Entity)
        for form in ("name_zh", "name_en", "name_zh_hant", "full_name_zh"):
            value = _field(rec, form, "")
            if value:
                written.append((value, rid, form, loc.origin))
        model = _field(rec, "model", None)
        if model:
            written.append((model, rid, "model", loc.origin))
        written.extend((alias, rid, "alias", loc.origin) for alias in rec.aliases)
    written.extend(extended)  # after every record's own names, so a clash is reported at the extension
    suspect: list[tuple[str, str, str]] = []  # (code spelling, entity, why)
    for row in figure_rows:
        if row["metric"] == "stock_code" and row["text"]:
            spellings = _code_spellings(row["text"])
            if row["suspect"]:
                why = f"{row['source']} prints it" + (f"; {row['note']}" if row["note"] else "")
                suspect.extend((code, row["entity"], why) for code in spellings)
            else:
                written.extend((code, row["entity"], "stock_code", row["origin"]) for code in spellings)

    owner: dict[str, tuple[str, str, str]] = {}
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for alias, rid, form, origin in written:
        key = names.normalize(alias)
        if not key:
            problems.append(f"{origin}: {rid}: alias {alias!r} is empty once normalized")
            continue
        claimed = owner.get(key)
        if claimed and claimed[0] != rid and form != "model" and claimed[1] != "model":
            problems.append(
                f"{origin}: {rid}: alias {alias!r} also names {claimed[0]} ({claimed[2]}); "
                "an alias must name one entity — remove it from one of them"
            )
            continue
        if not claimed or claimed[1] == "model":
            owner[key] = (rid, form, origin)
        rows.setdefault(
            (key, rid),
            {
                "key": key,
                "entity": rid,
                "alias": alias,
                "form": form,
                "signature": names.signature(alias),
                "suspect": False,
                "note": "",
            },
        )
    for code, rid, why in suspect:
        key = names.normalize(code)
        if key and key not in owner:
            owner[key] = (rid, "stock_code", "")
            rows[(key, rid)] = {
                "key": key,
                "entity": rid,
                "alias": code,
                "form": "stock_code",
                "signature": names.signature(code),
                "suspect": True,
                "note": why,
            }
    # Generated spellings (simplified/traditional, pinyin) come last and never override a written one.
    for (key, rid), row in list(rows.items()):
        for variant, form in names.variants(row["alias"]):
            if variant != key and (variant, rid) not in rows and owner.get(variant, (rid,))[0] == rid:
                rows[(variant, rid)] = {**row, "key": variant, "form": form}
    return sorted(rows.values(), key=lambda r: (r["key"], r["entity"]))


def _code_spellings(code: str) -> list[str]:
    """688795.SH → 688795.SH, 688795, SH688795; 09660.HK → also 9660.HK, 9660."""
    bare, _, exchange = code.partition(".")
    spellings = [code, bare]
    if exchange:
        spellings.append(exchange + bare)
        if bare.lstrip("0") != bare:
            spellings += [f"{bare.lstrip('0')}.{exchange}", bare.lstrip("0")]
    return list(dict.fromkeys(spellings))


# --- writing the database ------------------------------------------------------------------------------

TEXT, INT, REAL = str, int, float
SCHEMAS: dict[str, tuple[dict[str, type], str | None]] = {
    "sources": (
        {
            "id": TEXT,
            "publisher": TEXT,
            "publisher_en": TEXT,
            "title": TEXT,
            "kind": TEXT,
            "date": TEXT,
            "date_note": TEXT,
            "language": TEXT,
            "file": TEXT,
            "url": TEXT,
            "licence": TEXT,
            "licence_url": TEXT,
            "credit": TEXT,
            "changes": TEXT,
            "origin": TEXT,
        },
        "id",
    ),
    "metrics": (
        {
            "id": TEXT,
            "dimension": TEXT,
            "label_en": TEXT,
            "label_zh": TEXT,
            "about": TEXT,
            "names": TEXT,
            "measures": TEXT,
            "descriptive": INT,
            "estimate": TEXT,
            "better": TEXT,
        },
        "id",
    ),
    "entities": (
        {
            "id": TEXT,
            "entity_kind": TEXT,
            "kind": TEXT,
            "vendor": TEXT,
            "name_zh": TEXT,
            "name_zh_hant": TEXT,
            "name_en": TEXT,
            "full_name_zh": TEXT,
            "model": TEXT,
            "family": TEXT,
            "generation": TEXT,
            "country": TEXT,
            "parent": TEXT,
            "note": TEXT,
            "origin": TEXT,
            "variant_of": TEXT,
        },
        "id",
    ),
    "aliases": ({"key": TEXT, "entity": TEXT, "alias": TEXT, "form": TEXT, "signature": TEXT, "suspect": INT, "note": TEXT}, None),
    "parts": ({"system": TEXT, "chip": TEXT, "count": INT, "printed": TEXT, "source": TEXT, "locator": TEXT}, None),
    "trained_on": ({"workload": TEXT, "chip": TEXT, "printed": TEXT, "source": TEXT, "locator": TEXT}, "workload"),
    "figures": (
        {
            "id": INT,
            "entity": TEXT,
            "entity_kind": TEXT,
            "metric": TEXT,
            "value": REAL,
            "low": REAL,
            "high": REAL,
            "bound": TEXT,
            "text": TEXT,
            "unit": TEXT,
            "currency": TEXT,
            "precision": TEXT,
            "sparsity": TEXT,
            "engine": TEXT,
            "alternatives": INT,
            "period": TEXT,
            "period_alias": TEXT,
            "basis": TEXT,
            "as_of": TEXT,
            "measure": TEXT,
            "quantity": TEXT,
            "source": TEXT,
            "locator": TEXT,
            "printed": TEXT,
            "note": TEXT,
            "prefer": INT,
            "suspect": INT,
            "base_value": REAL,
            "base_low": REAL,
            "base_high": REAL,
            "conflict_group": INT,
            "conflict_kind": TEXT,
            "history_group": INT,
            "conflicts_with": TEXT,
            "preferred": INT,
            "preferred_because": TEXT,
            "origin": TEXT,
            "link": TEXT,
            "modified": TEXT,
        },
        "id",
    ),
    "announcements": (
        {"id": TEXT, "name": TEXT, "issuer": TEXT, "date": TEXT, "source": TEXT, "locator": TEXT, "printed": TEXT, "origin": TEXT},
        "id",
    ),
    "certifications": (
        {
            "announcement": TEXT,
            "seq": INT,
            "product": TEXT,
            "company": TEXT,
            "level": TEXT,
            "chip": TEXT,
            "vendor": TEXT,
            "source": TEXT,
            "locator": TEXT,
            "printed": TEXT,
            "origin": TEXT,
        },
        None,
    ),
    "search": (
        {"id": INT, "entity": TEXT, "metric": TEXT, "figure": INT, "names": TEXT, "labels": TEXT, "locator": TEXT, "note": TEXT},
        "id",
    ),
    "control_classes": (
        {
            "id": TEXT,
            "regime": TEXT,
            "name": TEXT,
            "reading": TEXT,
            "precedence": INT,
            "source": TEXT,
            "locator": TEXT,
            "clauses": TEXT,
            "note": TEXT,
            "origin": TEXT,
        },
        "id",
    ),
    "meta": ({"key": TEXT, "value": TEXT}, "key"),
}
# Searched columns, in the order kb.search weighs them: a name hit counts most, a note least.
SEARCH_COLUMNS = ("names", "labels", "locator", "note")
INDEXES = {
    "entities": [["vendor"], ["variant_of"]],
    "aliases": [["key"], ["entity"]],
    "figures": [["entity", "metric"], ["metric"]],
    "certifications": [["chip"], ["vendor"]],
    "parts": [["system"]],
}
# Indexes the store names in its queries (chipmcp.kb.spec_index).
NAMED_INDEXES = {
    "entities": {GENERATION_INDEX: ["generation"], FAMILY_INDEX: ["family"]},
}


def write_database(
    tables: dict[str, list[dict[str, Any]]], path: Path, fingerprint_value: str, folder_labels: Sequence[str] = ()
) -> None:
    """Write the tables to a fresh file beside `path`, then move it into place atomically.

    Nothing reads the temporary file before the rename, so SQLite's per-write durability buys nothing:
    the writes go unsynced with the journal in memory, and the finished file is synced once before the
    rename makes it visible (a crash before then leaves only a stray .tmp, never a half-written database)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temp = Path(temp_name)
    rows_by_table = {
        **tables,
        "meta": [
            {"key": "fingerprint", "value": fingerprint_value},
            {"key": "schema_version", "value": str(SCHEMA_VERSION)},
            {"key": "folders", "value": json.dumps(list(folder_labels), ensure_ascii=False)},
        ],
    }
    try:
        connection = sqlite3.connect(temp)
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA journal_mode=MEMORY")
        db = sqlite_utils.Database(connection)
        for name, (columns, pk) in SCHEMAS.items():
            table = db.table(name)
            table.create(columns, pk=pk)
            _insert_rows(connection, name, list(columns), rows_by_table[name])
            for index in INDEXES.get(name, []):
                table.create_index(index)
            for index_name, columns_of in NAMED_INDEXES.get(name, {}).items():
                table.create_index(columns_of, index_name=index_name)
        # The few planned figures (basis plan: roadmap products), found without reading every figure: a
        # catalog column asks which they are (KnowledgeBase.planned_figure_ids) on its first need, and
        # compare_chips which entities have one (planned_entities).
        connection.execute("CREATE INDEX idx_figures_planned ON figures(entity) WHERE basis = 'plan'")
        _write_spec_columns(connection)
        # unicode61 splits on the spaces search_terms puts between words and between Chinese character pairs.
        db.table("search").enable_fts(list(SEARCH_COLUMNS), tokenize="unicode61")
        # No VACUUM: the file is written once in one transaction and has no free page to reclaim (measured:
        # same page count with or without), and reordering its pages cost a tenth of the writing.
        connection.commit()
        connection.close()
        with temp.open("rb+") as written:
            os.fsync(written.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def _write_spec_columns(connection: sqlite3.Connection) -> None:
    """The figures find_chips' columns read (KnowledgeBase.spec_figures), field by field in packed arrays
    (chipmcp.kb.spec_columns), taken from the figures table as written."""
    rows = connection.execute(f"SELECT metric, {', '.join(SPEC_FIELDS)} FROM figures WHERE period IS NULL ORDER BY id")
    found = rows.fetchall()
    ranks = {entity: rank for rank, (entity,) in enumerate(connection.execute("SELECT id FROM entities ORDER BY id"))}
    packed = spec_columns.pack(found, ranks)
    connection.execute(
        "CREATE TABLE spec_columns (metric TEXT NOT NULL, field TEXT NOT NULL, labels TEXT, data BLOB NOT NULL,"
        " PRIMARY KEY (metric, field)) WITHOUT ROWID"
    )
    connection.executemany("INSERT INTO spec_columns VALUES (?, ?, ?, ?)", packed)


_SCALARS = (str, int, float, type(None))
_SCALAR_TYPES = frozenset((*_SCALARS, bool))


def _insert_rows(connection: sqlite3.Connection, table: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    """The rows, in order, by one prepared statement: what sqlite-utils' insert_all stores, without its
    per-chunk SQL text. Values go through its own conversion (lists and dicts as JSON), scalars as they are."""
    names_sql, places = ", ".join(map(quote_identifier, columns)), ", ".join("?" * len(columns))
    statement = f"INSERT INTO {quote_identifier(table)} ({names_sql}) VALUES ({places})"
    connection.executemany(statement, _values(rows, columns))


def _values(rows: list[dict[str, Any]], columns: list[str]) -> Iterator[Sequence[Any]]:
    """Each row's values in column order, a missing one NULL."""
    pick = operator.itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
    for row in rows:
        try:
            values = pick(row)
        except KeyError:
            values = tuple(map(row.get, columns))
        if not _SCALAR_TYPES.issuperset(map(type, values)):  # rare: one test of a row's types, not one per value
            values = [v if isinstance(v, _SCALARS) else jsonify_if_needed(v) for v in values]
        yield values


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """A build keeps nearly every object it makes (records, rows, words) until it ends, and makes few cycles:
    the cyclic garbage collector would walk them again and again, a sixth of a build's time, to free almost
    nothing. Reference counting still frees the rest; collection resumes when the build is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build(knowledge: Path | Sequence[Path], db_path: Path) -> dict[str, int]:
    """Validate the knowledge folder(s) and write db_path; return row counts per table."""
    with _no_cycle_collection():
        tables = assemble(load(knowledge))
        write_database(tables, db_path, fingerprint(knowledge), labels(knowledge))
    return _row_counts(tables)


def check(knowledge: Path | Sequence[Path]) -> dict[str, int]:
    """Validate only; return row counts per table."""
    return check_by_folder(knowledge)[0]


def check_by_folder(knowledge: Path | Sequence[Path]) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Validate only (once); return row counts per table, and, for each folder's label, how many rows of each
    table it contributed (tables whose rows carry an origin)."""
    folder_labels = labels(knowledge)
    counts: dict[str, dict[str, int]] = {label: {} for label in folder_labels}
    with _no_cycle_collection():
        tables = assemble(load(knowledge))
    for name, rows in tables.items():
        for row in rows:
            if "origin" in row:
                per_table = counts[folder_of(row["origin"], folder_labels)]
                per_table[name] = per_table.get(name, 0) + 1
    return _row_counts(tables), counts


def _row_counts(tables: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    return {name: len(rows) for name, rows in tables.items()}
