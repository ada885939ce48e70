"""Time every named query (checks included) on a built store: median of a few runs each.

Usage: ``python bench/bench_queries.py STORE MANIFEST [--runs 3] [--cap 120] [--only a,b]``.
MANIFEST is the generator's manifest.json (its ``picks`` supply the parameters). Each query
runs in a child process so that one that runs away is cut at ``--cap`` seconds and reported
as such instead of stalling the whole run. Prints one line per query: name, rows, median ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from filmgraph.queries import catalogue


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


def _child(store: str, name: str, params: str, runs: int) -> None:
    from filmgraph.queries import run_named
    from filmgraph.store import open_store

    with open_store(store) as opened:
        times = []
        size: object = None
        for _ in range(runs):
            start = time.perf_counter()
            result = run_named(opened, name, json.loads(params))
            rows = getattr(result, "rows", None)
            size = len(rows) if rows is not None else len(result)  # type: ignore[arg-type]
            times.append(time.perf_counter() - start)
    print(json.dumps({"rows": size, "ms": statistics.median(times) * 1000}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("store")
    parser.add_argument("manifest", nargs="?")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cap", type=float, default=120.0)
    parser.add_argument("--only", default="")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.store, args.child[0], args.child[1], args.runs)
        return
    picks = json.loads(Path(args.manifest).read_text())["picks"]
    params = parameters(picks)
    names = sorted(catalogue())
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    for name in names:
        command = [
            sys.executable,
            __file__,
            args.store,
            "--runs",
            str(args.runs),
            "--child",
            name,
            json.dumps(params.get(name, {})),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=args.cap, check=True
            )
        except subprocess.TimeoutExpired:
            print(f"{name:32s} {'-':>7} >{args.cap * 1000:9.0f} ms (cut)", flush=True)
            continue
        except subprocess.CalledProcessError as error:
            print(f"{name:32s} error: {error.stderr.strip().splitlines()[-1]}", flush=True)
            continue
        out = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{name:32s} {out['rows']!s:>7} {out['ms']:10.1f} ms", flush=True)


if __name__ == "__main__":
    main()
