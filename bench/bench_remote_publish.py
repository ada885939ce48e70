"""Publishing a built graph to remote SPARQL servers, and reading it back: how long it takes.

Usage (each server already running, the graph already built)::

    .venv/bin/python bench/bench_remote_publish.py GENERATION_DIR \\
        --virtuoso http://127.0.0.1:8890/sparql --user dba --password dba \\
        --oxigraph http://127.0.0.1:7878/query

For each server, in one run: the publish as filmgraph does it (Graph Store Protocol into
staging graphs and one swap request on Virtuoso; one update request on Oxigraph's server),
the naive route beside it (SPARQL Update ``INSERT DATA`` batches, the route the old client
took), a second publish over the first, a whole dump, and a ``--around`` subgraph asked of
the server against the dump-everything route. Results go to ``bench/results/remote-publish.md``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from filmgraph.export.selection import Selection, neighbourhood, select
from filmgraph.namespaces import ID
from filmgraph.store.base import BuildRecord
from filmgraph.store.oxigraph import OxigraphStore
from filmgraph.store.sparql import SparqlStore

RESULTS = Path(__file__).parent / "results" / "remote-publish.md"
FOCUS = ID["film/battleship-potemkin-1925"]


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def quads(generation: Path) -> list[ox.Quad]:
    with (generation / "graph.trig").open("rb") as handle:
        return list(ox.parse(handle, format=ox.RdfFormat.TRIG))


def record(generation: Path, name: str) -> BuildRecord:
    validation = generation / "validation.json"
    return BuildRecord(
        name,
        json.loads((generation / "summary.json").read_text(encoding="utf-8")),
        json.loads(validation.read_text(encoding="utf-8")) if validation.is_file() else None,
        (generation / "validation.txt").read_text(encoding="utf-8"),
    )


def around_by_dump(store: SparqlStore, folder: Path, depth: int) -> None:
    """The old route: dump every graph, load it into memory, walk it there."""
    store.dump(folder / "all.nq", "nquads")
    full = OxigraphStore()
    full.load_nquads(folder / "all.nq")
    neighbourhood(full, FOCUS, depth)
    full.close()


class _Rows(list[str]):
    """Rows of the results table, each printed as soon as it is measured."""

    def append(self, row: str) -> None:
        print(row, flush=True)
        super().append(row)


def measure(name: str, store: SparqlStore, generation: Path, naive: bool, depth: int) -> list[str]:
    data = quads(generation)
    rows = _Rows()
    store.clear()
    first = timed(lambda: store.publish(data, record(generation, "bench-1")))
    rows.append(f"| {name} | publish (filmgraph's route) | {first:.1f} s |")
    again = timed(lambda: store.publish(data, record(generation, "bench-2")))
    rows.append(f"| {name} | publish again, over the first | {again:.1f} s |")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        dump = timed(lambda: store.dump(folder / "dump.nq", "nquads"))
        rows.append(f"| {name} | dump every graph (streamed) | {dump:.1f} s |")

        def around() -> None:
            with select(store, Selection(around=FOCUS, depth=depth)):
                pass

        if depth >= 0:
            asked = timed(around)
            old = timed(lambda: around_by_dump(store, folder, depth))
            rows.append(
                f"| {name} | `--around` depth {depth}, asked of the server | {asked:.1f} s |"
            )
            rows.append(
                f"| {name} | `--around` depth {depth}, dump-everything route | {old:.1f} s |"
            )
    if naive:
        # The naive route is slow: both routes publish the same first 20,000 quads.
        part = data[:20_000]
        store.clear()
        ours = timed(lambda: store.publish(part, record(generation, "bench-3")))
        slow = SparqlStore(
            store.url, user=store.endpoint.user, password=_password, graph_store=False
        )
        slow.clear()
        batches = timed(lambda: slow.publish(part, record(generation, "bench-4")))
        rows.append(f"| {name} | 20,000 quads, filmgraph's route | {ours:.1f} s |")
        rows.append(
            f"| {name} | 20,000 quads by `INSERT DATA` batches of 1,000 (naive) | "
            f"{batches:.1f} s ({batches / ours:.1f} times filmgraph's) |"
        )
    return rows


_password: str | None = None


def main() -> None:
    global _password
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("generation", type=Path, help="a finished build's generation folder")
    parser.add_argument("--virtuoso")
    parser.add_argument("--oxigraph")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument(
        "--around-depth",
        type=int,
        default=1,
        help="depth of the --around export measured (-1: none)",
    )
    args = parser.parse_args()
    _password = args.password
    count = len(quads(args.generation))
    lines = [
        "# Publishing to remote SPARQL servers",
        "",
        f"The bundled graph ({count:,} quads), loopback, 2 cores shared with other work; "
        "`bench/bench_remote_publish.py`.",
        "",
        "| server | what | time |",
        "|---|---|---|",
    ]
    if args.virtuoso:
        store = SparqlStore(args.virtuoso, user=args.user, password=args.password)
        lines += measure("Virtuoso 7.2", store, args.generation, True, args.around_depth)
    if args.oxigraph:
        lines += measure(
            "Oxigraph server 0.5",
            SparqlStore(args.oxigraph),
            args.generation,
            False,
            args.around_depth,
        )
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
