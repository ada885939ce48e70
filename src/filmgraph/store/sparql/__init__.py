"""A remote SPARQL 1.1 server as the store: Virtuoso, Oxigraph's server, Fuseki, GraphDB …

For collections that outgrow one machine. Reads go through the SPARQL 1.1 Protocol; writes
through the Graph Store Protocol where the server offers one (Virtuoso's
``/sparql-graph-crud-auth``, Oxigraph's ``/store``: see ``servers.toml``), else through
SPARQL Update in batches small enough for any server. Our named graphs all live under
``https://w3id.org/filmgraph/id/graph/``.

Which of them make the graph is said by the record graph on the server (see
:mod:`~filmgraph.store.sparql.record`): on Virtuoso, and on an unknown server holding a
record, every query names exactly those as its dataset (the protocol's ``default-graph-uri``
and ``named-graph-uri``), so a server's system graphs and a publish's staging graphs never
show. A publish swaps every graph and the record in one update request
(:mod:`~filmgraph.store.sparql.publish`).
"""

from __future__ import annotations

import hashlib
import os
import re
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.query import Result
from rdflib.term import Identifier, Node

from filmgraph.errors import FilmgraphError, QueryError
from filmgraph.namespaces import ID
from filmgraph.progress import Progress, silent
from filmgraph.store.base import BuildRecord, QueryResult, SelectResult, Store
from filmgraph.store.binding import bind_values, query_form
from filmgraph.store.oxigraph import from_oxigraph, to_oxigraph
from filmgraph.store.sparql.protocol import Endpoint
from filmgraph.store.sparql.publish import publish, publish_remote
from filmgraph.store.sparql.record import (
    PUBLISHING_GRAPH,
    RECORD_GRAPH,
    STORE,
    TERMS,
    read_record,
)

__all__ = [
    "ENVIRONMENT",
    "SparqlStore",
    "bind_values",
    "publish_remote",
    "query_form",
    "split_credentials",
]

#: Settings read from the environment when a store is opened from a URL alone.
ENVIRONMENT = {
    "update": "FILMGRAPH_SPARQL_UPDATE",
    "gsp": "FILMGRAPH_SPARQL_GSP",
    "user": "FILMGRAPH_SPARQL_USER",
    "password": "FILMGRAPH_SPARQL_PASSWORD",
}
_RESULTS_JSON = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"
_BNODE_LABEL = re.compile(r"[A-Za-z0-9_]+")


def _stable(term: Identifier) -> Identifier:
    """A blank node from a server with a label N-Triples can write (Virtuoso's are
    ``nodeID://b10006``), the same label for the same server node every time."""
    if isinstance(term, BNode) and not _BNODE_LABEL.fullmatch(str(term)):
        return BNode("b" + hashlib.sha1(str(term).encode("utf-8")).hexdigest()[:20])
    return term


class SparqlStore(Store):
    """A store behind a SPARQL 1.1 endpoint.

    ``url`` answers queries; ``update_url`` takes SPARQL Update and ``gsp_url`` the Graph
    Store Protocol (both default to what the server offers, see ``servers.toml``;
    ``graph_store=False`` writes by SPARQL Update only, ``update_batch`` triples a request).
    ``user`` and ``password`` authenticate (HTTP digest or basic, as the server asks).
    """

    name = "sparql"

    def __init__(
        self,
        url: str,
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 300.0,
        graph_prefix: str = f"{ID}graph/",
        update_batch: int = 1_000,
        graph_store: bool = True,
    ) -> None:
        self.url, url_user, url_password = split_credentials(url)
        if user is None:
            user, password = url_user, url_password
        self.endpoint = Endpoint(
            self.url,
            update_url=update_url,
            gsp_url=gsp_url,
            user=user,
            password=password,
            timeout=timeout,
            graph_store=graph_store,
        )
        self.graph_prefix = graph_prefix
        #: triples per ``INSERT DATA`` request when the server has no Graph Store Protocol
        self.update_batch = update_batch
        self._scanned: list[str] | None = None

    @classmethod
    def from_url(cls, url: str) -> SparqlStore:
        """Open the store a URL names; credentials in the URL or in the environment.

        ``FILMGRAPH_SPARQL_GSP=none`` writes through SPARQL Update only.
        """
        plain, user, password = split_credentials(url)
        gsp = os.environ.get(ENVIRONMENT["gsp"]) or None
        return cls(
            plain,
            update_url=os.environ.get(ENVIRONMENT["update"]) or None,
            gsp_url=None if gsp == "none" else gsp,
            graph_store=gsp != "none",
            user=user or os.environ.get(ENVIRONMENT["user"]) or None,
            password=password or os.environ.get(ENVIRONMENT["password"]) or None,
        )

    @property
    def update_url(self) -> str:
        return self.endpoint.update_url

    @property
    def gsp_url(self) -> str | None:
        return self.endpoint.gsp_url

    # -- the record: which graphs, and what the build said -------------------------------

    def _record_pairs(self, predicate: str | None = None) -> list[tuple[str, str]]:
        """The record's (predicate, value) pairs; only ``predicate``'s when one is named
        (the graph list, read before every query, leaves the large report on the server)."""
        p = f"<{predicate}>" if predicate else "?p"
        text = f"SELECT ?o WHERE {{ GRAPH <{RECORD_GRAPH}> {{ <{RECORD_GRAPH}> {p} ?o }} }}"
        if predicate is None:
            text = text.replace("SELECT ?o", "SELECT ?p ?o")
        with self.endpoint.query(text, (), _RESULTS_JSON) as body:
            result = Result.parse(body, format="json")
        if predicate is None:
            return [(str(p), str(o)) for p, o in result]  # type: ignore[misc]
        return [(predicate, str(row[0])) for row in result]  # type: ignore[index]

    def _listed(self) -> list[str]:
        """The graphs the record names (none when there is no record)."""
        return read_record(self._record_pairs(f"{TERMS}graph"))[1]

    def build_record(self) -> BuildRecord | None:
        """The record of the build published to this server (``None`` if none was)."""
        return read_record(self._record_pairs())[0]

    def graphs(self) -> list[URIRef]:
        """Our named graphs on the server: those the record lists, else those under
        ``graph_prefix`` (a server filled without a record)."""
        return [URIRef(g) for g in (self._listed() or self._scan())]

    def _scan(self) -> list[str]:
        if self._scanned is None:
            text = (
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                f'FILTER (STRSTARTS(STR(?g), "{self.graph_prefix}")) }}'
            )
            with self.endpoint.query(text, (), _RESULTS_JSON) as body:
                result = Result.parse(body, format="json")
            self._scanned = sorted(str(row[0]) for row in result)  # type: ignore[index]
        return self._scanned

    def _dataset(self) -> list[str]:
        """The graphs a query runs over, or none for the server's own default dataset.

        A server whose kind says so (Virtuoso: its default graph holds its system graphs)
        gets the list, from the record or else by scanning (a placeholder graph when there
        is none yet, so nothing else shows); so does an unknown server holding a record (its
        default graph may show staging graphs). A kind whose default graph is the union of
        the graphs and whose publishes stage nothing (Oxigraph's server run with
        ``--union-default-graph``) gets none: naming 30 graphs as the default graph makes
        Oxigraph's server 10 to 60 times slower on lookups.
        """
        kind = self.endpoint.kind
        if kind is not None and not kind.dataset:
            return []
        listed = self._listed()
        if listed:
            return listed
        if kind is None:
            return []
        return self._scan() or [f"{self.graph_prefix}none"]

    # -- reading ------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        constants: bool = False,  # a VALUES block is all a server gets: no substitution
    ) -> QueryResult:
        form = query_form(sparql)
        text = bind_values(sparql, bindings) if bindings else sparql
        dataset = self._dataset()
        if form in ("CONSTRUCT", "DESCRIBE"):
            graph = Graph()
            with self.endpoint.query(text, dataset, _NTRIPLES) as body:
                for triple in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
                    graph.add(
                        (
                            _stable(from_oxigraph(triple.subject)),
                            from_oxigraph(triple.predicate),
                            _stable(from_oxigraph(triple.object)),
                        )
                    )
            return graph
        with self.endpoint.query(text, dataset, _RESULTS_JSON) as body:
            result = Result.parse(body, format="json")
        if result.type == "ASK":
            return bool(result.askAnswer)
        if form == "ASK":
            return _ask_as_select(result)
        variables = [str(v) for v in result.vars or []]
        rows = [
            tuple(None if t is None else _stable(t) for t in row)  # type: ignore[union-attr,arg-type]
            for row in result
        ]
        return SelectResult(variables, rows)

    def quad_count(self) -> int:
        result = self.query(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER (STRSTARTS(STR(?g), "{self.graph_prefix}")) }}'
        )
        if not isinstance(result, SelectResult) or not isinstance(result.rows[0][0], Literal):
            raise QueryError(f"{self.url} gave no count of the quads")
        return int(result.rows[0][0])

    def graph_triples(self, graph: URIRef) -> Iterator[ox.Triple]:
        """Every triple of one named graph, streamed from the server as it parses."""
        text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        with self.endpoint.query(text, (), _NTRIPLES) as body:
            yield from ox.parse(body, format=ox.RdfFormat.N_TRIPLES)

    def dump(self, path: Path, fmt: str = "trig") -> None:
        """Write every quad to ``path``, graph by graph, as the server streams them."""
        formats = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}

        def quads() -> Iterator[ox.Quad]:
            for graph in self.graphs():
                name = ox.NamedNode(str(graph))
                for t in self.graph_triples(graph):
                    yield ox.Quad(t.subject, t.predicate, t.object, name)

        ox.serialize(quads(), str(path), formats[fmt])

    # -- writing ------------------------------------------------------------------------

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update on the server (all its operations in one request)."""
        self._scanned = None
        self.endpoint.update(sparql)

    def add_dataset(self, dataset: Dataset) -> None:
        """Add every quad of ``dataset`` to its graph on the server, and list the graphs
        in the record (not atomic: a publish is, see :meth:`publish`)."""
        by_graph: dict[str, list[ox.Triple]] = {}
        for s, p, o, g in dataset.quads((None, None, None, None)):
            if not isinstance(g, URIRef):
                raise FilmgraphError("every quad must be in a named graph to go to a remote store")
            triple = ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
            by_graph.setdefault(str(g), []).append(triple)
        for graph, triples in by_graph.items():
            self.write_graph(graph, triples, replace=False)
        if by_graph:
            listed = ", ".join(f"<{g}>" for g in sorted(by_graph))
            self.update(
                f"INSERT DATA {{ GRAPH <{RECORD_GRAPH}> {{ <{RECORD_GRAPH}> "
                f"<{TERMS}graph> {listed} }} }}"
            )

    def write_graph(self, graph: str, triples: list[ox.Triple], *, replace: bool) -> None:
        """Write one graph's triples: replace the graph, or add to it.

        Through the Graph Store Protocol in one request where the server offers it, else
        ``INSERT DATA`` in batches of :attr:`update_batch` triples; triples with blank nodes
        go in one request per graph (a blank node split over two requests would become two).
        """
        self._scanned = None
        if self.endpoint.gsp_url is not None:
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            if replace:
                self.endpoint.put_graph(graph, body)
            else:
                self.endpoint.post_graph(graph, body)
            return
        if replace:
            self.update(f"DROP SILENT GRAPH <{graph}>")
        blank = [
            t
            for t in triples
            if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
        ]
        ground = [
            t
            for t in triples
            if not (isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode))
        ]
        for start in range(0, len(ground), self.update_batch):
            lines = "\n".join(f"{t} ." for t in ground[start : start + self.update_batch])
            self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{lines}\n}} }}")
        if blank:
            lines = "\n".join(f"{t} ." for t in blank)
            self.update(f"INSERT {{ GRAPH <{graph}> {{\n{lines}\n}} }} WHERE {{ }}")

    def publish(
        self, quads: Iterable[ox.Quad], record: BuildRecord, progress: Progress = silent
    ) -> int:
        """Replace our graphs on the server with ``quads`` and ``record``, atomically
        (see :func:`~filmgraph.store.sparql.publish.publish`); returns the quads sent."""
        return publish(self, quads, record, progress)

    def clear(self) -> None:
        """Drop every graph of ours on the server, the record and any staging graph."""
        text = (
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER (STRSTARTS(STR(?g), "{self.graph_prefix}") '
            f'|| STRSTARTS(STR(?g), "{STORE}")) }}'
        )
        with self.endpoint.query(text, (), _RESULTS_JSON) as body:
            found = [str(row[0]) for row in Result.parse(body, format="json")]  # type: ignore[index]
        drops = [
            f"DROP SILENT GRAPH <{g}>" for g in sorted({*found, RECORD_GRAPH, PUBLISHING_GRAPH})
        ]
        self.update(" ;\n".join(drops))

    def close(self) -> None:
        self.endpoint.close()


def _ask_as_select(result: Result) -> bool:
    """The answer of an ASK query that came back as a one-cell SELECT result.

    Virtuoso 7.2 as the README's recipe sets it up answers ASK that way (one row, the
    variable ``__ASK_RETVAL``, ``1`` or ``0``) instead of a boolean result; anything else
    is not an answer to an ASK query.
    """
    rows = list(result)
    cell = rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else None  # type: ignore[arg-type,index]
    if isinstance(cell, Literal) and str(cell) in ("0", "1", "true", "false"):
        return str(cell) in ("1", "true")
    raise QueryError(f"an ASK query was answered with rows, not a boolean: {rows[:3]}")


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """The URL without ``user:password@``, and the user and password it carried."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return url, None, None
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    plain = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return plain, urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or "")
