"""Bridges between movements: films and people whose influence crosses movements.

A film's movements are the node attribute ``movements`` (a person's are those of the films
they directed). An edge *crosses* movements when both ends have movements and share none. A
node *bridges* movements when its own movements and those of the works it drew on or that
drew on it span two or more movements, and at least one of its edges crosses, or it has no
movement of its own (a go-between).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import networkx as nx

__all__ = ["Bridge", "crosses", "movement_bridges", "movement_flows"]


def crosses(graph: nx.DiGraph, u: str, v: str) -> bool:
    """True when both ends of ``u -> v`` have movements and share none.

    >>> g = nx.DiGraph()
    >>> g.add_node("a", movements=("montage",)); g.add_node("b", movements=("realism",))
    >>> g.add_edge("a", "b")
    >>> crosses(g, "a", "b")
    True
    """
    mu = set(graph.nodes[u].get("movements", ()))
    mv = set(graph.nodes[v].get("movements", ()))
    return bool(mu) and bool(mv) and not (mu & mv)


def movement_flows(graph: nx.DiGraph) -> Counter[tuple[str, str]]:
    """How many crossing edges run from each movement to each other movement.

    Examples
    --------
    >>> g = nx.DiGraph([("a", "b"), ("c", "b")])
    >>> for n, m in [("a", "montage"), ("b", "realism"), ("c", "montage")]:
    ...     g.nodes[n]["movements"] = (m,)
    >>> movement_flows(g)
    Counter({('montage', 'realism'): 2})
    """
    flows: Counter[tuple[str, str]] = Counter()
    for u, v in graph.edges:
        if crosses(graph, u, v):
            for a in graph.nodes[u]["movements"]:
                for b in graph.nodes[v]["movements"]:
                    flows[(a, b)] += 1
    return flows


@dataclass(frozen=True)
class Bridge:
    """A node whose influence connects movements."""

    node: str
    label: str
    kind: str
    #: The node's own movements.
    movements: tuple[str, ...]
    #: Every movement its influence touches: its own and its neighbours'.
    touches: tuple[str, ...]
    #: How many of its edges (in or out) cross movements.
    crossing_edges: int


def movement_bridges(graph: nx.DiGraph, *, top: int | None = None) -> list[Bridge]:
    """The films and people whose influence crosses movements, most-connecting first.

    Parameters
    ----------
    graph : nx.DiGraph
        An influence graph whose nodes carry ``movements``.
    top : int or None
        At most this many bridges.

    Returns
    -------
    list of Bridge
        Sorted by the number of movements touched, then of crossing edges, then label.

    Examples
    --------
    >>> g = nx.DiGraph([("caligari", "metropolis"), ("caligari", "noir"),
    ...                 ("griffith", "eisenstein"), ("eisenstein", "yutkevich")])
    >>> moves = {"caligari": ("expressionism",), "metropolis": ("expressionism",),
    ...          "noir": ("film-noir",), "eisenstein": ("montage",),
    ...          "yutkevich": ("socialist-realism",)}
    >>> for n in g:
    ...     g.nodes[n].update(movements=moves.get(n, ()), label=n, kind="film")
    >>> [(b.node, len(b.touches), b.crossing_edges) for b in movement_bridges(g)]
    [('caligari', 2, 1), ('eisenstein', 2, 1), ('noir', 2, 1), ('yutkevich', 2, 1)]
    """
    if top is not None and top < 1:
        raise ValueError("top must be at least 1")
    found = []
    for node, data in graph.nodes(data=True):
        own = tuple(data.get("movements", ()))
        neighbours = set(graph.predecessors(node)) | set(graph.successors(node))
        touched = set(own)
        for other in neighbours:
            touched.update(graph.nodes[other].get("movements", ()))
        crossing = sum(1 for u, v in graph.in_edges(node) if crosses(graph, u, v)) + sum(
            1 for u, v in graph.out_edges(node) if crosses(graph, u, v)
        )
        if len(touched) >= 2 and (crossing or not own):
            found.append(
                Bridge(
                    node,
                    str(data.get("label", node)),
                    str(data.get("kind", "film")),
                    own,
                    tuple(sorted(touched)),
                    crossing,
                )
            )
    found.sort(key=lambda b: (-len(b.touches), -b.crossing_edges, b.label.casefold(), b.node))
    return found[:top] if top is not None else found
