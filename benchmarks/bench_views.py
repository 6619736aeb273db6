"""How much the MCP Apps view costs: the page a host fetches once (bytes, and gzip -9 bytes as a host or
proxy may compress it), and tools/list as a client without Apps and an Apps host receive it (compact
JSON, characters; only the host gets the three tools' `_meta.ui.resourceUri`).

    python benchmarks/bench_views.py
"""

from __future__ import annotations

import gzip
import json

import anyio
from mcp import Client
from mcp.client.extension import advertise

from chipmcp.kb.store import KnowledgeBase
from chipmcp.serving.server import build_server
from chipmcp.views import ANSWER_VIEW_URI, VIEWS, view_html

BUDGET_TOOLS_LIST = 20_000


async def tools_list(**options: object) -> int:
    async with Client(build_server(KnowledgeBase.open_default()), **options) as client:  # type: ignore[arg-type]
        tools = [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in (await client.list_tools()).tools]
    return len(json.dumps(tools, ensure_ascii=False, separators=(",", ":")))


def main() -> None:
    page = view_html().encode("utf-8")
    print(f"{ANSWER_VIEW_URI}: {len(page):,} bytes, {len(gzip.compress(page, 9)):,} gzip -9 bytes; serves {', '.join(VIEWS)}")
    plain = anyio.run(tools_list)
    host = anyio.run(
        lambda: tools_list(extensions=[advertise("io.modelcontextprotocol/ui", {"mimeTypes": ["text/html;profile=mcp-app"]})])
    )
    print(f"tools/list: {plain:,} characters without Apps, {host:,} for an Apps host (budget {BUDGET_TOOLS_LIST:,})")


if __name__ == "__main__":
    main()
