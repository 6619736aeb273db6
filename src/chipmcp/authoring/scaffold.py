"""`chipmcp kb new-source ID --report FILE --into DIR`: the start of a user's knowledge folder for one report.

Writes a `[[source]]` record (appended to DIR/sources.toml) and an empty DIR/figures/ID.toml, both with
the format's comments. What can be read off the report is filled in — its file name, its language, its
first line as the title to correct; what only the curator knows (publisher, kind, date) is left empty, so
`chipmcp build --check` refuses the folder, at file:line, until it is filled in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from chipmcp.authoring.reports import read_report
from chipmcp.errors import InputError

_IDENTIFIER = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")  # as records.Identifier
_CJK = re.compile(r"[\u3400-\u9fff]")

SOURCE_TEMPLATE = """
# The report {file}. Fill in every empty field; `chipmcp build --check --knowledge {folder}` names what is missing.
[[source]]
id = "{id}"
publisher = ""                # required: the publisher as printed, e.g. 某某证券研究所
publisher_en = ""             # required: the publisher in English
title = {title}               # required: the report's title as printed (here: its first line; correct it)
kind = ""                     # required: industry report, strategy report, newspaper articles, …
date = ""                     # required: YYYY, YYYY-MM or YYYY-MM-DD, as stated or implied
date_note = ""                # optional: how the date was found, in your own words
language = "{language}"       # zh-Hans, zh-Hant or en (read off the report's text)
file = "{file}"               # the report's file name: `chipmcp kb verify --reports DIR` finds it in DIR
"""

FIGURES_TEMPLATE = """# Figures of source {id} ({file}): one [[figures]] block per table or section of the report.
# `chipmcp kb candidates {report}` lists lines that look like figures not held yet.
# Every row needs `printed`: the token exactly as the report prints it (kb verify looks for it).
# Entities are ids of the bundled knowledge (lookup_chip shows them) or of this folder's catalog/*.toml.
# A figure that disagrees with another report's is kept; both are returned, marked as a conflict.
#
# [[figures]]
# source = "{id}"
# locator = "表1 主流加速卡参数"             # the table or section caption, as printed
# entity = "huawei-ascend-910b"           # optional default for the rows below
# rows = [
#   {{ metric = "compute", precision = "fp16", sparsity = "dense", value = 320, unit = "TFLOPS", printed = "320 TFLOPS" }},
#   {{ metric = "tdp", value = 350, unit = "W", printed = "350W" }},
# ]
#
# Row fields: metric (knowledge/metrics.toml), value or low+high (a range) or text, unit (src/chipmcp/units.py),
# bound (approx, over, at_least, at_most, under), precision, sparsity, engine, period, basis, as_of, note, prefer,
# suspect. knowledge/README.md describes each.
"""


@dataclass(frozen=True)
class Scaffold:
    source_file: Path
    figures_file: Path
    filled: dict[str, str]  # fields read off the report


def new_source(source_id: str, report: Path, into: Path, known_sources: Collection[str]) -> Scaffold:
    """Write the source record and the empty figures file; refuse to overwrite anything."""
    if not _IDENTIFIER.match(source_id):
        raise InputError(
            f"Source id {source_id!r} is not an identifier: use lowercase ASCII letters, digits and '-', e.g. 'example-2026-03'."
        )
    if source_id in known_sources:
        raise InputError(f"Source {source_id!r} already exists in the knowledge; choose another id.")
    if not report.is_file():
        raise InputError(f"Report file {report} not found; give the report's text file with --report.")
    figures_file = into / "figures" / f"{source_id}.toml"
    if figures_file.exists():
        raise InputError(f"{figures_file} already exists; choose another id or edit that file.")
    source_file = into / "sources.toml"
    if source_file.is_file():
        import tomllib

        defined = {s.get("id") for s in tomllib.loads(source_file.read_text(encoding="utf-8")).get("source", [])}
        if source_id in defined:
            raise InputError(f"Source {source_id!r} is already in {source_file}; choose another id.")
    text = read_report(report)
    filled = {"file": report.name, "language": _language(text), "title": _first_line(text)}
    figures_file.parent.mkdir(parents=True, exist_ok=True)
    block = SOURCE_TEMPLATE.format(
        id=source_id, folder=into, title=_toml_string(filled["title"]), **{k: v for k, v in filled.items() if k != "title"}
    )
    with source_file.open("a", encoding="utf-8") as out:
        out.write(block if source_file.stat().st_size else block.lstrip("\n"))
    figures_file.write_text(FIGURES_TEMPLATE.format(id=source_id, file=report.name, report=report), encoding="utf-8")
    return Scaffold(source_file, figures_file, filled)


def _first_line(text: str) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line[:200]


def _language(text: str) -> str:
    """zh-Hant when converting to simplified changes a fair share of the Chinese characters, zh-Hans when
    there are Chinese characters at all, en otherwise."""
    chinese = _CJK.findall(unicodedata.normalize("NFKC", text))
    if not chinese:
        return "en"
    import opencc

    sample = "".join(chinese[:4000])
    simplified = opencc.OpenCC("t2s").convert(sample)
    changed = sum(a != b for a, b in zip(sample, simplified, strict=False))
    return "zh-Hant" if changed > len(sample) * 0.05 else "zh-Hans"


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
