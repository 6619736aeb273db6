"""Where the knowledge comes from: the bundled knowledge/ folder, then a user's extra folders in the same format.

    bundled        knowledge/ shipped with chipmcp; CHIPMCP_BUNDLED_KNOWLEDGE points at another one (a fork,
                   a synthetic benchmark) instead
    extra folders  CHIPMCP_KNOWLEDGE (an os.pathsep-separated list), then each `--knowledge DIR`, in that
                   order; the build merges them with the bundled one

A folder list is always bundled-first. Every record's origin starts with its folder's label — the bundled
folder's name (`knowledge/figures/x.toml:12`, as the curators know it) or an extra folder's absolute path,
so that whoever reads an origin can open the file whatever directory the server was started in.

Light on purpose: the server resolves its folders before it imports anything heavy.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from chipmcp.errors import KnowledgeError

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # src/chipmcp (knowledge/ sits inside it in a wheel)
EXTRA_ENV = "CHIPMCP_KNOWLEDGE"
BUNDLED_ENV = "CHIPMCP_BUNDLED_KNOWLEDGE"


def bundled_dir() -> Path:
    """knowledge/ shipped in the wheel, or the repository's when installed editable."""
    configured = os.environ.get(BUNDLED_ENV)
    if configured:
        return Path(configured)
    for candidate in (_PACKAGE_DIR / "knowledge", _PACKAGE_DIR.parents[1] / "knowledge"):
        if (candidate / "sources.toml").is_file():
            return candidate
    raise FileNotFoundError("chipmcp's knowledge/ folder is missing from this installation")


def extra_dirs(given: Sequence[Path] = ()) -> list[Path]:
    """The user's extra folders: CHIPMCP_KNOWLEDGE's, then `given`; each checked, resolved, listed once."""
    named = [(Path(entry), EXTRA_ENV) for entry in os.environ.get(EXTRA_ENV, "").split(os.pathsep) if entry.strip()]
    named += [(Path(path), "--knowledge") for path in given]
    bundled = bundled_dir().resolve()
    problems: list[str] = []
    folders: list[Path] = []
    for path, where in named:
        if not path.is_dir():
            problems.append(
                f"{path}: knowledge folder not found (given by {where}); "
                "pass a folder in the knowledge/ format, e.g. one made by `chipmcp kb new-source`"
            )
            continue
        folder = path.resolve()
        if folder == bundled or folder in folders:
            continue  # naming a folder twice adds nothing
        nested = next((other for other in [bundled, *folders] if other.is_relative_to(folder) or folder.is_relative_to(other)), None)
        if nested is not None:
            problems.append(
                f"{path}: knowledge folder overlaps {nested} (one holds the other), so its files would "
                "be read twice; give folders side by side"
            )
            continue
        folders.append(folder)
    if problems:
        raise KnowledgeError(problems)
    return folders


def knowledge_folders(given: Sequence[Path] = ()) -> list[Path]:
    """The bundled folder and then every extra one: what the server and the CLI build from."""
    return [bundled_dir(), *extra_dirs(given)]


def as_folders(knowledge: Path | Sequence[Path]) -> list[Path]:
    """One folder (the bundled one, alone) or a bundled-first list."""
    return [knowledge] if isinstance(knowledge, Path) else list(knowledge)


def labels(knowledge: Path | Sequence[Path]) -> list[str]:
    """How origins name each folder: the bundled one by its name, extra ones by absolute path."""
    folders = as_folders(knowledge)
    return [folder.name if index == 0 else folder.resolve().as_posix() for index, folder in enumerate(folders)]


def folder_of(origin: str, folder_labels: Sequence[str]) -> str:
    """The label of the folder an origin ('<label>/<file>:<line>') lies in; '' when none matches."""
    return max((label for label in folder_labels if origin.startswith(label + "/")), key=len, default="")
