"""Query text with its parameters bound as a ``VALUES`` block, for every store; its form.

Bindings go in a ``VALUES`` block opening the WHERE pattern (SPARQL 1.1 §10.2): the engine
binds the variables, as rdflib's ``initBindings`` do; the query text itself is never
templated. Oxigraph gets this block too, beside its ``substitutions``: with substitutions
alone (or a trailing ``VALUES``) it plans property paths from the unbound end, 5 to 200 times
slower (``fg:drewOn/fg:drewOn`` to a hub of 10,000 films: 0.41 s against 0.01 s), while the
block alone does not reach into subqueries.
(A trailing ``VALUES`` after the query is standard too, but Virtuoso 7.2 joins it
wrongly with ``UNION`` and ``BIND`` and rejects it after some ``ORDER BY`` clauses.) The
opening brace is found with Pygments' SPARQL lexer, so comments, strings and IRIs holding
braces are never mistaken for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from pygments.lexers import SparqlLexer
from pygments.token import Keyword, Punctuation
from rdflib.term import Node

from filmgraph.errors import QueryError

__all__ = ["bind_rows", "bind_values", "query_form"]


def query_form(sparql: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``; :class:`QueryError` if not a query."""
    # Imported here: building rdflib's grammar costs a command 0.2-0.3 s of start-up, and only
    # a remote store needs the form before it sends a query.
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(sparql)
    except Exception as exc:  # pyparsing raises its own exception types
        raise QueryError(f"query syntax error: {exc}") from exc
    name = str(parsed[1].name)
    return name.removesuffix("Query").upper()


@lru_cache(maxsize=256)
def _where_brace(sparql: str) -> int:
    """The offset of the ``{`` that opens the query's WHERE pattern (not a CONSTRUCT template)."""
    depth, template = 0, False
    for position, kind, text in SparqlLexer().get_tokens_unprocessed(sparql):
        if kind in Keyword and text.upper() == "CONSTRUCT" and depth == 0:
            template = True
        elif kind in Keyword and text.upper() == "WHERE" and depth == 0:
            template = False
        elif kind in Punctuation and text == "{":
            if depth == 0 and not template:
                return int(position)
            depth += 1
        elif kind in Punctuation and text == "}":
            depth -= 1
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
    return _open_where(sparql, f"VALUES ({names}) {{ ({terms}) }}")


def bind_rows(sparql: str, name: str, terms: Iterable[Node]) -> str:
    """``sparql`` with a ``VALUES`` block opening its WHERE pattern that gives ``?name`` each
    of ``terms`` in turn: the query answers for those terms only (none: no rows).

    Why: a map or a page asks about a few hundred nodes of a graph of millions; a block of
    their IRIs lets the engine start from them instead of from every node of the kind.

    >>> from rdflib import URIRef
    >>> bind_rows("SELECT ?x WHERE { ?x ?p ?o }", "x", [URIRef("urn:a"), URIRef("urn:b")])
    'SELECT ?x WHERE { VALUES ?x { <urn:a> <urn:b> } ?x ?p ?o }'
    """
    values = " ".join(term.n3() for term in terms)
    return _open_where(sparql, f"VALUES ?{name} {{ {values} }}")


def _open_where(sparql: str, block: str) -> str:
    """``sparql`` with ``block`` first inside its WHERE pattern."""
    at = _where_brace(sparql) + 1
    return f"{sparql[:at]} {block}{sparql[at:]}"
