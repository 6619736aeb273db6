"""The SDK internals chipmcp.serving.sdk relies on, checked on a tiny MCPServer: an SDK release that renames
or changes one fails here, naming it, before a tool goes quietly wrong."""

from __future__ import annotations

from typing import Any

import pytest
from mcp.server import MCPServer
from mcp.server.lowlevel import Server
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.tools import Tool
from pydantic import BaseModel, Field, ValidationError

from chipmcp.serving import sdk

pytestmark = pytest.mark.anyio


class Doubled(BaseModel):
    value: int


def tiny_server() -> MCPServer:
    server = MCPServer("tiny")

    def double(n: int = Field(ge=0, le=10)) -> Doubled:
        """Twice n."""
        return Doubled(value=2 * n)

    def broken_answer(n: int) -> Doubled:
        """An answer built against its own model's rules: the tool's fault."""
        return Doubled.model_validate({"value": "not a number"})

    def refuses(n: int) -> Doubled:
        """A failure the tool anticipated."""
        raise ToolError("no")

    for fn in (double, broken_answer, refuses):
        server.add_tool(fn)
    return server


def private(owner: object, name: str) -> Any:
    assert hasattr(owner, name), f"the SDK's {type(owner).__name__} no longer has {name}: update chipmcp/serving/sdk.py"
    return getattr(owner, name)


def test_the_private_attributes_the_adapter_reads_exist() -> None:
    server = tiny_server()
    manager = private(server, "_tool_manager")
    assert callable(private(manager, "list_tools")), "MCPServer._tool_manager.list_tools is no longer callable"
    assert callable(private(manager, "get_tool")), "MCPServer._tool_manager.get_tool is no longer callable"
    lowlevel = private(server, "_lowlevel_server")
    assert isinstance(lowlevel, Server), f"MCPServer._lowlevel_server is a {type(lowlevel).__name__}, not a low-level Server"
    tools = private(manager, "_tools")
    assert isinstance(tools, dict) and list(tools) == ["double", "broken_answer", "refuses"], (
        "MCPServer._tool_manager._tools is no longer the dict of tools by name, in registration order"
    )
    for method in ("run", "create_initialization_options"):
        assert callable(private(lowlevel, method)), f"MCPServer._lowlevel_server.{method} is no longer callable"


def test_registered_tools_are_the_sdk_tools_in_the_order_added() -> None:
    tools = sdk.registered_tools(tiny_server())
    assert [type(t) for t in tools] == [Tool, Tool, Tool]
    assert [t.name for t in tools] == ["double", "broken_answer", "refuses"]
    double = tools[0]
    assert double.parameters["properties"]["n"] == {"maximum": 10, "minimum": 0, "title": "N", "type": "integer"}, (
        "Tool.parameters no longer holds the input schema"
    )
    assert double.fn_metadata.output_schema is not None, "Tool.fn_metadata.output_schema no longer holds the output schema"
    assert double.fn_metadata.output_schema["properties"] == {"value": {"title": "Value", "type": "integer"}}


def test_a_registered_tool_is_found_by_name() -> None:
    server = tiny_server()
    assert sdk.registered_tool(server, "refuses") is sdk.registered_tools(server)[2]
    assert sdk.registered_tool(server, "unknown") is None


async def test_ordered_tools_are_listed_in_the_order_given() -> None:
    server = tiny_server()
    sdk.order_tools(server, ["refuses", "double", "broken_answer"])
    assert [t.name for t in await server.list_tools()] == ["refuses", "double", "broken_answer"], (
        "tools/list no longer follows the order of MCPServer._tool_manager._tools"
    )
    with pytest.raises(ValueError, match="order_tools got"):
        sdk.order_tools(server, ["double"])


async def test_rewritten_schemas_are_what_tools_list_publishes_and_calls_use() -> None:
    server = tiny_server()
    sdk.rewrite_schemas(
        server, inputs=lambda s: s | {"description": "rewritten input"}, outputs=lambda s: s | {"description": "rewritten output"}
    )
    listed = {t.name: t for t in await server.list_tools()}
    assert listed["double"].input_schema["description"] == "rewritten input", "tools/list does not read Tool.parameters live"
    assert listed["double"].output_schema is not None
    assert listed["double"].output_schema["description"] == "rewritten output", (
        "tools/list does not read Tool.fn_metadata.output_schema live"
    )
    result = await server.call_tool("double", {"n": 3})
    assert result.structured_content == {"value": 6}


async def test_input_schemas_alone_are_rewritten_when_no_output_rewrite_is_given() -> None:
    server = tiny_server()
    sdk.rewrite_schemas(server, inputs=lambda s: s | {"description": "rewritten input"})
    listed = {t.name: t for t in await server.list_tools()}
    assert listed["double"].input_schema["description"] == "rewritten input"
    assert listed["double"].output_schema is not None
    assert "description" not in listed["double"].output_schema


def test_the_lowlevel_server_is_the_one_mcpserver_runs() -> None:
    server = tiny_server()
    lowlevel = sdk.lowlevel_server(server)
    assert lowlevel is private(server, "_lowlevel_server")
    assert lowlevel.name == server.name == "tiny"


async def test_arguments_failing_the_input_schema_are_recognised_as_the_callers() -> None:
    server = tiny_server()
    with pytest.raises(ToolError) as raised:
        await server.call_tool("double", {"n": 11})
    invalid = sdk.argument_errors(raised.value)
    assert isinstance(invalid, ValidationError), (
        "the SDK no longer raises an argument failure as a ToolError caused by the ValidationError"
    )
    assert [(e["type"], e["loc"]) for e in invalid.errors()] == [("less_than_equal", ("n",))]


async def test_a_tool_body_failing_is_not_an_argument_error() -> None:
    server = tiny_server()
    with pytest.raises(UnexpectedToolError) as crashed:
        await server.call_tool("broken_answer", {"n": 1})
    assert isinstance(crashed.value.__cause__, ValidationError), "a crash's ValidationError is no longer its __cause__"
    assert sdk.argument_errors(crashed.value) is None
    with pytest.raises(ToolError) as refused:
        await server.call_tool("refuses", {"n": 1})
    assert sdk.argument_errors(refused.value) is None
