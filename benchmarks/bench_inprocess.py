"""Tool latency in process: the tool function plus turning its answer into the MCP result, no transport.

Method: open the real knowledge base (built once), warm each tool, then time ROUNDS calls of each tool
with the arguments of _harness.CALLS. `lookup_chip (every chip)` cycles through all chips and systems
by display name, so it measures lookups of many entities, not one answer over and over.

    python benchmarks/bench_inprocess.py [--rounds 2000]
"""

from __future__ import annotations

import argparse

from _harness import ms, table, timed

from chipmcp import tools
from chipmcp.kb import KnowledgeBase, ensure_database
from chipmcp.server import EXAMPLE_CALLS as CALLS
from chipmcp.server import answer


def run(kb: KnowledgeBase, tool: str, arguments: dict) -> None:
    answer(getattr(tools, tool)(kb, **_positional(tool, arguments)))


def _positional(tool: str, arguments: dict) -> dict:
    return {"names": arguments["names"]} if tool == "compare_chips" else arguments


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    kb = KnowledgeBase(ensure_database())
    for tool, arguments in CALLS.items():
        run(kb, tool, arguments)
    rows = []
    for tool, arguments in CALLS.items():
        stats = ms([timed(run, kb, tool, arguments) for _ in range(args.rounds)])
        rows.append([tool, stats["p50"], stats["p99"], stats["mean"]])
    names = [e["name_en"] for e in kb.entities.values() if e["entity_kind"] in ("chip", "system")]
    cycle = [names[i % len(names)] for i in range(args.rounds)]
    stats = ms([timed(run, kb, "lookup_chip", {"name": name}) for name in cycle])
    rows.append([f"lookup_chip (every chip, {len(names)} names)", stats["p50"], stats["p99"], stats["mean"]])
    print(f"in-process tool latency, {args.rounds} calls each, ms")
    print(table(["tool", "p50 ms", "p99 ms", "mean ms"], rows))


if __name__ == "__main__":
    main()
