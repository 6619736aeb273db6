from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chipmcp.kb import build
from chipmcp.kb.store import KnowledgeBase, knowledge_dir
from chipmcp.serving.server import build_server

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kb") / "chipmcp.db"
    build.build(knowledge_dir(), path)
    return path


@pytest.fixture(scope="session")
def kb(db_path: Path) -> KnowledgeBase:
    return KnowledgeBase(db_path)


@pytest.fixture(scope="session")
def server(kb: KnowledgeBase):
    return build_server(kb)


@pytest.fixture(scope="session")
def reports_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The bundled knowledge without its datasets: the five reports' figures alone. Some cases the tests pin
    exist only there (H20's FP16 only as a sparse reading: Epoch's table adds a dense one), and they stay
    cases the tools must handle for any knowledge folder."""
    folder = tmp_path_factory.mktemp("reports") / "knowledge"
    shutil.copytree(knowledge_dir(), folder, ignore=shutil.ignore_patterns("datasets"))
    path = folder.parent / "chipmcp.db"
    build.build(folder, path)
    return KnowledgeBase(path)


@pytest.fixture(scope="session")
def reports_server(reports_kb: KnowledgeBase):
    return build_server(reports_kb)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
