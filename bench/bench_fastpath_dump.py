"""The first whole-graph export after a fast-path build: the composed dump against the store.

A fast-path build (one film page added to a built graph) keeps the dump of the full build it
started from and the quads it changed (:mod:`filmgraph.dumpdelta`); the first export writes
``graph.trig`` from them. Before, it decoded every quad out of the on-disk store (the route
still taken when no change is kept). On the same fast-path generation, each first export is
run by the CLI in a fresh process (wall time, start-up included), in this order:

1. **store**: the kept change moved aside, so the export dumps the store, as before;
2. **composed**: the kept change back, its earlier exports removed, the same export again.

Then the two files are compared: the same number of lines, and the same lines once
blank-node labels are set aside (the store and the dump name blank nodes differently).

Usage: ``python bench/bench_fastpath_dump.py [--films 10000]`` generates the graph and builds
it; ``--sources DIR --build DIR`` reuses a generated graph (``generate_graph.py --out DIR``)
already built into DIR (the fast-path build is added to it). Run by ``make bench``; writes
``bench/results/fastpath-dump.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
FORMATS = ("nquads", "ntriples")
DELTA_FILES = ("graph-base.trig", "graph-added.nq", "graph-removed.nq")
_BLANK = re.compile(rb"_:[0-9A-Za-z]+")


def filmgraph(*args: str) -> tuple[float, str]:
    """Run a filmgraph command; its wall time and its output."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "filmgraph", *args], check=True, capture_output=True, text=True
    )
    return time.perf_counter() - started, done.stdout


def build(sources: Path, store: Path, *, full: bool = False) -> float:
    wall, _ = filmgraph(
        "build",
        "--quiet",
        "--no-bundled",
        "--store",
        str(store),
        "--source",
        str(sources / "curated"),
        "--source",
        str(sources / "pages"),
        *(["--full"] if full else []),
    )
    return wall


def current(store: Path) -> Path:
    return (store / "current").resolve()


def export(store: Path, fmt: str, out: Path) -> float:
    wall, _ = filmgraph("export", "--store", str(store), "--format", fmt, "--out", str(out))
    return wall


def fingerprint(path: Path) -> tuple[int, Counter[bytes]]:
    """Lines, and the digests of the lines with blank-node labels set aside."""
    digests: Counter[bytes] = Counter()
    lines = 0
    with path.open("rb") as text:
        for line in text:
            lines += 1
            digests[hashlib.blake2b(_BLANK.sub(b"_:", line), digest_size=8).digest()] += 1
    return lines, digests


def measure(sources: Path, store: Path, work: Path) -> dict[str, Any]:
    result: dict[str, Any] = {}
    extra = next((sources / "extra-page").iterdir())
    shutil.copy(extra, sources / "pages" / extra.name)
    result["fast_path_build_s"] = build(sources, store)
    print(f"fast-path build: {result['fast_path_build_s']:.1f} s", flush=True)
    generation = current(store)
    summary = json.loads((generation / "summary.json").read_text(encoding="utf-8"))
    result["quads"] = summary["counts"]["triples"]
    result["kept_change"] = all((generation / name).is_file() for name in DELTA_FILES)
    aside = work / "aside"
    aside.mkdir(exist_ok=True)
    for fmt in FORMATS:
        for route in ("store", "composed"):
            shutil.rmtree(generation / "exports", ignore_errors=True)
            (generation / "graph.trig").unlink(missing_ok=True)
            for name in DELTA_FILES:
                if route == "store" and (generation / name).exists():
                    (generation / name).rename(aside / name)
                elif route == "composed" and (aside / name).exists():
                    (aside / name).rename(generation / name)
            out = work / f"{route}.{fmt}"
            wall = export(store, fmt, out)
            result[f"{fmt} {route}_s"] = wall
            print(f"{fmt} from the {route}: {wall:.1f} s", flush=True)
        composed = fingerprint(work / f"composed.{fmt}")
        result[f"{fmt} same"] = fingerprint(work / f"store.{fmt}") == composed
        result[f"{fmt} lines"] = composed[0]
    return result


def report(films: int, result: dict[str, Any]) -> str:
    lines = [
        "# Benchmark: the first export after a fast-path build",
        "",
        f"{films:,} generated films (`bench/generate_graph.py --seed 1`) built in full, one "
        "film page added (the fast path), then the first export of the whole graph by the "
        "CLI in a fresh process (wall time, start-up included), from the store (the kept "
        "change moved aside: the route before) and from the composed dump "
        "(`bench/bench_fastpath_dump.py`).",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load {', '.join(f'{x:.2f}' for x in os.getloadavg())} at the end.",
        "",
        f"Fast-path build: {result['fast_path_build_s']:.1f} s (wall, start-up included); "
        f"{result['quads']:,} quads; change kept: {'yes' if result['kept_change'] else 'NO'}.",
        "",
        "| format | lines | from the store | from the composed dump | ratio | same lines |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for fmt in FORMATS:
        store, composed = result[f"{fmt} store_s"], result[f"{fmt} composed_s"]
        lines.append(
            f"| {fmt} | {result[f'{fmt} lines']:,} | {store:.1f} s | {composed:.1f} s "
            f"| {store / composed:.1f}x | {'yes' if result[f'{fmt} same'] else 'NO'} |"
        )
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--films", type=int, default=10_000, help="films generated (10,000)")
    parser.add_argument("--sources", type=Path, help="a generated graph to reuse")
    parser.add_argument("--build", type=Path, help="where --sources is built already")
    parser.add_argument("--out", default="fastpath-dump", help="results file name, no suffix")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "bench"))
    from generate_graph import generate

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        if args.sources is not None and args.build is not None:
            sources, store = args.sources, args.build
            films = json.loads((sources / "manifest.json").read_text(encoding="utf-8"))
            films = films.get("films", args.films)
        else:
            sources, store, films = work / "sources", work / "build", args.films
            generate(films, 1, sources)
            print(f"full build: {build(sources, store, full=True):.1f} s", flush=True)
        result = measure(sources, store, work)
    result["films"] = films
    (RESULTS / f"{args.out}.md").write_text(report(films, result))
    (RESULTS / f"{args.out}.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
