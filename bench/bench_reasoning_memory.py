"""The memory of the build's reasoning and statistics stages, measured apart from the build.

A build's per-stage peak RSS (``filmgraph build`` prints it) says how much a stage held,
not where it went. This script reproduces the state a build is in when its reasoning stage
starts and runs the two stages alone, sampling the resident set every 20 ms:

* ``prepare``: the named graphs of a built generation's dump (``graph.trig``) less
  ``graph:inferred`` and ``graph:statistics``, bulk-loaded into a fresh on-disk store: what
  the working store holds once validation is done (the build writes those two graphs after
  it, and the merged default graph only at the end);
* ``run``: a copy of that store, on disk (``--working-store disk``) or read into an
  in-memory store (``memory``), then :func:`~filmgraph.reasoning.materialise_store` and
  :func:`~filmgraph.statistics.materialise_statistics`, each with its wall time, CPU time,
  RSS at its start and its peak RSS, the RSS peak of each reasoning step, and a digest of
  the two graphs they wrote (sorted N-Quads), so that two versions of the code can be
  shown to write the same triples.

    .venv/bin/python bench/bench_reasoning_memory.py prepare GEN/graph.trig /tmp/pre
    .venv/bin/python bench/bench_reasoning_memory.py run /tmp/pre /tmp/work --mode disk
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from filmgraph.progress import rss
from filmgraph.reasoning import INFERRED_GRAPH, Step, materialise_store
from filmgraph.statistics import STATISTICS_GRAPH, materialise_statistics
from filmgraph.store.oxigraph import release_memory

_LEFT_OUT = {ox.NamedNode(str(INFERRED_GRAPH)), ox.NamedNode(str(STATISTICS_GRAPH))}


def prepare(trig: Path, target: Path) -> None:
    """The working store as reasoning finds it, from a built generation's dump."""
    store = ox.Store(str(target))
    quads = ox.parse(path=str(trig), format=ox.RdfFormat.TRIG)
    store.bulk_extend(q for q in quads if q.graph_name not in _LEFT_OUT)
    store.flush()
    store.optimize()


class _Timeline:
    """RSS sampled every 20 ms from a thread: (seconds since start, bytes)."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.samples.append((time.perf_counter() - self.start, rss() or 0))

    def peak(self, begin: float, end: float) -> int:
        inside = [b for t, b in self.samples if begin <= t <= end]
        return max(inside, default=0)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _stage(timeline: _Timeline, call: Callable[[], int]) -> dict[str, Any]:
    begin, cpu, before = time.perf_counter(), time.process_time(), rss() or 0
    result = call()
    end = time.perf_counter()
    return {
        "result": result,
        "seconds": round(end - begin, 1),
        "cpu": round(time.process_time() - cpu, 1),
        "rss_start_gb": round(before / 1e9, 3),
        "peak_rss_gb": round(
            max(timeline.peak(begin - timeline.start, end - timeline.start), before) / 1e9, 3
        ),
        "_begin": begin - timeline.start,
    }


def _digest(store: ox.Store, graph: ox.NamedNode) -> tuple[int, str]:
    lines = sorted(str(q) for q in store.quads_for_pattern(None, None, None, graph))
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def run(prepared: Path, work: Path, mode: str) -> dict[str, Any]:
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(prepared, work)
    if mode == "disk":
        store = ox.Store(str(work))
    else:
        disk = ox.Store.read_only(str(work))
        store = ox.Store()
        store.bulk_extend(disk.quads_for_pattern(None, None, None, None))
        del disk
    release_memory()
    found = _measure(store, mode)
    del store
    shutil.rmtree(work)
    return found


def _measure(store: ox.Store, mode: str) -> dict[str, Any]:
    timeline = _Timeline()
    steps: list[Step] = []
    reasoning = _stage(timeline, lambda: materialise_store(store, steps=steps))
    statistics = _stage(timeline, lambda: materialise_statistics(store))
    timeline.stop()
    at = reasoning.pop("_begin")
    statistics.pop("_begin")
    per_step = []
    for step in steps:
        per_step.append(
            {
                "rules": step.rules,
                "round": step.round,
                "seconds": round(step.seconds, 1),
                "cpu": round(step.cpu, 1),
                "derived": step.derived,
                "added": step.added,
                "peak_rss_gb": round(timeline.peak(at, at + step.seconds) / 1e9, 3),
            }
        )
        at += step.seconds
    return {
        "mode": mode,
        "reasoning": reasoning,
        "statistics": statistics,
        "steps": per_step,
        "inferred": _digest(store, ox.NamedNode(str(INFERRED_GRAPH))),
        "kept_statistics": _digest(store, ox.NamedNode(str(STATISTICS_GRAPH))),
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("prepare")
    one.add_argument("trig", type=Path)
    one.add_argument("target", type=Path)
    two = commands.add_parser("run")
    two.add_argument("prepared", type=Path)
    two.add_argument("work", type=Path)
    two.add_argument("--mode", choices=("disk", "memory"), default="disk")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        prepare(args.trig, args.target)
    else:
        print(json.dumps(run(args.prepared, args.work, args.mode), indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
