"""Query results on the wire: SPARQL JSON, XML, CSV and TSV; graphs as Turtle, N-Triples,
JSON-LD; and the content negotiation that chooses between them.

A result longer than the endpoint's limit is cut, and says so twice: in the
``X-Filmgraph-Truncated`` header and inside the document (a ``truncated`` member in JSON, a
``<link href="…#truncated">`` in XML, a comment in Turtle).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from filmgraph.export.jsonld import filmgraph_context
from filmgraph.namespaces import bind_prefixes
from filmgraph.results import sparql_json
from filmgraph.store.base import QueryResult, SelectResult

__all__ = [
    "BOOLEAN_TYPES", "GRAPH_TYPES", "SELECT_TYPES", "SHORT_NAMES", "Reply", "negotiate",
    "serialise",
]

SELECT_TYPES = (
    "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
    "text/tab-separated-values",
)
BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/ld+json")
#: ``?format=`` values clients may use instead of an Accept header.
SHORT_NAMES = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
    "ttl": "text/turtle", "ntriples": "application/n-triples", "nt": "application/n-triples",
    "jsonld": "application/ld+json", "html": "text/html",
}
_ALIASES = {"application/json": "application/sparql-results+json",
            "application/xml": "application/sparql-results+xml", "text/xml":
            "application/sparql-results+xml", "text/plain": "application/n-triples"}


@dataclass
class Reply:
    """An HTTP answer: status, media type, body and extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def error(cls, status: int, message: str) -> Reply:
        """A plain-text error a person can read (``curl`` prints it as it is)."""
        return cls(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))


def negotiate(accept: str, offered: tuple[str, ...]) -> str | None:
    """The best of ``offered`` for an Accept header (q-values, wildcards); ``None`` if none."""
    if not accept.strip():
        return offered[0]
    best: tuple[float, int, str] | None = None  # (q, -position, media type)
    for position, item in enumerate(accept.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        media = _ALIASES.get(media.lower(), media.lower())
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        if media in ("*/*", ""):
            candidates = [offered[0]]
        elif media.endswith("/*"):
            candidates = [o for o in offered if o.startswith(media[:-1])]
        else:
            candidates = [o for o in offered if o == media]
        for candidate in candidates:
            ranked = (q, -position, candidate)
            if best is None or ranked[:2] > best[:2]:
                best = ranked
    return best[2] if best else None


def _term_n3(term: Identifier) -> str:
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term.n3())


def _xml(result: SelectResult | bool, truncated: bool) -> str:
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
           "<head>"]
    if isinstance(result, bool):
        out += ["</head>", f"<boolean>{'true' if result else 'false'}</boolean>", "</sparql>"]
        return "\n".join(out) + "\n"
    out += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
    if truncated:
        out.append('<link href="https://w3id.org/filmgraph/ontology#truncated"/>')
    out += ["</head>", "<results>"]
    for row in result.rows:
        out.append("<result>")
        for name, term in zip(result.variables, row, strict=True):
            if term is None:
                continue
            if isinstance(term, URIRef):
                value = f"<uri>{escape(str(term))}</uri>"
            elif isinstance(term, BNode):
                value = f"<bnode>{escape(str(term))}</bnode>"
            else:
                assert isinstance(term, Literal)
                attr = (f" xml:lang={quoteattr(term.language)}" if term.language else
                        f" datatype={quoteattr(str(term.datatype))}" if term.datatype else "")
                value = f"<literal{attr}>{escape(str(term))}</literal>"
            out.append(f"<binding name={quoteattr(name)}>{value}</binding>")
        out.append("</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out) + "\n"


def _csv(result: SelectResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if t is None else f"_:{t}" if isinstance(t, BNode) else str(t)
                         for t in row])
    return buffer.getvalue()


def _tsv(result: SelectResult) -> str:
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if t is None else _term_n3(t) for t in row))
    return "\n".join(lines) + "\n"


def serialise(result: QueryResult, media: str, limit: int) -> Reply:
    """``result`` in ``media``, cut at ``limit`` rows or triples (and marked if it was)."""
    headers: dict[str, str] = {}
    if isinstance(result, Graph):
        triples = sorted(result, key=lambda t: tuple(str(x) for x in t))
        truncated = len(triples) > limit
        graph = bind_prefixes(Graph(bind_namespaces="none"))
        for triple in triples[:limit]:
            graph.add(triple)
        if media == "application/ld+json":
            text = graph.serialize(format="json-ld", context=filmgraph_context(), indent=1)
        elif media == "application/n-triples":
            text = graph.serialize(format="nt")
        else:
            text = graph.serialize(format="turtle")
            if truncated:
                text = f"# truncated: only the first {limit} triples of the answer\n" + text
    elif isinstance(result, bool):
        truncated = False
        text = (json.dumps(sparql_json(result)) if media.endswith("json")
                else _xml(result, False))
    else:
        truncated = len(result.rows) > limit
        if truncated:
            result = SelectResult(result.variables, list(result.rows[:limit]))
        if media == "application/sparql-results+json":
            document = sparql_json(result)
            if truncated:
                document["truncated"] = True
                document["limit"] = limit
            text = json.dumps(document, ensure_ascii=False)
        elif media == "application/sparql-results+xml":
            text = _xml(result, truncated)
        elif media == "text/csv":
            text = _csv(result)
        else:
            text = _tsv(result)
    if truncated:
        headers["X-Filmgraph-Truncated"] = "true"
        headers["X-Filmgraph-Result-Limit"] = str(limit)
    charset = "; charset=utf-8"
    return Reply(200, media + charset, text.encode("utf-8"), headers)
