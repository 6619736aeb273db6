"""The stdio transport: every request read before end of input is answered; JSON-RPC errors where required."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

INIT = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}

# Starts chipmcp as a subprocess: left out of the quick loop (pytest -m "not slow"), run by CI.
pytestmark = pytest.mark.slow


def call(request_id: int, name: str = "昇腾910B") -> dict:
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": {"name": "lookup_chip", "arguments": {"name": name}}}


def run_stdio(db_path, lines: list[str], *args: str) -> tuple[list[dict], str]:
    """Pipe the lines in, close stdin at once (as `printf … | chipmcp` does) and collect every reply."""
    env = {**os.environ, "CHIPMCP_DB": str(db_path)}
    process = subprocess.run(
        [sys.executable, "-m", "chipmcp", *args],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
    )
    assert process.returncode == 0, process.stderr[-2000:]
    return [json.loads(line) for line in process.stdout.splitlines()], process.stderr


def by_id(replies: list[dict]) -> dict:
    return {json.dumps(r.get("id")): r for r in replies}


def test_stdio_answers_a_call_piped_in_with_initialize_before_it_exits(db_path) -> None:
    replies, _ = run_stdio(db_path, [json.dumps(INIT), json.dumps(INITIALIZED), json.dumps(call(1))])
    answers = by_id(replies)
    assert answers["0"]["result"]["serverInfo"]["name"] == "chipmcp"
    assert answers["1"]["result"]["structuredContent"]["id"] == "huawei-ascend-910b"


def test_stdio_answers_200_queued_calls_before_it_exits(db_path) -> None:
    names = ["昇腾910B", "H100", "MTT S4000", "昇騰910C", "H20"]
    calls = [json.dumps(call(n, names[n % len(names)])) for n in range(1, 201)]
    replies, _ = run_stdio(db_path, [json.dumps(INIT), json.dumps(INITIALIZED), *calls])
    answered = {r["id"] for r in replies if "result" in r and not r["result"].get("isError")}
    assert answered == set(range(201))


def test_stdio_answers_an_unparseable_line_with_a_parse_error_and_null_id(db_path) -> None:
    replies, _ = run_stdio(
        db_path, [json.dumps(INIT), json.dumps(INITIALIZED), "this is not json", '{"jsonrpc": "2.0", "id": 7', json.dumps(call(1))]
    )
    errors = [r for r in replies if "error" in r]
    assert [(e["id"], e["error"]["code"]) for e in errors] == [(None, -32700), (None, -32700)]
    assert by_id(replies)["1"]["result"]["structuredContent"]["id"] == "huawei-ascend-910b"


@pytest.mark.parametrize("bad_id", [None, 1.5, True, {"a": 1}, [1]], ids=["null", "float", "bool", "object", "array"])
def test_stdio_answers_a_request_whose_id_is_not_a_string_or_integer_with_invalid_request(db_path, bad_id) -> None:
    bad = {"jsonrpc": "2.0", "id": bad_id, "method": "tools/list"}
    replies, _ = run_stdio(db_path, [json.dumps(INIT), json.dumps(INITIALIZED), json.dumps(bad), json.dumps(call(1))])
    errors = [r for r in replies if "error" in r]
    assert [(e["id"], e["error"]["code"]) for e in errors] == [(None, -32600)]
    assert "1" in by_id(replies)


def test_stdio_answers_a_request_with_params_that_are_not_an_object_with_invalid_request_and_its_id(db_path) -> None:
    bad = {"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": "x"}
    replies, _ = run_stdio(db_path, [json.dumps(INIT), json.dumps(INITIALIZED), json.dumps(bad), "[]", json.dumps(call(1))])
    errors = [(r["id"], r["error"]["code"]) for r in replies if "error" in r]
    assert errors == [(9, -32600), (None, -32600)]


@pytest.mark.slow
def test_stdio_answers_a_lone_surrogate_with_a_parse_error_carrying_the_request_id(db_path) -> None:
    lone = '{"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {"name": "lookup_chip", "arguments": {"name": "\\ud800"}}}'
    replies, _ = run_stdio(db_path, [json.dumps(INIT), json.dumps(INITIALIZED), lone, json.dumps(call(1))])
    errors = [(r["id"], r["error"]["code"]) for r in replies if "error" in r]
    assert errors == [(6, -32700)]
    assert by_id(replies)["1"]["result"]["structuredContent"]["id"] == "huawei-ascend-910b"


def test_stdio_info_logs_go_to_stderr_and_stdout_carries_only_json_rpc(db_path) -> None:
    replies, stderr = run_stdio(
        db_path, [json.dumps(INIT), json.dumps(INITIALIZED), json.dumps(call(1))], "serve", "--log-level", "INFO"
    )
    assert {r["id"] for r in replies} == {0, 1}  # run_stdio parsed every stdout line as JSON
    assert "serving MCP over stdio" in stderr and "every request answered" in stderr, stderr[-2000:]
