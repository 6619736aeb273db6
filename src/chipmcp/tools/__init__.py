"""The tools as plain functions over a KnowledgeBase (no MCP here), and their text renderers."""

from .catalog import find_chips
from .cluster import estimate_cluster
from .compare import compare_chips
from .financials import vendor_financials
from .industry import industry_figures
from .lookup import lookup_chip
from .xinchuang import xinchuang_certified

__all__ = ["compare_chips", "estimate_cluster", "find_chips", "industry_figures", "lookup_chip", "vendor_financials",
           "xinchuang_certified"]
