"""A real Virtuoso for the tests, started once per session on loopback and stopped after.

It writes its own ``virtuoso.ini`` (from ``fixtures/publish/virtuoso.ini``) into a temporary
folder, binds 127.0.0.1 on two free ports, runs ``virtuoso-t +foreground`` and waits until
its SPARQL endpoint answers. Writes go through ``/sparql-auth`` with HTTP digest auth as
dba/dba: the default of a fresh database, acceptable only on loopback in a test.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from filmgraph.store.sparql import SparqlStore

from .conftest import FIXTURES, require_program

__all__ = ["Virtuoso", "virtuoso"]


@dataclass
class Virtuoso:
    """A running Virtuoso: its endpoints and a writable store on it."""

    http_port: int
    sql_port: int
    folder: Path

    @property
    def sparql(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def sparql_auth(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-auth"

    def store(self, **settings: object) -> SparqlStore:
        """A store that reads from ``/sparql`` and writes as dba (through ``/sparql-auth``
        and ``/sparql-graph-crud-auth``, which it finds by itself)."""
        return SparqlStore(self.sparql, user="dba", password="dba", **settings)  # type: ignore[arg-type]

    def environment(self) -> dict[str, str]:
        """What a reader exports before running filmgraph against this server."""
        return {"FILMGRAPH_SPARQL_USER": "dba", "FILMGRAPH_SPARQL_PASSWORD": "dba"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    query = urllib.parse.urlencode({"query": "ASK { }"})
    try:
        with urllib.request.urlopen(f"{url}?{query}", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def serving(
    process: subprocess.Popen[bytes], url: str, wait: float, name: str, log: Path
) -> Iterator[None]:
    """Wait until the server ``process`` answers at ``url``, then stop it when done.

    The test fails (with the end of ``log``) when it exits or stays silent for ``wait``
    seconds; a server that ignores the termination signal is killed.
    """
    try:
        deadline = time.monotonic() + wait
        while not _answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{name} did not start:\n" + log.read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        yield
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """Start Virtuoso for the session; skip without it (fail under CI=true)."""
    program = require_program("virtuoso-t")
    folder = tmp_path_factory.mktemp("virtuoso")
    (folder / "vsp").mkdir()
    running = Virtuoso(_free_port(), _free_port(), folder)
    template = (FIXTURES / "publish" / "virtuoso.ini").read_text(encoding="utf-8")
    ini = folder / "virtuoso.ini"
    ini.write_text(
        template.format(dir=folder, sql_port=running.sql_port, http_port=running.http_port),
        encoding="utf-8",
    )
    log = (folder / "stdout.log").open("w")
    process = subprocess.Popen(
        [program, "+configfile", str(ini), "+foreground"],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    with log, serving(process, running.sparql, 90, "Virtuoso", folder / "virtuoso.log"):
        yield running
