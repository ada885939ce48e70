"""The endpoint's answers on the wire: the reply type, content negotiation and the cut.

Negotiation is python-mimeparse's (q-values, wildcards, specificity: ``*/*, text/html;q=0``
never picks HTML); the bytes come from :mod:`filmgraph.results`, the one writer the command
line uses too. A result longer than the endpoint's limit is cut, and says so in the
``X-Filmgraph-Truncated`` header and inside the document where the format has room (a
``truncated`` member in JSON, a ``<link href="…#truncated">`` in XML, a comment in Turtle).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import mimeparse
from rdflib import Graph

from filmgraph.export.jsonld import filmgraph_context
from filmgraph.results import RESULT_MEDIA, serialise, serialise_graph
from filmgraph.store.base import QueryResult, SelectResult

__all__ = [
    "BOOLEAN_TYPES",
    "GRAPH_TYPES",
    "SELECT_TYPES",
    "SHORT_NAMES",
    "Reply",
    "negotiate",
    "serialise_reply",
]

SELECT_TYPES = tuple(RESULT_MEDIA.values())
BOOLEAN_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/ld+json")
#: ``?format=`` values clients may use instead of an Accept header.
SHORT_NAMES = {
    **RESULT_MEDIA,
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "html": "text/html",
}
#: Media types clients send for the ones we offer.
_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "text/plain": "application/n-triples",
}
_TRUNCATED = "https://w3id.org/filmgraph/ontology#truncated"


@dataclass
class Reply:
    """An HTTP answer: status, media type, body and extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    #: Processor seconds the worker spent on it (the pool's measure of a query's cost).
    cpu: float = 0.0

    @classmethod
    def error(cls, status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
        """A plain-text error a person can read (``curl`` prints it as it is)."""
        return cls(
            status,
            "text/plain; charset=utf-8",
            (message.rstrip() + "\n").encode("utf-8"),
            headers or {},
        )


@lru_cache(maxsize=1024)  # clients repeat their Accept header: parsed once, not per request
def negotiate(accept: str, offered: tuple[str, ...]) -> str | None:
    """The best of ``offered`` (in our order of preference) for an Accept header, or ``None``.

    An empty header takes our first choice; a header that cannot be parsed matches nothing.
    """
    if not accept.strip():
        return offered[0]
    aliases = [a for a, target in _ALIASES.items() if target in offered]
    # mimeparse breaks ties in favour of the last candidate: list our preference last.
    candidates = list(reversed(offered)) if not aliases else aliases + list(reversed(offered))
    try:
        chosen = mimeparse.best_match(candidates, accept)
    except (mimeparse.MimeTypeParseException, ValueError):
        return None
    return _ALIASES.get(chosen, chosen) or None


@lru_cache(maxsize=1)
def _context() -> dict[str, Any]:
    """The JSON-LD context, worked out from the ontology once per process (it parses the
    ontology: about 190 ms, which every Turtle or JSON-LD answer paid before)."""
    return filmgraph_context()


def serialise_reply(result: QueryResult, media: str, limit: int) -> Reply:
    """``result`` in ``media``, cut at ``limit`` rows or triples (and marked if it was)."""
    headers: dict[str, str] = {}
    if isinstance(result, Graph):
        truncated = len(result) > limit
        graph = result
        if truncated:  # the first triples in a set order (serialise_graph sorts what it writes)
            graph = Graph()
            for triple in sorted(result, key=lambda t: tuple(str(x) for x in t))[:limit]:
                graph.add(triple)
        body = serialise_graph(graph, media, _context() if media == "application/ld+json" else None)
        if truncated and media == "text/turtle":
            body = f"# truncated: only the first {limit} triples of the answer\n".encode() + body
    elif isinstance(result, bool):
        truncated = False
        body = serialise(result, media)
    else:
        truncated = len(result.rows) > limit
        if truncated:
            result = SelectResult(result.variables, list(result.rows[:limit]))
        body = serialise(result, media)
        if truncated and media == "application/sparql-results+json":
            document = json.loads(body)
            document["truncated"] = True
            document["limit"] = limit
            body = json.dumps(document, ensure_ascii=False).encode("utf-8")
        elif truncated and media == "application/sparql-results+xml":
            body = body.replace(b"</head>", f'<link href="{_TRUNCATED}"/></head>'.encode(), 1)
    if truncated:
        headers["X-Filmgraph-Truncated"] = "true"
        headers["X-Filmgraph-Result-Limit"] = str(limit)
    return Reply(200, media + "; charset=utf-8", body, headers)
