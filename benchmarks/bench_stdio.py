"""Round trip over stdio, per tool, fresh and repeated questions, against the no-op floor in the same run.

Method: spawn chipmcp (over the real knowledge base, already built) and a bare MCPServer with no-op tools
(benchmarks/noop_server.py); initialize both; warm each with one call of a question the timed part never
asks. Then ROUNDS rounds; each round times, for every tool, one FRESH question (benchmarks/questions.py:
arguments no earlier call of this process asked — the answer cache misses, the tool computes) and one
REPEATED question (the tool's README example: the answer cache serves it), each followed by one no-op
call, so drift on a shared machine hits both sides alike. The ratio is the tool's median over the
median of the no-op calls made beside it. `noop_10k` (a 10 kB answer with no work) shows the floor of
carrying an answer of chipmcp's size, and `noop_async` (an `async def`) the floor without the worker-thread
hop, which chipmcp no longer takes once its knowledge base is open. Reported per row: min, median and max of the per-call ms, and the
median ratio to the no-op.

`--before SRC` also spawns chipmcp from another checkout's code (its `src` folder first on PYTHONPATH, the
same database) and times it in the same rounds, each of its calls beside a no-op call too, the two servers
taking turns to go first: a change and the commit before it, side by side on one machine at one time.

    python benchmarks/bench_stdio.py [--rounds 150] [--before SRC]
"""

from __future__ import annotations

import argparse
import subprocess

import numpy as np
from _harness import chipmcp_server, noop_server, table, timed
from questions import repeated, usable

from chipmcp.kb.store import KnowledgeBase, ensure_database
from chipmcp.tools import BY_NAME


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=150)
    parser.add_argument("--before", help="another checkout's src folder, run beside this one")
    args = parser.parse_args()
    db = ensure_database()
    kb = KnowledgeBase(db)
    questions = {tool: usable(kb, tool, args.rounds + 1) for tool in BY_NAME}
    kb.close()
    servers = {"": chipmcp_server(db)}
    if args.before:
        servers = {", before": chipmcp_server(db, args.before), ", after": servers[""]}
    floor = noop_server()
    for chip in servers.values():
        chip.initialize()
    floor.initialize()
    for tool in BY_NAME:  # warm-up: the first fresh question of each tool, never timed (imports, first cells)
        for chip in servers.values():
            chip.call(tool, questions[tool][0])
            chip.call(tool, repeated(tool))
    floor.call("noop", {"name": "x"})
    floor.call("noop_10k", {"name": "x"})
    floor.call("noop_async", {"name": "x"})
    rows_of: dict[str, list[float]] = {}
    floor_of: dict[str, list[float]] = {}

    def pair(label: str, call) -> None:
        rows_of.setdefault(label, []).append(timed(call))
        floor_of.setdefault(label, []).append(timed(floor.call, "noop", {"name": "x"}))

    for n in range(1, args.rounds + 1):
        # With two servers, which goes first alternates by round: neither gains from its place in the round.
        order = list(servers.items()) if n % 2 else list(reversed(servers.items()))
        for tool in BY_NAME:
            for version, chip in order:
                pair(f"{tool} (fresh){version}", lambda t=tool, n=n, chip=chip: chip.call(t, questions[t][n]))
            for version, chip in order:
                pair(f"{tool} (repeated){version}", lambda t=tool, chip=chip: chip.call(t, repeated(t)))
        pair("noop_10k (no work, 10 kB)", lambda: floor.call("noop_10k", {"name": "x"}))
        pair("noop_async (no work, no worker thread)", lambda: floor.call("noop_async", {"name": "x"}))
    for chip in servers.values():
        chip.close()
    floor.close()
    rows = []
    for label, seconds in rows_of.items():
        values = np.asarray(seconds) * 1000
        beside = np.asarray(floor_of[label]) * 1000
        rows.append(
            [label, float(values.min()), float(np.median(values)), float(values.max()), float(np.median(values) / np.median(beside))]
        )
    every_floor = np.concatenate([np.asarray(v) for v in floor_of.values()]) * 1000
    rows.append(["no-op", float(every_floor.min()), float(np.median(every_floor)), float(every_floor.max()), 1.0])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    beside = f" beside {args.before}" if args.before else ""
    print(f"stdio round trip, {args.rounds} rounds, ms (commit {commit}{beside})")
    print(table(["call", "min", "median", "max", "median / no-op median"], rows))


if __name__ == "__main__":
    main()
