"""Options several commands share, so they read and behave the same everywhere."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from filmgraph.errors import ParameterError
from filmgraph.resources import default_store_dir
from filmgraph.store import Store, open_store

__all__ = ["add_format", "add_store", "open_store_from", "parse_params", "store_dir"]


def add_store(parser: argparse.ArgumentParser) -> None:
    """``--store``: the build directory (or later a SPARQL endpoint URL) to read."""
    parser.add_argument(
        "--store", default=None, metavar="DIR",
        help="the built graph to use (default: graph/build in the checkout)",
    )


def add_format(parser: argparse.ArgumentParser, choices: Sequence[str], default: str) -> None:
    """``--format``: how results are printed; ``json`` is always for machines."""
    parser.add_argument("--format", choices=tuple(choices), default=default,
                        help=f"output format (default: {default})")


def open_store_from(args: argparse.Namespace) -> Store:
    """The store ``--store`` names, or the default build."""
    return open_store(args.store if args.store else default_store_dir())


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    """``KEY=VALUE`` pairs from repeated ``--param`` options."""
    out = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key:
            raise ParameterError(f"--param expects KEY=VALUE, got {pair!r}")
        out[key] = value
    return out


def store_dir(args: argparse.Namespace) -> Path:
    """The build directory ``--store`` names, or the default one."""
    return Path(args.store) if args.store else default_store_dir()
