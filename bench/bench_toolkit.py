"""The scholar's toolkit: reasoning routes and query engines, naive route beside ours.

1. Reasoning: owlrl's OWL 2 RL closure (the naive route) against the targeted
   materialisation (``ontology/rules/*.rq`` in pyoxigraph), on the bundled graph without the
   9,125 Wikidata events by default (owlrl needs about six minutes with them; ``--full``
   adds that run). The comparable entailments of both are checked to be identical.
2. Queries: the named queries of the toolkit on the bundled graph, in plain rdflib (the
   memory backend) and in pyoxigraph (in memory, as the oxigraph backend runs them), median
   of several runs, with the ratio.
3. Analytics: projecting the influence graph and each analytics function on it.

    .venv/bin/python bench/bench_toolkit.py [--store DIR] [--full] [--repeat N]

Without ``--store`` the bundled graph is built into a temporary folder first. Results:
``bench/results/toolkit.md``.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from filmgraph.analytics.bridges import movement_bridges
from filmgraph.analytics.communities import influence_communities
from filmgraph.analytics.contested import contested_claims
from filmgraph.analytics.lineage import lineage
from filmgraph.analytics.paths import influence_paths
from filmgraph.analytics.projection import influence_graph
from filmgraph.analytics.ranking import rank_films
from filmgraph.build import build
from filmgraph.builddir import BuildDir
from filmgraph.queries import run_named
from filmgraph.reasoning import (
    CONTEXT_RULES,
    INFERRED_GRAPH,
    comparable,
    load_rules,
    materialise,
    owl_rl_closure,
)
from filmgraph.store.memory import MemoryStore
from filmgraph.store.oxigraph import OxigraphStore

RESULTS = Path(__file__).resolve().parent / "results" / "toolkit.md"
FILM = "https://w3id.org/filmgraph/id/film/"
QUERIES: list[tuple[str, dict[str, str]]] = [
    ("film-influences", {"film": "film:the-miners-1937"}),
    ("film-context", {"film": "film:the-miners-1937"}),
    ("films-during-event", {"event": "event:great-purge"}),
    ("film-descendants", {"film": "film:battleship-potemkin-1925"}),
    ("influence-paths", {"from": "film:battleship-potemkin-1925", "to": "film:the-miners-1937"}),
    ("shared-themes", {"film": "film:the-miners-1937"}),
    ("influential-films", {"decade": "1920"}),
    ("contested-claims", {}),
    ("source-contributions", {}),
    ("name-lookup", {"name": "Battleship Potemkin"}),
    ("forward-influence-violation", {}),
    ("influence-cycle-violation", {}),
    ("dangling-link-violation", {}),
]


def timed(function: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median seconds of ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def reasoning(dataset: Dataset, full: bool) -> list[str]:
    rules = [r for r in load_rules() if r.name not in CONTEXT_RULES]
    variants = [("bundled graph without the Wikidata events", False)]
    if full:
        variants.append(("whole bundled graph", True))
    lines = [
        "## Reasoning: owlrl (OWL 2 RL closure) vs targeted materialisation",
        "",
        "| graph | triples | owlrl | targeted | ratio | comparable entailments | identical |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for title, with_events in variants:
        data = Graph()
        for s, p, o, g in dataset.quads((None, None, None, None)):
            if g == INFERRED_GRAPH or (not with_events and "wikidata-historic-events" in str(g)):
                continue
            data.add((s, p, o))
        targeted_s, targeted = timed(lambda d=data: materialise(d, rules), 1)
        owl_s, owl = timed(lambda d=data: owl_rl_closure(d), 1)
        a, b = comparable(targeted), comparable(owl)
        lines.append(
            f"| {title} | {len(data):,} | {owl_s:.1f} s | {targeted_s:.2f} s | "
            f"{owl_s / targeted_s:.0f}x | {len(b):,} | {'yes' if a == b else 'NO'} |"
        )
        print(lines[-1], flush=True)
    all_rules_s, inferred = timed(lambda: materialise(dataset), 1)
    lines += [
        "",
        f"Every rule, the two context rules included, on the whole bundled graph "
        f"({sum(1 for _ in dataset.quads((None, None, None, None))):,} quads): "
        f"{all_rules_s:.1f} s, {len(inferred):,} triples inferred.",
        "",
    ]
    return lines


def queries(dataset: Dataset, repeat: int) -> list[str]:
    memory = MemoryStore(dataset)
    oxigraph = OxigraphStore()
    oxigraph.add_dataset(dataset)
    lines = [
        "## Queries: rdflib (memory backend) vs pyoxigraph",
        "",
        "| query | rows | rdflib | pyoxigraph | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, params in QUERIES:
        ox_s, ox_result = timed(lambda n=name, p=params: run_named(oxigraph, n, p), repeat)
        rd_s, rd_result = timed(
            lambda n=name, p=params: run_named(memory, n, p), max(1, repeat // 2)
        )
        count = str(len(ox_result))
        if len(rd_result) != len(ox_result):
            count += f" (rdflib: {len(rd_result)})"
        lines.append(
            f"| {name} | {count} | {rd_s * 1000:,.1f} ms | {ox_s * 1000:,.1f} ms | "
            f"{rd_s / ox_s:,.0f}x |"
        )
        print(lines[-1], flush=True)
    return [*lines, ""]


def analytics(store_dir: Path, repeat: int) -> list[str]:
    from filmgraph.store import open_store

    with open_store(store_dir) as store:
        project_s, graph = timed(lambda: influence_graph(store), repeat)
    potemkin, miners = FILM + "battleship-potemkin-1925", FILM + "the-miners-1937"
    steps: list[tuple[str, Callable[[], Any]]] = [
        (
            "influence_paths (Potemkin -> The Miners, 10)",
            lambda: influence_paths(graph, potemkin, miners),
        ),
        ("lineage (Potemkin, down, depth 3)", lambda: lineage(graph, potemkin, depth=3)),
        ("rank_films (PageRank + exact betweenness)", lambda: rank_films(graph, top=10)),
        ("movement_bridges", lambda: movement_bridges(graph)),
        ("influence_communities (Louvain)", lambda: influence_communities(graph)),
        ("contested_claims (cycles up to 6)", lambda: contested_claims(graph)),
    ]
    lines = [
        "## Analytics on the projected graph",
        "",
        f"Projection (one query, oxigraph on disk): {project_s * 1000:,.0f} ms for "
        f"{graph.number_of_nodes():,} nodes and {graph.number_of_edges():,} edges.",
        "",
        "| function | time |",
        "|---|---:|",
    ]
    for title, function in steps:
        seconds, _ = timed(function, repeat)
        lines.append(f"| {title} | {seconds * 1000:,.1f} ms |")
        print(lines[-1], flush=True)
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--store",
        type=Path,
        default=None,
        help="a finished build of the bundled graph (default: build one)",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="also run owlrl on the whole bundled graph (about six minutes)",
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store_dir = args.store
        if store_dir is None:
            store_dir = Path(tmp) / "build"
            print("building the bundled graph ...", flush=True)
            build(store_dir)
        generation = BuildDir(store_dir).current()
        dataset = Dataset()
        dataset.parse(generation.trig_path, format="trig")
        out = [
            "# Benchmark: the scholar's toolkit",
            "",
            f"{platform.python_implementation()} {platform.python_version()} on "
            f"{platform.machine()}; medians of {args.repeat} runs (rdflib: half as many). "
            "Written by `bench/bench_toolkit.py`.",
            "",
        ]
        out += reasoning(dataset, args.full)
        out += queries(dataset, args.repeat)
        out += analytics(store_dir, args.repeat)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(out), encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
