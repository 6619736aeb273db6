"""The MCP Apps view as a client sees it: which tools point at it, the resource it is served as, and a page
that needs nothing from the network. tests/test_views_browser.py renders it in Chromium."""

from __future__ import annotations

import re

import pytest
from mcp import Client
from mcp.client.extension import advertise

from chipmcp.views import ANSWER_VIEW_URI, VIEWS, view_html

pytestmark = pytest.mark.anyio

APP_MIME_TYPE = "text/html;profile=mcp-app"


def apps_client(server) -> Client:
    """A client as an MCP Apps host connects: it advertises the extension and the page type it renders."""
    return Client(server, extensions=[advertise("io.modelcontextprotocol/ui", {"mimeTypes": [APP_MIME_TYPE]})])


async def test_compare_find_and_estimate_point_at_the_view_and_no_other_tool_does(server) -> None:
    async with apps_client(server) as client:
        tools = (await client.list_tools()).tools
    pointed = {t.name: (t.meta or {}).get("ui", {}).get("resourceUri") for t in tools}
    assert {name: uri for name, uri in pointed.items() if uri} == {
        "compare_chips": ANSWER_VIEW_URI,
        "find_chips": ANSWER_VIEW_URI,
        "estimate_cluster": ANSWER_VIEW_URI,
    }
    assert set(VIEWS) == {"compare_chips", "find_chips", "estimate_cluster"}


async def test_a_client_without_apps_gets_the_tools_list_it_had_without_the_views(server) -> None:
    async with Client(server) as plain, apps_client(server) as apps:
        without = (await plain.list_tools()).tools
        with_views = (await apps.list_tools()).tools
    assert [t.name for t in without] == [t.name for t in with_views]
    assert all(not t.meta or "ui" not in t.meta for t in without)
    strip = [t.model_copy(update={"meta": None}) for t in with_views if t.name in VIEWS]
    assert [t for t in without if t.name in VIEWS] == strip


async def test_the_view_reads_as_an_mcp_app_html_page_and_the_server_advertises_the_extension(server) -> None:
    async with apps_client(server) as client:
        contents = (await client.read_resource(ANSWER_VIEW_URI)).contents
        extensions = client.server_capabilities.extensions or {}
    assert [c.mime_type for c in contents] == [APP_MIME_TYPE]
    assert contents[0].text == view_html() and contents[0].text.startswith("<!doctype html>")
    assert "io.modelcontextprotocol/ui" in extensions


def test_the_view_fetches_nothing_from_the_network() -> None:
    html = view_html()
    # The SVG namespace is a name, not a fetch; any other URL would be one.
    urls = set(re.findall(r"https?://[^\s\"'`)]+", html)) - {"http://www.w3.org/2000/svg"}
    assert urls == set()
    assert not re.search(r"<(script|link|img|iframe)[^>]*\b(src|href)=", html)
    assert not re.search(r"\b(fetch|XMLHttpRequest|WebSocket|EventSource|import)\s*\(", html)


def test_the_view_speaks_the_apps_handshake_and_takes_the_tool_result() -> None:
    html = view_html()
    for method in (
        "ui/initialize",
        "ui/notifications/initialized",
        "ui/notifications/tool-result",
        "ui/notifications/host-context-changed",
        "ui/notifications/size-changed",
    ):
        assert f'"{method}"' in html, method
    assert "structuredContent" in html


async def test_answers_are_the_same_text_and_json_with_the_view_registered(server, kb) -> None:
    from chipmcp import tools
    from chipmcp.serving.server import EXAMPLE_CALLS

    async with apps_client(server) as client:
        for name in VIEWS:
            result = await client.call_tool(name, EXAMPLE_CALLS[name])
            expected = tools.BY_NAME[name].call(kb, **EXAMPLE_CALLS[name])
            assert result.structured_content == expected.model_dump(mode="json", exclude_defaults=True)
            assert [c.text for c in result.content] == [tools.BY_NAME[name].render(expected)]
