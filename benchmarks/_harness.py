"""Shared by the benchmark scripts: a raw JSON-RPC stdio client, timing, percentiles, the report table.

The raw client writes one request line and reads the reply line: no schema validation on the client
side, so what is timed is the server and the pipe, for chipmcp and the no-op floor alike.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


class StdioServer:
    """A server subprocess spoken to line by line over its stdin/stdout."""

    def __init__(self, command: list[str], env: dict[str, str] | None = None) -> None:
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})}
        )
        self.next_id = 0

    def request(self, method: str, params: dict | None = None) -> dict:
        self.next_id += 1
        message = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            message["params"] = params
        self.process.stdin.write(json.dumps(message).encode() + b"\n")  # type: ignore[union-attr]
        self.process.stdin.flush()  # type: ignore[union-attr]
        while True:
            line = self.process.stdout.readline()  # type: ignore[union-attr]
            if not line:
                raise RuntimeError(f"server closed its output while answering {method}")
            reply = json.loads(line)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def initialize(self) -> dict:
        result = self.request(
            "initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}
        )
        self.process.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')  # type: ignore[union-attr]
        self.process.stdin.flush()  # type: ignore[union-attr]
        return result

    def call(self, tool: str, arguments: dict) -> dict:
        result = self.request("tools/call", {"name": tool, "arguments": arguments})
        if result.get("isError"):
            raise RuntimeError(f"{tool} {arguments}: {result['content'][0]['text']}")
        return result

    def close(self) -> None:
        self.process.stdin.close()  # type: ignore[union-attr]
        self.process.wait(timeout=10)


def chipmcp_server(db: Path, src: str | None = None, env: dict[str, str] | None = None) -> StdioServer:
    """chipmcp over `db`; given `src` (another checkout's src folder), that code instead of this one's; `env`
    adds to the environment (bench_coldstart's bytecode cache)."""
    added = {"CHIPMCP_DB": str(db), **(env or {})}
    if src:
        added["PYTHONPATH"] = src + os.pathsep + os.environ.get("PYTHONPATH", "")
    return StdioServer([PYTHON, "-m", "chipmcp"], added)


def noop_server(env: dict[str, str] | None = None) -> StdioServer:
    return StdioServer([PYTHON, str(ROOT / "benchmarks" / "noop_server.py")], env)


def timed(fn, *args, **kwargs) -> float:
    started = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - started


def timed_cpu(fn, *args, **kwargs) -> tuple[float, float]:
    """(wall, CPU time of this thread) of one call: on a shared machine the wall clock also counts the time
    the scheduler gave the cores to others; the thread's CPU time does not."""
    wall, cpu = time.perf_counter(), time.thread_time()
    fn(*args, **kwargs)
    return time.perf_counter() - wall, time.thread_time() - cpu


def ms(seconds: list[float] | np.ndarray) -> dict[str, float]:
    values = np.asarray(seconds) * 1000
    p50, p99 = np.percentile(values, [50, 99])
    return {"p50": float(p50), "p99": float(p99), "mean": float(values.mean()), "n": int(values.size)}


def table(header: list[str], rows: list[list[object]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def _cell(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)
