"""How influence flows from one work or person to another: paths in the influence graph.

Edges of the projected graph point from the influencer to the work that drew on it, so a
path ``[A, M, B]`` reads "M drew on A, and B drew on M": influence flowing from A to B.
"""

from __future__ import annotations

from itertools import islice, pairwise
from typing import Any

import networkx as nx

__all__ = ["influence_paths", "path_steps"]


def influence_paths(
    graph: nx.DiGraph,
    source: str,
    target: str,
    *,
    max_length: int | None = None,
    limit: int = 10,
) -> list[list[str]]:
    """The simple paths along which influence flows from ``source`` to ``target``.

    Parameters
    ----------
    graph : nx.DiGraph
        An influence graph (edges from influencer to influencee), as
        :func:`filmgraph.analytics.projection.influence_graph` gives.
    source : str
        The earlier, influencing node.
    target : str
        The later node, the one that (indirectly) drew on ``source``.
    max_length : int, optional
        Leave out paths of more than this many edges.
    limit : int
        Return at most this many paths.

    Returns
    -------
    list of list of str
        Node lists from ``source`` to ``target``, shortest first (ties in a stable order).
        Empty when there is no such path, or when either node is not in the graph (a film
        that no claim mentions).

    Notes
    -----
    Paths are enumerated lazily with Yen's algorithm
    (:func:`networkx.shortest_simple_paths`), so only ``limit`` of them are ever built.

    Examples
    --------
    >>> g = nx.DiGraph([("intolerance", "strike"), ("strike", "potemkin"),
    ...                 ("intolerance", "potemkin"), ("potemkin", "miners")])
    >>> influence_paths(g, "intolerance", "miners")
    [['intolerance', 'potemkin', 'miners'], ['intolerance', 'strike', 'potemkin', 'miners']]
    >>> influence_paths(g, "intolerance", "miners", max_length=2)
    [['intolerance', 'potemkin', 'miners']]
    >>> influence_paths(g, "miners", "intolerance")
    []
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if max_length is not None and max_length < 1:
        raise ValueError("max_length must be at least 1")
    if source not in graph or target not in graph or source == target:
        return []
    paths: list[list[str]] = []
    try:
        for path in islice(nx.shortest_simple_paths(graph, source, target), limit):
            if max_length is not None and len(path) - 1 > max_length:
                break  # paths come shortest first: every later one is longer still
            paths.append(list(path))
    except nx.NetworkXNoPath:
        return []
    return paths


def path_steps(graph: nx.DiGraph, path: list[str]) -> list[dict[str, Any]]:
    """The steps of a path, each with the claims behind it.

    Parameters
    ----------
    graph : nx.DiGraph
        The influence graph the path was found in.
    path : list of str
        A node list, as :func:`influence_paths` returns.

    Returns
    -------
    list of dict
        One dict per edge: ``influencer`` and ``influencee`` (node ids), their ``labels``,
        and ``claims`` (the edge's claims: type, aspect, source, weight).

    Examples
    --------
    >>> g = nx.DiGraph()
    >>> g.add_edge("a", "b", claims=[{"type": "inspiration claim", "aspect": "montage",
    ...                               "source": "s", "weight": 1.0}])
    >>> step, = path_steps(g, ["a", "b"])
    >>> step["influencer"], step["influencee"], step["claims"][0]["aspect"]
    ('a', 'b', 'montage')
    """
    steps = []
    for earlier, later in pairwise(path):
        data = graph.edges[earlier, later]
        steps.append(
            {
                "influencer": earlier,
                "influencee": later,
                "labels": [
                    graph.nodes[earlier].get("label", earlier),
                    graph.nodes[later].get("label", later),
                ],
                "claims": list(data.get("claims", [])),
            }
        )
    return steps
