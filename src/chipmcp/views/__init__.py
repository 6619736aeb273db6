"""MCP Apps views: the HTML page a host renders beside the answers of compare_chips, find_chips and
estimate_cluster (extension `io.modelcontextprotocol/ui`).

One self-contained page serves the three tools: it renders whichever answer the host hands it (the tool's
structuredContent, so no second query) and needs no network. The server registers it as a `ui://`
resource and points each tool's `_meta.ui.resourceUri` at it; a client without Apps gets the same text and
JSON as before.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

ANSWER_VIEW_URI = "ui://chipmcp/answer-view.html"

# Tool name → the ui:// resource that renders its answer.
VIEWS: dict[str, str] = {
    "compare_chips": ANSWER_VIEW_URI,
    "find_chips": ANSWER_VIEW_URI,
    "estimate_cluster": ANSWER_VIEW_URI,
}


@cache
def view_html(uri: str = ANSWER_VIEW_URI) -> str:
    """The page served at `uri` (package data, read once)."""
    if uri != ANSWER_VIEW_URI:
        raise KeyError(f"no view at {uri}; views: {ANSWER_VIEW_URI}")
    return resources.files(__package__).joinpath("answer_view.html").read_text(encoding="utf-8")


__all__ = ["ANSWER_VIEW_URI", "VIEWS", "view_html"]
