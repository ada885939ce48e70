"""Answers to a scholar's questions about a store, as plain data ready for text or JSON.

Each function resolves the names it is given (:mod:`filmgraph.resolve`), takes the
influence graph of the store's generation (projected once per build and cached,
:mod:`filmgraph.analytics.cache`), calls one pure analytics
function and labels what it found. The command line prints these answers; a notebook can
use them as they are. ``lineage`` and ``rank`` on a build read the kept projection
without NetworkX; the other answers import their analytics when they run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from filmgraph.analytics.cache import cached_influence_graph, kept_influence, lazy_influence_graph
from filmgraph.analytics.flags import FLAGS, whole
from filmgraph.analytics.lineage import Direction, lineage
from filmgraph.analytics.mapped import KeptInfluence
from filmgraph.namespaces import PREFIXES
from filmgraph.resolve import candidates, resolve_name
from filmgraph.results import shorten
from filmgraph.store.base import Store

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "bridges_answer",
    "communities_answer",
    "contested_answer",
    "describe",
    "flagged_summary",
    "lineage_answer",
    "path_answer",
    "rank_answer",
    "shorten_iri",
]

_NAMED = ("film", "person")


def flagged_summary(graph: nx.DiGraph | KeptInfluence, *, included: bool) -> dict[str, Any]:
    """The claims the checks flag in ``graph`` (the whole projection), and whether they were
    used: ``{"included": ..., "claims": count, "edges": [{from, to, kinds, claims}]}``."""
    if isinstance(graph, KeptInfluence):
        edges = graph.flagged()
    else:
        from filmgraph.analytics.lazygraph import flagged_edges

        edges = flagged_edges(graph)
    return {
        "included": included,
        "claims": sum(len(e.claims) for e in edges),
        "edges": [
            {
                "from": describe(graph, e.influencer),
                "to": describe(graph, e.influencee),
                "kinds": list(e.kinds),
                "claims": [shorten_iri(c) for c in e.claims],
            }
            for e in edges
        ],
    }


def describe(graph: nx.DiGraph | KeptInfluence, node: str) -> dict[str, Any]:
    """A node as the answers show it: id, short id, label, year, kind."""
    short = shorten_iri(node)
    # a KeptInfluence or a LazyInfluenceGraph names its projection; a plain graph does not
    mapped = getattr(graph, "mapped", None)
    i = mapped.number(node) if mapped is not None else None
    kind: str | None
    if mapped is not None and i is not None:  # a lineage may list tens of thousands
        label, year, kind = mapped.label_year_kind(i)
    else:
        data: dict[str, Any] = {}
        if not isinstance(graph, KeptInfluence) and node in graph:
            data = graph.nodes[node]
        label = str(data["label"]) if "label" in data else short
        year, kind = data.get("year"), data.get("kind")
    return {
        "iri": node,
        "id": short,
        "label": label,
        "year": year,
        "kind": kind,
        "title": f"{label} ({year})" if year is not None else label,
    }


def _whole(graph: nx.DiGraph | KeptInfluence) -> nx.DiGraph | KeptInfluence:
    """The graph with its flagged claims (:func:`~filmgraph.analytics.flags.whole`)."""
    return graph.whole() if isinstance(graph, KeptInfluence) else whole(graph)


def _without_flagged(graph: nx.DiGraph | KeptInfluence) -> nx.DiGraph | KeptInfluence:
    """The graph without its flagged claims."""
    if isinstance(graph, KeptInfluence):
        return graph.without_flagged()
    from filmgraph.analytics.lazygraph import without_flagged

    return without_flagged(graph)


def shorten_iri(iri: str) -> str:
    """``film:the-miners-1937`` for the full IRI.

    What :func:`filmgraph.results.shorten` gives, found once per namespace (the IRI up to
    its last ``/`` or ``#``): an answer may name tens of thousands of works.
    """
    cut = max(iri.rfind("/"), iri.rfind("#")) + 1
    local = iri[cut:]
    if not _WHOLE_SEGMENTS or not local:
        return shorten(URIRef(iri))
    namespace = iri[:cut]
    prefix = _SHORT.get(namespace)
    if prefix is None:
        # "x" stands for any local name: with prefixes that end on a segment, whether one
        # fits depends on the namespace alone
        prefix = _SHORT[namespace] = shorten(URIRef(namespace + "x"))[:-1]
    return prefix + local


#: Every prefix's IRI ends with ``/`` or ``#``, as :func:`shorten_iri` needs to look
#: prefixes up by namespace.
_WHOLE_SEGMENTS = all(iri.endswith(("/", "#")) for iri in PREFIXES.values())
_SHORT: dict[str, str] = {}


def _outside(store: Store, iri: str) -> dict[str, Any]:
    # A film or person no influence claim mentions is not in the projected graph.
    found = candidates(store, iri, _NAMED)
    label = found[0].label if found else shorten_iri(iri)
    year = found[0].year if found else None
    return {
        "iri": iri,
        "id": shorten_iri(iri),
        "label": label,
        "year": year,
        "kind": found[0].kind if found else None,
        "title": f"{label} ({year})" if year is not None else label,
    }


def path_answer(
    store: Store,
    source: str,
    target: str,
    *,
    max_length: int | None = None,
    limit: int = 10,
    include_flagged: bool = False,
) -> dict[str, Any]:
    """How influence flows from ``source`` to ``target`` (names, ids or IRIs).

    Claims the checks flag are left out unless ``include_flagged``; a step resting on one is
    then marked with its ``flags``.
    """
    from filmgraph.analytics.paths import influence_paths, path_steps

    a, b = str(resolve_name(store, source, _NAMED)), str(resolve_name(store, target, _NAMED))
    graph = lazy_influence_graph(store, include_flagged=include_flagged)
    paths = influence_paths(graph, a, b, max_length=max_length, limit=limit)
    return {
        "from": describe(graph, a) if a in graph else _outside(store, a),
        "to": describe(graph, b) if b in graph else _outside(store, b),
        "paths": [
            {
                "length": len(path) - 1,
                "nodes": [describe(graph, n) for n in path],
                "steps": [
                    {
                        "influencer": shorten_iri(s["influencer"]),
                        "influencee": shorten_iri(s["influencee"]),
                        "flags": list(graph.edges[s["influencer"], s["influencee"]].get(FLAGS, ())),
                        "claims": [
                            {
                                "type": c["type"],
                                "aspect": c["aspect"],
                                "source": shorten_iri(c["source"]),
                                "weight": c["weight"],
                            }
                            for c in sorted(s["claims"], key=lambda c: (-c["weight"], c["source"]))
                        ],
                    }
                    for s in path_steps(graph, path)
                ],
            }
            for path in paths
        ],
        "flagged": flagged_summary(_whole(graph), included=include_flagged),
    }


def lineage_answer(
    store: Store,
    name: str,
    *,
    depth: int = 3,
    direction: Direction = "down",
    include_flagged: bool = False,
) -> dict[str, Any]:
    """Ancestors (``up``) or descendants (``down``) of a work or person, by generation.

    Claims the checks flag are left out unless ``include_flagged``; a work or person then
    found in a generation only through a flagged claim is marked ``"flagged": true``.
    """
    node = str(resolve_name(store, name, _NAMED))
    graph = kept_influence(store, include_flagged=include_flagged)
    generations = lineage(graph, node, depth=depth, direction=direction)
    sound: list[set[str]] = []
    if include_flagged and node in graph:
        sound = [
            set(g) for g in lineage(_without_flagged(graph), node, depth=depth, direction=direction)
        ]
    return {
        "of": describe(graph, node) if node in graph else _outside(store, node),
        "direction": direction,
        "depth": depth,
        "generations": [
            [
                {
                    **describe(graph, n),
                    **(
                        {"flagged": number >= len(sound) or n not in sound[number]}
                        if include_flagged
                        else {}
                    ),
                }
                for n in g
            ]
            for number, g in enumerate(generations)
        ],
        "flagged": flagged_summary(_whole(graph), included=include_flagged),
    }


def rank_answer(
    store: Store,
    *,
    decade: int | None = None,
    movement: str | None = None,
    top: int = 10,
    include_flagged: bool = False,
    betweenness_samples: int | None = None,
) -> dict[str, Any]:
    """The most influential films, overall or of a decade or a movement.

    Claims the checks flag are left out unless ``include_flagged``. Betweenness is exact up
    to 20,000 nodes; beyond, it is ``None`` unless ``betweenness_samples`` asks for an
    estimate from that many sampled films.
    """
    movement_iri = (
        str(resolve_name(store, movement, ("movement",))) if movement is not None else None
    )
    graph: nx.DiGraph | KeptInfluence = kept_influence(store, include_flagged=include_flagged)
    if isinstance(graph, KeptInfluence) and betweenness_samples is None:
        # the kept ranking: the same films rank_films finds, without walking the graph
        ranked = graph.ranked(decade=decade, movement=movement_iri, top=top)
    else:
        from filmgraph.analytics.ranking import rank_films

        if isinstance(graph, KeptInfluence):  # estimating betweenness walks it all
            graph = cached_influence_graph(
                store, with_centrality=True, include_flagged=include_flagged
            )
        ranked = rank_films(
            graph,
            decade=decade,
            movement=movement_iri,
            top=top,
            betweenness_samples=betweenness_samples,
        )
    return {
        "decade": decade,
        "movement": shorten_iri(movement_iri) if movement_iri else None,
        "films": [
            {
                **describe(graph, r.node),
                "pagerank": r.pagerank,
                "in_degree": r.in_degree,
                "betweenness": r.betweenness,
            }
            for r in ranked
        ],
        "flagged": flagged_summary(_whole(graph), included=include_flagged),
    }


def bridges_answer(store: Store, *, top: int = 20, include_flagged: bool = False) -> dict[str, Any]:
    """Films and people whose influence crosses movements, and the flows between movements.

    Claims the checks flag are left out unless ``include_flagged``.
    """
    from filmgraph.analytics.bridges import movement_bridges, movement_flows

    graph = cached_influence_graph(store, include_flagged=include_flagged)
    return {
        "bridges": [
            {
                **describe(graph, b.node),
                "movements": [shorten_iri(m) for m in b.movements],
                "touches": [shorten_iri(m) for m in b.touches],
                "crossing_edges": b.crossing_edges,
            }
            for b in movement_bridges(graph, top=top)
        ],
        "flows": [
            {"from": shorten_iri(a), "to": shorten_iri(b), "edges": n}
            for (a, b), n in sorted(movement_flows(graph).items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "flagged": flagged_summary(_whole(graph), included=include_flagged),
    }


def communities_answer(
    store: Store, *, min_size: int = 3, top: int = 10, include_flagged: bool = False
) -> dict[str, Any]:
    """Communities of the influence network beside the movements sources state.

    Claims the checks flag are left out unless ``include_flagged``.
    """
    from filmgraph.analytics.communities import influence_communities, movement_spread

    graph = cached_influence_graph(store, include_flagged=include_flagged)
    communities = influence_communities(graph, min_size=min_size)
    return {
        "communities": [
            {
                "size": c.size,
                "dominant": shorten_iri(c.dominant) if c.dominant else None,
                "purity": c.purity,
                "movements": {shorten_iri(m): n for m, n in c.movement_counts.items()},
                "members": [describe(graph, n) for n in c.members],
            }
            for c in communities[:top]
        ],
        "found": len(communities),
        "movement_spread": {shorten_iri(m): n for m, n in movement_spread(communities).items()},
        "flagged": flagged_summary(_whole(graph), included=include_flagged),
    }


def contested_answer(store: Store, *, max_cycle_length: int = 6) -> dict[str, Any]:
    """Contested claims: self-influence, forward in time, contradicted, in a cycle, or on a
    year conflict."""
    from filmgraph.analytics.contested import contested_claims

    graph = cached_influence_graph(store, include_flagged=True)
    return {
        "contested": [
            {
                "kind": c.kind,
                "nodes": [describe(graph, n) for n in c.nodes],
                "claims": [shorten_iri(x) for x in c.claims],
                "sources": [shorten_iri(x) for x in c.sources],
                "detail": c.detail,
            }
            for c in contested_claims(graph, max_cycle_length=max_cycle_length)
        ],
    }
