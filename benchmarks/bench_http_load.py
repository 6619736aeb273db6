"""HTTP under load with N worker processes: 64 clients × 300 calls across every tool, against
`chipmcp serve --http --workers 2` on loopback, beside a bare MCPServer HTTP app under the same load.

Method: build (or find) the knowledge base; start the server with `--workers N` on a free loopback port
and wait for its N workers; warm every worker with a call per tool on fresh connections; record each
worker's RSS; then CLIENTS concurrent clients (one keep-alive connection each, httpx) initialize and
make CALLS calls each, cycling through a mix of every tool and several spellings; every answer is
checked (HTTP 200, the request's id, no error, structuredContent present). Two mixes, one after the
other on the same server: REPEATED (tests/data/load_mix.json: a few questions asked again and again,
which the answer cache serves after the first) and FRESH (benchmarks/questions.py: every call a question
no earlier call asked). Then the same load against a bare MCPServer's HTTP app (benchmarks/noop_http.py,
`uvicorn --workers N`) calling its no-op tool. Reported for each: calls, errors, wall time, calls/s,
client-side latency p50/p99, and the server's CPU time per call (user + system time of its worker
processes over the load, from /proc, divided by the calls) — what the server spends, apart from the
clients that share the 2 cores. The ratio row divides chipmcp's CPU per call by the bare app's.

`--before SRC` first runs the same two mixes against chipmcp from another checkout's code (its `src` folder
first on PYTHONPATH, the same database), so a change and the code before it meet the same load in one run.

    python benchmarks/bench_http_load.py [--workers 2] [--clients 64] [--calls 300] [--before SRC]
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
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}},
}
# The load test's mix (tests/data/load_mix.json): every tool, spelled as a model might.
MIX = [
    (tool, arguments)
    for tool, arguments in json.loads(
        (Path(__file__).resolve().parents[1] / "tests" / "data" / "load_mix.json").read_text(encoding="utf-8")
    )
]


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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (/proc/PID/stat, in clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def client(url: str, mix: list[tuple[str, dict]], calls: int, latencies: list[float], errors: list[str]) -> None:
    async with httpx.AsyncClient(headers=HEADERS, timeout=120) as http:
        await http.post(url, json=INITIALIZE)
        await http.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"})
        for n in range(1, calls + 1):
            tool, arguments = mix[n - 1]
            started = time.perf_counter()
            try:
                response = await http.post(url, json=call(n, tool, arguments))
            except httpx.HTTPError as error:
                errors.append(repr(error))
                continue
            latencies.append(time.perf_counter() - started)
            if (problem := failure(response, n)) is not None:
                errors.append(problem)


async def load(url: str, mixes: list[list[tuple[str, dict]]], calls: int) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    await asyncio.gather(*(client(url, mix, calls, latencies, errors) for mix in mixes))
    return latencies, errors, time.perf_counter() - started


async def warm(url: str, rounds: int) -> None:
    for n in range(rounds):  # fresh connections, so every worker gets some
        async with httpx.AsyncClient(headers=HEADERS, timeout=60) as http:
            for tool, arguments in MIX:
                await http.post(url, json=call(n, tool, arguments))


def start(command: list[str], port: int, workers: int, env: dict[str, str] | None = None) -> subprocess.Popen:
    server = subprocess.Popen(
        command, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=Path(__file__).parent
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            if len(workers_of(server.pid)) >= workers:
                break
        except OSError:
            pass
        time.sleep(0.1)
    return server


def measure(label: str, url: str, workers: list[int], mixes: list[list[tuple[str, dict]]], calls: int) -> dict:
    cpu = sum(cpu_seconds(pid) for pid in workers)
    before = {pid: rss_mb(pid) for pid in workers}
    latencies, errors, elapsed = asyncio.run(load(url, mixes, calls))
    cpu = sum(cpu_seconds(pid) for pid in workers) - cpu
    total = len(mixes) * calls
    p50, p99 = np.percentile(np.array(latencies) * 1000, [50, 99])
    print(
        f"{label}: {total} calls in {elapsed:.1f} s ({total / elapsed:.0f} calls/s); errors: {len(errors)}; "
        f"latency p50 {p50:.1f} ms, p99 {p99:.1f} ms; server CPU {cpu / total * 1000:.2f} ms per call; "
        + ", ".join(f"worker RSS {before[pid]:.0f}→{rss_mb(pid):.0f} MB" for pid in workers)
    )
    if errors:
        print("  first errors:", *errors[:5], sep="\n    ")
    return {"cpu_per_call": cpu / total, "errors": len(errors)}


def main() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from questions import usable

    from chipmcp.kb.store import KnowledgeBase
    from chipmcp.tools import BY_NAME

    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--before", help="another checkout's src folder, run first under the same load")
    args = parser.parse_args()
    db = ensure_database()
    total = args.clients * args.calls
    kb = KnowledgeBase(db)
    per_tool = {tool: usable(kb, tool, -(-total // len(BY_NAME)) + 1) for tool in BY_NAME}
    kb.close()
    names = list(BY_NAME)
    # A tool with fewer distinct questions than its share of the load starts again from its first: those
    # calls are repeats (reported below), the rest are fresh.
    fresh_calls = [
        (tool, per_tool[tool][(n // len(names)) % len(per_tool[tool])]) for n in range(total) for tool in (names[n % len(names)],)
    ]
    repeats = {tool: max(0, -(-total // len(names)) - len(per_tool[tool])) for tool in names}
    print(
        "fresh mix: distinct questions per tool:",
        {t: len(q) for t, q in per_tool.items()},
        "; repeated within the mix:",
        {t: n for t, n in repeats.items() if n},
    )
    fresh = [fresh_calls[c * args.calls : (c + 1) * args.calls] for c in range(args.clients)]
    repeated = [[MIX[(c + n) % len(MIX)] for n in range(1, args.calls + 1)] for c in range(args.clients)]
    noop = [[("noop", {"name": "x"})] * args.calls for _ in range(args.clients)]
    results = {}
    codes = {"before": args.before, "": None} if args.before else {"": None}
    for code, src in codes.items():
        label = f"chipmcp ({code})" if code else "chipmcp"
        env = {"CHIPMCP_DB": str(db)}
        if src:
            env["PYTHONPATH"] = src + os.pathsep + os.environ.get("PYTHONPATH", "")
        port = free_port()
        command = [sys.executable, "-m", "chipmcp", "serve", "--http", "--port", str(port), "--workers", str(args.workers)]
        server = start([*command, "--max-connections", str(args.clients * 2)], port, args.workers, env)
        url = f"http://127.0.0.1:{port}/mcp"
        try:
            asyncio.run(warm(url, rounds=4 * args.workers))
            workers = workers_of(server.pid)
            results[f"repeated{code}"] = measure(f"{label}, repeated mix", url, workers, repeated, args.calls)
            results[f"fresh{code}"] = measure(f"{label}, fresh mix", url, workers, fresh, args.calls)
        finally:
            server.terminate()
            server.wait(timeout=30)
    port = free_port()
    bare = start(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "noop_http:app",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--limit-concurrency",
            str(args.clients * 2),
        ],
        port,
        args.workers,
    )
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        workers = workers_of(bare.pid)
        results["bare"] = measure("bare MCPServer app, no-op tool", url, workers, noop, args.calls)
    finally:
        bare.terminate()
        bare.wait(timeout=30)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    bare_cpu = results["bare"]["cpu_per_call"]
    for code in codes:
        fresh_ratio = results[f"fresh{code}"]["cpu_per_call"] / bare_cpu
        repeated_ratio = results[f"repeated{code}"]["cpu_per_call"] / bare_cpu
        print(
            f"commit {commit}{f' ({code}: {args.before})' if code else ''}; {args.workers} workers, {args.clients} clients × "
            f"{args.calls} calls; server CPU per call over the bare app's: fresh {fresh_ratio:.2f}×, repeated {repeated_ratio:.2f}×"
        )
    if any(r["errors"] for r in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
