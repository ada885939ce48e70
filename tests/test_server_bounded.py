"""Bounded lookups answered in the HTTP process: only queries that cannot run away.

The recogniser (:mod:`filmgraph.server.bounded`) must be sound: whatever it lets through is
one triple pattern read from one index range, with a ``LIMIT`` it sets, checked here against
rdflib's own parse of the text. On a running endpoint a runaway query never runs in the
HTTP process, lookups keep being answered there while four runaways run, and an answer is
the same whichever route it took.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from filmgraph.build import BuildResult, build
from filmgraph.builddir import BuildDir
from filmgraph.namespaces import ID
from filmgraph.queries import get_query
from filmgraph.resolve import merged_into
from filmgraph.server import RunningServer, ServerSettings, start
from filmgraph.server.answers import Job, answer
from filmgraph.server.bounded import ROWS, bounded_description, bounded_text, merged_node
from filmgraph.server.formats import Reply
from filmgraph.store.oxigraph import OxigraphStore

from .publish_support import PUBLISH

RDFS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
LOOKUP = RDFS + 'SELECT ?f WHERE { ?f rdfs:label "Strike"@en }'
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
EVERYTHING = "SELECT * WHERE { ?s ?p ?o }"
RESULT_LIMIT = 40
SHORT = 25  # triples: Intolerance (1916) has 21 in the fixture, Battleship Potemkin 34
FEW = "/id/film/intolerance-1916"
MANY = "/id/film/battleship-potemkin-1925"


# -- the recogniser ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        LOOKUP,
        'SELECT ?f WHERE { ?f <http://www.w3.org/2000/01/rdf-schema#label> "Strike"@en . }',
        "SELECT * { ?s ?p ?o }",
        "select ?s where { ?s a <https://w3id.org/filmgraph/ontology#Film> } limit 5",
        'SELECT $x { $x <urn:p> "a \\" } . ?y ?z ?w"^^<urn:t> }',
        "SELECT ?p ?o WHERE { <urn:s> ?p ?o } LIMIT 100000",
    ],
)
def test_a_one_pattern_lookup_is_bounded_with_a_limit(text: str) -> None:
    bounded = bounded_text(text)
    assert bounded is not None and _limit(bounded) <= ROWS + 1


@pytest.mark.parametrize(
    "text",
    [
        RUNAWAY,
        "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f }",
        "SELECT DISTINCT ?p WHERE { ?s ?p ?o }",
        "SELECT ?s WHERE { ?s ?p ?s }",
        "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o",
        "SELECT ?s WHERE { ?s ?p ?o } OFFSET 100000 LIMIT 1",
        "SELECT ?s WHERE { ?s ?p ?o FILTER (?o > 3) }",
        "SELECT ?s FROM <urn:g> WHERE { ?s ?p ?o }",
        "SELECT ?s WHERE { ?s <urn:p>+ ?o }",
        "SELECT ?s WHERE { ?s ?p ?o } # a comment hides nothing here",
        "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
        "SELECT ?s WHERE { { ?s ?p ?o } }",
        "SELECT ?s WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?r } }",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "SELECT ?z WHERE { ?s ?p ?o }",
        "ASK { ?s ?p ?o }",
        "CONSTRUCT WHERE { ?s ?p ?o }",
        "SELECT ?s WHERE { ?s ?p ?o } " + " " * 3000,
    ],
)
def test_anything_else_goes_to_the_workers(text: str) -> None:
    assert bounded_text(text) is None


def test_a_lower_result_limit_lowers_the_limit_set() -> None:
    bounded = bounded_text(EVERYTHING, rows=RESULT_LIMIT)
    assert bounded is not None and _limit(bounded) == RESULT_LIMIT + 1


_PIECES = [
    "SELECT",
    "DISTINCT",
    "*",
    "?s",
    "?p",
    "?o",
    "$s",
    "WHERE",
    "{",
    "}",
    ".",
    "<urn:a>",
    "rdfs:label",
    "a",
    '"x"',
    '"}"@en',
    "12",
    "LIMIT",
    "5",
    "OFFSET",
    "ORDER BY",
    "FILTER (?o)",
    "OPTIONAL",
    "GRAPH",
    "UNION",
    "#",
    "(COUNT(*) AS ?n)",
    "/",
    "+",
    ";",
    ",",
]


_LOOKUP_PIECES = ["SELECT", "?s", "WHERE", "{", "?s", "rdfs:label", '"x"', ".", "}"]


@st.composite
def _texts(draw: st.DrawFn) -> str:
    """A one-pattern lookup with pieces put in, taken out or swapped at random."""
    pieces = list(_LOOKUP_PIECES)
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(pieces)))
        change = draw(st.sampled_from(["insert", "delete", "swap"]))
        if change == "insert" or not pieces:
            pieces.insert(at, draw(st.sampled_from(_PIECES)))
        elif change == "delete":
            del pieces[min(at, len(pieces) - 1)]
        else:
            pieces[min(at, len(pieces) - 1)] = draw(st.sampled_from(_PIECES))
    return RDFS + " ".join(pieces)


@settings(max_examples=500, deadline=None)
@given(_texts())
def test_whatever_the_recogniser_accepts_is_one_triple_pattern(text: str) -> None:
    bounded = bounded_text(text)
    if bounded is None:
        return
    try:
        query = prepareQuery(bounded)
    except Exception:  # not SPARQL at all: the engine answers 400, still in bounded time
        return
    assert _triple_patterns(query.algebra) == 1
    assert _limit(bounded) <= ROWS + 1
    assert not _names(query.algebra) & {"Distinct", "OrderBy", "Filter", "Graph", "Group"}


def _limit(text: str) -> int:
    found = re.search(r"(?i)\bLIMIT\s+([0-9]+)\s*$", text)
    return int(found.group(1)) if found else 10**9


def _nodes(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, CompValue):
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _nodes(item)


def _triple_patterns(algebra: Any) -> int:
    return sum(len(n["triples"]) for n in _nodes(algebra) if getattr(n, "name", "") == "BGP")


def _names(algebra: Any) -> set[str]:
    return {n.name for n in _nodes(algebra) if isinstance(n, CompValue)}


# -- on a running endpoint ------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    built: BuildResult = build(
        tmp_path_factory.mktemp("bounded") / "build", sources=[PUBLISH / "curated"], bundled=False
    )
    settings = ServerSettings(
        port=0,
        time_limit=4,
        quick_time=0.3,
        workers=2,
        spares=2,
        slow_queries=2,
        result_limit=RESULT_LIMIT,
        answer_cache=0,
        in_process_triples=SHORT,
    )
    running = start(str(built.generation.path.parent.parent), settings)
    yield running
    running.stop()


def fetch(server: RunningServer, path: str) -> tuple[int, Message, bytes]:
    try:
        with urllib.request.urlopen(server.url + path, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def sparql(server: RunningServer, query: str) -> tuple[int, Message, bytes]:
    return fetch(server, "/sparql?" + urllib.parse.urlencode({"query": query}))


def in_process(server: RunningServer) -> int:
    return int(json.loads(fetch(server, "/health")[2])["answered_in_process"])


def test_a_lookup_is_answered_in_the_http_process(server: RunningServer) -> None:
    before = in_process(server)
    status, headers, body = sparql(server, LOOKUP)
    assert status == 200 and b"strike-1925" in body
    assert headers["X-Filmgraph-Generation"]
    assert in_process(server) == before + 1


def test_a_lookup_answers_the_same_bytes_as_a_worker(server: RunningServer) -> None:
    before = in_process(server)
    here = sparql(server, LOOKUP)
    worker = sparql(server, LOOKUP + "\n# the comment sends it to a worker")
    assert in_process(server) == before + 1
    assert here[0] == worker[0] == 200 and here[2] == worker[2]
    assert here[1]["Content-Type"] == worker[1]["Content-Type"]


def test_a_syntax_error_in_a_lookup_is_a_400_as_from_a_worker(server: RunningServer) -> None:
    status, _, body = sparql(server, "SELECT ?f WHERE { ?f nope:label 1 }")
    assert status == 400 and b"syntax" in body


def test_a_lookup_longer_than_the_result_limit_goes_to_a_worker_and_is_cut(
    server: RunningServer,
) -> None:
    before = in_process(server)
    status, headers, body = sparql(server, EVERYTHING)
    assert in_process(server) == before
    assert status == 200 and headers["X-Filmgraph-Truncated"] == "true"
    assert len(json.loads(body)["results"]["bindings"]) == RESULT_LIMIT


def test_lookups_answer_in_process_while_four_runaways_run_in_workers(
    server: RunningServer,
) -> None:
    outcomes: list[int] = []

    def runaway(n: int) -> None:
        outcomes.append(sparql(server, f"{RUNAWAY} # {n}")[0])

    before = in_process(server)
    threads = [threading.Thread(target=runaway, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    answered = []
    while any(t.is_alive() for t in threads):
        status, _, body = sparql(server, LOOKUP)
        answered.append(status == 200 and b"strike-1925" in body)
    for thread in threads:
        thread.join()
    assert len(answered) >= 10 and all(answered)
    assert in_process(server) == before + len(answered)  # every lookup, and no runaway
    assert outcomes == [503] * 4  # stopped at the time limit, or refused: never answered


# -- /id/ descriptions ---------------------------------------------------------------------


def described(server: RunningServer) -> int:
    return int(json.loads(fetch(server, "/health")[2])["described_in_process"])


def resource(server: RunningServer, path: str, accept: str) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(server.url + path, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def worker_answer(server: RunningServer, path: str, accept: str) -> Reply:
    """What a worker answers (the function it runs, on the generation the server is on)."""
    generation = BuildDir(Path(server.pool.store_setting)).current()
    store = OxigraphStore(generation.store_path, read_only=True)
    job = Job("resource", name=f"{ID}{path.removeprefix('/id/')}", accept=accept)
    return answer(store, job, RESULT_LIMIT, allow_service=False)


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples"])
def test_a_short_description_is_answered_in_the_http_process_as_a_worker_answers_it(
    server: RunningServer, accept: str
) -> None:
    before = described(server)
    status, headers, body = resource(server, FEW, accept)
    assert described(server) == before + 1
    assert status == 200 and b"intolerance-1916" in body
    assert (
        headers["X-Filmgraph-Generation"]
        == BuildDir(Path(server.pool.store_setting)).current_name()
    )
    expected = worker_answer(server, FEW, accept)
    assert body == expected.body and headers["Content-Type"] == expected.content_type


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples"])
def test_a_longer_description_goes_to_a_worker_with_the_same_bytes(
    server: RunningServer, accept: str
) -> None:
    before = described(server)
    status, headers, body = resource(server, MANY, accept)
    assert described(server) == before
    assert status == 200 and b"battleship-potemkin-1925" in body
    expected = worker_answer(server, MANY, accept)
    assert body == expected.body and headers["Content-Type"] == expected.content_type


def test_an_unknown_resource_is_a_404_in_the_http_process_as_from_a_worker(
    server: RunningServer,
) -> None:
    before = described(server)
    status, _, body = resource(server, "/id/film/no-such-film-1900", "text/turtle")
    assert described(server) == before + 1
    assert (
        status == 404
        and body == worker_answer(server, "/id/film/no-such-film-1900", "text/turtle").body
    )


@pytest.mark.parametrize("accept", ["text/html", "application/ld+json"])
def test_pages_and_json_ld_still_go_to_workers(server: RunningServer, accept: str) -> None:
    before = described(server)
    status, _, _ = resource(server, FEW, accept)
    assert status == 200 and described(server) == before


def test_the_description_keeps_its_etag_and_is_answered_304(server: RunningServer) -> None:
    _, headers, _ = resource(server, FEW, "text/turtle")
    request = urllib.request.Request(
        server.url + FEW, headers={"Accept": "text/turtle", "If-None-Match": headers["ETag"]}
    )
    with pytest.raises(urllib.error.HTTPError) as answered:
        urllib.request.urlopen(request, timeout=30)
    assert answered.value.code == 304


def _chain(*links: tuple[str, str], graph: str | None = "urn:g") -> ox.Store:
    engine = ox.Store()
    replaced = ox.NamedNode("http://purl.org/dc/terms/isReplacedBy")
    where = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
    for old, new in links:
        engine.add(ox.Quad(ox.NamedNode(old), replaced, ox.NamedNode(new), where))
    return engine


@pytest.mark.parametrize(
    "links",
    [
        (),
        (("urn:a", "urn:b"),),
        (("urn:a", "urn:b"), ("urn:b", "urn:c")),
        (("urn:a", "urn:b"), ("urn:b", "urn:a")),  # a cycle ends where it closes
    ],
)
def test_merged_node_follows_the_chain_as_merged_into_does(
    links: tuple[tuple[str, str], ...],
) -> None:
    engine = _chain(*links)
    found = merged_node(engine, ox.NamedNode("urn:a"))
    assert found is not None
    assert found.value == str(merged_into(OxigraphStore.of(engine), URIRef("urn:a")))


def test_merged_node_leaves_two_replacements_to_the_query() -> None:
    engine = _chain(("urn:a", "urn:b"), ("urn:a", "urn:c"))
    assert merged_node(engine, ox.NamedNode("urn:a")) is None


def test_a_long_description_is_found_long_within_its_bound() -> None:
    engine = _chain(*((f"urn:s{n}", "urn:o") for n in range(50)), graph=None)
    found = bounded_description(engine, ox.NamedNode("urn:o"), 50)
    assert found is not None and len(found) == 50
    assert bounded_description(engine, ox.NamedNode("urn:o"), 49) is None


def test_the_two_index_ranges_are_what_resource_description_answers(
    server: RunningServer,
) -> None:
    generation = BuildDir(Path(server.pool.store_setting)).current()
    store = OxigraphStore(generation.store_path, read_only=True)
    text = get_query("resource-description").text
    subjects = {q.subject for q in store.engine.quads_for_pattern(None, None, None, None)}
    resources = [s for s in subjects if isinstance(s, ox.NamedNode) and s.value.startswith(ID)]
    assert len(resources) > 30
    for node in resources:
        ranges = bounded_description(store.engine, node, 10_000)
        assert ranges is not None
        queried = store.query_native(text, {"resource": URIRef(node.value)})
        assert isinstance(queried, ox.QueryTriples)
        assert set(ranges) == set(queried), node


# -- costly queries -------------------------------------------------------------------------

PAIRS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"


@pytest.fixture(scope="module")
def gated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    built: BuildResult = build(
        tmp_path_factory.mktemp("costly") / "build", sources=[PUBLISH / "curated"], bundled=False
    )
    settings = ServerSettings(
        port=0,
        time_limit=20,
        quick_time=10,
        workers=3,
        spares=1,
        costly_time=0.001,
        costly_queries=1,
        answer_cache=0,
    )
    running = start(str(built.generation.path.parent.parent), settings)
    yield running
    running.stop()


def test_a_costly_query_is_remembered_and_runs_one_at_a_time(gated: RunningServer) -> None:
    status, _, body = sparql(gated, PAIRS)  # more than a millisecond of processor time: remembered
    assert status == 200 and b'"n"' in body
    health = json.loads(fetch(gated, "/health")[2])
    assert health["costly_remembered"] == 1 and health["costly_most_at_once"] == 0
    outcomes: list[int] = []
    threads = [
        threading.Thread(target=lambda: outcomes.append(sparql(gated, PAIRS)[0])) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    lookups = [sparql(gated, LOOKUP)[0] for _ in range(5)]
    for thread in threads:
        thread.join()
    assert outcomes == [200] * 3 and lookups == [200] * 5
    health = json.loads(fetch(gated, "/health")[2])
    assert health["costly_most_at_once"] == 1 and health["costly_running"] == 0
