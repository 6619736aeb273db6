"""No notification — any method, any JSON value as params — can disturb either transport.

A notification gets no answer, so the probe after each one is a ping: the transport is undisturbed when
the ping is answered, the process is still running and nothing was written but JSON-RPC replies."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from chipmcp.serving.http import HttpSettings, create_app
from chipmcp.serving.server import build_server
from serving import HEADERS, INITIALIZE

INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}
KNOWN = [
    "notifications/cancelled",
    "notifications/progress",
    "notifications/initialized",
    "notifications/roots/list_changed",
    "notifications/message",
    "notifications/tools/list_changed",
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
# Params shaped like the ones the SDK reads fields out of, with any value in those fields, besides any value at all.
params = (
    json_values
    | st.fixed_dictionaries({"requestId": json_values}, optional={"reason": json_values})
    | st.fixed_dictionaries({"progressToken": json_values, "progress": json_values}, optional={"total": json_values})
    | st.fixed_dictionaries({"_meta": json_values})
)
notifications = st.builds(
    lambda method, p, has_params: {"jsonrpc": "2.0", "method": method, **({"params": p} if has_params else {})},
    st.sampled_from(KNOWN) | st.text(max_size=20),
    params,
    st.booleans(),
)

EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


class StdioPeer:
    """`chipmcp` over stdio with stdin held open, its replies read on a thread so a hung server fails a test
    instead of hanging it."""

    def __init__(self, db_path) -> None:
        env = {**os.environ, "CHIPMCP_DB": str(db_path)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "chipmcp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
            encoding="utf-8",
        )
        self.replies: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.next_id = 0

    def _read(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.replies.put(line)

    def send(self, message: dict) -> None:
        self.process.stdin.write(json.dumps(message) + "\n")  # type: ignore[union-attr]
        self.process.stdin.flush()  # type: ignore[union-attr]

    def ask(self, message: dict, timeout: float = 30) -> dict:
        self.send(message)
        for _ in range(int(timeout * 10)):
            try:
                return json.loads(self.replies.get(timeout=0.1))  # stdout carries JSON-RPC only
            except queue.Empty:
                if self.process.poll() is not None:
                    break
        raise AssertionError(f"no answer to {message['method']} (server running: {self.process.poll() is None})")

    def ping(self) -> dict:
        self.next_id += 1
        return self.ask({"jsonrpc": "2.0", "id": self.next_id, "method": "ping"})

    def close(self) -> tuple[int, str]:
        self.process.stdin.close()  # type: ignore[union-attr]
        code = self.process.wait(timeout=60)
        return code, self.process.stderr.read()  # type: ignore[union-attr]


@pytest.fixture
def stdio_peer(db_path) -> Iterator[StdioPeer]:
    peer = StdioPeer(db_path)
    try:
        assert peer.ask(INITIALIZE)["result"]["serverInfo"]["name"] == "chipmcp"
        peer.send(INITIALIZED)
        yield peer
    finally:
        if peer.process.poll() is None:
            peer.process.kill()
        peer.process.wait(timeout=30)
        for stream in (peer.process.stdin, peer.process.stdout, peer.process.stderr):
            with contextlib.suppress(OSError):  # stdin's buffer cannot be flushed to a dead process
                stream.close()  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def http_client(kb) -> Iterator[TestClient]:
    app = create_app(HttpSettings(), build_server(kb))
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield client


@pytest.mark.slow
def test_cancels_whose_request_id_is_not_an_id_leave_stdio_serving_and_exiting_cleanly(stdio_peer) -> None:
    for request_id in ([1], {"a": 1}, True, 1.5, None):
        stdio_peer.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": request_id}})
        assert stdio_peer.ping() == {"jsonrpc": "2.0", "id": stdio_peer.next_id, "result": {}}
    code, stderr = stdio_peer.close()
    assert (code, "Traceback" in stderr) == (0, False), stderr[-2000:]


@pytest.mark.slow
@EXAMPLES
@given(notification=notifications)
def test_no_notification_disturbs_the_stdio_transport(stdio_peer, notification) -> None:
    stdio_peer.send(notification)
    reply = stdio_peer.ping()
    assert reply == {"jsonrpc": "2.0", "id": stdio_peer.next_id, "result": {}}


@EXAMPLES
@given(notification=notifications)
def test_no_notification_disturbs_the_http_transport(http_client, notification) -> None:
    response = http_client.post("/mcp", json=notification, headers=HEADERS)
    assert (response.status_code, response.content) == (202, b"")
    ping = http_client.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"}, headers=HEADERS)
    assert (ping.status_code, ping.json()) == (200, {"jsonrpc": "2.0", "id": 1, "result": {}})
