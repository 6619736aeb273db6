"""The MCP surface through the SDK's in-memory client: schemas, annotations, answers, errors, resources."""

from __future__ import annotations

import json

import jsonschema
import pytest
from mcp import Client

from chipmcp.serving.server import EXAMPLE_CALLS as CALLS

pytestmark = pytest.mark.anyio


async def test_five_tools_with_schemas_titles_and_read_only_annotations(server) -> None:
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
    assert sorted(t.name for t in tools) == sorted(CALLS)
    for tool in tools:
        assert tool.title and tool.description and "Example:" in tool.description
        assert len(tool.description) < 400, "descriptions stay short: they cost the model context"
        assert tool.output_schema and tool.output_schema["type"] == "object"
        assert tool.annotations.read_only_hint and tool.annotations.idempotent_hint
        assert tool.annotations.open_world_hint is False
        for name, prop in tool.input_schema["properties"].items():
            assert prop.get("description"), f"{tool.name}.{name} has no description"


@pytest.mark.parametrize("tool", sorted(CALLS))
async def test_every_tool_answers_with_text_and_schema_valid_structure(server, tool: str) -> None:
    async with Client(server) as client:
        schema = {t.name: t.output_schema for t in (await client.list_tools()).tools}[tool]
        result = await client.call_tool(tool, CALLS[tool])
    assert not result.is_error, result.content
    jsonschema.validate(result.structured_content, schema)
    text = result.content[0].text
    assert result.structured_content["summary"] in text
    assert "Sources" in text or "Announcement" in text


async def test_lookup_returns_figures_with_sources_and_conflicts(server) -> None:
    async with Client(server) as client:
        result = await client.call_tool("lookup_chip", {"name": "昇腾910B"})
    answer = result.structured_content
    assert answer["id"] == "huawei-ascend-910b"
    places = answer["page"]["citations"]  # each source and locator once; entries cite them by key
    assert answer["figures"] and all(
        places[f["cite"]]["source"] and places[f["cite"]]["locator"] and f["printed"] for f in answer["figures"]
    )
    printed = {f["printed"] for f in answer["figures"] if f["metric"] == "compute"}
    assert "376T" in printed


@pytest.mark.parametrize(
    ("tool", "arguments", "says"),
    [
        ("lookup_chip", {"name": "910E"}, "Closest"),
        ("lookup_chip", {"name": "Hygon"}, "is a company"),
        ("compare_chips", {"names": ["910B"]}, "at least 2"),
        ("estimate_cluster", {"chip": "910B"}, "exactly one of"),
        ("estimate_cluster", {"chip": "910B", "count": 8, "target_pflops": 10}, "exactly one of"),
        ("estimate_cluster", {"chip": "910B", "count": 0}, "greater than or equal to 1"),
        ("estimate_cluster", {"chip": "910B", "count": 8, "precision": "fp13"}, "fp16"),
        ("vendor_financials", {"vendor": "寒武纪", "metric": "happiness"}, "Unknown metric"),
        ("no_such_tool", {}, "Unknown tool"),
        ("lookup_chip", {"name": "910B", "bogus": 1}, "`bogus` is not an argument of lookup_chip; the arguments of"),
        ("lookup_chip", {"name": ""}, "`name` must not be empty"),
        ("vendor_financials", {"vendor": "寒武纪", "period": 2025.5}, "`period` does not take 2025.5: it takes 2025 or"),
        ("vendor_financials", {"vendor": "寒武纪", "period": -2025}, "'-2025' is not a period"),
        # What was given is written as JSON, as the client sent it, not as Python writes it
        ("lookup_chip", {"name": None}, "`name` must be text (got null)"),
        ("lookup_chip", {"name": ["910B"]}, '`name` must be text (got ["910B"])'),
        ("lookup_chip", {"name": "910B", "limit": 1.5}, "`limit` must be a whole number (got 1.5)"),
        ("compare_chips", {"names": ["910B", "H20"], "metrics": [True]}, "(got true)"),
        ("lookup_chip", {"name": "910B", "detail": "short"}, "`detail` must be one of 'summary' or 'full' (got \"short\")"),
    ],
)
async def test_bad_input_is_a_tool_error_that_says_what_is_allowed(server, tool, arguments, says) -> None:
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    assert result.is_error
    text = result.content[0].text
    assert says in text
    assert "Traceback" not in text
    assert not any(internal in text for internal in ("constrained-str", "errors.pydantic.dev", "type=", "[type", "Input should"))
    assert not any(python in text for python in ("None", "True)", "['"))


async def test_resources_serve_chips_and_sources_as_json(server) -> None:
    async with Client(server) as client:
        templates = (await client.list_resource_templates()).resource_templates
        assert {t.uri_template for t in templates} == {"chipmcp://chips/{chip_id}", "chipmcp://sources/{source_id}"}
        chip = await client.read_resource("chipmcp://chips/huawei-ascend-910b")
        source = await client.read_resource("chipmcp://sources/guosen-2026")
    assert json.loads(chip.contents[0].text)["id"] == "huawei-ascend-910b"
    assert json.loads(source.contents[0].text)["publisher_en"] == "Guosen Securities"


async def test_server_instructions_name_every_tool(server) -> None:
    async with Client(server) as client:
        instructions = client.instructions
    for tool in CALLS:
        assert tool in instructions


def test_answers_are_kept_per_arguments_and_errors_are_not(kb) -> None:
    from mcp.server.mcpserver.exceptions import ToolError

    from chipmcp import tools
    from chipmcp.serving.server import AnswerCache

    calls: list[str] = []

    def lookup(name: str):
        calls.append(name)
        return tools.BY_NAME["lookup_chip"].call(kb, name=name)

    tool = tools.BY_NAME["lookup_chip"]
    cache = AnswerCache(size=2)
    first = cache.run(tool, {"name": "H100"}, lambda: lookup("H100"))
    assert cache.run(tool, {"name": "H100"}, lambda: lookup("H100")) is first
    cache.run(tool, {"name": "H20"}, lambda: lookup("H20"))
    cache.run(tool, {"name": "A100"}, lambda: lookup("A100"))  # evicts H100, the least recently used
    assert cache.run(tool, {"name": "H100"}, lambda: lookup("H100")).structured_content["id"] == "nvidia-h100"
    for _ in range(2):
        with pytest.raises(ToolError, match="No chip"):
            cache.run(tool, {"name": "no such chip zz9"}, lambda: lookup("no such chip zz9"))
    assert calls == ["H100", "H20", "A100", "H100", "no such chip zz9", "no such chip zz9"]


async def test_a_question_asked_again_is_answered_without_reaching_the_tool_machinery(kb) -> None:
    """The repeat is served from the answer cache before the SDK validates arguments, hops to a worker
    thread or checks the answer against its schema again; a new spelling or an error goes the whole way."""
    from chipmcp.serving.server import build_server

    server = build_server(kb)
    reached: list[str] = []
    manager_call = server._tool_manager.call_tool

    async def counted(name, arguments, *rest, **options):
        reached.append(arguments.get("name"))
        return await manager_call(name, arguments, *rest, **options)

    server._tool_manager.call_tool = counted  # type: ignore[method-assign]
    async with Client(server) as client:
        first = await client.call_tool("lookup_chip", {"name": "H100"})
        again = await client.call_tool("lookup_chip", {"name": "H100"})
        other = await client.call_tool("lookup_chip", {"name": "h100"})
        await client.call_tool("lookup_chip", {"name": "no such chip zz9"})
        await client.call_tool("lookup_chip", {"name": "no such chip zz9"})
    assert not first.is_error and again.structured_content == first.structured_content
    assert other.structured_content["id"] == "nvidia-h100"
    assert reached == ["H100", "h100", "no such chip zz9", "no such chip zz9"]


@pytest.mark.parametrize(
    ("tool", "arguments", "metric", "why"),
    [
        ("lookup_chip", {"name": "昇腾910B"}, "compute", "the curators' choice; its note says why"),
        ("lookup_chip", {"name": "昇腾910B"}, "memory_capacity", "the others are marked suspect"),
        (
            "vendor_financials",
            {"vendor": "摩尔线程", "period": "2025"},
            "announcement_date",
            "no rule tells them apart: the first listed",
        ),
    ],
)
async def test_a_disagreement_says_which_figure_is_preferred_and_by_which_rule(server, tool, arguments, metric, why) -> None:
    """Conflicts named the preferred figure but never why: a curator's mark, a report over a dataset, the
    newest source, or only the order of the files."""
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    conflict = next(c for c in result.structured_content["conflicts"] if c["metric"] == metric and c["kind"] == "disagreement")
    assert conflict["why"] == why
    assert f"preferred #{conflict['preferred_id']} ({why})" in result.content[0].text


async def test_a_source_under_a_licence_is_cited_with_it_in_every_answer(server) -> None:
    """Epoch AI's data is CC BY 4.0: an answer passing its figures on credits it with the licence, a report
    without one is cited as before."""
    async with Client(server) as client:
        result = await client.call_tool("lookup_chip", {"name": "H100"})
    sources = {s["id"]: s for s in result.structured_content["sources"]}
    assert sources["epoch-ml-hardware"]["licence"] == "CC BY 4.0" and "licence" not in sources["guosen-2026"]
    assert "epoch-ml-hardware = Epoch AI, Data on Machine Learning Hardware (2025-12; CC BY 4.0)" in result.content[0].text


async def test_related_models_are_listed_without_a_score_of_zero(server) -> None:
    """'[nvidia-h200, chip, score 0]' read as 'no match at all' for the models the note names as related."""
    async with Client(server) as client:
        result = await client.call_tool("lookup_chip", {"name": "H20"})
    line = next(x for x in result.content[0].text.splitlines() if x.startswith("Close alternatives: "))
    assert "score" not in line and "[nvidia-h200, chip]" in line, line
