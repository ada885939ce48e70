"""Time and peak memory of the build's last derived step, part by part.

The build's stage "keeping the projection, name index and aggregates"
(``filmgraph.build._write_derived``) runs three things against the finished store:
:func:`~filmgraph.analytics.cache.write_projection_cache` (the influence projection, its
pickle, its mapped arrays and the kept PageRank), :func:`~filmgraph.resolve.write_name_index`
and :func:`~filmgraph.aggregates.compute_aggregates` with
:func:`~filmgraph.aggregates.write_aggregates`. This runs each of them, in a process of its
own, against a built generation's store opened read-only, writing into a scratch generation
directory (a copy of the generation's ``summary.json``), and reports its wall time and the
peak resident memory of the process (sampled as the build's progress lines sample it,
and the kernel's high-water mark). ``--together`` runs the three in one process, one after
the other, as the build does: what one part leaves behind counts in the next one's peak.

    python bench/bench_projection_memory.py /work/big/30k/store --scratch /tmp/pm --label after

``--compare DIR`` checks that the files written equal those in ``DIR`` (a scratch directory of
an earlier run, with the same ``summary.json`` and directory name so the fingerprints agree):
``projection.arrays`` and ``aggregates.json`` byte for byte, the pickle's graph (nodes,
edges, attributes, their order and the kept centrality) and the name index's rows.
"""

from __future__ import annotations

import argparse
import json
import pickle
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PARTS = ("projection", "names", "aggregates")


def run_parts(store_dir: Path, scratch: Path, parts: list[str]) -> list[dict[str, Any]]:
    """Run ``parts`` one after the other in this process, as the build runs them."""
    from filmgraph.store.oxigraph import OxigraphStore

    generation = (store_dir / "current").resolve()
    store = OxigraphStore(generation / "oxigraph", read_only=True)
    return [run_part(store, scratch, part) for part in parts]


def run_part(store: Any, scratch: Path, part: str) -> dict[str, Any]:
    """Run one part in this process; its seconds and peak RSS."""
    from filmgraph.progress import _Sampler, peak_rss, rss

    base = rss() or 0
    mark = peak_rss() or 0
    sampler = _Sampler()
    clock = time.perf_counter()
    if part == "projection":
        from filmgraph.analytics.cache import write_projection_cache

        write_projection_cache(store, scratch)
    elif part == "names":
        from filmgraph.resolve import write_name_index

        write_name_index(store, scratch)
    else:
        from filmgraph.aggregates import compute_aggregates, write_aggregates

        write_aggregates(scratch, compute_aggregates(store))
    seconds = time.perf_counter() - clock
    high = sampler.stop()
    # The kernel's high-water mark is exact, but only when this part raised it.
    if (peak_rss() or 0) > mark:
        high = max(high, peak_rss() or 0)
    return {"part": part, "seconds": round(seconds, 2), "rss_before": base, "peak_rss": high}


def compare(ours: Path, theirs: Path) -> list[str]:
    """What differs between the files two runs wrote."""
    problems = []
    for name in ("projection.arrays", "aggregates.json"):
        a, b = ours / name, theirs / name
        if a.exists() and b.exists() and a.read_bytes() != b.read_bytes():
            problems.append(f"{name} differs")
    a, b = ours / "projection.pickle", theirs / "projection.pickle"
    if a.exists() and b.exists():
        x = pickle.loads(a.read_bytes())
        y = pickle.loads(b.read_bytes())
        gx, gy = x.pop("graph"), y.pop("graph")
        if x != y:
            problems.append("pickle header differs")
        if list(gx.nodes(data=True)) != list(gy.nodes(data=True)):
            problems.append("pickle nodes differ")
        if list(gx.edges(data=True)) != list(gy.edges(data=True)):
            problems.append("pickle edges differ")
        if [list(gx.pred[n]) for n in gx] != [list(gy.pred[n]) for n in gy]:
            problems.append("pickle in-adjacency order differs")
        if gx.graph != gy.graph:
            problems.append("pickle graph attributes (centrality) differ")
    a, b = ours / "names.sqlite", theirs / "names.sqlite"
    if a.exists() and b.exists():
        rows = []
        for path in (a, b):
            with sqlite3.connect(path) as db:
                # in any order: a look-up sorts what it finds
                rows.append(sorted(db.execute("SELECT * FROM names").fetchall(), key=repr))
        if rows[0] != rows[1]:
            problems.append("name index rows differ")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path, help="a build directory (its current generation)")
    parser.add_argument("--scratch", type=Path, required=True, help="where to write")
    parser.add_argument("--label", default="run")
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--compare", type=Path, help="a scratch directory of an earlier run")
    parser.add_argument(
        "--together", action="store_true", help="all parts in one process, as the build runs them"
    )
    parser.add_argument("--part", help=argparse.SUPPRESS)  # parts to run in this process
    args = parser.parse_args()
    if args.part:
        print(json.dumps(run_parts(args.store, args.scratch, args.part.split(","))))
        return
    generation = (args.store / "current").resolve()
    # The scratch generation is named as the real one, so fingerprints agree across runs.
    scratch = args.scratch / generation.name
    scratch.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(generation / "summary.json", scratch / "summary.json")
    results = []
    parts = args.parts.split(",")
    for chunk in [parts] if args.together else [[part] for part in parts]:
        out = subprocess.run(
            [
                *(sys.executable, __file__, str(args.store), "--scratch", str(scratch)),
                *("--part", ",".join(chunk)),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        for found in json.loads(out.stdout.strip().splitlines()[-1]):
            results.append(found)
            print(
                f"{args.label} {found['part']}: {found['seconds']:.1f} s, "
                f"peak RSS {found['peak_rss'] / 1e9:.2f} GB "
                f"(RSS at its start: {found['rss_before'] / 1e9:.2f} GB)",
                flush=True,
            )
    if args.compare:
        problems = compare(scratch, args.compare / generation.name)
        print(f"differs from {args.compare}: {problems}" if problems else f"same as {args.compare}")
    (scratch / f"bench-{args.label}.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
