"""RDF merge semantics: a query over the default graph sees each triple once, whichever
store answers it and whether the library, the command line or the running endpoint asks;
``GRAPH ?g`` still shows what each source says."""

from __future__ import annotations

import gc
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF
from SPARQLWrapper import JSON, SPARQLWrapper

from filmgraph.build import BuildResult
from filmgraph.cli import main
from filmgraph.namespaces import FG, ID
from filmgraph.server import ServerSettings, start
from filmgraph.store import open_store
from filmgraph.store import oxigraph as oxigraph_module
from filmgraph.store.base import SelectResult, Store
from filmgraph.store.memory import MemoryStore
from filmgraph.store.oxigraph import (
    OxigraphStore,
    dump_with_merge,
    has_dataset_clause,
    write_merge,
)

#: The count the README shows (``filmgraph query --sparql …``).
README_COUNT = "SELECT (COUNT(*) AS ?n) { ?f a fg:Film }"
PREFIXED = "PREFIX fg: <https://w3id.org/filmgraph/ontology#>\n" + README_COUNT
FILM = ID["film/the-miners-1937"]


def stated_twice() -> Dataset:
    """One film that two sources both state, and one only the second states."""
    dataset = Dataset()
    for source in ("first", "second"):
        graph = dataset.graph(ID[f"graph/{source}"])
        graph.add((FILM, RDF.type, FG.Film))
        graph.add((FILM, FG.year, Literal("1937")))
    dataset.graph(ID["graph/second"]).add((ID["film/chapaev-1934"], RDF.type, FG.Film))
    return dataset


def number(result: object) -> int:
    assert isinstance(result, SelectResult)
    return int(str(result.rows[0][0]))


@pytest.fixture(params=["memory", "oxigraph"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "memory":
        return MemoryStore(stated_twice())
    oxigraph = OxigraphStore()
    oxigraph.add_dataset(stated_twice())
    return oxigraph


def test_a_triple_two_sources_state_counts_once(store: Store) -> None:
    assert number(store.query(PREFIXED)) == 2


def test_graph_patterns_still_show_each_source(store: Store) -> None:
    result = store.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{FILM}> a ?c }} }}")
    assert isinstance(result, SelectResult)
    assert sorted(str(g) for (g,) in result.rows) == [
        str(ID["graph/first"]),
        str(ID["graph/second"]),
    ]


def test_the_merge_is_not_dumped_or_counted_as_quads(tmp_path: Path) -> None:
    store = OxigraphStore()
    store.add_dataset(stated_twice())
    store.dump(tmp_path / "all.nq", "nquads")
    lines = (tmp_path / "all.nq").read_text(encoding="utf-8").splitlines()
    assert store.quad_count() == len(lines) == 5
    assert all(line.rstrip(" .").endswith(">") and "/graph/" in line for line in lines)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }", True),
        ("SELECT * FROM NAMED <urn:g> WHERE { GRAPH ?g { ?s ?p ?o } }", True),
        ("CONSTRUCT { ?s ?p ?o }FROM <urn:g> WHERE { ?s ?p ?o }", True),
        ("# films from 1937\nSELECT * WHERE { ?s ?p ?o }", False),
        ("SELECT * WHERE { ?s ?p \"from\" , '''from\nFROM <urn:g>''' }", False),
        ("PREFIX from: <urn:from#> SELECT ?from WHERE { ?from from:from <urn:from> }", False),
        ('SELECT * WHERE { _:from ?p "x"@from }', False),
    ],
)
def test_only_a_from_clause_names_the_dataset_not_the_word_elsewhere(
    text: str, named: bool
) -> None:
    assert has_dataset_clause(text) is named


def test_an_engine_result_is_freed_by_reference_counting_after_a_query_mentioning_from() -> None:
    """No reference cycle is left holding the frames of a query's callers, so an engine
    result one of them keeps is freed when it returns, on its own thread: pyo3 refuses to
    free a result on another thread (where the cyclic collector may run), and it leaks."""
    engine = ox.Store()  # no merge in its default graph: the query reads the union
    engine.add(
        ox.Quad(
            ox.NamedNode(str(FILM)),
            ox.NamedNode(str(RDF.type)),
            ox.NamedNode(str(FG.Film)),
            ox.NamedNode(str(ID["graph/first"])),
        )
    )
    store = OxigraphStore.of(engine)
    assert not store.merged

    def results() -> int:
        return sum(type(o) is ox.QuerySolutions for o in gc.get_objects())

    def rows(text: str) -> int:
        answer = store.query_native(text)
        assert isinstance(answer, ox.QuerySolutions)
        return sum(1 for _ in answer)

    collecting = gc.isenabled()
    gc.disable()
    try:
        before = results()
        assert rows(f"SELECT ?s FROM <{ID['graph/first']}> WHERE {{ ?s ?p ?o }}") == 1
        assert rows("# the films, from every graph\nSELECT ?s WHERE { ?s ?p ?o }") == 1
        assert results() == before
    finally:
        if collecting:
            gc.enable()


def test_the_readme_count_is_the_number_of_films(bundled_build: BuildResult) -> None:
    with open_store(bundled_build.generation.path.parent.parent) as built:
        assert isinstance(built, OxigraphStore)
        answered = number(built.query(PREFIXED))
        distinct = number(built.query(PREFIXED.replace("COUNT(*)", "COUNT(DISTINCT ?f)")))
        per_source = number(
            built.query(PREFIXED.replace("{ ?f a fg:Film }", "{ GRAPH ?g { ?f a fg:Film } }"))
        )
    assert answered == distinct == bundled_build.counts["films"]
    assert per_source > answered  # some films are stated by more than one source


def test_the_command_line_answers_the_readme_count(
    bundled_build: BuildResult, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(bundled_build.generation.path.parent.parent)
    assert main(["query", "--store", store, "--sparql", README_COUNT, "--format", "csv"]) == 0
    assert capsys.readouterr().out.split() == ["n", str(bundled_build.counts["films"])]


def test_the_endpoint_answers_the_readme_count_and_graph_patterns_per_source(
    bundled_build: BuildResult,
) -> None:
    # the running endpoint (filmgraph serve), asked by a real SPARQL client
    running = start(
        str(bundled_build.generation.path.parent.parent), ServerSettings(port=0, workers=1)
    )
    try:
        client = SPARQLWrapper(running.url + "/sparql")
        client.setReturnFormat(JSON)
        client.setQuery(PREFIXED)
        merged = client.queryAndConvert()
        client.setQuery(PREFIXED.replace("{ ?f a fg:Film }", "{ GRAPH ?g { ?f a fg:Film } }"))
        per_source = client.queryAndConvert()
    finally:
        running.stop()
    assert isinstance(merged, dict) and isinstance(per_source, dict)
    answered = int(merged["results"]["bindings"][0]["n"]["value"])
    assert answered == bundled_build.counts["films"]
    assert int(per_source["results"]["bindings"][0]["n"]["value"]) > answered


_NODES = st.sampled_from(
    [ox.NamedNode(f"https://example.org/n{i}") for i in range(4)]
    + [ox.BlankNode(f"b{i}") for i in range(2)]
)
_OBJECTS = _NODES | st.sampled_from(
    [ox.Literal("plain"), ox.Literal("looks like _:b0"), ox.Literal("ends in _"), ox.Literal(":x")]
)
_QUADS = st.lists(
    st.builds(
        ox.Quad,
        _NODES,
        st.sampled_from([ox.NamedNode(f"https://example.org/p{i}") for i in range(2)]),
        _OBJECTS,
        st.sampled_from([ox.NamedNode(f"https://example.org/g{i}") for i in range(3)]),
    ),
    max_size=40,
)


def default_graph(store: ox.Store) -> set[str]:
    return {str(q) for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}


@settings(max_examples=60, deadline=None)
@given(quads=_QUADS, block=st.integers(min_value=1, max_value=400))
def test_the_merge_written_beside_the_dump_is_the_merge_written_quad_by_quad(
    quads: list[ox.Quad], block: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    by_quad, by_dump = ox.Store(), ox.Store()
    by_quad.extend(quads)
    by_dump.extend(quads)
    write_merge(by_quad)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(oxigraph_module, "MERGE_BLOCK", block)  # lines cut across blocks
        dump_with_merge(by_dump, tmp_path_factory.mktemp("dump") / "graph.trig")
    # blank nodes keep their names: the merge's blank node is its graph's
    assert default_graph(by_dump) == default_graph(by_quad)


@settings(max_examples=30, deadline=None)
@given(quads=_QUADS)
def test_the_dump_beside_the_merge_holds_every_quad_of_the_named_graphs(
    quads: list[ox.Quad], tmp_path_factory: pytest.TempPathFactory
) -> None:
    store = ox.Store()
    store.extend(quads)
    trig = tmp_path_factory.mktemp("dump") / "graph.trig"
    dump_with_merge(store, trig)
    read = Dataset()
    read.parse(trig, format="trig")  # an independent parser
    expected = Dataset()
    expected.parse(data=store.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
    assert isomorphic(folded(read), folded(expected))


def folded(dataset: Dataset) -> Graph:
    """The named graphs' quads as one graph (the graph name folded into the predicate), so
    that isomorphism also matches a blank node shared by two graphs."""
    graph = Graph()
    for s, p, o, g in dataset.quads():
        if g is not None and g != DATASET_DEFAULT_GRAPH_ID:
            graph.add((s, URIRef(f"{p}#{g}"), o))
    return graph
