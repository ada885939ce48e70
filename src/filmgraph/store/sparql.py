"""A remote SPARQL 1.1 server as the store: Virtuoso, Apache Jena Fuseki, GraphDB …

For collections that outgrow one machine. Reads go through the SPARQL 1.1 Protocol, writes
through SPARQL 1.1 Update (``INSERT DATA`` in chunks) or, when configured, the Graph Store
Protocol. Our named graphs all live under ``https://w3id.org/filmgraph/id/graph/``; graph
listings, counts and dumps only look there, so a server's own system graphs never leak in.

Bindings are sent as a ``VALUES`` block opening the WHERE pattern (SPARQL 1.1 §10.2): the
server binds the variables, as rdflib's ``initBindings`` do; the query text itself is never
templated. (A trailing ``VALUES`` after the query is standard too, but Virtuoso 7.2 joins it
wrongly with ``UNION`` and ``BIND`` and rejects it after some ``ORDER BY`` clauses.)

Virtuoso's default graph also holds its own system graphs (``virtrdf:`` …). Against
Virtuoso (recognised by its ``Server`` header, or when ``restrict_dataset`` is set) every
query names our graphs as its dataset with the protocol's ``default-graph-uri`` and
``named-graph-uri`` parameters, so it sees exactly what an embedded store would.

A server that cuts a result short (Virtuoso's ``ResultSetMaxRows`` announces it with the
``X-SPARQL-MaxRows`` header, ``filmgraph serve`` with ``X-Filmgraph-Truncated``) makes the
query fail loudly instead of returning part of the answer.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.term import Identifier, Node

from filmgraph.builddir import Generation
from filmgraph.errors import FilmgraphError, QueryError
from filmgraph.namespaces import ID
from filmgraph.progress import Progress, silent
from filmgraph.store.base import QueryResult, SelectResult, Store
from filmgraph.store.oxigraph import to_oxigraph

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
_TRUNCATION_HEADERS = ("X-SPARQL-MaxRows", "X-Filmgraph-Truncated")
_RESULTS_JSON = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"


def query_form(sparql: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``; :class:`QueryError` if not a query."""
    try:
        parsed = parseQuery(sparql)
    except Exception as exc:  # pyparsing raises its own exception types
        raise QueryError(f"query syntax error: {exc}") from exc
    name = str(parsed[1].name)
    return name.removesuffix("Query").upper()


def _term(binding: Mapping[str, str]) -> Identifier:
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        # Servers label blank nodes freely ("nodeID://b10006"); keep them valid and stable.
        return BNode("b" + hashlib.sha1(value.encode("utf-8")).hexdigest()[:20])
    language = binding.get("xml:lang")
    if language:
        return Literal(value, lang=language)
    datatype = binding.get("datatype")
    return Literal(value, datatype=URIRef(datatype) if datatype else None)


_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")


def _where_brace(sparql: str) -> int:
    """The index of the ``{`` that opens the query's WHERE pattern.

    Skips comments, IRIs and strings, and a CONSTRUCT template (the first group of a
    ``CONSTRUCT {…} WHERE {…}`` query).
    """
    i, depth, skip_template, seen_construct = 0, 0, False, False
    while i < len(sparql):
        c = sparql[i]
        if c == "#":
            end = sparql.find("\n", i)
            i = len(sparql) if end < 0 else end + 1
            continue
        if c == "<" and (m := _IRI.match(sparql, i)):
            i = m.end()
            continue
        if c in "\"'":
            quote = sparql[i:i + 3] if sparql[i:i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < len(sparql) and sparql[j:j + len(quote)] != quote:
                j += 2 if sparql[j] == "\\" else 1
            i = j + len(quote)
            continue
        if depth == 0 and sparql[i:i + 9].upper() == "CONSTRUCT" and not seen_construct:
            seen_construct = True
            rest = sparql[i + 9:].lstrip()
            skip_template = rest.startswith("{")
            i += 9
            continue
        if c == "{":
            if depth == 0 and not skip_template:
                return i
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0 and skip_template:
                skip_template = False
        i += 1
    raise QueryError("cannot find the WHERE pattern of the query to bind its parameters")


def bind_values(sparql: str, bindings: Mapping[str, Node]) -> str:
    """``sparql`` with a ``VALUES`` block opening its WHERE pattern, binding ``bindings``.

    The values are data handed to the engine (as ``initBindings`` are to rdflib), not text
    spliced into the query: the query's own text is unchanged around the block.

    >>> from rdflib import URIRef
    >>> bind_values("SELECT ?x WHERE { ?x ?p ?o }", {"x": URIRef("urn:a")})
    'SELECT ?x WHERE { VALUES (?x) { (<urn:a>) } ?x ?p ?o }'
    """
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(term.n3() for term in bindings.values())
    at = _where_brace(sparql) + 1
    return f"{sparql[:at]} VALUES ({names}) {{ ({terms}) }}{sparql[at:]}"


class SparqlStore(Store):
    """A store behind a SPARQL 1.1 endpoint.

    ``url`` answers queries; ``update_url`` (default: ``url``) takes SPARQL Update;
    ``gsp_url``, when given, is a Graph Store Protocol endpoint used for bulk writes and
    dumps. ``user`` and ``password`` authenticate (HTTP digest or basic, as the server asks).
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
        page_size: int = 10_000,
        graph_prefix: str = f"{ID}graph/",
        restrict_dataset: bool | None = None,
    ) -> None:
        self.url, self.user = split_credentials(url)[0], user
        self.update_url = update_url or self.url
        self.gsp_url = gsp_url
        self.timeout = timeout
        self.page_size = page_size
        self.graph_prefix = graph_prefix
        #: None: decide from the server's identity on first contact (Virtuoso: yes)
        self.restrict_dataset = restrict_dataset
        self._dataset: list[str] | None = None
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        if user is not None:
            for endpoint in {self.url, self.update_url, gsp_url or self.url}:
                passwords.add_password(None, endpoint, user, password or "")
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPDigestAuthHandler(passwords),
            urllib.request.HTTPBasicAuthHandler(passwords),
        )

    @classmethod
    def from_url(cls, url: str) -> SparqlStore:
        """Open the store a URL names; credentials in the URL or in the environment."""
        plain, user, password = split_credentials(url)
        return cls(
            plain,
            update_url=os.environ.get(ENVIRONMENT["update"]) or None,
            gsp_url=os.environ.get(ENVIRONMENT["gsp"]) or None,
            user=user or os.environ.get(ENVIRONMENT["user"]) or None,
            password=password or os.environ.get(ENVIRONMENT["password"]) or None,
        )

    # -- reading --------------------------------------------------------------------------

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        form = query_form(sparql)
        text = bind_values(sparql, bindings) if bindings else sparql
        accept = _RESULTS_JSON if form in ("SELECT", "ASK") else f"{_NTRIPLES}, text/turtle;q=0.9"
        body, content_type = self._post(self.url, [("query", text), *self._dataset_params()],
                                        accept)
        if form in ("CONSTRUCT", "DESCRIBE"):
            graph = Graph()
            fmt = "turtle" if "turtle" in content_type else "nt"
            graph.parse(data=body.decode("utf-8"), format=fmt)
            return graph
        data = json.loads(body)
        if "boolean" in data:
            return bool(data["boolean"])
        variables = list(data["head"].get("vars", []))
        rows = [
            tuple(_term(row[v]) if v in row else None for v in variables)
            for row in data["results"]["bindings"]
        ]
        return SelectResult(variables, rows)

    def _dataset_params(self) -> list[tuple[str, str]]:
        if self.restrict_dataset is None:
            self._post(self.url, [("query", "ASK { }")], _RESULTS_JSON)  # learns the server
        if not self.restrict_dataset:
            return []
        if self._dataset is None:
            self._dataset = []  # the listing itself runs unrestricted (it filters by prefix)
            self._dataset = [str(g) for g in self.graphs()] or [f"{self.graph_prefix}none"]
        return ([("default-graph-uri", g) for g in self._dataset]
                + [("named-graph-uri", g) for g in self._dataset])

    def graphs(self) -> list[URIRef]:
        """Our named graphs on the server (those under ``graph_prefix``)."""
        restrict, self.restrict_dataset = self.restrict_dataset, False
        try:
            result = self._graphs()
        finally:
            self.restrict_dataset = restrict
        return result

    def _graphs(self) -> list[URIRef]:
        result = self.query(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER (STRSTARTS(STR(?g), "{self.graph_prefix}")) }} ORDER BY ?g'
        )
        assert isinstance(result, SelectResult)
        return [row[0] for row in result.rows if isinstance(row[0], URIRef)]

    def quad_count(self) -> int:
        result = self.query(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER (STRSTARTS(STR(?g), "{self.graph_prefix}")) }}'
        )
        assert isinstance(result, SelectResult)
        count = result.rows[0][0]
        assert isinstance(count, Literal)
        return int(count)

    def graph_triples(self, graph: URIRef) -> Iterator[tuple[Identifier, Identifier, Identifier]]:
        """Every triple of one named graph, fetched page by page (or in one GSP request)."""
        if self.gsp_url is not None:
            url = _with_query(self.gsp_url, {"graph": str(graph)})
            body, _ = self._request(urllib.request.Request(url, headers={"Accept": _NTRIPLES}))
            parsed = Graph()
            parsed.parse(data=body.decode("utf-8"), format="nt")
            yield from parsed  # type: ignore[misc]
            return
        offset = 0
        while True:
            page = self.query(
                f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} "
                f"ORDER BY ?s ?p ?o LIMIT {self.page_size} OFFSET {offset}"
            )
            assert isinstance(page, SelectResult)
            for s, p, o in page.rows:
                assert s is not None and p is not None and o is not None
                yield s, p, o
            if len(page.rows) < self.page_size:
                return
            offset += self.page_size

    def dump(self, path: Path, fmt: str = "trig") -> None:
        quads = [
            ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.NamedNode(str(g)))  # type: ignore[arg-type]
            for g in self.graphs()
            for s, p, o in self.graph_triples(g)
        ]
        formats = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}
        ox.serialize(quads, str(path), formats[fmt])

    # -- writing --------------------------------------------------------------------------

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update on the server."""
        self._dataset = None  # the graphs may change
        self._post(self.update_url, [("update", sparql)], "*/*")

    def add_dataset(self, dataset: Dataset) -> None:
        buffer = io.BytesIO()
        dataset.serialize(destination=buffer, format="nquads")
        self.load_quads(ox.parse(buffer.getvalue(), format=ox.RdfFormat.N_QUADS))

    def load_quads(self, quads: Iterable[ox.Quad], chunk: int = 5_000) -> int:
        """Add quads graph by graph, ``chunk`` triples a request; returns how many.

        Triples with blank nodes go in one ``INSERT … WHERE {}`` per graph: a blank node
        must not be split across requests (it would become two), and some servers
        (Virtuoso) refuse blank nodes in ``INSERT DATA``.
        """
        plain: dict[str, list[str]] = {}
        blank: dict[str, list[str]] = {}
        for quad in quads:
            if not isinstance(quad.graph_name, ox.NamedNode):
                raise FilmgraphError("every quad must be in a named graph to go to a remote store")
            has_blank = isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object,
                                                                              ox.BlankNode)
            (blank if has_blank else plain).setdefault(quad.graph_name.value, []).append(
                f"{quad.triple} .")
        total = 0
        for graph, lines in plain.items():
            for start in range(0, len(lines), chunk):
                part = lines[start:start + chunk]
                if self.gsp_url is not None:
                    self._post_graph(graph, "\n".join(part) + "\n")
                else:
                    self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n" + "\n".join(part) + "\n} }")
                total += len(part)
        for graph, lines in blank.items():
            if self.gsp_url is not None:
                self._post_graph(graph, "\n".join(lines) + "\n")
            else:
                self.update(f"INSERT {{ GRAPH <{graph}> {{\n" + "\n".join(lines)
                            + "\n} } WHERE { }")
            total += len(lines)
        return total

    def replace_graphs(self, quads: Iterable[ox.Quad], token: str) -> int:
        """Publish a new build: load into staging graphs, then move each into place.

        A failure while loading leaves the graphs on the server as they were (the staging
        graphs are dropped). Graphs of ours that the new build no longer has are removed.
        """
        staged: dict[str, str] = {}

        def staging(quad: ox.Quad) -> ox.Quad:
            assert isinstance(quad.graph_name, ox.NamedNode)
            target = quad.graph_name.value
            name = staged.setdefault(target, f"urn:filmgraph:staging:{token}:{len(staged)}")
            return ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(name))

        try:
            count = self.load_quads(staging(q) for q in quads)
        except BaseException:
            for name in staged.values():
                self.update(f"DROP SILENT GRAPH <{name}>")
            raise
        old = {str(g) for g in self.graphs()}
        for target, name in staged.items():
            self.update(f"MOVE SILENT GRAPH <{name}> TO GRAPH <{target}>")
        for graph in sorted(old - set(staged)):
            self.update(f"DROP SILENT GRAPH <{graph}>")
        return count

    def clear(self) -> None:
        """Drop every graph of ours on the server."""
        for graph in self.graphs():
            self.update(f"DROP SILENT GRAPH <{graph}>")

    # -- HTTP -----------------------------------------------------------------------------

    def _post(self, url: str, form: list[tuple[str, str]], accept: str) -> tuple[bytes, str]:
        data = urllib.parse.urlencode(form).encode("utf-8")
        request = urllib.request.Request(url, data=data, method="POST", headers={
            "Accept": accept, "Content-Type": "application/x-www-form-urlencoded",
        })
        return self._request(request)

    def _post_graph(self, graph: str, ntriples: str) -> None:
        assert self.gsp_url is not None
        self._dataset = None
        request = urllib.request.Request(
            _with_query(self.gsp_url, {"graph": graph}), data=ntriples.encode("utf-8"),
            method="POST", headers={"Content-Type": _NTRIPLES},
        )
        self._request(request)

    def _request(self, request: urllib.request.Request) -> tuple[bytes, str]:
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                body: bytes = response.read()
                headers: Any = response.headers
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip()[:600]
            raise QueryError(f"{request.full_url} answered {exc.code}: {detail}") from None
        except urllib.error.URLError as exc:
            raise FilmgraphError(f"cannot reach the SPARQL endpoint {request.full_url}: "
                                 f"{exc.reason}") from None
        if self.restrict_dataset is None:
            self.restrict_dataset = "virtuoso" in str(headers.get("Server", "")).lower()
        for header in _TRUNCATION_HEADERS:
            if headers.get(header):
                raise QueryError(
                    f"{request.full_url} cut the result short ({header}: {headers[header]}); "
                    "raise the server's result limit (Virtuoso: ResultSetMaxRows) or page the query"
                )
        return body, str(headers.get("Content-Type", ""))


def _with_query(url: str, params: Mapping[str, str]) -> str:
    joiner = "&" if "?" in url else "?"
    return url + joiner + urllib.parse.urlencode(params)


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


def publish_remote(root: Path, generation: Generation, progress: Progress = silent) -> int:
    """Publish a finished build to the endpoint its build directory mirrors, if any.

    The build calls this before switching its ``current`` link, so a failed upload fails
    the build and leaves both the local record and the server's graphs as they were.
    Returns the number of quads sent (0 when ``root`` is a plain build directory).
    """
    from filmgraph.store import mirrored_endpoint

    endpoint = mirrored_endpoint(root)
    if endpoint is None:
        return 0
    store = SparqlStore.from_url(endpoint)
    with progress.step(f"loading into {endpoint}") as done, generation.trig_path.open("rb") as dump:
        count = store.replace_graphs(ox.parse(dump, format=ox.RdfFormat.TRIG),
                                     token=generation.path.name)
        done(f"{count:,} quads")
    return count
