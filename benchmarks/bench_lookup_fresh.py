"""lookup_chip in process on fresh questions: every chip and system asked once, in a new process each run.

Method: RUNS times, a fresh interpreter opens the real knowledge base, warms up on one entity outside the
timed set (imports, the name index, first cells), then asks lookup_chip once for every other chip and
system by its Chinese name — each a question the process has not seen, so no memo or answer cache holds
it — and times each call (the tool function plus its MCP result) in thread CPU time (time.thread_time:
what the scheduler gave others is left out). Reported: min, median and max over runs of each run's
median and p99, in ms.

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
out = []
for name in names[1:]:
    started = time.thread_time()
    answer(lookup, lookup.call(kb, name=name))
    out.append(time.thread_time() - started)
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    medians, p99s = [], []
    for _ in range(args.runs):
        seconds = (
            np.array(json.loads(subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True).stdout))
            * 1000
        )
        medians.append(float(np.median(seconds)))
        p99s.append(float(np.percentile(seconds, 99)))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"lookup_chip, fresh questions in process, {args.runs} runs × {len(seconds)} entities, thread CPU ms (commit {commit})")
    print(
        table(
            ["per run", "min", "median", "max"],
            [["median", min(medians), float(np.median(medians)), max(medians)], ["p99", min(p99s), float(np.median(p99s)), max(p99s)]],
        )
    )


if __name__ == "__main__":
    main()
