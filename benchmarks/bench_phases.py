"""Where a served fresh call's CPU goes, phase by phase, beside the no-op's: the split of the stdio round trip.

Method: per tool, chipmcp and the bare no-op server (noop_server.py) run as subprocesses through
`_phase_server.py`, which puts a CPU timer on each phase of a tools/call (the SDK's request dispatch and
handler, its call_tool, the hop to a worker thread; chipmcp's answer cache, the tool's work and its MCP
result). Both are initialized and given one untimed call (imports, first models) and a second for the
warm-up to finish; then the timers restart and CALLS fresh questions (questions.py) go to chipmcp, each
followed by a 10 kB no-op call to the no-op server, so drift hits both alike. Reported per tool, as a
mean over the calls in ms: the server's whole CPU per call (utime + stime from /proc, over the timed
calls) and its parts; "outside the request" is that whole less the timed request (reading and parsing the
line, writing the answer, the event loop). Means, not medians: the parts of a mean add up to its whole.

    python benchmarks/bench_phases.py [--calls 300] [--tools lookup_chip ...]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from _harness import PYTHON, ROOT, StdioServer, table
from questions import usable

from chipmcp.kb.store import KnowledgeBase, ensure_database
from chipmcp.tools import BY_NAME

PHASE_SERVER = str(ROOT / "benchmarks" / "_phase_server.py")

WHOLE = "server CPU per call (/proc)"
OUTSIDE = "outside the request (reading the line, writing the answer, the event loop)"
HOP = "the call itself (the no-op: a hop to a worker thread and back, its tool there)"
# (row, phase timed, phase inside it): each row is the first less the second, so the rows add up.
CHIPMCP_ROWS = [
    ("the tool's work", "run_tool", "answer"),
    ("its MCP result (text block, JSON dump)", "answer", None),
    ("answer cache in the thread (key, miss, keep)", "answer cache run", "run_tool"),
    (HOP, "call_fn", "answer cache run"),
    ("SDK call_tool (argument validation, result check)", "SDK call_tool", "call_fn"),
    ("chipmcp call_tool (cache key, lookup)", "chipmcp call_tool", "SDK call_tool"),
    ("request handler (params parsed, result dumped)", "handler", "chipmcp call_tool"),
    ("dispatch (response to the transport)", "request", "handler"),
]
NOOP_ROWS = [
    (HOP, "call_fn", None),
    ("SDK call_tool (argument validation, result check)", "SDK call_tool", "call_fn"),
    ("request handler (params parsed, result dumped)", "handler", "SDK call_tool"),
    ("dispatch (response to the transport)", "request", "handler"),
]


def cpu_seconds(server: StdioServer) -> float:
    with open(f"/proc/{server.process.pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def per_call(phases: dict[str, list[float]], rows: list[tuple[str, str, str | None]], calls: int) -> dict[str, float]:
    total = {phase: seconds * 1000 / calls for phase, (seconds, _) in phases.items()}
    return {label: total[outer] - (total[inner] if inner else 0.0) for label, outer, inner in rows}


def measure(tool: str, questions: list[dict], db: Path, folder: Path) -> dict[str, dict[str, float]]:
    out = {which: folder / f"{tool}-{which}.json" for which in ("chipmcp", "noop")}
    servers = {which: StdioServer([PYTHON, PHASE_SERVER, which, str(out[which])], {"CHIPMCP_DB": str(db)}) for which in out}
    first, *timed = questions
    noop_arguments = [{"name": f"x{i}"} for i in range(len(questions) + 2)]
    for which, server in servers.items():
        server.initialize()
        for _ in range(2):  # imports and first models, then once more after the warm-up had time to finish
            server.call(tool, first) if which == "chipmcp" else server.call("noop_10k", noop_arguments.pop())
            time.sleep(1.0)
    for server in servers.values():
        server.process.send_signal(signal.SIGUSR1)
    time.sleep(0.2)
    started = {which: cpu_seconds(server) for which, server in servers.items()}
    for index, arguments in enumerate(timed):
        servers["chipmcp"].call(tool, arguments)
        servers["noop"].call("noop_10k", noop_arguments[index])
    whole = {which: (cpu_seconds(server) - started[which]) * 1000 / len(timed) for which, server in servers.items()}
    for server in servers.values():
        server.close()
    result = {}
    for which, rows in (("chipmcp", CHIPMCP_ROWS), ("noop", NOOP_ROWS)):
        phases = json.loads(out[which].read_text())
        parts = per_call(phases, rows, len(timed))
        request = phases["request"][0] * 1000 / len(timed)
        result[which] = {WHOLE: whole[which], **parts, OUTSIDE: whole[which] - request}
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--tools", nargs="*", default=list(BY_NAME))
    args = parser.parse_args()
    db = ensure_database()
    kb = KnowledgeBase(db)
    questions = {tool: usable(kb, tool, args.calls + 1) for tool in args.tools}
    kb.close()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as folder:
        for tool in args.tools:
            found = measure(tool, questions[tool], db, Path(folder))
            print(f"\n{tool}: {len(questions[tool]) - 1} fresh questions, mean CPU ms per call (commit {commit})")
            ours, floor = found["chipmcp"], found["noop"]
            rows = [[label, value, floor.get(label, 0.0), value - floor.get(label, 0.0)] for label, value in ours.items()]
            print(table(["phase", "chipmcp", "no-op (10 kB)", "difference"], rows))


if __name__ == "__main__":
    main()
