"""A first run explains itself: the hint on a terminal, the help text, the tool list, and a bundle whose
knowledge-folder setting is unfilled or stale still starting."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chipmcp.cli import main
from chipmcp.serving.server import EXAMPLE_CALLS

ROOT = Path(__file__).resolve().parents[1]
INIT = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
CALL = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "lookup_chip", "arguments": {"name": "昇腾910B"}}}


def read_until_newline(stream, seconds: float) -> bytes:
    data, deadline = b"", time.monotonic() + seconds
    while b"\n" not in data and time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], 0.2)
        if ready:
            chunk = os.read(stream.fileno(), 4096)
            if not chunk:
                break
            data += chunk
    return data


@pytest.mark.slow
def test_bare_chipmcp_on_a_terminal_prints_one_hint_line_to_stderr_and_nothing_to_stdout(db_path) -> None:
    controller, terminal = pty.openpty()
    env = {**os.environ, "CHIPMCP_DB": str(db_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "chipmcp"], stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    os.close(terminal)
    try:
        hint = read_until_newline(process.stderr, 60).decode()
        time.sleep(0.5)  # anything more would have arrived by now
        more_err, _, _ = select.select([process.stderr], [], [], 0)
        stdout_ready, _, _ = select.select([process.stdout], [], [], 0)
    finally:
        os.close(controller)  # the terminal hangs up: end of input
        process.wait(timeout=60)
        out, err = process.stdout.read(), process.stderr.read()
        process.stdout.close()
        process.stderr.close()
    assert hint.count("\n") == 1 and not more_err and not stdout_ready and out == b""
    assert "stdio" in hint and "MCP client" in hint and "chipmcp call" in hint and "Ctrl-D" in hint
    assert "Traceback" not in err.decode()


@pytest.mark.slow
def test_bare_chipmcp_on_a_pipe_prints_no_hint(db_path) -> None:
    env = {**os.environ, "CHIPMCP_DB": str(db_path)}
    process = subprocess.run(
        [sys.executable, "-m", "chipmcp"], input=json.dumps(INIT) + "\n", capture_output=True, text=True, env=env, timeout=120
    )
    assert process.returncode == 0 and process.stderr == ""
    assert json.loads(process.stdout)["result"]["serverInfo"]["name"] == "chipmcp"


def test_help_says_bare_chipmcp_is_the_stdio_server(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "bare `chipmcp`" in text and "stdio" in text
    assert "--host 127.0.0.1" in text and "--port 8000" in text


def test_serve_help_gives_host_and_port_their_help_and_defaults(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "address to listen on (default 127.0.0.1" in text
    assert "port to listen on (default 8000)" in text


def test_call_help_lists_the_tools(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["call", "--help"])
    text = capsys.readouterr().out
    assert all(tool in text for tool in EXAMPLE_CALLS)


def test_an_unknown_tool_name_lists_the_tools(db_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CHIPMCP_DB", str(db_path))
    assert main(["call", "lookup_chips", '{"name": "910B"}']) == 2
    err = capsys.readouterr().err
    assert "unknown tool 'lookup_chips'" in err and all(tool in err for tool in EXAMPLE_CALLS)
    assert "lookup_chip" in err.split("Did you mean", 1)[-1]


@pytest.mark.slow
@pytest.mark.parametrize("setting", ["${user_config.knowledge_dir}", "/no/such/knowledge/folder"], ids=["placeholder", "missing"])
def test_the_bundle_warns_and_serves_the_bundled_knowledge_when_its_folder_setting_is_unusable(db_path, setting) -> None:
    env = {**os.environ, "CHIPMCP_KNOWLEDGE": setting}
    env.pop("CHIPMCP_DB", None)  # the bundle builds its own database, as a fresh install does
    lines = [json.dumps(INIT), json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}), json.dumps(CALL)]
    process = subprocess.run(
        [sys.executable, str(ROOT / "bundle" / "main.py")],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
    )
    assert process.returncode == 0, process.stderr[-2000:]
    replies = {reply["id"]: reply for reply in map(json.loads, process.stdout.splitlines())}
    assert replies[1]["result"]["structuredContent"]["id"] == "huawei-ascend-910b"
    assert setting in process.stderr and "bundled knowledge" in process.stderr and "Traceback" not in process.stderr
