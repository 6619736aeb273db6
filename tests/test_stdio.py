"""End to end: `chipmcp` started as a subprocess over stdio, driven by the SDK's client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest
from mcp import Client, StdioServerParameters

from test_server import CALLS

# Starts chipmcp as a subprocess: left out of the quick loop (pytest -m "not slow"), run by CI.
pytestmark = [pytest.mark.anyio, pytest.mark.slow]


def server_params(db_path) -> StdioServerParameters:
    env = {**os.environ, "CHIPMCP_DB": str(db_path)}
    return StdioServerParameters(command=sys.executable, args=["-m", "chipmcp"], env=env)


async def test_every_tool_answers_over_stdio(db_path) -> None:
    async with Client(server_params(db_path)) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        assert tools == set(CALLS)
        for tool, arguments in CALLS.items():
            result = await client.call_tool(tool, arguments)
            assert not result.is_error, (tool, result.content)
            assert result.structured_content["summary"]


def test_stdio_survives_malformed_lines_and_answers_the_valid_ones(db_path) -> None:
    """Garbage between valid requests: not JSON, wrong JSON-RPC, unknown method, a 5 MB line."""
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }
    lines = [
        json.dumps(init),
        json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        "this is not json",
        json.dumps({"jsonrpc": "1.0", "id": "x", "method": 42}),
        json.dumps({"jsonrpc": "2.0", "id": 2, "method": "no/such/method"}),
        "[" * 1000,
        json.dumps(
            {
                "jsonrpc": "2.0",
                "id": 3,
                "method": "tools/call",
                "params": {"name": "lookup_chip", "arguments": {"name": "x" * (5 * 1024 * 1024)}},
            }
        ),
        json.dumps(
            {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "lookup_chip", "arguments": {"name": "昇腾910B"}}}
        ),
        json.dumps({"jsonrpc": "2.0", "id": 5, "method": "tools/list"}),
    ]
    env = {**os.environ, "CHIPMCP_DB": str(db_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "chipmcp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
        encoding="utf-8",
    )
    replies, stdout_lines = read_replies(process, lines, wanted={1, 2, 3, 4, 5})
    assert replies[1]["result"]["serverInfo"]["name"] == "chipmcp"
    assert replies[2]["error"]["code"] == -32601
    assert replies[3]["result"]["isError"] is True
    assert replies[4]["result"]["structuredContent"]["id"] == "huawei-ascend-910b"
    assert len(replies[5]["result"]["tools"]) == len(CALLS)
    assert all("Traceback" not in line for line in stdout_lines)


def read_replies(process: subprocess.Popen, lines: list[str], wanted: set[int], timeout: float = 60):  # type: ignore[type-arg]
    """Send every line, keep stdin open until the wanted ids are answered (or time runs out)."""
    replies: dict[int, dict] = {}
    seen: list[str] = []
    found = threading.Event()

    def reader() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            seen.append(line)
            message = json.loads(line)  # stdout carries JSON-RPC only
            if "id" in message:
                replies[message["id"]] = message
            if wanted <= replies.keys():
                found.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        for line in lines:
            process.stdin.write(line + "\n")  # type: ignore[union-attr]
            process.stdin.flush()  # type: ignore[union-attr]
        found.wait(timeout)
    finally:
        process.stdin.close()  # type: ignore[union-attr]
        process.wait(timeout=30)
        thread.join(timeout=10)
        process.stdout.close()  # type: ignore[union-attr]
    return replies, seen


def test_a_reader_that_leaves_early_gets_no_traceback(db_path) -> None:
    """`chipmcp call … | head -1`: the reader closes the pipe before the answer is written."""
    env = {**os.environ, "CHIPMCP_DB": str(db_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "chipmcp", "call", "lookup_chip", '{"name": "昇腾910B"}'],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    process.stdout.close()  # gone before the tool has answered
    stderr = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=60) == 1
    assert "Traceback" not in stderr, stderr
