"""Protocol-level checks on an MCPServer's requests, so a client gets -32602 (invalid params) with a message
that says what is allowed, instead of the SDK's code 0 or 'Internal server error':

- prompts/get for a prompt that does not exist or without a required argument;
- completion/complete for a prompt or resource template that does not exist (an argument the reference
  does not have completes to nothing);
- a list cursor, when every list is answered in one page and no cursor was ever issued.

One middleware, checked against what the server registered, so a new prompt or template needs nothing here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mcp.server import MCPServer
from mcp.server.context import CallNext, ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, CompleteResult, Completion

__all__ = ["check_protocol_params"]

PAGED_LISTS = frozenset({"tools/list", "prompts/list", "resources/list", "resources/templates/list"})


def invalid_params(message: str) -> MCPError:
    return MCPError(code=INVALID_PARAMS, message=message)


def check_protocol_params(server: MCPServer) -> None:
    """Register the checks as the server's outermost middleware."""

    async def prompts() -> dict[str, dict[str, bool]]:
        """Each prompt's arguments, each with whether it is required."""
        return {p.name: {a.name: bool(a.required) for a in p.arguments or []} for p in await server.list_prompts()}

    async def templates() -> dict[str, set[str]]:
        return {t.uri_template: set(re.findall(r"\{([^}]+)\}", t.uri_template)) for t in await server.list_resource_templates()}

    async def check(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> Any:
        params: Mapping[str, Any] = ctx.params if isinstance(ctx.params, Mapping) else {}
        if ctx.method in PAGED_LISTS and params.get("cursor") is not None:
            raise invalid_params(f"Invalid cursor: {ctx.method} answers everything in one page; call it without a cursor.")
        if ctx.method == "prompts/get":
            known = await prompts()
            name, given = params.get("name"), params.get("arguments") or {}
            if name not in known:
                raise invalid_params(f"No prompt '{name}'. Prompts: {', '.join(sorted(known))}.")
            missing = sorted(a for a, required in known[name].items() if required and a not in given)
            if missing:
                raise invalid_params(f"Prompt '{name}' needs the argument(s): {', '.join(missing)}.")
            unknown = sorted(set(given) - set(known[name]))
            if unknown:
                taken = ", ".join(sorted(known[name]))
                raise invalid_params(f"Prompt '{name}' takes no argument {', '.join(map(repr, unknown))}; its arguments: {taken}.")
            # A required argument written blank would render a text about nothing ('replace  for inference').
            blank = sorted(a for a, required in known[name].items() if required and not str(given[a]).strip())
            if blank:
                raise invalid_params(f"Prompt '{name}' needs a value for {', '.join(map(repr, blank))}.")
        if ctx.method == "completion/complete":
            ref, argument = params.get("ref") or {}, (params.get("argument") or {}).get("name")
            if ref.get("type") == "ref/prompt":
                known = await prompts()
                if ref.get("name") not in known:
                    raise invalid_params(f"No prompt '{ref.get('name')}'. Prompts: {', '.join(sorted(known))}.")
                if argument not in known[ref["name"]]:
                    return CompleteResult(completion=Completion(values=[], total=0, has_more=False))
            elif ref.get("type") == "ref/resource":
                known = await templates()
                if ref.get("uri") not in known:
                    raise invalid_params(f"No resource template '{ref.get('uri')}'. Templates: {', '.join(sorted(known))}.")
                if argument not in known[ref["uri"]]:
                    return CompleteResult(completion=Completion(values=[], total=0, has_more=False))
        return await call_next(ctx)

    server.middleware.insert(0, check)
