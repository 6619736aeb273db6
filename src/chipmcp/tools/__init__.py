"""The tools as plain functions over a KnowledgeBase (no MCP here), each declared once as a `Tool`.

Adding a tool: one module ending in `TOOL = Tool(...)`, and one line in TOOLS below.
"""

from chipmcp.tools import catalog, cluster, compare, export, financials, industry, lookup, xinchuang
from chipmcp.tools.catalog import find_chips
from chipmcp.tools.cluster import estimate_cluster
from chipmcp.tools.compare import compare_chips
from chipmcp.tools.export import export_control_check
from chipmcp.tools.financials import vendor_financials
from chipmcp.tools.industry import industry_figures
from chipmcp.tools.lookup import lookup_chip
from chipmcp.tools.registry import Tool
from chipmcp.tools.xinchuang import xinchuang_certified

TOOLS: tuple[Tool, ...] = (lookup.TOOL, compare.TOOL, cluster.TOOL, xinchuang.TOOL, financials.TOOL, catalog.TOOL,
                           industry.TOOL, export.TOOL)
BY_NAME: dict[str, Tool] = {tool.name: tool for tool in TOOLS}

__all__ = ["BY_NAME", "TOOLS", "Tool", "compare_chips", "estimate_cluster", "export_control_check", "find_chips",
           "industry_figures", "lookup_chip", "vendor_financials", "xinchuang_certified"]
