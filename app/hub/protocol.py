"""The hub's HTTP/1.1 connections: uvicorn's h11 protocol with a header deadline and a
connection limit that keeps the hub answering genuine requests during a slow attack.

uvicorn times out idle keep-alive connections but not a client that sends its headers
one byte at a time; and its ``limit_concurrency`` answers 503 to *every* new request
once the limit is reached, so a few hundred slow connections would shut genuine
communes out. Here:

- a connection must finish its request headers within ``header_timeout`` seconds
  (from the moment it opened, or from the end of its previous answer), else it is
  closed;
- past ``max_connections`` open connections, the oldest connection that is *not*
  in the middle of a request (still sending headers, or idle between requests) is
  closed to make room; only when every connection is busy is the new one refused.

Bodies have their own deadlines, enforced by the app while it reads them
(:func:`app.hub.server._receive`).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_S = 10.0
MAX_CONNECTIONS = 200


class GuardedH11Protocol(H11Protocol):
    header_timeout: float = HEADER_TIMEOUT_S
    max_connections: int = MAX_CONNECTIONS

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self.opened_at = time.monotonic()
        self._header_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm_header_timer()
        if len(self.connections) > self.max_connections:
            self._make_room()

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_overdue)

    def _headers_overdue(self) -> None:
        self._header_timer = None
        if self._between_requests() and not self.transport.is_closing():
            self.transport.close()

    def _make_room(self) -> None:
        idle = [
            c
            for c in self.connections
            if isinstance(c, GuardedH11Protocol)
            and c is not self
            and c._between_requests()
            and not c.transport.is_closing()
        ]
        victim = min(idle, key=lambda c: c.opened_at) if idle else self
        victim.transport.close()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        super().connection_lost(exc)


def guarded_protocol(header_timeout: float, max_connections: int) -> type[Any]:
    """The protocol class with these limits (uvicorn takes a class for ``http``)."""
    return type(
        "HubH11Protocol",
        (GuardedH11Protocol,),
        {"header_timeout": header_timeout, "max_connections": max_connections},
    )
