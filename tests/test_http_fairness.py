"""Without a token, one peer cannot hold every connection slot: a slow request makes room for a whole one,
whatever address it comes from, and connections can be capped per peer address."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import httpx
import pytest

from serving import HEADERS, serve_http

PING = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}).encode()


def slow_body(host: str, port: int, source: str) -> socket.socket:
    """A request whose headers arrive at once and whose body never finishes: the connection stays busy."""
    peer = socket.create_connection((host, port), timeout=10, source_address=(source, 0))
    peer.sendall(
        b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Accept: application/json, text/event-stream\r\nContent-Length: 1000\r\n\r\n{"
    )
    return peer


def closed(peer: socket.socket) -> bool:
    """Closed, with a 503 or without a word (or reset: the request bytes it had sent were never read)."""
    peer.settimeout(0.5)
    try:
        answer = peer.recv(200)
        return answer == b"" or answer.startswith(b"HTTP/1.1 503")
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


@pytest.mark.slow
def test_a_peer_holding_slow_bodies_on_every_slot_it_can_leaves_room_for_another_peer(db_path: Path, tmp_path: Path) -> None:
    with serve_http(
        db_path, tmp_path, "--max-connections", "8", "--max-connections-per-peer", "4", "--request-timeout", "60"
    ) as server:
        hog = [slow_body(server.host, server.port, "127.0.0.1") for _ in range(8)]
        try:
            time.sleep(0.5)
            outcome = [closed(peer) for peer in hog]
            transport = httpx.HTTPTransport(local_address="127.0.0.2")
            with httpx.Client(transport=transport, timeout=30) as other:
                response = other.post(server.url, content=PING, headers=HEADERS)
        finally:
            for peer in hog:
                peer.close()
    assert sorted(outcome) == [False] * 4 + [True] * 4  # which four: the longest idle when each newer one came
    assert (response.status_code, response.json()["result"]) == (200, {})


@pytest.mark.slow
def test_slow_bodies_on_every_slot_make_room_for_a_whole_request_from_the_same_address(db_path: Path, tmp_path: Path) -> None:
    with serve_http(db_path, tmp_path, "--max-connections", "8", "--request-timeout", "60") as server:
        hog = [slow_body(server.host, server.port, "127.0.0.1") for _ in range(8)]
        try:
            time.sleep(0.5)
            response = httpx.post(server.url, content=PING, headers=HEADERS, timeout=30)  # from 127.0.0.1 too
            outcome = [closed(peer) for peer in hog]
        finally:
            for peer in hog:
                peer.close()
    assert (response.status_code, response.json()["result"]) == (200, {})
    assert sorted(outcome) == [False] * 7 + [True]  # the slow request that had been arriving longest
