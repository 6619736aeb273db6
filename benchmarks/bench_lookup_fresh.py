"""lookup_chip in process on fresh questions: every chip and system asked once, in a new process each run.

Method: RUNS times, a fresh interpreter opens the real knowledge base, warms up on one entity outside the
timed set (imports, the name index, first cells), then asks lookup_chip once for every other chip and
system by its Chinese name — each a question the process has not seen, so no memo or answer cache holds
it — and times each call (the tool function plus its MCP result) in thread CPU time (time.thread_time:
what the scheduler gave others is left out). Reported: min, median and max over runs of each run's
median and p99, in ms.

A second pass then asks every entity again with another `limit` (a question the answer cache has not
seen, about an entity the per-knowledge-base memo already holds): what a call costs once every
per-entity result (figures, selected cells, derived metrics, TPP) is computed — the floor that computing
those results ahead of time (at build) could reach, left for the answer's assembly: paging, citations,
the text block and the JSON.

    python benchmarks/bench_lookup_fresh.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import numpy as np
from _harness import table

CHILD = r"""
import json, time
from chipmcp import tools
from chipmcp.kb.store import KnowledgeBase, ensure_database
from chipmcp.serving.server import answer
kb = KnowledgeBase(ensure_database())
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    medians, p99s = ([], []), ([], [])
    for _ in range(args.runs):
        passes = json.loads(subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True).stdout)
        for k, seconds in enumerate(passes):
            medians[k].append(float(np.median(np.array(seconds) * 1000)))
            p99s[k].append(float(np.percentile(np.array(seconds) * 1000, 99)))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"lookup_chip, fresh questions in process, {args.runs} runs × {len(passes[0])} entities, thread CPU ms (commit {commit})")
    rows = []
    for k, what in enumerate(["fresh", "entity held by the memo, new limit"]):
        rows.append([f"{what}: median", min(medians[k]), float(np.median(medians[k])), max(medians[k])])
        rows.append([f"{what}: p99", min(p99s[k]), float(np.median(p99s[k])), max(p99s[k])])
    print(table(["per run", "min", "median", "max"], rows))


if __name__ == "__main__":
    main()
