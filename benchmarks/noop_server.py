"""The floor for any MCP tool: a bare MCPServer of the same SDK whose tools do nothing.

Run over stdio by the benchmarks (`python benchmarks/noop_server.py`). The tools are plain `def`s, like
chipmcp's, so both pay the same worker-thread hop. `noop` answers "ok"; `noop_10k` answers a fixed
10 kB text, the size of a typical chipmcp answer, so the protocol's cost of carrying it is seen too.
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


if __name__ == "__main__":
    server.run()
