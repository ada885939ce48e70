"""The endpoint's settings: one table that feeds the command line, the docs and a test.

Each setting is a field of :class:`ServerSettings` whose metadata holds its help text;
:func:`add_arguments` turns the table into ``filmgraph serve`` options, so a setting cannot
exist without being documented.
"""

from __future__ import annotations

import argparse
import urllib.parse
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path

__all__ = ["ServerSettings", "add_arguments", "settings_from"]


@dataclass(frozen=True)
class ServerSettings:
    """How the endpoint behaves; every field is a ``filmgraph serve --option``."""

    host: str = field(
        default="127.0.0.1", metadata={"help": "address to listen on (0.0.0.0 for every interface)"}
    )
    port: int = field(default=8000, metadata={"help": "port to listen on (0 picks a free one)"})
    time_limit: float = field(
        default=30.0, metadata={"help": "seconds a query may run before it is stopped"}
    )
    result_limit: int = field(
        default=10_000,
        metadata={
            "help": "rows (or triples) at most in one answer; a longer answer is cut and says so"
        },
    )
    max_query_bytes: int = field(
        default=100_000, metadata={"help": "longest query text accepted, in bytes"}
    )
    max_body_bytes: int = field(
        default=1_000_000, metadata={"help": "largest request body accepted, in bytes"}
    )
    http_processes: int = field(
        default=2,
        metadata={
            "help": "HTTP processes sharing the listening socket, each routing requests and "
            "answering bounded lookups on a core of its own, with its share of the workers "
            "(--workers, --spares, --page-workers and --slow-queries are for the endpoint, "
            "divided among the processes, rounded up); they move to a new build together"
        },
    )
    workers: int = field(
        default=4,
        metadata={"help": "query worker processes in the quick lane (each holds the store open)"},
    )
    page_workers: int = field(
        default=2,
        metadata={
            "help": "worker processes that render /id/ pages, in a lane of their own so pages "
            "never hold up queries"
        },
    )
    quick_time: float = field(
        default=0.5,
        metadata={
            "help": "seconds a query may run in the quick lane before it moves to the slow lane"
        },
    )
    slow_queries: int = field(
        default=2,
        metadata={
            "help": "expensive queries run at most at once (the slow lane, at low priority); "
            "more wait their turn, and past the queue limit are refused with 503"
        },
    )
    costly_time: float = field(
        default=0.01,
        metadata={
            "help": "processor seconds past which a query counts as costly; costly queries "
            "are remembered and run at most --costly-queries at once, so they cannot take "
            "every quick worker from the lookups"
        },
    )
    costly_queries: int = field(
        default=0,
        metadata={
            "help": "costly queries run at most at once in the quick lane (0: half the "
            "processors, at least one); more wait their turn within the time limit"
        },
    )
    worker_niceness: int = field(
        default=5,
        metadata={
            "help": "scheduling niceness of the query workers (0-19): the HTTP process, which "
            "routes every request and answers bounded lookups, runs first"
        },
    )
    page_niceness: int = field(
        default=5,
        metadata={
            "help": "scheduling niceness of the page workers (0-19): an HTML page costs seven "
            "queries and a rendering, so the HTTP processes, which answer lookups and "
            "linked-data descriptions, get the processor first"
        },
    )
    in_process_triples: int = field(
        default=200,
        metadata={
            "help": "an /id/ resource whose description (as Turtle or N-Triples) provably holds "
            "at most this many triples is answered in the HTTP process, without a worker; "
            "0 sends every description to a worker"
        },
    )
    spares: int = field(
        default=2,
        metadata={
            "help": "warm spare workers that replace a quick worker the moment it leaves the lane"
        },
    )
    queue_limit: int = field(
        default=64,
        metadata={"help": "queries waiting for a quick worker at most; more are refused with 503"},
    )
    answer_cache: int = field(
        default=64,
        metadata={
            "help": "megabytes of answers kept for repeated requests, per generation "
            "(0 keeps none: every request is run)"
        },
    )
    poll_interval: float = field(
        default=0.5,
        metadata={"help": "seconds between checks for a new build (the workers then move to it)"},
    )
    header_timeout: float = field(
        default=10.0, metadata={"help": "seconds a client has to send a request's line and headers"}
    )
    body_timeout: float = field(
        default=10.0, metadata={"help": "seconds a client has to send a request's body"}
    )
    idle_timeout: int = field(
        default=5, metadata={"help": "seconds an idle keep-alive connection stays open"}
    )
    max_connections: int = field(
        default=256, metadata={"help": "open connections at most; more are answered 503 and closed"}
    )
    allowed_hosts: str = field(
        default="",
        metadata={
            "help": "comma-separated Host header values accepted (default: loopback names for a "
            "loopback bind, any host otherwise); guards against DNS rebinding"
        },
    )
    cors_origins: str = field(
        default="*",
        metadata={
            "help": "comma-separated origins browsers may call from (CORS); '*' for any, '' none"
        },
    )
    allow_service: bool = field(
        default=False,
        metadata={
            "help": "allow SERVICE (federated queries that make the server fetch other URLs); "
            "off by default"
        },
    )
    access_log: Path | None = field(
        default=None,
        metadata={"help": "file to append the access log to (default: standard error)"},
    )
    base_url: str = field(
        default="",
        metadata={
            "help": "public address of this endpoint, as pages show it (default: http://HOST:PORT)"
        },
    )

    def per_process(self) -> ServerSettings:
        """The settings of one of the ``http_processes`` HTTP processes: the endpoint's
        workers, spares, page workers and slow-lane places divided among them (rounded up,
        one quick and one page worker at least)."""
        n = self.http_processes
        if n <= 1:
            return self
        return replace(
            self,
            workers=max(1, -(-self.workers // n)),
            spares=-(-self.spares // n),
            page_workers=max(1, -(-self.page_workers // n)),
            slow_queries=-(-self.slow_queries // n),
        )

    def hosts(self) -> list[str]:
        """The Host header values accepted."""
        if self.allowed_hosts.strip():
            hosts = [h.strip() for h in self.allowed_hosts.split(",") if h.strip()]
        elif self.host in ("127.0.0.1", "localhost", "::1"):
            hosts = ["127.0.0.1", "localhost", "[::1]", "::1"]
        else:
            return ["*"]
        if self.base_url:
            public = urllib.parse.urlsplit(self.base_url).hostname
            if public:
                hosts.append(public)
        return hosts

    def origins(self) -> list[str]:
        """The origins CORS lets in."""
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

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
        parser.add_argument(
            flag,
            type=kind,
            default=default,
            dest=f.name,
            help=f"{f.metadata['help']} (default: {default})",
        )


def settings_from(args: argparse.Namespace) -> ServerSettings:
    """The settings the parsed command line gives."""
    return ServerSettings(**{f.name: getattr(args, f.name) for f in fields(ServerSettings)})
