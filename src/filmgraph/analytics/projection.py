"""Project the influence claims of a store into a NetworkX ``DiGraph``.

Nodes are IRIs (as strings) of films and people, with attributes ``label``, ``year``
(``int`` or ``None``; the earliest when sources disagree), ``years`` (every year a source
gives, sorted), ``kind`` (``"film"`` or ``"person"``) and ``movements`` (a tuple of IRIs; for
a person, the movements of the films they directed). An edge ``A -> B`` means B drew on A:
arrows follow the direction of influence.
Each edge carries every claim behind it (``claims``: a list of dicts with ``claim``,
``type``, ``aspect``, ``source``, ``weight``), the set of claim ``types``, the number of
distinct ``sources``, ``weight``: the strongest claim's confidence weight, and ``flags``:
the kinds of trouble the checks find with it (:mod:`filmgraph.analytics.flags`; empty when
sound), so analytics can leave flagged claims out. NetworkX is imported where a graph is
made: a lookup on a build reads the kept projection without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from filmgraph.analytics.flags import FLAGS, edge_flags, flag_edges
from filmgraph.errors import QueryError
from filmgraph.queries import get_query, select_named
from filmgraph.store.base import SelectResult, Store

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["from_rows", "influence_graph", "update_projection"]

_STRINGS = frozenset(
    (
        "http://www.w3.org/2001/XMLSchema#string",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
    )
)
#: Weight of a claim whose confidence grade has no weight.
DEFAULT_WEIGHT = 0.5


def _year(term: object) -> int | None:
    if term is None:
        return None
    try:
        return int(str(term)[:4])
    except ValueError:
        return None


def _text(term: object) -> str | None:
    return None if term is None else str(term)


def from_rows(rows: Iterable[Mapping[str, object]]) -> nx.DiGraph:
    """Build the influence graph from rows of the ``influence-edges`` query.

    ``rows`` may be an iterator: each row is read once and not kept.
    """
    import networkx as nx

    graph = nx.DiGraph()
    _add_rows(graph, rows)
    # Flags depend on every year of both ends, known only once every row is read.
    return flag_edges(graph)


def _add_rows(
    graph: nx.DiGraph, rows: Iterable[Mapping[str, object]], texts: dict[str, str] | None = None
) -> None:
    """Add ``rows`` to ``graph``. Every text that recurs (node ids, claim types, sources,
    movements) is kept once, in ``texts``: a node's id is otherwise a new string in each of
    its edges (a third of the graph's memory), and the pickle writes each object once."""
    texts = {} if texts is None else texts
    for row in rows:
        ends = []
        for side in ("influencer", "influencee"):
            node = _once(texts, str(row[side]))
            movements = tuple(
                sorted({_once(texts, m) for m in str(row.get(f"{side}Movements", "")).split()})
            )
            year = _year(row.get(f"{side}Year"))
            if node not in graph:
                graph.add_node(
                    node,
                    label=_text(row.get(f"{side}Label")) or node.rsplit("/", 1)[-1],
                    year=year,
                    years=(year,) if year is not None else (),
                    kind=_once(texts, str(row.get(f"{side}Kind", "film"))),
                    movements=movements,
                )
            else:
                _least_label(graph.nodes[node], _text(row.get(f"{side}Label")))
            if year is not None and year not in graph.nodes[node]["years"]:
                # Sources that disagree on a year give one row per year: keep them all,
                # and the earliest as the year.
                years = tuple(sorted((*graph.nodes[node]["years"], year)))
                graph.nodes[node].update(years=years, year=years[0])
            ends.append(node)
        weight_term = row.get("weight")
        weight = float(weight_term) if isinstance(weight_term, Literal) else DEFAULT_WEIGHT
        claim: dict[str, Any] = {
            "claim": str(row["claim"]),
            "type": _once(texts, str(row["claimType"])),
            "aspect": _once_or_none(texts, _text(row.get("aspect"))),
            "source": _once(texts, str(row["source"])),
            "weight": weight,
        }
        a, b = ends
        if graph.has_edge(a, b):
            data = graph.edges[a, b]
            same = [c for c in data["claims"] if c["claim"] == claim["claim"]]
            if same:
                _merge_claim(same[0], claim)
            else:
                data["claims"].append(claim)
        else:
            graph.add_edge(a, b, claims=[claim])
        _summarise(graph.edges[a, b])


def _once(texts: dict[str, str], text: str) -> str:
    """The one string kept for ``text``."""
    return texts.setdefault(text, text)


def _once_or_none(texts: dict[str, str], text: str | None) -> str | None:
    return None if text is None else texts.setdefault(text, text)


def _merge_claim(kept: dict[str, Any], other: dict[str, Any]) -> None:
    """One claim given twice (two grades, aspects or sources merged onto it): keep the
    strongest weight and the least of each text, so the result does not depend on the order
    the engine returns rows in."""
    kept["weight"] = max(kept["weight"], other["weight"])
    for key in ("type", "source", "aspect"):
        values = [v for v in (kept[key], other[key]) if v is not None]
        kept[key] = min(values) if values else None


def _least_label(data: dict[str, Any], label: str | None) -> None:
    """Keep the smallest of a node's labels: one per source may come, in no set order."""
    if label is not None and label < data["label"]:
        data["label"] = label


def _summarise(data: dict[str, Any]) -> None:
    """An edge's claim types, number of sources and weight, from its claims."""
    data["types"] = sorted({c["type"] for c in data["claims"]})
    data["sources"] = len({c["source"] for c in data["claims"]})
    data["weight"] = max(c["weight"] for c in data["claims"])


def influence_graph(store: Store) -> nx.DiGraph:
    """The influence network of ``store``, projected with one query.

    The query's rows are read one at a time (:func:`_streamed_rows`), never all held.
    """
    return from_rows(_streamed_rows(store, "influence-edges"))


def _streamed_rows(store: Store, name: str) -> Iterator[Mapping[str, object]]:
    """The rows of the named query (one without parameters), one at a time.

    From an Oxigraph store they come from the engine's lazy answer, each row read as it
    comes: the whole answer as rdflib terms and as dictionaries was three times the
    projected graph's memory. An IRI or a blank node comes as its text (what ``str()`` of
    its rdflib term gives, all the projection reads of it), a literal as its rdflib term
    (each typed one, a year or a weight, converted once). Other stores give their answer
    whole, as rdflib terms.
    """
    import pyoxigraph as ox

    from filmgraph.store.oxigraph import OxigraphStore, from_oxigraph

    if not isinstance(store, OxigraphStore):
        yield from select_named(store, name).dicts()
        return
    text, bindings = get_query(name).prepare({})
    answer = store.query_native(text, bindings)
    if not isinstance(answer, ox.QuerySolutions):
        raise QueryError(f"the named query {name!r} is not a SELECT query")
    variables = [v.value for v in answer.variables]
    # Typed literals (years, weights) recur and rdflib parses each one it builds: convert
    # each once. Every other term is new on most rows.
    typed: dict[object, Identifier] = {}
    try:
        for solution in answer:
            row: dict[str, object] = {}
            # A solution gives its values in the order of the answer's variables.
            for variable, term in zip(variables, solution, strict=True):
                if term is None:
                    continue
                if not isinstance(term, ox.Literal):
                    row[variable] = term.value
                elif _typed(term):
                    found = typed.get(term)
                    if found is None:
                        found = typed[term] = from_oxigraph(term)
                    row[variable] = found
                else:
                    row[variable] = from_oxigraph(term)
            yield row
    except RuntimeError as exc:  # an evaluation error found while the answer is read
        raise QueryError(f"query refused: {exc}") from exc


def _typed(term: Any) -> bool:
    """A literal of a datatype other than a string's (a year, a weight)."""
    return not term.language and term.datatype.value not in _STRINGS


def update_projection(
    graph: nx.DiGraph, store: Store, nodes: Iterable[str], claims: Iterable[str]
) -> nx.DiGraph:
    """The projection of ``store``, from ``graph``: the projection of an earlier state of it.

    ``nodes`` are the works and people whose description may have changed (label, years,
    kind, movements) and ``claims`` every claim added, changed or removed since; the caller
    names them (an incremental build knows its delta). Each claim is projected again on its
    own (``influence-edges`` with ``?claim`` bound), each node described again
    (``influence-node``), and the result laid out in the order a projection from scratch
    has, so ties in paths and rankings fall the same way. The kept centrality is dropped:
    it is computed again when asked for.
    """
    claims = set(claims)
    ends: set[str] = set()
    for u, v, data in list(graph.edges(data=True)):
        kept = [c for c in data["claims"] if c["claim"] not in claims]
        if len(kept) == len(data["claims"]):
            continue
        ends |= {u, v}
        if kept:
            data["claims"] = kept
            _summarise(data)
        else:
            graph.remove_edge(u, v)
    edges = get_query("influence-edges").text
    for claim in sorted(claims):
        rows = _rows(store, edges, "claim", claim)
        ends |= {str(row[side]) for row in rows for side in ("influencer", "influencee")}
        _add_rows(graph, rows)
    described = get_query("influence-node").text
    for node in set(nodes) & set(graph):
        _describe(graph, node, _rows(store, described, "node", node))
    import networkx as nx

    graph.remove_nodes_from(list(nx.isolates(graph)))
    for node in (set(nodes) | ends) & set(graph):
        for u, v, data in [*graph.in_edges(node, data=True), *graph.out_edges(node, data=True)]:
            data[FLAGS] = edge_flags(graph, u, v)
    return _canonical(graph)


def _rows(store: Store, query: str, name: str, iri: str) -> list[dict[str, Identifier]]:
    result = store.query(query, {name: URIRef(iri)})
    if not isinstance(result, SelectResult):
        raise QueryError("the projection's queries must be SELECT queries")
    return result.dicts()


def _describe(graph: nx.DiGraph, node: str, rows: list[dict[str, Identifier]]) -> None:
    """Set ``node``'s attributes from rows of ``influence-node``, as :func:`from_rows` would."""
    labels = sorted({str(r["label"]) for r in rows if r.get("label") is not None})
    years = tuple(sorted({y for r in rows if (y := _year(r.get("year"))) is not None}))
    graph.nodes[node].update(
        label=labels[0] if labels else node.rsplit("/", 1)[-1],
        year=years[0] if years else None,
        years=years,
        kind=str(rows[0].get("kind", "film")) if rows else "film",
        movements=tuple(sorted({str(r["movement"]) for r in rows if r.get("movement")})),
    )


def _canonical(graph: nx.DiGraph) -> nx.DiGraph:
    """``graph`` with nodes, edges and claims in the order :func:`from_rows` adds them.

    The query's rows come sorted by influencer, influencee and claim.
    """
    import networkx as nx

    out = nx.DiGraph()
    for u, v in sorted(graph.edges):
        for node in (u, v):
            if node not in out:
                out.add_node(node, **graph.nodes[node])
        data = dict(graph.edges[u, v])
        data["claims"] = sorted(data["claims"], key=lambda c: str(c["claim"]))
        out.add_edge(u, v, **data)
    return out  # graph.graph (what was kept with the old state) is left behind
