"""Start `chipmcp serve --http` as a subprocess on loopback, bounded in time, and always stop it."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}},
}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    host: str
    port: int
    stdout: Path
    stderr: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/mcp"


def wait_for_port(host: str, port: int, process: subprocess.Popen[bytes], stderr: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection((host, port), timeout=0.2).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"server did not start: {stderr.read_text()[-2000:]}") from None
            time.sleep(0.05)


@contextlib.contextmanager
def serve_http(
    db_path: Path,
    tmp_path: Path,
    *args: str,
    host: str = "127.0.0.1",
    env: dict[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> Iterator[Served]:
    port = free_port(host)
    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    full_env = {**os.environ, "CHIPMCP_DB": str(db_path), **(env or {})}
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "chipmcp", "serve", "--http", "--host", host, "--port", str(port), *args],
            env=full_env,
            stdout=stdout,
            stderr=stderr,
            preexec_fn=preexec_fn,
        )
    try:
        wait_for_port(host, port, process, err)
        yield Served(process, host, port, out, err)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
