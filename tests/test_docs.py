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


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def schema_type(prop: dict, defs: dict | None = None) -> str:
    """How the README's parameter table writes a property's type: the inputSchema, read aloud. An optional
    argument's null branch is left out: its default (null) says that it may be omitted; an object is
    named by its fields."""
    defs = defs or {}
    if "$ref" in prop:
        prop = defs[prop["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in prop:
        return " or ".join(schema_type(p, defs) for p in prop["anyOf"] if p.get("type") != "null")
    if prop.get("type") == "object":
        return "object {" + ", ".join(prop["properties"]) + "}"
    if "enum" in prop:
        return "one of " + ", ".join(str(v) for v in prop["enum"])
    if prop["type"] == "array":
        counts = (
            [f"{prop['minItems']}–{prop['maxItems']}"]
            if "minItems" in prop and "maxItems" in prop
            else [f"≤ {prop['maxItems']}"]
            if "maxItems" in prop
            else [f"≥ {prop['minItems']}"]
            if "minItems" in prop
            else []
        )
        return f"list of {schema_type(prop['items'], defs)}" + (f" ({counts[0]} items)" if counts else "")
    bounds = [
        f"{sign} {_number(prop[key])}"
        for key, sign in (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"), ("exclusiveMaximum", "<"))
        if key in prop
    ]
    return prop["type"] + (" " + ", ".join(bounds) if bounds else "")


def parameter_rows(tool) -> list[tuple[str, str, str, str]]:
    """(tool, parameter, type, default) for each property of a tool's inputSchema, in schema order."""
    schema = tool.input_schema
    return [
        (
            tool.name,
            name,
            schema_type(prop, schema.get("$defs")),
            "required" if name in schema.get("required", ()) else json.dumps(prop.get("default"), ensure_ascii=False),
        )
        for name, prop in schema["properties"].items()
    ]


def readme_parameter_rows() -> list[tuple[str, ...]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Tool parameters", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [tuple(cell.strip().strip("`") for cell in row.strip("|").split(" | ")) for row in rows]


async def test_readme_parameter_table_lists_every_tool_parameter_with_its_type_and_default(server) -> None:
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
    expected = [row for tool in tools for row in parameter_rows(tool)]
    assert readme_parameter_rows() == expected, "regenerate the README table: python tests/test_docs.py"


def test_readme_keeps_the_install_and_test_commands_and_gives_the_other_installs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in (
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/chipmcp",
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest -q",
        "pip install .",
        "pipx install .",
        "uv tool install .",
        "npx -y @anthropic-ai/mcpb pack",
        '"PYTHONIOENCODING": "utf-8"',
    ):
        assert line in readme, line


async def test_bundle_manifest_lists_the_server_tools_and_prompts_and_carries_the_package_version(server) -> None:
    manifest = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
        prompts = (await client.list_prompts()).prompts
    assert [t["name"] for t in manifest["tools"]] == [t.name for t in tools]
    assert all(t["description"] for t in manifest["tools"])
    assert {p["name"]: p["arguments"] for p in manifest["prompts"]} == {p.name: [a.name for a in p.arguments] for p in prompts}
    assert manifest["version"] == chipmcp.__version__ == version("chipmcp")


def test_bundle_manifest_is_valid_against_the_mcpb_schema_and_its_files_exist() -> None:
    """The mcpb 0.4 schema is vendored in tests/data (from @anthropic-ai/mcpb); CI also runs `mcpb validate`."""
    import jsonschema

    schema = json.loads((ROOT / "tests" / "data" / "mcpb-manifest-v0.4.schema.json").read_text(encoding="utf-8"))
    manifest = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    jsonschema.validate(manifest, schema)
    assert manifest["server"]["type"] == "uv", "the host installs Python and the dependencies from pyproject.toml"
    assert (ROOT / manifest["server"]["entry_point"]).is_file()
    assert (ROOT / manifest["icon"]).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert manifest["compatibility"]["runtimes"]["python"] == pyproject["project"]["requires-python"]
    # Every user_config the command refers to is declared, with a default so an unset one becomes "".
    config = json.dumps(manifest["server"]["mcp_config"])
    for key in re.findall(r"\$\{user_config\.(\w+)\}", config):
        assert "default" in manifest["user_config"][key], key
    ignored = {
        line.strip()
        for line in (ROOT / ".mcpbignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert not {"src/", "knowledge/", "bundle/", "pyproject.toml", "README.md", "icon.png"} & ignored


if __name__ == "__main__":  # prints the README's parameter table from the live schemas
    import anyio

    from chipmcp.serving.server import build_server

    async def _print_table() -> None:
        async with Client(build_server()) as client:
            tools = (await client.list_tools()).tools
        print("| tool | parameter | type | default |\n|---|---|---|---|")
        for tool in tools:
            for row in parameter_rows(tool):
                cells = [f"`{cell}`" if i in (0, 1) or (i == 3 and cell != "required") else cell for i, cell in enumerate(row)]
                print("| " + " | ".join(cells) + " |")

    anyio.run(_print_table)
