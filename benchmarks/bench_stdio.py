"""Round trip over stdio, per tool, against the no-op floor — both servers up at once, calls interleaved.

Method: spawn chipmcp (over the real knowledge base, already built) and a bare MCPServer with one
no-op tool; initialize both; warm each tool once; then ROUNDS rounds, each timing one call of every
chipmcp tool and one no-op call, so drift on a shared machine hits both sides alike. Reported: p50,
p99 and the ratio of p50 to the no-op p50.

chipmcp keeps answers per arguments (its knowledge cannot change while it runs), so a repeated call
costs the protocol alone. The "first ask" rows defeat that: each call names a chip (cycling through
all of them) with a different amount of trailing space — the same question to the tools, a new key to
the cache — so every one of them is computed.

    python benchmarks/bench_stdio.py [--rounds 300]
"""

from __future__ import annotations

import argparse

from _harness import chipmcp_server, ms, noop_server, table, timed

from chipmcp.kb.store import KnowledgeBase, ensure_database
from chipmcp.serving.server import EXAMPLE_CALLS as CALLS


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    db = ensure_database()
    chip, floor = chipmcp_server(db), noop_server()
    chip.initialize()
    floor.initialize()
    for tool, arguments in CALLS.items():
        chip.call(tool, arguments)
    floor.call("noop", {"name": "x"})
    names = sorted(e["name_zh"] for e in KnowledgeBase(db).entities.values() if e["entity_kind"] == "chip")
    first_ask = {"lookup_chip (first ask)": lambda n: ("lookup_chip", {"name": names[n % len(names)] + " " * (n % 97 + 1)}),
                 "compare_chips (first ask)": lambda n: ("compare_chips", {"names": [
                     names[n % len(names)] + " " * (n % 97 + 1), names[(n + 1) % len(names)], names[(n + 2) % len(names)]]})}
    times: dict[str, list[float]] = {tool: [] for tool in [*CALLS, *first_ask, "noop"]}
    for n in range(args.rounds):
        for tool, arguments in CALLS.items():
            times[tool].append(timed(chip.call, tool, arguments))
            times["noop"].append(timed(floor.call, "noop", {"name": "x"}))
        for label, make in first_ask.items():
            tool, arguments = make(n)
            times[label].append(timed(chip.call, tool, arguments))
            times["noop"].append(timed(floor.call, "noop", {"name": "x"}))
    chip.close()
    floor.close()
    base = ms(times["noop"])
    rows = []
    for tool in [*CALLS, *first_ask]:
        stats = ms(times[tool])
        rows.append([tool, stats["p50"], stats["p99"], stats["p50"] / base["p50"]])
    rows.append(["no-op floor", base["p50"], base["p99"], 1.0])
    print(f"stdio round trip, {args.rounds} rounds, ms")
    print(table(["tool", "p50 ms", "p99 ms", "p50 / no-op p50"], rows))


if __name__ == "__main__":
    main()
