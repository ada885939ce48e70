"""Commands that answer at once: wall time of whole commands, start-up included.

Each command runs in a fresh process (``python -m filmgraph ...``), as a scholar runs it, and
the median of ``--repeat`` runs is reported:

1. ``filmgraph --help``; a lookup of one film (``query film-influences``); ``path``,
   ``lineage`` and ``rank`` with a *cold* generation (no projection, name index or aggregates
   kept with it: the first command after a build that did not write them) and *warm*
   (what every later command sees, and what a build that calls ``write_projection_cache``,
   ``write_name_index`` and ``write_aggregates`` leaves); ``stats``.
2. Beside them, the naive route to the same projection: parse the generation's dump with
   rdflib, run ``influence-edges`` with rdflib's SPARQL and build the NetworkX graph.
3. With ``--before SRC`` (the ``src`` folder of another checkout, e.g. the landed main),
   the same commands run with that code, so the ratio is measured in the same run.
4. With ``--synthetic N``: a graph of N films from ``bench/generate_graph.py`` is loaded
   through the curated loader and the reasoning rules (no SHACL: it is not what is timed)
   into a generation, and the commands and the three rewritten queries
   (``source-contributions``, ``export-neighbours`` for the hub film,
   ``influence-cycle-violation``) are timed on it, before (``--before``) and after.

    .venv/bin/python bench/bench_commands.py [--store graph/build] [--repeat 5] \\
        [--before /work/main/src] [--synthetic 3000 --work /tmp/fg-bench]

Results: ``bench/results/commands.md`` and ``bench/results/commands.json``.

5. With ``--kept LABEL=STORE=MANIFEST`` (repeatable; STORE a built store, MANIFEST the
   generator's ``manifest.json`` naming the films): ``path``, ``lineage --depth 3`` of the
   hub film and ``rank`` read from the pickled projection (``--before``, e.g. main's src)
   and from the mapped arrays (this checkout), one command at a time: wall, CPU and peak
   RSS of each run; the one-time cost of keeping the arrays (the first reader, and the
   write alone); with ``--fast-path`` also the first reader of a fast-path generation
   (base and delta, no pickle) before and after. Only this runs then; results in
   ``bench/results/commands-kept-projection.md`` and ``.json`` (``--out`` names others,
   ``--before-is`` says what the ``--before`` code does). The generation gets
   ``projection.arrays``; a pickle the runs rewrite is put back as it was.

    .venv/bin/python bench/bench_commands.py --before /work/main/src --repeat 3 \\
        --kept 100k=/work/big/lazyproj-100k/store=/work/big/100k/src/manifest.json --fast-path
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DERIVED = ("projection.pickle", "projection.arrays", "names.sqlite", "aggregates.json")
REWRITTEN = ("source-contributions", "export-neighbours", "influence-cycle-violation")


def wall(argv: list[str], src: Path | None, repeat: int, before: Any = None) -> float:
    """Median wall seconds of ``python -m filmgraph ARGV`` (``before()`` runs ahead of each)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "filmgraph", *argv],
            env=env,
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        if done.returncode != 0:
            # A command that fails is not timed: say what went wrong instead.
            raise RuntimeError(
                f"filmgraph {' '.join(argv)} (PYTHONPATH={src}) exited "
                f"{done.returncode}: {done.stderr.decode()[-500:]}"
            )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def current_generation(store: Path) -> Path:
    return (store / "current").resolve()


def forget_derived(store: Path) -> None:
    """Remove what is kept with the generation, in it and in the user's cache folder."""
    generation = current_generation(store)
    for name in DERIVED:
        (generation / name).unlink(missing_ok=True)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "filmgraph"
    shutil.rmtree(cache / "derived", ignore_errors=True)


def keep_derived(store: Path) -> float:
    """Write the projection, name index and aggregates, as the build will; returns seconds."""
    from filmgraph.aggregates import compute_aggregates, write_aggregates
    from filmgraph.analytics.cache import write_projection_cache
    from filmgraph.resolve import write_name_index
    from filmgraph.store import open_store

    generation = current_generation(store)
    started = time.perf_counter()
    with open_store(store) as opened:
        write_projection_cache(opened, generation)
        write_name_index(opened, generation)
        write_aggregates(generation, compute_aggregates(opened))
    return time.perf_counter() - started


def naive_projection(store: Path) -> float:
    """rdflib parses the dump, rdflib's SPARQL runs influence-edges, NetworkX builds the graph."""
    from rdflib import Dataset

    from filmgraph.analytics.projection import from_rows
    from filmgraph.queries import get_query

    generation = current_generation(store)
    dump = generation / "graph.trig"
    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(dump, format="trig")
    result = dataset.query(get_query("influence-edges").text)
    rows = [
        {str(v): row[v] for v in result.vars if row[v] is not None}  # type: ignore[index]
        for row in result
    ]
    from_rows(rows)  # type: ignore[arg-type]
    return time.perf_counter() - started


def commands(picks: dict[str, str]) -> dict[str, list[str]]:
    return {
        "lookup (query film-influences)": [
            "query",
            "film-influences",
            "--param",
            f"film={picks['film']}",
        ],
        "path": ["path", picks["from"], picks["to"]],
        "lineage": ["lineage", picks["from"], "--depth", "2"],
        "rank": ["rank"],
    }


def time_commands(
    store: Path, picks: dict[str, str], src: Path | None, repeat: int, *, keep: bool
) -> dict[str, float]:
    """Cold: nothing kept with the generation before each run. Warm: what the build keeps
    (``keep``), then every run after the first."""
    out = {"--help": wall(["--help"], src, repeat)}
    runs = {label: [*argv, "--store", str(store)] for label, argv in commands(picks).items()}
    for label, argv in runs.items():
        out[f"{label}, cold"] = wall(
            argv, src, max(1, repeat // 2), before=lambda: forget_derived(store)
        )
    forget_derived(store)
    if keep:
        keep_derived(store)
    for label, argv in runs.items():
        out[f"{label}, warm"] = wall(argv, src, repeat)
    return out


def time_query(
    store: Path, name: str, params: dict[str, str], text_path: Path, limit: float
) -> float | None:
    code = (
        "import sys, json, time\n"
        "from filmgraph.store import open_store\n"
        "from filmgraph.queries import get_query\n"
        "store = open_store(sys.argv[1]); q = get_query(sys.argv[2])\n"
        "b = q.bindings(json.loads(sys.argv[3])); text = open(sys.argv[4]).read()\n"
        "t = time.perf_counter(); store.query(text, b); print(time.perf_counter() - t)\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, str(store), name, json.dumps(params), str(text_path)],
            capture_output=True,
            text=True,
            timeout=limit,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    return float(done.stdout.strip())


def synthetic(films: int, work: Path) -> tuple[Path, dict[str, str], dict[str, Any]]:
    """A generation of ``films`` generated films under ``work`` (reused when present)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from generate_graph import generate  # type: ignore[import-not-found]

    out, store = work / f"g{films}", work / f"s{films}"
    if not (out / "manifest.json").is_file():
        generate(films, 1, out)
    manifest = json.loads((out / "manifest.json").read_text())
    p = manifest["picks"]
    picks = {
        "film": f"film:{p['film_with_influences']}",
        "from": f"film:{p['path_from']}",
        "to": f"film:{p['path_to']}",
        "hub": f"film:{p['hub_film']}",
    }
    if not (store / "current").is_symlink():
        load_synthetic(out, store)
    return store, picks, manifest


def load_synthetic(source: Path, store: Path) -> None:
    import pyoxigraph as ox
    from rdflib import Dataset

    from filmgraph.loaders import LoadContext, get_loader
    from filmgraph.provenance import ONTOLOGY_GRAPH
    from filmgraph.reasoning import INFERRED_GRAPH, materialise
    from filmgraph.resources import ontology_path

    dataset = Dataset()
    for graph in get_loader("curated-tables").load(source / "curated", LoadContext(), source):
        dataset.graph(graph.iri).__iadd__(graph.graph)
    dataset.graph(ONTOLOGY_GRAPH).parse(ontology_path(), format="turtle")
    dataset.graph(INFERRED_GRAPH).__iadd__(materialise(dataset))
    generation = store / "generations" / "synthetic"
    generation.mkdir(parents=True, exist_ok=True)
    dump = generation / "graph.nq"
    dataset.serialize(destination=str(dump), format="nquads")
    engine = ox.Store(str(generation / "oxigraph"))
    engine.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    engine.flush()
    quads = len(engine)
    del engine
    (generation / "graph.trig").unlink(missing_ok=True)
    summary = {
        "built": "synthetic",
        "counts": {"triples": quads},
        "conforms": True,
        "violations": 0,
        "warnings": 0,
    }
    (generation / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    (store / "current").symlink_to("generations/synthetic")


def measured(argv: list[str], src: Path | None) -> dict[str, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one
    ``python -m filmgraph ARGV`` with the code in ``src``."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "filmgraph", *argv],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    errors = child.stderr.read().decode() if child.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: found nothing, still an answer
        raise RuntimeError(f"filmgraph {' '.join(argv)} (PYTHONPATH={src}) exited {code}: {errors}")
    return {
        "wall": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
    }


def kept_commands(store: Path, manifest: Path) -> dict[str, list[str]]:
    picks = json.loads(manifest.read_text(encoding="utf-8"))["picks"]
    at = ["--store", str(store)]
    return {
        "path": ["path", f"film:{picks['path_from']}", f"film:{picks['path_to']}", *at],
        "lineage --depth 3 (hub)": ["lineage", f"film:{picks['hub_film']}", "--depth", "3", *at],
        "rank": ["rank", *at],
    }


def runs(argv: list[str], src: Path | None, repeat: int) -> dict[str, Any]:
    found = [measured(argv, src) for _ in range(repeat)]
    return {
        "load": os.getloadavg()[0],
        "runs": found,
        **{k: statistics.median(r[k] for r in found) for k in ("wall", "cpu", "rss_mb")},
    }


def write_alone(generation: Path) -> float:
    """Seconds to write the arrays of the generation's pickled projection (read untimed),
    as the build does after projecting; into a scratch file."""
    code = (
        "import pickle, sys, time, tempfile\n"
        "from pathlib import Path\n"
        "from filmgraph.analytics.cache import _keep_mapped\n"
        "from filmgraph.derived import fingerprint\n"
        "g = Path(sys.argv[1])\n"
        "graph = pickle.loads((g / 'projection.pickle').read_bytes())['graph']\n"
        "out = Path(tempfile.mkdtemp(dir=g)) / 'scratch.arrays'\n"
        "t = time.perf_counter(); _keep_mapped(out, fingerprint(g), graph)\n"
        "print(time.perf_counter() - t); out.unlink(); out.parent.rmdir()\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run(
        [sys.executable, "-c", code, str(generation)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip())


def machine() -> dict[str, Any]:
    """The machine a report was measured on, with its load when the run began."""
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load": os.getloadavg(),
    }


#: What ``--before`` did when the arrays came (item 5's first comparison).
_PICKLED = "the projection unpickled (main's code, `projection.pickle`)"


def kept_projection(
    graphs: list[tuple[str, Path, Path]],
    before: Path | None,
    repeat: int,
    fast_path: bool,
    out: str = "commands-kept-projection",
    before_is: str = _PICKLED,
) -> int:
    """Commands reading the pickled projection against the mapped arrays (see item 5)."""
    after_src = ROOT / "src"
    report: dict[str, Any] = {
        "machine": machine(),
        "repeat": repeat,
        "graphs": {},
    }
    for label, store, manifest in graphs:
        generation = current_generation(store)
        arrays, pickled = generation / "projection.arrays", generation / "projection.pickle"
        saved = generation / ".projection.pickle.bench"
        if pickled.is_file():
            shutil.copy2(pickled, saved)
        arrays.unlink(missing_ok=True)
        entry: dict[str, Any] = {"before": {}, "after": {}}
        argvs = kept_commands(store, manifest)
        if before is not None:
            for name, argv in argvs.items():
                entry["before"][name] = runs(argv, before, repeat)
        first = measured(argvs["path"], after_src)  # the first reader writes the arrays
        entry["first reader"] = {**first, "arrays_mb": arrays.stat().st_size / 2**20}
        entry["pickle_mb"] = pickled.stat().st_size / 2**20
        for name, argv in argvs.items():
            entry["after"][name] = runs(argv, after_src, repeat)
        entry["write alone"] = write_alone(generation)
        if fast_path and (generation / "projection-base.pickle").is_file():
            entry["fast path first reader"] = {}
            for side, src in (("before", before), ("after", after_src)):
                if src is None:
                    continue
                pickled.unlink(missing_ok=True)
                arrays.unlink(missing_ok=True)
                # the last, this checkout's, leaves the arrays later readers read
                entry["fast path first reader"][side] = measured(argvs["path"], src)
        if saved.is_file():
            saved.replace(pickled)
        report["graphs"][label] = entry
    report["before is"] = before_is
    lines = kept_report(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{out}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (RESULTS / f"{out}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


def kept_report(report: dict[str, Any]) -> list[str]:
    machine = report["machine"]
    lines = [
        "# path, lineage and rank from the mapped projection",
        "",
        "Whole commands in a fresh process, start-up included, one at a time; median of "
        f"{report['repeat']} runs (wall, CPU = user + system, peak RSS). *Before*: "
        f"{report.get('before is', _PICKLED)}; *after*: this checkout, the mapped arrays read "
        "through the lazy graph (`projection.arrays`). Load: the 1-minute load average when "
        "each command's runs began. Produced by `bench/bench_commands.py --kept`.",
        "",
        f"Machine: {machine['platform']}, Python {machine['python']}, {machine['cpus']} CPUs, "
        f"load {', '.join(f'{x:.2f}' for x in machine['load'])} at the start.",
        "",
    ]
    for label, entry in report["graphs"].items():
        lines += [
            f"## {label}",
            "",
            "| command | before wall | after wall | ratio | before CPU | after CPU "
            "| before RSS | after RSS | load (before/after) |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for name, after in entry["after"].items():
            old = entry["before"].get(name)
            ratio = f"{old['wall'] / after['wall']:.1f}x" if old else "—"
            lines.append(
                f"| `{name}` | {_cell(old, 'wall', 's')} | {_cell(after, 'wall', 's')} | {ratio} "
                f"| {_cell(old, 'cpu', 's')} | {_cell(after, 'cpu', 's')} "
                f"| {_cell(old, 'rss_mb', 'MB')} | {_cell(after, 'rss_mb', 'MB')} "
                f"| {old['load'] if old else float('nan'):.2f} / {after['load']:.2f} |"
            )
        first = entry["first reader"]
        lines += [
            "",
            f"Keeping the arrays: the first `path` after a build that kept only the pickle "
            f"(it unpickles the graph and writes the arrays) {first['wall']:.2f} s wall, "
            f"{first['rss_mb']:.0f} MB peak; writing them alone from the graph in memory "
            f"(what the build adds) {entry['write alone']:.2f} s. `projection.arrays` "
            f"{first['arrays_mb']:.1f} MB beside `projection.pickle` "
            f"{entry['pickle_mb']:.1f} MB.",
        ]
        fast = entry.get("fast path first reader")
        if fast:
            parts = [
                f"{side} {m['wall']:.2f} s wall, {m['rss_mb']:.0f} MB" for side, m in fast.items()
            ]
            lines.append(
                "First `path` after a fast-path build (base and delta brought up to date, "
                f"then kept): {'; '.join(parts)}."
            )
        lines.append("")
    return lines


def _cell(entry: dict[str, Any] | None, key: str, unit: str) -> str:
    if entry is None:
        return "—"
    value = entry[key]
    return f"{value:.2f} {unit}" if unit == "s" else f"{value:.0f} {unit}"


def row(label: str, after: float | None, before: float | None) -> str:
    def cell(v: float | None) -> str:
        return "—" if v is None else f"{v:.2f} s"

    ratio = f"{before / after:.1f}x" if before and after else "—"
    return f"| {label} | {cell(before)} | {cell(after)} | {ratio} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=ROOT / "graph" / "build")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--before",
        type=Path,
        default=None,
        help="the src folder of the code to compare with (e.g. main's)",
    )
    parser.add_argument("--synthetic", type=int, default=0, metavar="N")
    parser.add_argument("--work", type=Path, default=Path("/tmp/filmgraph-bench-commands"))
    parser.add_argument("--query-limit", type=float, default=600.0, metavar="SECONDS")
    parser.add_argument(
        "--kept",
        action="append",
        default=[],
        metavar="LABEL=STORE=MANIFEST",
        help="time path, lineage and rank on the pickled and the mapped projection (item 5)",
    )
    parser.add_argument("--fast-path", action="store_true")
    parser.add_argument(
        "--out",
        default="commands-kept-projection",
        help="with --kept: the name of the results (.md and .json in bench/results)",
    )
    parser.add_argument(
        "--before-is",
        default=_PICKLED,
        metavar="TEXT",
        help="with --kept: what the --before code does, for the report",
    )
    args = parser.parse_args()
    if args.kept:
        specs = [tuple(spec.split("=")) for spec in args.kept]
        return kept_projection(
            [(label, Path(at), Path(manifest)) for label, at, manifest in specs],
            args.before,
            args.repeat,
            args.fast_path,
            args.out,
            args.before_is,
        )

    report: dict[str, Any] = {
        "machine": machine(),
        "repeat": args.repeat,
        "graphs": {},
    }
    bundled = {
        "film": "film:the-miners-1937",
        "from": "Battleship Potemkin",
        "to": "The Miners (1937)",
    }
    graphs: list[tuple[str, Path, dict[str, str]]] = [("bundled", args.store, bundled)]
    if args.synthetic:
        store, picks, _ = synthetic(args.synthetic, args.work)
        graphs.append((f"synthetic {args.synthetic:,} films", store, picks))

    lines = [
        "# Commands that answer at once",
        "",
        "Wall time of whole commands in a fresh process, start-up included (median of "
        f"{args.repeat} runs; cold: half as many). *Cold*: nothing kept with the "
        "generation (the first command after a build that does not write it); *warm*: "
        "the projection, name index and aggregates kept with it. *Before*: the same "
        "command with the code in `--before`, in the same run. Produced by "
        "`bench/bench_commands.py`.",
        "",
        f"Machine: {report['machine']['platform']}, Python "
        f"{report['machine']['python']}, {report['machine']['cpus']} CPUs, load "
        f"{', '.join(f'{x:.1f}' for x in report['machine']['load'])} at the start.",
        "",
    ]
    for title, store, picks in graphs:
        before = (
            time_commands(store, picks, args.before, args.repeat, keep=False) if args.before else {}
        )
        forget_derived(store)
        kept = keep_derived(store)
        after = time_commands(store, picks, ROOT / "src", args.repeat, keep=True)
        after["stats"] = wall(["stats", "--store", str(store)], ROOT / "src", args.repeat)
        # rdflib's SPARQL over a synthetic graph takes many minutes: the naive route is timed
        # on the bundled graph, where it is already far behind.
        naive = naive_projection(store) if title == "bundled" else None
        entry: dict[str, Any] = {
            "after": after,
            "before": before,
            "naive_projection": naive,
            "keep_derived_seconds": kept,
        }
        lines += [f"## {title}", "", "| command | before | after | ratio |", "|---|---|---|---|"]
        for label, seconds in after.items():
            lines.append(row(label, seconds, before.get(label)))
        lines.append("")
        if naive is not None:
            lines.append(
                f"Naive route to the projection (rdflib parses the dump, rdflib's "
                f"SPARQL runs `influence-edges`, NetworkX builds the graph): "
                f"**{naive:.2f} s**, against **{after['path, warm']:.2f} s** for the "
                f"whole warm `path` command ({naive / after['path, warm']:.0f}x). "
            )
        lines += [
            f"Writing the projection, name index and aggregates at the end of the "
            f"build: {kept:.2f} s.",
            "",
        ]
        if title != "bundled":
            queries: dict[str, Any] = {}
            lines += [
                "Rewritten queries on this graph (one run each, in a fresh process; "
                f"— = not finished within {args.query_limit:.0f} s):",
                "",
                "| query | before | after | ratio |",
                "|---|---|---|---|",
            ]
            for name in REWRITTEN:
                params = {"node": picks["hub"]} if name == "export-neighbours" else {}
                new = time_query(
                    store, name, params, ROOT / "queries" / f"{name}.rq", args.query_limit
                )
                old = (
                    time_query(
                        store,
                        name,
                        params,
                        args.before.parent / "queries" / f"{name}.rq",
                        args.query_limit,
                    )
                    if args.before
                    else None
                )
                queries[name] = {"after": new, "before": old}
                lines.append(row(f"`{name}`", new, old))
            entry["queries"] = queries
            lines.append("")
        report["graphs"][title] = entry
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "commands.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (RESULTS / "commands.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
