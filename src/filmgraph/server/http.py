"""The wire: uvicorn with httptools, and the guards uvicorn lacks.

Why httptools: it is llhttp, Node's strict HTTP/1.1 parser, in C (a request costs the HTTP
process about a third less than with h11, the pure-Python parser this endpoint used
before). It refuses what request smuggling needs: two ``Content-Length`` headers, a list or
a negative one, ``Content-Length`` beside ``Transfer-Encoding``, a ``Transfer-Encoding``
that does not end in ``chunked``, control characters in the request line (400 and close;
tests/test_server_hostile.py holds each case). A body is framed by its length, so an unread
body is never taken for the next request.

uvicorn has an idle (keep-alive) timeout and answers 503 past its concurrency limit, but it
waits for a request head for as long as a client dribbles bytes, lets a head grow without
bound, and accepts any number of connections. :class:`GuardedProtocol` adds a deadline for
the request head (408, then close), a bound on its size (431, then close), and closes
connections past the cap at once (503).

The cap is the endpoint's, not one process's: with several HTTP processes on one socket the
kernel hands each new connection to whichever process accepts first, so a per-process share
of the cap would refuse connections while another process had room. The processes count
their open connections in one shared counter (:func:`connection_counter`), so the cap holds
for the endpoint as a whole.
"""

from __future__ import annotations

import asyncio
import ctypes
import multiprocessing
from typing import Any, cast

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["GuardedProtocol", "connection_counter", "uvicorn_config"]

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


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a request-head deadline and size bound, a hard
    connection cap, and answers that leave in one send."""

    header_timeout: float = 10.0
    max_connections: int = 256
    max_head_bytes: int = 16 * 1024
    shared_count: Any = None  # the endpoint's open connections, across its HTTP processes

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_open = True  # waiting for (the rest of) a request head
        self._head_bytes = 0
        self._counted = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(cast(asyncio.Transport, _Coalesced(transport, self.loop)))
        open_now = len(self.connections)
        if self.shared_count is not None:
            with self.shared_count.get_lock():
                self.shared_count.value += 1
                open_now = self.shared_count.value
            self._counted = True
        if open_now > self.max_connections:
            self._refuse(
                503, b"too many open connections; try again in a moment", [(b"retry-after", b"1")]
            )
            return
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._head_open:
            self._head_bytes += len(data)
        super().data_received(data)
        too_large = self._head_open and self._head_bytes > self.max_head_bytes
        if too_large and not self.transport.is_closing():
            message = (
                f"request head too large: at most {self.max_head_bytes} bytes "
                "(send a long query by POST)"
            )
            self._refuse(431, message.encode(), [])

    def on_headers_complete(self) -> None:
        self._head_open = False
        self._disarm()  # the head is in; the application times the body
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # starts a pipelined request already read, if any
        idle = self.cycle is None or self.cycle.response_complete
        if idle and not self.transport.is_closing():
            self._arm()  # the next request's head has its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._counted:
            self._counted = False
            with self.shared_count.get_lock():
                self.shared_count.value -= 1
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._head_open = True
        self._head_bytes = 0
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_late)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_late(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not self._head_open:
            return
        message = f"the request head did not arrive within {self.header_timeout:g} s"
        self._refuse(408, message.encode(), [])

    def _refuse(self, status: int, message: bytes, extra: list[tuple[bytes, bytes]]) -> None:
        reasons = {408: "Request Timeout", 431: "Request Header Fields Too Large", 503: "Busy"}
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"connection", b"close"),
            (b"content-length", str(len(message) + 1).encode()),
            *extra,
        ]
        head = f"HTTP/1.1 {status} {reasons[status]}\r\n"
        raw = head.encode() + b"".join(k + b": " + v + b"\r\n" for k, v in headers) + b"\r\n"
        self.transport.write(raw + message + b"\n")
        self.transport.close()


def connection_counter() -> Any:
    """A counter of open connections shared by the HTTP processes forked after it is made."""
    return multiprocessing.get_context("fork").Value(ctypes.c_int, 0)


def uvicorn_config(
    app: Any,
    header_timeout: float,
    idle_timeout: int,
    max_connections: int,
    shared_count: Any = None,
    **kwargs: Any,
) -> Config:
    """The uvicorn settings of the endpoint: httptools with the guards, no banner, no own
    log; ``shared_count`` (:func:`connection_counter`) when several processes share the cap."""
    protocol = type(
        "Guarded",
        (GuardedProtocol,),
        {
            "header_timeout": header_timeout,
            "max_connections": max_connections,
            "shared_count": shared_count,
        },
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
        timeout_graceful_shutdown=2,
        **kwargs,
    )
