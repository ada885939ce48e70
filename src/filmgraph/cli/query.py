"""``filmgraph query`` and ``filmgraph queries``: the named-query catalogue and any SPARQL."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from filmgraph.cli.display import print_select
from filmgraph.cli.options import add_format, add_store, open_store_from, parse_params
from filmgraph.errors import ParameterError
from filmgraph.namespaces import sparql_prologue
from filmgraph.queries import catalogue, get_query, require_statistics
from filmgraph.results import FORMATS, render
from filmgraph.store import SelectResult

__all__ = ["register"]


def register(sub: Any) -> None:
    p = sub.add_parser("query", help="run a named query, or any SPARQL")
    add_store(p)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("name", nargs="?", help="a named query (see 'filmgraph queries')")
    what.add_argument("--sparql", metavar="TEXT", help="SPARQL query text")
    what.add_argument("--file", type=Path, metavar="PATH", help="a file holding a SPARQL query")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="bind a parameter of the named query (repeatable)",
    )
    p.add_argument(
        "--columns",
        metavar="A,B,…",
        default=None,
        help="show only these result columns, in this order",
    )
    add_format(p, FORMATS, "table")
    p.set_defaults(run=run_query)

    p = sub.add_parser("queries", help="list the named queries with their parameters")
    add_format(p, ("text", "json"), "text")
    p.set_defaults(run=run_queries)


def run_query(args: argparse.Namespace) -> int:
    params = parse_params(args.param)
    if args.name:
        query = get_query(args.name)
        text, bindings = query.prepare(params)
        statistics = query.reads_statistics
        constants = query.constants
    else:
        if params:
            raise ParameterError("--param only applies to named queries")
        typed = args.sparql if args.sparql is not None else args.file.read_text(encoding="utf-8")
        text = sparql_prologue() + typed
        bindings = {}
        statistics = False
        constants = False
    with open_store_from(args) as store:
        if statistics:
            require_statistics(store, args.name)
        result = store.query(text, bindings, constants=constants)
    if args.columns and isinstance(result, SelectResult):
        try:
            result = result.project([c.strip() for c in args.columns.split(",") if c.strip()])
        except KeyError as exc:
            raise ParameterError(f"--columns: {exc.args[0]}") from None
    if args.format == "table" and isinstance(result, SelectResult):
        print_select(result)
    else:
        sys.stdout.write(render(result, args.format))
    if isinstance(result, SelectResult):
        return 0 if result.rows else 1
    return 1 if result is False else 0


def run_queries(args: argparse.Namespace) -> int:
    queries = catalogue()
    if args.format == "json":
        print(
            json.dumps(
                [
                    {
                        "name": q.name,
                        "summary": q.summary,
                        "question": q.question,
                        "parameters": [vars(p) for p in q.parameters],
                    }
                    for q in queries.values()
                ],
                indent=2,
            )
        )
        return 0
    for q in queries.values():
        print(f"{q.name}\n    {q.summary}")
        for p in q.parameters:
            flag = "required" if p.required else f"default {p.default}" if p.default else "optional"
            print(f"    --param {p.name}=<{p.type}>  ({flag}) {p.description}")
    return 0
