"""The wire: uvicorn with h11, and the two guards uvicorn lacks.

Why h11: it is the strict HTTP/1.1 parser (conflicting ``Content-Length`` headers,
``Content-Length`` beside ``Transfer-Encoding``, bare line feeds and bad header names are
refused with 400), and its framing means an unread body is never taken for the next request.

uvicorn has an idle (keep-alive) timeout and answers 503 past its concurrency limit, but it
waits for a request head for as long as a client dribbles bytes, and accepts any number of
connections. :class:`GuardedH11Protocol` adds a deadline for the request head (408, then
close) and closes connections past the cap at once (503).
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["GuardedH11Protocol", "uvicorn_config"]

_JOIN_BELOW = 64 * 1024  # pieces written in one send when together smaller than this


class _Coalesced:
    """A transport whose writes within one turn of the event loop leave in one send.

    Why: uvicorn writes an answer's head and its body one after the other; on a kept-alive
    connection that is two segments, two wake-ups of the client and two system calls, and
    the head's send was the dearest line of the HTTP process under load. Everything else is
    the real transport's; ``close`` sends what is pending first.
    """

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))
        self._size += len(data)

    def flush(self) -> None:
        """Send what was written since the last flush."""
        pending, self._pending, size, self._size = self._pending, [], self._size, 0
        if not pending or self._transport.is_closing():
            return
        if len(pending) == 1 or size >= _JOIN_BELOW:  # a large body: no copy to join it
            for piece in pending:
                self._transport.write(piece)
        else:
            self._transport.write(b"".join(pending))

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a request-head deadline and a hard connection cap."""

    header_timeout: float = 10.0
    max_connections: int = 256

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(cast(asyncio.Transport, _Coalesced(transport, self.loop)))
        if len(self.connections) > self.max_connections:
            self._refuse(
                503, b"too many open connections; try again in a moment", [(b"retry-after", b"1")]
            )
            return
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE and self.conn.our_state is not h11.DONE:
            self._disarm()  # the head is in; the application times the body

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request's head has its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_late)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_late(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self.conn.our_state is h11.IDLE and self.conn.their_state is h11.IDLE:
            message = f"the request head did not arrive within {self.header_timeout:g} s"
            self._refuse(408, message.encode(), [])
        elif self.conn.our_state is h11.DONE:  # answered; the rest of a body never came
            self.transport.close()

    def _refuse(self, status: int, message: bytes, extra: list[tuple[bytes, bytes]]) -> None:
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"connection", b"close"),
            (b"content-length", str(len(message) + 1).encode()),
            *extra,
        ]
        head = f"HTTP/1.1 {status} {'Request Timeout' if status == 408 else 'Busy'}\r\n"
        raw = head.encode() + b"".join(k + b": " + v + b"\r\n" for k, v in headers) + b"\r\n"
        self.transport.write(raw + message + b"\n")
        self.transport.close()


def uvicorn_config(
    app: Any, header_timeout: float, idle_timeout: int, max_connections: int, **kwargs: Any
) -> Config:
    """The uvicorn settings of the endpoint: h11 with the guards, no banner, no own log."""
    protocol = type(
        "Guarded",
        (GuardedH11Protocol,),
        {"header_timeout": header_timeout, "max_connections": max_connections},
    )
    return Config(
        app,
        http=protocol,
        lifespan="on",
        access_log=False,
        log_level="warning",
        server_header=False,
        timeout_keep_alive=idle_timeout,
        limit_concurrency=max_connections + 16,
        h11_max_incomplete_event_size=16 * 1024,
        timeout_graceful_shutdown=2,
        **kwargs,
    )
