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
already built into DIR (the fast-path build is added to it). ``--cmu`` runs on data written by
others instead: the CMU corpus's 81,741 films through the CSVW table loader, the Wikipedia
remake list and the Wikidata historical events (as ``bench_scale.py --cmu`` reads them, from
``../shared/data``), with a folder holding the project's page on *Battleship Potemkin*; the
page added is the one on *The Great Citizen* (1938), a film the corpus holds: the page names
it by its title, so its statements land on the corpus's film. (The page on *Ivan's
Childhood* takes the full path, by design: it names *Andrei Rublev*, which the corpus holds
under another IRI, and a merge the delta could decide is left to a full build.) Run by
``make bench``; writes ``bench/results/fastpath-dump.md`` and ``.json`` (``--cmu``:
``fastpath-dump-cmu``).
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
FORMATS = ("nquads", "ntriples")
DELTA_FILES = ("graph-base.trig", "graph-added.nq", "graph-removed.nq")
_BLANK = re.compile(rb"_:[0-9A-Za-z]+")
PAGES = ROOT / "graph" / "sources" / "pages"


@dataclass
class Corpus:
    """What is built in full, the folder of pages among its sources, and the page added."""

    label: str
    sources: list[Path]
    pages: Path
    extra: Path


def filmgraph(*args: str, exits: tuple[int, ...] = (0,)) -> tuple[float, str]:
    """Run a filmgraph command that must exit with one of ``exits``; its wall time and what
    it printed (progress included)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "filmgraph", *args], capture_output=True, text=True
    )
    if done.returncode not in exits:
        raise RuntimeError(f"filmgraph {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
    return time.perf_counter() - started, done.stdout + done.stderr


def build(corpus: Corpus, store: Path, *, full: bool = False) -> tuple[float, bool]:
    """The build's wall time, and whether it took the fast path. A graph that does not
    conform is published all the same (the CMU corpus: films without a year), with exit 1."""
    wall, printed = filmgraph(
        "build",
        "--no-bundled",
        "--store",
        str(store),
        *(option for source in corpus.sources for option in ("--source", str(source))),
        *(["--full"] if full else []),
        exits=(0, 1),
    )
    if "Validation: " not in printed:  # what a published build reports, conforming or not
        raise RuntimeError(f"the build of {corpus.label} failed:\n{printed}")
    return wall, "incremental build: the fast path" in printed


def generated(sources: Path, films: int) -> Corpus:
    """A graph of ``bench/generate_graph.py`` in ``sources``."""
    return Corpus(
        f"{films:,} generated films (`bench/generate_graph.py --seed 1`)",
        [sources / "curated", sources / "pages"],
        sources / "pages",
        next((sources / "extra-page").iterdir()),
    )


def cmu_corpus(work: Path) -> Corpus | None:
    """The CMU corpus with remakes and events (``bench_scale.cmu``) and a folder of one page;
    ``None`` when ``../shared/data`` is not there."""
    from bench_scale import cmu

    found = cmu(work)
    if found is None:
        return None
    pages = work / "pages"
    pages.mkdir()
    shutil.copy(PAGES / "battleship-potemkin-1925.txt", pages)
    return Corpus(
        f"the CMU corpus ({found.films:,} films) with the remake list, the historical events "
        "and one film page",
        [*found.sources, pages],
        pages,
        PAGES / "the-great-citizen-1938.txt",
    )


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


def measure(corpus: Corpus, store: Path, work: Path) -> dict[str, Any]:
    result: dict[str, Any] = {}
    shutil.copy(corpus.extra, corpus.pages / corpus.extra.name)
    result["fast_path_build_s"], result["fast"] = build(corpus, store)
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


def report(label: str, result: dict[str, Any]) -> str:
    lines = [
        "# Benchmark: the first export after a fast-path build",
        "",
        f"{label[0].upper()}{label[1:]} built in full, one "
        "film page added (the fast path), then the first export of the whole graph by the "
        "CLI in a fresh process (wall time, start-up included), from the store (the kept "
        "change moved aside: the route before) and from the composed dump "
        "(`bench/bench_fastpath_dump.py`).",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load {', '.join(f'{x:.2f}' for x in os.getloadavg())} at the end.",
        "",
        f"Fast-path build: {result['fast_path_build_s']:.1f} s (wall, start-up included); "
        f"{result['quads']:,} quads; fast path taken: {'yes' if result['fast'] else 'NO'}; "
        f"change kept: {'yes' if result['kept_change'] else 'NO'}.",
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
    parser.add_argument("--cmu", action="store_true", help="the CMU corpus, not a generated one")
    parser.add_argument("--out", help="results file name, no suffix (fastpath-dump[-cmu])")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "bench"))
    from generate_graph import generate

    out = args.out or ("fastpath-dump-cmu" if args.cmu else "fastpath-dump")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        store = work / "build"
        if args.cmu:
            found = cmu_corpus(work / "sources")
            if found is None:
                return 0
            corpus = found
        elif args.sources is not None and args.build is not None:
            store = args.build
            manifest = json.loads((args.sources / "manifest.json").read_text(encoding="utf-8"))
            corpus = generated(args.sources, manifest.get("films", args.films))
        else:
            generate(args.films, 1, work / "sources")
            corpus = generated(work / "sources", args.films)
        if not (store / "current").exists():
            print(f"full build: {build(corpus, store, full=True)[0]:.1f} s", flush=True)
        result = measure(corpus, store, work)
    result["corpus"] = corpus.label
    (RESULTS / f"{out}.md").write_text(report(corpus.label, result))
    (RESULTS / f"{out}.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
