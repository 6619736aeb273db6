"""A repeated question over stdio, back to back: what a cache hit costs beside the protocol's floor.

Method: spawn chipmcp (over the real knowledge base, already built) and the bare MCPServer of
benchmarks/noop_server.py; initialize both, let their warm-ups finish, and ask each tool's README example
once. Then ROUNDS rounds; each round asks, for every tool in turn, its README example BLOCK times in a row
(the answer cache serves it), then the no-op BLOCK times and the 10 kB no-op BLOCK times, each server
taking its calls back to back as a client asking in a loop would. For each block: the median round trip,
and the server's CPU time per call (utime + stime of the server process from /proc, over the block). A
tool's ratio is its block median over the no-op block median of the same round; reported: min, median
and max over rounds.

bench_stdio.py interleaves one call per server in turn (a fresh question, a repeated one, a no-op): every
call there wakes a process that sat idle while the others ran, which costs a larger process (chipmcp
holds ~100 MB, the bare server ~65 MB) more. Both are true of some client; this one isolates the cost of
the answer itself.

    python benchmarks/bench_repeated.py [--rounds 5] [--block 200]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time

import numpy as np
from _harness import StdioServer, chipmcp_server, noop_server, table

from chipmcp.kb.store import ensure_database
from chipmcp.serving.server import EXAMPLE_CALLS


def cpu_seconds(server: StdioServer) -> float:
    """User + system CPU the server process has used so far (Linux /proc)."""
    with open(f"/proc/{server.process.pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def block(server: StdioServer, tool: str, arguments: dict, count: int) -> tuple[float, float]:
    """(median round trip, server CPU per call) of `count` identical calls in a row, in seconds."""
    used = cpu_seconds(server)
    trips = []
    for _ in range(count):
        started = time.perf_counter()
        server.call(tool, arguments)
        trips.append(time.perf_counter() - started)
    return float(np.median(trips)), (cpu_seconds(server) - used) / count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--block", type=int, default=200)
    args = parser.parse_args()
    chipmcp, bare = chipmcp_server(ensure_database()), noop_server()
    chipmcp.initialize()
    bare.initialize()
    time.sleep(1.0)  # the warm-up thread (database, name index, OpenCC, then numpy once idle) is done
    calls = [(chipmcp, tool, arguments) for tool, arguments in EXAMPLE_CALLS.items()]
    calls += [(bare, "noop", {}), (bare, "noop_10k", {})]
    for server, tool, arguments in calls:
        server.call(tool, arguments)  # computed once: every later call is a cache hit
    trips: dict[str, list[float]] = {tool: [] for _, tool, _ in calls}
    cpus: dict[str, list[float]] = {tool: [] for _, tool, _ in calls}
    for _ in range(args.rounds):
        for server, tool, arguments in calls:
            trip, cpu = block(server, tool, arguments, args.block)
            trips[tool].append(trip)
            cpus[tool].append(cpu)
    chipmcp.close()
    bare.close()
    floor = np.array(trips["noop"])
    rows = []
    for tool in trips:
        ratio = np.array(trips[tool]) / floor
        ms = np.array(trips[tool]) * 1000
        rows.append(
            [tool, float(ms.min()), float(np.median(ms)), float(ms.max()), float(np.median(cpus[tool]) * 1000), *_spread(ratio)]
        )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"repeated questions back to back over stdio, {args.rounds} rounds × {args.block} calls, ms (commit {commit})")
    print(
        table(
            ["call", "round trip min", "median", "max", "server CPU per call", "÷ no-op, min", "median", "max"],
            rows,
        )
    )


def _spread(values: np.ndarray) -> list[float]:
    return [float(values.min()), float(np.median(values)), float(values.max())]


if __name__ == "__main__":
    main()
