"""chipmcp: an MCP server answering questions about AI accelerator chips from cited report figures."""

from .server import build_server

__all__ = ["build_server"]
