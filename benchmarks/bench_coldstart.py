"""Cold start: spawn → initialize → first tool result, chipmcp vs a bare MCPServer with one no-op tool.

Method: the database already exists (as after the first run on a machine). Each of RUNS rounds spawns
chipmcp and the no-op server one after the other (alternating which goes first) and times, for each,
process start to the first tools/call result. The two runs of a round are a pair: the round's
difference (chipmcp − bare) is taken run by run, so a slow moment of the machine lands on both sides of
one difference instead of on one side of a difference of medians. Reported: min, median and max of each
server's times and of the paired differences.

    python benchmarks/bench_coldstart.py [--runs 20]
"""

from __future__ import annotations

import argparse
import subprocess
import time

import numpy as np
from _harness import chipmcp_server, noop_server, table

from chipmcp.kb.store import ensure_database
from chipmcp.serving.server import EXAMPLE_CALLS as CALLS


def first_result(start_server, tool: str, arguments: dict) -> tuple[float, float]:
    """(seconds to the initialize reply, seconds to the first tool result), both from spawn."""
    started = time.perf_counter()
    server = start_server()
    server.initialize()
    initialized = time.perf_counter() - started
    server.call(tool, arguments)
    answered = time.perf_counter() - started
    server.close()
    return initialized, answered


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    db = ensure_database()
    chip_start = lambda: chipmcp_server(db)  # noqa: E731
    runs: dict[str, list[tuple[float, float]]] = {"chipmcp": [], "bare": []}
    for n in range(args.runs):
        order = [("chipmcp", chip_start, "lookup_chip", CALLS["lookup_chip"]), ("bare", noop_server, "noop", {})]
        for label, start, tool, arguments in order if n % 2 else order[::-1]:
            runs[label].append(first_result(start, tool, arguments))
    chip, bare = np.array(runs["chipmcp"]) * 1000, np.array(runs["bare"]) * 1000
    spread = lambda values: [float(values.min()), float(np.median(values)), float(values.max())]  # noqa: E731
    rows = [
        ["chipmcp: initialize", *spread(chip[:, 0])],
        ["bare: initialize", *spread(bare[:, 0])],
        ["chipmcp: first result", *spread(chip[:, 1])],
        ["bare: first result", *spread(bare[:, 1])],
        ["paired difference: first result", *spread(chip[:, 1] - bare[:, 1])],
    ]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"cold start, {args.runs} paired runs, ms from spawn (commit {commit})")
    print(table(["what", "min", "median", "max"], rows))


if __name__ == "__main__":
    main()
