"""The remote store against two real servers: Virtuoso 7.2 and Oxigraph's own server.

Publishing is atomic and leaves nothing behind, the build record lives on the server, and
dumps come back graph by graph, on both servers and through both ways of writing (the
Graph Store Protocol, SPARQL Update in batches).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from filmgraph.errors import FilmgraphError, QueryError
from filmgraph.store.base import BuildRecord, SelectResult
from filmgraph.store.sparql import SparqlStore
from filmgraph.store.sparql.publish import PublishBusy, staging_graphs
from filmgraph.store.sparql.record import PUBLISHING_GRAPH, TERMS

from .conftest import load_fixture_dataset
from .oxigraph_server import OxigraphServer, oxigraph_server  # noqa: F401 - session fixture
from .publish_support import PUBLISH, numeric_normalised, quads_by_graph, same_graph
from .virtuoso import Virtuoso, _free_port, virtuoso  # noqa: F401 - session fixture

pytestmark = pytest.mark.integration

Server = Virtuoso | OxigraphServer
GRAPH = "https://w3id.org/filmgraph/id/graph/test/"
MARKER = ox.NamedNode("urn:test:marker")
GENERATION = ox.NamedNode("urn:test:generation")


@pytest.fixture(params=["virtuoso", "oxigraph_server"])
def server(request: pytest.FixtureRequest) -> Server:
    """Each real server in turn, emptied of filmgraph's graphs."""
    running: Server = request.getfixturevalue(request.param)
    running.store().clear()
    return running


def record(generation: str) -> BuildRecord:
    return BuildRecord(
        generation,
        {"counts": {"films": 3}, "conforms": True},
        {"conforms": True, "results": []},
        "Conforms: yes\n",
    )


def curated_quads() -> list[ox.Quad]:
    """The curated fixture build's quads (with the ontology), as a build publishes them."""
    data = load_fixture_dataset(PUBLISH / "curated").serialize(format="nquads").encode("utf-8")
    return list(ox.parse(data, format=ox.RdfFormat.N_QUADS))


def marked_quads(generation: str, graphs: int, filler: int) -> list[ox.Quad]:
    """``graphs`` graphs of ``filler`` triples each, every one saying which generation it is."""
    quads = []
    for g in range(graphs):
        name = ox.NamedNode(f"{GRAPH}{g}")
        quads.append(ox.Quad(MARKER, GENERATION, ox.Literal(generation), name))
        quads += [
            ox.Quad(
                ox.NamedNode(f"urn:test:s{g}-{i}"),
                GENERATION,
                ox.Literal(f"{generation} {i}"),
                name,
            )
            for i in range(filler)
        ]
    return quads


def test_a_publish_replaces_every_graph_and_the_record(server: Server) -> None:
    store = server.store()
    store.publish(marked_quads("a", graphs=3, filler=5), record("gen-a"))
    store.publish(marked_quads("b", graphs=2, filler=7), record("gen-b"))
    assert [str(g) for g in store.graphs()] == [f"{GRAPH}0", f"{GRAPH}1"]
    assert store.quad_count() == 2 * 8
    found = store.build_record()
    assert found is not None and found.generation == "gen-b"
    assert found.summary == record("gen-b").summary and found.validation_text == "Conforms: yes\n"


@pytest.mark.parametrize("graph_store", [True, False], ids=["graph-store", "update-batches"])
def test_a_published_build_reads_back_as_the_same_graphs(
    server: Server, graph_store: bool, tmp_path: Path
) -> None:
    store = server.store(graph_store=graph_store, update_batch=40)
    quads = curated_quads()
    assert store.publish(quads, record("gen-a")) == len(quads)
    store.dump(tmp_path / "dump.nq", "nquads")
    back = quads_by_graph((tmp_path / "dump.nq").read_bytes())
    sent = quads_by_graph(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    assert sorted(back) == sorted(sent)
    for name, graph in sent.items():
        # Virtuoso stores 1.0 (decimal) as 1 (integer): numbers are compared by value.
        assert same_graph(numeric_normalised(back[name]), numeric_normalised(graph)), name


def test_queries_on_virtuoso_see_only_the_published_graphs(virtuoso: Virtuoso) -> None:  # noqa: F811
    store = virtuoso.store()
    store.clear()
    store.publish(marked_quads("a", graphs=2, filler=1), record("gen-a"))
    # A graph outside the record (another application's, or a staging graph) stays unseen.
    store.write_graph(
        "urn:test:elsewhere", [ox.Triple(MARKER, GENERATION, ox.Literal("x"))], replace=True
    )
    result = store.query("SELECT ?v WHERE { <urn:test:marker> <urn:test:generation> ?v }")
    assert isinstance(result, SelectResult)
    assert sorted(str(row[0]) for row in result) == ["a", "a"]


def test_a_reader_during_a_publish_sees_the_old_graphs_or_the_new_never_a_mix(
    server: Server,
) -> None:
    graphs = 12
    store = server.store()
    store.publish(marked_quads("a", graphs, filler=50), record("gen-a"))
    seen: Counter[tuple[tuple[str, int], ...]] = Counter()
    done = threading.Event()

    def read() -> None:
        reader = server.store()
        while not done.is_set():
            rows = reader.query(
                "SELECT ?g ?v WHERE { GRAPH ?g { <urn:test:marker> <urn:test:generation> ?v } }"
            )
            assert isinstance(rows, SelectResult)
            seen[tuple(sorted(Counter(str(row[1]) for row in rows).items()))] += 1

    thread = threading.Thread(target=read)
    thread.start()
    try:
        store.publish(marked_quads("b", graphs, filler=50), record("gen-b"))
        time.sleep(0.3)
    finally:
        done.set()
        thread.join(30)
    assert set(seen) <= {(("a", graphs),), (("b", graphs),)}, seen
    assert seen[(("b", graphs),)] > 0


_KILLED_PUBLISH = textwrap.dedent("""
    import sys
    import pyoxigraph as ox
    from filmgraph.store.base import BuildRecord
    from filmgraph.store.sparql import SparqlStore
    url, user = sys.argv[1], sys.argv[2] or None
    quads = [ox.Quad(ox.NamedNode(f"urn:test:s{i}"), ox.NamedNode("urn:test:p"),
                     ox.Literal(str(i)), ox.NamedNode(f"{sys.argv[3]}{i % 100}"))
             for i in range(40_000)]
    store = SparqlStore(url, user=user, password=user)
    store.publish(quads, BuildRecord("gen-killed", {"counts": {}}))
""")


def _registered(store: SparqlStore) -> bool:
    with store.endpoint.query(
        f"ASK {{ GRAPH <{PUBLISHING_GRAPH}> {{ ?s ?p ?o }} }}",
        (),
        "application/sparql-results+json",
    ) as body:
        return b"true" in body.read()


def test_a_publish_killed_half_way_is_cleaned_up_by_the_next(server: Server) -> None:
    store = server.store()
    store.publish(marked_quads("a", graphs=2, filler=3), record("gen-a"))
    staged = isinstance(server, Virtuoso)  # Oxigraph's server: one request, nothing staged
    user = "dba" if staged else ""
    process = subprocess.Popen([sys.executable, "-c", _KILLED_PUBLISH, server.sparql, user, GRAPH])
    try:
        deadline = time.monotonic() + 60
        while not (staging_graphs(store) if staged else _registered(store)):
            assert process.poll() is None, "the publish ended before it could be killed"
            assert time.monotonic() < deadline, "the publish never started"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert _registered(store), "the kill left no trace of the publish: nothing was tested"

    store.publish(marked_quads("b", graphs=2, filler=3), record("gen-b"))
    assert staging_graphs(store) == []
    assert not _registered(store)
    assert store.quad_count() == 2 * 4
    assert store.build_record().generation == "gen-b"  # type: ignore[union-attr]


def test_a_publish_while_another_is_alive_is_refused_and_changes_nothing(
    server: Server,
) -> None:
    store = server.store()
    store.publish(marked_quads("a", graphs=2, filler=3), record("gen-a"))
    other = subprocess.Popen(["sleep", "60"])  # a live process standing for another publish
    try:
        store.update(f"""INSERT DATA {{ GRAPH <{PUBLISHING_GRAPH}> {{
            <urn:test:other> <{TERMS}host> "{socket.gethostname()}" ; <{TERMS}pid> {other.pid} ;
                <{TERMS}heartbeat> {int(time.time())} }} }}""")
        with pytest.raises(PublishBusy, match=f"in progress .*process {other.pid}"):
            store.publish(marked_quads("b", graphs=2, filler=3), record("gen-b"))
        assert store.build_record().generation == "gen-a"  # type: ignore[union-attr]
        assert staging_graphs(store) == []
    finally:
        other.kill()
        other.wait(10)
    # Its process gone, the entry is a dead publish's: the next publish cleans it and runs.
    store.publish(marked_quads("b", graphs=2, filler=3), record("gen-b"))
    assert store.build_record().generation == "gen-b"  # type: ignore[union-attr]


def test_a_store_without_a_record_lists_the_graphs_under_our_prefix(server: Server) -> None:
    store = server.store()
    store.write_graph(f"{GRAPH}x", [ox.Triple(MARKER, GENERATION, ox.Literal("x"))], replace=True)
    assert store.build_record() is None
    assert [str(g) for g in store.graphs()] == [f"{GRAPH}x"]


def test_credentials_never_reach_the_store_url(virtuoso: Virtuoso) -> None:  # noqa: F811
    store = SparqlStore(virtuoso.sparql.replace("http://", "http://dba:dba@"))
    assert store.url == virtuoso.sparql and store.endpoint.user == "dba"
    assert store.update_url.endswith("/sparql-auth")
    assert store.gsp_url is not None and store.gsp_url.endswith("/sparql-graph-crud-auth")


def test_without_credentials_virtuoso_writes_go_to_the_query_url(virtuoso: Virtuoso) -> None:  # noqa: F811
    store = SparqlStore(virtuoso.sparql)
    assert store.update_url == virtuoso.sparql and store.gsp_url is None


def test_oxigraph_server_writes_go_to_its_update_and_store_urls(
    oxigraph_server: OxigraphServer,  # noqa: F811
) -> None:
    store = oxigraph_server.store()
    base = oxigraph_server.sparql.removesuffix("/query")
    assert (store.update_url, store.gsp_url) == (f"{base}/update", f"{base}/store")


def test_environment_can_turn_the_graph_store_protocol_off(
    oxigraph_server: OxigraphServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FILMGRAPH_SPARQL_GSP", "none")
    assert SparqlStore.from_url(oxigraph_server.sparql).gsp_url is None


def test_refused_credentials_are_a_clear_error(virtuoso: Virtuoso) -> None:  # noqa: F811
    store = SparqlStore(virtuoso.sparql, user="dba", password="wrong")
    with pytest.raises(QueryError, match="refused the credentials in FILMGRAPH_SPARQL_USER"):
        store.update("CLEAR SILENT GRAPH <urn:test:nothing>")


def test_an_endpoint_nobody_answers_is_a_clear_error() -> None:
    with pytest.raises(FilmgraphError, match="cannot reach the SPARQL endpoint"):
        SparqlStore(f"http://127.0.0.1:{_free_port()}/sparql").query("ASK { }")
