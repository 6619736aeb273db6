"""chipmcp: an MCP server answering questions about AI accelerator chips from cited report figures."""

from ._version import __version__
from .server import build_server

__all__ = ["__version__", "build_server"]
