"""Tool latency in process: the tool function plus turning its answer into the MCP result, no transport.

Method: open the real knowledge base (built once), warm each tool, then time ROUNDS calls of each tool
with the arguments of _harness.CALLS. `lookup_chip (every chip)` cycles through all chips and systems
by display name, so it measures lookups of many entities, not one answer over and over.
`industry_figures (every topic)` cycles through every market, group and model with figures, by name,
plus the metric-only views; each of its calls is followed by one call of a trivial floor (a tiny
pydantic answer turned into an MCP result), so both see the same load on a shared machine and the
floor's p99 shows how much of a p99 is the machine rather than the tool; their rows also give the
thread's CPU time per call (time.thread_time), which leaves out the time the scheduler ran others.

    python benchmarks/bench_inprocess.py [--rounds 2000]
"""

from __future__ import annotations

import argparse

from _harness import ms, table, timed, timed_cpu

from chipmcp import tools
from chipmcp.kb.store import KnowledgeBase, ensure_database
from chipmcp.serving.server import EXAMPLE_CALLS as CALLS
from chipmcp.serving.server import answer


def run(kb: KnowledgeBase, tool: str, arguments: dict) -> None:
    declared = tools.BY_NAME[tool]
    answer(declared, declared.call(kb, **arguments))


_FLOOR = tools.BY_NAME["xinchuang_certified"]


def _floor() -> None:
    answer(
        _FLOOR,
        _FLOOR.answer.model_construct(
            query=None,
            scope="all",
            certified=None,
            match_type="all",
            match=None,
            entries=[],
            announcement=None,
            sources=[],
            summary="floor",
        ),
    )


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
    topics = [e["name_zh"] for e in kb.entities.values() if e["entity_kind"] in ("market", "workload") and kb.figures(e["id"])]
    topics += ["capex", "market share", "IDC 2025 China AI-card shipment shares", "BAT capex", "DeepSeek-V3"]
    for topic in topics:
        run(kb, "industry_figures", {"topic": topic})
    measured, floor = [], []
    for i in range(args.rounds):
        measured.append(timed_cpu(run, kb, "industry_figures", {"topic": topics[i % len(topics)]}))
        floor.append(timed_cpu(_floor))
    for label, samples in (
        (f"industry_figures (every topic, {len(topics)} in turn)", measured),
        ("floor: trivial answer, interleaved with the row above", floor),
    ):
        wall, cpu = ms([w for w, _ in samples]), ms([c for _, c in samples])
        rows.append([label, wall["p50"], wall["p99"], wall["mean"]])
        rows.append([f"{label} — thread CPU time", cpu["p50"], cpu["p99"], cpu["mean"]])
    print(f"in-process tool latency, {args.rounds} calls each, ms")
    print(table(["tool", "p50 ms", "p99 ms", "mean ms"], rows))


if __name__ == "__main__":
    main()
