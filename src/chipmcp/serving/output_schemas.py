"""Tools' output schemas, made when first needed rather than when the server is built.

Deriving a JSON schema from each answer model is most of what building the server costs, and a tools/call
needs none: the SDK checks no answer against a schema published without a model. So tools are registered
without one (`defer`), and each gets the schema the SDK would have derived from its answer model,
compacted, on the first tools/list (`publish`).
"""

from __future__ import annotations

from collections.abc import Iterable

from mcp.server import MCPServer
from mcp.server.mcpserver.utilities.func_metadata import FuncMetadata
from pydantic import BaseModel

from chipmcp.serving import sdk
from chipmcp.serving.schemas import compact_output_schema
from chipmcp.tools import Tool

_PENDING = "_chipmcp_pending_output_models"


def defer(server: MCPServer, tools: Iterable[Tool]) -> None:
    """Remember each tool's answer model; its registered handler declares none yet."""
    setattr(server, _PENDING, {tool.name: tool.answer for tool in tools})


def publish(server: MCPServer, names: Iterable[str] | None = None) -> None:
    """Give the named tools (default: all) the output schema their answer model declares.

    The schema is published without the model: the SDK would otherwise validate every new answer's
    structuredContent against the model again (a tenth to a fifth of a fresh lookup), though the answer
    was made as an instance of that very model and dumped by it. Answers are checked against the published
    schema by the tests (tests/test_fuzz.py, tests/test_surface.py), not on every call."""
    pending: dict[str, type[BaseModel]] = getattr(server, _PENDING, {})
    for name in [n for n in (pending if names is None else names) if n in pending]:
        registered = sdk.registered_tool(server, name)
        if registered is not None:
            # As the SDK derives it for a handler returning Annotated[CallToolResult, answer model].
            derived = FuncMetadata(arg_model=registered.fn_metadata.arg_model, output_model=pending[name])
            schema = derived.output_schema
            assert schema is not None  # an output model always gives one
            arguments = registered.fn_metadata.arg_model
            registered.fn_metadata = FuncMetadata(arg_model=arguments, output_schema=compact_output_schema(schema))
        pending.pop(name, None)
