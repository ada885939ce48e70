"""The ``filmgraph`` command line: parses arguments, calls the library, prints.

Each module of this package adds the commands of one area (``register`` adds subparsers
whose ``run`` default does the work). Exit codes are a contract: 0 success; 1 the data does
not conform, or a query matched nothing; 2 bad usage or bad input (the message names file,
line and field).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from filmgraph.errors import FilmgraphError

__all__ = ["main"]

#: The command modules, in the order their commands are listed in ``--help``.
COMMAND_MODULES = (
    "filmgraph.cli.build",
    "filmgraph.cli.query",
    "filmgraph.cli.analytics",
    "filmgraph.cli.check",
    "filmgraph.cli.publish",
    "filmgraph.cli.viz",
)


def parser() -> argparse.ArgumentParser:
    """The full argument parser, every command module registered."""
    root = argparse.ArgumentParser(
        prog="filmgraph",
        description="A knowledge graph of film influences and historical context.",
    )
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except FilmgraphError as error:
        print(f"filmgraph: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("filmgraph: interrupted; the previous graph is unchanged", file=sys.stderr)
        return 130
    return code
