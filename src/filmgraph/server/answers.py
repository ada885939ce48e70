"""What the endpoint answers, computed inside a worker process next to the open store.

Everything that looks at client input beyond its size runs here, not in the HTTP process:
the nesting, read-only and SERVICE checks, the query itself and the serialisation of its
result, so a pathological query is stopped by the time limit like any other. Every client
mistake ends as a 4xx with a message; only a bug is a 500.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from filmgraph.errors import FilmgraphError, QueryError, UnknownQuery
from filmgraph.queries import NamedQuery, catalogue, get_query, require_statistics
from filmgraph.resolve import merged_into
from filmgraph.results import count_rows, serialise_solutions, serialise_triples
from filmgraph.server.bounded import bounded_description, merged_node
from filmgraph.server.formats import (
    BOOLEAN_TYPES,
    GRAPH_TYPES,
    SELECT_TYPES,
    SHORT_NAMES,
    Reply,
    negotiate,
    serialise_reply,
)
from filmgraph.server.pages import MAP_SCRIPT, film_map, film_page, map_path, resource_page
from filmgraph.store.base import QueryResult, SelectResult, Store
from filmgraph.store.oxigraph import OxigraphStore, holds_merge

__all__ = [
    "MAX_NESTING",
    "Job",
    "answer",
    "answer_description",
    "answer_lookup",
    "check_query",
    "nesting",
    "wants_page",
]

#: Deepest nesting of ``{ ( [`` a query may have: the engine's parser recurses, and a
#: query nested thousands deep would overflow its stack.
MAX_NESTING = 200
_SERVICE = re.compile(r"(?i)\bservice\b")
_OPEN, _CLOSE = frozenset("{(["), frozenset("})]")


@dataclass(frozen=True)
class Job:
    """One request for a worker.

    ``kind`` is ``sparql`` (``text`` is the query), ``named`` (``name`` and ``params``),
    ``resource`` (``name`` is the IRI), ``map`` (a film's small map; ``name`` is the film)
    or ``catalogue``. ``accept`` is the Accept header,
    ``fmt`` a ``?format=`` override. ``default_graphs`` and ``named_graphs`` are the SPARQL
    Protocol's ``default-graph-uri`` and ``named-graph-uri``: when either is given they are
    the query's dataset, in place of any ``FROM`` / ``FROM NAMED`` in its text.
    """

    kind: str
    text: str = ""
    name: str = ""
    params: dict[str, str] = field(default_factory=dict)
    accept: str = ""
    fmt: str = ""
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    @property
    def has_dataset(self) -> bool:
        """True when the request names the dataset (``default-graph-uri``/``named-graph-uri``)."""
        return bool(self.default_graphs or self.named_graphs)


def nesting(text: str) -> int:
    """How deep brackets nest in ``text`` (counted on the raw text: a safe upper bound)."""
    depth = deepest = 0
    for char in text:
        if char in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _CLOSE:
            depth = max(0, depth - 1)
    return deepest


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, CompValue):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple) or (hasattr(node, "asList") and not isinstance(node, str)):
        for item in node:
            yield from _walk(item)


def _parse(text: str) -> Any:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))  # rdflib's parser recurses per group
    try:
        return parseQuery(text)
    finally:
        sys.setrecursionlimit(limit)


def check_query(text: str, allow_service: bool) -> Reply | None:
    """A 4xx reply for a query the endpoint refuses before running it, or ``None``.

    Only a query that mentions SERVICE is parsed here (by rdflib); any other goes straight
    to the engine, whose parser reports syntax errors.
    """
    if nesting(text) > MAX_NESTING:
        return Reply.error(
            400,
            f"query nested too deeply: at most {MAX_NESTING} levels of "
            "{ }, ( ) and [ ] are accepted",
        )
    if allow_service or not _SERVICE.search(text):
        return None
    try:
        parsed = _parse(text)
    except Exception:  # pyparsing raises its own types; the engine will say what is wrong
        return None
    if any(
        isinstance(node, CompValue) and node.name == "ServiceGraphPattern" for node in _walk(parsed)
    ):
        return Reply.error(
            403,
            "SERVICE (federated query) is disabled on this endpoint; "
            "the operator can allow it with --allow-service",
        )
    return None


def _is_update(text: str) -> bool:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    try:
        parseUpdate(text)
    except Exception:
        return False
    finally:
        sys.setrecursionlimit(limit)
    return True


def wants_page(job: Job) -> bool:
    """Whether a resource ``job`` asks for the HTML page (drawn from a dozen queries and a
    map, the page lane's work) rather than its triples (one query, the query lane's)."""
    return _media(job, ("text/html", *GRAPH_TYPES)) == "text/html"


def _media(job: Job, offered: tuple[str, ...]) -> str | Reply:
    if job.fmt:
        media = SHORT_NAMES.get(job.fmt.lower(), job.fmt.lower())
        if media in offered:
            return media
        return Reply.error(
            406, f"format {job.fmt!r} is not offered here; choose one of " + ", ".join(offered)
        )
    chosen = negotiate(job.accept, offered)
    if chosen is None:
        return Reply.error(
            406,
            f"none of the accepted types ({job.accept}) is offered here; "
            "choose one of " + ", ".join(offered),
        )
    return chosen


def _check_iris(bindings: dict[str, Any]) -> None:
    for name, value in bindings.items():
        if isinstance(value, URIRef):
            try:
                ox.NamedNode(str(value))
            except ValueError as exc:
                raise FilmgraphError(
                    f"parameter {name}: {str(value)!r} is not a valid IRI ({exc})"
                ) from None


def answer(store: Store, job: Job, result_limit: int, allow_service: bool) -> Reply:
    """The reply to ``job``: a result, a page, or a clear 4xx error."""
    try:
        if job.kind == "resource":
            return _resource(store, job)
        if job.kind == "map":
            return _map(store, job)
        if job.kind == "catalogue":
            return _catalogue()
        if job.kind == "named":
            query = _named(job.name)
            text, bindings = query.prepare(job.params)  # paging written into LIMIT/OFFSET
            constants = query.constants
            _check_iris(bindings)
            if query.reads_statistics:
                require_statistics(store, query.name)
        else:
            refused = check_query(job.text, allow_service)
            if refused is not None:
                return refused
            text, bindings, constants = job.text, {}, False
        try:
            if job.has_dataset:
                return _over_dataset(store, job, result_limit)
            if isinstance(store, OxigraphStore):
                return _native(store, job, text, bindings, result_limit, constants=constants)
            result = store.query(text, bindings, constants=constants)
        except FilmgraphError:
            if job.kind == "sparql" and _is_update(text):
                return Reply.error(403, "this endpoint is read-only: SPARQL Update is refused")
            raise
    except UnknownQuery as error:
        return Reply.error(404, str(error))
    except FilmgraphError as error:
        return Reply.error(400, str(error))
    return _serialised(job, result, result_limit)


def answer_lookup(store: OxigraphStore, job: Job, rows: int) -> Reply | None:
    """The reply to a ``sparql`` job whose text :func:`~filmgraph.server.bounded.bounded_text`
    recognised (in the HTTP process), byte for byte what :func:`answer` gives, or ``None``
    when the answer has more than ``rows`` rows (a worker then answers it, cut at the result
    limit). The checks :func:`answer` makes first (nesting, SERVICE, update) cannot fail on
    such a text, so they are not made again.
    """
    try:
        raw = store.query_native(job.text)
        if isinstance(raw, ox.QueryTriples):  # not a SELECT after all: a worker's job
            return None
        written = _written_solutions(job, raw)
        if isinstance(written, Reply):
            return written
        media, body = written
    except FilmgraphError as error:
        return Reply.error(400, str(error))
    # Every row takes two bytes at least in every format (a CSV row of one empty value is
    # a line break), so a shorter answer cannot hold more than ``rows`` rows.
    if len(body) >= 2 * (rows + 1) and count_rows(body, media) > rows:
        return None
    return Reply(200, media + "; charset=utf-8", body)


def _graph_names(iris: tuple[str, ...], parameter: str) -> list[ox.NamedNode]:
    names = []
    for iri in iris:
        try:
            names.append(ox.NamedNode(iri))
        except ValueError as exc:
            raise FilmgraphError(f"{parameter}: {iri!r} is not a valid IRI ({exc})") from None
    return names


def _over_dataset(store: Store, job: Job, limit: int) -> Reply:
    """A query over the dataset the request names (SPARQL 1.1 Protocol, section 2.1.4): the
    default graph is the merge of the ``default-graph-uri`` graphs (empty when none is
    given), the named graphs are the ``named-graph-uri`` ones, and the query's own
    ``FROM`` / ``FROM NAMED`` are overridden, as the protocol says."""
    default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
        *_graph_names(job.default_graphs, "default-graph-uri")
    ]
    named: list[ox.NamedNode | ox.BlankNode] = [*_graph_names(job.named_graphs, "named-graph-uri")]
    if not isinstance(store, OxigraphStore):
        raise FilmgraphError(
            "default-graph-uri and named-graph-uri are honoured over the embedded store only; "
            "over a remote store name the graphs in the query with FROM / FROM NAMED"
        )

    def run() -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        try:
            return store.engine.query(job.text, default_graph=default, named_graphs=named)
        except SyntaxError as exc:
            raise QueryError(f"query syntax error: {exc}") from exc
        except RuntimeError as exc:
            raise QueryError(f"query refused: {exc}") from exc

    return _written(job, run, limit)


def _native(
    store: OxigraphStore,
    job: Job,
    text: str,
    bindings: dict[str, Any],
    limit: int,
    *,
    constants: bool = False,
) -> Reply:
    """The embedded engine's result written by its own writers, with no rdflib terms between
    (a cut answer, or a graph, takes the general route)."""
    return _written(job, lambda: store.query_native(text, bindings, constants=constants), limit)


def _written(
    job: Job, run: Callable[[], ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples], limit: int
) -> Reply:
    """The engine's result (``run`` runs the query) written by the engine's writers; a graph
    or an answer past the result limit goes through rdflib terms, to be cut."""
    raw = run()
    if isinstance(raw, ox.QueryTriples):
        return _serialised(job, _collected(raw), limit)
    written = _written_solutions(job, raw)
    if isinstance(written, Reply):
        return written
    media, body = written
    if isinstance(raw, ox.QuerySolutions) and count_rows(body, media) > limit:
        return _serialised(job, _collected(run()), limit)
    return Reply(200, media + "; charset=utf-8", body)


def _written_solutions(
    job: Job, raw: ox.QuerySolutions | ox.QueryBoolean
) -> tuple[str, bytes] | Reply:
    """The media type ``job`` negotiates and the engine's rows or boolean written in it (a
    406 reply when nothing offered suits the client)."""
    media = _media(job, BOOLEAN_TYPES if isinstance(raw, ox.QueryBoolean) else SELECT_TYPES)
    if isinstance(media, Reply):
        return media
    try:
        return media, serialise_solutions(raw, media)
    except RuntimeError as exc:  # evaluation refused, e.g. an unknown function
        raise QueryError(f"query refused: {exc}") from exc


def _collected(raw: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> QueryResult:
    try:
        return OxigraphStore.collect(raw)
    except RuntimeError as exc:
        raise QueryError(f"query refused: {exc}") from exc


def _serialised(job: Job, result: QueryResult, result_limit: int) -> Reply:
    offered = (
        GRAPH_TYPES
        if isinstance(result, Graph)
        else BOOLEAN_TYPES
        if isinstance(result, bool)
        else SELECT_TYPES
    )
    media = _media(job, offered)
    if isinstance(media, Reply):
        return media
    return serialise_reply(result, media, result_limit)


@functools.cache
def _named(name: str) -> NamedQuery:
    """A named query, read once per worker (a worker lives no longer than its generation)."""
    return get_query(name)


@functools.cache
def _catalogue() -> Reply:
    queries = [
        {
            "name": q.name,
            "summary": q.summary,
            "question": q.question,
            "text": q.text,
            "parameters": [vars(p) for p in q.parameters],
        }
        for q in catalogue().values()
    ]
    return Reply(200, "application/json", json.dumps(queries, ensure_ascii=False).encode())


def _map(store: Store, job: Job) -> Reply:
    iri = merged_into(store, URIRef(job.name))
    html = film_map(store, iri, MAP_SCRIPT)
    if html is None:
        return Reply.error(404, f"no influence map around {iri}")
    return Reply(200, "text/html; charset=utf-8", html.encode("utf-8"))


_TRIPLE_TYPES = ("text/turtle", "application/n-triples")


def answer_description(store: OxigraphStore, job: Job, triples: int) -> Reply | None:
    """The reply to a ``resource`` job asking Turtle or N-Triples, computed in the HTTP
    process, byte for byte what :func:`answer` gives; ``None`` for a worker's job: another
    format (the HTML page, JSON-LD, a 406), a chain of merged IRIs not settled within a few
    steps, or a description that may hold more than ``triples`` triples
    (:mod:`filmgraph.server.bounded`). ``store`` keeps the merge in its default graph.
    """
    media = _media(job, ("text/html", *GRAPH_TYPES))
    if not isinstance(media, str) or media not in _TRIPLE_TYPES:
        return None
    node = merged_node(store.engine, ox.NamedNode(job.name))
    if node is None:
        return None
    found = bounded_description(store.engine, node, triples)
    if found is None:
        return None
    return _written_description(URIRef(node.value), found, media)


def _description(store: OxigraphStore, iri: URIRef, media: str) -> Reply:
    """``resource-description`` of ``iri`` written as ``media`` (Turtle or N-Triples): read
    from its two index ranges when the default graph holds the merge (the query's answer,
    without the query: half the time), else by the query."""
    if holds_merge(store.engine):
        found = bounded_description(store.engine, ox.NamedNode(str(iri)), sys.maxsize)
    else:
        found = _resource_triples(store, iri)
    return _written_description(iri, found or [], media)


def _written_description(iri: URIRef, triples: list[ox.Triple], media: str) -> Reply:
    if not triples:
        return Reply.error(404, f"nothing is known about {iri}")
    return Reply(200, f"{media}; charset=utf-8", serialise_triples(triples, media))


def _merged(store: Store, iri: URIRef) -> URIRef:
    """:func:`~filmgraph.resolve.merged_into`, by index steps on the embedded store when
    they settle it (a query and rdflib terms cost a Turtle answer half its time)."""
    if isinstance(store, OxigraphStore):
        node = merged_node(store.engine, ox.NamedNode(str(iri)))
        if node is not None:
            return URIRef(node.value)
    return merged_into(store, iri)


def _resource(store: Store, job: Job) -> Reply:
    iri = _merged(store, URIRef(job.name))  # an IRI linking merged answers as its node
    media = _media(job, ("text/html", *GRAPH_TYPES))
    if isinstance(store, OxigraphStore) and isinstance(media, str) and media in _TRIPLE_TYPES:
        return _description(store, iri, media)
    result = store.query(_named("resource-page").text, {"resource": iri})
    if not isinstance(result, SelectResult) or not result.rows:
        return Reply.error(404, f"nothing is known about {iri}")
    if isinstance(media, Reply):  # after the 404: an unknown resource is said so first
        return media
    if media == "text/html":
        html = film_page(store, iri, map_src=map_path(str(iri)), about=result) or resource_page(
            iri, result
        )
        return Reply(200, "text/html; charset=utf-8", html.encode("utf-8"))
    graph = Graph()
    for row in result.dicts():
        value, prop = row["value"], row["property"]
        if not isinstance(prop, URIRef):
            continue
        if str(row["direction"]) == "out":
            graph.add((iri, prop, value))
        elif not isinstance(value, Literal):
            graph.add((value, prop, iri))
    return serialise_reply(graph, media, 1_000_000)


def _resource_triples(store: OxigraphStore, iri: URIRef) -> list[ox.Triple] | None:
    """``resource-description`` of ``iri`` as engine triples (``None``: nothing at all).

    The linked-data answer of ``/id/`` pages, without a detour through rdflib terms.
    """
    found = store.query_native(_named("resource-description").text, {"resource": iri})
    triples = list(found) if isinstance(found, ox.QueryTriples) else []
    return triples or None
