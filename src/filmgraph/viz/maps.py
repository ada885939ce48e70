"""Influence maps from a store: what ``filmgraph viz`` does, as one library call.

:func:`influence_map` projects the influence network, selects the part asked for
(:mod:`filmgraph.viz.selection`), adds what the side panel shows (:mod:`filmgraph.viz.details`)
and :func:`write_map` renders the page (:mod:`filmgraph.viz.page`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import networkx as nx

from filmgraph.analytics.cache import cached_influence_graph
from filmgraph.analytics.flags import flagged_edges, unflagged
from filmgraph.errors import ParameterError
from filmgraph.namespaces import ID
from filmgraph.resolve import resolve_name
from filmgraph.store.base import Store
from filmgraph.viz import selection as select
from filmgraph.viz.details import load_catalogue, load_movements, map_catalogue, map_graph
from filmgraph.viz.layout import LAYOUTS
from filmgraph.viz.page import write_page

__all__ = ["MapRequest", "MapResult", "influence_map", "write_figure", "write_map"]

#: The static figures ``write_figure`` draws.
FIGURES = ("timeline", "distribution")


@dataclass(frozen=True)
class MapRequest:
    """What a map shows: exactly one of ``around``, ``path``, ``movement``, ``everything``."""

    around: str | None = None
    depth: int = 2
    path: tuple[str, str] | None = None
    movement: str | None = None
    everything: bool = False
    context: bool = False
    #: Draw the claims the checks flag (forward in time, self-influence, year conflict),
    #: marked with their ``flags``; by default they are left out.
    include_flagged: bool = False

    def check(self) -> None:
        """Refuse a request that asks for no map, or for several at once."""
        chosen = [
            self.around is not None,
            self.path is not None,
            self.movement is not None,
            self.everything,
        ]
        if sum(chosen) != 1:
            raise ParameterError("give exactly one of --around, --path, --movement, --all")
        if self.depth < 0:
            raise ParameterError("--depth must be 0 or more")


@dataclass(frozen=True)
class MapResult:
    """A map graph and what it shows."""

    graph: nx.MultiDiGraph
    movement_labels: dict[str, str]

    @property
    def title(self) -> str:
        return str(self.graph.graph["title"])

    def summary(self) -> dict[str, Any]:
        """Counts of what the map holds, for the command line."""
        kinds: dict[str, int] = {}
        for _, kind in self.graph.nodes(data="kind"):
            kinds[kind] = kinds.get(kind, 0) + 1
        edges: dict[str, int] = {}
        for _, _, key in self.graph.edges(keys=True):
            edges[key] = edges.get(key, 0) + 1
        return {
            "title": self.title,
            "nodes": self.graph.number_of_nodes(),
            "edges": self.graph.number_of_edges(),
            "node_kinds": kinds,
            "edge_kinds": edges,
        }


def influence_map(store: Store, request: MapRequest) -> MapResult:
    """The map graph ``request`` asks for, from the influence network of ``store``.

    Names (``around``, ``path``, ``movement``) are resolved with
    :func:`filmgraph.resolve.resolve_name`; an ambiguous or unknown name raises. A map with no
    node (a film no claim mentions, two films no path joins) is returned empty.
    """
    request.check()
    projected = cached_influence_graph(store, include_flagged=True)
    influence = projected if request.include_flagged else unflagged(projected)
    labels = {m: str(info["label"]) for m, info in load_movements(store).items()}
    movement_nodes: tuple[str, ...] = ()
    if request.around is not None:
        node = str(resolve_name(store, request.around))
        if node.startswith(f"{ID}movement/"):  # the neighbourhood of a movement is the movement
            return influence_map(store, replace(request, around=None, movement=node))
        chosen = select.around(influence, node, request.depth)
    elif request.path is not None:
        a, b = (str(resolve_name(store, name, ("film", "person"))) for name in request.path)
        chosen = select.along_paths(influence, a, b)
    elif request.movement is not None:
        movement = str(resolve_name(store, request.movement, ("movement",)))
        chosen = select.in_movement(influence, movement, labels.get(movement, movement))
        movement_nodes = (movement,) if chosen.nodes else ()
    else:
        chosen = select.everything(influence)
    if request.around is None and request.path is None and request.movement is None:
        catalogue = load_catalogue(store)
    else:
        catalogue = map_catalogue(store, influence, chosen.nodes)
    graph = map_graph(
        influence, chosen, catalogue, context=request.context, movement_nodes=movement_nodes
    )
    graph.graph["movement_labels"] = labels
    flagged = flagged_edges(projected)
    graph.graph["flagged"] = {
        "included": request.include_flagged,
        "claims": sum(len(e.claims) for e in flagged),
    }
    return MapResult(graph, labels)


def write_map(
    store: Store,
    request: MapRequest,
    out: Path,
    *,
    layout: str = "timeline",
    similarity: bool = False,
) -> MapResult:
    """Build the map ``request`` asks for and write its page to ``out``."""
    if layout not in LAYOUTS:
        raise ParameterError(f"unknown layout {layout!r} (known: {', '.join(LAYOUTS)})")
    result = influence_map(store, request)
    if result.graph.number_of_nodes():
        write_page(
            out,
            result.graph,
            layout=layout,
            similarity=similarity,
            movement_labels=result.movement_labels,
        )
    return result


def write_figure(
    store: Store, kind: str, out: Path, *, around: str | None = None, depth: int = 1
) -> dict[str, Any]:
    """Draw a static figure (``timeline`` around a film or person, or ``distribution``)
    and save it to ``out`` (the format follows the suffix: ``.png``, ``.svg``, ``.pdf``)."""
    from filmgraph.viz.static import distribution_figure, timeline_figure

    if kind not in FIGURES:
        raise ParameterError(f"unknown figure {kind!r} (known: {', '.join(FIGURES)})")
    if kind == "timeline":
        if around is None:
            raise ParameterError("figure timeline needs --around FILM")
        result = influence_map(store, MapRequest(around=around, depth=depth))
        if not result.graph.number_of_nodes():
            return {"figure": kind, "nodes": 0, "out": None}
        fig = timeline_figure(result.graph)
        nodes = result.graph.number_of_nodes()
    else:
        influence = cached_influence_graph(store)
        fig = distribution_figure(influence)
        nodes = influence.number_of_nodes()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=150)
    return {"figure": kind, "nodes": nodes, "out": str(out)}
