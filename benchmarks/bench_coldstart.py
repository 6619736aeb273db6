"""Cold start: spawn → initialize → first tool result, chipmcp vs a bare MCPServer with one no-op tool.

Method: the database already exists (as after the first run on a machine). Each of RUNS rounds spawns
chipmcp and the no-op server one after the other (alternating which goes first) and times, for each,
process start to the first tools/call result, and the CPU time the process used (spawn to exit). The two
runs of a round are a pair: the round's difference (chipmcp − bare) is taken run by run, so a slow moment
of the machine lands on both sides of one difference instead of on one side of a difference of medians.
Reported: min, median and max of each server's times and of the paired differences.

CPU to the first result: on Linux, the CPU time every thread of the process has used when the first result
arrives (each thread's /proc schedstat, in nanoseconds), read before the process exits. Unlike the wall clock
it leaves out the turns a busy machine gives other processes, and unlike the CPU to exit it leaves out the
exit (where a bare interpreter collects its garbage and chipmcp, its heap frozen, does not): the paired
difference of it is what chipmcp's start and first answer cost beyond the bare server's.

Bytecode: Python caches each module's compiled bytecode on its first import (and pip compiles a wheel's at
install), so every start after the first loads chipmcp's modules from bytecode. Where PYTHONDONTWRITEBYTECODE
is set (as on this project's machines) an editable checkout has none and compiles its ~50 modules from
source at every start, which the bare server (its code is the SDK's, installed with bytecode) never pays.
So by default both servers run with a private bytecode cache (PYTHONPYCACHEPREFIX in a temporary folder,
writing allowed) and one untimed round fills it first; `--source` times them as the environment is set.

`--baseline SRC` adds a third server to every round: chipmcp from another source tree (PYTHONPATH=SRC, e.g.
the main branch's src/, with its own database), paired with the same round's bare run: a before/after in
one run.

`--tool NAME` makes the first call that tool's README example (default lookup_chip). The server loads numpy
only once it has had no request in hand for a moment (neither a lookup nor a compare needs it), so a first
estimate_cluster or find_chips, which compute with it, also waits for its import: time those with `--tool` too.

    python benchmarks/bench_coldstart.py [--runs 20] [--source] [--baseline ../main/src] [--tool compare_chips]
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _harness import PYTHON, chipmcp_server, noop_server, table

from chipmcp.kb.store import ensure_database
from chipmcp.serving.server import EXAMPLE_CALLS as CALLS


def first_result(start_server, tool: str, arguments: dict) -> tuple[float, float, float, float]:
    """(seconds to the initialize reply, seconds to the first tool result, both from spawn; CPU seconds the
    process used in all, exit included; CPU seconds its threads had used at the first result, NaN where
    /proc does not tell)."""
    used = _children_cpu()
    started = time.perf_counter()
    server = start_server()
    server.initialize()
    initialized = time.perf_counter() - started
    server.call(tool, arguments)
    answered = time.perf_counter() - started
    at_result = _threads_cpu(server.process.pid)
    server.close()
    return initialized, answered, _children_cpu() - used, at_result


def _threads_cpu(pid: int) -> float:
    """CPU seconds the live threads of process `pid` have used (Linux: the first field of each thread's
    schedstat, nanoseconds on the CPU); NaN elsewhere."""
    try:
        return sum(int(stat.read_text().split()[0]) for stat in Path(f"/proc/{pid}/task").glob("*/schedstat")) / 1e9 or math.nan
    except (OSError, ValueError, IndexError):
        return math.nan


def _children_cpu() -> float:
    """CPU seconds of every child process waited for so far: the difference around one server is its own."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def baseline_database(source: Path, env: dict[str, str]) -> Path:
    """The database the chipmcp of `source` opens (built by it if missing)."""
    script = "from chipmcp.kb.store import ensure_database; print(ensure_database())"
    found = subprocess.run(
        [PYTHON, "-c", script], env={**os.environ, **env, "PYTHONPATH": str(source)}, capture_output=True, text=True, check=True
    )
    return Path(found.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--source", action="store_true", help="no private bytecode cache: the environment's setting holds")
    parser.add_argument("--baseline", type=Path, help="also time chipmcp from this source tree (PYTHONPATH), e.g. main's src/")
    parser.add_argument("--tool", default="lookup_chip", choices=sorted(CALLS), help="the first call: this tool's README example")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chipmcp-bytecode-") as cache:
        env = {} if args.source else {"PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": cache}
        db = ensure_database()
        first = (args.tool, CALLS[args.tool])
        servers = {"chipmcp": (lambda: chipmcp_server(db, env=env), *first), "bare": (lambda: noop_server(env), "noop", {})}
        if args.baseline:
            base_env = {**env, "PYTHONPATH": str(args.baseline.resolve())}
            base_db = baseline_database(args.baseline.resolve(), base_env)
            servers["baseline"] = (lambda: chipmcp_server(base_db, env=base_env), *first)
        if not args.source:  # one untimed round writes every module's bytecode
            for start, tool, arguments in servers.values():
                first_result(start, tool, arguments)
        runs: dict[str, list[tuple[float, float, float, float]]] = {label: [] for label in servers}
        order = list(servers)
        for n in range(args.runs):
            for label in order[n % len(order) :] + order[: n % len(order)]:  # each server leads in turn
                start, tool, arguments = servers[label]
                runs[label].append(first_result(start, tool, arguments))
    times = {label: np.array(values) * 1000 for label, values in runs.items()}
    spread = lambda values: [float(values.min()), float(np.median(values)), float(values.max())]  # noqa: E731
    chipmcps = [label for label in servers if label != "bare"]
    rows = [[f"{label}: initialize", *spread(times[label][:, 0])] for label in [*chipmcps, "bare"]]
    rows += [[f"{label}: first result", *spread(times[label][:, 1])] for label in [*chipmcps, "bare"]]
    bare = times["bare"][:, 1]
    rows += [[f"paired difference, {label} − bare: first result", *spread(times[label][:, 1] - bare)] for label in chipmcps]
    # CPU time is what a busy machine inflates least: the wall clock also counts others' turns on the cores.
    rows += [[f"{label}: CPU, spawn to exit", *spread(times[label][:, 2])] for label in [*chipmcps, "bare"]]
    rows += [[f"paired difference, {label} − bare: CPU", *spread(times[label][:, 2] - times["bare"][:, 2])] for label in chipmcps]
    rows += [[f"{label}: CPU to the first result", *spread(times[label][:, 3])] for label in [*chipmcps, "bare"]]
    rows += [
        [f"paired difference, {label} − bare: CPU to the first result", *spread(times[label][:, 3] - times["bare"][:, 3])]
        for label in chipmcps
    ]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    how = "from source (no bytecode cache)" if args.source else "with bytecode cached"
    baseline = f"; baseline = chipmcp from {args.baseline}" if args.baseline else ""
    print(
        f"cold start, {args.runs} paired runs, {how}, first call {args.tool}, ms from spawn (commit {commit}{baseline}; "
        f"python {sys.version.split()[0]})"
    )
    print(table(["what", "min", "median", "max"], rows))


if __name__ == "__main__":
    main()
