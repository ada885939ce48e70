"""Queries that provably cannot run away, answered in the HTTP process without a worker.

Why: a lookup costs the engine about 0.05 ms, and the hop to a worker process and back (a
pickle, two pipe writes, two wake-ups, another Python process) cost several times that; a
lookup answered here takes a third of the processor time it took through a worker. Why it
is safe: the workers exist because the engine cannot stop a query half-way, so only a query
whose work is bounded before it starts may run where it cannot be killed.

The bounded class: a ``SELECT`` of variables (no ``DISTINCT``, no expressions) over exactly
**one triple pattern** whose variables are all different, with at most a ``LIMIT``, over a
store that keeps the merge of its graphs in the default graph (so no union of graphs is
computed). The engine answers such a query from one range of one of its indexes (every
combination of constant positions is the prefix of one of its three orders): each index
entry in the range is one solution, so rows come one per step with nothing built first.
The answer is cut at ``ROWS + 1`` rows (fewer when the endpoint's result limit is lower) by
a ``LIMIT`` the fast path sets itself, so the work is at most a parse of a short text and
``ROWS + 1`` index steps. A longer answer goes to a worker like any other query (which cuts
it at the result limit and says so), so the reply is the same byte for byte whichever route
it took.

Everything else — any other shape, a text that is not recognised to the last character, a
``FROM``, a ``default-graph-uri`` — goes to the killable workers. The recogniser below is
not a SPARQL parser: it accepts only this narrow grammar and refuses anything else; the
engine still parses the text itself, so a text it accepts but the engine refuses is a 400
as from a worker.

Descriptions: the linked-data answer of an ``/id/`` IRI (``resource-description``: the
resource as subject, and as object) is bounded too once its two index ranges are known to
be short: :func:`bounded_description` walks them a step at a time and gives up at
``triples + 1`` steps, so proving a description short costs at most that many steps; on a
store whose default graph holds the merge, the triples it walked are the query's answer.
:func:`merged_node` follows the chain of merged IRIs (``dcterms:isReplacedBy``) the same
way, a bounded number of steps per link.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

__all__ = ["MAX_TEXT", "ROWS", "bounded_description", "bounded_text", "merged_node"]

#: Rows at most answered in the HTTP process; a longer answer goes to a worker.
ROWS = 1000
#: Longest query text the fast path looks at (a lookup is a few hundred bytes).
MAX_TEXT = 2000

_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_PNAME = r"[A-Za-z][A-Za-z0-9_-]*:[A-Za-z0-9_-]*|:[A-Za-z0-9_-]*"
_VAR = r"[?$][A-Za-z_][A-Za-z0-9_]*"
_STRING = r'"(?:[^"\\\r\n]|\\[tbnrf"\'\\])*"'
_LITERAL = rf"{_STRING}(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^(?:{_IRI}|{_PNAME}))?"
_NUMBER = r"[+-]?[0-9]+(?:\.[0-9]+)?"
_CONSTANT = rf"{_IRI}|{_PNAME}|{_LITERAL}|{_NUMBER}"
_S = r"\s+"
_QUERY = re.compile(
    rf"""
    \s*
    (?:PREFIX{_S}(?:[A-Za-z][A-Za-z0-9_-]*)?:\s*{_IRI}\s*)*
    SELECT{_S}(?P<projection>(?:{_VAR}\s*)+|\*\s*)
    (?:WHERE\s*)?
    \{{\s*
        (?P<subject>{_VAR}|{_IRI}|{_PNAME}){_S}
        (?P<predicate>{_VAR}|{_IRI}|{_PNAME}|a){_S}
        (?P<object>{_VAR}|{_CONSTANT})\s*
        \.?\s*
    \}}\s*
    (?:LIMIT{_S}(?P<limit>[0-9]{{1,9}})\s*)?
    """,
    re.VERBOSE | re.IGNORECASE,
)


def bounded_text(text: str, rows: int = ROWS) -> str | None:
    """The query to run in the HTTP process for ``text`` (``text`` with a ``LIMIT`` of at
    most ``rows + 1``, ``rows`` at most :data:`ROWS`), or ``None`` when ``text`` is not a
    one-pattern lookup."""
    rows = min(rows, ROWS)
    if len(text) > MAX_TEXT:
        return None
    match = _QUERY.fullmatch(text)
    if match is None:
        return None
    terms = [match["subject"], match["predicate"], match["object"]]
    variables = [t[1:] for t in terms if t[0] in "?$"]
    if len(set(variables)) != len(variables):  # ?x ?p ?x: a scan that filters, not a range
        return None
    if match["projection"].strip() != "*":
        projected = {v[1:] for v in match["projection"].split()}
        if not projected <= set(variables):  # a variable the pattern does not bind
            return None
    limit = match["limit"]
    if limit is None:
        return f"{text.rstrip()} LIMIT {rows + 1}"
    if int(limit) <= rows:
        return text
    # the clause is the text's end, so its keyword is the last LIMIT (a literal before it
    # may hold the word too)
    return f"{text[: text.upper().rindex('LIMIT')].rstrip()} LIMIT {rows + 1}"


#: Links of a chain of merged IRIs followed in the HTTP process, and index steps per link.
CHAIN = 8
_STEPS = 64
_REPLACED_BY = ox.NamedNode("http://purl.org/dc/terms/isReplacedBy")


def bounded_description(
    store: ox.Store, node: ox.NamedNode, triples: int
) -> list[ox.Triple] | None:
    """The triples of the default graph of ``store`` with ``node`` as subject or object
    (``resource-description``'s answer when the default graph holds the merge), or
    ``None`` when there are more than ``triples`` (found within ``triples + 1`` index
    steps, whatever the store)."""
    default = ox.DefaultGraph()
    found: list[ox.Triple] = []
    for ranged in (
        store.quads_for_pattern(node, None, None, default),
        store.quads_for_pattern(None, None, node, default),
    ):
        for quad in ranged:
            if len(found) >= triples:
                return None
            found.append(quad.triple)
    return found


def merged_node(store: ox.Store, node: ox.NamedNode) -> ox.NamedNode | None:
    """The node ``node`` became when linking merged it, as
    :func:`filmgraph.resolve.merged_into` finds it (``dcterms:isReplacedBy`` in the named
    graphs, followed to its end), or ``None`` when that is not settled within
    :data:`CHAIN` links of at most one IRI each, found in ``_STEPS`` index steps each (a
    node replaced by two IRIs is answered by the query's order, which a worker follows)."""
    seen = {node}
    for _ in range(CHAIN):
        into: set[ox.NamedNode] = set()
        for steps, quad in enumerate(store.quads_for_pattern(node, _REPLACED_BY, None, None)):
            if steps >= _STEPS:
                return None
            if isinstance(quad.graph_name, ox.DefaultGraph):
                continue
            if isinstance(quad.object, ox.NamedNode):
                into.add(quad.object)
        if not into:
            return node
        if len(into) > 1:
            return None
        (step,) = into
        if step in seen:
            return node
        seen.add(step)
        node = step
    return None
