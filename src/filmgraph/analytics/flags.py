"""Influence claims the checks flag, marked on the projected graph and left out of analytics.

A claim the checks report as a violation should not drive ``path``, ``lineage``, ``rank``,
``bridges`` or the maps: a 1938 film must not get 1950s films as ancestors. The projection
(:func:`filmgraph.analytics.projection.from_rows`) marks every edge with the kinds of
trouble it has (edge attribute ``flags``, a tuple of :data:`FLAG_KINDS`, empty when sound),
so the cached projection keeps them; the analytics stay pure functions over whichever graph
they are given, :func:`unflagged` (the default) or the whole graph.

The kinds, found from the edge's ends alone (as :mod:`filmgraph.analytics.contested` and the
``*-violation`` queries find them):

``forward in time``
    the influencer is later than the influencee by every year the sources give;
``self-influence``
    a work or person said to draw on itself;
``year conflict``
    sources give an end different years and the direction of the claim depends on which
    year is right (some choice of years puts the influencer after the influencee). A claim
    whose direction holds whichever year is right is not flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "FLAGS",
    "FLAG_KINDS",
    "FlaggedEdge",
    "edge_flags",
    "flag_edges",
    "flagged_edges",
    "unflagged",
    "whole",
]

#: The kinds of trouble that keep a claim out of the analytics, in the order they are shown.
FLAG_KINDS = ("forward in time", "self-influence", "year conflict")
#: Edge attribute holding an edge's flags.
FLAGS = "flags"
#: Key of a view's ``graph.graph`` naming the projection it was taken from.
WHOLE = "whole projection"


@dataclass(frozen=True)
class FlaggedEdge:
    """An influence edge the checks flag: its ends, its kinds of trouble and its claims."""

    influencer: str
    influencee: str
    kinds: tuple[str, ...]
    claims: tuple[str, ...]


def _years(graph: nx.DiGraph, node: str) -> tuple[int, ...]:
    data = graph.nodes[node]
    years = tuple(data.get("years") or ())
    if not years and data.get("year") is not None:
        years = (int(data["year"]),)
    return years


def edge_flags(graph: nx.DiGraph, u: str, v: str) -> tuple[str, ...]:
    """The kinds of trouble (of :data:`FLAG_KINDS`) of the edge ``u -> v``.

    >>> g = nx.DiGraph()
    >>> g.add_node("late", years=(1950,))
    >>> g.add_node("early", years=(1930, 1960))
    >>> g.add_edge("late", "early")
    >>> edge_flags(g, "late", "early")
    ('year conflict',)
    """
    if u == v:
        return ("self-influence",)
    yu, yv = _years(graph, u), _years(graph, v)
    if not yu or not yv:
        return ()
    if min(yu) > max(yv):
        return ("forward in time",)
    if max(yu) > min(yv) and (len(yu) > 1 or len(yv) > 1):
        return ("year conflict",)
    return ()


def flag_edges(graph: nx.DiGraph) -> nx.DiGraph:
    """Mark every edge of ``graph`` with its flags (attribute ``flags``); returns ``graph``."""
    for u, v, data in graph.edges(data=True):
        data[FLAGS] = edge_flags(graph, u, v)
    return graph


def _flags(graph: nx.DiGraph, u: str, v: str) -> tuple[str, ...]:
    found: tuple[str, ...] | None = graph.edges[u, v].get(FLAGS)
    return edge_flags(graph, u, v) if found is None else found


def unflagged(graph: nx.DiGraph) -> nx.DiGraph:
    """A read-only view of ``graph`` without its flagged edges (every node is kept).

    The view has its own ``graph.graph`` dict, so what is kept there for the whole graph
    (centrality) is not mistaken for the view's; :func:`whole` gives the graph back.
    """
    import networkx as nx  # here: lookups read the kept projection's flags without NetworkX

    view: nx.DiGraph = nx.subgraph_view(graph, filter_edge=lambda u, v: not _flags(graph, u, v))
    view.graph = {WHOLE: graph}
    return view


def whole(graph: nx.DiGraph) -> nx.DiGraph:
    """The projection an :func:`unflagged` view was taken from (``graph`` itself otherwise)."""
    found: nx.DiGraph = graph.graph.get(WHOLE, graph)
    return found


def flagged_edges(graph: nx.DiGraph) -> list[FlaggedEdge]:
    """Every flagged edge of ``graph`` with its claims, sorted by kind then ends."""
    found = []
    for u, v in graph.edges:
        kinds = _flags(graph, u, v)
        if kinds:
            claims = tuple(sorted(str(c["claim"]) for c in graph.edges[u, v].get("claims", [])))
            found.append(FlaggedEdge(u, v, kinds, claims))
    return sorted(found, key=lambda f: (FLAG_KINDS.index(f.kinds[0]), f.influencer, f.influencee))
