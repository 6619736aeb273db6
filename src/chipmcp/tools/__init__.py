"""The tools as plain functions over a KnowledgeBase (no MCP here), each declared once as a `Tool`.

Adding a tool: one module ending in `TOOL = Tool(...)`, and one line in TOOLS below.
"""

from . import catalog, cluster, compare, export, financials, industry, lookup, xinchuang
from .catalog import find_chips
from .cluster import estimate_cluster
from .compare import compare_chips
from .export import export_control_check
from .financials import vendor_financials
from .industry import industry_figures
from .lookup import lookup_chip
from .registry import Tool
from .xinchuang import xinchuang_certified

TOOLS: tuple[Tool, ...] = (lookup.TOOL, compare.TOOL, cluster.TOOL, xinchuang.TOOL, financials.TOOL, catalog.TOOL,
                           industry.TOOL, export.TOOL)
BY_NAME: dict[str, Tool] = {tool.name: tool for tool in TOOLS}

__all__ = ["BY_NAME", "TOOLS", "Tool", "compare_chips", "estimate_cluster", "export_control_check", "find_chips",
           "industry_figures", "lookup_chip", "vendor_financials", "xinchuang_certified"]
