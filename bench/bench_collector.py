"""What Python's cyclic collector costs a build, with its full collections rare or as usual.

A full build of a generated graph (curated tables and film pages, ``generate_graph --seed 1``)
runs once with the build's setting (:data:`filmgraph.build.FULL_COLLECTION_EVERY`) and once
with Python's default (a full collection every 10 collections of the middle generation),
alternated ``--repeat`` times, each in a fresh process so that neither inherits the other's
heap. A ``gc.callbacks`` hook times every collection by generation; the build's wall and CPU
time and the process's peak RSS sit beside it.

The collector's time is the figure to read: on a loaded machine a build's CPU moves by several
seconds between identical runs, the collector's time hardly at all. Run by ``make bench``;
writes ``bench/results/collector.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON_DEFAULT = 10


def one_build(every: int, sources: Path, store: Path) -> dict[str, Any]:
    """Build ``sources`` into ``store`` with the third threshold at ``every``; its figures."""
    import filmgraph.build as building
    from filmgraph.progress import Progress

    building.FULL_COLLECTION_EVERY = every
    spent = [0.0, 0.0, 0.0]
    runs = [0, 0, 0]
    started = [0.0]

    def hook(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            spent[info["generation"]] += time.perf_counter() - started[0]
            runs[info["generation"]] += 1

    gc.callbacks.append(hook)
    wall, cpu = time.perf_counter(), time.process_time()
    with Path(os.devnull).open("w") as quiet:
        result = building.build(
            store,
            sources=[sources / "curated", sources / "pages"],
            bundled=False,
            full=True,
            progress=Progress(quiet),
        )
    return {
        "every": every,
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
        "collections": runs,
        "collector_s": spent,
        "triples": result.counts["triples"],
    }


def measure(sources: Path, repeat: int) -> dict[int, list[dict[str, Any]]]:
    from filmgraph.build import FULL_COLLECTION_EVERY

    runs: dict[int, list[dict[str, Any]]] = {PYTHON_DEFAULT: [], FULL_COLLECTION_EVERY: []}
    for _ in range(repeat):
        for every in runs:
            with tempfile.TemporaryDirectory() as store:
                out = subprocess.run(
                    [sys.executable, __file__, "--one", str(every), str(sources), store],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            figures = json.loads(out.splitlines()[-1])
            runs[every].append(figures)
            print(json.dumps(figures), flush=True)
    return runs


def report(films: int, runs: dict[int, list[dict[str, Any]]]) -> str:
    def median(every: int, key: str, index: int | None = None) -> float:
        values = [r[key] if index is None else r[key][index] for r in runs[every]]
        return statistics.median(values)

    lines = [
        "# Benchmark: the cyclic collector during a build",
        "",
        f"A full build of {films:,} generated films (curated tables and pages, "
        "`bench/generate_graph.py --seed 1`), each setting in a fresh process, "
        f"{len(next(iter(runs.values())))} runs each, alternated; medians "
        "(`bench/bench_collector.py`).",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load {', '.join(f'{x:.2f}' for x in os.getloadavg())} at the end.",
        "",
        "| third threshold | full collections | their time | younger collections' time "
        "| build wall | build CPU | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for every in runs:
        name = f"{every}" + (" (Python's default)" if every == PYTHON_DEFAULT else " (the build)")
        lines.append(
            f"| {name} | {median(every, 'collections', 2):.0f} "
            f"| {median(every, 'collector_s', 2):.2f} s "
            f"| {median(every, 'collector_s', 0) + median(every, 'collector_s', 1):.2f} s "
            f"| {median(every, 'wall'):.1f} s | {median(every, 'cpu'):.1f} s "
            f"| {median(every, 'peak_rss_gb'):.2f} GB |"
        )
    triples = {r["triples"] for rs in runs.values() for r in rs}
    lines += [
        "",
        f"Every build wrote the same number of triples: {'yes' if len(triples) == 1 else 'NO'} "
        f"({', '.join(f'{t:,}' for t in sorted(triples))}).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--films", type=int, default=10_000, help="films generated (10,000)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each setting (2)")
    parser.add_argument("--out", default="collector", help="results file name, no suffix")
    parser.add_argument("--one", nargs=3, metavar=("EVERY", "SOURCES", "STORE"), help="internal")
    args = parser.parse_args(argv)
    if args.one:
        every, sources, store = args.one
        print(json.dumps(one_build(int(every), Path(sources), Path(store))))
        return 0
    sys.path.insert(0, str(ROOT / "bench"))
    from generate_graph import generate

    with tempfile.TemporaryDirectory() as work:
        generate(args.films, 1, Path(work))
        runs = measure(Path(work), args.repeat)
    (RESULTS / f"{args.out}.md").write_text(report(args.films, runs))
    (RESULTS / f"{args.out}.json").write_text(
        json.dumps({"films": args.films, "runs": {str(k): v for k, v in runs.items()}}, indent=2)
        + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
