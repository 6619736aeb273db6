"""Under what terms the code and the data can be used: one licence for the code in every manifest, and a
NOTICE crediting every source, shipped in the wheel and the bundle and served to clients."""

from __future__ import annotations

import fnmatch
import importlib.metadata
import json
import tomllib
from pathlib import Path

import pytest
from mcp import Client

ROOT = Path(__file__).resolve().parents[1]
EPOCH = (
    "Epoch AI, 'Data on Machine Learning Hardware'. Published online at epoch.ai. "
    "Retrieved from https://epoch.ai/data/machine-learning-hardware"
)


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_code_is_under_the_mit_licence_in_pyproject_server_json_and_the_bundle_manifest() -> None:
    server = json.loads((ROOT / "server.json").read_text(encoding="utf-8"))
    manifest = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    published = server["_meta"]["io.modelcontextprotocol.registry/publisher-provided"]
    assert pyproject()["project"]["license"]["text"] == manifest["license"] == published["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")


def test_the_installed_package_names_its_licence_as_pip_show_prints_it_and_carries_the_licence_files() -> None:
    metadata = importlib.metadata.metadata("chipmcp")
    assert metadata["License"] == "MIT"  # the field `pip show` prints as "License:"
    assert set(metadata.get_all("License-File") or []) == {"LICENSE", "NOTICE"}


def test_the_notice_credits_every_source_and_the_epoch_dataset_under_cc_by() -> None:
    notice = (ROOT / "NOTICE").read_text(encoding="utf-8")
    sources = tomllib.loads((ROOT / "knowledge" / "sources.toml").read_text(encoding="utf-8"))["source"]
    for source in sources:
        assert source["title"] in notice and source["publisher_en"] in notice and source["date"] in notice, source["id"]
    assert EPOCH in notice and "CC BY 4.0" in notice and "https://creativecommons.org/licenses/by/4.0/" in notice
    assert "no report prose" in notice


def test_the_bundle_keeps_the_licence_and_the_notice() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".mcpbignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert not [p for p in patterns for name in ("LICENSE", "NOTICE") if fnmatch.fnmatch(name, p.rstrip("/"))]
    assert pyproject()["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]["NOTICE"] == "chipmcp/NOTICE"


@pytest.mark.anyio
async def test_clients_read_the_credits_as_a_markdown_resource(server) -> None:
    async with Client(server) as client:
        listed = {str(r.uri): r for r in (await client.list_resources()).resources}
        read = await client.read_resource("chipmcp://credits")
    assert listed["chipmcp://credits"].mime_type == "text/markdown"
    (content,) = read.contents
    assert content.mime_type == "text/markdown"
    assert content.text == (ROOT / "NOTICE").read_text(encoding="utf-8")
