"""``filmgraph check``: SHACL shapes and violation queries, one report, exit 0 or 1."""

from __future__ import annotations

import argparse
import json
from typing import Any

from filmgraph.checks import check_build
from filmgraph.cli.options import add_format, add_store, store_dir

__all__ = ["register"]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "check",
        help="validate the built graph: SHACL shapes and violation "
        "queries in one report (exit 1 when it does not conform)",
    )
    add_store(p)
    add_format(p, ("text", "json"), "text")
    p.add_argument(
        "--limit",
        type=int,
        default=20,
        metavar="N",
        help="show at most N rows per failed check and N SHACL findings (default: 20)",
    )
    p.add_argument(
        "--rerun-shacl",
        action="store_true",
        help="run the shapes again instead of reusing the build's findings",
    )
    p.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    report = check_build(store_dir(args), rerun_shacl=args.rerun_shacl)
    if args.format == "json":
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        print(report.text(args.limit if args.limit > 0 else None), end="")
    return 0 if report.conforms else 1
