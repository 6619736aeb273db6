"""Protocol errors carry JSON-RPC codes a client can act on: -32602 for bad prompt, completion and cursor params."""

from __future__ import annotations

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import PromptReference, ResourceTemplateReference

pytestmark = pytest.mark.anyio

INVALID_PARAMS = -32602


async def test_getting_an_unknown_prompt_is_invalid_params(server) -> None:
    async with Client(server) as client:
        with pytest.raises(MCPError) as raised:
            await client.get_prompt("no_such_prompt", {"chip": "H20"})
    assert raised.value.error.code == INVALID_PARAMS
    assert "domestic_alternative" in raised.value.error.message  # what to ask for instead


async def test_getting_a_prompt_without_its_required_argument_is_invalid_params(server) -> None:
    async with Client(server) as client:
        with pytest.raises(MCPError) as raised:
            await client.get_prompt("domestic_alternative", {"workload": "training"})
    assert raised.value.error.code == INVALID_PARAMS
    assert "chip" in raised.value.error.message


@pytest.mark.parametrize(
    ("name", "arguments", "said"),
    [
        ("domestic_alternative", {"chip": "H20", "bogus": "1"}, "takes no argument 'bogus'; its arguments: chip, workload"),
        ("domestic_alternative", {"chip": "  "}, "needs a value for 'chip'"),
        ("procurement_brief", {"chips": "", "workload": "inference"}, "needs a value for 'chips'"),
        ("procurement_brief", {"chips": "910B, H20", "workload": "inference", "scale": "banana"}, "'scale' gives no number"),
    ],
)
async def test_a_prompt_argument_it_does_not_take_or_left_blank_is_invalid_params(server, name, arguments, said) -> None:
    """An unknown argument was an 'Internal server error' with no word of what was wrong; a blank one rendered
    'replace  for inference'."""
    async with Client(server) as client:
        with pytest.raises(MCPError) as raised:
            await client.get_prompt(name, arguments)
    assert raised.value.error.code == INVALID_PARAMS
    assert said in raised.value.error.message, raised.value.error.message


async def test_a_brief_on_one_chip_asks_for_no_comparison_of_one(server) -> None:
    async with Client(server) as client:
        one = (await client.get_prompt("procurement_brief", {"chips": "910B", "workload": "inference"})).messages[0].content.text
        two = (await client.get_prompt("procurement_brief", {"chips": "910B, H20", "workload": "inference"})).messages[0].content.text
    assert "compare_chips" not in one and "lookup_chip" in one
    assert 'compare_chips(names=["910B", "H20"])' in two


async def test_a_prompt_with_its_arguments_still_renders(server) -> None:
    async with Client(server) as client:
        result = await client.get_prompt("domestic_alternative", {"chip": "H20"})
    assert "H20" in result.messages[0].content.text


async def test_completing_an_unknown_prompt_is_invalid_params_not_chip_ids(server) -> None:
    async with Client(server) as client:
        with pytest.raises(MCPError) as raised:
            await client.complete(PromptReference(type="ref/prompt", name="no_such_prompt"), {"name": "chip", "value": "h"})
    assert raised.value.error.code == INVALID_PARAMS


@pytest.mark.parametrize(
    "ref",
    [
        PromptReference(type="ref/prompt", name="domestic_alternative"),
        ResourceTemplateReference(type="ref/resource", uri="chipmcp://chips/{chip_id}"),
    ],
)
async def test_completing_an_argument_the_reference_does_not_have_offers_nothing(server, ref) -> None:
    async with Client(server) as client:
        result = await client.complete(ref, {"name": "chip_typo", "value": "h"})
    assert result.completion.values == []


async def test_completing_an_unknown_resource_template_is_invalid_params(server) -> None:
    async with Client(server) as client:
        with pytest.raises(MCPError) as raised:
            await client.complete(
                ResourceTemplateReference(type="ref/resource", uri="chipmcp://nothing/{chip_id}"), {"name": "chip_id", "value": "h"}
            )
    assert raised.value.error.code == INVALID_PARAMS


async def test_completion_still_offers_chip_ids_for_the_prompts_chip_argument(server) -> None:
    async with Client(server) as client:
        result = await client.complete(
            PromptReference(type="ref/prompt", name="domestic_alternative"), {"name": "chip", "value": "huawei"}
        )
    assert result.completion.values and all(v.startswith("huawei") for v in result.completion.values)


@pytest.mark.parametrize("method", ["list_tools", "list_prompts", "list_resources", "list_resource_templates"])
async def test_a_list_cursor_chipmcp_never_issued_is_invalid_params(server, method) -> None:
    async with Client(server) as client:
        with pytest.raises(MCPError) as raised:
            await getattr(client, method)(cursor="bogus", cache_mode="bypass") if method == "list_tools" else await getattr(
                client, method
            )(cursor="bogus")
    assert raised.value.error.code == INVALID_PARAMS


@pytest.mark.parametrize(("uri", "pointed"), [("chipmcp://chips/910B", "huawei-ascend-910b"), ("chipmcp://chips/h100", "nvidia-h100")])
async def test_reading_a_chip_by_a_name_instead_of_its_id_names_the_id(server, uri, pointed) -> None:
    """'No chip or system with id '910B'.' left the client to guess the id the knowledge base uses."""
    async with Client(server) as client:
        with pytest.raises(MCPError) as raised:
            await client.read_resource(uri)
    message = raised.value.error.message
    assert f"chipmcp://chips/{pointed}" in message and "lookup_chip" in message, message


async def test_reading_a_chip_no_name_matches_points_to_the_listing(server) -> None:
    async with Client(server) as client:
        with pytest.raises(MCPError) as raised:
            await client.read_resource("chipmcp://chips/zzqqxx")
    assert "resources/list" in raised.value.error.message, raised.value.error.message


async def test_the_source_template_does_not_say_how_many_sources_there_are(server, kb) -> None:
    async with Client(server) as client:
        templates = (await client.list_resource_templates()).resource_templates
    described = next(t.description for t in templates if "sources" in t.uri_template)
    assert "five" not in described and "report" in described
