"""Query results as people and programs want them, written once for the CLI and the endpoint.

SELECT and ASK results go out in the four SPARQL 1.1 result formats through pyoxigraph's
writers: the embedded store's results directly, any other store's (rdflib terms) through
rdflib's JSON writer. Graphs (CONSTRUCT, DESCRIBE) are written by rdflib with the
project's prefixes. ``filmgraph query --format csv`` and ``/sparql`` with ``Accept: text/csv``
therefore give the same bytes. The ``table`` format is the terminal's aligned view.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Variable
from rdflib.query import Result
from rdflib.term import Identifier, URIRef

from filmgraph.namespaces import PREFIXES, bind_prefixes
from filmgraph.store.base import QueryResult, SelectResult
from filmgraph.store.oxigraph import to_oxigraph

__all__ = [
    "FORMATS",
    "GRAPH_MEDIA",
    "RESULT_MEDIA",
    "count_rows",
    "render",
    "serialise",
    "serialise_graph",
    "serialise_solutions",
    "serialise_triples",
    "shorten",
    "to_rdflib_result",
]

#: ``--format`` values of ``filmgraph query``.
FORMATS = ("table", "csv", "tsv", "json", "xml")
#: SPARQL result formats by short name, with their media types.
RESULT_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
#: Graph syntaxes by media type, with rdflib's name for each.
GRAPH_MEDIA = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
}
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def shorten(term: Identifier | None) -> str:
    """A term as a person reads it: IRIs as prefixed names where a prefix fits."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, iri in _BY_LENGTH:
            local = text[len(iri) :]
            if text.startswith(iri) and local and "/" not in local and "#" not in local:
                return f"{prefix}:{local}"
        return text
    return str(term)


def to_rdflib_result(result: SelectResult | bool) -> Result:
    """The rdflib :class:`~rdflib.query.Result` holding a SELECT or ASK answer."""
    if isinstance(result, bool):
        answer = Result("ASK")
        answer.askAnswer = result
        return answer
    names = [Variable(v) for v in result.variables]
    answer = Result("SELECT")
    answer.vars = names
    answer.bindings = [
        {n: t for n, t in zip(names, row, strict=True) if t is not None} for row in result.rows
    ]
    return answer


_OX_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


def _short(fmt: str) -> str:
    short = next((k for k, v in RESULT_MEDIA.items() if v == fmt), fmt)
    if short not in RESULT_MEDIA:
        raise ValueError(f"no SPARQL result format {fmt!r} (known: {', '.join(RESULT_MEDIA)})")
    return short


def serialise_solutions(solutions: ox.QuerySolutions | ox.QueryBoolean, fmt: str) -> bytes:
    """pyoxigraph's own results in a SPARQL result format (``json``, ``xml``, ``csv``,
    ``tsv``, or their media types): the one writer every answer goes through."""
    written = solutions.serialize(format=_OX_FORMATS[_short(fmt)])
    if written is None:
        raise ValueError(f"pyoxigraph wrote no {fmt} document")
    return bytes(written)


def serialise(result: SelectResult | bool, fmt: str) -> bytes:
    """A SELECT or ASK answer in a SPARQL result format (``json``, ``xml``, ``csv``, ``tsv``,
    or their media types), UTF-8.

    rdflib's JSON writer hands the rdflib terms to pyoxigraph, whose writers produce every
    format, so an answer from any store reads byte for byte as the embedded store's own.
    """
    short = _short(fmt)
    document = to_rdflib_result(result).serialize(format="json")
    parsed = ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)
    return serialise_solutions(parsed, short)


def count_rows(document: bytes, fmt: str) -> int:
    """How many rows a SELECT answer written by :func:`serialise_solutions` holds."""
    short = _short(fmt)
    if short == "csv":  # lossy, so pyoxigraph does not read it back; rows may span lines
        return max(0, sum(1 for _ in csv.reader(io.StringIO(document.decode("utf-8")))) - 1)
    parsed = ox.parse_query_results(document, format=_OX_FORMATS[short])
    if isinstance(parsed, ox.QueryBoolean):
        return 1
    return sum(1 for _ in parsed)


def serialise_graph(graph: Graph, media: str, context: dict[str, Any] | None = None) -> bytes:
    """A graph as Turtle, N-Triples or JSON-LD (``media``), with the project's prefixes."""
    if media not in GRAPH_MEDIA:
        raise ValueError(f"no graph syntax {media!r} (known: {', '.join(GRAPH_MEDIA)})")
    if media != "application/ld+json":
        return serialise_triples(
            (ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph),  # type: ignore[arg-type]
            media,
        )
    out = bind_prefixes(Graph(bind_namespaces="none"))
    out += graph
    return out.serialize(format="json-ld", context=context or {}, indent=1).encode("utf-8")


def serialise_triples(triples: Iterable[ox.Triple], media: str) -> bytes:
    """Engine triples as Turtle (the project's prefixes that are used) or N-Triples, sorted.

    pyoxigraph's writer: 6x faster than rdflib's Turtle serializer on a film's page.
    """
    if media not in ("text/turtle", "application/n-triples"):
        raise ValueError(f"no triple syntax {media!r} (known: text/turtle, application/n-triples)")
    ordered = sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    turtle = media == "text/turtle"
    written = ox.serialize(
        ordered,
        format=ox.RdfFormat.TURTLE if turtle else ox.RdfFormat.N_TRIPLES,
        prefixes=_used_prefixes(ordered) if turtle else None,
    )
    return bytes(written or b"")


def _used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """The project's prefixes whose namespace some IRI of ``triples`` starts with."""
    stems = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            named = term.datatype if isinstance(term, ox.Literal) else term
            if isinstance(named, ox.NamedNode):
                text = named.value
                stems.add(text[: max(text.rfind("/"), text.rfind("#")) + 1])
    return {
        prefix: namespace
        for prefix, namespace in PREFIXES.items()
        if any(stem.startswith(namespace) for stem in stems)
    }


def _table(result: SelectResult) -> str:
    cells = [[shorten(t) for t in row] for row in result.rows]
    widths = [
        min(60, max([len(v)] + [len(r[i]) for r in cells])) for i, v in enumerate(result.variables)
    ]

    def line(values: list[str]) -> str:
        return "  ".join(
            (v if len(v) <= w else v[: w - 1] + "…").ljust(w)
            for v, w in zip(values, widths, strict=True)
        ).rstrip()

    out = [line(list(result.variables)), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"


def render(result: QueryResult, fmt: str = "table") -> str:
    """Any query result as text: ``table`` for people, or one of the SPARQL result formats
    (graphs come out as Turtle whatever ``fmt`` is)."""
    if isinstance(result, Graph):
        return serialise_graph(result, "text/turtle").decode("utf-8")
    if fmt == "table":
        if isinstance(result, bool):
            return ("yes" if result else "no") + "\n"
        return _table(result)
    return serialise(result, fmt).decode("utf-8")
