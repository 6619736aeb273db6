"""Which knowledge files there are, and one digest of them all: the name of the database built from them.

Kept apart from build.py so that a server finding its database pays for hashing a few files, not for
importing the builder (sqlite-utils, the record models).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

SCHEMA_VERSION = 4  # bump when the tables change shape, so cached databases are rebuilt


def knowledge_files(knowledge_dir: Path) -> list[Path]:
    return sorted(p for p in knowledge_dir.rglob("*.toml") if p.is_file())


def fingerprint(knowledge_dir: Path) -> str:
    """A digest of every knowledge file and of the build code's schema version."""
    digest = hashlib.sha256(f"schema={SCHEMA_VERSION}".encode())
    for path in knowledge_files(knowledge_dir):
        digest.update(path.relative_to(knowledge_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
