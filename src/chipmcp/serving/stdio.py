"""The stdio transport: every request read before end of input is answered before the server exits.

The SDK's stdio transport passes end of input straight to the session, whose dispatcher then cancels
the requests still in flight, so `printf '<initialize>\\n<initialized>\\n<tools/call>\\n' | chipmcp`
answered only the initialize. Here end of input is held back from the session until every request
passed on has been answered (or cancelled by the client), and lines the SDK would drop without a word
are answered with JSON-RPC errors (see chipmcp.serving.jsonrpc)."""

from __future__ import annotations

import logging
import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

import anyio
from anyio.streams.memory import MemoryObjectSendStream
from mcp.server import MCPServer
from mcp.shared.message import SessionMessage
from mcp_types import JSONRPCError, JSONRPCNotification, JSONRPCRequest, JSONRPCResponse

from chipmcp.serving import sdk
from chipmcp.serving.jsonrpc import Ignored, Rejected, parse_message

__all__ = ["serve_stdio"]

log = logging.getLogger("chipmcp.serving.stdio")

# How long answers still owed at end of input may take; tools answer in milliseconds, so only a wedged
# handler reaches it, and the process must still end.
DRAIN_SECONDS = 120.0


class _Owed:
    """Ids of requests passed to the session and not yet answered."""

    def __init__(self) -> None:
        self._ids: Counter[Any] = Counter()
        self._settled = anyio.Event()
        self._settled.set()

    def add(self, request_id: Any) -> None:
        self._ids[request_id] += 1
        if self._settled.is_set():
            self._settled = anyio.Event()

    def discharge(self, request_id: Any) -> None:
        if self._ids[request_id] > 0:
            self._ids[request_id] -= 1
        if self._ids[request_id] <= 0:
            del self._ids[request_id]
        if not self._ids:
            self._settled.set()

    def __len__(self) -> int:
        return self._ids.total()

    async def settled(self) -> None:
        await self._settled.wait()


@contextmanager
def _claimed_std_streams() -> Iterator[tuple[BinaryIO, BinaryIO]]:
    """The wire, on private duplicates of fd 0 and 1, while fd 0 reads /dev/null and fd 1 writes to stderr:
    a stray print or a child process cannot corrupt the JSON-RPC stream."""
    sys.stdout.flush()
    wire_in, wire_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    try:
        os.dup2(devnull, 0)
        os.dup2(2, 1)
    finally:
        os.close(devnull)
    reader, writer = os.fdopen(wire_in, "rb", closefd=False), os.fdopen(wire_out, "wb", closefd=False)
    try:
        yield reader, writer
    finally:
        sys.stdout.flush()
        os.dup2(wire_in, 0)
        os.dup2(wire_out, 1)
        os.close(wire_in)
        os.close(wire_out)


async def serve_stdio(server: MCPServer, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
    """Serve `server` over stdin/stdout (or the given binary streams) until end of input and the last answer."""
    if stdin is None or stdout is None:
        with _claimed_std_streams() as (wire_in, wire_out):
            await _serve(server, wire_in, wire_out)
    else:
        await _serve(server, stdin, stdout)


async def _serve(server: MCPServer, stdin: BinaryIO, stdout: BinaryIO) -> None:
    to_session, session_reads = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    session_writes, from_session = anyio.create_memory_object_stream[SessionMessage](0)
    owed = _Owed()
    lowlevel = sdk.lowlevel_server(server)
    log.info("serving MCP over stdio")
    async with anyio.create_task_group() as group:
        group.start_soon(_read, anyio.wrap_file(stdin), to_session, session_writes.clone(), owed)
        group.start_soon(_write, stdout, from_session, owed)
        await lowlevel.run(session_reads, session_writes, lowlevel.create_initialization_options())


async def _read(
    stdin: anyio.AsyncFile[bytes],
    to_session: MemoryObjectSendStream[SessionMessage | Exception],
    replies: MemoryObjectSendStream[SessionMessage],
    owed: _Owed,
) -> None:
    async with to_session, replies:
        async for line in stdin:
            if not line.strip():
                continue
            try:
                message = parse_message(line)
            except Rejected as rejected:
                await replies.send(SessionMessage(rejected.reply))
                continue
            except Ignored as ignored:
                log.debug("dropped a %s notification the schema does not allow", ignored)
                continue
            if isinstance(message, JSONRPCRequest):
                owed.add(message.id)
            elif isinstance(message, JSONRPCNotification) and message.method == "notifications/cancelled":
                owed.discharge((message.params or {}).get("requestId"))  # a cancelled request is never answered
            await to_session.send(SessionMessage(message))
        with anyio.move_on_after(DRAIN_SECONDS):
            await owed.settled()
        if len(owed):
            log.warning("end of input: %d requests still unanswered after %.0f s; exiting", len(owed), DRAIN_SECONDS)
        else:
            log.info("end of input: every request answered; exiting")


def _send(stdout: BinaryIO, line: bytes) -> None:
    stdout.write(line)
    stdout.flush()


async def _write(stdout: BinaryIO, from_session: Any, owed: _Owed) -> None:
    reader_gone = False
    async with from_session:
        async for session_message in from_session:
            message = session_message.message
            if not reader_gone:
                line = message.model_dump_json(by_alias=True, exclude_unset=True) + "\n"
                try:
                    # Written and flushed in one trip to a worker thread (a client that stops reading blocks
                    # that thread, not the event loop): each trip costs a served call ~0.25 ms of CPU.
                    await anyio.to_thread.run_sync(_send, stdout, line.encode("utf-8"))
                except OSError:  # the client closed our stdout; keep consuming so the session can finish
                    reader_gone = True
            if isinstance(message, JSONRPCResponse | JSONRPCError) and message.id is not None:
                owed.discharge(message.id)
