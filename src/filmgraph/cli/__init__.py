"""The ``filmgraph`` command line: parses arguments, calls the library, prints.

Each module of this package adds the commands of one area (``register`` adds subparsers
whose ``run`` default does the work). Exit codes are a contract: 0 success; 1 the data does
not conform, or a query matched nothing; 2 bad usage or bad input (the message names file,
line and field).

Start-up is part of every answer, so the parser is built from :data:`COMMANDS`, a table of
names, one-line helps and the module that implements each command: only the module of the
command being run is imported (``filmgraph --help`` imports none, ``filmgraph path`` does not
load pySHACL or pyvis).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from filmgraph.errors import FilmgraphError

__all__ = ["COMMANDS", "Command", "main", "parser", "parser_for"]


@dataclass(frozen=True)
class Command:
    """A command as ``--help`` lists it, and the module whose ``register`` sets it up."""

    name: str
    module: str
    help: str


#: Every command, in the order ``--help`` lists them. A test checks that the help here is
#: the help each module registers, so the two cannot drift apart.
COMMANDS = (
    Command(
        "build", "filmgraph.cli.build", "build the graph from the sources into the embedded store"
    ),
    Command("summary", "filmgraph.cli.build", "counts and validation outcome of the built graph"),
    Command(
        "stats",
        "filmgraph.cli.stats",
        "statistics kept with the build: most cited films, films per movement per "
        "decade, counts by kind",
    ),
    Command("query", "filmgraph.cli.query", "run a named query, or any SPARQL"),
    Command("queries", "filmgraph.cli.query", "list the named queries with their parameters"),
    Command(
        "path", "filmgraph.cli.analytics", "how influence flows from one film or person to another"
    ),
    Command(
        "lineage",
        "filmgraph.cli.analytics",
        "ancestors or descendants of a film or person by generation",
    ),
    Command(
        "rank",
        "filmgraph.cli.analytics",
        "the most influential films (PageRank), with in-degree and betweenness",
    ),
    Command(
        "bridges", "filmgraph.cli.analytics", "films and people whose influence crosses movements"
    ),
    Command(
        "communities",
        "filmgraph.cli.analytics",
        "communities of the influence network beside the stated movements",
    ),
    Command(
        "contested",
        "filmgraph.cli.analytics",
        "claims of self-influence, contradicted, pointing forward in time, in a cycle, or resting"
        " on a year conflict",
    ),
    Command(
        "check",
        "filmgraph.cli.check",
        "validate the built graph: SHACL shapes and violation queries in one report (exit "
        "1 when it does not conform)",
    ),
    Command(
        "export", "filmgraph.cli.publish", "write the graph in a format other archives can ingest"
    ),
    Command(
        "docs",
        "filmgraph.cli.publish",
        "generate the ontology's HTML documentation and JSON-LD context",
    ),
    Command(
        "serve",
        "filmgraph.cli.publish",
        "a read-only SPARQL 1.1 endpoint, resource pages, a query page",
    ),
    Command(
        "viz", "filmgraph.cli.viz", "write an interactive influence map: one offline HTML page"
    ),
    Command(
        "figure", "filmgraph.cli.viz", "draw a static figure (PNG, SVG or PDF) with matplotlib"
    ),
)

_BY_NAME = {c.name: c for c in COMMANDS}


def _root() -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:  # type: ignore[type-arg]
    root = argparse.ArgumentParser(
        prog="filmgraph",
        description="A knowledge graph of film influences and historical context.",
    )
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    return root, sub


def _complete(
    root: argparse.ArgumentParser,
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    modules: Sequence[str],
) -> argparse.ArgumentParser:
    for module in dict.fromkeys(modules):
        importlib.import_module(module).register(sub)
    # Commands whose module was not imported are listed by name and help only.
    for command in COMMANDS:
        if command.name not in sub.choices:
            sub.add_parser(command.name, help=command.help)
    # List them in the table's order, whichever module registered first.
    order = {c.name: i for i, c in enumerate(COMMANDS)}
    sub._choices_actions.sort(key=lambda a: order.get(a.dest, len(order)))
    return root


def parser() -> argparse.ArgumentParser:
    """The full argument parser, every command module imported and registered."""
    root, sub = _root()
    return _complete(root, sub, [c.module for c in COMMANDS])


def parser_for(argv: Sequence[str]) -> argparse.ArgumentParser:
    """The parser for one command line, importing only the module of the command it names.

    The root parser has no option of its own but ``--help``, so the command is the first
    argument; without a known command (``--help``, a typo) no command module is imported.
    """
    root, sub = _root()
    chosen = _BY_NAME.get(argv[0]) if argv else None
    return _complete(root, sub, [chosen.module] if chosen else [])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = parser_for(arguments).parse_args(arguments)
    try:
        code: int = args.run(args)
    except FilmgraphError as error:
        print(f"filmgraph: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("filmgraph: interrupted; the previous graph is unchanged", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (``filmgraph contested | head``): not an error of ours, and
        # nothing more may be written to the closed pipe, not even at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return code
