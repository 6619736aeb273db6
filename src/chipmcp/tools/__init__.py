"""The tools as plain functions over a KnowledgeBase (no MCP here), each declared once as a `Tool`.

Adding a tool: one module ending in `TOOL = Tool(...)`, and one line in TOOLS below. Modules whose name
starts with `_` are the tools' private helpers (`_answer_parts`: the parts every answer is built of);
`registry` is what a tool is.
"""

from chipmcp.tools import compare, estimate, export_control, financials, find, industry, lookup, xinchuang
from chipmcp.tools.compare import compare_chips
from chipmcp.tools.estimate import estimate_cluster
from chipmcp.tools.export_control import export_control_check
from chipmcp.tools.financials import vendor_financials
from chipmcp.tools.find import find_chips
from chipmcp.tools.industry import industry_figures
from chipmcp.tools.lookup import lookup_chip
from chipmcp.tools.registry import Tool
from chipmcp.tools.xinchuang import xinchuang_certified

TOOLS: tuple[Tool, ...] = (
    lookup.TOOL,
    compare.TOOL,
    estimate.TOOL,
    xinchuang.TOOL,
    financials.TOOL,
    find.TOOL,
    industry.TOOL,
    export_control.TOOL,
)
BY_NAME: dict[str, Tool] = {tool.name: tool for tool in TOOLS}

__all__ = [
    "BY_NAME",
    "TOOLS",
    "Tool",
    "compare_chips",
    "estimate_cluster",
    "export_control_check",
    "find_chips",
    "industry_figures",
    "lookup_chip",
    "vendor_financials",
    "xinchuang_certified",
]
