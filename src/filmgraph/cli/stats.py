"""``filmgraph stats``: the statistics kept with the build (:mod:`filmgraph.aggregates`)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from filmgraph.aggregates import read_aggregates
from filmgraph.cli.display import print_rows
from filmgraph.cli.options import add_format, add_store, store_dir

__all__ = ["register"]


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(sub: Any) -> None:
    p = sub.add_parser(
        "stats",
        help="statistics kept with the build: most cited films, films "
        "per movement per decade, counts by kind",
    )
    add_store(p)
    p.add_argument(
        "--top",
        type=_positive,
        default=10,
        metavar="N",
        help="show the N most cited films (default: 10)",
    )
    add_format(p, ("text", "json"), "text")
    p.set_defaults(run=run_stats)


def run_stats(args: argparse.Namespace) -> int:
    aggregates = read_aggregates(store_dir(args))
    if args.format == "json":
        print(json.dumps(aggregates, indent=2, ensure_ascii=False))
        return 0
    print("Counts by kind")
    print_rows(
        ("kind", "count"),
        [(k, f"{n:,}") for k, n in aggregates["counts"].items()],
        right=("count",),
    )
    print(f"\nMost cited films (top {args.top})")
    print_rows(
        ("#", "film", "claims", "drawn on by"),
        [
            (
                str(i),
                f"{f['label']} ({f['year']})" if f["year"] else f["label"],
                str(f["claims"]),
                str(f["drawn_on_by"]),
            )
            for i, f in enumerate(aggregates["most_cited"][: args.top], start=1)
        ],
        right=("#", "claims", "drawn on by"),
    )
    decades = sorted({row["decade"] for row in aggregates["movement_decades"]})
    by_movement: dict[str, dict[int, int]] = {}
    for row in aggregates["movement_decades"]:
        by_movement.setdefault(row["label"], {})[row["decade"]] = row["films"]
    print("\nFilms per movement per decade")
    print_rows(
        ("movement", *(f"{d}s" for d in decades)),
        [
            (m, *(str(counts.get(d, "")) for d in decades))
            for m, counts in sorted(by_movement.items(), key=lambda kv: kv[0].casefold())
        ],
        right=tuple(f"{d}s" for d in decades),
    )
    return 0
