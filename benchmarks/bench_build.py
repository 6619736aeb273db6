"""Build of the shipped knowledge: `chipmcp build` as a user runs it, wall and CPU time, optionally beside a
baseline source tree in the same rounds, and whether both write the same database.

Method: each round runs `python -m chipmcp build --out FILE` as a fresh process (imports included, as a
user's first start pays them), alternating with the baseline when one is given (`--baseline SRC`: chipmcp
from that source tree via PYTHONPATH, e.g. the main branch's src/). Wall time from spawn to exit; CPU time
(user + system) from the process's resource usage, which a busy machine inflates less than the wall.
Both builders' bytecode is cached first (as after any first run; see bench_coldstart.py). With a baseline,
the two databases are then dumped (sqlite3 iterdump: schema and every row, in rowid order) and compared;
only meta.fingerprint may differ (it names the builder's code).

    python benchmarks/bench_build.py [--runs 5] [--baseline ../main/src]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from _harness import PYTHON, table


def build_once(out: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one `chipmcp build --out out` process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [PYTHON, "-m", "chipmcp", "build", "--out", str(out)], env={**os.environ, **env}, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"chipmcp build failed ({process.returncode}) with {env}")
    return wall, usage.ru_utime + usage.ru_stime


def dump(path: Path) -> list[str]:
    """Schema and rows, in rowid order, less the fingerprint row (it names the code that built the file)."""
    connection = sqlite3.connect(path)
    try:
        return [line for line in connection.iterdump() if not line.startswith("INSERT INTO \"meta\" VALUES('fingerprint'")]
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="also build with chipmcp from this source tree (PYTHONPATH)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chipmcp-bench-build-") as folder:
        cache = Path(folder) / "bytecode"
        env = {"PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": str(cache)}
        builders = {"chipmcp": env}
        if args.baseline:
            builders["baseline"] = {**env, "PYTHONPATH": str(args.baseline.resolve())}
        outputs = {label: Path(folder) / f"{label}.db" for label in builders}
        for label, builder_env in builders.items():  # untimed: writes the bytecode
            build_once(outputs[label], builder_env)
        times: dict[str, list[tuple[float, float]]] = {label: [] for label in builders}
        order = list(builders)
        for n in range(args.runs):
            for label in order[n % len(order) :] + order[: n % len(order)]:
                times[label].append(build_once(outputs[label], builders[label]))
        same = dump(outputs["chipmcp"]) == dump(outputs["baseline"]) if args.baseline else None
        lines = len(dump(outputs["chipmcp"]))
    rows = []
    for label, values in times.items():
        wall, cpu = np.array(values).T * 1000
        rows.append([f"{label}: wall", float(wall.min()), float(np.median(wall)), float(wall.max())])
        rows.append([f"{label}: CPU", float(cpu.min()), float(np.median(cpu)), float(cpu.max())])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    baseline = f"; baseline = chipmcp from {args.baseline}" if args.baseline else ""
    print(f"chipmcp build, {args.runs} runs each, ms (commit {commit}{baseline})")
    print(table(["what", "min", "median", "max"], rows))
    if same is not None:
        print(f"databases: {'identical' if same else 'DIFFERENT'} ({lines} dump lines, meta.fingerprint aside)")


if __name__ == "__main__":
    main()
