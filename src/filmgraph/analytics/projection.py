"""Project the influence claims of a store into a NetworkX ``DiGraph``.

Nodes are IRIs (as strings) of films and people, with attributes ``label``, ``year``
(``int`` or ``None``; the earliest when sources disagree), ``years`` (every year a source
gives, sorted), ``kind`` (``"film"`` or ``"person"``) and ``movements`` (a tuple of IRIs; for
a person, the movements of the films they directed). An edge ``A -> B`` means B drew on A:
arrows follow the direction of influence.
Each edge carries every claim behind it (``claims``: a list of dicts with ``claim``,
``type``, ``aspect``, ``source``, ``weight``), the set of claim ``types``, the number of
distinct ``sources``, ``weight``: the strongest claim's confidence weight, and ``flags``:
the kinds of trouble the checks find with it (:mod:`filmgraph.analytics.flags`; empty when
sound), so analytics can leave flagged claims out.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from rdflib import Literal
from rdflib.term import Identifier

from filmgraph.analytics.flags import flag_edges
from filmgraph.queries import run_named
from filmgraph.store.base import SelectResult, Store

__all__ = ["from_rows", "influence_graph"]

#: Weight of a claim whose confidence grade has no weight.
DEFAULT_WEIGHT = 0.5


def _year(term: Identifier | None) -> int | None:
    if term is None:
        return None
    try:
        return int(str(term)[:4])
    except ValueError:
        return None


def _text(term: Identifier | None) -> str | None:
    return None if term is None else str(term)


def from_rows(rows: list[dict[str, Identifier]]) -> nx.DiGraph:
    """Build the influence graph from rows of the ``influence-edges`` query."""
    graph = nx.DiGraph()
    for row in rows:
        ends = []
        for side in ("influencer", "influencee"):
            node = str(row[side])
            movements = tuple(sorted(set(str(row.get(f"{side}Movements", "")).split())))
            year = _year(row.get(f"{side}Year"))
            if node not in graph:
                graph.add_node(
                    node,
                    label=_text(row.get(f"{side}Label")) or node.rsplit("/", 1)[-1],
                    year=year,
                    years=(year,) if year is not None else (),
                    kind=str(row.get(f"{side}Kind", "film")),
                    movements=movements,
                )
            elif year is not None and year not in graph.nodes[node]["years"]:
                # Sources that disagree on a year give one row per year: keep them all,
                # and the earliest as the year.
                years = tuple(sorted((*graph.nodes[node]["years"], year)))
                graph.nodes[node].update(years=years, year=years[0])
            ends.append(node)
        weight_term = row.get("weight")
        weight = float(weight_term) if isinstance(weight_term, Literal) else DEFAULT_WEIGHT
        claim: dict[str, Any] = {
            "claim": str(row["claim"]),
            "type": str(row["claimType"]),
            "aspect": _text(row.get("aspect")),
            "source": str(row["source"]),
            "weight": weight,
        }
        a, b = ends
        if graph.has_edge(a, b):
            data = graph.edges[a, b]
            if all(c["claim"] != claim["claim"] for c in data["claims"]):
                data["claims"].append(claim)
        else:
            graph.add_edge(a, b, claims=[claim])
        data = graph.edges[a, b]
        data["types"] = sorted({c["type"] for c in data["claims"]})
        data["sources"] = len({c["source"] for c in data["claims"]})
        data["weight"] = max(c["weight"] for c in data["claims"])
    # Flags depend on every year of both ends, known only once every row is read.
    return flag_edges(graph)


def influence_graph(store: Store) -> nx.DiGraph:
    """The influence network of ``store``, projected with one query."""
    result = run_named(store, "influence-edges")
    assert isinstance(result, SelectResult)
    return from_rows(result.dicts())
