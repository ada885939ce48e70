"""The SPARQL endpoint: ``filmgraph serve``.

A read-only SPARQL 1.1 Protocol endpoint over any store (the embedded build, or a remote
server), resource pages for ``/id/…`` IRIs, an offline query page, ``/health`` and
``/ready``, and an access log. Starlette routes, uvicorn (httptools) speaks HTTP, and queries run
in killable worker processes in two lanes so a runaway query neither outlives the time limit
nor starves the cheap ones (:mod:`filmgraph.server.pool`)::

    from filmgraph.server import start
    running = start("graph/build", ServerSettings(port=0))
    ... running.url ...
    running.stop()
"""

from __future__ import annotations

import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

import uvicorn

from filmgraph.errors import FilmgraphError
from filmgraph.server.app import create_app
from filmgraph.server.http import uvicorn_config
from filmgraph.server.pool import WorkerPool, start_forkserver
from filmgraph.server.settings import ServerSettings
from filmgraph.store import open_store

__all__ = ["RunningServer", "ServerSettings", "serve", "start"]


@dataclass
class RunningServer:
    """A server answering in a background thread (for tests, notebooks and benchmarks)."""

    server: uvicorn.Server
    thread: threading.Thread
    log: TextIO
    settings: ServerSettings
    pool: WorkerPool
    address: tuple[str, int]

    @property
    def url(self) -> str:
        """The base address, e.g. ``http://127.0.0.1:41234``."""
        return f"http://{self.address[0]}:{self.address[1]}"

    def stop(self) -> None:
        """Stop answering, stop the workers, close the log."""
        self.server.should_exit = True
        self.thread.join(15)
        if self.log is not sys.stderr:
            self.log.close()


def _prepare(
    store_setting: str, settings: ServerSettings
) -> tuple[uvicorn.Server, socket.socket, TextIO, ServerSettings, WorkerPool]:
    with open_store(store_setting):  # fail fast, before binding, if there is no store
        pass
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    # IPPROTO_TCP named, not 0: asyncio sets TCP_NODELAY only on sockets whose protocol says
    # TCP, and without it every small answer on a kept-alive connection waits ~40 ms for the
    # client's delayed ACK (Nagle's algorithm: a head and a body written one after the other).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError as error:
        sock.close()
        raise FilmgraphError(
            f"cannot listen on {settings.host}:{settings.port}: {error.strerror}"
        ) from None
    sock.listen(1024)
    port = int(sock.getsockname()[1])
    if settings.port == 0:
        settings = replace(settings, port=port)
    log: TextIO = sys.stderr
    if settings.access_log:  # held open for the server's life, closed by stop()
        log = Path(settings.access_log).open("a", encoding="utf-8")  # noqa: SIM115
    start_forkserver()  # before the server takes over the signals
    pool = WorkerPool(store_setting, settings)
    pages = WorkerPool(store_setting, settings, pages=True)
    app = create_app(settings, pool, pages, log)
    config = uvicorn_config(
        app, settings.header_timeout, settings.idle_timeout, settings.max_connections
    )
    return uvicorn.Server(config), sock, log, settings, pool


def start(
    store_setting: str, settings: ServerSettings | None = None, wait: float = 120.0
) -> RunningServer:
    """Start the endpoint in a background thread and return once it answers."""
    server, sock, log, settings, pool = _prepare(store_setting, settings or ServerSettings())
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="filmgraph-http"
    )
    thread.start()
    deadline = time.monotonic() + wait
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise FilmgraphError("the endpoint did not start (see the messages above)")
        time.sleep(0.05)
    return RunningServer(server, thread, log, settings, pool, (settings.host, settings.port))


def serve(store_setting: str, settings: ServerSettings | None = None) -> None:
    """Serve until interrupted (``filmgraph serve``)."""
    # An interrupt before uvicorn takes over the signals (start-up takes seconds) must still
    # stop the server: it is noted here and ends the start-up, or tells uvicorn to stop.
    stopping: list[uvicorn.Server] = []
    interrupted: list[int] = []

    def note(number: int, _: object) -> None:
        interrupted.append(number)
        for running in stopping:
            running.should_exit = True

    previous = {sig: signal.signal(sig, note) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server, sock, log, settings, _ = _prepare(store_setting, settings or ServerSettings())
        stopping.append(server)
        try:
            if interrupted:
                sock.close()
                return
            print(
                f"filmgraph: SPARQL endpoint at {settings.public()}/sparql "
                f"(query page {settings.public()}/, time limit {settings.time_limit:g} s)",
                file=sys.stderr,
                flush=True,
            )
            server.run(sockets=[sock])
        finally:
            if log is not sys.stderr:
                log.close()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
