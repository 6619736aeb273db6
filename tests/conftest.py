from __future__ import annotations

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


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
