"""What chipmcp needs from the MCP SDK that it does not offer publicly, in one place.

- the registered tools, to rewrite the schemas they publish (the SDK derives them from a function's
  signature and offers no hook to change them), to list them in our order, to bound a request's size
  by them, and to give one its output schema on first use (serving/output_schemas.py);
- the low-level server an MCPServer drives, to run it over streams of our own (stdio with a drain);
- which failed tool calls are the caller's arguments failing validation.

Every use of a private attribute is here, and tests/test_sdk_adapter.py checks each against the installed
SDK on a tiny server, so an SDK release that moves one fails that test by name instead of a tool quietly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcp.server import MCPServer
from mcp.server.lowlevel import Server
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.tools import Tool
from pydantic import ValidationError

Schema = dict[str, Any]


def registered_tools(server: MCPServer) -> list[Tool]:
    """The tools as the SDK registered them, in registration order."""
    return server._tool_manager.list_tools()


def registered_tool(server: MCPServer, name: str) -> Tool | None:
    """The tool registered as `name`, as the SDK holds it (None when there is none)."""
    return server._tool_manager.get_tool(name)


def order_tools(server: MCPServer, names: list[str]) -> None:
    """Make tools/list name the tools in the order of `names` (every registered tool, each once)."""
    registry = server._tool_manager._tools
    if sorted(registry) != sorted(names):
        raise ValueError(f"order_tools got {sorted(names)}, the server has {sorted(registry)}")
    server._tool_manager._tools = {name: registry[name] for name in names}


def rewrite_schemas(server: MCPServer, inputs: Callable[[Schema], Schema], outputs: Callable[[Schema], Schema] | None = None) -> None:
    """Replace each registered tool's input schema by `inputs(schema)`, and its output schema, when it has
    one, by `outputs(schema)`. The SDK reads both fields at every tools/list and call, so the rewritten ones
    are what clients see."""
    for registered in registered_tools(server):
        registered.parameters = inputs(registered.parameters)
        if outputs is not None and registered.fn_metadata.output_schema is not None:
            registered.fn_metadata.output_schema = outputs(registered.fn_metadata.output_schema)


def lowlevel_server(server: MCPServer) -> Server[Any]:
    """The low-level server behind `server`: what MCPServer.run_stdio_async runs over its streams."""
    return server._lowlevel_server


def argument_errors(error: ToolError) -> ValidationError | None:
    """The validation error when `error` is the caller's arguments failing the input schema, else None.

    The SDK raises that as a plain ToolError caused by the ValidationError; a tool body that fails, an
    answer outside its own schema included, comes as UnexpectedToolError (a ToolError subclass)."""
    cause = error.__cause__
    if isinstance(error, UnexpectedToolError) or not isinstance(cause, ValidationError):
        return None
    return cause
