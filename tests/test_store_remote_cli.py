"""The commands against a remote store, from the machine that built it and from another.

``build --store URL`` publishes; a second machine (another cache folder, no credentials)
runs ``summary``, ``check``, ``query`` and ``export`` against the same URL and reads the
build record from the server.
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from filmgraph.builddir import BuildDir
from filmgraph.cli import main
from filmgraph.export.selection import Selection, select
from filmgraph.namespaces import ID
from filmgraph.store.base import SelectResult
from filmgraph.store.oxigraph import OxigraphStore
from filmgraph.store.sparql import SparqlStore

from .oxigraph_server import OxigraphServer, oxigraph_server  # noqa: F401 - session fixture
from .publish_support import PUBLISH, numeric_normalised, quads_by_graph, same_graph
from .virtuoso import Virtuoso, virtuoso  # noqa: F401 - session fixture

pytestmark = pytest.mark.integration

Server = Virtuoso | OxigraphServer


@dataclass
class Built:
    server: Server
    summary: dict[str, object]
    #: the cache folder of the machine that built it (its mirror holds the local build)
    builder: Path


def _machine(monkeypatch: pytest.MonkeyPatch, cache: Path, environment: dict[str, str]) -> None:
    """Stand in for one machine: its own cache folder and its own settings."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    for name in (
        "FILMGRAPH_SPARQL_USER",
        "FILMGRAPH_SPARQL_PASSWORD",
        "FILMGRAPH_SPARQL_UPDATE",
        "FILMGRAPH_SPARQL_GSP",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="module", params=["virtuoso", "oxigraph_server"])
def published(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The curated fixture built into a server by one machine, once per server."""
    server: Server = request.getfixturevalue(request.param)
    server.store().clear()
    builder = tmp_path_factory.mktemp("builder")
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        _machine(patch, builder, server.environment())
        code = main(
            [
                "build",
                "--store",
                server.sparql,
                "--no-bundled",
                "--source",
                str(PUBLISH / "curated"),
                "--quiet",
                "--format",
                "json",
            ]
        )
    assert code == 0, printed.getvalue()
    return Built(server, json.loads(printed.getvalue()), builder)


@pytest.fixture
def built(published: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Built:
    """The published build, seen from another machine: its own cache, no credentials."""
    _machine(monkeypatch, tmp_path / "reader", {})
    return published


def test_the_build_is_on_the_server(built: Built) -> None:
    counts = built.summary["counts"]
    assert isinstance(counts, dict)
    assert built.server.store().quad_count() == counts["triples"]


def test_summary_reads_the_record_from_the_server(
    built: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["summary", "--store", built.server.sparql, "--format", "json"])
    assert code == (0 if built.summary["conforms"] else 1)
    assert json.loads(capsys.readouterr().out) == built.summary


def test_check_reads_the_shacl_findings_from_the_server(
    built: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", "--store", built.server.sparql, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert report["shacl"]["origin"] == "stored"
    assert code == (0 if report["conforms"] else 1)


def test_query_and_export_run_against_the_server(
    built: Built, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert (
        main(
            [
                "query",
                "--store",
                built.server.sparql,
                "film-influences",
                "--param",
                "film=film:battleship-potemkin-1925",
                "--format",
                "json",
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)["results"]["bindings"]
    assert {r["influencerLabel"]["value"] for r in rows} == {"Intolerance", "Strike"}
    out = tmp_path / "export.nq"
    assert (
        main(
            [
                "export",
                "--store",
                built.server.sparql,
                "--format",
                "nquads",
                "--out",
                str(out),
                "--report",
                "json",
            ]
        )
        == 0
    )
    counts = built.summary["counts"]
    assert isinstance(counts, dict)
    assert json.loads(capsys.readouterr().out)["count"] == counts["triples"]


#: Every other command a reader runs against the server: (arguments, exit code, a phrase of
#: its answer). Exit code 1 is the command's "nothing found" (no contested claim, no bridge
#: in the three-film fixture). ``figure`` reads the graph as ``viz`` does (and takes seconds
#: to import matplotlib), so ``viz`` stands for both.
READER_COMMANDS = {
    "rank": (["rank"], 0, "Strike (1925)"),
    "stats": (["stats"], 0, "Soviet montage"),
    "lineage": (["lineage", "Intolerance"], 0, "Battleship Potemkin (1925)"),
    "path": (["path", "Intolerance", "Battleship Potemkin"], 0, "1 path(s)"),
    "communities": (["communities", "--min-size", "1"], 0, "Sergei Eisenstein"),
    "bridges": (["bridges"], 1, "crossing edges"),
    "contested": (["contested"], 1, "0 contested finding(s)"),
    "viz": (["viz", "--all", "--out", "{tmp}/map.html"], 0, "3 links"),
}


@pytest.mark.parametrize("command", sorted(READER_COMMANDS))
def test_every_command_runs_against_the_server_from_another_machine(
    built: Built, command: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    arguments, code, phrase = READER_COMMANDS[command]
    arguments = [a.replace("{tmp}", str(tmp_path)) for a in arguments]
    assert main([*arguments, "--store", built.server.sparql]) == code
    assert phrase in capsys.readouterr().out


def test_a_failed_build_leaves_the_server_as_it_was(
    built: Built, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _machine(monkeypatch, built.builder, built.server.environment())
    store = built.server.store()
    before = store.quad_count(), store.build_record()
    broken = Path(__file__).parent / "fixtures" / "broken-credits"
    assert (
        main(
            [
                "build",
                "--store",
                built.server.sparql,
                "--no-bundled",
                "--source",
                str(broken),
                "--quiet",
            ]
        )
        == 2
    )
    assert (store.quad_count(), store.build_record()) == before
    films = store.query("SELECT ?f WHERE { ?f a <https://w3id.org/filmgraph/ontology#Film> }")
    assert isinstance(films, SelectResult) and len(films) == 3


class _NoDump(SparqlStore):
    """A remote store that refuses to dump: a subgraph export must not need to."""

    def dump(self, path: Path, fmt: str = "trig") -> None:
        raise AssertionError("a subgraph export dumped the whole store")


def test_a_subgraph_export_asks_the_server_only_for_the_subgraph(
    built: Built, tmp_path: Path
) -> None:
    mirror = next((built.builder / "filmgraph" / "endpoints").iterdir())
    local = OxigraphStore(BuildDir(mirror).current().store_path, read_only=True)
    remote = _NoDump(built.server.sparql)
    focus = Selection(around=ID["film/battleship-potemkin-1925"], depth=1)
    with select(remote, focus) as far, select(local, focus) as near:
        got, expected = (
            quads_by_graph(far.nquads.read_bytes()),
            quads_by_graph(near.nquads.read_bytes()),
        )
    local.close()
    assert sorted(got) == sorted(expected) and len(expected) > 1
    for name, graph in expected.items():
        assert same_graph(numeric_normalised(got[name]), numeric_normalised(graph)), name
