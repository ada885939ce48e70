"""Reasoning: the semi-naive rounds with the date rules joined in Python, against the naive
route (every rule as SPARQL over the whole store, every round), on a built graph.

The graph is a finished generation (``filmgraph build --store DIR``) with its inferred graph
left out; both routes run on an in-memory copy of it and their inferred graphs are compared
quad by quad.

    .venv/bin/python bench/bench_reasoning.py --store DIR [--skip-naive]

Results are appended to ``bench/results/reasoning.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import time
from pathlib import Path

import pyoxigraph as ox

from filmgraph.builddir import BuildDir
from filmgraph.reasoning import INFERRED_GRAPH, materialise_store

RESULTS = Path(__file__).with_name("results") / "reasoning.md"


def stated(store_dir: Path) -> ox.Store:
    """An in-memory copy of the generation's store without graph:inferred."""
    on_disk = ox.Store.read_only(str(BuildDir(store_dir).current().store_path))
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    copy = ox.Store()
    copy.bulk_extend(q for q in on_disk if q.graph_name != inferred)
    return copy


def run(store_dir: Path, naive: bool) -> tuple[float, set[ox.Quad], int]:
    store = stated(store_dir)
    size = len(store)
    start = time.perf_counter()
    materialise_store(store, naive=naive)
    seconds = time.perf_counter() - start
    inferred = set(store.quads_for_pattern(None, None, None, ox.NamedNode(str(INFERRED_GRAPH))))
    return seconds, inferred, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--skip-naive", action="store_true")
    args = parser.parse_args()
    fast, found, size = run(args.store, naive=False)
    line = f"| {dt.date.today()} | {args.store.name} | {size:,} | {len(found):,} | {fast:.1f} s |"
    if args.skip_naive:
        line += " — | — |"
    else:
        slow, expected, _ = run(args.store, naive=True)
        line += (
            f" {slow:.1f} s ({slow / fast:.0f} times) | {'yes' if found == expected else 'NO'} |"
        )
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Reasoning: semi-naive rounds and Python date joins vs naive SPARQL rounds\n\n"
            f"Machine: {platform.machine()}, {platform.python_version()}, shared 2 cores.\n\n"
            "| date | graph | stated quads | inferred | semi-naive | naive | same |\n"
            "|---|---|---|---|---|---|---|\n",
            encoding="utf-8",
        )
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
    print(line)


if __name__ == "__main__":
    main()
