"""`chipmcp serve --http` (stateless, JSON responses) on loopback: concurrent clients without an error, and
rude clients.

The concurrency test is short: it asserts zero errors and steady memory across every tool. The load itself
(64 clients × 300 calls, latencies, calls/s, workers' memory) is measured by benchmarks/bench_http_load.py.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import numpy as np
import pytest

from test_server import CALLS

CLIENTS = 8
CALLS_PER_CLIENT = 25
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
# A mix across every tool, each spelled the way a model might (aliases, traditional script, pinyin): one
# list in tests/data, read by this test and by benchmarks/bench_http_load.py alike.
MIX = [
    (tool, arguments) for tool, arguments in json.loads((Path(__file__).parent / "data" / "load_mix.json").read_text(encoding="utf-8"))
]
assert {tool for tool, _ in MIX} == set(CALLS)

# Starts chipmcp as a subprocess: left out of the quick loop (pytest -m "not slow"), run by CI.
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def http_server(db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    env = {**os.environ, "CHIPMCP_DB": str(db_path)}
    log = tmp_path_factory.mktemp("http") / "server.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "chipmcp", "serve", "--http", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )
    url = f"http://127.0.0.1:{port}/mcp"
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"server did not start: {log.read_text()[-2000:]}") from None
            time.sleep(0.05)
    yield process, url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]


def rpc(request_id: int, method: str, params: dict | None = None) -> dict:
    return {"jsonrpc": "2.0", "id": request_id, "method": method, **({"params": params} if params is not None else {})}


def call_tool(request_id: int, tool: str, arguments: dict) -> dict:
    return rpc(request_id, "tools/call", {"name": tool, "arguments": arguments})


INITIALIZE = rpc(
    0, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "load-test", "version": "1"}}
)


def check_reply(response: httpx.Response, request_id: int) -> dict:
    assert response.status_code == 200, response.text[:500]
    reply = response.json()
    assert reply.get("id") == request_id and "error" not in reply, reply
    return reply["result"]


async def one_client(url: str, client_no: int, latencies: list[float], failures: list[str]) -> None:
    async with httpx.AsyncClient(headers=HEADERS, timeout=60) as http:
        try:
            check_reply(await http.post(url, json=INITIALIZE), 0)
            await http.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"})
            for n in range(1, CALLS_PER_CLIENT + 1):
                tool, arguments = MIX[(client_no + n) % len(MIX)]
                started = time.perf_counter()
                response = await http.post(url, json=call_tool(n, tool, arguments))
                latencies.append(time.perf_counter() - started)
                result = check_reply(response, n)
                if result.get("isError") or not result.get("structuredContent"):
                    failures.append(f"{tool} {arguments}: {json.dumps(result, ensure_ascii=False)[:300]}")
        except (AssertionError, httpx.HTTPError) as error:
            failures.append(f"client {client_no}: {error!r}"[:500])


@pytest.mark.anyio
async def test_8_clients_25_mixed_calls_each_without_an_error(http_server, anyio_backend, capsys) -> None:
    process, url = http_server
    async with httpx.AsyncClient(headers=HEADERS, timeout=60) as warm:  # first call opens the database
        check_reply(await warm.post(url, json=call_tool(1, "lookup_chip", {"name": "H100"})), 1)
    rss_before = rss_mb(process.pid)
    latencies: list[float] = []
    failures: list[str] = []
    started = time.perf_counter()
    with anyio.fail_after(300):  # bounded: the test stops by itself
        async with anyio.create_task_group() as group:
            for client_no in range(CLIENTS):
                group.start_soon(one_client, url, client_no, latencies, failures)
    elapsed = time.perf_counter() - started
    rss_after = rss_mb(process.pid)
    assert not failures, failures[:5]
    assert len(latencies) == CLIENTS * CALLS_PER_CLIENT
    assert process.poll() is None
    p50, p99 = np.percentile(np.array(latencies) * 1000, [50, 99])
    with capsys.disabled():  # into the CI log, whatever the capture mode
        print(
            f"\nHTTP load: {len(latencies)} calls from {CLIENTS} clients in {elapsed:.1f} s "
            f"({len(latencies) / elapsed:.0f} calls/s), 0 errors; latency p50 {p50:.1f} ms, p99 {p99:.1f} ms; "
            f"server RSS {rss_before:.0f} MB before, {rss_after:.0f} MB after"
        )
    assert rss_after < rss_before + 200, "memory should not grow with the number of calls served"


def send_and_hang_up(port: int, body: bytes, declared_length: int | None = None) -> None:
    head = (
        f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Accept: application/json, text/event-stream\r\nContent-Length: {declared_length or len(body)}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.sendall(head.encode() + body)


def test_clients_that_hang_up_mid_call_do_not_stop_the_server(http_server) -> None:
    process, url = http_server
    port = int(url.split(":")[2].split("/")[0])
    heavy = json.dumps(
        call_tool(
            7,
            "compare_chips",
            {
                "names": [
                    "910B",
                    "910C",
                    "H100",
                    "H20",
                    "A100",
                    "B200",
                    "MTT S4000",
                    "MLU370-X8",
                    "天垓150",
                    "曦云C500",
                    "云燧T21",
                    "K100",
                ]
            },
        )
    )
    for _ in range(20):
        send_and_hang_up(port, heavy.encode())  # the whole request, then gone before the answer
        send_and_hang_up(port, heavy.encode()[:40], declared_length=len(heavy))  # gone halfway through the body
    with httpx.Client(headers=HEADERS, timeout=30) as http:
        result = check_reply(http.post(url, json=call_tool(8, "lookup_chip", {"name": "昇腾910B"})), 8)
    assert result["structuredContent"]["id"] == "huawei-ascend-910b"
    assert process.poll() is None


def test_http_rejects_bad_requests_with_json_rpc_errors_and_keeps_serving(http_server) -> None:
    _, url = http_server
    with httpx.Client(headers=HEADERS, timeout=30) as http:
        assert http.post(url, content=b"not json").status_code in (400, 422)
        assert http.post(url, content=b"{" * 100_000).status_code in (400, 413, 422)
        unknown = http.post(url, json=rpc(3, "no/such/method"))
        assert unknown.json()["error"]["code"] == -32601
        bad_args = check_reply(http.post(url, json=call_tool(4, "estimate_cluster", {"chip": "H100", "count": -1})), 4)
        assert bad_args["isError"] and "Traceback" not in json.dumps(bad_args)
        assert check_reply(http.post(url, json=call_tool(5, "lookup_chip", {"name": "H100"})), 5)["structuredContent"]
