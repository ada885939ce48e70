"""Ancestors and descendants of a work or person, generation by generation.

Edges of the projected graph follow influence (from the influencer to the work that drew
on it), so descendants are reached forward and ancestors backward. On a build's kept
projection (:class:`~filmgraph.analytics.mapped.KeptInfluence`) the generations are found
without NetworkX.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from filmgraph.analytics.mapped import KeptInfluence, list_key

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Direction", "lineage"]

#: ``"up"``: what a node drew on (ancestors); ``"down"``: what drew on it (descendants).
Direction = Literal["up", "down"]


def lineage(
    graph: nx.DiGraph | KeptInfluence,
    node: str,
    *,
    depth: int = 3,
    direction: Direction = "down",
) -> list[list[str]]:
    """The generations of influence around ``node``, nearest first.

    Parameters
    ----------
    graph : nx.DiGraph or KeptInfluence
        An influence graph (edges from influencer to influencee).
    node : str
        The work or person to start from.
    depth : int
        How many generations to follow (at least 1).
    direction : {"down", "up"}
        ``"down"`` for descendants (works that drew on ``node``, then works that drew on
        those …), ``"up"`` for ancestors.

    Returns
    -------
    list of list of str
        ``result[0]`` is the first generation, ``result[1]`` the second, and so on; each
        node appears once, in the generation of its shortest chain, and each generation is
        sorted by year and label. Empty when ``node`` is not in the graph or has no lineage
        in that direction; shorter than ``depth`` when the lineage ends sooner.

    Examples
    --------
    >>> g = nx.DiGraph([("griffith", "eisenstein"), ("eisenstein", "yutkevich"),
    ...                 ("griffith", "yutkevich"), ("yutkevich", "later")])
    >>> lineage(g, "griffith", depth=2)
    [['eisenstein', 'yutkevich'], ['later']]
    >>> lineage(g, "later", depth=5, direction="up")
    [['yutkevich'], ['eisenstein', 'griffith']]
    """
    if depth < 1:
        raise ValueError("depth must be at least 1")
    if direction not in ("up", "down"):
        raise ValueError("direction must be 'up' or 'down'")
    if node not in graph:
        return []
    if isinstance(graph, KeptInfluence):
        return graph.generations(node, depth, forward=direction == "down")
    import networkx as nx

    from filmgraph.analytics.lazygraph import LazyInfluenceGraph

    if isinstance(graph, LazyInfluenceGraph) and graph.mapped is not None:
        return graph.kept().generations(node, depth, forward=direction == "down")
    view = graph if direction == "down" else graph.reverse(copy=False)
    generations: list[list[str]] = []
    for number, layer in enumerate(nx.bfs_layers(view, [node])):
        if number == 0:
            continue
        generations.append(sorted(layer, key=lambda n: list_key(n, graph.nodes[n])))
        if number == depth:
            break  # before the next layer is found: it would visit every edge out of this one
    return generations
