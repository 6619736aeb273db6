"""`chipmcp serve --http` at its edges: framing errors, methods, Host/Origin, tokens, sizes, idle peers, logs, workers.

Every server here binds a loopback address and is stopped by the fixture; every loop is bounded.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from serving import HEADERS, INITIALIZE, serve_http

# Starts chipmcp as a subprocess: left out of the quick loop (pytest -m "not slow"), run by CI.
pytestmark = pytest.mark.slow


def call(request_id, tool: str = "lookup_chip", arguments: dict | None = None) -> dict:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "tools/call",
        "params": {"name": tool, "arguments": arguments if arguments is not None else {"name": "昇腾910B"}},
    }


@pytest.fixture(scope="module")
def served(db_path: Path, tmp_path_factory: pytest.TempPathFactory):
    with serve_http(db_path, tmp_path_factory.mktemp("served"), "--request-timeout", "2") as server:
        yield server
    assert "Traceback" not in server.stderr.read_text()


@pytest.mark.parametrize("bad_id", [None, 1.5, True, {"a": 1}, [1]], ids=["null", "float", "bool", "object", "array"])
def test_http_answers_a_request_whose_id_is_not_a_string_or_integer_with_invalid_request_not_202(served, bad_id) -> None:
    response = httpx.post(served.url, json={"jsonrpc": "2.0", "id": bad_id, "method": "tools/list"}, headers=HEADERS, timeout=30)
    assert response.status_code == 400
    assert response.json()["id"] is None and response.json()["error"]["code"] == -32600


def test_http_answers_params_that_are_not_an_object_with_invalid_request_and_the_id(served) -> None:
    response = httpx.post(
        served.url, json={"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": "x"}, headers=HEADERS, timeout=30
    )
    assert response.status_code == 400
    assert (response.json()["id"], response.json()["error"]["code"]) == (4, -32600)


def test_http_answers_an_unparseable_body_with_a_parse_error_and_null_id(served) -> None:
    response = httpx.post(served.url, content=b'{"jsonrpc": "2.0", "id": 7', headers=HEADERS, timeout=30)
    assert response.status_code == 400
    assert (response.json()["id"], response.json()["error"]["code"]) == (None, -32700)


@pytest.mark.parametrize("method", ["GET", "DELETE", "PUT", "PATCH"])
def test_stateless_http_answers_every_method_but_post_with_405_and_allow_post(served, method) -> None:
    response = httpx.request(method, served.url, headers=HEADERS, timeout=10)  # a GET would otherwise never end
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_the_body_limit_is_the_largest_valid_request_and_above_it_413(served) -> None:
    widest = {"names": ["昇" * 200] * 20, "metrics": ["compute_tflops"] * 10, "baseline": "昇" * 200}
    body = json.dumps(call(1, "compare_chips", widest), ensure_ascii=True).encode()  # \\uXXXX: the longest spelling
    assert httpx.post(served.url, content=body, headers=HEADERS, timeout=30).status_code == 200
    padded = json.dumps(call(2, "lookup_chip", {"name": "H100", "pad": "x" * 1_000_000})).encode()
    assert httpx.post(served.url, content=padded, headers=HEADERS, timeout=30).status_code == 413


def test_a_peer_that_sends_nothing_or_its_headers_slowly_is_cut_off(served) -> None:
    silent = socket.create_connection((served.host, served.port), timeout=15)
    slow = socket.create_connection((served.host, served.port), timeout=15)
    slow.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and then nothing more
    started = time.monotonic()
    for peer in (silent, slow):
        with peer:
            try:
                while peer.recv(4096):  # a 408, then the close
                    pass
            except TimeoutError:
                pytest.fail("the server kept an idle peer open for 15 s")
    assert time.monotonic() - started < 15


def test_a_host_header_outside_the_allow_list_is_refused_on_any_bind(db_path, tmp_path) -> None:
    """127.0.0.2 is loopback but not one of the SDK's three spellings, so it used to switch the check off."""
    with serve_http(
        db_path, tmp_path, "--allowed-hosts", "chips.example.com", "--allowed-origins", "https://app.example.com", host="127.0.0.2"
    ) as server:

        def post(**headers: str) -> httpx.Response:
            return httpx.post(server.url, json=call(1), headers={**HEADERS, **headers}, timeout=30)

        assert post(Host="evil.example").status_code == 421
        assert post(Host="chips.example.com").status_code == 200
        assert post(Host="chips.example.com:8443").status_code == 200
        assert post(Origin="https://evil.example").status_code == 403
        assert post(Origin="https://app.example.com").status_code == 200


@pytest.mark.parametrize(("args", "needs"), [((), "--allowed-hosts"), (("--allowed-hosts", "chips.example.com"), "--token-file")])
def test_a_non_loopback_bind_without_allow_list_or_token_refuses_to_start(db_path, args, needs) -> None:
    # 192.0.2.1 (TEST-NET-1) is assigned to no interface: nothing can ever be served on it
    env = {k: v for k, v in os.environ.items() if k != "CHIPMCP_TOKEN"} | {"CHIPMCP_DB": str(db_path)}
    result = subprocess.run(
        [sys.executable, "-m", "chipmcp", "serve", "--http", "--host", "192.0.2.1", "--port", "8000", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "refusing to serve on 192.0.2.1" in result.stderr and needs in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_bearer_token_is_required_when_set_and_compared_exactly(db_path, tmp_path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("s3cret-token\n")
    with serve_http(db_path, tmp_path, "--token-file", str(token_file)) as server:

        def post(**headers: str) -> httpx.Response:
            return httpx.post(server.url, json=call(1), headers={**HEADERS, **headers}, timeout=30)

        missing = post()
        assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
        assert post(Authorization="Bearer s3cret-tokem").status_code == 401
        assert post(Authorization="Basic s3cret-token").status_code == 401
        assert post(Authorization="Bearer s3cret-token").status_code == 200


def test_info_logs_go_to_stderr_and_nothing_to_stdout_over_http(db_path, tmp_path) -> None:
    with serve_http(db_path, tmp_path, "--log-level", "INFO") as server:
        assert httpx.post(server.url, json=call(1), headers=HEADERS, timeout=30).status_code == 200
    assert server.stdout.read_bytes() == b""
    assert '"POST /mcp HTTP/1.1" 200' in server.stderr.read_text()


def _few_descriptors() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


def test_300_idle_sockets_under_a_256_descriptor_limit_neither_lock_out_a_client_nor_flood_the_log(db_path, tmp_path) -> None:
    with serve_http(db_path, tmp_path, preexec_fn=_few_descriptors) as server:
        idle: list[socket.socket] = []
        try:
            for _ in range(300):
                try:
                    idle.append(socket.create_connection((server.host, server.port), timeout=2))
                except OSError:
                    break
            with httpx.Client(headers=HEADERS, timeout=10) as http:
                answer = http.post(server.url, json=call(1))
            assert answer.status_code == 200, answer.text[:300]
            assert answer.json()["result"]["structuredContent"]["id"] == "huawei-ascend-910b"
        finally:
            for peer in idle:
                peer.close()
    log = server.stderr.read_text()
    assert "Traceback" not in log and len(log) < 20_000, log[-3000:]


def test_two_workers_serve_the_same_database(db_path, tmp_path) -> None:
    with serve_http(db_path, tmp_path, "--workers", "2") as server:
        deadline = time.monotonic() + 60
        while len(_children(server.process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(_children(server.process.pid)) == 2
        for n in range(20):  # a fresh connection each: both workers take some
            with httpx.Client(headers=HEADERS, timeout=30) as http:
                assert http.post(server.url, json=INITIALIZE).status_code == 200
                result = http.post(server.url, json=call(n)).json()["result"]
                assert result["structuredContent"]["id"] == "huawei-ascend-910b"


def _children(pid: int) -> list[int]:
    """Worker processes: children of the supervisor running Python (not multiprocessing's resource tracker)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    children = [int(c) for c in path.read_text().split()] if path.exists() else []
    return [c for c in children if "resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes().decode(errors="replace")]
