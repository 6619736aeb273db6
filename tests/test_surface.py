"""The MCP surface besides the tools, through the in-memory client: resources/list, the icon, prompts and
their argument descriptions, and completions."""

from __future__ import annotations

import base64
import json
import re
import xml.etree.ElementTree as ET

import pytest
from mcp import Client
from mcp.types import PromptReference, ResourceTemplateReference

from chipmcp.serving.server import build_server

pytestmark = pytest.mark.anyio

CHIP_TEMPLATE = ResourceTemplateReference(type="ref/resource", uri="chipmcp://chips/{chip_id}")
SOURCE_TEMPLATE = ResourceTemplateReference(type="ref/resource", uri="chipmcp://sources/{source_id}")


def prompt(name: str) -> PromptReference:
    return PromptReference(type="ref/prompt", name=name)


async def test_resources_list_names_every_source_chip_and_system_and_each_one_reads(server, kb) -> None:
    async with Client(server) as client:
        resources = (await client.list_resources()).resources
        expected = {f"chipmcp://sources/{s}" for s in kb.sources} | {f"chipmcp://chips/{e}" for e in kb.ids("chip") + kb.ids("system")}
        views = [r for r in resources if str(r.uri).startswith("ui://")]  # the MCP Apps page (tests/test_views.py)
        resources = [r for r in resources if r not in views]
        assert [str(r.uri) for r in views] == ["ui://chipmcp/answer-view.html"]
        documents = {"chipmcp://credits"}  # fixed text, read in tests/test_licence.py
        resources = [r for r in resources if str(r.uri) not in documents]
        assert [str(r.uri) for r in resources if str(r.uri) in expected] == [str(r.uri) for r in resources]
        assert {str(r.uri) for r in resources} == expected
        for resource in resources:
            assert resource.name and resource.title and resource.description and resource.mime_type == "application/json"
            read = json.loads((await client.read_resource(resource.uri)).contents[0].text)
            assert read["id"] == resource.name


async def test_resource_templates_and_prompt_arguments_carry_descriptions(server) -> None:
    async with Client(server) as client:
        templates = (await client.list_resource_templates()).resource_templates
        prompts = (await client.list_prompts()).prompts
    assert templates and all(t.description and t.title for t in templates)
    assert {p.name for p in prompts} == {"domestic_alternative", "procurement_brief", "company_snapshot"}
    for p in prompts:
        assert p.title and p.description
        assert p.arguments and all(a.description for a in p.arguments), p.name


async def test_the_server_icon_is_a_small_svg_data_uri_needing_no_network(server) -> None:
    async with Client(server) as client:
        (icon,) = client.server_info.icons
    assert icon.mime_type == "image/svg+xml" and icon.sizes == ["any"]
    prefix = "data:image/svg+xml;base64,"
    assert icon.src.startswith(prefix)
    svg = base64.b64decode(icon.src[len(prefix) :], validate=True)
    assert len(svg) < 2048
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert not re.search(rb"(?:href|src)\s*=\s*[\"'](?:https?:)?//", svg), "an icon that fetches nothing"


async def test_procurement_brief_names_each_chip_the_steps_and_asks_for_citations(server) -> None:
    async with Client(server) as client:
        got = await client.get_prompt(
            "procurement_brief", {"chips": "昇腾910B，H20; MLU590", "workload": "70B inference", "scale": "512 cards"}
        )
    text = got.messages[0].content.text
    assert '["昇腾910B", "H20", "MLU590"]' in text
    for step in (
        "lookup_chip",
        "compare_chips",
        "estimate_cluster for each chip at 512 cards",
        "xinchuang_certified",
        "export_control_check",
        "source",
    ):
        assert step in text, step


async def test_procurement_brief_leaves_out_the_cluster_step_without_a_scale(server) -> None:
    async with Client(server) as client:
        got = await client.get_prompt("procurement_brief", {"chips": "910B, H20", "workload": "training"})
    assert "estimate_cluster" not in got.messages[0].content.text


def _server_with_extra_tools(kb, *names: str):
    """The real server plus tools of these names (stand-ins for tools other modules add)."""
    server = build_server(kb)
    for name in names:
        server.add_tool(lambda chip="": chip, name=name, description="stand-in")
    return server


@pytest.mark.parametrize(
    ("extra", "removed"), [((), ()), (("export_control_check",), ()), (("export_control_check",), ("find_chips", "industry_figures"))]
)
async def test_prompts_send_the_model_only_to_tools_the_server_has(kb, extra, removed) -> None:
    server = _server_with_extra_tools(kb, *extra)
    for name in removed:
        server.remove_tool(name)
    arguments = {
        "procurement_brief": {"chips": "910B, H20", "workload": "inference", "scale": "100 PFLOPS"},
        "company_snapshot": {"company": "寒武纪"},
        "domestic_alternative": {"chip": "H20"},
    }
    async with Client(server) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        texts = {name: (await client.get_prompt(name, args)).messages[0].content.text for name, args in arguments.items()}
    for name, text in texts.items():
        # Every snake_case word is a tool name once quoted values and "has no X tool" are taken out.
        plain = re.sub(r"=\s*'[^']*'|has no \w+ tool", "", text)
        called = set(re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", plain))
        assert called and called <= tools, (name, called - tools)
    brief, snapshot = texts["procurement_brief"], texts["company_snapshot"]
    if "export_control_check" in tools:
        assert "export_control_check for each chip" in brief
    else:
        assert "no export_control_check tool" in brief and "'not assessed'" in brief
    assert ("find_chips(vendor='寒武纪')" in snapshot) == ("find_chips" in tools)
    assert ("industry_figures(topic='market share')" in snapshot) == ("industry_figures" in tools)
    assert "vendor_financials(vendor='寒武纪', metric='market_share')" in snapshot


@pytest.mark.parametrize(
    ("ref", "argument", "typed", "offers"),
    [
        (prompt("procurement_brief"), "chips", "昇騰910", ["huawei-ascend-910b", "huawei-ascend-910c"]),
        (prompt("procurement_brief"), "chips", "昇腾910B, h2", ["昇腾910B, nvidia-h20", "昇腾910B, nvidia-h200"]),
        (prompt("procurement_brief"), "chips", "cloudmatrix", ["huawei-cloudmatrix-384"]),
        (prompt("domestic_alternative"), "chip", "H10", ["nvidia-h100"]),
        (prompt("company_snapshot"), "company", "寒武", ["cambricon"]),
        (prompt("company_snapshot"), "company", "Moore", ["moore-threads"]),
        (prompt("company_snapshot"), "company", "688256", ["cambricon"]),
        (CHIP_TEMPLATE, "chip_id", "huawei-ascend-91", ["huawei-ascend-910b"]),
        (SOURCE_TEMPLATE, "source_id", "guo", ["guosen-2026"]),
    ],
)
async def test_completions_offer_chips_and_companies_in_any_spelling(server, ref, argument, typed, offers) -> None:
    async with Client(server) as client:
        completion = (await client.complete(ref, {"name": argument, "value": typed})).completion
    assert set(offers) <= set(completion.values), completion.values
    assert completion.total == len(completion.values) and not completion.has_more


async def test_completions_of_a_company_offer_only_companies_and_of_a_chip_only_chips(server, kb) -> None:
    async with Client(server) as client:
        companies = (await client.complete(prompt("company_snapshot"), {"name": "company", "value": "h"})).completion
        chips = (await client.complete(prompt("domestic_alternative"), {"name": "chip", "value": "h"})).completion
    assert companies.values and all(kb.entity(v)["entity_kind"] == "vendor" for v in companies.values)
    assert chips.values and all(kb.entity(v)["entity_kind"] == "chip" for v in chips.values)


@pytest.mark.parametrize(
    ("ref", "argument"),
    [
        (prompt("procurement_brief"), "workload"),
        (prompt("procurement_brief"), "scale"),
        (prompt("company_snapshot"), "no_such_argument"),
        (SOURCE_TEMPLATE, "no_such_variable"),
    ],
)
async def test_completions_for_arguments_with_nothing_to_offer_are_empty(server, ref, argument) -> None:
    """Unknown prompts and templates are protocol errors (chipmcp.serving.protocol); a known one's argument that
    names nothing completable gets an empty completion from the one handler."""
    async with Client(server) as client:
        completion = (await client.complete(ref, {"name": argument, "value": "a"})).completion
    assert completion.values == [] and completion.total == 0 and not completion.has_more
