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


def machine() -> dict[str, Any]:
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
    for name in ("filmgraph", *LIBRARIES):
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


def ours(store_dir: Path, out: Path, formats: list[str]) -> dict[str, Any]:
    """Every export through the library, then N-Triples through the command."""
    from filmgraph.export import export
    from filmgraph.store import open_store

    found: dict[str, Any] = {}
    with open_store(store_dir) as store:
        for fmt in formats:
            path = out / f"export.{fmt}"
            wall, cpu, result = timed(lambda f=fmt, p=path: export(store, f, p))
            found[fmt] = {
                "wall": wall,
                "cpu": cpu,
                "count": result.count,
                "unit": result.unit,
                "bytes": path.stat().st_size,
            }
            print(
                f"  ours {fmt}: {result.count:,} {result.unit} in {wall:.2f} s ({cpu:.2f} s CPU)",
                flush=True,
            )
    command = [
        str(BIN / "filmgraph"),
        "export",
        "--store",
        str(store_dir),
        "--format",
        "ntriples",
        "--out",
        str(out / "command.nt"),
    ]
    wall, _, _ = timed(lambda: subprocess.run(command, check=True, stdout=subprocess.DEVNULL))
    found["command ntriples"] = {"wall": wall, "count": found["ntriples"]["count"]}
    return found


def limit(out: Path) -> dict[str, Any]:
    """pyoxigraph alone on the exported N-Triples and N-Quads: the ceiling."""
    nt, nq = out / "export.ntriples", out / "export.nquads"
    found: dict[str, Any] = {}
    wall, cpu, triples = timed(lambda: list(ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES)))
    found["parse ntriples"] = {"wall": wall, "cpu": cpu, "count": len(triples)}
    wall, cpu, _ = timed(
        lambda: ox.serialize(triples, str(out / "limit.nt"), ox.RdfFormat.N_TRIPLES)
    )
    found["serialize ntriples"] = {"wall": wall, "cpu": cpu, "count": len(triples)}
    memory = ox.Store()
    memory.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    for name, fmt in (("ntriples", ox.RdfFormat.N_TRIPLES), ("turtle", ox.RdfFormat.TURTLE)):
        wall, cpu, _ = timed(
            lambda f=fmt: memory.dump(str(out / "limit.out"), f, from_graph=ox.DefaultGraph())
        )
        found[f"in-memory dump {name}"] = {"wall": wall, "cpu": cpu, "count": len(triples)}
    wall, cpu, count = timed(
        lambda: sum(1 for _ in ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS))
    )
    found["parse nquads"] = {"wall": wall, "cpu": cpu, "count": count}
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


def report(runs: dict[str, dict[str, Any]], info: dict[str, Any], command: str) -> str:
    lines = [
        "# Export throughput (bench/bench_exports.py)",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC on {info['cpu_model']}, "
        f"{info['cores']} cores, {info['memory_bytes'] / 2**30:.1f} GiB, {info['python']}; "
        f"pyoxigraph {info['libraries']['pyoxigraph']}, rdflib {info['libraries']['rdflib']}. "
        f"Load average at the start {info['load_average'][0]:.1f} (the machine is shared by "
        "several sessions: wall times are inflated and noisy, CPU times are the steadier "
        "figure; read ratios).",
        "",
        f"Command: `{command}`",
        "",
        "**ours**: `filmgraph.export.export()` on the built on-disk store (the library call; "
        "the command adds start-up). **rdflib**: `Dataset.parse()` of the same N-Quads, then "
        "`serialize()` (serialising timed alone; triple formats from a `Graph` of the merge). "
        "**limit**: pyoxigraph alone: parse the N-Triples export, serialise the parsed "
        "triples, dump an in-memory store. Rates are per second of wall / of CPU time.",
        "",
    ]
    for name, run in runs.items():
        o, n, lim = run["ours"], run["naive"], run["limit"]
        lines += [
            f"## {name}",
            "",
            f"{run['quads']:,} quads, {o['ntriples']['count']:,} distinct triples.",
            "",
            "| format | unit | ours wall | ours CPU | ours rate (wall / CPU) | rdflib "
            "serialize CPU | rdflib parse + serialize CPU | ours vs rdflib serialize (CPU) "
            "| ours vs rdflib parse + serialize (CPU) |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        parse = n.get("parse nquads", {}).get("cpu")
        for fmt in [f for f in o if f in FORMATS or f == "schemaorg"]:
            m = o[fmt]
            r = n.get(fmt)
            cells = ["—", "—", "— (not reached)", "—"]
            if r:
                both = r["cpu"] + parse if parse is not None else None
                cells = [
                    f"{r['cpu']:.2f} s",
                    f"{both:.2f} s" if both is not None else "—",
                    versus(r["cpu"], m["cpu"]),
                    versus(both, m["cpu"]) if both is not None else "—",
                ]
            lines.append(
                f"| {fmt} | {m['unit']} | {m['wall']:.2f} s | {m['cpu']:.2f} s | "
                f"{rate(m['count'], m['wall'])} / {rate(m['count'], m['cpu'])} | "
                + " | ".join(cells)
                + " |"
            )
        c = o["command ntriples"]
        lines += [
            "",
            f"`filmgraph export --format ntriples` as a command: {c['wall']:.2f} s "
            f"wall, start-up included ({rate(c['count'], c['wall'])}).",
            "",
        ]
        if "parse nquads" in n:
            lines.append(
                f"rdflib parsed the N-Quads in {n['parse nquads']['wall']:.2f} s "
                f"({n['parse nquads']['cpu']:.2f} s CPU)"
                + (f"; the naive run was capped at {n['capped']:g} s" if "capped" in n else "")
                + "."
            )
        elif "capped" in n:
            lines.append(f"rdflib did not finish parsing within the {n['capped']:g} s cap.")
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
        nt = o["ntriples"]
        lines += [
            "",
            f"N-Triples: ours / pyoxigraph's in-memory dump = "
            f"{nt['cpu'] / max(lim['in-memory dump ntriples']['cpu'], 1e-9):.1f}x the "
            f"CPU; ours / parse = {nt['cpu'] / max(lim['parse ntriples']['cpu'], 1e-9):.1f}x.",
            "",
        ]
    return "\n".join(lines)


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
        help="seconds allowed to rdflib per graph (default 900)",
    )
    parser.add_argument("--work", type=Path, help="where to generate and build (default: temp)")
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
            run: dict[str, Any] = {"store": store, "ours": ours(Path(store), out, formats)}
            run["quads"] = run["ours"]["nquads"]["count"]
            run["limit"] = limit(out)
            run["naive"] = naive(out, args.cap_naive)
            runs[name] = run
            for path in out.iterdir():
                path.unlink()
    command = "python bench/bench_exports.py " + " ".join(sys.argv[1:])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "exports.md").write_text(report(runs, info, command) + "\n", encoding="utf-8")
    (RESULTS / "exports.json").write_text(
        json.dumps({"machine": info, "command": command, "runs": runs}, indent=1) + "\n",
        encoding="utf-8",
    )
    print((RESULTS / "exports.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
