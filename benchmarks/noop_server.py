"""The floor for any MCP tool: a bare MCPServer of the same SDK with one tool that does nothing.

Run over stdio by the benchmarks (`python benchmarks/noop_server.py`). The tool is a plain `def`, like
chipmcp's, so both pay the same worker-thread hop.
"""

from mcp.server import MCPServer

server = MCPServer("noop")


@server.tool()
def noop(name: str = "") -> str:
    """Return at once."""
    return "ok"


if __name__ == "__main__":
    server.run()
