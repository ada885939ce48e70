"""Time named queries on a built store: median of a few runs each, engine and conversion apart.

Three uses:

* every named query (checks included)::

    python bench/bench_queries.py STORE MANIFEST [--runs 3] [--cap 120] [--only a,b]

* each competency query with parameters bound by a VALUES block and as constants
  (``--binding``), to choose which queries ask for ``binding: constants``;

* the competency queries of the README's CQ table, written as a table (``--competency``),
  optionally beside the same queries as another revision has them (``--before REV``: its
  ``queries/`` from git, run in the same session, so the ratio holds on a loaded machine)::

    python bench/bench_queries.py STORE MANIFEST --competency --runs 3 \
        --before main --before-runs 1 --write bench/results/queries-100k.md

MANIFEST is the generator's manifest.json (its ``picks`` supply the parameters). Each query
runs in a child process, so that one that runs away is cut at ``--cap`` seconds and reported
as such instead of stalling the whole run; the first of its runs is therefore cold. A run is
the library call (``run_named``: the engine's answer converted to rdflib terms);
``engine`` is the same query read once more from pyoxigraph without conversion
(``OxigraphStore.query_native``, warm), so the difference is what the conversion costs. CPU time
is reported beside wall time: on a shared machine it moves less.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from filmgraph.queries import catalogue

ROOT = Path(__file__).resolve().parent.parent


def parameters(picks: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The parameters each named query is run with, taken from the generator's picks."""
    film = f"film:{picks['film_with_influences']}"
    hub = f"film:{picks['hub_film']}"
    return {
        "film-influences": {"film": film},
        "film-people": {"film": film},
        "film-themes": {"film": film},
        "film-similar": {"film": film},
        "shared-themes": {"film": film},
        "film-descendants": {"film": hub},
        "film-context": {"film": f"film:{picks['film_with_context']}"},
        "film-afterlife": {
            "film": f"film:{picks.get('film_with_afterlife', picks['film_with_influences'])}"
        },
        "influence-paths": {"from": f"film:{picks['path_from']}", "to": f"film:{picks['path_to']}"},
        "films-during-event": {"event": f"event:{picks['event']}"},
        "person-films": {"person": f"person:{picks['person']}"},
        "movement-films": {"movement": f"movement:{picks['movement']}"},
        "export-neighbours": {"node": hub},
        "export-wikidata-statements": {"property": "fg:director"},
        "resource-page": {"resource": film},
        "name-lookup": {"thing": film},
    }


def competency(picks: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    """(row label, named query, parameters) for every query of the README's CQ table."""
    params = parameters(picks)
    rows: list[tuple[str, str, dict[str, str]]] = [
        ("CQ1", "film-influences", params["film-influences"]),
        ("CQ2", "film-descendants", params["film-descendants"]),
        ("CQ2", "film-descendants", {**params["film-descendants"], "offset": "100"}),
        ("CQ2", "film-descendants", {**params["film-descendants"], "limit": "0"}),
        ("CQ3", "influence-paths", params["influence-paths"]),
        ("CQ4", "films-during-event", params["films-during-event"]),
        ("CQ5", "film-context", params["film-context"]),
        ("CQ6", "film-people", params["film-people"]),
        ("CQ6", "person-films", params["person-films"]),
        ("CQ7", "movement-films", params["movement-films"]),
        ("CQ7", "movement-bridges", {}),
        ("CQ7", "movement-influences", {}),
        ("CQ8", "influential-films", {}),
        ("CQ8", "influential-films", {"offset": "100"}),
        ("CQ8", "influential-films", {"limit": "0"}),
        ("CQ8", "influential-films", {"decade": str(picks["decade"])}),
        ("CQ8", "influential-films", {"decade": str(picks["decade"]), "limit": "0"}),
        ("CQ9", "contested-claims", {}),
        ("CQ10", "film-themes", params["film-themes"]),
        ("CQ10", "shared-themes", params["shared-themes"]),
        ("CQ10", "shared-themes", {**params["shared-themes"], "limit": "0"}),
        ("CQ11", "source-contributions", {}),
        ("CQ12", "film-afterlife", params["film-afterlife"]),
        ("dashboard", "most-cited-films", {}),
        ("dashboard", "most-cited-films", {"limit": "0"}),
    ]
    return rows


def _child(store: str, name: str, params: str, runs: int, directory: str | None) -> None:
    from filmgraph.queries import get_query
    from filmgraph.store import open_store
    from filmgraph.store.oxigraph import OxigraphStore

    query = get_query(name, Path(directory) if directory else None)
    known = {p.name for p in query.parameters}  # an older query may lack limit and offset
    given = {k: v for k, v in json.loads(params).items() if k in known}
    with open_store(store) as opened:
        text, bindings = query.prepare(given)
        # as run_named asks: older revisions (--before) have no constants to ask for
        asks = {"constants": True} if getattr(query, "constants", False) else {}
        wall, cpu, engine = [], [], []
        size: object = None
        for _ in range(runs):
            started, used = time.perf_counter(), time.process_time()
            result = opened.query(text, bindings, **asks)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
            rows = getattr(result, "rows", None)
            size = len(rows) if rows is not None else len(result)  # type: ignore[arg-type]
        if isinstance(opened, OxigraphStore):  # once: a warm run, for the conversion's share
            for _ in range(1):
                started = time.perf_counter()
                for _row in opened.query_native(text, bindings, **asks):
                    pass
                engine.append(time.perf_counter() - started)
    print(
        json.dumps(
            {
                "rows": size,
                "ms": statistics.median(wall) * 1000,
                "cpu_ms": statistics.median(cpu) * 1000,
                "first_ms": wall[0] * 1000,
                "engine_ms": engine[0] * 1000 if engine else None,
                "runs": runs,
            }
        )
    )


def measure(
    store: str,
    name: str,
    params: dict[str, str],
    runs: int,
    cap: float,
    directory: Path | None = None,
) -> dict[str, Any]:
    """One query timed in a child process: its JSON line, or ``{"error": ...}``."""
    command = [sys.executable, __file__, store, "--runs", str(runs), "--child", name]
    command += [json.dumps(params)]
    if directory is not None:
        command += ["--queries", str(directory)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=cap, check=True)
    except subprocess.TimeoutExpired:
        return {"error": f"cut at {cap:.0f} s"}
    except subprocess.CalledProcessError as error:
        return {"error": error.stderr.strip().splitlines()[-1]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def checkout_queries(revision: str, into: Path) -> Path:
    """The ``queries/`` folder of ``revision`` (git), written into ``into``."""
    names = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "--name-only", f"{revision}:queries"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in names:
        if name.endswith(".rq"):
            text = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{revision}:queries/{name}"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            (into / name).write_text(text, encoding="utf-8")
    return into


def _seconds(measured: dict[str, Any], key: str = "ms") -> str:
    if "error" in measured:
        return str(measured["error"])
    value = measured.get(key)
    if value is None:
        return ""
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def table(
    results: list[dict[str, Any]], before: str | None, runs: int, before_runs: int
) -> list[str]:
    head = ["question", "query", "parameters", "rows"]
    if before:
        head += [f"before ({before}, {before_runs} run{'s' if before_runs > 1 else ''})"]
        head += ["rows before"]
    head += [f"median of {runs}", "CPU", "engine only", "first (cold)"]
    if before:
        head.append("ratio" if runs == before_runs else "ratio (cold runs)")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        after = r["after"]
        params = ", ".join(f"{k}={v}" for k, v in r["params"].items()) or "—"
        cells = [r["question"], r["name"], params, str(after.get("rows", ""))]
        if before:
            old = r.get("before", {})
            shown = _seconds(old) + (f" / {_seconds(old, 'cpu_ms')} CPU" if "cpu_ms" in old else "")
            cells += [shown, str(old.get("rows", ""))]
        cells += [
            _seconds(after),
            _seconds(after, "cpu_ms"),
            _seconds(after, "engine_ms"),
            _seconds(after, "first_ms"),
        ]
        if before:
            # like with like: medians when both ran as often, else the first (cold) runs
            old = r.get("before", {})
            key = "ms" if runs == before_runs else "first_ms"
            if key in old and key in after:
                cells.append(f"{old[key] / after[key]:.1f}x")
            elif "error" in old and key in after:
                cap = float(str(old["error"]).split()[-2]) * 1000
                cells.append(f"> {cap / after[key]:.0f}x")
            else:
                cells.append("")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _this_command() -> list[str]:
    """The command that made a results file, as a Markdown block closing it."""
    return ["```sh", " ".join(["python bench/bench_queries.py", *sys.argv[1:]]), "```", ""]


def run_competency(args: argparse.Namespace, picks: dict[str, Any]) -> None:
    from bench_exports import machine

    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as scratch:
        old_dir = checkout_queries(args.before, Path(scratch)) if args.before else None
        load_before = os.getloadavg()
        for question, name, params in competency(picks):
            entry: dict[str, Any] = {"question": question, "name": name, "params": params}
            entry["after"] = measure(args.store, name, params, args.runs, args.cap)
            if old_dir is not None:
                entry["before"] = measure(
                    args.store, name, params, args.before_runs, args.cap, old_dir
                )
            results.append(entry)
            shown = {k: entry[k] for k in ("after", "before") if k in entry}
            print(f"{question:5s} {name:22s} {json.dumps(params)} {json.dumps(shown)}", flush=True)
        load_after = os.getloadavg()
    described = machine()
    lines = [
        f"# Competency queries on {args.label}",
        "",
        f"Store: `{args.store}`. Library call (`run_named`), each query in a fresh process, "
        f"median of {args.runs} runs (the first cold)."
        + (
            f" Before: the queries of `{args.before}` in the same session, "
            f"{args.before_runs} run each, cut at {args.cap:.0f} s."
            if args.before
            else ""
        ),
        "",
        f"Machine: {described['cpu_model']}, {described['cores']} cores, "
        f"{described['memory_bytes'] / 2**30:.1f} GiB, {described['python']}, "
        f"pyoxigraph {described['libraries'].get('pyoxigraph')}. Load average (1, 5, 15 min) "
        f"at the start {tuple(round(x, 2) for x in load_before)}, "
        f"at the end {tuple(round(x, 2) for x in load_after)}.",
        "",
        *table(results, args.before, args.runs, args.before_runs),
        "",
        *_this_command(),
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
        Path(args.write).with_suffix(".json").write_text(
            json.dumps({"machine": described, "results": results}, indent=1) + "\n",
            encoding="utf-8",
        )


def _both_ways(
    store: Any, text: str, bindings: dict[str, Any], runs: int
) -> tuple[float, float, int]:
    """Median CPU (ms) of ``text`` bound by VALUES alone and with constants, and its rows."""
    cpu: dict[bool, list[float]] = {False: [], True: []}
    rows = 0
    for _ in range(runs):
        for constants in (False, True):
            used = time.process_time()
            result = store.query(text, bindings, constants=constants)
            cpu[constants].append(time.process_time() - used)
            rows = len(getattr(result, "rows", ()))
    plain, written = (statistics.median(cpu[c]) * 1000 for c in (False, True))
    return plain, written, rows


def run_binding(args: argparse.Namespace, picks: dict[str, Any]) -> None:
    """Every competency query with parameters, bound by a VALUES block alone and with the
    values also written in as constants, alternately in one process (so that the load
    moves both alike): which queries should ask for ``binding: constants``. A query with a
    film parameter also runs for ``--sample`` films drawn at random (seeded): the picks are
    hubs or well-linked films, and a plan that suits them may not suit a common film."""
    import random

    from bench_exports import machine

    from filmgraph.queries import get_query
    from filmgraph.store import open_store

    lines = [
        "| query | parameters | asks | rows | VALUES (CPU) | constants (CPU) | ratio |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    sampled = [
        "| query | films | VALUES, median (CPU) | constants, median (CPU) "
        "| ratio: least / median / most |",
        "|---|---:|---:|---:|---|",
    ]
    with open_store(args.store) as store:
        films = sorted(
            str(row[0])
            for row in store.query(
                "SELECT ?f WHERE { ?f a <https://w3id.org/filmgraph/ontology#Film> }"
            ).rows  # type: ignore[union-attr]
        )
        sample = random.Random(1).sample(films, min(args.sample, len(films)))
        for _question, name, params in competency(picks):
            query = get_query(name)
            text, bindings = query.prepare(params)
            if not bindings:
                continue
            plain, written, rows = _both_ways(store, text, bindings, args.runs)
            asks = "yes" if query.constants else "no"
            lines.append(
                f"| {name} | `{json.dumps(params)}` | {asks} | "
                f"{rows:,} | {plain:,.1f} ms | {written:,.1f} ms | {plain / written:.2f}x |"
            )
            print(lines[-1], flush=True)
            if set(params) != {"film"} or not sample:
                continue
            each = [_both_ways(store, *query.prepare({"film": f}), args.runs) for f in sample]
            ratios = sorted(a / b for a, b, _ in each)
            sampled.append(
                f"| {name} (asks: {asks}) | {len(sample)} | "
                f"{statistics.median(a for a, _, _ in each):,.1f} ms | "
                f"{statistics.median(b for _, b, _ in each):,.1f} ms | "
                f"{ratios[0]:.2f}x / {statistics.median(ratios):.2f}x / {ratios[-1]:.2f}x |"
            )
            print(sampled[-1], flush=True)
    described = machine()
    text = "\n".join(
        [
            f"# Parameters as a VALUES block or as constants, on {args.label}",
            "",
            f"Store: `{args.store}`. Median CPU of {args.runs} runs each way, alternating in "
            f"one process (`store.query(text, bindings, constants=...)`). Machine: "
            f"{described['cpu_model']}, {described['cores']} cores, pyoxigraph "
            f"{described['libraries'].get('pyoxigraph')}. *asks*: the query's header says "
            "`binding: constants`.",
            "",
            *lines,
            "",
            f"The same, for {args.sample} films drawn at random (a ratio under 1: constants "
            "are slower):",
            "",
            *sampled,
            "",
            *_this_command(),
        ]
    )
    print(text)
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("store")
    parser.add_argument("manifest", nargs="?")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cap", type=float, default=120.0)
    parser.add_argument("--only", default="")
    parser.add_argument("--competency", action="store_true", help="the CQ table only")
    parser.add_argument(
        "--binding", action="store_true", help="each CQ bound by VALUES and as constants"
    )
    parser.add_argument(
        "--sample", type=int, default=8, help="with --binding: random films also asked about"
    )
    parser.add_argument("--before", help="also run the queries of this git revision")
    parser.add_argument("--before-runs", type=int, default=1)
    parser.add_argument("--label", default="a built graph", help="what the store holds")
    parser.add_argument("--write", help="write the CQ table (Markdown) and JSON here")
    parser.add_argument("--queries", help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.store, args.child[0], args.child[1], args.runs, args.queries)
        return
    picks = json.loads(Path(args.manifest).read_text())["picks"]
    if args.binding:
        run_binding(args, picks)
        return
    if args.competency:
        run_competency(args, picks)
        return
    params = parameters(picks)
    names = sorted(catalogue())
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    for name in names:
        out = measure(args.store, name, params.get(name, {}), args.runs, args.cap)
        if "error" in out:
            print(f"{name:32s} {out['error']}", flush=True)
            continue
        print(f"{name:32s} {out['rows']!s:>7} {out['ms']:10.1f} ms", flush=True)


if __name__ == "__main__":
    main()
