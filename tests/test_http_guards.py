"""The HTTP app's guards at their edges: Host names as DNS compares them, one Authorization header, a
lone surrogate with a readable id, a blank token refused at start."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from chipmcp.serving.http import HttpSettings, create_app
from chipmcp.serving.server import build_server
from serving import HEADERS, free_port

PING = b'{"jsonrpc": "2.0", "id": 3, "method": "ping"}'


@pytest.fixture(scope="module")
def client(kb) -> Iterator[TestClient]:
    app = create_app(
        HttpSettings(port=8000, allowed_hosts=("Chips.Example.com",), allowed_origins=("https://App.Example.com",)), build_server(kb)
    )
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield client


@pytest.fixture(scope="module")
def authed(kb) -> Iterator[TestClient]:
    os.environ["CHIPMCP_TOKEN"] = "s3cret"
    try:
        app = create_app(HttpSettings(), build_server(kb))
    finally:
        del os.environ["CHIPMCP_TOKEN"]
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield client


@pytest.mark.parametrize(
    "host",
    [
        "LOCALHOST:8000",
        "LocalHost",
        "localhost.:8000",
        "localhost.",
        "chips.example.com",
        "CHIPS.EXAMPLE.COM.",
        "chips.example.com:443",
        "127.0.0.1:8000",
        "[::1]:8000",
    ],
)
def test_host_names_compare_case_insensitively_and_ignore_a_trailing_dot(client, host) -> None:
    response = client.post("/mcp", content=PING, headers={**HEADERS, "Host": host})
    assert (response.status_code, response.json()["result"]) == (200, {})


@pytest.mark.parametrize(
    "host",
    [
        "localhost:evil",
        "localhost:",
        "localhost:80:80",
        "chips.example.com:x1",
        "localhost..",
        "evil.com",
        "localhost.evil.com",
        "chips.example.com.evil.com",
    ],
)
def test_a_host_outside_the_allow_list_or_with_a_port_that_is_not_a_number_is_refused(client, host) -> None:
    response = client.post("/mcp", content=PING, headers={**HEADERS, "Host": host})
    assert response.status_code == 421


@pytest.mark.parametrize("origin", ["http://LOCALHOST:5173", "HTTP://localhost.:5173", "https://app.example.com"])
def test_origins_compare_scheme_and_host_case_insensitively(client, origin) -> None:
    response = client.post("/mcp", content=PING, headers={**HEADERS, "Origin": origin})
    assert response.status_code == 200


@pytest.mark.parametrize("origin", ["http://localhost:evil", "http://evil.com", "null"])
def test_an_origin_outside_the_allow_list_or_with_a_bad_port_is_refused(client, origin) -> None:
    response = client.post("/mcp", content=PING, headers={**HEADERS, "Origin": origin})
    assert response.status_code == 403


def test_a_lone_surrogate_gets_a_parse_error_carrying_the_request_id(client) -> None:
    body = b'{"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": "lookup_chip", "arguments": {"name": "\\ud800"}}}'
    response = client.post("/mcp", content=body, headers=HEADERS)
    assert response.status_code == 400
    assert (response.json()["id"], response.json()["error"]["code"]) == (9, -32700)
    assert "surrogate" in response.json()["error"]["message"]


def test_one_bearer_token_is_accepted(authed) -> None:
    response = authed.post("/mcp", content=PING, headers={**HEADERS, "Authorization": "Bearer s3cret"})
    assert response.status_code == 200


@pytest.mark.parametrize("second", ["Bearer s3cret", "Bearer wrong"])
def test_two_authorization_headers_are_refused_whatever_they_hold(authed, second) -> None:
    headers = [*HEADERS.items(), ("Authorization", "Bearer s3cret"), ("Authorization", second)]
    response = authed.post("/mcp", content=PING, headers=headers)
    assert response.status_code == 400
    assert "one Authorization header" in response.json()["message"]


@pytest.mark.slow
@pytest.mark.parametrize("token", [" ", "\t\n"], ids=["space", "tab-newline"])
def test_a_blank_chipmcp_token_is_an_error_at_start_not_no_auth(db_path, token) -> None:
    env = {**os.environ, "CHIPMCP_DB": str(db_path), "CHIPMCP_TOKEN": token}
    try:
        process = subprocess.run(
            [sys.executable, "-m", "chipmcp", "serve", "--http", "--port", str(free_port())],
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError("the server started with a blank token") from None
    assert process.returncode == 2
    assert "CHIPMCP_TOKEN" in process.stderr and "blank" in process.stderr and "Traceback" not in process.stderr


def test_a_deeply_nested_unparseable_body_gets_a_parse_error_not_a_crash(client) -> None:
    response = client.post("/mcp", content=b"[" * 5000, headers=HEADERS)
    assert response.status_code == 400
    assert (response.json()["id"], response.json()["error"]["code"]) == (None, -32700)
