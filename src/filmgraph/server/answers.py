"""What the endpoint answers, computed inside a worker process next to the open store.

Everything that looks at client input beyond its size runs here, not in the HTTP process:
parsing (so a pathological query is stopped by the time limit like any other), the
read-only and SERVICE checks, the query itself and the serialisation of its result.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from filmgraph.errors import FilmgraphError
from filmgraph.queries import catalogue, get_query
from filmgraph.server.formats import (
    BOOLEAN_TYPES,
    GRAPH_TYPES,
    SELECT_TYPES,
    SHORT_NAMES,
    Reply,
    negotiate,
    serialise,
)
from filmgraph.server.pages import film_page, resource_page
from filmgraph.store.base import SelectResult, Store

__all__ = ["Job", "answer", "check_query"]


@dataclass(frozen=True)
class Job:
    """One request for a worker.

    ``kind`` is ``sparql`` (``text`` is the query), ``named`` (``name`` and ``params``) or
    ``resource`` (``name`` is the IRI). ``accept`` is the Accept header, ``fmt`` a
    ``?format=`` override.
    """

    kind: str
    text: str = ""
    name: str = ""
    params: dict[str, str] = field(default_factory=dict)
    accept: str = ""
    fmt: str = ""


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, CompValue):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple) or (hasattr(node, "asList") and not isinstance(node, str)):
        for item in node:
            yield from _walk(item)


def check_query(text: str, allow_service: bool) -> Reply | None:
    """A 4xx reply for a query the endpoint refuses, or ``None`` if it may run."""
    try:
        parsed = parseQuery(text)
    except Exception as query_error:  # pyparsing raises its own exception types
        try:
            parseUpdate(text)
        except Exception:
            return Reply.error(400, f"malformed query: {query_error}")
        return Reply.error(403, "this endpoint is read-only: SPARQL Update is refused")
    if not allow_service:
        for node in _walk(parsed):
            if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
                return Reply.error(403, "SERVICE (federated query) is disabled on this endpoint; "
                                        "the operator can allow it with --allow-service")
    return None


def _media(job: Job, offered: tuple[str, ...]) -> str | Reply:
    if job.fmt:
        media = SHORT_NAMES.get(job.fmt.lower(), job.fmt.lower())
        if media in offered:
            return media
        return Reply.error(406, f"format {job.fmt!r} is not offered here; choose one of "
                                + ", ".join(offered))
    chosen = negotiate(job.accept, offered)
    if chosen is None:
        return Reply.error(406, f"none of the accepted types ({job.accept}) is offered here; "
                                "choose one of " + ", ".join(offered))
    return chosen


def answer(store: Store, job: Job, result_limit: int, allow_service: bool) -> Reply:
    """The reply to ``job``: a result, a page, or a clear 4xx error."""
    try:
        if job.kind == "resource":
            return _resource(store, job)
        if job.kind == "named":
            query = get_query(job.name)
            text, bindings = query.text, query.bindings(job.params)
        elif job.kind == "catalogue":
            return _catalogue()
        else:
            refused = check_query(job.text, allow_service)
            if refused is not None:
                return refused
            text, bindings = job.text, {}
        result = store.query(text, bindings)
    except FilmgraphError as error:
        status = 404 if type(error).__name__ == "UnknownQuery" else 400
        return Reply.error(status, str(error))
    offered = (GRAPH_TYPES if isinstance(result, Graph) else
               BOOLEAN_TYPES if isinstance(result, bool) else SELECT_TYPES)
    media = _media(job, offered)
    if isinstance(media, Reply):
        return media
    return serialise(result, media, result_limit)


def _catalogue() -> Reply:
    queries = [
        {"name": q.name, "summary": q.summary, "question": q.question, "text": q.text,
         "parameters": [vars(p) for p in q.parameters]}
        for q in catalogue().values()
    ]
    return Reply(200, "application/json", json.dumps(queries, ensure_ascii=False).encode())


def _resource(store: Store, job: Job) -> Reply:
    iri = URIRef(job.name)
    result = store.query(get_query("resource-page").text, {"resource": iri})
    assert isinstance(result, SelectResult)
    if not result.rows:
        return Reply.error(404, f"nothing is known about {iri}")
    media = _media(job, ("text/html", *GRAPH_TYPES))
    if isinstance(media, Reply):
        return media
    if media == "text/html":
        html = film_page(store, iri) or resource_page(iri, result)
        return Reply(200, "text/html; charset=utf-8", html.encode("utf-8"))
    graph = Graph()
    for row in result.dicts():
        value, prop = row["value"], row["property"]
        assert isinstance(prop, URIRef)
        if str(row["direction"]) == "out":
            graph.add((iri, prop, value))
        elif not isinstance(value, Literal):
            graph.add((value, prop, iri))
    return serialise(graph, media, 1_000_000)
