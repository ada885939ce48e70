"""How a loader's triples reach the store: the build's route against the ones before it.

The curated tables of a generated graph are read as a build reads them, each document
handed over every ``SPILL_AT`` triples, and every hand-over is then written to a new
in-memory store (and to its document's N-Triples file, as the build keeps it) by:

- **N-Triples**, the build's route: rdflib's N-Triples writer, then the engine's parser
  (:func:`filmgraph.store.oxigraph.ntriples`, :func:`~filmgraph.store.oxigraph.add_ntriples`);
- **terms**, the route before it: a pyoxigraph term made for each rdflib term, the file
  written by the engine, the quads added by the bulk writer;
- **rdflib**, the naive route: the triples added to an rdflib ``Dataset``, the file written by
  rdflib's serialiser.

Each route's CPU and wall time, median of ``--repeat`` runs, and the quads each store ends
with (they must agree). Run by ``make bench``; writes ``bench/results/handover.md`` and
``.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from filmgraph.loaders import LoadContext, Triple, get_loader
from filmgraph.store.oxigraph import (
    add_ntriples,
    bulk_extend_in_batches,
    ntriples,
    to_oxigraph,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

HandOvers = list[tuple[str, list[Triple]]]


def hand_overs(folder: Path) -> HandOvers:
    """Every hand-over of the curated tables in ``folder``, in the build's order."""
    found: HandOvers = []

    def sinks(iri: URIRef) -> Callable[[Any], None]:
        return lambda triples: found.append((str(iri), list(triples)))

    context = LoadContext(sinks=sinks)
    for source in get_loader("curated-tables").load(folder, context, folder.parent):
        if source.graph.spills:
            source.graph.spill()  # the rest, as the build hands it over
        elif len(source.graph):
            found.append((str(source.iri), list(source.graph)))
    return found


def by_ntriples(parts: HandOvers, files: Path) -> int:
    store = ox.Store()
    for graph, triples in parts:
        data = ntriples(triples)
        with (files / "doc.nt").open("ab") as out:
            out.write(data)
        add_ntriples(store, data, ox.NamedNode(graph), bulk=False)
    return len(store)


def _terms(triples: list[Triple]) -> list[ox.Triple]:
    """The route before: a pyoxigraph term per rdflib term, each IRI converted once."""
    named: dict[object, Any] = {}

    def term(node: Any) -> Any:
        if isinstance(node, URIRef):
            found = named.get(node)
            if found is None:
                found = named[node] = ox.NamedNode(node)
            return found
        return to_oxigraph(node)

    return [ox.Triple(term(s), term(p), term(o)) for s, p, o in triples]


def by_terms(parts: HandOvers, files: Path) -> int:
    store = ox.Store()
    for graph, triples in parts:
        chunk = _terms(triples)
        with (files / "doc.nt").open("ab") as out:
            ox.serialize(chunk, output=out, format=ox.RdfFormat.N_TRIPLES)
        name = ox.NamedNode(graph)
        quads = (ox.Quad(t.subject, t.predicate, t.object, name) for t in chunk)
        bulk_extend_in_batches(store, quads)
    return len(store)


def by_rdflib(parts: HandOvers, files: Path) -> int:
    dataset = Dataset()
    for graph, triples in parts:
        chunk = Graph()
        chunk.addN((s, p, o, chunk) for s, p, o in triples)
        with (files / "doc.nt").open("ab") as out:
            out.write(chunk.serialize(format="nt", encoding="utf-8"))
        g = dataset.graph(URIRef(graph))
        g.addN((s, p, o, g) for s, p, o in triples)
    return len(dataset)


ROUTES: dict[str, Callable[[HandOvers, Path], int]] = {
    "N-Triples (the build)": by_ntriples,
    "terms (before)": by_terms,
    "rdflib (naive)": by_rdflib,
}


def measure(parts: HandOvers, repeat: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    for name, route in ROUTES.items():
        walls, cpus, quads = [], [], 0
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as files:
                wall, cpu = time.perf_counter(), time.process_time()
                quads = route(parts, Path(files))
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
        results[name] = {
            "wall": statistics.median(walls),
            "cpu": statistics.median(cpus),
            "quads": quads,
        }
        print(f"{name}: {results[name]}", flush=True)
    return results


def report(films: int, triples: int, parts: int, results: dict[str, dict[str, float]]) -> str:
    ours = results["N-Triples (the build)"]
    lines = [
        "# Benchmark: how a loader's triples reach the store",
        "",
        f"The curated tables of {films:,} generated films (`bench/generate_graph.py --seed 1`): "
        f"{triples:,} triples in {parts} hand-overs, written to a new in-memory store and to "
        "the documents' N-Triples files by each route (median of the runs; "
        "`bench/bench_handover.py`).",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load {', '.join(f'{x:.2f}' for x in os.getloadavg())} at the end.",
        "",
        "| route | wall | CPU | M triples/s (CPU) | quads in the store | CPU against the build's |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['wall']:.2f} s | {r['cpu']:.2f} s | {triples / r['cpu'] / 1e6:.2f} | "
            f"{int(r['quads']):,} | {r['cpu'] / ours['cpu']:.2f}x |"
        )
    agree = len({int(r["quads"]) for r in results.values()}) == 1
    lines += [
        "",
        f"The three stores hold the same number of quads: {'yes' if agree else 'NO'}.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--films", type=int, default=10_000, help="films generated (10,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each route (3)")
    parser.add_argument("--out", default="handover", help="results file name, no suffix")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "bench"))
    from generate_graph import generate

    with tempfile.TemporaryDirectory() as work:
        generate(args.films, 1, Path(work))
        parts = hand_overs(Path(work) / "curated")
    triples = sum(len(t) for _, t in parts)
    print(f"{triples:,} triples in {len(parts)} hand-overs", flush=True)
    results = measure(parts, args.repeat)
    (RESULTS / f"{args.out}.md").write_text(report(args.films, triples, len(parts), results))
    (RESULTS / f"{args.out}.json").write_text(
        json.dumps(
            {"films": args.films, "triples": triples, "hand_overs": len(parts), "routes": results},
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
