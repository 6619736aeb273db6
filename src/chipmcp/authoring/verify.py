"""`chipmcp kb verify --reports DIR`: every printed token must occur in the report it cites, and every figure
of a dataset must be the cell of its row and column in the pinned table."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from chipmcp.authoring.reports import read_report
from chipmcp.errors import NotFoundError
from chipmcp.kb.folders import bundled_dir
from chipmcp.kb.store import KnowledgeBase

_CELL_ORIGIN = re.compile(r"^(?P<file>.+\.csv):(?P<line>\d+):(?P<header>.+)$")

_SPACE = re.compile(r"\s+")


def _loose(text: str) -> str:
    """Report text as extracted from PDFs wraps and spaces freely: compare without whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFC", text))


@dataclass
class Verification:
    checked: int = 0
    misses: list[str] = field(default_factory=list)
    unreported: list[str] = field(default_factory=list)  # sources whose report file is in no --reports folder
    loose_matches: int = 0
    sources: list[str] = field(default_factory=list)  # the sources checked
    unchecked: Counter[str] = field(default_factory=Counter)  # tokens of sources that have no report file at all
    per_source: Counter[str] = field(default_factory=Counter)
    per_folder: Counter[str] = field(default_factory=Counter)
    per_kind: Counter[str] = field(default_factory=Counter)
    per_metric_kind: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.misses and not self.unreported


def verify(
    kb: KnowledgeBase, reports: Path | Sequence[Path], only: Collection[str] = (), knowledge: Sequence[Path] = ()
) -> Verification:
    """Check the printed tokens of every source (or of the sources in `only`) against its report file,
    looked up by name in each of the `reports` folders in turn; a dataset's figures against the cells of its
    pinned table, found through the figure's origin in the knowledge folders (bundled first)."""
    folders = [reports] if isinstance(reports, Path) else list(reports)
    unknown = sorted(set(only) - set(kb.sources))
    if unknown:
        raise NotFoundError(f"No source {', '.join(map(repr, unknown))}. Sources: {', '.join(kb.sources)}.")
    chosen = [s for s in kb.sources.values() if not only or s["id"] in only]
    texts: dict[str, tuple[str, str]] = {}
    result = Verification(sources=[s["id"] for s in chosen])
    for source in chosen:
        if not source["file"]:  # a regulation cited by its official citation: there is no report to read
            continue
        path = next((folder / source["file"] for folder in folders if (folder / source["file"]).is_file()), None)
        if path is None:
            result.unreported.append(
                f"source {source['id']} ({source.get('origin') or 'origin unknown'}): report "
                f"file {source['file']!r} is in none of {', '.join(map(str, folders))}"
            )
            continue
        text = read_report(path)
        texts[source["id"]] = (text, _loose(text))

    def check(token: str, source: str, what: str) -> None:
        if source in wanted and not kb.sources[source]["file"]:
            result.unchecked[source] += 1
            return
        if source not in texts:
            return
        result.checked += 1
        exact, loose = texts[source]
        if token in exact:
            return
        if _loose(token) in loose:
            result.loose_matches += 1
            return
        result.misses.append(f"{what}: printed {token!r} not found in {source}")

    wanted = {s["id"] for s in chosen}
    tables = _Tables(kb, knowledge)
    for row in kb.all_figures():
        if row["source"] not in wanted:
            continue
        if kb.sources[row["source"]]["kind"] == "dataset":
            result.checked += 1
            miss = tables.miss(row)
            if miss:
                result.misses.append(f"{row['origin']} ({row['entity']} {row['metric']}): {miss}")
        else:
            check(row["printed"], row["source"], f"{row['origin']} ({row['entity']} {row['metric']})")
        result.per_source[row["source"]] += 1
        result.per_folder[kb.folder_of(row["origin"]) or "?"] += 1
        result.per_kind[row["entity_kind"]] += 1
    for part in kb.all_parts():
        check(part["printed"], part["source"], f"system {part['system']} part {part['chip']}")
    for run in kb.all_trained_on():
        check(run["printed"], run["source"], f"workload {run['workload']} trained_on {run['chip']}")
    for cert in kb.certifications():
        check(cert["printed"], cert["source"], f"{cert['origin']} certification {cert['product']}")
    for ann in kb.announcements.values():
        check(ann["printed"], ann["source"], f"{ann['origin']} announcement {ann['id']}")
    for rule in kb.control_classes:
        for clause in rule["clauses"]:
            for condition in clause:
                check(condition["printed"], rule["source"], f"{rule['origin']} control_class {rule['id']}")
    for entity in kb.entities.values():
        result.per_metric_kind[entity["entity_kind"]] += 1
    return result


class _Tables:
    """The pinned tables figures' origins name, each read once: line a row starts on → its cells."""

    def __init__(self, kb: KnowledgeBase, knowledge: Sequence[Path]):
        labels = kb.folders
        paths = list(knowledge) or [bundled_dir(), *(Path(label) for label in labels[1:])]
        self.folders = dict(zip(labels, paths, strict=False))
        self.kb = kb
        self.read: dict[str, dict[int, dict[str, str]] | str] = {}

    def miss(self, row: dict) -> str:
        """'' when the figure's printed value is its cell in the pinned table; else what is wrong."""
        found = _CELL_ORIGIN.match(row["origin"])
        if found is None:
            return "origin names no table cell (file.csv:line:column)"
        rows = self._rows(found["file"])
        if isinstance(rows, str):
            return rows
        cells = rows.get(int(found["line"]))
        if cells is None:
            return f"no row starts at line {found['line']} of {found['file']}"
        name = row["locator"].rpartition(" / ")[0]
        if name not in cells.values():
            return f"the row at line {found['line']} is not {name!r}"
        cell = cells.get(found["header"])
        if cell is None:
            return f"no column {found['header']!r} in {found['file']}"
        if cell != row["printed"] and cell.strip() != row["printed"]:
            return f"printed {row['printed']!r} but the cell holds {cell!r}"
        return ""

    def _rows(self, shown: str) -> dict[int, dict[str, str]] | str:
        if shown not in self.read:
            label = self.kb.folder_of(shown + ":")
            folder = self.folders.get(label)
            if folder is None:
                self.read[shown] = f"{shown} is in no knowledge folder given"
            else:
                self.read[shown] = _read_rows(folder / shown.removeprefix(label + "/"))
        return self.read[shown]


def _read_rows(path: Path) -> dict[int, dict[str, str]] | str:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return f"cannot read {path}: {error}"
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    rows, start = {}, reader.line_num + 1
    for cells in reader:
        rows[start] = dict(zip(header, cells, strict=False))
        start = reader.line_num + 1
    return rows


def report(result: Verification) -> str:
    lines = [
        f"checked {result.checked} printed tokens of {len(result.sources)} source(s): {len(result.misses)} missing"
        + (f", {result.loose_matches} found only across line breaks/spaces" if result.loose_matches else "")
        + (f"; {len(result.unreported)} source(s) without a report file, not checked" if result.unreported else "")
    ]
    lines.append("figures per source: " + ", ".join(f"{k} {v}" for k, v in sorted(result.per_source.items())))
    lines.append("figures per folder: " + ", ".join(f"{k} {v}" for k, v in result.per_folder.items()))
    lines.append("figures per entity kind: " + ", ".join(f"{k} {v}" for k, v in sorted(result.per_kind.items())))
    lines.append("entities per kind: " + ", ".join(f"{k} {v}" for k, v in sorted(result.per_metric_kind.items())))
    lines += [
        f"not checked: {n} token(s) of {source}, which has no report file to check them against"
        for source, n in sorted(result.unchecked.items())
    ]
    lines += [f"NO REPORT FILE {m}" for m in result.unreported]
    lines += [f"MISSING {m}" for m in result.misses]
    return "\n".join(lines)
