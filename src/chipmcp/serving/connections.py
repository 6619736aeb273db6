"""uvicorn's H11 protocol with what it lacks against idle and slow peers.

uvicorn times out a connection only between requests (keep-alive): one that never sends, or sends its
headers or body a byte at a time, is held forever, and enough of them exhaust the file descriptors.
Here each request must arrive whole within `request_timeout` of its first byte (or of the connection
opening), and past `max_connections` the longest-idle connection (no request in flight) makes room
for the new one; when every connection is busy the new one is refused with 503."""

from __future__ import annotations

import asyncio
import functools
import logging
import resource
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from chipmcp.serving.http import BACKLOG, HttpSettings

__all__ = ["GuardedH11Protocol", "connection_cap"]

log = logging.getLogger("chipmcp.serving.http")

# Descriptors kept for everything that is not a client connection (the listening socket, the database,
# logs, worker pipes) and for one burst of accepts.
RESERVED_DESCRIPTORS = 64 + BACKLOG
BUSY = (b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\nconnection: close\r\n"
        b"content-length: 20\r\n\r\nToo many connections")


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
        self.deadline: asyncio.TimerHandle | None = None
        self.last_active = 0.0

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)
        self.last_active = self.loop.time()
        if len(self.connections) > self.max_connections and not self._make_room():
            transport.write(BUSY)
            transport.close()
            return
        self._arm()

    def _make_room(self) -> bool:
        """Close the longest-idle other connection; False when every one has a request in flight."""
        idle = [c for c in self.connections if c is not self and isinstance(c, GuardedH11Protocol) and c.idle]
        if not idle:
            return False
        oldest = min(idle, key=lambda c: c.last_active)
        oldest.transport.close()
        self.connections.discard(oldest)
        return True

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
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
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
