"""The SPARQL endpoint: ``filmgraph serve``.

A read-only SPARQL 1.1 Protocol endpoint over any store (the embedded build, or a remote
server), resource pages for ``/id/…`` IRIs, an offline query page, ``/health`` and
``/ready``, and an access log. Starlette routes, uvicorn (httptools) speaks HTTP, and queries run
in killable worker processes in two lanes so a runaway query neither outlives the time limit
nor starves the cheap ones (:mod:`filmgraph.server.pool`). With ``--http-processes N`` the
endpoint forks N HTTP processes on one listening socket, each with its own workers; they
share the connection cap and move to a new build together
(:mod:`filmgraph.server.board`)::

    from filmgraph.server import start
    running = start("graph/build", ServerSettings(port=0))
    ... running.url ...
    running.stop()
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, replace
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, TextIO

import uvicorn

from filmgraph.builddir import BuildDir
from filmgraph.errors import FilmgraphError
from filmgraph.server.app import create_app, process_table
from filmgraph.server.board import GenerationBoard, ProcessTable
from filmgraph.server.http import connection_counter, uvicorn_config
from filmgraph.server.pool import (
    WorkerPool,
    inherit_forkserver,
    is_build_dir,
    start_forkserver,
)
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


def _listen(settings: ServerSettings) -> tuple[socket.socket, ServerSettings]:
    """The listening socket (shared by every HTTP process), and the settings with its port."""
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
    return sock, settings


def _endpoint(
    store_setting: str,
    settings: ServerSettings,
    board: GenerationBoard,
    process: int = 0,
    shared_count: Any = None,
    table: ProcessTable | None = None,
) -> tuple[uvicorn.Server, TextIO, WorkerPool]:
    """One HTTP process's server: its query and page pools (slots ``2 * process`` and
    ``2 * process + 1`` of ``board``; its row ``process`` of ``table``), the application
    and uvicorn's settings."""
    settings = settings.per_process()
    log: TextIO = sys.stderr
    if settings.access_log:  # held open for the server's life, closed by stop()
        log = Path(settings.access_log).open("a", encoding="utf-8")  # noqa: SIM115
    pool = WorkerPool(store_setting, settings, board=board, slot=2 * process)
    pages = WorkerPool(store_setting, settings, pages=True, board=board, slot=2 * process + 1)
    app = create_app(settings, pool, pages, log, process, table)
    config = uvicorn_config(
        app,
        settings.header_timeout,
        settings.idle_timeout,
        settings.max_connections,
        shared_count=shared_count,
    )
    return uvicorn.Server(config), log, pool


def _check_store(store_setting: str) -> None:
    """Fail fast, before binding, if there is no store. A build directory is checked by its
    ``current`` link, without opening the engine: the HTTP processes are forked after this,
    and the engine's background threads must not be forked with them."""
    if is_build_dir(store_setting):
        BuildDir(Path(store_setting)).current()
        return
    with open_store(store_setting):
        pass


def _prepare(
    store_setting: str, settings: ServerSettings
) -> tuple[uvicorn.Server, socket.socket, TextIO, ServerSettings, WorkerPool]:
    _check_store(store_setting)
    sock, settings = _listen(settings)
    start_forkserver()  # before the server takes over the signals
    server, log, pool = _endpoint(store_setting, settings, GenerationBoard(2))
    return server, sock, log, settings, pool


def start(
    store_setting: str, settings: ServerSettings | None = None, wait: float = 120.0
) -> RunningServer:
    """Start the endpoint in a background thread and return once it answers.

    The server in a thread is one HTTP process (``http_processes`` is 1 whatever the
    settings say): several are forked by :func:`serve`, the command's route.
    """
    settings = replace(settings or ServerSettings(), http_processes=1)
    server, sock, log, settings, pool = _prepare(store_setting, settings)
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
    settings = settings or ServerSettings()
    if settings.http_processes < 1:
        raise FilmgraphError(f"--http-processes must be 1 or more, not {settings.http_processes}")
    if settings.http_processes > 1:
        _serve_processes(store_setting, settings)
        return
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
        server, sock, log, settings, _ = _prepare(store_setting, settings)
        stopping.append(server)
        try:
            if interrupted:
                sock.close()
                return
            _announce(settings)
            server.run(sockets=[sock])
        finally:
            if log is not sys.stderr:
                log.close()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _announce(settings: ServerSettings) -> None:
    processes = f", {settings.http_processes} HTTP processes" if settings.http_processes > 1 else ""
    print(
        f"filmgraph: SPARQL endpoint at {settings.public()}/sparql "
        f"(query page {settings.public()}/, time limit {settings.time_limit:g} s{processes})",
        file=sys.stderr,
        flush=True,
    )


def _http_process(
    store_setting: str,
    settings: ServerSettings,
    sock: socket.socket,
    board: GenerationBoard,
    process: int,
    shared_count: Any,
    table: ProcessTable,
) -> None:
    """One forked HTTP process: its own pools and event loop, on the shared socket."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)  # uvicorn installs its own once it runs
    inherit_forkserver()
    server, log, _ = _endpoint(store_setting, settings, board, process, shared_count, table)
    try:
        server.run(sockets=[sock])
    finally:
        if log is not sys.stderr:
            log.close()
    if not server.started:
        sys.exit(3)  # uvicorn's code for a start-up failure


def _serve_processes(store_setting: str, settings: ServerSettings) -> None:
    """``settings.http_processes`` HTTP processes forked on one listening socket.

    Why forked, not uvicorn's own ``--workers`` supervisor: that one starts each process
    afresh (``spawn``) from a pickled configuration, so it cannot hand the processes the
    shared generation board and connection counter they must share, nor the fork server
    their query workers start from; and it restarts a process that died into a new
    generation slot it knows nothing of. Here a process that ends stops the endpoint
    (exit 1), so a process manager restarts all of it, on one generation.
    """
    interrupted: list[int] = []

    def note(number: int, _: object) -> None:
        interrupted.append(number)

    previous = {sig: signal.signal(sig, note) for sig in (signal.SIGINT, signal.SIGTERM)}
    children: list[BaseProcess] = []
    ended: BaseProcess | None = None
    try:
        _check_store(store_setting)
        sock, settings = _listen(settings)
        start_forkserver()  # inherited: every process's workers fork from this one server
        board = GenerationBoard(2 * settings.http_processes)
        table = process_table(settings.http_processes)
        shared_count = connection_counter()
        context = multiprocessing.get_context("fork")
        for process in range(settings.http_processes):
            forked = context.Process(
                target=_http_process,
                args=(store_setting, settings, sock, board, process, shared_count, table),
                name=f"filmgraph-http-{process}",
            )
            forked.start()
            children.append(forked)
        _announce(settings)
        while not interrupted and ended is None:
            multiprocessing.connection.wait([c.sentinel for c in children], timeout=0.5)
            ended = next((c for c in children if c.exitcode is not None), None)
        sock.close()
        if ended is not None and not interrupted:
            print(
                f"filmgraph: {ended.name} ended (exit code {ended.exitcode}); "
                "stopping the endpoint",
                file=sys.stderr,
                flush=True,
            )
    finally:
        for child in children:
            if child.exitcode is None and child.pid is not None:
                with contextlib.suppress(OSError):
                    os.kill(child.pid, signal.SIGTERM)
        for child in children:
            child.join(20)
            if child.exitcode is None:
                child.kill()
                child.join(5)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if ended is not None and not interrupted:
        raise FilmgraphError(f"{ended.name} ended with exit code {ended.exitcode}")
