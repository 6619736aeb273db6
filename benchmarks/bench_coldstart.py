"""Cold start: spawn → initialize → first tool result, chipmcp vs a bare MCPServer with one no-op tool.

Method: the database already exists (as after the first run on a machine). Each of RUNS rounds spawns
chipmcp and the no-op server one after the other (alternating which goes first) and times, for each,
process start to the first tools/call result. Reported: median and p90 of each, and the difference.

    python benchmarks/bench_coldstart.py [--runs 20]
"""

from __future__ import annotations

import argparse
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
    rows = []
    for label in runs:
        data = np.array(runs[label]) * 1000
        rows.append([label, float(np.median(data[:, 0])), float(np.median(data[:, 1])), float(np.percentile(data[:, 1], 90))])
    rows.append(["chipmcp − bare", rows[0][1] - rows[1][1], rows[0][2] - rows[1][2], rows[0][3] - rows[1][3]])
    print(f"cold start, {args.runs} runs each, ms from spawn")
    print(table(["server", "initialize p50", "first result p50", "first result p90"], rows))


if __name__ == "__main__":
    main()
