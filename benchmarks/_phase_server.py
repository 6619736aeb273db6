"""A server with a CPU timer on each phase of a tools/call, for bench_phases.py: `python _phase_server.py
chipmcp|noop OUT`. At exit it writes each phase's total CPU seconds and call count to OUT (JSON), counted
from the last SIGUSR1 (sent once the untimed first calls are answered).

The timers wrap the SDK's own methods (private names, so an SDK release may move them: this script then
fails on start, naming the one it missed) and chipmcp's. A phase run on the event loop is timed in process
CPU time, which also counts a worker thread's work while the loop awaits it (requests come one at a time,
so nothing else runs meanwhile); a phase inside the worker thread in that thread's CPU time.
"""

from __future__ import annotations

import atexit
import functools
import json
import runpy
import signal
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

totals: dict[str, float] = defaultdict(float)
counts: dict[str, int] = defaultdict(int)


def on_loop(owner: Any, attribute: str, phase: str) -> None:
    """Time the coroutine method `owner.attribute` as `phase`, in process CPU time."""
    original = owner.__dict__[attribute]

    @functools.wraps(original)
    async def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return await original(*args, **kwargs)
        finally:
            totals[phase] += time.process_time() - started
            counts[phase] += 1

    setattr(owner, attribute, timed)


def in_thread(owner: Any, attribute: str, phase: str) -> None:
    """Time the function `owner.attribute` (a module's, or a class's static or plain method) as `phase`, in
    the calling thread's CPU time."""
    found = owner.__dict__[attribute]
    original = found.__func__ if isinstance(found, staticmethod) else found

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            totals[phase] += time.thread_time() - started
            counts[phase] += 1

    setattr(owner, attribute, staticmethod(timed) if isinstance(found, staticmethod) else timed)


def main() -> None:
    which, out = sys.argv[1], Path(sys.argv[2])
    from mcp.server import runner
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.utilities.func_metadata import FuncMetadata
    from mcp.shared.jsonrpc_dispatcher import JSONRPCDispatcher

    on_loop(JSONRPCDispatcher, "_handle_request", "request")  # the handler, then the response to the transport
    on_loop(JSONRPCDispatcher, "_write_result", "response handed to the transport")
    handlers = [c for c in vars(runner).values() if isinstance(c, type) and "_on_request" in c.__dict__]
    if len(handlers) != 1:
        raise SystemExit(f"_phase_server: expected one class with _on_request in mcp.server.runner, found {handlers}")
    on_loop(handlers[0], "_on_request", "handler")  # params parsed, the method's handler, its result dumped
    on_loop(MCPServer, "call_tool", "SDK call_tool")  # arguments validated, the call, its result converted
    on_loop(FuncMetadata, "call_fn", "call_fn")  # the hop to a worker thread and the tool function there
    if which == "chipmcp":
        from chipmcp.serving import server

        on_loop(server.ChipMCPServer, "call_tool", "chipmcp call_tool")  # the answer cache's key, then the SDK's
        in_thread(server.AnswerCache, "run", "answer cache run")  # in the worker thread: key, miss, the tool, kept
        in_thread(server, "run_tool", "run_tool")  # the tool's work and its MCP result
        in_thread(server, "answer", "answer")  # the MCP result: the text block and the JSON dump

    def write() -> None:
        out.write_text(json.dumps({phase: [totals[phase], counts[phase]] for phase in totals}))

    def reset(*_: Any) -> None:  # SIGUSR1: the untimed first calls are done, count from here
        totals.clear()
        counts.clear()

    signal.signal(signal.SIGUSR1, reset)
    atexit.register(write)
    if which == "chipmcp":
        from chipmcp import cli

        sys.argv = ["chipmcp"]
        cli.run()
    else:
        runpy.run_path(str(Path(__file__).with_name("noop_server.py")), run_name="__main__")


if __name__ == "__main__":
    main()
