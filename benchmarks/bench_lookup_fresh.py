"""lookup_chip in process on fresh questions: every chip and system asked once, in a new process each run.

Method: RUNS times, a fresh interpreter opens the real knowledge base, loads what a server loads before its
first question (its warm-up: the name index, OpenCC, numpy, the answer models; the heap frozen), warms up on
one entity outside the timed set (the tool's first cells), then asks lookup_chip once for every other chip and
system by its Chinese name — each a question the process has not seen, so no memo or answer cache holds
it — and times each call (the tool function plus its MCP result) in thread CPU time (time.thread_time:
what the scheduler gave others is left out). Reported: min, median and max over runs of each run's
median and p99, in ms.

A second pass then asks every entity again with another `limit` (a question the answer cache has not
seen, about an entity the per-knowledge-base memo already holds): what a call costs once every
per-entity result (figures, selected cells, derived metrics, TPP, and the default answer without
its match and page, its summary entries cited and sized) is computed — the floor that computing those
results ahead of time (at build) could reach, left for the answer's assembly: the copy handed out, the cut
of the page at its budget, the text block and the JSON.

`--before SRC` runs another checkout's code (its `src` folder, put first on PYTHONPATH) in the same runs,
alternating with this one (each going first in every other run), and prints both.

    python benchmarks/bench_lookup_fresh.py [--runs 5] [--before SRC]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import numpy as np
from _harness import table

CHILD = r"""
import json, time
from chipmcp import tools
from chipmcp.kb.store import KnowledgeBase, ensure_database
from chipmcp.serving import server
from chipmcp.serving.server import answer
kb = KnowledgeBase(ensure_database())
server._warm_up(lambda: kb)  # as a server before its first request: OpenCC is not loaded by a timed question
lookup = tools.BY_NAME["lookup_chip"]
names = [e["name_zh"] or e["name_en"] for i, e in sorted(kb.entities.items()) if e["entity_kind"] in ("chip", "system")]
answer(lookup, lookup.call(kb, name=names[0]))
def timed(**arguments):
    started = time.thread_time()
    answer(lookup, lookup.call(kb, **arguments))
    return time.thread_time() - started
fresh = [timed(name=name) for name in names[1:]]
assembly = [timed(name=name, limit=39) for name in names[1:]]
print(json.dumps([fresh, assembly]))
"""


def run_child(src: str | None) -> list[list[float]]:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return json.loads(subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True, env=env).stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", help="another checkout's src folder, run beside this one")
    args = parser.parse_args()
    versions = {"after": None} if not args.before else {"before": args.before, "after": None}
    medians: dict[tuple[str, int], list[float]] = {}
    p99s: dict[tuple[str, int], list[float]] = {}
    calls = 0
    for run in range(args.runs):
        # Each version goes first in every other run: on a shared machine the slot a process runs in shifts its
        # figures by as much as the change measured (the same code in both slots read 1.62 and 1.85 ms).
        for version, src in list(versions.items())[:: 1 if run % 2 == 0 else -1]:
            passes = run_child(src)
            calls = len(passes[0])
            for k, seconds in enumerate(passes):
                medians.setdefault((version, k), []).append(float(np.median(np.array(seconds) * 1000)))
                p99s.setdefault((version, k), []).append(float(np.percentile(np.array(seconds) * 1000, 99)))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    beside = f" beside {args.before}" if args.before else ""
    print(f"lookup_chip, fresh questions in process, {args.runs} runs × {calls} entities, thread CPU ms (commit {commit}{beside})")
    rows = []
    for k, what in enumerate(["fresh", "entity held by the memo, new limit"]):
        for version in versions:
            label = f"{what}" + (f", {version}" if args.before else "")
            for stat, values in (("median", medians[version, k]), ("p99", p99s[version, k])):
                rows.append([f"{label}: {stat}", min(values), float(np.median(values)), max(values)])
    print(table(["per run", "min", "median", "max"], rows))


if __name__ == "__main__":
    main()
