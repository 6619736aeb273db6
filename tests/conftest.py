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


def _built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, knowledge: Path, name: str) -> Path:
    """`knowledge` built once and kept in pytest's cache under its fingerprint (a digest of every knowledge file
    and of the builder's own source, as the server names its cached database), so a session whose knowledge
    and builder are unchanged opens the database the last one built instead of building it again
    (tests/test_build.py builds for real). Databases are opened read-only. Without pytest's cache
    (-p no:cacheprovider) it is built into the session's temporary folder."""
    from chipmcp.kb import build
    from chipmcp.kb.fingerprint import fingerprint

    cache = getattr(request.config, "cache", None)
    if cache is None:
        path = tmp_path_factory.mktemp(name) / f"{name}.db"
        build.build(knowledge, path)
        return path
    folder = cache.mkdir("chipmcp-kb")
    path = folder / f"{name}-{fingerprint(knowledge)}.db"
    if not path.exists():
        for stale in folder.glob(f"{name}-*.db"):
            stale.unlink(missing_ok=True)
        partial = folder / f"{path.name}.{os.getpid()}.partial"  # a parallel session never opens a half-built file
        build.build(knowledge, partial)
        partial.replace(path)
    return path


@pytest.fixture(scope="session")
def db_path(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The knowledge base and the server are imported by the fixtures that need them: a test of the pure core
    # (and each run of scripts/mutate.py) loads neither pydantic's records nor MCP.
    from chipmcp.kb.store import knowledge_dir

    prebuilt = os.environ.get("CHIPMCP_TEST_DB")  # see mini_kb
    if prebuilt:
        return Path(prebuilt)
    return _built(request, tmp_path_factory, knowledge_dir(), "knowledge")


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
def reports_kb(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The bundled knowledge without its datasets: the five reports' figures alone. Some cases the tests pin
    exist only there (H20's FP16 only as a sparse reading: Epoch's table adds a dense one), and they stay
    cases the tools must handle for any knowledge folder."""
    from chipmcp.kb.store import KnowledgeBase, knowledge_dir

    folder = tmp_path_factory.mktemp("reports") / "knowledge"
    shutil.copytree(knowledge_dir(), folder, ignore=shutil.ignore_patterns("datasets"))
    return KnowledgeBase(_built(request, tmp_path_factory, folder, "reports"))


@pytest.fixture(scope="session")
def reports_server(reports_kb: KnowledgeBase):
    from chipmcp.serving.server import build_server

    return build_server(reports_kb)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
