"""The wheel, as a user installs it: built from the checkout, installed into a venv outside it, served.

The wheel is built offline (hatchling from the test extras, no build isolation) and installed without
its dependencies, which the temporary venv borrows from the running one through a .pth file: that
keeps the test within seconds and off the network. `.ci/run` does the full install from the index into
a fresh venv (and through uv's tool install and the Claude Desktop bundle).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from chipmcp.serving.server import EXAMPLE_CALLS
from conftest import ROOT

# Builds a wheel and installs it with pip into a new venv: left out of the quick loop (pytest -m "not slow").
pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("hatchling") is None, reason="building the wheel offline needs hatchling (pip install -e '.[test]')"
    ),
    pytest.mark.slow,
]

TIMEOUT = 180  # seconds for any one build, install or call: a hang fails the test instead of the suite


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(out), str(ROOT)],
        check=True,
        timeout=TIMEOUT,
        capture_output=True,
    )
    (built,) = out.glob("chipmcp-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv outside the checkout holding the wheel; its dependencies are the running environment's."""
    home = tmp_path_factory.mktemp("user")
    env_dir = home / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True, timeout=TIMEOUT)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
        timeout=TIMEOUT,
        capture_output=True,
    )
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        timeout=TIMEOUT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Appended after the venv's own site-packages, so the wheel's chipmcp is found before any other.
    Path(purelib, "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return env_dir


UNSET = ("PYTHONPATH", "CHIPMCP_KNOWLEDGE", "CHIPMCP_BUNDLED_KNOWLEDGE", "CHIPMCP_DB", "VIRTUAL_ENV")


def user_env(home: Path) -> dict[str, str]:
    """A user's environment: no checkout on the path, no knowledge or database chosen, a cache of its own."""
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    return env | {"XDG_CACHE_HOME": str(home / "cache"), "PYTHONIOENCODING": "utf-8"}


def test_the_wheel_carries_the_whole_knowledge_folder_the_icon_and_the_command(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    knowledge = {
        f"chipmcp/knowledge/{p.relative_to(ROOT / 'knowledge').as_posix()}" for p in (ROOT / "knowledge").rglob("*") if p.is_file()
    }
    assert knowledge and knowledge <= names, sorted(knowledge - names)
    assert "chipmcp/serving/icon.svg" in names and "chipmcp/serving/prompts.py" in names
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "chipmcp = chipmcp.cli:run" in zipfile.ZipFile(wheel).read(entry_points).decode()
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "chipmcp/knowledge/.."))]


def test_the_wheel_carries_the_notice_the_server_reads_and_both_licence_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "chipmcp/NOTICE" in names
    assert {n.rsplit("/", 1)[-1] for n in names if "/licenses/" in n} == {"LICENSE", "NOTICE"}


def test_the_wheel_declares_the_dependencies_pyproject_lists(wheel: Path) -> None:
    (metadata,) = [n for n in zipfile.ZipFile(wheel).namelist() if n.endswith(".dist-info/METADATA")]
    declared = Parser().parsestr(zipfile.ZipFile(wheel).read(metadata).decode()).get_all("Requires-Dist")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    from packaging.requirements import Requirement  # hatchling's own dependency

    def same(requirements) -> set[str]:
        return {str(Requirement(r)) for r in requirements}

    assert same(d for d in declared if "extra ==" not in d) == same(pyproject["project"]["dependencies"])


def test_the_installed_package_lives_in_the_venv_and_finds_its_own_knowledge(venv: Path) -> None:
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    out = subprocess.run(
        [
            str(python),
            "-c",
            "import json, chipmcp, chipmcp.kb.store as kb; print(json.dumps([chipmcp.__file__, str(kb.knowledge_dir())]))",
        ],
        check=True,
        timeout=TIMEOUT,
        capture_output=True,
        text=True,
        cwd=venv.parent,
        env=user_env(venv.parent),
    ).stdout
    package, knowledge = (Path(p) for p in json.loads(out))
    assert package.is_relative_to(venv) and knowledge.is_relative_to(venv), (package, knowledge)
    assert not package.is_relative_to(ROOT) and (knowledge / "sources.toml").is_file()


def test_the_installed_command_answers_a_lookup_from_outside_the_checkout(venv: Path) -> None:
    command = venv / ("Scripts/chipmcp.exe" if os.name == "nt" else "bin/chipmcp")
    done = subprocess.run(
        [str(command), "call", "lookup_chip", '{"name":"昇腾910B"}'],
        timeout=TIMEOUT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=venv.parent,
        env=user_env(venv.parent),
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["id"] == "huawei-ascend-910b" and answer["figures"]
    assert (venv.parent / "cache" / "chipmcp").is_dir(), "the database is built into the user's cache"


@pytest.mark.anyio
async def test_the_installed_server_answers_every_tool_over_stdio(venv: Path) -> None:
    command = venv / ("Scripts/chipmcp.exe" if os.name == "nt" else "bin/chipmcp")
    params = StdioServerParameters(command=str(command), cwd=str(venv.parent), env=user_env(venv.parent))
    async with Client(params) as client:
        for tool, arguments in EXAMPLE_CALLS.items():
            result = await client.call_tool(tool, arguments)
            assert not result.is_error, (tool, result.content)
            assert result.structured_content and result.content[0].text
        resources = (await client.list_resources()).resources
    assert any(r.uri == "chipmcp://chips/huawei-ascend-910b" for r in resources)
