"""The influence projection kept with the generation it was projected from.

``path``, ``lineage``, ``rank`` and the other analytics start from the same NetworkX graph
(:func:`filmgraph.analytics.projection.influence_graph`), and projecting it runs the
``influence-edges`` query over every claim. A generation never changes once published, so
its projection is computed once and kept beside it (with each node's PageRank and
betweenness, which ``rank`` would otherwise compute every time: written by the build, or
added by the first ``rank``) as ``projection.pickle``
(:mod:`filmgraph.derived` says where when the generation is not writable). The build writes
it (:func:`write_projection_cache`); a reader that finds none projects the graph and writes
it. Each edge keeps its flags (:mod:`filmgraph.analytics.flags`), so the analytics can
leave flagged claims out or show them without projecting again; the centrality of the
graph without flagged claims (the default) is kept beside that of the whole graph.
The file records the generation's fingerprint and the projection's format version; one
that does not match is ignored and rewritten. Stores that are not a build generation (in
memory, a remote endpoint) are projected every time.

Unpickling the whole graph costs as much as the graph is large (4.4 s for 300,000 films),
so the same projection is also kept as memory-mapped arrays, ``projection.arrays``
(:mod:`filmgraph.analytics.mapped`, with the ranking of both graphs and the list of flagged
edges): ``path`` reads it through :func:`lazy_influence_graph`, a read-only NetworkX graph
that decodes only what it visits, and ``lineage`` and ``rank`` through
:func:`kept_influence`, which loads no NetworkX. The pickle stays for the analytics that
walk the whole graph and as the next fast-path build's base. The arrays carry the same
fingerprint and a format version of their own.

An incremental build's fast path does not project (it would double its time at 100,000
films); it keeps the previous generation's file as ``projection-base.pickle`` with the
works, people and claims its delta touched (``projection-delta.json``), and the first
reader brings the base up to date with
:func:`~filmgraph.analytics.projection.update_projection` instead of projecting the whole
graph, and keeps the pickle and the arrays so that later readers are fast.
"""

from __future__ import annotations

import contextlib
import json
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filmgraph.analytics.flags import FLAGS, unflagged
from filmgraph.analytics.mapped import KeptInfluence, MappedProjection, open_mapped, write_mapped
from filmgraph.analytics.projection import influence_graph, update_projection
from filmgraph.analytics.ranking import CENTRALITY, centrality
from filmgraph.derived import (
    PROJECTION_ARRAYS,
    PROJECTION_BASE,
    PROJECTION_DELTA,
    PROJECTION_NAME,
    derived_path,
    fingerprint,
    generation_of,
    write_atomically,
)
from filmgraph.store.base import Store

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "ARRAYS_NAME",
    "CACHE_NAME",
    "FORMAT_VERSION",
    "UNFLAGGED_CENTRALITY",
    "cached_influence_graph",
    "kept_influence",
    "lazy_influence_graph",
    "write_projection_cache",
]

#: File name of the cache beside a generation's store.
CACHE_NAME = PROJECTION_NAME
#: File name of the mapped form beside it (:mod:`filmgraph.analytics.mapped`).
ARRAYS_NAME = PROJECTION_ARRAYS
#: Raised when the projection's attributes change, so caches of the old shape are ignored.
FORMAT_VERSION = 3
#: Key of ``graph.graph`` under which the centrality of :func:`unflagged` is kept.
UNFLAGGED_CENTRALITY = "centrality without flagged claims"


def _save(path: Path, generation_fingerprint: str, graph: nx.DiGraph) -> None:
    payload = {"version": FORMAT_VERSION, "fingerprint": generation_fingerprint, "graph": graph}
    write_atomically(path, lambda out: pickle.dump(payload, out, pickle.HIGHEST_PROTOCOL))


def _load(path: Path, generation_fingerprint: str) -> nx.DiGraph | None:
    import networkx as nx

    try:
        with path.open("rb") as handle:
            payload: Any = pickle.load(handle)
    except FileNotFoundError:
        return None
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None  # a cache of another version of the code: project again
    if (
        not isinstance(payload, dict)
        or payload.get("version") != FORMAT_VERSION
        or payload.get("fingerprint") != generation_fingerprint
        or not isinstance(payload.get("graph"), nx.DiGraph)
    ):
        return None
    graph: nx.DiGraph = payload["graph"]
    return graph


def write_projection_cache(store: Store, generation_dir: Path) -> Path:
    """Project the influence graph of ``store`` and keep it with ``generation_dir``.

    The build calls this once the generation's store and ``summary.json`` are written.
    Keeps the pickled graph (for whole-graph analytics and the next fast-path build) and its
    mapped form (:data:`ARRAYS_NAME`, for ``path``, ``lineage`` and ``rank``). Returns the
    pickle's path.
    """
    generation = Path(generation_dir)
    path = derived_path(generation, CACHE_NAME)
    generation_fingerprint = fingerprint(generation)
    graph = influence_graph(store)
    try:
        # The graph of a generation never changes: its centrality is computed once with it
        # (for the graph the analytics use by default, without flagged claims).
        graph.graph[UNFLAGGED_CENTRALITY] = centrality(unflagged(graph))
        _save(path, generation_fingerprint, graph)
        _keep_mapped(derived_path(generation, ARRAYS_NAME), generation_fingerprint, graph)
    finally:
        # Computing the centrality through NetworkX's views leaves the graph in reference
        # cycles, which only a full collection frees: rare in a build holding millions of
        # objects, so the whole graph stayed through the build's next steps. Emptied, its
        # nodes, edges and claims are freed now.
        graph.clear()
    return path


def cached_influence_graph(
    store: Store, *, with_centrality: bool = False, include_flagged: bool = False
) -> nx.DiGraph:
    """The influence graph of ``store``, read from its generation's cache when there is one.

    Without a cache the graph is projected and the cache written, so the next command
    reads it; a store that is not a build generation is simply projected.
    ``with_centrality`` (for ranking) makes sure the graph carries its PageRank and
    betweenness (:func:`~filmgraph.analytics.ranking.centrality`), computing them and
    keeping them in the cache when a reader's cache was written without; other commands do
    not pay for them. Without ``include_flagged`` the answer is the read-only view
    :func:`~filmgraph.analytics.flags.unflagged`: claims the checks flag are left out.
    """
    key = CENTRALITY if include_flagged else UNFLAGGED_CENTRALITY
    generation = generation_of(store)
    if generation is None:
        return _chosen(influence_graph(store), include_flagged, None)
    graph = _whole_graph(store, generation, (key,) if with_centrality else ())
    return _chosen(graph, include_flagged, graph.graph.get(key))


def lazy_influence_graph(store: Store, *, include_flagged: bool = False) -> nx.DiGraph:
    """The influence graph of ``store`` for NetworkX's algorithms that visit a part of it.

    For a build generation: a :class:`~filmgraph.analytics.lazygraph.LazyInfluenceGraph`
    over the generation's mapped projection, which opens in milliseconds and decodes only
    what is visited. Without a mapped projection (a generation built before it was kept,
    the first reader after a fast-path build) the whole graph is read as
    :func:`cached_influence_graph` reads it and the mapped form written beside it.
    Otherwise, and where nothing can be written, the answer is
    :func:`cached_influence_graph`'s. Without ``include_flagged`` flagged claims are left
    out, as there.
    """
    found = _mapped(store, include_flagged)
    if isinstance(found, MappedProjection):
        from filmgraph.analytics.lazygraph import lazy_graph

        return lazy_graph(found, include_flagged=include_flagged)
    return found


def kept_influence(store: Store, *, include_flagged: bool = False) -> KeptInfluence | nx.DiGraph:
    """The influence graph of ``store`` for the lookups that read no more of it than they
    show (``lineage``, ``rank``): as :func:`lazy_influence_graph`, but a build generation's
    graph is a :class:`~filmgraph.analytics.mapped.KeptInfluence`, which needs no NetworkX
    (nor its 0.1 s of import)."""
    found = _mapped(store, include_flagged)
    if isinstance(found, MappedProjection):
        return KeptInfluence(found, include_flagged=include_flagged)
    return found


def _mapped(store: Store, include_flagged: bool) -> MappedProjection | nx.DiGraph:
    """The mapped projection of the store's generation, written first when missing; the
    graph :func:`cached_influence_graph` gives where there is none and none can be kept."""
    generation = generation_of(store)
    if generation is None:
        return cached_influence_graph(store, include_flagged=include_flagged)
    generation_fingerprint = fingerprint(generation)
    path = derived_path(generation, ARRAYS_NAME)
    mapped = open_mapped(path, generation_fingerprint)
    if mapped is None:
        graph = _whole_graph(store, generation, (UNFLAGGED_CENTRALITY,))
        try:
            _keep_mapped(path, generation_fingerprint, graph)
        except OSError:  # a read-only generation and no writable cache folder
            key = CENTRALITY if include_flagged else UNFLAGGED_CENTRALITY
            return _chosen(graph, include_flagged, graph.graph.get(key))
        mapped = open_mapped(path, generation_fingerprint)
        if mapped is None:
            raise OSError(f"{path}: the mapped projection just written cannot be read")
    return mapped


def _whole_graph(store: Store, generation: Path, centralities: tuple[str, ...]) -> nx.DiGraph:
    """The whole projection of a generation: from its pickle, else from the base and delta
    of a fast-path build, else projected; with the centralities named (keys of
    ``graph.graph``) computed when missing, and the pickle rewritten when anything was."""
    generation_fingerprint = fingerprint(generation)
    path = derived_path(generation, CACHE_NAME)
    graph = _load(path, generation_fingerprint)
    changed = graph is None
    if graph is None:
        graph = _rebased(generation, store) or influence_graph(store)
    for key in centralities:
        if key not in graph.graph:
            graph.graph[key] = centrality(graph if key == CENTRALITY else unflagged(graph))
            changed = True
    if changed:
        # A read-only generation and no writable cache folder: answer all the same.
        with contextlib.suppress(OSError):
            _save(path, generation_fingerprint, graph)
    return graph


def _keep_mapped(path: Path, generation_fingerprint: str, graph: nx.DiGraph) -> None:
    """Write the mapped form of ``graph`` (the whole projection) at ``path``, with the
    centrality of the graph without flagged claims and of the whole graph."""
    without = graph.graph.get(UNFLAGGED_CENTRALITY) or centrality(unflagged(graph))
    with_flagged = graph.graph.get(CENTRALITY)
    if with_flagged is None:
        # Without flagged edges both graphs are the same: so is their centrality.
        any_flagged = any(data.get(FLAGS) for _, _, data in graph.edges(data=True))
        with_flagged = centrality(graph) if any_flagged else without
    centralities = {"unflagged": without, "whole": with_flagged}
    write_atomically(
        path, lambda out: write_mapped(out, graph, generation_fingerprint, centralities)
    )


def _rebased(generation: Path, store: Store) -> nx.DiGraph | None:
    """The projection from the base and delta a fast-path build kept, or ``None``."""
    try:
        delta = json.loads((generation / PROJECTION_DELTA).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(delta, dict):
        return None
    base = _load(generation / PROJECTION_BASE, str(delta.get("base")))
    if base is None:
        return None
    return update_projection(base, store, delta["nodes"], delta["claims"])


def _chosen(graph: nx.DiGraph, include_flagged: bool, kept: Any) -> nx.DiGraph:
    """The whole graph or its view without flagged claims, carrying its own centrality."""
    chosen = graph if include_flagged else unflagged(graph)
    if kept is not None:
        chosen.graph[CENTRALITY] = kept
    return chosen
