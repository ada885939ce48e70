"""Which works and people are most influential: PageRank over the influence network.

Edges point from the influencer to the work that drew on it, so PageRank is computed on the
reversed graph: a work ranks high when much (and much that is itself influential) drew on it.
"""

from __future__ import annotations

import networkx as nx

__all__ = ["pagerank"]


def pagerank(graph: nx.DiGraph, *, weight: str | None = "weight", alpha: float = 0.85) -> dict[str, float]:
    """Influence rank of every node, edges weighted by claim confidence.

    Parameters
    ----------
    graph : nx.DiGraph
        An influence graph from :func:`filmgraph.analytics.projection.influence_graph`.
    weight : str or None
        Edge attribute used as weight (``None`` counts every edge alike).
    alpha : float
        Damping factor.

    Returns
    -------
    dict
        Node -> score; the scores sum to 1 (an empty graph gives an empty dict).

    Examples
    --------
    >>> g = nx.DiGraph([("griffith", "eisenstein"), ("griffith", "pudovkin")])
    >>> scores = pagerank(g)
    >>> max(scores, key=scores.get)
    'griffith'
    """
    if graph.number_of_nodes() == 0:
        return {}
    scores: dict[str, float] = nx.pagerank(graph.reverse(copy=False), alpha=alpha, weight=weight)
    return scores
