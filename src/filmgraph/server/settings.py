"""The endpoint's settings: one table that feeds the command line, the docs and a test.

Each setting is a field of :class:`ServerSettings` whose metadata holds its help text;
:func:`add_arguments` turns the table into ``filmgraph serve`` options, so a setting cannot
exist without being documented.
"""

from __future__ import annotations

import argparse
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path

__all__ = ["ServerSettings", "add_arguments", "settings_from"]


@dataclass(frozen=True)
class ServerSettings:
    """How the endpoint behaves; every field is a ``filmgraph serve --option``."""

    host: str = field(default="127.0.0.1", metadata={
        "help": "address to listen on (0.0.0.0 for every interface)"})
    port: int = field(default=8000, metadata={
        "help": "port to listen on (0 picks a free one)"})
    time_limit: float = field(default=30.0, metadata={
        "help": "seconds a query may run before it is stopped"})
    result_limit: int = field(default=10_000, metadata={
        "help": "rows (or triples) at most in one answer; a longer answer is cut and says so"})
    max_query_bytes: int = field(default=100_000, metadata={
        "help": "longest query text accepted, in bytes"})
    max_body_bytes: int = field(default=1_000_000, metadata={
        "help": "largest request body accepted, in bytes"})
    workers: int = field(default=2, metadata={
        "help": "query worker processes (each holds the store open)"})
    allow_service: bool = field(default=False, metadata={
        "help": "allow SERVICE (federated queries that make the server fetch other URLs); "
                "off by default"})
    access_log: Path | None = field(default=None, metadata={
        "help": "file to append the access log to (default: standard error)"})
    base_url: str = field(default="", metadata={
        "help": "public address of this endpoint, as pages show it "
                "(default: http://HOST:PORT)"})

    def public(self) -> str:
        """The endpoint's public base address, without a trailing slash."""
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One ``--option`` per setting, help and default from the table."""
    for f in fields(ServerSettings):
        flag = "--" + f.name.replace("_", "-")
        default = f.default if f.default is not MISSING else None
        if f.type in ("bool", bool):
            parser.add_argument(flag, action="store_true", default=default, help=f.metadata["help"])
            continue
        kind = {"int": int, "float": float, "str": str}.get(str(f.type), Path)
        parser.add_argument(flag, type=kind, default=default, dest=f.name,
                            help=f"{f.metadata['help']} (default: {default})")


def settings_from(args: argparse.Namespace) -> ServerSettings:
    """The settings the parsed command line gives."""
    return ServerSettings(**{f.name: getattr(args, f.name) for f in fields(ServerSettings)})
