"""Query results as people and programs want them: an aligned table, CSV, or SPARQL JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from filmgraph.namespaces import PREFIXES, bind_prefixes
from filmgraph.store.base import QueryResult, SelectResult

__all__ = ["FORMATS", "render", "shorten", "sparql_json"]

FORMATS = ("table", "csv", "json")
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


def _json_term(term: Identifier) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def sparql_json(result: SelectResult | bool) -> dict[str, Any]:
    """The SPARQL 1.1 Query Results JSON Format of a SELECT or ASK result."""
    if isinstance(result, bool):
        return {"head": {}, "boolean": result}
    return {
        "head": {"vars": list(result.variables)},
        "results": {
            "bindings": [
                {
                    v: _json_term(t)
                    for v, t in zip(result.variables, row, strict=True)
                    if t is not None
                }
                for row in result.rows
            ]
        },
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
    """Render any query result in one of :data:`FORMATS` (graphs come out as Turtle)."""
    if isinstance(result, Graph):
        return str(bind_prefixes(result).serialize(format="turtle"))
    if fmt == "json":
        return json.dumps(sparql_json(result), indent=2, ensure_ascii=False) + "\n"
    if isinstance(result, bool):
        return ("yes" if result else "no") + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(result.variables)
        writer.writerows([["" if t is None else str(t) for t in row] for row in result.rows])
        return buffer.getvalue()
    return _table(result)
