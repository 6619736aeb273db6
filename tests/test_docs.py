"""The documentation and the registry manifest agree with the code."""

from __future__ import annotations

import json
import re
import tomllib
from importlib.metadata import version

import pytest
from mcp import Client

import chipmcp
from conftest import ROOT

pytestmark = pytest.mark.anyio


async def test_every_registered_tool_is_documented_in_the_readme(server) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    async with Client(server) as client:
        tools = [t.name for t in (await client.list_tools()).tools]
    for tool in tools:
        assert re.search(rf"^\| `{tool}` \|", readme, re.M), f"{tool} is not in the README's tool table"


def test_server_json_version_equals_the_package_version_and_readme_carries_mcp_name() -> None:
    manifest = json.loads((ROOT / "server.json").read_text(encoding="utf-8"))
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["hatch"]["version"]["path"] == "src/chipmcp/_version.py"
    assert manifest["version"] == chipmcp.__version__ == version("chipmcp")  # the installed metadata agrees
    assert all(p["version"] == chipmcp.__version__ for p in manifest["packages"])
    assert f"mcp-name: {manifest['name']}" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(manifest["description"]) <= 100


def test_server_json_is_valid_against_the_registry_schema() -> None:
    """The registry schema is vendored in tests/data so this runs on a fresh clone."""
    import jsonschema

    schema = json.loads((ROOT / "tests" / "data" / "server.schema.json").read_text(encoding="utf-8"))
    manifest = json.loads((ROOT / "server.json").read_text(encoding="utf-8"))
    jsonschema.validate(manifest, schema)
