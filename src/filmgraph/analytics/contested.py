"""Contested influence claims, found on the projected graph.

Five kinds of trouble, each a :class:`Contest`:

``self-influence``
    a work or person said to draw on itself (a loop: a slip of the source, or two nodes that
    entity resolution took for one);
``forward in time``
    the influencer was made after the work said to draw on it (by every year the sources give);
``contradicted``
    claims say the influence ran both ways between the same two works or people;
``cycle``
    a chain of three or more claims leads back to where it started;
``year conflict``
    sources give a work different years, so the direction of its claims is in doubt.

The named query ``contested-claims`` answers forward in time and contradicted in SPARQL;
this module adds self-influence, cycles and year conflicts and works on any projected graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import networkx as nx

__all__ = ["KINDS", "Contest", "contested_claims"]

KINDS = ("self-influence", "forward in time", "contradicted", "cycle", "year conflict")


@dataclass(frozen=True, order=True)
class Contest:
    """One problem: its kind, the works and people involved, and the claims behind it."""

    kind: str
    #: The nodes involved: influencer then influencee, a cycle in order, or one dated node.
    nodes: tuple[str, ...]
    claims: tuple[str, ...]
    sources: tuple[str, ...]
    detail: str


def _claims(graph: nx.DiGraph, u: str, v: str) -> list[dict[str, object]]:
    return list(graph.edges[u, v].get("claims", []))


def _edge_evidence(
    graph: nx.DiGraph, edges: list[tuple[str, str]]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    claims = sorted({str(c["claim"]) for u, v in edges for c in _claims(graph, u, v)})
    sources = sorted({str(c["source"]) for u, v in edges for c in _claims(graph, u, v)})
    return tuple(claims), tuple(sources)


def _label(graph: nx.DiGraph, node: str) -> str:
    data = graph.nodes[node]
    years = data.get("years") or ((data["year"],) if data.get("year") is not None else ())
    shown = "/".join(str(y) for y in years)
    return f"{data.get('label', node)} ({shown})" if shown else str(data.get("label", node))


def _years(graph: nx.DiGraph, node: str) -> tuple[int, ...]:
    data = graph.nodes[node]
    years = tuple(data.get("years") or ())
    if not years and data.get("year") is not None:
        years = (int(data["year"]),)
    return years


def contested_claims(graph: nx.DiGraph, *, max_cycle_length: int = 6) -> list[Contest]:
    """Every contested claim of an influence graph, sorted by kind and nodes.

    Parameters
    ----------
    graph : nx.DiGraph
        An influence graph (edges from influencer to influencee carrying ``claims``; nodes
        carrying ``label`` and ``years`` or ``year``).
    max_cycle_length : int
        Look for cycles of at most this many edges (cycles are costly to enumerate).

    Returns
    -------
    list of Contest
        Sorted by kind (in the order of :data:`KINDS`), then by the nodes involved.

    Examples
    --------
    >>> g = nx.DiGraph()
    >>> g.add_node("late", label="Late", years=(1950,))
    >>> g.add_node("early", label="Early", years=(1930,))
    >>> g.add_edge("late", "early", claims=[{"claim": "c1", "source": "s"}])
    >>> [(c.kind, c.nodes) for c in contested_claims(g)]
    [('forward in time', ('late', 'early'))]
    >>> g.add_edge("early", "early", claims=[{"claim": "c2", "source": "s"}])
    >>> [(c.kind, c.nodes) for c in contested_claims(g)][0]
    ('self-influence', ('early',))
    """
    if max_cycle_length < 3:
        raise ValueError("max_cycle_length must be at least 3")
    found: list[Contest] = []
    for u, v in graph.edges:
        if u == v:
            claims, sources = _edge_evidence(graph, [(u, v)])
            found.append(
                Contest(
                    "self-influence",
                    (u,),
                    claims,
                    sources,
                    f"{_label(graph, u)} is said to draw on itself",
                )
            )
            continue
        yu, yv = _years(graph, u), _years(graph, v)
        if yu and yv and min(yu) > max(yv):
            claims, sources = _edge_evidence(graph, [(u, v)])
            found.append(
                Contest(
                    "forward in time",
                    (u, v),
                    claims,
                    sources,
                    f"{_label(graph, u)} is later than {_label(graph, v)}, "
                    "which is said to draw on it",
                )
            )
        if graph.has_edge(v, u) and u < v:
            claims, sources = _edge_evidence(graph, [(u, v), (v, u)])
            found.append(
                Contest(
                    "contradicted",
                    (u, v),
                    claims,
                    sources,
                    f"claims run both ways between {_label(graph, u)} and {_label(graph, v)}",
                )
            )
    for cycle in nx.simple_cycles(graph, length_bound=max_cycle_length):
        if len(cycle) < 3:
            continue  # a loop or a two-node cycle: self-influence or contradicted, above
        start = cycle.index(min(cycle))
        ordered = cycle[start:] + cycle[:start]
        edges = list(pairwise([*ordered, ordered[0]]))
        claims, sources = _edge_evidence(graph, edges)
        found.append(
            Contest(
                "cycle",
                tuple(ordered),
                claims,
                sources,
                " -> ".join(_label(graph, n) for n in [*ordered, ordered[0]]),
            )
        )
    for node in graph.nodes:
        years = _years(graph, node)
        if len(years) > 1:
            edges = [*graph.in_edges(node), *graph.out_edges(node)]
            claims, sources = _edge_evidence(graph, edges)
            found.append(
                Contest(
                    "year conflict",
                    (node,),
                    claims,
                    sources,
                    f"{graph.nodes[node].get('label', node)} is dated "
                    f"{' and '.join(map(str, years))} by different sources; "
                    f"{len(claims)} claim(s) depend on it",
                )
            )
    return sorted(found, key=lambda c: (KINDS.index(c.kind), c.nodes, c.claims))
