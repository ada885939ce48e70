"""Options several commands share, so they read and behave the same everywhere."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from filmgraph.errors import ParameterError
from filmgraph.resources import default_store_dir
from filmgraph.store import Store, is_endpoint, mirror_dir, open_store

__all__ = [
    "add_format",
    "add_store",
    "open_store_from",
    "parse_params",
    "store_dir",
    "store_setting",
]


def add_store(parser: argparse.ArgumentParser) -> None:
    """``--store``: the build directory, or the URL of a SPARQL endpoint, to use."""
    parser.add_argument(
        "--store",
        default=None,
        metavar="DIR|URL",
        help="the built graph to use: a build directory (default: graph/build in the "
        "checkout) or a SPARQL endpoint URL such as http://127.0.0.1:8890/sparql",
    )


def add_format(parser: argparse.ArgumentParser, choices: Sequence[str], default: str) -> None:
    """``--format``: how results are printed; ``json`` is always for machines."""
    parser.add_argument(
        "--format",
        choices=tuple(choices),
        default=default,
        help=f"output format (default: {default})",
    )


def open_store_from(args: argparse.Namespace) -> Store:
    """The store ``--store`` names, or the default build."""
    return open_store(store_setting(args))


def store_setting(args: argparse.Namespace) -> str:
    """``--store`` as given (a directory or an endpoint URL), or the default build."""
    return str(args.store) if args.store else str(default_store_dir())


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
    """The build directory ``--store`` names, or the default one.

    For an endpoint URL it is the local mirror directory that records what was built
    into that endpoint (see :func:`filmgraph.store.mirror_dir`); credentials given in the
    URL are handed on through the environment, never written to disk.
    """
    if not args.store:
        return default_store_dir()
    if is_endpoint(args.store):
        # Imported here: the SPARQL client loads rdflib's SPARQL parser, which every
        # command would otherwise pay for at start-up.
        from filmgraph.store.sparql import ENVIRONMENT, split_credentials

        _, user, password = split_credentials(args.store)
        if user is not None:
            os.environ[ENVIRONMENT["user"]] = user
            os.environ[ENVIRONMENT["password"]] = password or ""
        return mirror_dir(args.store)
    return Path(args.store)
