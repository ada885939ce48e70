"""Load test of the SPARQL endpoint on loopback: concurrent clients for a fixed time.

Reports requests per second, latency percentiles and errors for ``filmgraph serve`` (worker
processes over the embedded Oxigraph store) and, in the same run, for the naive route: a
plain ``ThreadingHTTPServer`` answering from an in-process rdflib Dataset. Then it checks
that the endpoint stops a runaway query at its time limit while it keeps answering others.

    .venv/bin/python bench/bench_server.py [--store DIR] [--seconds 10] [--clients 8]

Results: ``bench/results/server.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from rdflib import Dataset

from filmgraph.build import build
from filmgraph.builddir import BuildDir
from filmgraph.results import sparql_json
from filmgraph.server import ServerSettings, start
from filmgraph.store.base import SelectResult
from filmgraph.store.memory import MemoryStore

ROOT = Path(__file__).resolve().parents[1]
QUERIES = [
    # a lookup by title
    'PREFIX fg: <https://w3id.org/filmgraph/ontology#> PREFIX rdfs: '
    '<http://www.w3.org/2000/01/rdf-schema#> SELECT ?f WHERE { ?f a fg:Film ; rdfs:label ?l . '
    'FILTER (STR(?l) = "Strike") }',
    # who drew on whom, with aspects (a join over claim nodes)
    'PREFIX fg: <https://w3id.org/filmgraph/ontology#> SELECT ?film ?influencer ?aspect WHERE '
    '{ ?c fg:influencee ?film ; fg:influencer ?influencer . OPTIONAL { ?c fg:aspect ?aspect } } '
    'LIMIT 100',
    # an aggregate
    'PREFIX fg: <https://w3id.org/filmgraph/ontology#> SELECT ?class (COUNT(?s) AS ?n) '
    'WHERE { ?s a ?class } GROUP BY ?class',
]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def naive_server(dataset: Dataset) -> ThreadingHTTPServer:
    """The naive route: rdflib answers in the request thread; no limits, no workers."""
    store = MemoryStore(dataset)
    lock = threading.Lock()  # rdflib's in-memory store is not safe for concurrent queries

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)["query"][0]
            with lock:
                result = store.query(query)
            assert isinstance(result, SelectResult)
            body = json.dumps(sparql_json(result)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def load(url: str, seconds: float, clients: int) -> dict[str, float]:
    """``clients`` threads send the queries in turn for ``seconds``; latencies in ms."""
    latencies: list[float] = []
    errors = [0]
    wrong = [0]
    stop = time.monotonic() + seconds
    guard = threading.Lock()

    def client(offset: int) -> None:
        i = offset
        while time.monotonic() < stop:
            query = QUERIES[i % len(QUERIES)]
            i += 1
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(url + "?" + urllib.parse.urlencode({"query": query}),
                                            timeout=60) as response:
                    data = json.loads(response.read())
                ok = "results" in data and (i % len(QUERIES) != 1 or data["results"]["bindings"])
            except (urllib.error.URLError, OSError, ValueError):
                with guard:
                    errors[0] += 1
                continue
            elapsed = (time.perf_counter() - started) * 1000
            with guard:
                latencies.append(elapsed)
                if not ok:
                    wrong[0] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - began
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {"requests": len(latencies), "rps": len(latencies) / took, "p50": quantiles[49],
            "p90": quantiles[89], "p99": quantiles[98], "max": max(latencies, default=0.0),
            "errors": errors[0], "wrong": wrong[0]}


def runaway_check(base: str, limit: float) -> dict[str, object]:
    """A query past the time limit is stopped; lookups meanwhile are all answered."""
    outcome: dict[str, object] = {}

    def slow() -> None:
        started = time.monotonic()
        try:
            urllib.request.urlopen(base + "/sparql?" + urllib.parse.urlencode({"query": RUNAWAY}),
                                   timeout=120)
            outcome["status"] = 200
        except urllib.error.HTTPError as error:
            outcome["status"] = error.code
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=slow)
    thread.start()
    answered = 0
    asked = 0
    while thread.is_alive():
        asked += 1
        with urllib.request.urlopen(base + "/sparql?" + urllib.parse.urlencode(
                {"query": QUERIES[0]}), timeout=30) as response:
            answered += response.status == 200
        time.sleep(0.05)
    outcome.update(asked=asked, answered=answered, limit=limit)
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a build directory (default: a fresh build "
                        "of tests/fixtures/publish/curated)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--time-limit", type=float, default=3.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store_dir = args.store
        if store_dir is None:
            store_dir = Path(tmp) / "build"
            build(store_dir, sources=[ROOT / "tests/fixtures/publish/curated"], bundled=False)
        generation = BuildDir(store_dir).current()
        quads = generation.summary()["counts"]["triples"]
        running = start(str(store_dir), ServerSettings(port=0, time_limit=args.time_limit,
                                                       access_log=Path(tmp) / "access.log"))
        try:
            ours = load(running.url + "/sparql", args.seconds, args.clients)
            runaway = runaway_check(running.url, args.time_limit)
            health = json.loads(urllib.request.urlopen(running.url + "/health").read())
        finally:
            running.stop()
        dataset = Dataset()
        dataset.parse(generation.trig_path, format="trig")
        naive = naive_server(dataset)
        try:
            plain = load(f"http://127.0.0.1:{naive.server_address[1]}/", args.seconds,
                         args.clients)
        finally:
            naive.shutdown()
    rows = [("filmgraph serve (2 workers, Oxigraph)", ours),
            ("naive: rdflib in the request thread", plain)]
    lines = [
        "# SPARQL endpoint under load (bench/bench_server.py)", "",
        f"Graph: {quads:,} quads ({store_dir if args.store else 'the publishing test fixture'}). "
        f"{args.clients} concurrent clients on loopback for {args.seconds:g} s each, cycling "
        "through a title lookup, a claim join (100 rows) and a per-class count. Latencies in ms.",
        "", "| server | requests | req/s | p50 | p90 | p99 | max | errors | wrong answers |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in rows:
        lines.append(f"| {name} | {r['requests']:.0f} | {r['rps']:.1f} | {r['p50']:.1f} | "
                     f"{r['p90']:.1f} | {r['p99']:.1f} | {r['max']:.1f} | {r['errors']:.0f} | "
                     f"{r['wrong']:.0f} |")
    lines += ["", f"Throughput ratio (filmgraph serve / naive): {ours['rps'] / plain['rps']:.2f}x",
              "", "## A runaway query", "",
              f"A cross-product count with a {args.time_limit:g} s limit answered "
              f"HTTP {runaway['status']} after {runaway['seconds']:.1f} s (stopped); "
              f"meanwhile {runaway['answered']} of {runaway['asked']} lookups were answered. "
              f"/health afterwards: {health['status']}, "
              f"stopped queries {health['stopped_queries']}.",
              "", f"Machine: {__import__('os').cpu_count()} cores; measured "
              f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC.", ""]
    out = ROOT / "bench" / "results" / "server.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
