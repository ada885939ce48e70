"""The SPARQL 1.1 Protocol and Graph Store Protocol over HTTP, with httpx.

httpx does the HTTP: connection reuse, timeouts, streaming bodies, digest and basic
authentication. rdflib parses result documents and pyoxigraph parses RDF, so nothing here
reads a wire format by hand. (SPARQLWrapper, the obvious candidate, was measured and not
used: its digest authentication installs a process-wide urllib opener on every request, and
it pays the digest challenge again on every update — 3.4 ms against httpx's 1.75 ms per
update on Virtuoso over loopback — while queries cost the same with both.)

A server that cuts a result short (Virtuoso's ``ResultSetMaxRows`` announces it with the
``X-SPARQL-MaxRows`` header, ``filmgraph serve`` with ``X-Filmgraph-Truncated``) makes the
request fail loudly instead of returning part of the answer.
"""

from __future__ import annotations

import io
import tomllib
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import httpx

from filmgraph.errors import FilmgraphError, QueryError

__all__ = ["Endpoint", "ServerKind", "server_kind"]

_TRUNCATION_HEADERS = ("X-SPARQL-MaxRows", "X-Filmgraph-Truncated")


@dataclass(frozen=True)
class ServerKind:
    """What filmgraph knows of one kind of SPARQL server (``servers.toml``)."""

    name: str
    #: the query URL ends with this …
    query_suffix: str
    #: … and is replaced by this for SPARQL Update and for the Graph Store Protocol
    update_suffix: str
    gsp_suffix: str
    #: name our graphs as each query's dataset (the default graph is not just our graphs)
    dataset: bool
    #: the update and Graph Store Protocol URLs need credentials (used only when given)
    auth: bool = False
    #: a publish writes staging graphs and swaps them in; false: the whole publish is one
    #: update request (for a server whose default graph would show staging graphs, and
    #: which runs each update request as one transaction)
    staging: bool = True


def _kinds() -> dict[str, ServerKind]:
    text = files("filmgraph.store.sparql").joinpath("servers.toml").read_text(encoding="utf-8")
    table: dict[str, dict[str, Any]] = tomllib.loads(text)["server"]
    return {key: ServerKind(name=key, **value) for key, value in table.items()}


def server_kind(server_header: str) -> ServerKind | None:
    """The kind of server a ``Server`` response header names, if filmgraph knows it."""
    header = server_header.lower()
    for key, kind in _kinds().items():
        if key in header:
            return kind
    return None


class _ChallengeAuth(httpx.Auth):
    """HTTP digest or basic authentication, whichever the server's challenge asks for."""

    requires_request_body = True

    def __init__(self, user: str, password: str) -> None:
        self._digest = httpx.DigestAuth(user, password)
        self._basic = httpx.BasicAuth(user, password)
        self._scheme: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._scheme is None:
            response = yield request
            if response.status_code != 401:
                return
            challenge = response.headers.get("WWW-Authenticate", "").split(" ", 1)[0].lower()
            self._scheme = "basic" if challenge == "basic" else "digest"
        flow = self._basic if self._scheme == "basic" else self._digest
        yield from flow.auth_flow(request)


class _ResponseReader(io.RawIOBase):
    """A streamed response body as a binary file, for parsers that read files."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


class Endpoint:
    """One SPARQL server: its query, update and Graph Store Protocol URLs, and a session.

    ``update_url`` and ``gsp_url`` default to what the server's kind offers (learnt from its
    ``Server`` header on first contact, see ``servers.toml``); an unknown server takes
    updates at the query URL and has no Graph Store Protocol. ``graph_store=False`` writes
    through SPARQL Update even where a Graph Store Protocol is offered.
    """

    def __init__(
        self,
        url: str,
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 300.0,
        graph_store: bool = True,
    ) -> None:
        self.url = url
        self._graph_store = graph_store
        self._update_url = update_url
        self._gsp_url = gsp_url
        self.user = user
        auth = _ChallengeAuth(user, password or "") if user is not None else None
        self._client = httpx.Client(auth=auth, timeout=timeout)
        self._kind: ServerKind | None = None
        self._known = False

    # -- what the server is --------------------------------------------------------------

    @property
    def kind(self) -> ServerKind | None:
        """The server's kind, learnt with one small query on first use."""
        if not self._known:
            with self.query("ASK { }", (), "application/sparql-results+json") as stream:
                stream.read()
        return self._kind

    def _derived(self, suffix: str) -> str | None:
        kind = self.kind
        if kind is None or not self.url.endswith(kind.query_suffix):
            return None
        if kind.auth and self.user is None:
            return None
        return self.url[: len(self.url) - len(kind.query_suffix)] + suffix

    @property
    def update_url(self) -> str:
        """Where SPARQL Update goes: as configured, else the server kind's, else ``url``."""
        if self._update_url is None:
            derived = self._derived(self.kind.update_suffix) if self.kind else None
            self._update_url = derived or self.url
        return self._update_url

    @property
    def gsp_url(self) -> str | None:
        """The Graph Store Protocol URL: as configured, else the server kind's, else none."""
        if not self._graph_store:
            return None
        if self._gsp_url is None and self.kind is not None:
            self._gsp_url = self._derived(self.kind.gsp_suffix)
        return self._gsp_url

    # -- requests -----------------------------------------------------------------------

    @contextmanager
    def query(self, text: str, dataset: Sequence[str], accept: str) -> Iterator[io.BufferedReader]:
        """POST a query; yields the response body as a stream (read it inside the block).

        ``dataset`` names the graphs that make both the default graph and the named graphs
        (the protocol's ``default-graph-uri`` and ``named-graph-uri``); empty for the
        server's own default.
        """
        form: dict[str, str | list[str]] = {"query": text}
        if dataset:
            form["default-graph-uri"] = list(dataset)
            form["named-graph-uri"] = list(dataset)
        request = self._client.build_request(
            "POST",
            self.url,
            data=form,
            headers={"Accept": accept},
        )
        with self._send(request) as response:
            yield io.BufferedReader(_ResponseReader(response.iter_bytes()), 1 << 16)

    def update(self, text: str) -> None:
        """POST a SPARQL 1.1 Update request (all its operations in one request)."""
        request = self._client.build_request("POST", self.update_url, data={"update": text})
        with self._send(request) as response:
            response.read()

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Replace one graph with an N-Triples document (Graph Store Protocol ``PUT``)."""
        self._graph_request("PUT", graph, ntriples)

    def post_graph(self, graph: str, ntriples: bytes) -> None:
        """Add an N-Triples document to one graph (Graph Store Protocol ``POST``)."""
        self._graph_request("POST", graph, ntriples)

    def _graph_request(self, method: str, graph: str, ntriples: bytes) -> None:
        if self.gsp_url is None:
            raise FilmgraphError(f"{self.url} has no Graph Store Protocol endpoint")
        # Virtuoso's crud endpoint names the parameter graph-uri; the standard, graph.
        key = "graph-uri" if "graph-crud" in self.gsp_url else "graph"
        request = self._client.build_request(
            method,
            self.gsp_url,
            params={key: graph},
            content=ntriples,
            headers={"Content-Type": "text/turtle"},  # N-Triples is Turtle; Virtuoso sniffs
            # n-triples bodies and rejects some (long literals) as text/plain
        )
        with self._send(request) as response:
            response.read()

    @contextmanager
    def _send(self, request: httpx.Request) -> Iterator[httpx.Response]:
        try:
            response = self._client.send(request, stream=True)
        except httpx.TimeoutException:
            raise QueryError(f"{request.url} did not answer in time") from None
        except httpx.TransportError as exc:
            raise FilmgraphError(f"cannot reach the SPARQL endpoint {request.url}: {exc}") from None
        try:
            if not self._known:
                self._known = True
                self._kind = server_kind(response.headers.get("Server", ""))
            if response.status_code >= 400:
                detail = response.read().decode("utf-8", "replace").strip()[:600]
                if response.status_code == 401:
                    detail = (
                        "the server refused the credentials in FILMGRAPH_SPARQL_USER and "
                        "FILMGRAPH_SPARQL_PASSWORD"
                        if self.user is not None
                        else "the server asks for credentials: set FILMGRAPH_SPARQL_USER and "
                        "FILMGRAPH_SPARQL_PASSWORD"
                    )
                where = httpx.URL(str(request.url)).copy_with(query=None)
                raise QueryError(f"{where} answered {response.status_code}: {detail}")
            for header in _TRUNCATION_HEADERS:
                if response.headers.get(header):
                    raise QueryError(
                        f"{self.url} cut the result short ({header}: {response.headers[header]});"
                        " raise the server's result limit (Virtuoso: ResultSetMaxRows)"
                    )
            yield response
        finally:
            response.close()

    def close(self) -> None:
        self._client.close()
