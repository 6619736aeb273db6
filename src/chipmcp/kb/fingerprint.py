"""Which knowledge files there are, and one digest of them all: the name of the database built from them.

Kept apart from build.py so that a server finding its database pays for hashing a few files, not for
importing the builder (sqlite-utils, the record models).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from chipmcp.kb.folders import as_folders, labels

SCHEMA_VERSION = 12  # bump when the tables change shape, so cached databases are rebuilt

# The modules whose code decides what a build writes (rows, derived columns, conflicts, alias keys): their
# source enters the digest too, so a changed rule never meets a database built by the old one.
_BUILDER_MODULES = (
    "kb/build.py",
    "kb/records.py",
    "kb/datasets.py",
    "core/units.py",
    "core/compute.py",
    "core/names.py",
    "core/periods.py",
    "kb/folders.py",
)
_PACKAGE = Path(__file__).resolve().parents[1]  # src/chipmcp


def knowledge_files(knowledge_dir: Path) -> list[Path]:
    return sorted(p for p in knowledge_dir.rglob("*.toml") if p.is_file())


def data_files(knowledge_dir: Path) -> list[Path]:
    """Every file the build reads: the TOML records and the tables ([[dataset]] CSVs) they pin."""
    return sorted(p for p in knowledge_dir.rglob("*") if p.is_file() and p.suffix in (".toml", ".csv"))


def fingerprint(knowledge: Path | Sequence[Path]) -> str:
    """A digest of every file of every knowledge folder, of the build code's schema version and of the
    builder's own source.

    Extra folders enter with their label (their absolute path): origins in the database name it, so the
    same files elsewhere make another database."""
    digest = hashlib.sha256(f"schema={SCHEMA_VERSION}".encode())
    for module in _BUILDER_MODULES:
        digest.update(module.encode())
        digest.update((_PACKAGE / module).read_bytes())
    folders = as_folders(knowledge)
    for index, (folder, label) in enumerate(zip(folders, labels(folders), strict=True)):
        if index:
            digest.update(f"\0folder={label}\0".encode())
        for path in data_files(folder):
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
