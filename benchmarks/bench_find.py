"""find_chips latency, two versions of chipmcp side by side on one knowledge base, alternating.

Method: ROUNDS rounds; in each, one worker process per version (`--before <src folder>` is put first on
PYTHONPATH, the installed chipmcp is "after") opens the same database, makes one call of each shape (it
builds what later calls reuse), then times CALLS calls of each shape through the tool function plus the
MCP result, each call with a new threshold so no two ask the same question. The versions alternate
round by round, so the machine's drift falls on both alike; percentiles are over every round's calls.
Shapes (two filters and a sort each): domestic + memory_gb ≥ v by compute_tflops; certified + tdp_w ≤ v
by tflops_per_w; kind NPU + memory_bandwidth_gbs ≥ v by tflops_per_w at int8.

    python benchmarks/bench_find.py --db <file.db> --before <checkout of main>/src [--rounds 6] [--calls 60]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

SHAPES = {
    "domestic + memory_gb ≥ v, by compute_tflops": (
        {"domestic": True, "sort_by": "compute_tflops"},
        "memory_gb",
        ">=",
        [16, 24, 32, 48, 64, 80, 96],
    ),
    "certified + tdp_w ≤ v, by tflops_per_w": (
        {"certified": True, "sort_by": "tflops_per_w"},
        "tdp_w",
        "<=",
        [150, 300, 400, 550, 700],
    ),
    "kind NPU + bandwidth ≥ v, by tflops_per_w at int8": (
        {"kind": "NPU", "sort_by": "tflops_per_w", "precision": "int8"},
        "memory_bandwidth_gbs",
        ">=",
        [400, 800, 1200, 1600, 3200],
    ),
}


def worker(db: str, calls: int, seed: int) -> dict[str, list[float]]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _harness import timed

    from chipmcp import tools
    from chipmcp.kb.store import KnowledgeBase
    from chipmcp.serving.server import answer

    kb = KnowledgeBase(Path(db))
    find = tools.BY_NAME["find_chips"]
    rng = random.Random(seed)
    out: dict[str, list[float]] = {}
    for name, (fixed, metric, op, thresholds) in SHAPES.items():

        def call(v: float, fixed=fixed, metric=metric, op=op) -> None:
            answer(find, tools.BY_NAME["find_chips"].call(kb, **fixed, where=[{"metric": metric, "op": op, "value": v}]))

        first = timed(call, rng.choice(thresholds) + rng.random())
        out[name] = [first] + [timed(call, rng.choice(thresholds) + rng.random()) for _ in range(calls)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--before", required=True, help="src folder of the version to compare with")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        print(json.dumps(worker(args.db, args.calls, args.worker)))
        return
    from _harness import ms, table

    versions = {"before": {"PYTHONPATH": args.before}, "after": {}}
    results: dict[str, dict[str, list[float]]] = {v: {} for v in versions}
    firsts: dict[str, dict[str, list[float]]] = {v: {} for v in versions}
    for round_ in range(args.rounds):
        for version in list(versions) if round_ % 2 == 0 else list(versions)[::-1]:
            env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | versions[version]
            run = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--db",
                    args.db,
                    "--before",
                    args.before,
                    "--calls",
                    str(args.calls),
                    "--worker",
                    str(round_),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=True,
                timeout=3600,
            )
            for shape, seconds in json.loads(run.stdout).items():
                firsts[version].setdefault(shape, []).append(seconds[0])
                results[version].setdefault(shape, []).extend(seconds[1:])
    rows = []
    for shape in SHAPES:
        before, after = ms(results["before"][shape]), ms(results["after"][shape])
        first_before, first_after = ms(firsts["before"][shape]), ms(firsts["after"][shape])
        rows.append(
            [
                shape,
                first_before["p50"],
                first_after["p50"],
                before["p50"],
                after["p50"],
                before["p50"] / after["p50"],
                before["p99"],
                after["p99"],
                before["p99"] / after["p99"],
            ]
        )
    print(f"find_chips, {args.rounds} alternating rounds × {args.calls} calls per shape and version, ms")
    print(
        table(
            [
                "shape",
                "first call before",
                "first call after",
                "p50 before",
                "p50 after",
                "p50 ratio",
                "p99 before",
                "p99 after",
                "p99 ratio",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
