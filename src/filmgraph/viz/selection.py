"""Which part of the influence network a map shows: a neighbourhood, paths, a movement, or all.

Pure functions of the projected influence graph (edges from influencer to influencee, as
:func:`filmgraph.analytics.projection.influence_graph` builds it). Each returns a
:class:`Selection`: the nodes to draw and the nodes the map is about (its focus).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from filmgraph.analytics.paths import influence_paths

__all__ = ["Selection", "along_paths", "around", "everything", "in_movement"]


@dataclass(frozen=True)
class Selection:
    """The nodes of a map and a title saying what it shows."""

    nodes: frozenset[str]
    title: str
    focus: frozenset[str] = field(default_factory=frozenset)


def _label(graph: nx.DiGraph, node: str) -> str:
    data = graph.nodes[node]
    year = data.get("year")
    return f"{data.get('label', node)}" + (f" ({year})" if year else "")


def around(graph: nx.DiGraph, node: str, depth: int = 2) -> Selection:
    """Everything within ``depth`` influence steps of ``node``, in either direction.

    Examples
    --------
    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> sorted(around(g, "b", depth=1).nodes)
    ['a', 'b', 'c']
    """
    if depth < 0:
        raise ValueError("depth must be at least 0")
    if node not in graph:
        return Selection(frozenset(), f"around {node}", frozenset({node}))
    reach = nx.single_source_shortest_path_length(
        graph.to_undirected(as_view=True), node, cutoff=depth
    )
    return Selection(
        frozenset(reach),
        f"Influence around {_label(graph, node)}, depth {depth}",
        frozenset({node}),
    )


def along_paths(graph: nx.DiGraph, source: str, target: str, *, limit: int = 10) -> Selection:
    """The nodes on the influence paths from ``source`` to ``target``, shortest first.

    Examples
    --------
    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "x")])
    >>> sorted(along_paths(g, "a", "c").nodes)
    ['a', 'b', 'c']
    """
    paths = influence_paths(graph, source, target, limit=limit)
    title = (
        f"Influence paths from {_label(graph, source)} to {_label(graph, target)}"
        if source in graph and target in graph
        else f"paths from {source} to {target}"
    )
    nodes = frozenset(n for path in paths for n in path)
    return Selection(nodes, title, frozenset({source, target}) if nodes else frozenset())


def in_movement(graph: nx.DiGraph, movement: str, label: str, *, depth: int = 1) -> Selection:
    """The members of ``movement`` and what lies within ``depth`` steps of them.

    Examples
    --------
    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> g.nodes["b"]["movements"] = ("m",)
    >>> sorted(in_movement(g, "m", "M").nodes)
    ['a', 'b', 'c']
    """
    members = {n for n, ms in graph.nodes(data="movements") if ms and movement in ms}
    undirected = graph.to_undirected(as_view=True)
    nodes = set(members)
    for member in members:
        nodes.update(nx.single_source_shortest_path_length(undirected, member, cutoff=depth))
    return Selection(
        frozenset(nodes), f"The {label} movement and its influences", frozenset(members)
    )


def everything(graph: nx.DiGraph) -> Selection:
    """The whole influence network."""
    return Selection(frozenset(graph.nodes), "The whole influence network")
