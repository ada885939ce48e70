"""What a map says about each node and edge: the facts its side panel shows.

The influence graph carries labels, years, movements and claims; a reader of a map also wants
the director of a film, a person's life dates, the evidence and source of each claim, the
names of movements, similar films and the historical events a film is set in. This module
asks the store for those with the ``viz-*`` named queries and assembles one
``nx.MultiDiGraph``, the *map graph*, that the layout and the page are drawn from.

Map graph nodes have ``kind`` (``film``, ``person``, ``movement``, ``event``), ``label``,
``year`` (where the timeline places it, or ``None``), ``movements``, ``directors``, ``born``,
``died``, ``rank`` (influence percentile, 0 to 1, ``None`` for movements and events),
``position`` (1 = most influential) and ``focus``. Edges are keyed by what they are:
``influence`` (with ``claims``, ``types``, ``weight``), ``similarity`` (``sources``),
``context`` (``stated``) and ``membership`` (a film in a movement).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
from rdflib import Literal, URIRef
from rdflib.term import Identifier

from filmgraph.analytics.ranking import pagerank
from filmgraph.queries import select_named
from filmgraph.store.base import Store
from filmgraph.viz.selection import Selection

__all__ = [
    "Catalogue",
    "load_catalogue",
    "load_movements",
    "map_catalogue",
    "map_graph",
    "rank_percentiles",
]


#: IRIs in one VALUES block: a remote store compiles each query, and a block of a whole
#: hub's neighbourhood (thousands of IRIs) in one text is slow to compile there.
_BATCH = 1000


def _rows(
    store: Store, name: str, among: tuple[str, Collection[str]] | None = None
) -> list[dict[str, Identifier]]:
    if among is None:
        return select_named(store, name).dicts()
    variable, values = among
    terms = sorted(URIRef(v) for v in values)
    rows: list[dict[str, Identifier]] = []
    for start in range(0, len(terms), _BATCH):
        batch = terms[start : start + _BATCH]
        rows += select_named(store, name, among=(variable, batch)).dicts()
    return rows


def _int(term: Identifier | None) -> int | None:
    if not isinstance(term, Literal):
        return None
    try:
        return int(str(term))
    except ValueError:
        return None


def _str(term: Identifier | None) -> str | None:
    return None if term is None else str(term)


@dataclass(frozen=True)
class Catalogue:
    """Everything the store says about the nodes and claims of maps, fetched once."""

    #: node -> {"directors": [...], "born": str|None, "died": str|None, "first_year": int|None}
    nodes: Mapping[str, Mapping[str, Any]]
    #: claim IRI -> {"evidence", "source_label", "source_url", "confidence"}
    claims: Mapping[str, Mapping[str, Any]]
    #: movement IRI -> {"label", "start", "end"}
    movements: Mapping[str, Mapping[str, Any]]
    #: (a, b) with a < b -> sorted source labels or IRIs ("" when none is recorded)
    similar: Mapping[tuple[str, str], tuple[str, ...]]
    #: film -> [(event, label, start year, stated)]
    context: Mapping[str, tuple[tuple[str, str, int | None, bool], ...]]


def load_movements(store: Store) -> dict[str, dict[str, Any]]:
    """Every movement's label and first and last year (a few hundred rows at most)."""
    return {
        str(row["movement"]): {
            "label": _str(row.get("label")) or str(row["movement"]).rsplit("/", 1)[-1],
            "start": _int(row.get("startYear")),
            "end": _int(row.get("endYear")),
        }
        for row in _rows(store, "viz-movements")
    }


def _claims_among(graph: nx.DiGraph, nodes: Collection[str]) -> set[str]:
    """The claims of the influence edges between ``nodes`` (what a map of them shows)."""
    return {
        str(claim["claim"])
        for a, b, data in graph.subgraph(nodes).edges(data=True)
        for claim in data.get("claims", ())
    }


def map_catalogue(store: Store, influence: nx.DiGraph, nodes: Collection[str]) -> Catalogue:
    """The catalogue of one map: the details of ``nodes`` and of the claims of the
    ``influence`` edges between them (:func:`load_catalogue` restricted to them)."""
    return load_catalogue(store, nodes, _claims_among(influence, nodes))


def load_catalogue(
    store: Store, nodes: Collection[str] | None = None, claims: Collection[str] | None = None
) -> Catalogue:
    """Run the ``viz-*`` queries once and index their rows.

    ``nodes`` and ``claims`` restrict the details to those of one map (the nodes it shows,
    the claims of its edges); without them the catalogue covers the whole graph. Why: at
    30,000 films the whole catalogue took a map of a hub's neighbourhood 70 of its 80 s.
    """
    among_nodes = None if nodes is None else ("node", nodes)
    details: dict[str, dict[str, Any]] = {}
    directors: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in _rows(store, "viz-node-details", among_nodes):
        node = str(row["node"])
        details.setdefault(
            node,
            {
                "directors": [],
                "born": _str(row.get("birth")),
                "died": _str(row.get("death")),
                "first_year": None,
            },
        )
        if row.get("director") is not None:
            directors[node].add((_str(row.get("directorLabel")) or "", str(row["director"])))
    for node, named in directors.items():  # by label, then IRI; each name once
        shown = details[node]["directors"]
        for label, director in sorted(named):
            if (label or director) not in shown:
                shown.append(label or director)
    for row in _rows(store, "viz-first-years", among_nodes):
        if str(row["node"]) in details:
            details[str(row["node"])]["first_year"] = _int(row.get("firstYear"))
    claim_details = {
        str(row["claim"]): {
            "evidence": _str(row.get("evidence")),
            "source_label": _str(row.get("sourceLabel")),
            "source_url": _str(row.get("sourceUrl")),
            "confidence": _str(row.get("confidence")),
        }
        for row in _rows(store, "viz-claim-details", None if claims is None else ("claim", claims))
    }
    movements = load_movements(store)
    similar: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in _rows(store, "viz-similarity", None if nodes is None else ("a", nodes)):
        source = row.get("sourceLabel") or row.get("source")
        similar[(str(row["a"]), str(row["b"]))].add("" if source is None else str(source))
    context: dict[str, list[tuple[str, str, int | None, bool]]] = defaultdict(list)
    for row in _rows(store, "viz-context", None if nodes is None else ("film", nodes)):
        event = str(row["event"])
        label = _str(row.get("eventLabel")) or event.rsplit("/", 1)[-1]
        flag = row.get("stated")
        stated = isinstance(flag, Literal) and flag.toPython() is True
        context[str(row["film"])].append((event, label, _int(row.get("startYear")), stated))
    for events in context.values():  # undated first, then by year and IRI
        events.sort(key=lambda e: (e[2] is not None, e[2] or 0, e[0]))
    return Catalogue(
        nodes=details,
        claims=claim_details,
        movements=movements,
        similar={pair: tuple(sorted(s - {""}) if s - {""} else ()) for pair, s in similar.items()},
        context={film: tuple(events) for film, events in context.items()},
    )


def rank_percentiles(graph: nx.DiGraph) -> dict[str, tuple[float, int]]:
    """Each node's influence percentile (0 least, 1 most) and position (1 = most influential).

    Ranks come from :func:`filmgraph.analytics.ranking.pagerank` over the *whole* influence
    network, so that a node has the same size on every map.

    Examples
    --------
    >>> g = nx.DiGraph([("griffith", "eisenstein"), ("griffith", "pudovkin")])
    >>> rank_percentiles(g)["griffith"]
    (1.0, 1)
    """
    scores = pagerank(graph)
    order = sorted(scores, key=lambda n: (-scores[n], n))
    last = max(len(order) - 1, 1)
    return {n: (round(1 - i / last, 4), i + 1) for i, n in enumerate(order)}


def _claim(claim: Mapping[str, Any], catalogue: Catalogue) -> dict[str, Any]:
    extra = catalogue.claims.get(claim["claim"], {})
    return {
        "type": claim["type"],
        "aspect": claim.get("aspect"),
        "weight": claim["weight"],
        "confidence": extra.get("confidence"),
        "evidence": extra.get("evidence"),
        "source": extra.get("source_label") or claim["source"],
        "source_url": extra.get("source_url"),
    }


def map_graph(
    influence: nx.DiGraph,
    selection: Selection,
    catalogue: Catalogue,
    *,
    ranks: Mapping[str, tuple[float, int]] | None = None,
    context: bool = False,
    movement_nodes: tuple[str, ...] = (),
) -> nx.MultiDiGraph:
    """The map graph of ``selection``: its nodes and edges with everything the page shows.

    Parameters
    ----------
    influence : nx.DiGraph
        The whole influence network.
    selection : Selection
        Which of its nodes to draw.
    catalogue : Catalogue
        Details from the store (:func:`load_catalogue`).
    ranks : mapping, optional
        Influence percentile and position per node (default: :func:`rank_percentiles` of
        ``influence``).
    context : bool
        Also draw the historical events a source states as the context of a film on the map.
    movement_nodes : tuple of str
        Movements to draw as nodes of their own, linked to their members on the map.
    """
    ranks = rank_percentiles(influence) if ranks is None else ranks
    total = len(ranks)
    out = nx.MultiDiGraph(title=selection.title, ranked=total)
    for node in sorted(selection.nodes):
        data = influence.nodes[node]
        info = catalogue.nodes.get(node, {})
        year = data.get("year") or info.get("first_year")
        percentile, position = ranks.get(node, (None, None))
        out.add_node(
            node,
            kind=data.get("kind", "film"),
            label=data.get("label", node),
            year=year,
            movements=tuple(data.get("movements", ())),
            directors=list(info.get("directors", [])),
            born=info.get("born"),
            died=info.get("died"),
            rank=percentile,
            position=position,
            focus=node in selection.focus,
        )
    for a, b, data in influence.subgraph(selection.nodes).edges(data=True):
        out.add_edge(
            a,
            b,
            key="influence",
            types=list(data["types"]),
            weight=data["weight"],
            claims=[_claim(c, catalogue) for c in data["claims"]],
            flags=list(data.get("flags", ())),
        )
    for (a, b), sources in catalogue.similar.items():
        if a in out and b in out:
            out.add_edge(
                a, b, key="similarity", types=["similarity"], weight=1.0, sources=list(sources)
            )
    for movement in movement_nodes:
        info = catalogue.movements.get(movement, {"label": movement, "start": None})
        out.add_node(
            movement,
            kind="movement",
            label=info["label"],
            year=info["start"],
            movements=(movement,),
            directors=[],
            born=None,
            died=None,
            rank=None,
            position=None,
            focus=True,
        )
        for node, ms in list(out.nodes(data="movements")):
            if node != movement and movement in ms:
                out.add_edge(movement, node, key="membership", types=["membership"], weight=1.0)
    if context:
        for film in [n for n, kind in out.nodes(data="kind") if kind == "film"]:
            for event, label, start, stated in catalogue.context.get(film, ()):
                if not stated:
                    continue
                if event not in out:
                    out.add_node(
                        event,
                        kind="event",
                        label=label,
                        year=start,
                        movements=(),
                        directors=[],
                        born=None,
                        died=None,
                        rank=None,
                        position=None,
                        focus=False,
                    )
                out.add_edge(event, film, key="context", types=["context"], weight=1.0)
    return out
