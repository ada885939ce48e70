"""The SPARQL endpoint, exercised by real clients: SPARQLWrapper, rdflib's SPARQLStore,
curl, the filmgraph remote store, and headless Chromium on the query page.

One server (two worker processes, a 3-second time limit, a 200-row result limit) answers
every test of this module; the hostile-input tests check after each that it still does.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from xml.dom.minidom import Document, Node, Text

import pytest
from pyld import jsonld
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper

from filmgraph.build import BuildResult, build
from filmgraph.errors import QueryError
from filmgraph.namespaces import FG, ID
from filmgraph.server import RunningServer, ServerSettings, start
from filmgraph.server.cache import AnswerCache
from filmgraph.server.formats import Reply
from filmgraph.store.base import SelectResult
from filmgraph.store.sparql import SparqlStore

from .conftest import require_program
from .publish_support import PUBLISH

FILMS = (
    "PREFIX fg: <https://w3id.org/filmgraph/ontology#> SELECT ?f WHERE { ?f a fg:Film } ORDER BY ?f"
)
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
EVERYTHING = "SELECT * WHERE { ?s ?p ?o }"
RESULT_LIMIT = 200


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(
        tmp_path_factory.mktemp("served") / "build", sources=[PUBLISH / "curated"], bundled=False
    )


@pytest.fixture(scope="module")
def server(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    log = tmp_path_factory.mktemp("log") / "access.log"
    settings = ServerSettings(
        port=0,
        time_limit=3,
        result_limit=RESULT_LIMIT,
        workers=2,
        max_query_bytes=20_000,
        max_body_bytes=50_000,
        access_log=log,
    )
    running = start(str(built.generation.path.parent.parent), settings)
    yield running
    running.stop()


def fetch(
    url: str,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def still_answers(server: RunningServer) -> bool:
    status, _, body = fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": FILMS}))
    return status == 200 and len(json.loads(body)["results"]["bindings"]) == 3


# -- the protocol, with real clients ------------------------------------------------------


def text_of(element: Node | None) -> str:
    """The text of a DOM element such as ``<uri>``: its first child, a text node."""
    assert element is not None and isinstance(element.firstChild, Text), element
    return element.firstChild.data


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_reads_select_results_in_every_format(
    server: RunningServer, fmt: str
) -> None:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(FILMS)
    client.setReturnFormat(fmt)
    converted = client.query().convert()
    if fmt == JSON:
        assert isinstance(converted, dict)
        films = [b["f"]["value"] for b in converted["results"]["bindings"]]
    elif fmt == XML:
        assert isinstance(converted, Document)
        films = [text_of(n.firstChild) for n in converted.getElementsByTagName("binding")]
    else:
        assert isinstance(converted, bytes)
        lines = converted.decode().strip().splitlines()
        films = [line.strip("<>") for line in lines[1:]]
    assert films == [
        str(ID[f"film/{f}"])
        for f in ("battleship-potemkin-1925", "intolerance-1916", "strike-1925")
    ]


def test_sparqlwrapper_gets_a_construct_as_turtle(server: RunningServer) -> None:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(
        "CONSTRUCT { ?f a <https://w3id.org/filmgraph/ontology#Film> } WHERE "
        "{ ?f a <https://w3id.org/filmgraph/ontology#Film> }"
    )
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")  # type: ignore[arg-type]
    assert len(graph) == 3


def test_sparqlwrapper_posts_a_query(server: RunningServer) -> None:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setMethod("POST")
    client.setQuery("ASK { ?f a <https://w3id.org/filmgraph/ontology#Film> }")
    client.setReturnFormat(JSON)
    answer = client.query().convert()
    assert isinstance(answer, dict)
    assert answer["boolean"] is True


def test_rdflib_sparqlstore_queries_the_endpoint(server: RunningServer) -> None:
    graph = Graph(store=SPARQLStore(server.url + "/sparql"))
    rows = list(graph.query(FILMS))
    assert len(rows) == 3
    labels = {str(o) for o in graph.objects(ID["film/strike-1925"], RDFS.label)}
    assert labels == {"Strike"}


def test_the_filmgraph_remote_store_reads_the_endpoint(server: RunningServer) -> None:
    store = SparqlStore(server.url + "/sparql")
    result = store.query(FILMS)
    assert isinstance(result, SelectResult) and len(result) == 3
    bound = store.query(
        f"SELECT ?f ?label WHERE {{ ?f <{RDFS.label}> ?label }}", {"f": ID["film/strike-1925"]}
    )
    assert isinstance(bound, SelectResult)
    assert [row[1] for row in bound.rows] == [Literal("Strike", lang="en")]


@pytest.mark.integration
def test_curl_gets_csv_by_content_negotiation(server: RunningServer) -> None:
    curl = require_program("curl")
    done = subprocess.run(
        [
            curl,
            "-sS",
            "-G",
            server.url + "/sparql",
            "-H",
            "Accept: text/csv",
            "--data-urlencode",
            f"query={FILMS}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.splitlines() == ["f"] + [
        str(ID[f"film/{f}"])
        for f in ("battleship-potemkin-1925", "intolerance-1916", "strike-1925")
    ]


@pytest.mark.integration
def test_curl_posts_a_direct_query_body(server: RunningServer) -> None:
    curl = require_program("curl")
    done = subprocess.run(
        [
            curl,
            "-sS",
            "-X",
            "POST",
            server.url + "/sparql",
            "-H",
            "Content-Type: application/sparql-query",
            "-H",
            "Accept: application/sparql-results+xml",
            "--data-binary",
            FILMS,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.count("<result>") == 3 and "sparql-results#" in done.stdout


@pytest.mark.integration
def test_curl_posts_a_urlencoded_query(server: RunningServer) -> None:
    curl = require_program("curl")
    done = subprocess.run(
        [
            curl,
            "-sS",
            "-X",
            "POST",
            server.url + "/sparql",
            "-H",
            "Accept: text/tab-separated-values",
            "--data-urlencode",
            f"query={FILMS}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.splitlines()[0] == "?f"
    assert len(done.stdout.splitlines()) == 4


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_a_construct_comes_in_the_negotiated_syntax(
    server: RunningServer, accept: str, fmt: str
) -> None:
    query = f"CONSTRUCT {{ ?f ?p ?o }} WHERE {{ ?f a <{FG.Film}> ; ?p ?o }}"
    status, headers, body = fetch(
        server.url + "/sparql?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": accept},
    )
    assert status == 200 and headers["Content-Type"].startswith(accept)
    graph = Graph().parse(data=body.decode(), format=fmt)
    assert (ID["film/strike-1925"], RDFS.label, Literal("Strike", lang="en")) in graph


def test_describe_answers_a_graph(server: RunningServer) -> None:
    query = f"DESCRIBE <{ID['film/strike-1925']}>"
    status, _, body = fetch(
        server.url + "/sparql?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": "text/turtle"},
    )
    assert status == 200
    assert (ID["film/strike-1925"], RDFS.label, Literal("Strike", lang="en")) in Graph().parse(
        data=body.decode(), format="turtle"
    )


def test_an_unsatisfiable_accept_header_gets_406(server: RunningServer) -> None:
    status, _, body = fetch(
        server.url + "/sparql?" + urllib.parse.urlencode({"query": FILMS}),
        headers={"Accept": "image/png"},
    )
    assert status == 406 and b"text/csv" in body


# -- limits ------------------------------------------------------------------------------


def test_a_long_answer_is_cut_and_says_so_in_a_header_and_a_field(server: RunningServer) -> None:
    status, headers, body = fetch(
        server.url + "/sparql?" + urllib.parse.urlencode({"query": EVERYTHING})
    )
    document = json.loads(body)
    assert status == 200
    assert headers["X-Filmgraph-Truncated"] == "true"
    assert document["truncated"] is True and document["limit"] == RESULT_LIMIT
    assert len(document["results"]["bindings"]) == RESULT_LIMIT


def test_a_short_answer_is_not_marked_truncated(server: RunningServer) -> None:
    status, headers, body = fetch(
        server.url + "/sparql?" + urllib.parse.urlencode({"query": FILMS})
    )
    assert status == 200 and "X-Filmgraph-Truncated" not in headers
    assert "truncated" not in json.loads(body)


def test_the_remote_store_refuses_a_cut_answer(server: RunningServer) -> None:
    with pytest.raises(QueryError, match="cut the result short"):
        SparqlStore(server.url + "/sparql").query(EVERYTHING)


def test_a_runaway_query_is_stopped_while_others_are_answered(server: RunningServer) -> None:
    outcome: dict[str, tuple[int, bytes]] = {}

    def slow() -> None:
        status, _, body = fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": SLOW}))
        outcome["slow"] = (status, body)

    thread = threading.Thread(target=slow)
    thread.start()
    answered = [still_answers(server) for _ in range(5)]  # while the slow one runs
    thread.join(30)
    assert all(answered)
    status, body = outcome["slow"]
    assert status == 503 and b"time limit" in body
    deadline = time.monotonic() + 30  # the killed worker is replaced
    while json.loads(fetch(server.url + "/health")[2])["stopped_queries"] < 1:
        assert time.monotonic() < deadline
    assert still_answers(server)


# -- hostile input -----------------------------------------------------------------------


def _raw(server: RunningServer, request: bytes) -> bytes:
    host, port = server.address
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks):
                break
        return b"".join(chunks)


HOSTILE = {
    "malformed query": (
        "GET",
        "/sparql?" + urllib.parse.urlencode({"query": "SELEC ?x {"}),
        None,
        {},
        400,
    ),
    "query too long": (
        "POST",
        "/sparql",
        ("SELECT * WHERE { ?s ?p ?o } #" + "x" * 30_000).encode(),
        {"Content-Type": "application/sparql-query"},
        413,
    ),
    "body too large": (
        "POST",
        "/sparql",
        b"query=" + b"x" * 60_000,
        {"Content-Type": "application/x-www-form-urlencoded"},
        413,
    ),
    "update as form field": (
        "POST",
        "/sparql",
        b"update=" + urllib.parse.quote("INSERT DATA { <urn:a> <urn:b> <urn:c> }").encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
        403,
    ),
    "update as sparql-update body": (
        "POST",
        "/sparql",
        b"DROP ALL",
        {"Content-Type": "application/sparql-update"},
        403,
    ),
    "update in the query parameter": (
        "GET",
        "/sparql?" + urllib.parse.urlencode({"query": "DELETE WHERE { ?s ?p ?o }"}),
        None,
        {},
        403,
    ),
    "unknown body type": ("POST", "/sparql", b"<x/>", {"Content-Type": "application/xml"}, 415),
    "no query": ("GET", "/sparql", None, {}, 400),
    "dataset parameter that is no IRI": (
        "GET",
        "/sparql?"
        + urllib.parse.urlencode({"query": FILMS, "default-graph-uri": "<file:///etc/passwd>"}),
        None,
        {},
        400,
    ),
    "PUT a graph": (
        "PUT",
        "/sparql",
        b"<urn:a> <urn:b> <urn:c> .",
        {"Content-Type": "application/n-triples"},
        405,
    ),
    "DELETE": ("DELETE", "/sparql", None, {}, 405),
    "resource path with a bad slug": ("GET", "/id/film/Strike_1925", None, {}, 400),
    "unknown resource": ("GET", "/id/film/no-such-film-1900", None, {}, 404),
    "unknown kind": ("GET", "/id/secret/x", None, {}, 404),
    "unknown static file": ("GET", "/static/passwd.js", None, {}, 404),
    "unknown named query": ("GET", "/queries/no-such-query", None, {}, 404),
    "named query without its parameter": ("GET", "/queries/film-influences", None, {}, 400),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_input_gets_a_clear_4xx_and_the_server_keeps_running(
    server: RunningServer, case: str
) -> None:
    method, path, data, headers, expected = HOSTILE[case]
    status, response_headers, body = fetch(server.url + path, data, headers, method)
    assert status == expected, body
    assert response_headers["Content-Type"].startswith("text/plain")
    assert body.strip()  # a message a person can read
    assert still_answers(server)


@pytest.mark.parametrize(
    "path",
    [
        b"/id/../../../etc/passwd",
        b"/id/film/..%2F..%2Fetc%2Fpasswd",
        b"/static/../app.py",
        b"/static/%2e%2e/%2e%2e/pyproject.toml",
        b"//etc/passwd",
    ],
)
def test_path_traversal_is_refused(server: RunningServer, path: bytes) -> None:
    answer = _raw(
        server, b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"root:" not in answer and b"[project]" not in answer
    assert still_answers(server)


def test_a_chunked_body_is_refused(server: RunningServer) -> None:
    answer = _raw(
        server,
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Transfer-Encoding: chunked\r\nContent-Type: application/sparql-query\r\n\r\n"
        b"5\r\nASK{}\r\n0\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 411")
    assert still_answers(server)


@pytest.fixture
def listener() -> Iterator[tuple[int, list[object]]]:
    """A TCP port on loopback that records every connection made to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(0.2)
    seen: list[object] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            seen.append(conn)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(sock.getsockname()[1]), seen
    stop.set()
    thread.join(2)
    sock.close()


def test_service_is_refused_before_anything_is_fetched(
    server: RunningServer, listener: tuple[int, list[object]]
) -> None:
    port, seen = listener
    for target in (f"http://127.0.0.1:{port}/sparql", "http://192.0.2.1/sparql"):
        query = f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"
        status, _, body = fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": query}))
        assert status == 403 and b"SERVICE" in body
    time.sleep(0.5)
    assert seen == []
    assert still_answers(server)


def test_service_hidden_in_a_nested_pattern_is_refused(server: RunningServer) -> None:
    query = (
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { { ?s ?p ?o } UNION "
        "{ SERVICE SILENT <http://192.0.2.1/sparql> { ?s ?p ?o } } } }"
    )
    status, _, _ = fetch(server.url + "/sparql?" + urllib.parse.urlencode({"query": query}))
    assert status == 403


# -- resources, pages, CORS, health, log ---------------------------------------------------


def test_a_resource_iri_answers_html_to_a_browser(server: RunningServer) -> None:
    status, headers, body = fetch(
        server.url + "/id/film/battleship-potemkin-1925",
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert status == 200 and headers["Content-Type"].startswith("text/html"), body
    page = body.decode()
    assert '<h1 id="film-title">Battleship Potemkin' in page  # a film gets its page for people
    assert 'href="/id/person/sergei-eisenstein"' in page


def test_a_resource_iri_answers_turtle_to_a_client(server: RunningServer) -> None:
    status, _, body = fetch(server.url + "/id/film/strike-1925", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=body.decode(), format="turtle")
    assert status == 200
    assert (ID["film/strike-1925"], FG.director, ID["person/sergei-eisenstein"]) in graph
    assert (ID["film/battleship-potemkin-1925"], FG.inspiredBy, ID["film/strike-1925"]) in graph


def test_a_resource_iri_gives_the_same_triples_in_turtle_and_json_ld(
    server: RunningServer,
) -> None:
    # Turtle is written from resource-description in the query lane, JSON-LD from the
    # resource-page rows: two routes, one description
    _, _, turtle = fetch(server.url + "/id/film/strike-1925", headers={"Accept": "text/turtle"})
    _, _, document = fetch(
        server.url + "/id/film/strike-1925", headers={"Accept": "application/ld+json"}
    )
    nquads = jsonld.to_rdf(json.loads(document), {"format": "application/n-quads"})
    assert isomorphic(
        Graph().parse(data=turtle.decode(), format="turtle"),
        Graph().parse(data=nquads, format="nquads"),
    )


def test_a_resource_iri_answers_jsonld_that_pyld_reads(server: RunningServer) -> None:
    status, _, body = fetch(
        server.url + "/id/film/strike-1925", headers={"Accept": "application/ld+json"}
    )
    nquads = jsonld.to_rdf(json.loads(body), {"format": "application/n-quads"})
    graph = Graph().parse(data=nquads, format="nquads")
    assert status == 200
    assert (ID["film/strike-1925"], FG.director, ID["person/sergei-eisenstein"]) in graph


def test_a_named_query_runs_with_url_parameters(server: RunningServer) -> None:
    status, _, body = fetch(
        server.url
        + "/queries/film-influences?"
        + urllib.parse.urlencode({"film": "film:battleship-potemkin-1925"})
    )
    rows = json.loads(body)["results"]["bindings"]
    assert status == 200
    assert {r["influencerLabel"]["value"] for r in rows} == {"Intolerance", "Strike"}


def test_cors_lets_browser_clients_in(server: RunningServer) -> None:
    status, headers, _ = fetch(
        server.url + "/sparql",
        method="OPTIONS",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    _, headers, _ = fetch(
        server.url + "/sparql?" + urllib.parse.urlencode({"query": FILMS}),
        headers={"Origin": "https://example.org"},
    )
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_health_says_ok_once_the_store_is_open(server: RunningServer) -> None:
    status, _, body = fetch(server.url + "/health")
    assert status == 200 and json.loads(body)["status"] == "ok"


def test_every_request_is_in_the_access_log(server: RunningServer) -> None:
    fetch(server.url + "/health?probe=access-log")
    log = server.settings.access_log
    assert log is not None
    lines = Path(log).read_text(encoding="utf-8").splitlines()
    assert any('"GET /health?probe=access-log HTTP/1.1" 200' in line for line in lines)


def test_an_answer_names_its_generation_in_a_weak_etag(server: RunningServer) -> None:
    url = server.url + "/sparql?" + urllib.parse.urlencode({"query": FILMS + " # etag"})
    status, headers, _ = fetch(url)
    generation = headers["X-Filmgraph-Generation"]
    assert status == 200 and headers["ETag"].startswith(f'W/"{generation}.')
    assert headers["Cache-Control"] == "no-cache"


def test_a_client_holding_the_answer_gets_304(server: RunningServer) -> None:
    url = server.url + "/queries/film-influences?film=film:strike-1925"
    _, headers, _ = fetch(url)
    status, again, body = fetch(url, headers={"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b"" and again["ETag"] == headers["ETag"]


def test_a_repeated_request_is_answered_the_same_without_a_worker(
    server: RunningServer,
) -> None:
    url = server.url + "/sparql?" + urllib.parse.urlencode({"query": FILMS + " # repeated"})
    first = fetch(url)
    before = json.loads(fetch(server.url + "/health")[2])["cache_hits"]
    second = fetch(url)
    after = json.loads(fetch(server.url + "/health")[2])["cache_hits"]
    assert after == before + 1
    assert first[0] == second[0] == 200 and first[2] == second[2]
    assert first[1]["ETag"] == second[1]["ETag"]


def test_an_answer_says_whether_it_was_run_or_kept(server: RunningServer) -> None:
    url = server.url + "/sparql?" + urllib.parse.urlencode({"query": FILMS + " # run or kept"})
    first, second = fetch(url), fetch(url)
    assert first[1]["X-Filmgraph-Answer"] == "run"
    assert second[1]["X-Filmgraph-Answer"] == "kept"


def test_an_answer_cache_of_zero_bytes_keeps_nothing() -> None:
    kept, off = AnswerCache(max_bytes=1024), AnswerCache(max_bytes=0)
    for cache in (kept, off):
        cache.put("generation-1", "key", Reply(200, "text/plain", b""))
    assert kept.get("generation-1", "key") is not None
    assert off.get("generation-1", "key") is None


def test_answers_differ_by_accept_header_in_the_cache(server: RunningServer) -> None:
    url = server.url + "/sparql?" + urllib.parse.urlencode({"query": FILMS + " # accept"})
    _, as_json, json_body = fetch(url, headers={"Accept": "application/sparql-results+json"})
    _, as_csv, csv_body = fetch(url, headers={"Accept": "text/csv"})
    assert as_csv["Content-Type"].startswith("text/csv") and csv_body != json_body
    assert as_csv["ETag"] != as_json["ETag"]


def test_the_maps_script_is_served_from_static(server: RunningServer) -> None:
    status, headers, body = fetch(server.url + "/static/viz/vis-network.min.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert b"vis-network" in body[:2000]


def test_the_context_is_published(server: RunningServer) -> None:
    status, headers, body = fetch(server.url + "/context.jsonld")
    assert status == 200 and headers["Content-Type"] == "application/ld+json"
    assert json.loads(body)["@context"]["director"]["@type"] == "@id"


def test_the_serve_command_documents_every_setting() -> None:
    from dataclasses import fields

    from filmgraph.cli import parser

    text = parser().parse_args(["serve", "--port", "0"])
    for f in fields(ServerSettings):
        assert hasattr(text, f.name)
    assert os.environ.get("FILMGRAPH_NEVER_SET") is None
