"""The SPARQL endpoint under load, against Oxigraph's own server and Virtuoso, in one run.

The servers answer the same graph on loopback:

- ``filmgraph serve`` (a subprocess, default settings but the time limit), and once more
  with ``--answer-cache 0`` (every request run, none answered from kept answers);
- ``oxigraph serve-read-only`` (the Rust server of the engine we embed, from the ``oxigraph``
  package) on the very store directory of the build, reading its default graph (the build
  keeps the RDF merge there);
- Virtuoso (Debian's ``virtuoso-t``), bulk-loaded with the build's quads;
- ``oxigraph-pages``: Oxigraph's server once more, a page request being the seven queries a
  film's page is drawn from, one after the other (its cost without the rendering).

Each gets the same request mix from a quarter of the clients each: a title lookup (SPARQL),
a named aggregate (``influential-films``), a resource's page as a person reads it
(``/id/film/…`` as HTML for filmgraph, drawn from seven queries; the ``resource-page``
query on the two others, which have no pages) and as a linked-data client reads it
(``/id/film/…`` as Turtle on filmgraph; on the others the ``resource-description`` query
that page runs, as Turtle). Phases:
16 and 64 clients, each with and without 4 clients sending a runaway query (a three-way
cartesian COUNT) over and over (honouring ``Retry-After``). Every loop is bounded by the
phase's duration; every server listens on 127.0.0.1 only.

    .venv/bin/python bench/bench_server.py [--store DIR] [--seconds 10] [--time-limit 10]

Results: ``bench/results/server.md`` and ``server.json``; each server's standard error goes
to ``bench/results/server-NAME.log``, and the report says what the servers complained of.
The servers run side by side and each phase is run against each of them in turn, so a
change in the (shared) machine's load falls on all alike. A phase in which a server process
ended is marked as such, and the phases after it are not run; the share of Oxigraph's
throughput is taken against Oxigraph's phases that ran without an error.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.client
import json
import os
import random
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import URIRef

from filmgraph.build import build
from filmgraph.builddir import BuildDir
from filmgraph.queries import get_query
from filmgraph.store.binding import bind_values

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
KINDS = ("lookup", "aggregate", "page", "data")
AGGREGATE = "influential-films"
RESULTS = ROOT / "bench" / "results"


@dataclass
class Request:
    path: str
    accept: str
    expect: bytes  # a byte string a correct answer contains
    # requests sent after it on the same connection, as one request of its kind: each must
    # answer 200 with SPARQL JSON results
    then: tuple[str, ...] = ()


@dataclass
class Film:
    iri: str
    lookup: str  # a SPARQL lookup of the film by its exact label


@dataclass
class Server:
    name: str
    port: int
    requests: dict[str, list[Request]]  # per kind, one per film: a client draws at random
    runaway: Request
    process: subprocess.Popen[bytes] | None = None
    # A server with no time limit (Oxigraph's) goes on computing a runaway query after its
    # client has gone, and would take the processor from every phase measured after it: it
    # is restarted after a phase with runaways.
    restart: Callable[[], None] | None = None


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    kept: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    runaway: dict[str, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_answers(
    port: int, path: str, process: subprocess.Popen[bytes] | None, seconds: float = 120
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"nothing answered on port {port} within {seconds:g} s")


def sparql_path(base: str, query: str) -> str:
    return f"{base}?" + urllib.parse.urlencode({"query": query})


#: what a film's page asks (filmgraph.server.pages.film_page), after ``resource-page``, with
#: the parameter each query takes the film as; film-drawn-on-by is the pages' own query
PAGE_QUERIES = (
    ("film-people", "film"),
    ("film-drawn-on-by", "influencer"),
    ("film-influences", "film"),
    ("film-similar", "film"),
    ("film-context", "film"),
    ("film-afterlife", "film"),
)


def page_queries_text() -> list[tuple[str, str]]:
    """The text of each query a film's page runs after ``resource-page``, with the parameter
    it takes the film as."""
    pages = Path(str(files("filmgraph.server").joinpath("queries")))
    return [
        (get_query(name, pages if (pages / f"{name}.rq").is_file() else None).text, parameter)
        for name, parameter in PAGE_QUERIES
    ]


def mix(
    base: str, films: list[Film], native: bool, page_queries: bool = False
) -> dict[str, list[Request]]:
    """The four requests, one per film: filmgraph's own routes when ``native``, else plain
    SPARQL; with ``page_queries`` a page is every query a film's page runs, one after the
    other, instead of ``resource-page`` alone."""
    json_type = "application/sparql-results+json"
    page_text = get_query("resource-page").text
    data_text = get_query("resource-description").text
    aggregate = Request(
        f"/queries/{AGGREGATE}" if native else sparql_path(base, get_query(AGGREGATE).text),
        json_type,
        b"bindings",
    )
    out: dict[str, list[Request]] = {"lookup": [], "aggregate": [aggregate], "page": [], "data": []}
    then_texts = page_queries_text() if page_queries else []
    for film in films:
        slug = film.iri.rsplit("/", 1)[1]
        # bound as filmgraph's remote store binds a parameter: a VALUES block opening the
        # WHERE pattern (appended after the query instead, Virtuoso 7.2 took over 120 s for a
        # resource-page it answers in 10-60 ms this way)
        page_query = bind_values(page_text, {"resource": URIRef(film.iri)})
        out["lookup"].append(Request(sparql_path(base, film.lookup), json_type, slug.encode()))
        out["page"].append(
            Request(
                f"/id/film/{slug}" if native else sparql_path(base, page_query),
                "text/html" if native else json_type,
                b'id="film-title"' if native else b"rdf-schema#label",
                tuple(
                    sparql_path(base, bind_values(text, {parameter: URIRef(film.iri)}))
                    for text, parameter in then_texts
                ),
            )
        )
        data_query = bind_values(data_text, {"resource": URIRef(film.iri)})
        out["data"].append(
            Request(
                f"/id/film/{slug}" if native else sparql_path(base, data_query),
                "text/turtle",
                b"label",
            )
        )
    return out


def client(server: Server, kind: str, stop: float, tally: Tally, seed: int) -> None:
    choices = server.requests[kind]
    draw = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    while time.monotonic() < stop:
        request = draw.choice(choices)
        started = time.perf_counter()
        status, failure = 0, ""
        try:
            conn.request("GET", request.path, headers={"Accept": request.accept})
            response = conn.getresponse()
            body = response.read()
            status = response.status
            ok = response.status == 200 and request.expect in body
            kept = response.getheader("X-Filmgraph-Answer", "") == "kept"
            if status == 200 and not ok:
                failure, status = "wrong answer", 0
            elif status != 200:  # what the server said, first line (digits kept)
                said = body.decode("utf-8", "replace").strip().splitlines()[:1]
                failure = said[0][:120] if said else ""
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
            for path in request.then if ok else ():
                conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
                response = conn.getresponse()
                if response.status != 200 or b"bindings" not in response.read():
                    ok, status, failure = False, 0, f"HTTP {response.status} on a page query"
                    conn.close()
                    break
        except (OSError, http.client.HTTPException) as exc:
            ok = False
            failure = type(exc).__name__
            conn.close()
        elapsed = (time.perf_counter() - started) * 1000
        with tally.lock:
            if ok:
                tally.latencies[kind].append(elapsed)
                tally.kept[kind] += kept
            else:
                tally.errors[kind] += 1
                what = f"{kind}: HTTP {status}" if status else f"{kind}: {failure}"
                if status and failure:
                    what += f" ({failure})"
                tally.failures[what] = tally.failures.get(what, 0) + 1
    conn.close()


def runaway_client(server: Server, stop: float, tally: Tally) -> None:
    while time.monotonic() < stop:
        conn = http.client.HTTPConnection(
            "127.0.0.1", server.port, timeout=max(1.0, stop - time.monotonic())
        )
        outcome = "no answer before the phase ended"
        retry = 0.0
        try:
            conn.request("GET", server.runaway.path, headers={"Accept": server.runaway.accept})
            response = conn.getresponse()
            response.read()
            outcome = f"HTTP {response.status}"
            retry = float(response.getheader("Retry-After", "0") or 0)
        except (OSError, http.client.HTTPException):
            pass
        finally:
            conn.close()
        with tally.lock:
            tally.runaway[outcome] = tally.runaway.get(outcome, 0) + 1
        time.sleep(min(retry, 1.0, max(0.0, stop - time.monotonic())))


def phase(server: Server, clients: int, runaways: int, seconds: float) -> dict[str, object]:
    tally = Tally()
    stop = time.monotonic() + seconds
    threads = [
        threading.Thread(target=client, args=(server, KINDS[n % len(KINDS)], stop, tally, n))
        for n in range(clients)
    ]
    threads += [
        threading.Thread(target=runaway_client, args=(server, stop, tally)) for _ in range(runaways)
    ]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    took = time.monotonic() - began
    out: dict[str, object] = {
        "runaway": tally.runaway,
        "failures": tally.failures,
        "load": os.getloadavg()[0],
    }
    for kind in KINDS:
        values = tally.latencies[kind]
        q = statistics.quantiles(values, n=100) if len(values) > 1 else [0.0] * 99
        out[kind] = {
            "n": len(values),
            "rps": len(values) / took,
            "p50": q[49],
            "p99": q[98],
            "errors": tally.errors[kind],
            "kept": tally.kept[kind] / max(1, len(values)),
        }
    if server.process is not None and server.process.poll() is not None:
        out["died"] = server.process.returncode
    return out


# -- the three servers ----------------------------------------------------------------------


@contextmanager
def filmgraph_server(
    store: Path,
    films: list[Film],
    time_limit: float,
    log: Path,
    errors: Path | None = None,
    *,
    cache: bool = True,
    http_processes: int = 1,
    options: tuple[str, ...] = (),
) -> Iterator[Server]:
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "filmgraph"),
            "serve",
            "--store",
            str(store),
            "--port",
            str(port),
            "--time-limit",
            str(time_limit),
            "--access-log",
            str(log),
            *([] if cache else ["--answer-cache", "0"]),
            "--http-processes",
            str(http_processes),
            *options,
        ],
        stdout=subprocess.DEVNULL,
        stderr=_log_file(errors),
    )
    name = "filmgraph serve" if cache else "filmgraph serve, no answer cache"
    if http_processes > 1:
        name += f", {http_processes} HTTP processes"
    if options:
        name += " (" + " ".join(options) + ")"
    server = Server(
        name,
        port,
        mix("/sparql", films, native=True),
        Request(sparql_path("/sparql", RUNAWAY), "application/sparql-results+json", b""),
        process,
    )
    try:
        wait_until_answers(port, "/ready", process)
        yield server
    finally:
        stop(process)


@contextmanager
def oxigraph_server(
    store_path: Path,
    films: list[Film],
    time_limit: float,
    errors: Path | None = None,
    *,
    page_queries: bool = False,
) -> Iterator[Server]:
    port = free_port()
    program = shutil.which("oxigraph", path=str(BIN)) or "oxigraph"
    command = [
        program,
        "serve-read-only",
        "--location",
        str(store_path),
        "--bind",
        f"127.0.0.1:{port}",
        # No --union-default-graph: a build keeps the RDF merge of its sources in the
        # default graph, so the union would count every triple twice.
        # No --timeout-s either: in 0.5.13 it starts a thread per query that sleeps out
        # the whole limit (3,000 lookups left 3,005 threads), so above ~1,000 req/s the
        # threads exhaust the memory maps and the server aborts ("failed to allocate an
        # alternative stack", exit -6); and it did not stop the runaway query anyway.
    ]

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=_log_file(errors))
        wait_until_answers(port, sparql_path("/query", "ASK {}"), process)
        return process

    server = Server(
        "oxigraph serve-read-only" + (", a page = the page's 7 queries" if page_queries else ""),
        port,
        mix("/query", films, native=False, page_queries=page_queries),
        Request(sparql_path("/query", RUNAWAY), "application/sparql-results+json", b""),
    )

    def restart() -> None:
        if server.process is not None:
            stop(server.process)
        server.process = start()

    server.restart = restart
    try:
        server.process = start()
        yield server
    finally:
        if server.process is not None:
            stop(server.process)


def _log_file(path: Path | None) -> int | IO[bytes]:
    """Where a server's standard error goes: ``path`` (appended to), else nowhere."""
    if path is None:
        return subprocess.DEVNULL
    return path.open("ab")  # the child holds it; closed when this process ends


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server process: politely, then for good."""
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


@contextmanager
def loaded_virtuoso(
    quads: Path,
    folder: Path,
    *,
    time_limit: float | None = None,
    clients: int | None = None,
    errors: Path | None = None,
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """Debian's Virtuoso on loopback, bulk-loaded with the N-Quads file ``quads``.

    Yields its HTTP port and process. ``time_limit`` and ``clients`` widen the test ini's
    query time limit and its connection and thread pools (for the load benchmark).
    """
    program = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt")
    if program is None or isql is None:
        raise RuntimeError(
            "virtuoso-opensource is not installed (apt-get install virtuoso-opensource)"
        )
    (folder / "vsp").mkdir(parents=True)
    http_port, sql_port = free_port(), free_port()
    template = (ROOT / "tests/fixtures/publish/virtuoso.ini").read_text(encoding="utf-8")
    ini = template.format(dir=folder, sql_port=sql_port, http_port=http_port)
    if time_limit is not None:
        ini = ini.replace(
            "MaxQueryExecutionTime      = 120", f"MaxQueryExecutionTime      = {int(time_limit)}"
        )
    if clients is not None:
        ini = ini.replace("MaxClientConnections = 20", f"MaxClientConnections = {clients}")
        ini = ini.replace("ServerThreads        = 20", f"ServerThreads        = {clients}")
    (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
    process = subprocess.Popen(
        [program, "+configfile", str(folder / "virtuoso.ini"), "+foreground"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=_log_file(errors),
    )
    try:
        wait_until_answers(http_port, sparql_path("/sparql", "ASK {}"), process)
        shutil.copy(quads, folder / "graph.nq")
        subprocess.run(
            [
                isql,
                f"127.0.0.1:{sql_port}",
                "dba",
                "dba",
                f"exec=ld_dir('{folder}', 'graph.nq', 'urn:filmgraph:default'); "
                "rdf_loader_run(); checkpoint;",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        yield http_port, process
    finally:
        stop(process)


@contextmanager
def virtuoso_server(
    quads: Path, films: list[Film], time_limit: float, folder: Path, errors: Path | None = None
) -> Iterator[Server]:
    with loaded_virtuoso(quads, folder, time_limit=time_limit, clients=80, errors=errors) as (
        port,
        process,
    ):
        yield Server(
            "Virtuoso 7.2 (Debian)",
            port,
            mix("/sparql", films, native=False),
            Request(sparql_path("/sparql", RUNAWAY), "application/sparql-results+json", b""),
            process,
        )


# -- the run -------------------------------------------------------------------------------


def cache_counts(server: Server) -> tuple[int, int, int, int] | None:
    """filmgraph's answer-cache hits and misses so far, the lookups and the ``/id/``
    descriptions it answered in its HTTP processes (from ``/health``, which sums them over
    every HTTP process), else ``None``."""
    if not server.name.startswith("filmgraph"):
        return None
    if server.process is not None and server.process.poll() is not None:
        return None
    time.sleep(0.5)  # every HTTP process has reported its numbers since the phase ended
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", "/health")
        health = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    return (
        int(health["cache_hits"]),
        int(health["cache_misses"]),
        int(health.get("answered_in_process", 0)),
        int(health.get("described_in_process", 0)),
    )


def all_films(store_path: Path) -> list[Film]:
    """Every film with its label: clients draw among them at random, so an answer a server
    keeps is not the whole story."""
    store = ox.Store.read_only(str(store_path))
    rows = store.query(
        "PREFIX fg: <https://w3id.org/filmgraph/ontology#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?f (SAMPLE(?label) AS ?l) WHERE { ?f a fg:Film ; rdfs:label ?label } "
        "GROUP BY ?f ORDER BY ?f"
    )
    if not isinstance(rows, ox.QuerySolutions):
        raise TypeError("the film list query gave no rows")
    films = []
    for row in rows:
        label: ox.Literal = row["l"]
        literal = json.dumps(label.value) + (f"@{label.language}" if label.language else "")
        lookup = (
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            f"SELECT ?film WHERE {{ ?film rdfs:label {literal} }}"
        )
        films.append(Film(str(row["f"].value), lookup))
    return films


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--store", type=Path, help="a build directory (default: a fresh build of the bundled graph)"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=10.0,
        help="the query time limit of filmgraph and Virtuoso, in seconds",
    )
    parser.add_argument("--clients", default="16,64", help="client counts, comma-separated")
    parser.add_argument(
        "--warm-up",
        type=float,
        default=5.0,
        help="seconds of the request mix (the fewest clients, no runaways) each server gets "
        "before the first phase, not counted",
    )
    parser.add_argument(
        "--servers",
        default="filmgraph,filmgraph-uncached,oxigraph,oxigraph-pages,virtuoso",
        help="which servers to measure, comma-separated (filmgraph-uncached: filmgraph serve "
        "keeping no answers, so every request runs; oxigraph-pages: Oxigraph's server, a page "
        "being the seven queries a film's page runs)",
    )
    parser.add_argument(
        "--http-processes",
        default="1",
        help="filmgraph's HTTP processes, comma-separated: each filmgraph server is measured "
        "once per count",
    )
    parser.add_argument(
        "--serve-options",
        default="",
        help="more options for filmgraph serve when it runs several HTTP processes, e.g. "
        "'--workers 2 --spares 1 --page-workers 1' (the worker counts are per process)",
    )
    parser.add_argument(
        "--compare-options",
        default="",
        help="measure each filmgraph server once more with these options for filmgraph "
        "serve, in the same run, e.g. '--in-process-triples 0'",
    )
    parser.add_argument(
        "--out",
        default="server",
        help="name of the results under bench/results/ (NAME.md, NAME.json)",
    )
    args = parser.parse_args()
    chosen = args.servers.split(",")
    processes = [int(n) for n in args.http_processes.split(",")]
    counts = [int(c) for c in args.clients.split(",")]
    results: dict[str, dict[tuple[int, int], dict[str, object]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store_dir = args.store
        if store_dir is None:
            store_dir = Path(tmp) / "build"
            build(store_dir)
        generation = BuildDir(store_dir).current()
        quads_count = generation.summary()["counts"]["triples"]
        films = all_films(generation.store_path)
        nquads = Path(tmp) / "graph.nq"
        ox.Store.read_only(str(generation.store_path)).dump(
            str(nquads), format=ox.RdfFormat.N_QUADS
        )
        logs = {name: RESULTS / f"server-{name}.log" for name in chosen}
        for log in logs.values():
            log.write_bytes(b"")
        servers: dict[str, Callable[[], contextlib.AbstractContextManager[Server]]] = {
            "oxigraph": lambda: oxigraph_server(
                generation.store_path, films, args.time_limit, logs["oxigraph"]
            ),
            "oxigraph-pages": lambda: oxigraph_server(
                generation.store_path,
                films,
                args.time_limit,
                logs["oxigraph-pages"],
                page_queries=True,
            ),
            "virtuoso": lambda: virtuoso_server(
                nquads, films, args.time_limit, Path(tmp) / "virtuoso", logs["virtuoso"]
            ),
        }
        extra = tuple(shlex.split(args.compare_options))
        for variant in ("filmgraph", "filmgraph-uncached"):
            for count in processes:
                if variant not in chosen:
                    continue
                options = tuple(shlex.split(args.serve_options)) if count > 1 else ()
                for compared in ((), extra) if extra else ((),):
                    key = variant if count == 1 else f"{variant}-{count}"
                    if compared:
                        key += " " + " ".join(compared)
                    servers[key] = functools.partial(
                        filmgraph_server,
                        store_dir,
                        films,
                        args.time_limit,
                        Path(tmp) / "access.log",
                        logs[variant],
                        cache=variant == "filmgraph",
                        http_processes=count,
                        options=options + compared,
                    )
        order = [n for n in chosen if not n.startswith("filmgraph")]
        order = [n for n in servers if n.startswith("filmgraph")] + order
        with contextlib.ExitStack() as stack:
            running: list[Server] = []
            for name in order:
                try:
                    server = stack.enter_context(servers[name]())
                except RuntimeError as exc:  # a server that would not start: said, not hidden
                    print(f"== {name} did not start: {exc}", flush=True)
                    started[name] = str(exc)
                    continue
                print(f"== {server.name} on 127.0.0.1:{server.port}", flush=True)
                running.append(server)
            # A server's first requests warm what it keeps (the engine's caches, parsed
            # queries, workers' first pages): not what the phases measure.
            for server in running if args.warm_up > 0 else ():
                phase(server, min(counts), 0, args.warm_up)
            # Phase by phase, each server in turn: the machine is shared, and a change in its
            # load then falls on every server alike instead of on the one measured last.
            for clients in counts:
                for runaways in (0, 4):
                    for server in running:
                        measure(
                            server, clients, runaways, args, results.setdefault(server.name, {})
                        )
    write_report(results, quads_count, len(films), args, logs)


started: dict[str, str] = {}  # servers that did not start, with why


def measure(
    server: Server,
    clients: int,
    runaways: int,
    args: argparse.Namespace,
    results: dict[tuple[int, int], dict[str, object]],
) -> None:
    """One phase against one server; once the server has died, later phases are not run."""
    died = [r.get("died", r.get("not_run")) for r in results.values()]
    if any(code is not None for code in died):
        results[(clients, runaways)] = {"not_run": next(c for c in died if c is not None)}
        return
    before = cache_counts(server)
    outcome = phase(server, clients, runaways, args.seconds)
    if "died" not in outcome:
        after = cache_counts(server)
        if before is not None and after is not None:
            hits, misses, here, described = (after[i] - before[i] for i in range(4))
            outcome["cache_hits"] = hits / max(1, hits + misses)
            # the lookups and descriptions answered in the HTTP processes (a phase's
            # requests may be kept answers)
            outcome["lookups_in_process"] = here / max(1, int(_kind(outcome, "lookup")["n"]))
            outcome["data_in_process"] = described / max(1, int(_kind(outcome, "data")["n"]))
    results[(clients, runaways)] = outcome
    print(server.name, clients, runaways, json.dumps(outcome), flush=True)
    # filmgraph and Virtuoso stop a query at the time limit: wait for it to pass, so that no
    # query of this phase (a runaway, or a slow server's aggregate its client gave up on)
    # still runs while the next server is measured; a server with no limit is restarted.
    if runaways and server.restart is not None:
        server.restart()
    time.sleep(args.time_limit + 1)


def _clean(r: dict[str, object] | None) -> bool:
    """True for a phase that ran to its end without a single error."""
    if r is None or "not_run" in r or "died" in r:
        return False
    return sum(int(_kind(r, k)["errors"]) for k in KINDS) == 0


def _kind(r: dict[str, object], kind: str) -> dict[str, float]:
    value = r[kind]
    assert isinstance(value, dict)
    return value


def _complaints(log: Path, most: int = 6) -> list[str]:
    """The distinct lines a server wrote to standard error, most frequent first."""
    if not log.is_file():
        return []
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    counted: dict[str, int] = {}
    for line in lines:
        if line.strip():
            key = line.strip()[:200]
            counted[key] = counted.get(key, 0) + 1
    ranked = sorted(counted.items(), key=lambda item: -item[1])
    out = [f"{n} times: `{text}`" for text, n in ranked[:most]]
    if len(ranked) > most:
        out.append(f"… and {len(ranked) - most} other distinct lines")
    return out


def _compared(
    key: tuple[int, int], theirs: dict[tuple[int, int], dict[str, object]]
) -> tuple[tuple[int, int], dict[str, object]] | None:
    """The phase of ``theirs`` to compare phase ``key`` with, and its key: the same phase if
    it ran clean, else the clean phase with the same clients and no runaways, else none."""
    basis = key if _clean(theirs.get(key)) else (key[0], 0)
    o = theirs.get(basis)
    return (basis, o) if o is not None and _clean(o) else None


def _page_share(
    key: tuple[int, int], page: dict[str, float], theirs: dict[tuple[int, int], dict[str, object]]
) -> str:
    """filmgraph's HTML pages as a share of Oxigraph's pages made of the page's queries."""
    compared = _compared(key, theirs)
    if compared is None:
        return "-"
    basis, o = compared
    share = f"{100 * page['rps'] / max(_kind(o, 'page')['rps'], 1e-9):.0f} %"
    return share if basis == key else f"{share} (against {basis[0]} clients, no runaways)"


def _shares(
    variant: str,
    ours: dict[tuple[int, int], dict[str, object]],
    theirs: dict[tuple[int, int], dict[str, object]],
    page_queries: dict[tuple[int, int], dict[str, object]],
) -> list[str]:
    """The rows of the share-of-Oxigraph table for one filmgraph variant."""
    rows = []
    for key, r in ours.items():
        head = f"| {variant} | {key[0]} | {key[1]} | "
        if "not_run" in r or "died" in r:
            rows.append(head + "filmgraph serve died | | | | | | | | | |")
            continue
        compared = _compared(key, theirs)
        if compared is None:
            rows.append(head + "no clean Oxigraph phase to compare with | | | | | | | | | |")
            continue
        basis, o = compared
        look, page, data = _kind(r, "lookup"), _kind(r, "page"), _kind(r, "data")
        olook, opage, odata = _kind(o, "lookup"), _kind(o, "page"), _kind(o, "data")
        errors = sum(int(_kind(r, k)["errors"]) for k in KINDS)
        here = 100 * float(str(r.get("lookups_in_process", 0)))
        described = 100 * float(str(r.get("data_in_process", 0)))
        where = "same phase" if basis == key else f"{basis[0]} clients, no runaways"
        rows.append(
            head + f"{100 * look['rps'] / max(olook['rps'], 1e-9):.0f} %"
            f" | {100 * data['rps'] / max(odata['rps'], 1e-9):.0f} %"
            f" | {100 * page['rps'] / max(opage['rps'], 1e-9):.0f} %"
            f" | {_page_share(key, page, page_queries)} | {where} | "
            f"{look['p99']:.1f} | {errors} | {100 * look['kept']:.0f} / "
            f"{100 * page['kept']:.0f} % | {here:.0f} % | {described:.0f} % |"
        )
    return rows


def write_report(
    results: dict[str, dict[tuple[int, int], dict[str, object]]],
    quads: int,
    film_count: int,
    args: argparse.Namespace,
    logs: dict[str, Path],
) -> None:
    lines = [
        "# SPARQL endpoint under load, against Oxigraph's server and Virtuoso "
        "(bench/bench_server.py)",
        "",
        f"Graph: the bundled build, {quads:,} quads. Every server on 127.0.0.1, same machine "
        f"as the clients ({os.cpu_count()} cores, shared). Each server first gets "
        f"{args.warm_up:g} s of the mix, not counted. Each phase {args.seconds:g} s; a "
        "quarter of the clients each sends one kind of request over a kept-alive connection: "
        f"**lookup** (a film by its exact label, SPARQL), **aggregate** (the named query "
        f"`{AGGREGATE}`: `/queries/{AGGREGATE}` on filmgraph, its text on the others), "
        f"**page** (`/id/film/…` as HTML on filmgraph, drawn from seven queries; the "
        "`resource-page` query on the others, which have no pages), **data** (`/id/film/…` as "
        "Turtle on filmgraph, what a linked-data client dereferencing the IRI gets; on the "
        "others the `resource-description` query that answer runs, as Turtle). Each lookup, "
        "page and data request is for "
        "a film drawn at "
        f"random among all {film_count:,} films. *Runaways*: 4 more "
        "clients send a three-way cartesian COUNT again and again (honouring Retry-After, "
        f"at most 1 s); time limit {args.time_limit:g} s for filmgraph and Virtuoso, "
        "none for Oxigraph (its `--timeout-s` aborts the server at this rate: see the notes), "
        "whose server is restarted after each phase with runaways: it goes on computing them "
        "after their clients have gone, and took the processor from every phase after it. "
        "Latencies in ms; errors are non-200 answers, wrong answers and failed connections. "
        "*load*: the machine's 1-minute load average at the end of the phase. *kept*: the "
        "share of filmgraph's lookups / aggregates / pages answered from its per-generation "
        "answer cache (header `X-Filmgraph-Answer: kept`); the cache lives as long as the "
        "server, so it carries over from one phase to the next. *died*: the server process "
        "ended during the phase (its exit code); the phases after it were not run.",
        "",
        "| server | clients | runaways | lookup req/s | lookup p50 | lookup p99 | "
        "aggregate req/s | aggregate p99 | page req/s | page p50 | page p99 | data req/s | "
        "data p99 | errors | load | kept l / a / p / d |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, phases in results.items():
        for (clients, runaways), r in phases.items():
            if "not_run" in r:
                lines.append(
                    f"| {name} | {clients} | {runaways} | not run: the server had died "
                    f"(exit {r['not_run']}) | | | | | | | | | | | | |"
                )
                continue
            look, agg, page, data = (_kind(r, k) for k in KINDS)
            errors = int(look["errors"] + agg["errors"] + page["errors"] + data["errors"])
            if "died" in r:
                rates = f"**died** (exit {r['died']}) | | | | | | | | | | "
            else:
                rates = (
                    f"{look['rps']:.1f} | {look['p50']:.1f} | {look['p99']:.1f} | "
                    f"{agg['rps']:.1f} | {agg['p99']:.1f} | {page['rps']:.1f} | "
                    f"{page['p50']:.1f} | {page['p99']:.1f} | {data['rps']:.1f} | "
                    f"{data['p99']:.1f} | "
                )
            kept = (
                " / ".join(f"{100 * _kind(r, k)['kept']:.0f}" for k in KINDS) + " %"
                if name.startswith("filmgraph")
                else "-"
            )
            lines.append(
                f"| {name} | {clients} | {runaways} | {rates}{errors} | {r['load']:.1f} | {kept} |"
            )
    theirs = results.get("oxigraph serve-read-only", {})
    page_queries = results.get("oxigraph serve-read-only, a page = the page's 7 queries", {})
    lines += [
        "",
        "## filmgraph serve against Oxigraph's server (target: ≥ 50 % for lookups "
        "and /id/ pages; lookup p99 < 200 ms while runaways run; 0 errors)",
        "",
        "Each share is taken against Oxigraph's phase with the same clients and runaways when "
        "that phase ran without an error; when it had errors (or its server died), against "
        "Oxigraph's phase with the same clients and no runaways, which ran clean (its best "
        "figure, so the share is the harder one). *kept*: as above. *lookups in HTTP "
        "process*: the share of the phase's lookups answered in filmgraph's HTTP process as "
        "bounded lookups (`answered_in_process` of `/health`, which sums it over filmgraph's "
        "HTTP processes), without a worker; *data in HTTP process*: the same for the `/id/` "
        "Turtle answers (`described_in_process`). *HTML, % of the page's queries*: the "
        "film pages against Oxigraph's server answering, per page, the seven queries the page "
        "is drawn from, one after the other (server `oxigraph-pages`; `-` when it was not "
        "measured): what a page costs there without rendering it, where the column before "
        "compares a page with one query.",
        "",
        "| filmgraph | clients | runaways | lookups, % of Oxigraph | /id/ as data, % of Oxigraph "
        "| /id/ as HTML, % of Oxigraph's resource-page | /id/ as HTML, % of the page's queries "
        "on Oxigraph | against Oxigraph's | lookup p99 (ms) | errors | "
        "kept l / p | lookups in HTTP process | data in HTTP process |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for variant, ours in results.items():
        if variant.startswith("filmgraph"):
            label = variant.removeprefix("filmgraph serve").strip(", ") or "answer cache on"
            lines += _shares(label, ours, theirs, page_queries)
    lines += ["", "## What the failed requests got", ""]
    for name, phases in results.items():
        for (clients, runaways), r in phases.items():
            if r.get("failures"):
                lines.append(f"- {name}, {clients} clients, {runaways} runaways: {r['failures']}")
    lines += ["", "## What the runaway queries got", ""]
    for name, phases in results.items():
        for (clients, runaways), r in phases.items():
            if runaways and "runaway" in r:
                lines.append(f"- {name}, {clients} clients: {r['runaway']}")
    lines += ["", "## What the servers wrote to standard error", ""]
    for name, log in logs.items():
        said = _complaints(log)
        where = f"`bench/results/{log.name}`"
        lines.append(f"- {name} ({where}): " + ("nothing" if not said else ""))
        lines += [f"  - {line}" for line in said]
    for name, why in started.items():
        lines.append(f"- {name} did not start: {why}")
    lines += ["", f"Measured {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC.", ""]
    (RESULTS / f"{args.out}.md").write_text("\n".join(lines), encoding="utf-8")
    table = {
        name: {f"{c} clients, {w} runaways": r for (c, w), r in phases.items()}
        for name, phases in results.items()
    }
    (RESULTS / f"{args.out}.json").write_text(
        json.dumps(
            {"seconds": args.seconds, "time_limit": args.time_limit, "results": table}, indent=1
        )
        + "\n",
        encoding="utf-8",
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
