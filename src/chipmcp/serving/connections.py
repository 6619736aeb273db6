"""uvicorn's H11 protocol with what it lacks against idle and slow peers and at shutdown.

From uvicorn, as configured in chipmcp.serving.http: the HTTP/1.1 parsing (h11), the keep-alive timeout
between requests, the header-size cap, the `limit_concurrency` backstop, stopping the listener and
waiting for connections at shutdown.

Hand-written here, because neither uvicorn, Starlette nor the SDK offers it:
- a deadline per request: uvicorn times a connection out only between requests, so one that never sends,
  or sends its headers or body a byte at a time, is held forever; here each request must arrive whole
  within `request_timeout` of its first byte (or of the connection opening), else 408;
- a connection cap that makes room: past `max_connections` the longest-idle connection is closed for
  the new one, else the one whose request has been arriving longest (without a token, one peer could
  otherwise hold every slot with slow bodies, renewed every `request_timeout`); only when every one has
  a whole request being answered is the new one refused with 503 (uvicorn's `limit_concurrency` answers
  503 to requests, but idle and slow connections still hold their descriptors);
- an optional cap per peer address (`per_peer_cap`, e.g. for remote clients on a --no-auth bind);
- shutdown that loses no request: uvicorn closes an idle keep-alive connection at once (resetting a
  request already in the socket buffer) and answers the request in progress without `Connection: close`
  (so the client writes its next request into a closing socket)."""

from __future__ import annotations

import asyncio
import functools
import logging
import resource
from typing import Any, cast

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from chipmcp.serving.http import BACKLOG, HttpSettings

__all__ = ["GuardedH11Protocol", "connection_cap"]

log = logging.getLogger("chipmcp.serving.http")

# Descriptors kept for everything that is not a client connection (the listening socket, the database,
# logs, worker pipes) and for one burst of accepts.
RESERVED_DESCRIPTORS = 64 + BACKLOG
# How long an idle connection stays open at shutdown for a request already on its way: far longer than a
# request takes from a client's write to our read on a live connection, short enough not to delay the exit.
SHUTDOWN_GRACE = 0.5
CLOSE = (b"connection", b"close")
BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\nconnection: close\r\n"
    b"content-length: 20\r\n\r\nToo many connections"
)
BUSY_PEER = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\nconnection: close\r\n"
    b"content-length: 38\r\n\r\nToo many connections from your address"
)


@functools.cache
def _settings() -> HttpSettings:
    return HttpSettings.from_env()


def connection_cap(wanted: int) -> int:
    """At most `wanted`, and never so many that accepting one more could run out of descriptors."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - RESERVED_DESCRIPTORS))


class GuardedH11Protocol(H11Protocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = _settings()
        self.request_timeout = settings.request_timeout
        self.max_connections = connection_cap(settings.max_connections)
        self.max_per_peer = settings.per_peer_cap
        self.deadline: asyncio.TimerHandle | None = None
        self.last_active = 0.0
        self.arrival_started = 0.0
        self.shutting_down = False
        self.closing: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)
        self.last_active = self.loop.time()
        peer = self.client[0] if self.client else None
        mine = [c for c in self.connections if isinstance(c, GuardedH11Protocol) and c.client and c.client[0] == peer]
        if len(mine) > self.max_per_peer and not self._make_room(mine):
            transport.write(BUSY_PEER)
            transport.close()
            return
        if len(self.connections) > self.max_connections and not self._make_room(self.connections):
            transport.write(BUSY)
            transport.close()
            return
        self._arm()

    def _make_room(self, among: Any) -> bool:
        """Close one other connection `among` these: the longest-idle, else the one whose request has been
        arriving longest (a slow body must not hold its slot against a peer with a whole request to send);
        False when every one has a whole request being answered."""
        evictable = [c for c in among if c is not self and isinstance(c, GuardedH11Protocol) and c.evictable]
        if not evictable:
            return False
        oldest = min(evictable, key=lambda c: (c.arriving, c.arrival_started if c.arriving else c.last_active))
        oldest.transport.close()
        self.connections.discard(oldest)
        return True

    @property
    def arriving(self) -> bool:
        """A request (or the first one) is still on its way in: the request deadline is running."""
        return self.deadline is not None

    @property
    def evictable(self) -> bool:
        """Closing it loses no request the server has whole: idle, or its body has not all arrived."""
        return self.idle or self.conn.their_state is h11.SEND_BODY

    @property
    def idle(self) -> bool:
        """No request being answered: nothing is lost by closing it."""
        return self.cycle is None or self.cycle.response_complete

    def data_received(self, data: bytes) -> None:
        self.last_active = self.loop.time()
        super().data_received(data)
        if self.conn.their_state is h11.DONE:  # the whole request is in: the app has it now
            self._disarm()
        elif self.deadline is None:
            self._arm()

    def on_response_complete(self) -> None:
        self.last_active = self.loop.time()
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self.closing is not None:
            self.closing.cancel()
        super().connection_lost(exc)

    def shutdown(self) -> None:
        """Graceful shutdown that loses no request the peer has written. uvicorn closes an idle keep-alive
        connection at once, resetting a request still in the socket buffer, and answers the one in progress
        without `Connection: close`, so the client writes its next request into a closing socket. Here an
        idle connection stays open for `SHUTDOWN_GRACE` to read what is on its way, and every answer given
        during shutdown says `Connection: close`."""
        self.shutting_down = True
        if self.idle:
            self._unset_keepalive_if_required()
            self.closing = self.loop.call_later(SHUTDOWN_GRACE, self._close_if_idle)
        else:
            self._last_answer()

    def _close_if_idle(self) -> None:
        self.closing = None
        if self.idle and self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            super().shutdown()
        # a request half-arrived is read to its end (or cut off by the request deadline) and answered

    def _last_answer(self) -> None:
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            return
        cycle.keep_alive = False
        # uvicorn adds `Connection: close` to an answer only when the request carried it; the scope's header
        # list is the one it checks when the response starts.
        headers = cast(list[tuple[bytes, bytes]], cycle.scope["headers"])  # uvicorn's h11 protocol builds a list
        if not cycle.response_started and CLOSE not in headers:
            headers.append(CLOSE)

    def handle_events(self) -> None:
        super().handle_events()
        if self.shutting_down:
            self._last_answer()

    def _arm(self) -> None:
        self._disarm()
        self.arrival_started = self.loop.time()
        self.deadline = self.loop.call_later(self.request_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def _too_slow(self) -> None:
        self.deadline = None
        if self.transport.is_closing() or self.conn.their_state is h11.DONE:
            return
        if self.cycle is None or self.cycle.response_complete:
            self.transport.write(b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n")
        self.transport.close()
