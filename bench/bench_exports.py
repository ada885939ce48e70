"""Export throughput: filmgraph's exports beside rdflib's serialisers and pyoxigraph's own.

For each graph (the bundled build, synthetic builds of N films from ``generate_graph.py``):

* **ours**: ``filmgraph.export.export(store, fmt, out)`` on the built on-disk store, for
  N-Triples, N-Quads, Turtle, TriG and JSON-LD (and schema.org on the bundled graph), wall
  and CPU time; and ``filmgraph export --format ntriples`` as a command (wall, start-up
  included);
* **naive**: rdflib, in a subprocess with a time cap: parse the same N-Quads into a
  ``Dataset``, then ``serialize`` to each format (serialising timed alone);
* **limit**: pyoxigraph on one core: parse the N-Triples (and N-Quads) export, serialise
  the parsed triples again, and dump an in-memory store of them.

Rates are triples (or quads) per second of wall time and of CPU time: the machine is shared,
so CPU time is the steadier figure. Results: ``bench/results/exports.md`` and
``exports.json`` (with the machine's description).

    .venv/bin/python bench/bench_exports.py --films 10000            # generate, build, measure
    .venv/bin/python bench/bench_exports.py --store bundled=graph/build --store 10k=/tmp/b10k
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
#: export format -> (rdflib's name for it, whether it writes quads)
FORMATS = {
    "ntriples": ("nt", False),
    "nquads": ("nquads", True),
    "turtle": ("turtle", False),
    "trig": ("trig", True),
    "jsonld": ("json-ld", True),
}
LIBRARIES = ("pyoxigraph", "rdflib", "pyld")


def timed(function: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and CPU seconds of ``function()`` and what it returned."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def machine(libraries: tuple[str, ...] = LIBRARIES) -> dict[str, Any]:
    """The machine a benchmark ran on, and the versions of filmgraph and ``libraries``."""
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = 0
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = int(line.split()[1]) * 1024
    versions = {}
    for name in dict.fromkeys(("filmgraph", *libraries)):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "memory_bytes": memory,
        "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "libraries": versions,
        "load_average": os.getloadavg(),
    }


def build_synthetic(films: int, work: Path) -> Path:
    """Generate ``films`` films and build them; the build directory."""
    data = work / f"g{films}"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "generate_graph.py"),
            "--films",
            str(films),
            "--seed",
            "1",
            "--out",
            str(data),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    store = work / f"b{films}"
    build_store(store, data)
    return store


def build_store(store: Path, data: Path) -> None:
    """``filmgraph build`` of a generated graph's tables and pages into ``store``."""
    subprocess.run(
        [
            str(BIN / "filmgraph"),
            "build",
            "--store",
            str(store),
            "--no-bundled",
            "--source",
            str(data / "curated"),
            "--source",
            str(data / "pages"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def prefixes_of(fmt: str) -> tuple[ox.RdfFormat, dict[str, str] | None]:
    """pyoxigraph's format and the prefixes the exporter writes ``fmt`` with."""
    from filmgraph.namespaces import PREFIXES

    rdf_format = {
        "ntriples": ox.RdfFormat.N_TRIPLES,
        "nquads": ox.RdfFormat.N_QUADS,
        "turtle": ox.RdfFormat.TURTLE,
        "trig": ox.RdfFormat.TRIG,
        "jsonld": ox.RdfFormat.JSON_LD,
    }[fmt]
    return rdf_format, dict(PREFIXES) if fmt in ("turtle", "trig") else None


def ours(store_dir: Path, out: Path, formats: list[str], store_route: list[str]) -> dict[str, Any]:
    """Every export through the library: the previous route (reading the on-disk store), the
    first export (written from the generation's dump and kept), a later one (the kept file
    copied); then the commands."""
    import shutil

    from filmgraph.export import export
    from filmgraph.export.kept import KEPT_DIR, dump_store, generation_of
    from filmgraph.store import open_store

    found: dict[str, Any] = {}
    with open_store(store_dir) as store:
        generation = generation_of(store.path)  # type: ignore[attr-defined]
        if generation is None:
            raise SystemExit(f"{store_dir} is not a built generation")
        kept = generation.path / KEPT_DIR

        def measure(fmt: str, label: str, call: Callable[[], int], path: Path) -> None:
            wall, cpu, count = timed(call)
            found.setdefault(fmt, {})[label] = {
                "wall": wall,
                "cpu": cpu,
                "count": count,
                "bytes": path.stat().st_size,
            }
            print(f"  {fmt} {label}: {count:,} in {wall:.2f} s ({cpu:.2f} s CPU)", flush=True)

        def exported(fmt: str, path: Path) -> int:
            result = export(store, fmt, path)
            found.setdefault(fmt, {})["unit"] = result.unit
            return result.count

        for fmt in formats:
            path = out / f"export.{fmt}"
            if fmt in store_route:
                rdf_format, prefixes = prefixes_of(fmt)
                engine = store.engine  # type: ignore[attr-defined]
                measure(fmt, "store", partial(dump_store, engine, path, rdf_format, prefixes), path)
            shutil.rmtree(kept, ignore_errors=True)  # the first export starts from the dump
            for label in ("first", "later") if fmt != "schemaorg" else ("first",):
                measure(fmt, label, partial(exported, fmt, path), path)
        # Turtle once more, the merge's N-Triples kept already (as after an N-Triples export).
        if "turtle" in formats and "ntriples" in formats:
            exported("ntriples", out / "export.ntriples")
            for name in kept.glob("*.ttl*"):
                name.unlink()
            path = out / "export.turtle"
            measure("turtle", "first, N-Triples kept", partial(exported, "turtle", path), path)
    for fmt in ("ntriples", "turtle"):
        command = [
            str(BIN / "filmgraph"),
            "export",
            "--store",
            str(store_dir),
            "--format",
            fmt,
            "--out",
            str(out / f"command.{fmt}"),
        ]
        run = partial(subprocess.run, command, check=True, stdout=subprocess.DEVNULL)
        wall, _, _ = timed(run)
        found[f"command {fmt}"] = {"wall": wall, "count": found[fmt]["later"]["count"]}
    return found


def limit(out: Path, trig: Path) -> dict[str, Any]:
    """pyoxigraph alone, on one core, streaming (nothing held in Python): the ceiling."""
    nt, nq = out / "export.ntriples", out / "export.nquads"

    def count(path: Path, fmt: ox.RdfFormat) -> int:
        return sum(1 for _ in ox.parse(path=str(path), format=fmt))

    found: dict[str, Any] = {}
    wall, cpu, n = timed(partial(count, trig, ox.RdfFormat.TRIG))
    found["parse the dump (graph.trig)"] = {"wall": wall, "cpu": cpu, "count": n}
    wall, cpu, n = timed(partial(count, nt, ox.RdfFormat.N_TRIPLES))
    found["parse ntriples"] = {"wall": wall, "cpu": cpu, "count": n}
    parsed = ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    wall, cpu, _ = timed(
        partial(ox.serialize, parsed, str(out / "limit.nt"), ox.RdfFormat.N_TRIPLES)
    )
    found["parse + serialize ntriples"] = {"wall": wall, "cpu": cpu, "count": n}
    memory = ox.Store()
    memory.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    for name, fmt in (("ntriples", ox.RdfFormat.N_TRIPLES), ("turtle", ox.RdfFormat.TURTLE)):
        wall, cpu, _ = timed(
            partial(memory.dump, str(out / "limit.out"), fmt, from_graph=ox.DefaultGraph())
        )
        found[f"in-memory dump {name}"] = {"wall": wall, "cpu": cpu, "count": n}
    del memory
    wall, cpu, n = timed(partial(count, nq, ox.RdfFormat.N_QUADS))
    found["parse nquads"] = {"wall": wall, "cpu": cpu, "count": n}
    return found


NAIVE = r"""
import json, sys, time
from rdflib import Dataset, Graph
nquads, out = sys.argv[1], sys.argv[2]
formats = json.loads(sys.argv[3])
def timed(f):
    w, c = time.perf_counter(), time.process_time(); f()
    return time.perf_counter() - w, time.process_time() - c
data = Dataset()
w, c = timed(lambda: data.parse(nquads, format="nquads"))
print(json.dumps({"step": "parse nquads", "wall": w, "cpu": c, "count": len(data)}), flush=True)
quads_count = sum(1 for _ in data.quads())
union = Graph()
for s, p, o, _ in data.quads():
    union.add((s, p, o))
for name, (fmt, quads) in formats.items():
    source = data if quads else union
    w, c = timed(lambda: source.serialize(destination=out, format=fmt))
    count = quads_count if quads else len(union)
    print(json.dumps({"step": name, "wall": w, "cpu": c, "count": count}), flush=True)
"""


def naive(out: Path, cap: float) -> dict[str, Any]:
    """rdflib parses the N-Quads export and serialises it to each format (capped)."""
    found: dict[str, Any] = {}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            NAIVE,
            str(out / "export.nquads"),
            str(out / "naive.out"),
            json.dumps(FORMATS),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, _ = process.communicate(timeout=cap)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, _ = process.communicate()
        found["capped"] = cap
    for line in stdout.splitlines():
        row = json.loads(line)
        found[row.pop("step")] = row
        print(f"  rdflib {line}", flush=True)
    return found


def rate(count: float, seconds: float | None) -> str:
    if not seconds:
        return "—"
    per = count / seconds
    return f"{per / 1e6:.2f} M/s" if per >= 1e6 else f"{per / 1e3:.0f} k/s"


def versus(naive: float, ours: float) -> str:
    """How ``ours`` compares with ``naive`` (both seconds)."""
    if ours <= 0:
        return "—"
    ratio = naive / ours
    return f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower"


TARGET = 1e6  # triples (or quads) per second, issue 9


def met(count: float, seconds: float) -> str:
    return "yes" if seconds and count / seconds >= TARGET else "no"


def report(runs: dict[str, dict[str, Any]], info: dict[str, Any], command: str) -> str:
    lines = [
        "# Export throughput (bench/bench_exports.py)",
        "",
        f"Written {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC (each size says when "
        f"it was measured) on {info['cpu_model']}, "
        f"{info['cores']} cores, {info['memory_bytes'] / 2**30:.1f} GiB, {info['python']}; "
        f"pyoxigraph {info['libraries']['pyoxigraph']}, rdflib {info['libraries']['rdflib']}. "
        "The machine is shared by several sessions (load averages per size below): wall "
        "times are inflated and noisy, CPU times are the steadier figure; read ratios.",
        "",
        f"Command: `{command}`",
        "",
        "Rates are triples (or quads) per second of wall time / of CPU time; the target "
        "(issue 9) is 1 M/s for N-Triples and Turtle.",
        "",
        "- **store read** (the route before): the whole graph dumped from the on-disk store "
        "(`filmgraph.export.kept.dump_store`, what `export()` did until now);",
        "- **first export**: `filmgraph.export.export()` with nothing kept: written from the "
        "generation's `graph.trig` (a triple format: its RDF merge, repeats dropped), checked "
        "against the store's counts, kept under `GENERATION/exports/`;",
        "- **later export**: the same call again: the kept file copied;",
        "- **rdflib**: `Dataset.parse()` of the N-Quads, then `serialize()` (serialising timed "
        "alone; triple formats from a `Graph` of the merge), in a capped subprocess;",
        "- **limit**: pyoxigraph alone on one core (parse the dump, parse and serialise the "
        "N-Triples, dump an in-memory store).",
        "",
    ]
    for name, run in runs.items():
        o, n, lim = run["ours"], run["naive"], run["limit"]
        nt = o["ntriples"]["later"]["count"]
        lines += [
            f"## {name}",
            "",
            f"{run['quads']:,} quads, {nt:,} distinct triples."
            + (
                f" Measured {run['measured']} UTC, load average {run['load_average'][0]:.1f}"
                f" / {run['load_average'][1]:.1f} / {run['load_average'][2]:.1f} at the start."
                if "load_average" in run
                else ""
            ),
            "",
            "| format | unit | store read (before) | first export | later export | "
            "rdflib serialize | first ≥ 1 M/s (wall / CPU) | later ≥ 1 M/s (wall / CPU) |",
            "|---|---|---:|---:|---:|---:|---|---|",
        ]

        def cell(m: dict[str, Any] | None) -> str:
            if not m:
                return "—"
            return (
                f"{m['wall']:.2f} s / {m['cpu']:.2f} s CPU: "
                f"{rate(m['count'], m['wall'])} / {rate(m['count'], m['cpu'])}"
            )

        for fmt in [f for f in o if f in FORMATS or f == "schemaorg"]:
            m = o[fmt]
            r = n.get(fmt)
            naive_cell = (
                f"{r['cpu']:.2f} s CPU: {rate(r['count'], r['cpu'])}" if r else "— (not reached)"
            )
            first, later = m.get("first"), m.get("later")
            goal = fmt in ("ntriples", "turtle")
            lines.append(
                f"| {fmt} | {m.get('unit', '')} | {cell(m.get('store'))} | {cell(first)} | "
                f"{cell(later)} | {naive_cell} | "
                + (
                    f"{met(first['count'], first['wall'])} / {met(first['count'], first['cpu'])}"
                    if first
                    else "—"
                )
                + " | "
                + (
                    f"{met(later['count'], later['wall'])} / {met(later['count'], later['cpu'])}"
                    if later
                    else "—"
                )
                + ("" if goal else " (no target)")
                + " |"
            )
        extra = o.get("turtle", {}).get("first, N-Triples kept")
        lines.append("")
        if extra:
            lines.append(
                f"Turtle's first export when the N-Triples of the merge are kept already "
                f"(after an N-Triples export): {cell(extra)}."
            )
        for fmt in ("ntriples", "turtle"):
            c = o.get(f"command {fmt}")
            if c:
                lines.append(
                    f"`filmgraph export --format {fmt}` as a command, the file kept: "
                    f"{c['wall']:.2f} s wall, start-up included ({rate(c['count'], c['wall'])})."
                )
        lines.append("")
        if "parse nquads" in n:
            lines.append(
                f"rdflib parsed the N-Quads in {n['parse nquads']['wall']:.2f} s "
                f"({n['parse nquads']['cpu']:.2f} s CPU)"
                + (f"; the naive run was capped at {n['capped']:g} s" if "capped" in n else "")
                + "."
            )
        elif "capped" in n:
            lines.append(f"rdflib did not finish parsing within the {n['capped']:g} s cap.")
        elif "skipped" in n:
            lines.append("rdflib was not run on this size (`--cap-naive 0`).")
        lines += [
            "",
            "| limit (pyoxigraph alone) | wall | CPU | rate (wall / CPU) |",
            "|---|---:|---:|---:|",
        ]
        for step, m in lim.items():
            lines.append(
                f"| {step} | {m['wall']:.2f} s | {m['cpu']:.2f} s | "
                f"{rate(m['count'], m['wall'])} / {rate(m['count'], m['cpu'])} |"
            )
        first_nt = o["ntriples"]["first"]
        lines += [
            "",
            "N-Triples, first export / parsing the dump alone: "
            f"{first_nt['cpu'] / max(lim['parse the dump (graph.trig)']['cpu'], 1e-9):.1f}x the "
            "CPU"
            + (
                f"; store read / first export: "
                f"{o['ntriples']['store']['cpu'] / max(first_nt['cpu'], 1e-9):.1f}x the CPU."
                if "store" in o["ntriples"]
                else "."
            ),
            "",
        ]
    notes = RESULTS / "exports-notes.md"
    if notes.is_file():  # what the figures mean, written by hand beside them
        lines += [notes.read_text(encoding="utf-8").rstrip(), ""]
    return "\n".join(lines)


def _trig_of(store_dir: Path) -> Path:
    from filmgraph.builddir import BuildDir

    return BuildDir(store_dir).current().trig_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--films",
        type=int,
        action="append",
        default=[],
        help="generate and build a synthetic graph of N films (repeatable)",
    )
    parser.add_argument(
        "--store",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="measure an existing build directory (repeatable)",
    )
    parser.add_argument(
        "--cap-naive",
        type=float,
        default=900.0,
        help="seconds allowed to rdflib per graph (default 900; 0: do not run it)",
    )
    parser.add_argument(
        "--store-route",
        default=",".join(FORMATS),
        metavar="FORMATS",
        help="formats also dumped from the store itself, the route before (default: all)",
    )
    parser.add_argument("--work", type=Path, help="where to generate and build (default: temp)")
    parser.add_argument(
        "--add",
        action="store_true",
        help="keep the runs of exports.json and add (or replace) the sizes measured now",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite exports.md from exports.json, measuring nothing",
    )
    args = parser.parse_args()
    if args.report_only:
        saved = json.loads((RESULTS / "exports.json").read_text(encoding="utf-8"))
        text = report(saved["runs"], saved["machine"], saved["command"])
        (RESULTS / "exports.md").write_text(text + "\n", encoding="utf-8")
        print(text)
        return
    if not args.films and not args.store:
        bundled = ROOT / "graph" / "build"
        args.store = [f"bundled={bundled}"] if (bundled / "current").exists() else []
        args.films = [10_000]
    info = machine()
    runs: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        graphs = [tuple(s.split("=", 1)) for s in args.store]
        for films in args.films:
            print(f"== building {films:,} films", flush=True)
            graphs.append((f"{films:,} films", str(build_synthetic(films, work))))
        for name, store in graphs:
            print(f"== {name} ({store})", flush=True)
            out = work / f"out-{len(runs)}"
            out.mkdir(parents=True, exist_ok=True)
            formats = list(FORMATS) + (["schemaorg"] if name == "bundled" else [])
            store_route = [f for f in args.store_route.split(",") if f]
            run: dict[str, Any] = {
                "load_average": os.getloadavg(),
                "measured": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
                "store": store,
                "ours": ours(Path(store), out, formats, store_route),
            }
            run["quads"] = run["ours"]["nquads"]["later"]["count"]
            trig = _trig_of(Path(store))
            run["limit"] = limit(out, trig)
            run["naive"] = naive(out, args.cap_naive) if args.cap_naive > 0 else {"skipped": True}
            runs[name] = run
            for path in out.iterdir():
                path.unlink()
    command = "python bench/bench_exports.py " + " ".join(sys.argv[1:])
    if args.add and (RESULTS / "exports.json").is_file():
        saved = json.loads((RESULTS / "exports.json").read_text(encoding="utf-8"))
        runs = saved["runs"] | runs
        command = saved["command"] + "`, then `" + command
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "exports.md").write_text(report(runs, info, command) + "\n", encoding="utf-8")
    (RESULTS / "exports.json").write_text(
        json.dumps({"machine": info, "command": command, "runs": runs}, indent=1) + "\n",
        encoding="utf-8",
    )
    print((RESULTS / "exports.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
