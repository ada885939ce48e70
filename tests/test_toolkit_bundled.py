"""Every query of the scholar's toolkit, run on the bundled graph, gives a known answer.

Known answers come from the curated tables (``graph/sources/curated``) or, where a query and
an analytics function answer the same question, from each other. Proof of the issue: a path
from Battleship Potemkin to The Miners, and the context of The Miners including the Great
Purge and the Second Five-Year Plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from rdflib import URIRef

from filmgraph.analytics.contested import contested_claims
from filmgraph.analytics.paths import influence_paths
from filmgraph.analytics.projection import influence_graph
from filmgraph.answers import path_answer
from filmgraph.build import BuildResult
from filmgraph.queries import run_named
from filmgraph.results import shorten
from filmgraph.store import Store, open_store
from filmgraph.store.base import SelectResult

MINERS = "film:the-miners-1937"
POTEMKIN = "film:battleship-potemkin-1925"


@pytest.fixture(scope="module")
def store(bundled_build: BuildResult) -> Iterator[Store]:
    with open_store(Path(bundled_build.generation.path).parent.parent) as opened:
        yield opened


@pytest.fixture(scope="module")
def graph(store: Store) -> nx.DiGraph:
    return influence_graph(store)


def shorten_iri(iri: str) -> str:
    return shorten(URIRef(iri))


def rows(store: Store, query: str, **params: str) -> list[dict[str, str]]:
    result = run_named(store, query, params)
    assert isinstance(result, SelectResult)
    return [{k: shorten(v) for k, v in row.items()} for row in result.dicts()]


# -- the proof ---------------------------------------------------------------------------


def test_influence_flows_from_battleship_potemkin_to_the_miners(store: Store) -> None:
    answer = path_answer(store, "Battleship Potemkin", "The Miners (1937)")
    assert answer["paths"][0]["length"] == 1
    via = {p["nodes"][1]["id"] for p in answer["paths"] if p["length"] == 2}
    assert "film:chapaev-1934" in via
    step = answer["paths"][0]["steps"][0]
    assert "Eisenstein's montage techniques" in {c["aspect"] for c in step["claims"]}


def test_the_context_of_the_miners_includes_the_purge_and_the_plan(store: Store) -> None:
    found = {(r["event"], r["how"]) for r in rows(store, "film-context", film=MINERS)}
    for event in ("event:great-purge", "event:second-five-year-plan"):
        assert (event, "stated") in found
        assert (event, "derived") in found
    assert ("event:stakhanovite-movement", "stated") in found


# -- one known answer per query ----------------------------------------------------------


def test_film_influences(store: Store) -> None:
    found = {
        (r["influencer"], r.get("aspect")) for r in rows(store, "film-influences", film=MINERS)
    }
    assert (POTEMKIN, "Eisenstein's montage techniques") in found


def test_film_descendants(store: Store) -> None:
    depth = {
        r["descendant"]: int(r["depth"]) for r in rows(store, "film-descendants", film=POTEMKIN)
    }
    assert depth[MINERS] == 1
    assert depth["film:the-great-citizen-1938"] == 2  # it drew on The Miners


def test_influence_paths(store: Store, graph: nx.DiGraph) -> None:
    found = rows(store, "influence-paths", **{"from": POTEMKIN, "to": MINERS})
    assert [r["length"] for r in found][:1] == ["1"]
    iri = "https://w3id.org/filmgraph/id/film/"
    networkx_two = {
        p[1]
        for p in influence_paths(
            graph,
            iri + "battleship-potemkin-1925",
            iri + "the-miners-1937",
            max_length=2,
            limit=100,
        )
        if len(p) == 3
    }
    sparql_two = {r["via1"] for r in found if r["length"] == "2"}
    assert sparql_two == {shorten_iri(n) for n in networkx_two}


def test_films_during_event(store: Store) -> None:
    found = {
        (r["film"], r["how"]) for r in rows(store, "films-during-event", event="event:great-purge")
    }
    assert {(MINERS, "stated"), (MINERS, "derived")} <= found


def test_film_people(store: Store) -> None:
    found = {(r["person"], r["role"]) for r in rows(store, "film-people", film=MINERS)}
    assert ("person:sergei-yutkevich", "director") in found


def test_person_films(store: Store) -> None:
    found = {
        (r["film"], r["role"])
        for r in rows(store, "person-films", person="person:sergei-eisenstein")
    }
    assert (POTEMKIN, "director") in found


def test_movement_films(store: Store) -> None:
    films = {r["film"] for r in rows(store, "movement-films", movement="movement:soviet-montage")}
    assert POTEMKIN in films and MINERS not in films


def test_movement_bridges(store: Store) -> None:
    found = {
        (r["influencer"], r["influencee"])
        for r in rows(
            store,
            "movement-bridges",
            **{"from": "movement:soviet-montage", "to": "movement:socialist-realism"},
        )
    }
    assert (POTEMKIN, MINERS) in found


def test_influential_films(store: Store) -> None:
    found = rows(store, "influential-films", decade="1920")
    assert found[0]["film"] == POTEMKIN
    assert all(r["year"].startswith("192") for r in found)


def test_contested_claims_agree_with_the_analytics(store: Store, graph: nx.DiGraph) -> None:
    sparql = {
        (r["problem"], r["influencer"], r["influencee"]) for r in rows(store, "contested-claims")
    }
    networkx = set()
    for c in contested_claims(graph):
        if c.kind == "forward in time":
            networkx.add((c.kind, shorten_iri(c.nodes[0]), shorten_iri(c.nodes[1])))
        elif c.kind == "contradicted":
            a, b = map(shorten_iri, c.nodes)
            networkx |= {(c.kind, a, b), (c.kind, b, a)}
    assert sparql == networkx


def test_film_themes(store: Store) -> None:
    themes = {r["theme"] for r in rows(store, "film-themes", film=MINERS)}
    assert {"theme:coal-mining", "theme:stakhanovite-movement"} <= themes


def test_shared_themes_leave_out_every_influence_link(store: Store, graph: nx.DiGraph) -> None:
    found = rows(store, "shared-themes", film=MINERS)
    assert found
    iri = "https://w3id.org/filmgraph/id/film/the-miners-1937"
    linked = nx.ancestors(graph, iri) | nx.descendants(graph, iri)
    assert not {r["other"] for r in found} & {shorten_iri(n) for n in linked}


def test_source_contributions(store: Store) -> None:
    page = next(
        r
        for r in rows(store, "source-contributions")
        if r["source"] == "source:the-miners-encyclopedia-page"
    )
    assert (page["influenceClaims"], page["contextClaims"]) == ("10", "4")


def test_film_afterlife(store: Store) -> None:
    kinds = {r["kind"] for r in rows(store, "film-afterlife", film=POTEMKIN)}
    assert {"withdrawal", "restoration"} <= kinds


def test_film_similar(store: Store) -> None:
    similar = {r["similar"] for r in rows(store, "film-similar", film=MINERS)}
    assert "film:chapaev-1934" in similar


def test_movement_influences(store: Store) -> None:
    first = rows(store, "movement-influences")[0]
    assert (first["from"], first["to"]) == ("movement:soviet-montage", "movement:socialist-realism")


def test_name_lookup(store: Store) -> None:
    found = {r["thing"] for r in rows(store, "name-lookup", name="battleship potemkin")}
    assert found == {POTEMKIN}


# -- the checks on the bundled graph -----------------------------------------------------


def test_forward_influence_violation_agrees_with_the_analytics(
    store: Store, graph: nx.DiGraph
) -> None:
    sparql = {
        (r["influencer"], r["influencee"]) for r in rows(store, "forward-influence-violation")
    }
    networkx = {
        (shorten_iri(c.nodes[0]), shorten_iri(c.nodes[1]))
        for c in contested_claims(graph)
        if c.kind == "forward in time"
    }
    assert sparql == networkx


def test_influence_cycle_violation_agrees_with_the_analytics(
    store: Store, graph: nx.DiGraph
) -> None:
    in_cycles = {shorten_iri(n) for cycle in nx.simple_cycles(graph) for n in cycle}
    assert {r["work"] for r in rows(store, "influence-cycle-violation")} == in_cycles


def test_film_year_conflict_violation_agrees_with_the_projection(
    store: Store, graph: nx.DiGraph
) -> None:
    conflicts = {r["film"] for r in rows(store, "film-year-conflict-violation")}
    projected = {shorten_iri(n) for n, years in graph.nodes(data="years") if len(years) > 1}
    assert projected <= conflicts


def test_unresolved_reference_violation_lists_what_linking_left_unresolved(
    store: Store, bundled_build: BuildResult
) -> None:
    flagged = {r["node"] for r in rows(store, "unresolved-reference-violation")}
    summary = bundled_build.generation.summary()
    expected = {shorten_iri(u["node"]) for u in summary.get("unresolved", [])}
    assert flagged == expected


@pytest.mark.parametrize("name", ["claim-without-source-violation", "dangling-link-violation"])
def test_the_loaders_leave_no_claim_unsourced_and_no_link_dangling(store: Store, name: str) -> None:
    assert rows(store, name) == []
