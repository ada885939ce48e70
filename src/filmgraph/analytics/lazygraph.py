"""A read-only NetworkX graph over a mapped projection, decoding only what is visited.

:class:`LazyInfluenceGraph` is an ``nx.DiGraph`` whose ``_node``, ``_succ``, ``_pred`` and
``_adj`` are mappings over a :class:`~filmgraph.analytics.mapped.MappedProjection`: a node's
attributes, or its row of neighbours, is decoded the first time an algorithm asks for it
and kept. The rows come in the graph's own adjacency order, so
``nx.shortest_simple_paths``, ``nx.bfs_layers``, ``graph.reverse(copy=False)``,
``graph.edges[u, v]`` and ``graph.nodes[n]`` give the answers they give on the plain graph,
at a cost in proportion to what they visit. Edge attributes are mappings too: reading an
edge's ``flags`` does not decode its claims.

The graph without flagged claims is a graph of the same class whose rows skip flagged
edges (rather than ``nx.subgraph_view``, which would call a filter for every edge visited);
as :func:`~filmgraph.analytics.flags.unflagged` does, its ``graph.graph`` names the whole
graph, for :func:`~filmgraph.analytics.flags.whole`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

import networkx as nx

from filmgraph.analytics.flags import FLAGS, WHOLE, FlaggedEdge, unflagged
from filmgraph.analytics.flags import flagged_edges as flagged_edges_of_graph
from filmgraph.analytics.mapped import KeptInfluence, MappedProjection

__all__ = ["LazyInfluenceGraph", "flagged_edges", "lazy_graph", "without_flagged"]

_EDGE_KEYS = ("claims", "types", "sources", "weight", FLAGS)
_V = TypeVar("_V")


class _EdgeData(Mapping[str, Any]):
    """An edge's attributes; its claims are decoded when first read."""

    __slots__ = ("_claims", "_edge", "_mapped")

    def __init__(self, mapped: MappedProjection, edge: int) -> None:
        self._mapped, self._edge = mapped, edge
        self._claims: list[dict[str, Any]] | None = None

    def _decoded(self) -> list[dict[str, Any]]:
        if self._claims is None:
            self._claims = self._mapped.claims(self._edge)
        return self._claims

    def __getitem__(self, key: str) -> Any:
        if key == FLAGS:
            return self._mapped.edge_flags(self._edge)
        if key == "claims":
            return self._decoded()
        if key == "types":
            return sorted({c["type"] for c in self._decoded()})
        if key == "sources":
            return len({c["source"] for c in self._decoded()})
        if key == "weight":
            return max(c["weight"] for c in self._decoded())
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(_EDGE_KEYS)

    def __len__(self) -> int:
        return len(_EDGE_KEYS)

    def __repr__(self) -> str:
        return repr(dict(self))


class _ByNode(Mapping[str, _V]):
    """A mapping keyed by every node of the projection, in the graph's node order."""

    _mapped: MappedProjection

    def __contains__(self, node: object) -> bool:
        return self._mapped.number(node) is not None

    def __iter__(self) -> Iterator[str]:
        return (self._mapped.node(i) for i in range(self._mapped.node_count))

    def __len__(self) -> int:
        return self._mapped.node_count


class _Nodes(_ByNode[dict[str, Any]]):
    """``graph._node``: node id -> attribute dict, decoded on first use."""

    def __init__(self, mapped: MappedProjection) -> None:
        self._mapped = mapped
        self._decoded: dict[str, dict[str, Any]] = {}

    def __getitem__(self, node: str) -> dict[str, Any]:
        found = self._decoded.get(node)
        if found is None:
            i = self._mapped.number(node)
            if i is None:
                raise KeyError(node)
            found = self._decoded[node] = self._mapped.attributes(i)
        return found


class _Adjacency(_ByNode[dict[str, _EdgeData]]):
    """``graph._succ`` or ``graph._pred``: node id -> {neighbour id: edge data}, each row
    decoded on first use, in the graph's adjacency order."""

    def __init__(self, mapped: MappedProjection, *, forward: bool, flagged: bool) -> None:
        self._mapped = mapped
        self._row = mapped.successors if forward else mapped.predecessors
        self._flagged = flagged
        self._rows: dict[str, dict[str, _EdgeData]] = {}

    def __getitem__(self, node: str) -> dict[str, _EdgeData]:
        found = self._rows.get(node)
        if found is None:
            i = self._mapped.number(node)
            if i is None:
                raise KeyError(node)
            mapped, name = self._mapped, self._mapped.node
            found = self._rows[node] = {
                name(j): _EdgeData(mapped, e) for j, e in self._row(i, flagged=self._flagged)
            }
        return found


class LazyInfluenceGraph(nx.DiGraph):  # type: ignore[misc]
    """A read-only influence graph read from a mapped projection as it is visited.

    Built empty (as NetworkX builds the graphs of its views); :func:`lazy_graph` gives
    one over a mapped projection. ``mapped`` is ``None`` for the empty graph and for
    graphs NetworkX derives from one (views, copies).
    """

    mapped: MappedProjection | None = None
    include_flagged: bool = True

    def kept(self) -> KeptInfluence:
        """The same graph without NetworkX, which finds a lineage and the kept ranking on
        the projection's numbers (a hub's lineage names tens of thousands of works, which
        the graph's rows would decode, edge by edge)."""
        if self.mapped is None:
            raise ValueError("only a graph over a mapped projection keeps its ranking")
        return KeptInfluence(self.mapped, include_flagged=self.include_flagged)


def lazy_graph(mapped: MappedProjection, *, include_flagged: bool) -> LazyInfluenceGraph:
    """The projection in ``mapped`` as a read-only graph: the whole graph when
    ``include_flagged``, else the graph without flagged claims (whose ``graph.graph``
    names the whole one)."""
    whole = _over(mapped, flagged=True)
    if include_flagged:
        return whole
    graph = _over(mapped, flagged=False)
    graph.graph[WHOLE] = whole
    return graph


def _over(mapped: MappedProjection, *, flagged: bool) -> LazyInfluenceGraph:
    graph = LazyInfluenceGraph()
    graph.mapped, graph.include_flagged = mapped, flagged
    graph._node = _Nodes(mapped)
    graph._succ = _Adjacency(mapped, forward=True, flagged=flagged)
    graph._pred = _Adjacency(mapped, forward=False, flagged=flagged)
    graph._adj = graph._succ
    frozen: LazyInfluenceGraph = nx.freeze(graph)
    return frozen


def without_flagged(graph: nx.DiGraph) -> nx.DiGraph:
    """``graph`` without its flagged edges: :func:`~filmgraph.analytics.flags.unflagged`,
    or for a lazy graph the lazy graph that skips them."""
    if isinstance(graph, LazyInfluenceGraph) and graph.mapped is not None:
        return lazy_graph(graph.mapped, include_flagged=False)
    return unflagged(graph)


def flagged_edges(graph: nx.DiGraph) -> list[FlaggedEdge]:
    """:func:`~filmgraph.analytics.flags.flagged_edges` of ``graph``, read from the kept
    list for a lazy graph rather than found by walking every edge."""
    if isinstance(graph, LazyInfluenceGraph) and graph.mapped is not None:
        return graph.mapped.flagged()
    return flagged_edges_of_graph(graph)
