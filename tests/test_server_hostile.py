"""The endpoint against hostile and careless clients, on loopback, with short limits.

Raw sockets speak the malformed HTTP no well-behaved client library would send: smuggled
requests, conflicting headers, heads and bodies that never finish, too many connections.
Runaway queries run beside lookups; every client mistake must be a 4xx with a message.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from filmgraph.build import BuildResult, build
from filmgraph.namespaces import ID
from filmgraph.results import render
from filmgraph.server import RunningServer, ServerSettings, start
from filmgraph.server.answers import MAX_NESTING
from filmgraph.store import open_store

from .publish_support import PUBLISH

FILMS = (
    "PREFIX fg: <https://w3id.org/filmgraph/ontology#> SELECT ?f WHERE { ?f a fg:Film } ORDER BY ?f"
)
LOOKUP = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    'SELECT ?f WHERE { ?f rdfs:label "Strike"@en }'
)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HEAD_TIMEOUT = 1.0
BODY_TIMEOUT = 1.0
MAX_CONNECTIONS = 24


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(
        tmp_path_factory.mktemp("hostile") / "build", sources=[PUBLISH / "curated"], bundled=False
    )


@pytest.fixture(scope="module")
def server(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    settings = ServerSettings(
        port=0,
        time_limit=4,
        quick_time=0.3,
        workers=2,
        spares=2,
        slow_queries=2,
        header_timeout=HEAD_TIMEOUT,
        body_timeout=BODY_TIMEOUT,
        idle_timeout=1,
        max_connections=MAX_CONNECTIONS,
        max_body_bytes=50_000,
        access_log=tmp_path_factory.mktemp("log") / "access.log",
    )
    running = start(str(built.generation.path.parent.parent), settings)
    yield running
    running.stop()


def fetch(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def sparql(server: RunningServer, query: str, accept: str = "") -> tuple[int, Message, bytes]:
    headers = {"Accept": accept} if accept else {}
    return fetch(
        server.url + "/sparql?" + urllib.parse.urlencode({"query": query}), headers=headers
    )


def still_answers(server: RunningServer) -> bool:
    status, _, body = sparql(server, FILMS)
    return status == 200 and len(json.loads(body)["results"]["bindings"]) == 3


def connect(server: RunningServer) -> socket.socket:
    return socket.create_connection(server.address, timeout=10)


def read_all(conn: socket.socket, limit: float = 10.0) -> bytes:
    """Everything the server sends until it closes the connection (at most ``limit`` s)."""
    conn.settimeout(limit)
    chunks = []
    try:
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    except TimeoutError:
        pass
    return b"".join(chunks)


def statuses(raw: bytes) -> list[int]:
    return [int(line.split()[1]) for line in raw.split(b"\r\n") if line.startswith(b"HTTP/1.1 ")]


# -- request framing -----------------------------------------------------------------------


def test_an_unread_body_is_never_taken_for_a_second_request(server: RunningServer) -> None:
    smuggled = b"GET /smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with connect(server) as conn:
        conn.sendall(
            b"POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
            + str(len(smuggled)).encode()
            + b"\r\n\r\n"
            + smuggled
            + b"GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        answer = read_all(conn)
    # the POST is refused; then /ready is answered, or the connection closed: no /smuggled
    assert statuses(answer) in ([405], [405, 200])
    assert b"nothing at /smuggled" not in answer
    log = Path(str(server.settings.access_log)).read_text(encoding="utf-8")
    assert "/smuggled" not in log


@pytest.mark.parametrize(
    "headers",
    [
        b"Content-Length: 5\r\nContent-Length: 40\r\n",
        b"Content-Length: 5, 40\r\n",
        b"Content-Length: -5\r\n",
        b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
        b"Transfer-Encoding: gzip, chunked, identity\r\n",
    ],
    ids=["two lengths", "a list of lengths", "negative", "length and chunked", "bad coding"],
)
def test_conflicting_or_malformed_framing_headers_are_refused(
    server: RunningServer, headers: bytes
) -> None:
    with connect(server) as conn:
        conn.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/sparql-query\r\n"
            + headers
            + b"\r\nASK{}GET /smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        )
        answer = read_all(conn)
    codes = statuses(answer)
    assert len(codes) == 1 and 400 <= codes[0] < 500, answer
    assert still_answers(server)


@pytest.mark.parametrize(
    "line",
    [
        b"GET /health\x1b[2J HTTP/1.1",
        b"GET /he alth HTTP/1.1",
        b"GARBAGE",
    ],
    ids=["escape sequence", "space in target", "no target"],
)
def test_a_malformed_request_line_is_refused_and_not_logged_raw(
    server: RunningServer, line: bytes
) -> None:
    with connect(server) as conn:
        conn.sendall(line + b"\r\nHost: 127.0.0.1\r\n\r\n")
        answer = read_all(conn)
    assert statuses(answer)[:1] in ([400], [505], [])
    log = Path(str(server.settings.access_log)).read_text(encoding="utf-8")
    assert "\x1b" not in log


def test_the_access_log_escapes_what_the_client_wrote(server: RunningServer) -> None:
    fetch(server.url + "/health?probe=log", headers={"User-Agent": 'evil" 200 "ü\\'})
    deadline = time.monotonic() + 5
    while True:  # the line is written just after the answer is sent
        log = Path(str(server.settings.access_log)).read_text(encoding="utf-8").splitlines()
        found = [line for line in log if "probe=log" in line]
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    line = found[0]
    assert line.endswith("ms") and '"evil\\x22 200 \\x22\\xfc\\x5c"' in line


def test_no_version_banner(server: RunningServer) -> None:
    _, headers, _ = fetch(server.url + "/health")
    assert "Server" not in headers


# -- slow and half-sent requests ----------------------------------------------------------


def test_a_half_sent_head_is_answered_408_and_closed(server: RunningServer) -> None:
    with connect(server) as conn:
        conn.sendall(b"GET /health HTTP/1.1\r\nHost: 127.")
        started = time.monotonic()
        answer = read_all(conn, limit=HEAD_TIMEOUT + 5)
    assert statuses(answer) == [408]
    assert time.monotonic() - started < HEAD_TIMEOUT + 4


def test_a_head_dribbled_byte_by_byte_is_cut_off(server: RunningServer) -> None:
    with connect(server) as conn:
        started = time.monotonic()
        closed = False
        for byte in b"GET /health HTTP/1.1\r\nX-Slow: " + b"a" * 200:
            try:
                conn.sendall(bytes([byte]))
            except OSError:
                closed = True
                break
            time.sleep(0.05)
            if time.monotonic() - started > HEAD_TIMEOUT + 3:
                break
        answer = read_all(conn, limit=3)
    assert closed or statuses(answer) == [408]


def test_a_pipelined_request_is_not_cut_by_the_head_deadline_while_it_runs(
    server: RunningServer,
) -> None:
    runaway = urllib.parse.urlencode({"query": RUNAWAY})
    with connect(server) as conn:
        conn.sendall(
            b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            b"GET /sparql?" + runaway.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Connection: close\r\n\r\n"
        )
        answer = read_all(conn, limit=15)
    # the second request runs past the head deadline (1 s) until the time limit stops it;
    # its head follows the first answer's body (which ends in no line break)
    assert re.findall(rb"HTTP/1\.1 (\d{3}) ", answer) == [b"200", b"503"]


def test_a_request_head_past_the_size_bound_is_refused_431(server: RunningServer) -> None:
    with connect(server) as conn:
        with contextlib.suppress(OSError):  # the server may close before all is sent
            conn.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 40_000)
        answer = read_all(conn, limit=5)
    assert statuses(answer) == [431]
    assert still_answers(server)


def test_a_body_announced_but_never_sent_is_answered_408(server: RunningServer) -> None:
    with connect(server) as conn:
        conn.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/sparql-query\r\nContent-Length: 40000\r\n\r\nASK"
        )
        answer = read_all(conn, limit=BODY_TIMEOUT + 5)
    assert statuses(answer) == [408]
    assert b"did not arrive" in answer


def test_a_body_larger_than_the_limit_is_refused_before_it_is_read(server: RunningServer) -> None:
    with connect(server) as conn:
        conn.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/sparql-query\r\nContent-Length: 900000\r\n\r\n"
        )
        answer = read_all(conn, limit=5)
    assert statuses(answer) == [413]


def test_connections_past_the_cap_are_refused_and_half_sent_ones_expire(
    server: RunningServer,
) -> None:
    held = [connect(server) for _ in range(MAX_CONNECTIONS + 6)]
    try:
        for conn in held:
            with contextlib.suppress(OSError):  # the server may have closed it already
                conn.sendall(b"GET /health HTTP/1.1\r\n")  # never finished
        refused = 0
        for conn in held[-6:]:
            try:
                refused += statuses(read_all(conn, limit=2)) in ([503], [])
            except ConnectionResetError:
                refused += 1
        assert refused == 6
    finally:
        for conn in held:
            conn.close()
    time.sleep(HEAD_TIMEOUT + 0.5)
    assert still_answers(server)


# -- the Host guard and CORS --------------------------------------------------------------


def test_a_foreign_host_is_refused_on_a_loopback_bind(server: RunningServer) -> None:
    with connect(server) as conn:
        conn.sendall(
            b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: attacker.example\r\n"
            b"Connection: close\r\n\r\n"
        )
        answer = read_all(conn)
    assert statuses(answer) == [400]


def test_cors_origins_are_a_setting(built: BuildResult) -> None:
    settings = ServerSettings(port=0, workers=1, spares=0, cors_origins="https://archive.example")
    running = start(str(built.generation.path.parent.parent), settings)
    try:
        _, allowed, _ = fetch(
            running.url + "/health", headers={"Origin": "https://archive.example"}
        )
        _, other, _ = fetch(running.url + "/health", headers={"Origin": "https://evil.example"})
    finally:
        running.stop()
    assert allowed["Access-Control-Allow-Origin"] == "https://archive.example"
    assert "Access-Control-Allow-Origin" not in other


# -- queries: runaways, lanes, readiness ----------------------------------------------------


def _runaways(
    server: RunningServer, count: int, query: str = RUNAWAY
) -> tuple[list[threading.Thread], list[tuple[int, Message]]]:
    outcomes: list[tuple[int, Message]] = []

    def run(n: int) -> None:
        status, headers, _ = sparql(server, f"{query} # {n}")
        outcomes.append((status, headers))

    threads = [
        threading.Thread(target=run, args=(n if "again" not in query else 0,)) for n in range(count)
    ]
    for thread in threads:
        thread.start()
    return threads, outcomes


def test_lookups_keep_being_answered_while_two_runaway_queries_run(
    server: RunningServer,
) -> None:
    threads, outcomes = _runaways(server, 2)
    answered = []
    while any(t.is_alive() for t in threads):
        status, _, body = sparql(server, LOOKUP)
        answered.append(status == 200 and b"strike-1925" in body)
    for thread in threads:
        thread.join()
    assert len(answered) >= 10 and all(answered)
    assert [status for status, _ in outcomes] == [503, 503]
    assert all(int(headers["Retry-After"]) >= 1 for _, headers in outcomes)


def test_more_runaways_than_the_slow_lane_holds_are_refused_with_retry_after(
    server: RunningServer,
) -> None:
    # two slow-lane places, two more for queries found expensive while it is full: the
    # other two of six are stopped at once
    threads, outcomes = _runaways(server, 6, RUNAWAY + " # more")
    for thread in threads:
        thread.join()
    assert [status for status, _ in outcomes] == [503] * 6
    assert all(int(headers["Retry-After"]) >= 1 for _, headers in outcomes)
    _, _, body = fetch(server.url + "/health")
    assert json.loads(body)["refused_queries"] >= 2
    assert still_answers(server)


def test_a_runaway_sent_again_waits_for_the_slow_lane_and_never_takes_a_quick_worker(
    server: RunningServer,
) -> None:
    threads, first = _runaways(server, 1, RUNAWAY + " # again")
    for thread in threads:
        thread.join()
    threads, again = _runaways(server, 3, RUNAWAY + " # again")  # the same text, remembered
    lookups = []
    while any(t.is_alive() for t in threads):
        lookups.append(sparql(server, LOOKUP)[0])
    for thread in threads:
        thread.join()
    assert [s for s, _ in first] == [503] and sorted(s for s, _ in again) == [503] * 3
    assert set(lookups) == {200}
    _, _, body = fetch(server.url + "/health")
    assert json.loads(body)["slow_queries_running"] == 0


def test_readiness_and_liveness_answer(server: RunningServer) -> None:
    status, _, body = fetch(server.url + "/ready")
    assert status == 200 and json.loads(body)["ready"] is True
    status, _, body = fetch(server.url + "/health")
    assert status == 200 and json.loads(body)["status"] == "ok"


# -- client mistakes are 4xx with a message -----------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected", "words"),
    [
        (
            "/queries/film-influences?film=" + urllib.parse.quote("http://bad iri/x"),
            400,
            b"not a valid IRI",
        ),
        (
            "/sparql?"
            + urllib.parse.urlencode(
                {"query": "SELECT * WHERE { ?s ?p ?o FILTER(<http://example.org/nofn>(?o)) }"}
            ),
            400,
            b"not supported",
        ),
        (
            "/sparql?"
            + urllib.parse.urlencode(
                {
                    "query": "SELECT * WHERE "
                    + "{" * (MAX_NESTING + 1)
                    + "?s ?p ?o"
                    + "}" * (MAX_NESTING + 1)
                }
            ),
            400,
            b"nested too deeply",
        ),
        ("/sparql?" + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p "}), 400, b"syntax"),
    ],
    ids=["invalid IRI parameter", "unknown function", "nested too deep", "syntax error"],
)
def test_client_mistakes_are_4xx_with_a_message(
    server: RunningServer, path: str, expected: int, words: bytes
) -> None:
    status, headers, body = fetch(server.url + path)
    assert status == expected and words in body, body
    assert headers["Content-Type"].startswith("text/plain")


def test_a_query_nested_forty_groups_deep_is_answered(server: RunningServer) -> None:
    query = "SELECT ?f WHERE " + "{" * 40 + f"?f a <{ID}x>" + "}" * 40
    status, _, body = sparql(
        server, query.replace(f"<{ID}x>", "<https://w3id.org/filmgraph/ontology#Film>")
    )
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 3


def test_from_limits_the_default_graph_to_the_graphs_named(server: RunningServer) -> None:
    status, _, body = sparql(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    graphs = sorted(b["g"]["value"] for b in json.loads(body)["results"]["bindings"])
    one = graphs[0]
    _, _, union = sparql(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    _, _, only = sparql(server, f"SELECT (COUNT(*) AS ?n) FROM <{one}> WHERE {{ ?s ?p ?o }}")
    _, _, named = sparql(
        server, f"SELECT DISTINCT ?g FROM NAMED <{one}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    )

    def count(body: bytes) -> int:
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])

    assert status == 200 and len(graphs) > 1
    assert 0 < count(only) < count(union)
    assert [b["g"]["value"] for b in json.loads(named)["results"]["bindings"]] == [one]


def graphs_of(server: RunningServer) -> list[str]:
    _, _, body = sparql(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    return [b["g"]["value"] for b in json.loads(body)["results"]["bindings"]]


def count_over(server: RunningServer, query: str, **dataset: list[str]) -> int:
    fields = [("query", query)] + [
        (name.replace("_", "-"), iri) for name, iris in dataset.items() for iri in iris
    ]
    status, _, body = fetch(server.url + "/sparql?" + urllib.parse.urlencode(fields))
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_default_graph_uri_makes_the_default_graph_as_from_does(server: RunningServer) -> None:
    one = graphs_of(server)[0]
    by_parameter = count_over(server, COUNT, default_graph_uri=[one])
    by_from = count_over(server, f"SELECT (COUNT(*) AS ?n) FROM <{one}> WHERE {{ ?s ?p ?o }}")
    assert 0 < by_parameter == by_from < count_over(server, COUNT)


def test_default_graph_uri_overrides_the_querys_from(server: RunningServer) -> None:
    first, second = graphs_of(server)[:2]
    query = f"SELECT (COUNT(*) AS ?n) FROM <{first}> WHERE {{ ?s ?p ?o }}"
    assert count_over(server, query, default_graph_uri=[second]) == count_over(
        server, COUNT, default_graph_uri=[second]
    )
    assert count_over(server, COUNT, default_graph_uri=[second]) != count_over(server, query)


def test_named_graph_uri_names_the_graphs_and_leaves_the_default_graph_empty(
    server: RunningServer,
) -> None:
    first, second = graphs_of(server)[:2]
    named = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert count_over(server, named, named_graph_uri=[first, second]) == 2
    assert count_over(server, COUNT, named_graph_uri=[first]) == 0


def test_dataset_parameters_come_in_a_form_body_too(server: RunningServer) -> None:
    one = graphs_of(server)[0]
    body = urllib.parse.urlencode([("query", COUNT), ("default-graph-uri", one)]).encode()
    status, _, answer = fetch(
        server.url + "/sparql",
        body,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    found = int(json.loads(answer)["results"]["bindings"][0]["n"]["value"])
    assert status == 200 and found == count_over(server, COUNT, default_graph_uri=[one])


def test_a_dataset_parameter_that_is_no_iri_gets_400(server: RunningServer) -> None:
    status, _, body = fetch(
        server.url
        + "/sparql?"
        + urllib.parse.urlencode({"query": COUNT, "named-graph-uri": "not an iri"})
    )
    assert status == 400 and b"named-graph-uri" in body and b"not a valid IRI" in body


def test_an_accept_header_refusing_html_gets_no_html(server: RunningServer) -> None:
    status, headers, _ = fetch(
        server.url + "/id/film/strike-1925", headers={"Accept": "*/*, text/html;q=0"}
    )
    assert status == 200 and not headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_the_endpoint_and_the_command_line_write_the_same_bytes(
    server: RunningServer, built: BuildResult, fmt: str
) -> None:
    with open_store(str(built.generation.path.parent.parent)) as store:
        expected = render(store.query(FILMS), fmt)
    _, _, body = fetch(
        server.url + "/sparql?" + urllib.parse.urlencode({"query": FILMS, "format": fmt})
    )
    assert body.decode("utf-8") == expected


def test_static_files_are_served_with_their_types_and_traversal_refused(
    server: RunningServer,
) -> None:
    status, headers, _ = fetch(server.url + "/static/style.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    status, _, _ = fetch(server.url + "/static/nothing/here.js")
    assert status == 404
    with connect(server) as conn:
        conn.sendall(
            b"GET /static/../../pyproject.toml HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Connection: close\r\n\r\n"
        )
        assert statuses(read_all(conn)) == [400]
