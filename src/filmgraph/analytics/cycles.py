"""Which works and people lie on a cycle of influence: from strongly connected components.

``influence-cycle-violation`` (a check) lists every work or person that, through a chain of
influence claims, drew on itself. Asked in SPARQL, each step that could close a cycle starts
two walks over the claims, so the check grows as steps x reach (68 s of CPU at 100,000
films). A node lies on a cycle exactly when its strongly connected component holds another
node, or it has a step to itself; NetworkX finds the components in one pass over the steps
(Tarjan's algorithm, time linear in nodes and steps). :func:`cycle_members` gives the
check's nodes from the steps alone; :mod:`filmgraph.checks` reads the steps from the store
and looks up the labels of the few nodes it returns.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar

import networkx as nx

__all__ = ["cycle_members"]

T = TypeVar("T", bound=Hashable)


def cycle_members(steps: Iterable[tuple[T, T]]) -> set[T]:
    """The nodes that lie on a cycle of ``steps`` (pairs: later, earlier), loops included.

    >>> sorted(cycle_members([("a", "b"), ("b", "c"), ("c", "a"), ("d", "a"), ("e", "e")]))
    ['a', 'b', 'c', 'e']
    """
    graph: nx.DiGraph = nx.DiGraph()
    graph.add_edges_from(steps)
    members = {node for node in graph if graph.has_edge(node, node)}
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1:
            members |= component
    return members
