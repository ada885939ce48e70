"""Dashboard aggregates: the statistics kept with the build against Virtuoso, pyoxigraph and rdflib.

The dashboard's two whole-class aggregates are the named queries ``most-cited-films`` and
``films-per-movement-decade``. A build computes them once and keeps them with the generation
(``aggregates.json``, :mod:`filmgraph.aggregates`); ``filmgraph stats`` reads them back. On a
synthetic graph of N films (``generate_graph.py``, built by ``filmgraph build``) this times:

* **ours**: ``read_aggregates(build)`` (the library call) and ``filmgraph stats --format json``
  (the command, start-up included);
* **Virtuoso** (Debian's ``virtuoso-t``, on loopback, bulk-loaded with the build's N-Quads):
  the two queries over its SPARQL endpoint;
* **pyoxigraph** (the built on-disk store) and **rdflib** (``Dataset.parse`` of the same
  N-Quads, the naive route): the same two queries, as a dashboard without kept statistics
  would run them.

Every route's answers are compared with the kept ones (the top 100 most cited and every
movement-decade count). Then one film page is added (a new film that draws on the most
cited film) and the graph rebuilt: the kept statistics must show one more film and one more
claim on that film at once. Results: ``bench/results/aggregates.md`` and ``aggregates.json``.

    .venv/bin/python bench/bench_aggregates.py --films 10000
    .venv/bin/python bench/bench_aggregates.py --store /tmp/b10k --data /tmp/g10k
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench_exports import BIN, RESULTS, build_store, build_synthetic, machine

QUERIES = ("most-cited-films", "films-per-movement-decade")
TOP = 100
REPEAT = 7


def median_ms(function: Callable[[], Any], repeat: int = REPEAT) -> tuple[float, Any]:
    """Median wall milliseconds of ``function()`` after one warm-up, and its last result."""
    result = function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def query_text(name: str) -> str:
    from filmgraph.queries import get_query

    text = get_query(name).text
    return text + f"\nLIMIT {TOP}" if name == "most-cited-films" else text


# -- normalising answers -----------------------------------------------------------------


def cited(rows: list[dict[str, str]]) -> list[tuple[str, int, int]]:
    return [(r["film"], int(r["claims"]), int(r["drawnOnBy"])) for r in rows][:TOP]


def decades(rows: list[dict[str, str]]) -> set[tuple[str, int, int]]:
    return {(r["movement"], int(r["decade"]), int(r["films"])) for r in rows}


def kept_answers(aggregates: dict[str, Any]) -> dict[str, Any]:
    return {
        "most-cited-films": [
            (f["film"], f["claims"], f["drawn_on_by"]) for f in aggregates["most_cited"][:TOP]
        ],
        "films-per-movement-decade": {
            (r["movement"], r["decade"], r["films"]) for r in aggregates["movement_decades"]
        },
    }


def agree(name: str, got: Any, kept: Any) -> bool:
    """Same answer; for the ranking, the same counts in the same order and the same counts
    for every film both name (ties may be ordered differently by year literals)."""
    if name == "films-per-movement-decade":
        return bool(got == kept)
    if [c[1:] for c in got] != [c[1:] for c in kept]:
        return False
    theirs = {film: counts for film, *counts in got}
    return all(theirs.get(film, counts) == counts for film, *counts in kept)


# -- the routes ----------------------------------------------------------------------------


def ours(store: Path) -> dict[str, Any]:
    from filmgraph.aggregates import read_aggregates

    library_ms, aggregates = median_ms(lambda: read_aggregates(store))
    command = [str(BIN / "filmgraph"), "stats", "--store", str(store), "--format", "json"]
    command_ms, output = median_ms(
        lambda: subprocess.run(command, check=True, capture_output=True, text=True).stdout, 5
    )
    if json.loads(output) != aggregates:
        raise RuntimeError("filmgraph stats printed something else than read_aggregates")
    return {"library_ms": library_ms, "command_ms": command_ms, "aggregates": aggregates}


def oxigraph(store: Path) -> dict[str, Any]:
    from filmgraph.store import open_store

    found: dict[str, Any] = {}
    with open_store(store) as opened:
        for name in QUERIES:
            ms, result = median_ms(lambda n=name: opened.query(query_text(n)), 3)
            rows = [{k: str(v) for k, v in row.items()} for row in result.dicts()]
            found[name] = {"ms": ms, "rows": rows}
    return found


NAIVE = r"""
import json, sys, time, statistics
from rdflib import Dataset
data = Dataset(default_union=True)
started = time.perf_counter()
data.parse(sys.argv[1], format="nquads")
print(json.dumps({"parse_s": time.perf_counter() - started}), flush=True)
for name, text in json.loads(sys.argv[2]).items():
    times = []
    for _ in range(3):
        started = time.perf_counter()
        rows = [{str(k): str(v) for k, v in row.asdict().items()} for row in data.query(text)]
        times.append((time.perf_counter() - started) * 1000)
    print(json.dumps({"name": name, "ms": statistics.median(times), "rows": rows}), flush=True)
"""


def rdflib_route(nquads: Path, cap: float) -> dict[str, Any]:
    texts = {name: query_text(name) for name in QUERIES}
    process = subprocess.Popen(
        [sys.executable, "-c", NAIVE, str(nquads), json.dumps(texts)],
        stdout=subprocess.PIPE,
        text=True,
    )
    found: dict[str, Any] = {}
    try:
        stdout, _ = process.communicate(timeout=cap)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, _ = process.communicate()
        found["capped"] = cap
    for line in stdout.splitlines():
        row = json.loads(line)
        if "parse_s" in row:
            found["parse_s"] = row["parse_s"]
        else:
            found[row.pop("name")] = row
    return found


@contextmanager
def virtuoso(nquads: Path, folder: Path) -> Iterator[str]:
    """A Virtuoso on loopback bulk-loaded with ``nquads``; yields its SPARQL endpoint."""
    from bench_server import loaded_virtuoso

    started = time.perf_counter()
    with loaded_virtuoso(nquads, folder) as (http_port, _):
        print(f"  Virtuoso started and loaded in {time.perf_counter() - started:.1f} s", flush=True)
        yield f"http://127.0.0.1:{http_port}/sparql"


def ask_virtuoso(endpoint: str, text: str) -> list[dict[str, str]]:
    request = urllib.request.Request(
        endpoint,
        data=urllib.parse.urlencode({"query": text}).encode(),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=300) as response:
        document = json.load(response)
    return [{k: v["value"] for k, v in b.items()} for b in document["results"]["bindings"]]


def virtuoso_route(nquads: Path, folder: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    with virtuoso(nquads, folder) as endpoint:
        for name in QUERIES:
            ms, rows = median_ms(lambda n=name: ask_virtuoso(endpoint, query_text(n)))
            found[name] = {"ms": ms, "rows": rows}
    return found


# -- correctness right after a rebuild -------------------------------------------------------


def page_for(title: str, year: int, drawn_on: tuple[str, int]) -> str:
    """A film page (the encyclopedia format) of a new film drawing on ``drawn_on``."""
    return "\n".join(
        [
            title,
            "",
            title,
            "",
            f"{year} 95 minutes France",
            "",
            f'"{title}"',
            "",
            "Plot",
            "",
            "A film added by the aggregates benchmark.",
            "",
            "About the Production",
            "",
            f"Release Date {year}",
            "",
            "Film Connections",
            "",
            "Influenced By",
            "",
            f"  • {drawn_on[0]} ({drawn_on[1]}) - montage",
            "",
            "Themes & Topics",
            "",
            "cinema",
            "",
        ]
    )


def rebuild_check(store: Path, data: Path, before: dict[str, Any]) -> dict[str, Any]:
    """Add a page of a new film drawing on the most cited film, rebuild, compare stats.

    The kept statistics must show the new film and its claim, and equal every statistic
    computed afresh from the rebuilt store (:func:`~filmgraph.aggregates.compute_aggregates`).
    """
    from filmgraph.aggregates import compute_aggregates, read_aggregates
    from filmgraph.store import open_store

    top = before["most_cited"][0]
    page = data / "pages" / "aggregates-check-2023.txt"
    page.write_text(
        page_for("Aggregates Check", 2023, (top["label"], top["year"])), encoding="utf-8"
    )
    started = time.perf_counter()
    try:
        build_store(store, data)
    finally:
        page.unlink()
    rebuild_s = time.perf_counter() - started
    after = read_aggregates(store)
    # Every kept statistic, not only the film added: the rebuilt store asked afresh.
    with open_store(store) as opened:
        fresh = compute_aggregates(opened)
    claims = {f["film"]: f["claims"] for f in after["most_cited"]}
    films_before, films_after = before["counts"]["films"], after["counts"]["films"]
    differing = sorted(k for k in fresh if fresh[k] != after.get(k))
    return {
        "rebuild_s": rebuild_s,
        "film": top["film"],
        "claims_before": top["claims"],
        "claims_after": claims.get(top["film"]),
        "films_before": films_before,
        "films_after": films_after,
        "kept_equal_fresh": not differing,
        "differing": differing,
        "ok": claims.get(top["film"]) == top["claims"] + 1
        and films_after == films_before + 1
        and not differing,
    }


# -- the report ----------------------------------------------------------------------------


def report(runs: dict[str, Any], info: dict[str, Any], command: str) -> str:
    lines = [
        "# Dashboard aggregates (bench/bench_aggregates.py)",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC on {info['cpu_model']}, "
        f"{info['cores']} cores, {info['memory_bytes'] / 2**30:.1f} GiB, {info['python']}. "
        f"Load average at the start {info['load_average'][0]:.1f}: the machine is shared "
        "by several sessions, so read the ratios.",
        "",
        f"Command: `{command}`",
        "",
        "**ours (kept)**: `filmgraph.aggregates.read_aggregates(build)`, what `filmgraph stats` "
        "and a dashboard call (the build computed both aggregates once). **command**: "
        "`filmgraph stats --format json`, start-up included. The others run the two named "
        f"queries (`most-cited-films` with `LIMIT {TOP}`, `films-per-movement-decade`): "
        "**Virtuoso** 7.2 over HTTP on loopback, **pyoxigraph** on the built on-disk store "
        "(`OxigraphStore.query`), **rdflib** on a `Dataset` parsed from the same N-Quads (the "
        f"naive route). Medians of {REPEAT} runs after a warm-up (rdflib and pyoxigraph: 3).",
        "",
        "| graph | route | most cited (ms) | films per movement per decade (ms) | both (ms) | "
        "agrees with the kept answer |",
        "|---|---|---:|---:|---:|---|",
    ]
    for name, run in runs.items():
        kept = run["ours"]
        lines.append(f"| {name} | ours (kept, library) | — | — | {kept['library_ms']:.2f} | — |")
        lines.append(
            f"| {name} | `filmgraph stats` (command) | — | — | {kept['command_ms']:.0f} | yes |"
        )
        for route in ("virtuoso", "pyoxigraph", "rdflib"):
            r = run[route]
            if not all(q in r for q in QUERIES):
                lines.append(
                    f"| {name} | {route} | — | — | — | not measured ({r.get('why', 'capped')}) |"
                )
                continue
            a, b = (r[q]["ms"] for q in QUERIES)
            ok = all(run["agrees"][route].values())
            lines.append(
                f"| {name} | {route} | {a:.1f} | {b:.1f} | {a + b:.1f} | "
                f"{'yes' if ok else 'NO: ' + str(run['agrees'][route])} |"
            )
    lines += ["", "## Against Virtuoso (target: no slower)", ""]
    for name, run in runs.items():
        v = run["virtuoso"]
        if all(q in v for q in QUERIES):
            both = sum(v[q]["ms"] for q in QUERIES)
            lib = run["ours"]["library_ms"]
            lines.append(
                f"- {name}: the kept statistics answer both in {lib:.2f} ms, "
                f"{both / lib:.0f}x faster than Virtuoso's {both:.1f} ms; pyoxigraph "
                f"computing them takes "
                f"{sum(run['pyoxigraph'][q]['ms'] for q in QUERIES):.0f} ms "
                "(what the build pays once). The command takes "
                f"{run['ours']['command_ms']:.0f} ms, nearly all of it Python start-up."
            )
    lines += ["", "## Right after a rebuild", ""]
    for name, run in runs.items():
        c = run.get("rebuild")
        if c is None:
            if "rebuild_failed" in run:
                lines.append(f"- {name}: not checked: {run['rebuild_failed']}.")
            continue
        lines.append(
            f"- {name}: one page added (a new film drawing on `{c['film'].rsplit('/', 1)[1]}`), "
            f"rebuilt in {c['rebuild_s']:.0f} s; films {c['films_before']:,} → "
            f"{c['films_after']:,}, its claims {c['claims_before']} → {c['claims_after']}; "
            "every kept statistic "
            + (
                "equals the rebuilt store's, asked afresh"
                if c.get("kept_equal_fresh")
                else f"differs from the rebuilt store's: {', '.join(c.get('differing', []))}"
            )
            + f": {'correct' if c['ok'] else 'WRONG'}."
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--films", type=int, default=10_000, help="films to generate")
    parser.add_argument("--store", type=Path, help="an existing build of --data")
    parser.add_argument("--data", type=Path, help="the generated data --store was built from")
    parser.add_argument("--work", type=Path, help="working folder (default: temporary)")
    parser.add_argument("--cap-naive", type=float, default=900.0, help="seconds for rdflib")
    parser.add_argument("--no-rebuild", action="store_true", help="skip the rebuild check")
    parser.add_argument(
        "--rebuild-only",
        action="store_true",
        help="only the check right after a rebuild (needs --store and --data); prints it",
    )
    args = parser.parse_args()
    info = machine()
    if args.rebuild_only:
        if args.store is None or args.data is None:
            parser.error("--rebuild-only needs --store and --data")
        from filmgraph.aggregates import read_aggregates

        checked = rebuild_check(args.store, args.data, read_aggregates(args.store))
        print(json.dumps(checked, indent=1))
        sys.exit(0 if checked["ok"] else 1)
    runs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-aggregates-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        if args.store is None:
            print(f"== building {args.films:,} films", flush=True)
            store, data = build_synthetic(args.films, work), work / f"g{args.films}"
        else:
            store, data = args.store, args.data
        from filmgraph.export import export
        from filmgraph.store import open_store

        nquads = work / "graph.nq"
        with open_store(store) as opened:
            export(opened, "nquads", nquads)
        run: dict[str, Any] = {"ours": ours(store)}
        films = run["ours"]["aggregates"]["counts"]["films"]
        name = f"{films:,} films"
        print(
            f"== {name}: ours {run['ours']['library_ms']:.2f} ms, command "
            f"{run['ours']['command_ms']:.0f} ms",
            flush=True,
        )
        run["pyoxigraph"] = oxigraph(store)
        print("  pyoxigraph", {q: round(run["pyoxigraph"][q]["ms"]) for q in QUERIES}, flush=True)
        try:
            run["virtuoso"] = virtuoso_route(nquads, work / "virtuoso")
            print(
                "  Virtuoso", {q: round(run["virtuoso"][q]["ms"], 1) for q in QUERIES}, flush=True
            )
        except (RuntimeError, OSError) as exc:
            run["virtuoso"] = {"why": str(exc)}
        run["rdflib"] = rdflib_route(nquads, args.cap_naive)
        print(
            "  rdflib",
            {q: round(run["rdflib"][q]["ms"]) for q in QUERIES if q in run["rdflib"]},
            flush=True,
        )
        kept = kept_answers(run["ours"]["aggregates"])
        normal = {"most-cited-films": cited, "films-per-movement-decade": decades}
        run["agrees"] = {
            route: {
                q: agree(q, normal[q](run[route][q]["rows"]), kept[q])
                for q in QUERIES
                if q in run[route]
            }
            for route in ("virtuoso", "pyoxigraph", "rdflib")
        }
        print("  agrees", run["agrees"], flush=True)
        if not args.no_rebuild and data is not None:
            try:
                run["rebuild"] = rebuild_check(store, data, run["ours"]["aggregates"])
            except subprocess.CalledProcessError as exc:  # keep what was measured
                run["rebuild_failed"] = f"the rebuild exited with {exc.returncode}"
            print("  rebuild", run.get("rebuild", run.get("rebuild_failed")), flush=True)
        for route in ("virtuoso", "pyoxigraph", "rdflib"):
            for q in QUERIES:
                if q in run[route]:
                    run[route][q]["rows"] = len(run[route][q]["rows"])
        run["ours"]["aggregates"] = {k: len(v) for k, v in run["ours"]["aggregates"].items()}
        runs[name] = run
    command = "python bench/bench_aggregates.py " + " ".join(sys.argv[1:])
    previous = RESULTS / "aggregates.json"
    if previous.is_file():  # keep the sizes measured by earlier runs
        older = json.loads(previous.read_text(encoding="utf-8")).get("runs", {})
        runs = {**{k: v for k, v in older.items() if k not in runs}, **runs}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "aggregates.md").write_text(report(runs, info, command), encoding="utf-8")
    (RESULTS / "aggregates.json").write_text(
        json.dumps({"machine": info, "command": command, "runs": runs}, indent=1) + "\n",
        encoding="utf-8",
    )
    print((RESULTS / "aggregates.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
