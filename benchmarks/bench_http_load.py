"""HTTP under load with N worker processes: 64 clients × 300 calls mixed across every tool, against
`chipmcp serve --http --workers 2` on loopback.

Method: build (or find) the knowledge base; start the server with `--workers N` on a free loopback port
and wait for its N workers; warm every worker with a call per tool on fresh connections; record each
worker's RSS; then CLIENTS concurrent clients (one keep-alive connection each, httpx) initialize and
make CALLS calls each, cycling through a mix of every tool and several spellings; every answer is
checked (HTTP 200, the request's id, no error, structuredContent present). Reported: calls, errors,
wall time, calls/s, latency p50/p99 per call as the client sees it, each worker's RSS before/after.
The clients run on the same 2 cores as the workers, so the figures are a floor, not a capacity.

    python benchmarks/bench_http_load.py [--workers 2] [--clients 64] [--calls 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np

from chipmcp.kb.store import ensure_database

HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
INITIALIZE = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}}
# The load test's mix (tests/data/load_mix.json): every tool, spelled as a model might.
MIX = [(tool, arguments) for tool, arguments in json.loads(
    (Path(__file__).resolve().parents[1] / "tests" / "data" / "load_mix.json").read_text(encoding="utf-8"))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def workers_of(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def call(request_id: int, tool: str, arguments: dict) -> dict:
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}


def failure(response: httpx.Response, request_id: int) -> str | None:
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    reply = response.json()
    if reply.get("id") != request_id or "error" in reply:
        return str(reply)[:200]
    result = reply["result"]
    if result.get("isError") or not result.get("structuredContent"):
        return str(result)[:200]
    return None


async def client(url: str, number: int, calls: int, latencies: list[float], errors: list[str]) -> None:
    async with httpx.AsyncClient(headers=HEADERS, timeout=120) as http:
        await http.post(url, json=INITIALIZE)
        await http.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"})
        for n in range(1, calls + 1):
            tool, arguments = MIX[(number + n) % len(MIX)]
            started = time.perf_counter()
            try:
                response = await http.post(url, json=call(n, tool, arguments))
            except httpx.HTTPError as error:
                errors.append(repr(error))
                continue
            latencies.append(time.perf_counter() - started)
            if (problem := failure(response, n)) is not None:
                errors.append(problem)


async def load(url: str, clients: int, calls: int) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    await asyncio.gather(*(client(url, number, calls, latencies, errors) for number in range(clients)))
    return latencies, errors, time.perf_counter() - started


async def warm(url: str, rounds: int) -> None:
    for n in range(rounds):  # fresh connections, so every worker gets some
        async with httpx.AsyncClient(headers=HEADERS, timeout=60) as http:
            for tool, arguments in MIX:
                await http.post(url, json=call(n, tool, arguments))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    port = free_port()
    env = {**os.environ, "CHIPMCP_DB": str(ensure_database())}
    server = subprocess.Popen([sys.executable, "-m", "chipmcp", "serve", "--http", "--port", str(port), "--workers",
                               str(args.workers), "--max-connections", str(args.clients * 2)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                if len(workers_of(server.pid)) >= args.workers:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        asyncio.run(warm(url, rounds=4 * args.workers))
        workers = workers_of(server.pid)
        before = {pid: rss_mb(pid) for pid in workers}
        latencies, errors, elapsed = asyncio.run(load(url, args.clients, args.calls))
        after = {pid: rss_mb(pid) for pid in workers}
    finally:
        server.terminate()
        server.wait(timeout=30)
    p50, p99 = np.percentile(np.array(latencies) * 1000, [50, 99])
    total = args.clients * args.calls
    print(f"{args.workers} workers, {args.clients} clients × {args.calls} calls = {total} calls in {elapsed:.1f} s "
          f"({total / elapsed:.0f} calls/s); errors: {len(errors)}; latency p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    for pid in workers:
        print(f"  worker {pid}: RSS {before[pid]:.0f} MB before, {after[pid]:.0f} MB after")
    if errors:
        print("first errors:", *errors[:5], sep="\n  ")
        sys.exit(1)


if __name__ == "__main__":
    main()
