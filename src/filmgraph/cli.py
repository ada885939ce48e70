"""The ``filmgraph`` command line: parses arguments, calls the library, prints.

Exit codes are a contract: 0 success; 1 the data does not conform, or a query matched
nothing; 2 bad usage or bad input (the message names file, line and field).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from filmgraph.build import BuildResult, build
from filmgraph.builddir import BuildDir
from filmgraph.errors import FilmgraphError, ParameterError
from filmgraph.progress import Progress, silent
from filmgraph.queries import catalogue, get_query
from filmgraph.resources import default_store_dir
from filmgraph.results import FORMATS, render
from filmgraph.store import SelectResult, open_store

__all__ = ["main"]


def _store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store", type=Path, default=None, metavar="DIR",
        help="build directory to use (default: graph/build in the checkout)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="filmgraph", description="A knowledge graph of film influences and historical context."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="build the graph from the sources into the embedded store")
    _store_option(p)
    p.add_argument("--source", type=Path, action="append", default=[], metavar="PATH",
                   help="another source file or folder, on top of the bundled ones (repeatable)")
    p.add_argument("--no-bundled", action="store_true", help="leave out the bundled sources")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--strict", dest="strict", action="store_true", default=True,
                      help="fail on the first bad record (the default)")
    mode.add_argument("--lenient", dest="strict", action="store_false",
                      help="skip bad records, keep the rest and list what was skipped")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = sub.add_parser("query", help="run a named query, or any SPARQL")
    _store_option(p)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("name", nargs="?", help="a named query (see 'filmgraph queries')")
    what.add_argument("--sparql", metavar="TEXT", help="SPARQL query text")
    what.add_argument("--file", type=Path, metavar="PATH", help="a file holding a SPARQL query")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="bind a parameter of the named query (repeatable)")
    p.add_argument("--format", choices=FORMATS, default="table")

    p = sub.add_parser("queries", help="list the named queries with their parameters")
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = sub.add_parser("summary", help="counts and validation outcome of the built graph")
    _store_option(p)
    p.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _print_build(result: BuildResult) -> None:
    counts = result.counts
    print(f"Built {counts['triples']:,} triples from {counts['sources']} sources "
          f"in {result.seconds:.1f} s into {result.generation.path.parent.parent}")
    for kind in sorted(k for k in counts if k not in ("triples", "sources")):
        print(f"  {kind:<20} {counts[kind]:>7,}")
    v = result.validation
    print(f"Validation: {'conforms' if v.conforms else 'DOES NOT CONFORM'} "
          f"({v.count('Violation')} violations, {v.count('Warning')} warnings; "
          f"report in {result.generation.validation_path})")
    if result.linking.merged:
        print(f"Linking: {len(result.linking.merged)} nodes merged by Wikidata id")
    for line in result.linking.conflicts + result.notes:
        print(f"  note: {line}")
    if result.skipped:
        print(f"Skipped {len(result.skipped)} bad record(s):")
        for line in result.skipped:
            print(f"  {line}")


def _cmd_build(args: argparse.Namespace) -> int:
    progress = silent if args.quiet or args.format == "json" else Progress()
    result = build(args.store, sources=args.source, bundled=not args.no_bundled,
                   strict=args.strict, progress=progress)
    if args.format == "json":
        print(json.dumps(result.generation.summary(), indent=2))
    else:
        _print_build(result)
    return 0 if result.validation.conforms else 1


def _params(pairs: Sequence[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key:
            raise ParameterError(f"--param expects KEY=VALUE, got {pair!r}")
        out[key] = value
    return out


def _cmd_query(args: argparse.Namespace) -> int:
    params = _params(args.param)
    if args.name:
        query = get_query(args.name)
        text, bindings = query.text, query.bindings(params)
    else:
        if params:
            raise ParameterError("--param only applies to named queries")
        text = args.sparql if args.sparql is not None else args.file.read_text(encoding="utf-8")
        bindings = {}
    with open_store(args.store or default_store_dir()) as store:
        result = store.query(text, bindings)
    sys.stdout.write(render(result, args.format))
    if isinstance(result, SelectResult) and not result.rows:
        return 1
    return 0 if result is not False else 1


def _cmd_queries(args: argparse.Namespace) -> int:
    queries = catalogue()
    if args.format == "json":
        print(json.dumps([
            {"name": q.name, "summary": q.summary, "question": q.question,
             "parameters": [vars(p) for p in q.parameters]}
            for q in queries.values()
        ], indent=2))
        return 0
    for q in queries.values():
        print(f"{q.name}\n    {q.summary}")
        for p in q.parameters:
            flag = "required" if p.required else f"default {p.default}" if p.default else "optional"
            print(f"    --param {p.name}=<{p.type}>  ({flag}) {p.description}")
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
    generation = BuildDir(args.store or default_store_dir()).current()
    summary = generation.summary()
    if args.format == "json":
        print(json.dumps(summary, indent=2))
    else:
        print(f"Built {summary['built']} in {generation.path}")
        for kind, count in sorted(summary["counts"].items()):
            print(f"  {kind:<20} {count:>7,}")
        print(f"Validation: {'conforms' if summary['conforms'] else 'does not conform'} "
              f"({summary['violations']} violations, {summary['warnings']} warnings)")
    return 0 if summary["conforms"] else 1


_COMMANDS = {"build": _cmd_build, "query": _cmd_query, "queries": _cmd_queries,
             "summary": _cmd_summary}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except FilmgraphError as error:
        print(f"filmgraph: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("filmgraph: interrupted; the previous graph is unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
