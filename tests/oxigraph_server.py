"""Oxigraph's own SPARQL server (``oxigraph serve``, from the pip package ``oxigraph``),
started once per session on a free loopback port and stopped after.

A second real server for the remote-store tests beside Virtuoso: it takes queries at
``/query``, updates at ``/update`` and the Graph Store Protocol at ``/store``, with no
authentication, and runs as the README says, with ``--union-default-graph``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from filmgraph.store.sparql import SparqlStore

from .conftest import require_program
from .virtuoso import _free_port, serving

__all__ = ["OxigraphServer", "oxigraph_server"]


@dataclass
class OxigraphServer:
    """A running ``oxigraph serve``: its query URL and a store on it."""

    port: int
    folder: Path

    @property
    def sparql(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"

    def store(self, **settings: object) -> SparqlStore:
        """A store on the server (writes go to ``/update`` and ``/store``)."""
        return SparqlStore(self.sparql, **settings)  # type: ignore[arg-type]

    def environment(self) -> dict[str, str]:
        """What a reader exports before running filmgraph against this server: nothing."""
        return {}


def _program() -> str:
    """``oxigraph`` from the virtual environment the tests run in, else from PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    return shutil.which("oxigraph") or require_program("oxigraph")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """Start ``oxigraph serve`` for the session; skip without it (fail under CI=true)."""
    program = _program()
    folder = tmp_path_factory.mktemp("oxigraph-server")
    running = OxigraphServer(_free_port(), folder)
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [
            program,
            "serve",
            "--location",
            str(folder / "db"),
            "--bind",
            f"127.0.0.1:{running.port}",
            "--union-default-graph",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    with log, serving(process, running.sparql, 30, "oxigraph serve", folder / "server.log"):
        yield running
