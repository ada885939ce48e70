"""Query text with its parameters bound as a ``VALUES`` block, for every store; its form.

Bindings go in a ``VALUES`` block opening the WHERE pattern (SPARQL 1.1 §10.2): the engine
binds the variables, as rdflib's ``initBindings`` do; the query text is not templated.
Oxigraph gets this block too, beside its ``substitutions``: with substitutions
alone (or a trailing ``VALUES``) it plans property paths from the unbound end, 5 to 200 times
slower (``fg:drewOn/fg:drewOn`` to a hub of 10,000 films: 0.41 s against 0.01 s), while the
block alone does not reach into subqueries. Since Oxigraph substitutes the variables
everywhere anyway, a query can also ask (``binding: constants`` in its header) for the
values written where the variables can stand for nothing else (:func:`bind_constants`):
shared-themes is planned 1.3-3.1x better so, film-influences 100x worse (the block no longer
leads the plan), film-descendants better for a hub and 100x worse for a common film; hence a
choice per query, measured on a sample of films (``bench/bench_queries.py --binding``).
The terms are written from rdflib's nodes, never from the text a user typed.
(A trailing ``VALUES`` after the query is standard too, but Virtuoso 7.2 joins it
wrongly with ``UNION`` and ``BIND`` and rejects it after some ``ORDER BY`` clauses.) The
opening brace is found with Pygments' SPARQL lexer, so comments, strings and IRIs holding
braces are never mistaken for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from pygments.lexers import SparqlLexer
from pygments.token import Comment, Error, Keyword, Name, Punctuation, _TokenType
from rdflib.term import Literal, Node, URIRef

from filmgraph.errors import QueryError

__all__ = ["bind_constants", "bind_rows", "bind_values", "query_form"]


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
def _tokens(sparql: str) -> tuple[tuple[int, _TokenType, str], ...]:
    """The lexer's tokens of ``sparql`` with their offsets, blanks left out: lexed once for
    the WHERE brace and the variables' places."""
    return tuple(
        (position, kind, text)
        for position, kind, text in SparqlLexer().get_tokens_unprocessed(sparql)
        if text.strip()
    )


@lru_cache(maxsize=256)
def _where_brace(sparql: str) -> int:
    """The offset of the ``{`` that opens the query's WHERE pattern (not a CONSTRUCT template)."""
    depth, template = 0, False
    for position, kind, text in _tokens(sparql):
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


def bind_values(sparql: str, bindings: Mapping[str, Node], *, constants: bool = False) -> str:
    """``sparql`` with a ``VALUES`` block opening its WHERE pattern, binding ``bindings``.

    The values are data handed to the engine (as ``initBindings`` are to rdflib), not text
    spliced into the query: the query's own text is unchanged around the block, unless
    ``constants`` asks for them written in where they can stand (:func:`bind_constants`).

    >>> from rdflib import URIRef
    >>> bind_values("SELECT ?x WHERE { ?x ?p ?o }", {"x": URIRef("urn:a")})
    'SELECT ?x WHERE { VALUES (?x) { (<urn:a>) } ?x ?p ?o }'
    """
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(term.n3() for term in bindings.values())
    # bind_constants writes only after the WHERE brace, so the text keeps its offset
    written = bind_constants(sparql, bindings) if constants else sparql
    return _open_where(sparql, f"VALUES ({names}) {{ ({terms}) }}", written)


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


def _open_where(sparql: str, block: str, written: str | None = None) -> str:
    """``sparql`` (or ``written``, the same text up to its WHERE brace) with ``block`` first
    inside its WHERE pattern."""
    text = sparql if written is None else written
    at = _where_brace(sparql) + 1
    return f"{text[:at]} {block}{text[at:]}"


def bind_constants(sparql: str, bindings: Mapping[str, Node]) -> str:
    """``sparql`` with each bound variable written as its value where the value is all the
    variable can be: in the patterns and expressions of the WHERE clause.

    For an engine that also substitutes ``bindings`` itself (Oxigraph's ``substitutions``):
    there the variable stands for its value everywhere, so the text asks the same question,
    and the engine plans it knowing the constants (film-descendants of a hub of 10,000 films:
    0.35 s of CPU with the variable, 0.13 s with the constants; but 1 ms against 0.6 s for
    a film with no descendants at 100,000 films, so a query asks for it, see the module's
    docstring). The variable is kept in the
    projection and in the query's modifiers, and never replaced where it would stand for
    something else or could not be a constant: inside ``MINUS``, ``SERVICE`` and ``VALUES``
    blocks, inside a subquery that does not project it, in a subquery's own clauses, as the
    target of ``AS``, as the argument of ``BOUND``. A variable that the query assigns (``AS``)
    and a blank node are not replaced at all; a text the lexer cannot read is returned
    unchanged.

    >>> from rdflib import URIRef
    >>> bind_constants("SELECT ?x ?o WHERE { ?x ?p ?o MINUS { ?x ?q ?o } }", {"x": URIRef("urn:a")})
    'SELECT ?x ?o WHERE { <urn:a> ?p ?o MINUS { ?x ?q ?o } }'
    """
    sites = _variable_sites(sparql)
    if sites is None:
        return sparql
    terms = {name: text for name, term in bindings.items() if (text := _constant(term))}
    for name in sites.assigned:
        terms.pop(name, None)
    if not terms:
        return sparql
    parts, at = [], 0
    for site in sites.sites:
        if site.name in terms and (site.allowed is None or site.name in site.allowed):
            parts += [sparql[at : site.start], terms[site.name]]
            at = site.start + len(site.name) + 1
    parts.append(sparql[at:])
    return "".join(parts)


#: Characters an IRI written between angle brackets may not hold (SPARQL 1.1, IRIREF).
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _constant(term: Node) -> str | None:
    """How ``term`` is written as a constant in a query, or ``None`` if it is not one."""
    if isinstance(term, URIRef):
        return None if _NOT_IN_IRI.search(str(term)) else f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    return None  # a blank node in a query is a variable, not the node


@dataclass(frozen=True)
class _Site:
    """A variable written in the WHERE clause where its value could stand instead."""

    start: int
    name: str
    #: the names that may be replaced here (``None``: all), narrowed by subqueries' projections
    allowed: frozenset[str] | None


@dataclass(frozen=True)
class _Sites:
    sites: tuple[_Site, ...]
    #: the variables the query assigns with ``AS``
    assigned: frozenset[str]


@dataclass
class _Frame:
    """A ``{ }`` block of the WHERE clause as the lexer walks it."""

    allowed: frozenset[str] | None
    #: a subquery's wrapper: ``"clause"`` before its WHERE block, ``"after"`` once it opened
    subquery: str = ""
    projected: set[str] | None = None  # None: SELECT *
    parens: int = 0


_CLOSED: frozenset[str] = frozenset()


@lru_cache(maxsize=256)
def _variable_sites(sparql: str) -> _Sites | None:
    """Where :func:`bind_constants` may write a value instead of a variable of ``sparql``."""
    try:
        start = _where_brace(sparql)
    except QueryError:
        return None
    tokens = [token for token in _tokens(sparql) if token[1] not in Comment]
    if any(kind in Error for _, kind, _ in tokens):
        return None
    assigned = frozenset(
        text[1:]
        for (_, kind, word), (_, _, text) in pairwise(tokens)
        if kind in Keyword and word.upper() == "AS" and text[:1] in "?$"
    )
    sites: list[_Site] = []
    frames: list[_Frame] = []
    pending = ""  # MINUS, SERVICE or VALUES: the next block is closed to replacement
    previous: list[str] = ["", ""]
    for at, kind, text in tokens:
        if at < start:
            continue
        word = text.upper()
        if kind in Punctuation and text == "{":
            if not frames:
                frames.append(_Frame(allowed=None))
            else:
                frame = frames[-1]
                if pending:
                    allowed: frozenset[str] | None = _CLOSED
                elif frame.subquery == "clause":
                    frame.subquery = "after"
                    allowed = (
                        frame.allowed
                        if frame.projected is None
                        else frozenset(frame.projected)
                        if frame.allowed is None
                        else frame.allowed & frame.projected
                    )
                elif frame.subquery:
                    allowed = _CLOSED  # a block among a subquery's modifiers
                else:
                    allowed = frame.allowed
                frames.append(_Frame(allowed=allowed))
            pending = ""
        elif kind in Punctuation and text == "}":
            if frames:
                frames.pop()
            if not frames:
                break
        elif kind in Punctuation and text in ("(", ")") and frames:
            frames[-1].parens += 1 if text == "(" else -1
        elif kind in Keyword and word == "SELECT" and frames:
            frames[-1].subquery, frames[-1].projected = "clause", set()
        elif kind in Keyword and word in {"MINUS", "SERVICE", "VALUES"}:
            pending = word
        elif text == "*" and frames and frames[-1].subquery == "clause" and not frames[-1].parens:
            frames[-1].projected = None
        elif kind in Name.Variable and frames:
            frame = frames[-1]
            name = text[1:]
            if frame.subquery == "clause":
                if not frame.parens and frame.projected is not None:
                    frame.projected.add(name)
            elif not (
                frame.subquery or pending or previous[-1] == "AS" or previous[-2:] == ["BOUND", "("]
            ):
                sites.append(_Site(at, name, frame.allowed))
        previous = [previous[-1], word]
    return _Sites(tuple(sites), assigned)
