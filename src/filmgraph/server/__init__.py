"""The SPARQL endpoint: ``filmgraph serve``.

A read-only SPARQL 1.1 Protocol endpoint over any store (the embedded build, or a remote
server), resource pages for ``/id/…`` IRIs, an offline query page, ``/health`` and an
access log. Queries run in killable worker processes so the time limit is real::

    from filmgraph.server import start
    running = start("graph/build", ServerSettings(port=0))
    ... running.url ...
    running.stop()
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from filmgraph.server.app import EndpointServer
from filmgraph.server.settings import ServerSettings
from filmgraph.server.workers import WorkerPool
from filmgraph.store import open_store

__all__ = ["RunningServer", "ServerSettings", "serve", "start"]


@dataclass
class RunningServer:
    """A server answering in a background thread (for tests, notebooks and benchmarks)."""

    server: EndpointServer
    thread: threading.Thread
    log: TextIO

    @property
    def url(self) -> str:
        """The base address, e.g. ``http://127.0.0.1:41234``."""
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        """Stop answering, stop the workers, close the log."""
        self.server.shutdown()
        self.server.server_close()
        self.server.pool.close()
        self.thread.join(5)
        if self.log is not sys.stderr:
            self.log.close()


def _prepare(store_setting: str, settings: ServerSettings) -> tuple[EndpointServer, TextIO]:
    with open_store(store_setting):  # fail fast, before binding, if there is no store
        pass
    pool = WorkerPool(store_setting, settings.workers, settings.time_limit,
                      settings.result_limit, settings.allow_service)
    pool.start()
    log: TextIO = sys.stderr
    if settings.access_log:  # held open for the server's life, closed by stop()
        log = Path(settings.access_log).open("a", encoding="utf-8")  # noqa: SIM115
    try:
        server = EndpointServer(settings, pool, log)
    except OSError:
        pool.close()
        raise
    if settings.port == 0 and not settings.base_url:
        port = server.server_address[1]
        server.settings = replace(settings, port=int(port))
    return server, log


def start(store_setting: str, settings: ServerSettings | None = None) -> RunningServer:
    """Start the endpoint in a background thread and return once it answers."""
    server, log = _prepare(store_setting, settings or ServerSettings())
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="filmgraph-http")
    thread.start()
    return RunningServer(server, thread, log)


def serve(store_setting: str, settings: ServerSettings | None = None) -> None:
    """Serve until interrupted (``filmgraph serve``)."""
    settings = settings or ServerSettings()
    server, log = _prepare(store_setting, settings)
    host, port = server.server_address[:2]
    print(f"filmgraph: SPARQL endpoint at http://{host!s}:{port}/sparql "
          f"(query page http://{host!s}:{port}/, time limit {settings.time_limit:g} s)",
          file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.pool.close()
        if log is not sys.stderr:
            log.close()
