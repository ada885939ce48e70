"""The build's write stage, old route against new, on one working store; memory and time.

The working store is a built generation's ``graph.trig`` bulk-loaded into an in-memory
pyoxigraph store (what the build holds when reasoning ends). Each route runs in a fresh
process, so its peak RSS (``VmHWM``) is its own:

* ``old``: dump ``graph.trig``, ``bulk_extend`` the on-disk store from the live in-memory
  store, ``write_merge`` reading it again, flush, optimize;
* ``new``: ``store.oxigraph.dump_for_loading`` (``graph.trig`` and one N-Quads load file),
  drop the store and ``release_memory``, ``load_dumped`` (one ``bulk_load``, optimize).

The working store on disk (``--working-store disk``) starts as the same quads bulk-loaded
into an on-disk store, as a disk build holds them when reasoning ends:

* ``disk-old``: the engine's TriG dump, then ``write_merge`` reading every quad back
  through Python, flush, optimize;
* ``disk-new``: ``store.oxigraph.dump_with_merge`` (graph blocks of N-Triples, bulk-loaded
  back as the merge), flush, optimize.

Each disk route reports the size of the merge it wrote, so the two can be compared, and
its own peak RSS (the setting up's is forgotten where Linux allows).

Usage: ``python bench/bench_write_stage.py GENERATION_DIR WORK_DIR [ROUTE ...]`` (for
instance the ``current`` generation of a 30,000-film build; every route by default). Prints
one line per route and writes ``WORK_DIR/write-stage.json``. Read the time ratio only on a
quiet machine.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from filmgraph.export.kept import _merge_size
from filmgraph.progress import peak_rss, rss
from filmgraph.store.oxigraph import (
    dump_for_loading,
    dump_with_merge,
    load_dumped,
    release_memory,
    write_merge,
)

ROUTES = ("old", "new", "disk-old", "disk-new")


def forget_peak() -> None:
    """Start the peak RSS afresh (Linux: ``clear_refs``), so the bulk load that set the
    working store up does not count as the stage's peak."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def disk_route(trig: Path, out: Path, name: str) -> dict[str, float]:
    """Run one write stage of the on-disk working store; its seconds, peak RSS and merge."""
    disk = ox.Store(str(out / "oxigraph"))
    disk.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
    disk.flush()
    held = (rss() or 0) / 1e9
    forget_peak()
    start = time.perf_counter()
    if name == "disk-old":
        disk.dump(str(out / "graph.trig"), format=ox.RdfFormat.TRIG)
        write_merge(disk)
    else:
        dump_with_merge(disk, out / "graph.trig")
    disk.flush()
    disk.optimize()
    seconds = time.perf_counter() - start
    merged = _merge_size(disk)
    del disk
    shutil.rmtree(out, ignore_errors=True)
    return {
        "seconds": seconds,
        "peak_gb": (peak_rss() or 0) / 1e9,
        "store_gb": held,
        "merge": merged,
    }


def route(trig: Path, out: Path, name: str) -> dict[str, float]:
    """Run one route on a fresh working store; its seconds and peak RSS (GB)."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    if name.startswith("disk-"):
        return disk_route(trig, out, name)
    memory = ox.Store()
    memory.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
    held = (rss() or 0) / 1e9
    start = time.perf_counter()
    if name == "old":
        memory.dump(str(out / "graph.trig"), format=ox.RdfFormat.TRIG)
        disk = ox.Store(str(out / "oxigraph"))
        disk.bulk_extend(memory)
        write_merge(disk, memory)
        disk.flush()
        disk.optimize()
        del disk
    else:
        dump_for_loading(memory, out / "graph.trig", out / "load.nq")
        del memory
        release_memory()
        load_dumped(out / "oxigraph", out / "load.nq")
    seconds = time.perf_counter() - start
    shutil.rmtree(out, ignore_errors=True)
    return {"seconds": seconds, "peak_gb": (peak_rss() or 0) / 1e9, "store_gb": held}


def main() -> int:
    if sys.argv[1] == "--one":  # one route, in its own process
        result = route(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])
        print(json.dumps(result))
        return 0
    generation, work = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    names = sys.argv[3:] or list(ROUTES)
    unknown = sorted(set(names) - set(ROUTES))
    if unknown:
        raise SystemExit(f"unknown route {unknown[0]!r}: choose from {', '.join(ROUTES)}")
    results = {}
    for name in names:
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(generation / "graph.trig"),
                str(work / name),
                name,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        results[name] = json.loads(done.stdout.splitlines()[-1])
        r = results[name]
        print(
            f"{name}: {r['seconds']:.1f} s, peak RSS {r['peak_gb']:.2f} GB "
            f"(working store {r['store_gb']:.2f} GB)"
            + (f", merge of {r['merge']:,} triples" if "merge" in r else ""),
            flush=True,
        )
    (work / "write-stage.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
