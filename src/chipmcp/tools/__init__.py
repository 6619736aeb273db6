"""The tools as plain functions over a KnowledgeBase (no MCP here), each declared once as a `Tool`.

Adding a tool: one module ending in `TOOL = Tool(...)`, and one line in TOOLS below.
"""

from . import cluster, compare, export, financials, lookup, xinchuang
from .cluster import estimate_cluster
from .compare import compare_chips
from .export import export_control_check
from .financials import vendor_financials
from .lookup import lookup_chip
from .registry import Tool
from .xinchuang import xinchuang_certified

TOOLS: tuple[Tool, ...] = (lookup.TOOL, compare.TOOL, cluster.TOOL, xinchuang.TOOL, financials.TOOL, export.TOOL)
BY_NAME: dict[str, Tool] = {tool.name: tool for tool in TOOLS}

__all__ = ["BY_NAME", "TOOLS", "Tool", "compare_chips", "estimate_cluster", "export_control_check", "lookup_chip", "vendor_financials",
           "xinchuang_certified"]
