"""One successful tool call through the MCP client, for tests that read both halves of an answer."""

from __future__ import annotations

from typing import Any

from mcp import Client


async def answered(server: Any, tool: str, arguments: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """(structuredContent, text) of a call that must succeed; its text is the failure message when it does not."""
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content[0].text
    return result.structured_content, result.content[0].text
