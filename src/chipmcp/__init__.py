"""chipmcp: an MCP server answering questions about AI accelerator chips from cited report figures."""

from chipmcp._version import __version__
from chipmcp.serving.server import build_server

__all__ = ["__version__", "build_server"]
