"""chipmcp: an MCP server answering questions about AI accelerator chips from cited report figures.

The public surface is `build_server` and `__version__`. `build_server` is loaded on first use, so that
importing a lower layer (chipmcp.core, chipmcp.kb, …) does not pull in the MCP server with it."""

from typing import TYPE_CHECKING, Any

from chipmcp._version import __version__

if TYPE_CHECKING:
    from chipmcp.serving.server import build_server

__all__ = ["__version__", "build_server"]


def __getattr__(name: str) -> Any:
    if name == "build_server":
        from chipmcp.serving.server import build_server

        return build_server
    raise AttributeError(f"module 'chipmcp' has no attribute {name!r}")
