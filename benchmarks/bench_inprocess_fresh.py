"""Every tool in process on fresh questions: each question new to the process, timed in a new process per run.

Method: the questions are made once, up front, in this process (benchmarks/questions.py: per tool, argument
sets no earlier call asked — another entity, count or threshold — that the tool answers). Then RUNS
times, for each tool, a new interpreter opens the real knowledge base, loads what the server loads at start
(its warm-up: numpy, the name index, OpenCC), answers the tool's first question untimed (the tool's own
imports and first models: a process's fixed costs) and then each of the next
CALLS questions once, timing each call (the tool function plus its MCP result: `serving.server.answer`)
in thread CPU time (time.thread_time: what the scheduler gave others is left out). Nothing is asked twice
in a process, so neither the answer cache (not in this path at all) nor the per-entity memo holds an
answer before its call; a question's entities may have come up in earlier questions (compare_chips' third
chip, estimate_cluster's chip at another count), as an analyst's would. Reported per tool: min, median and
max over runs of each run's median and p99, in ms.

`--before SRC` runs the same questions through another checkout's code (its `src` folder, put first on
PYTHONPATH) in the same run, alternating with this one per run and tool, and prints both side by side:
the way to compare a change with the commit before it on a shared machine.

`--gaps 0 3` also times each question after the process sat idle for that many milliseconds (a sleep
before each call), in the same runs: a served process waits for each request, and on this machine's
shared cores a call after a pause costs about twice the CPU of one asked back to back (BENCHMARKS.md).

    python benchmarks/bench_inprocess_fresh.py [--runs 5] [--calls 200] [--tools lookup_chip ...] [--before SRC] [--gaps 0 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from _harness import table
from questions import usable

from chipmcp.kb.store import KnowledgeBase, ensure_database

# The six tools issue 24 holds to the in-process goal first; the other two are timed as well.
TOOLS = (
    "lookup_chip",
    "compare_chips",
    "find_chips",
    "estimate_cluster",
    "vendor_financials",
    "export_control_check",
    "industry_figures",
    "xinchuang_certified",
)

CHILD = r"""
import json, sys, time
from chipmcp import tools
from chipmcp.kb.store import KnowledgeBase, ensure_database
from chipmcp.serving import server
from chipmcp.serving.server import answer
tool = tools.BY_NAME[sys.argv[1]]
questions = json.load(open(sys.argv[2], encoding="utf-8"))
kb = KnowledgeBase(ensure_database())
server._warm_up(lambda: kb)  # what a server loads at start, before its first request: numpy, the names, OpenCC
answer(tool, tool.call(kb, **questions[0]))
gap = float(sys.argv[3]) / 1000
out = []
for arguments in questions[1:]:
    if gap:
        time.sleep(gap)
    started = time.thread_time()
    answer(tool, tool.call(kb, **arguments))
    out.append(time.thread_time() - started)
print(json.dumps(out))
"""


def run_child(tool: str, questions: Path, src: str | None, gap_ms: float = 0.0) -> np.ndarray:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-c", CHILD, tool, str(questions), str(gap_ms)]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode:
        raise RuntimeError(f"{tool} ({src or 'this checkout'}): {done.stderr[-2000:]}")
    return np.array(json.loads(done.stdout)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200, help="timed questions per tool and run (fewer if the knowledge holds fewer)")
    parser.add_argument("--tools", nargs="*", default=list(TOOLS))
    parser.add_argument("--before", help="another checkout's src folder, run beside this one")
    parser.add_argument("--gaps", type=float, nargs="*", default=[0.0], help="idle milliseconds before each timed call, each timed")
    args = parser.parse_args()
    kb = KnowledgeBase(ensure_database())
    codes = {"after": None} if not args.before else {"before": args.before, "after": None}

    def label(code: str, gap: float) -> str:
        """The row's code and gap, each named only when the run has more than one."""
        return ", ".join([*([code] if args.before else []), *([f"gap {gap:g} ms"] if args.gaps != [0.0] else [])]) or code

    versions = {label(code, gap): (src, gap) for code, src in codes.items() for gap in args.gaps}
    stats: dict[tuple[str, str], dict[str, list[float]]] = {}
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for tool in args.tools:
            questions = usable(kb, tool, args.calls + 1)
            counts[tool] = len(questions) - 1
            files[tool] = Path(folder) / f"{tool}.json"
            files[tool].write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
        kb.close()
        for _ in range(args.runs):
            for tool in args.tools:
                for version, (src, gap) in versions.items():
                    ms = run_child(tool, files[tool], src, gap)
                    found = stats.setdefault((tool, version), {"median": [], "p99": []})
                    found["median"].append(float(np.median(ms)))
                    found["p99"].append(float(np.percentile(ms, 99)))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    beside = f" beside {args.before}" if args.before else ""
    print(f"fresh questions in process, {args.runs} runs, thread CPU ms per call (commit {commit}{beside})")
    rows = []
    for tool in args.tools:
        for version in versions:
            for what in ("median", "p99"):
                values = stats[tool, version][what]
                label = f"{tool} ({counts[tool]} questions)" + (f", {version}" if len(versions) > 1 else "")
                rows.append([label, what, min(values), float(np.median(values)), max(values)])
    print(table(["tool", "per run", "min", "median", "max"], rows))


if __name__ == "__main__":
    main()
