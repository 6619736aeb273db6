"""The floor for any MCP tool: a bare MCPServer of the same SDK whose tools do nothing.

Run over stdio by the benchmarks (`python benchmarks/noop_server.py`). `noop` answers "ok"; `noop_10k`
answers a fixed 10 kB text, the size of a typical chipmcp answer, so the protocol's cost of carrying it is
seen too. Both are plain `def`s, which the SDK runs in a worker thread: the floor issue 24 names. chipmcp
answers on the event loop once its knowledge base is open (no hop there and back), so `noop_async`, an
`async def`, shows the floor without the hop as well.
"""

from mcp.server import MCPServer

server = MCPServer("noop")
TEN_KB = "x" * 10_000


@server.tool()
def noop(name: str = "") -> str:
    """Return at once."""
    return "ok"


@server.tool()
def noop_10k(name: str = "") -> str:
    """Return 10 kB at once."""
    return TEN_KB


@server.tool()
async def noop_async(name: str = "") -> str:
    """Return at once, on the event loop."""
    return "ok"


if __name__ == "__main__":
    server.run()
