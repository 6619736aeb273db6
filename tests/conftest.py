from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from chipmcp.kb.store import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
MINI_KNOWLEDGE = ROOT / "tests" / "data" / "mini-knowledge"

# Hypothesis profiles, chosen by CHIPMCP_HYPOTHESIS_PROFILE: 'ci' (the default: hypothesis' own example counts),
# 'quick' (fewer examples for the edit loop) and 'mutation' (scripts/mutate.py: derandomized, so a mutant is
# killed or not the same way every run, and no example database written into the scratch copy).
# No deadline in any profile: speed is measured in benchmarks/, never asserted by a test (on shared cores a
# 200 ms deadline fails at random).
settings.register_profile("ci", deadline=None)
settings.register_profile("quick", max_examples=25, deadline=None)
settings.register_profile(
    "mutation", max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("CHIPMCP_HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The knowledge base and the server are imported by the fixtures that need them: a test of the pure core
    # (and each run of scripts/mutate.py) loads neither pydantic's records nor MCP.
    from chipmcp.kb import build
    from chipmcp.kb.store import knowledge_dir

    prebuilt = os.environ.get("CHIPMCP_TEST_DB")  # see mini_kb
    if prebuilt:
        return Path(prebuilt)
    path = tmp_path_factory.mktemp("kb") / "chipmcp.db"
    build.build(knowledge_dir(), path)
    return path


@pytest.fixture(scope="session")
def kb(db_path: Path) -> KnowledgeBase:
    from chipmcp.kb.store import KnowledgeBase

    return KnowledgeBase(db_path)


@pytest.fixture(scope="session")
def mini_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The designed knowledge base of tests/data/mini-knowledge, alone (no bundled knowledge). CHIPMCP_MINI_DB
    (and CHIPMCP_TEST_DB for the real one) name databases built beforehand: scripts/mutate.py builds them once
    when the module it mutates is not one the build uses (reasoning/), instead of once per mutant."""
    from chipmcp.kb import build
    from chipmcp.kb.store import KnowledgeBase

    prebuilt = os.environ.get("CHIPMCP_MINI_DB")
    if prebuilt:
        return KnowledgeBase(Path(prebuilt))
    path = tmp_path_factory.mktemp("mini-kb") / "mini.db"
    build.build(MINI_KNOWLEDGE, path)
    return KnowledgeBase(path)


@pytest.fixture(scope="session")
def server(kb: KnowledgeBase):
    from chipmcp.serving.server import build_server  # imported here: tests of the core never load MCP

    return build_server(kb)


@pytest.fixture(scope="session")
def reports_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The bundled knowledge without its datasets: the five reports' figures alone. Some cases the tests pin
    exist only there (H20's FP16 only as a sparse reading: Epoch's table adds a dense one), and they stay
    cases the tools must handle for any knowledge folder."""
    from chipmcp.kb import build
    from chipmcp.kb.store import KnowledgeBase, knowledge_dir

    folder = tmp_path_factory.mktemp("reports") / "knowledge"
    shutil.copytree(knowledge_dir(), folder, ignore=shutil.ignore_patterns("datasets"))
    path = folder.parent / "chipmcp.db"
    build.build(folder, path)
    return KnowledgeBase(path)


@pytest.fixture(scope="session")
def reports_server(reports_kb: KnowledgeBase):
    from chipmcp.serving.server import build_server

    return build_server(reports_kb)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
