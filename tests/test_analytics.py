"""Influence analytics are pure functions of the projected graph: paths, lineage, ranking,
bridges, communities and contested claims, each checked on a small hand-made graph."""

from __future__ import annotations

from itertools import pairwise

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filmgraph.analytics.bridges import crosses, movement_bridges, movement_flows
from filmgraph.analytics.communities import influence_communities, movement_spread
from filmgraph.analytics.contested import contested_claims
from filmgraph.analytics.lineage import lineage
from filmgraph.analytics.paths import influence_paths, path_steps
from filmgraph.analytics.projection import from_rows
from filmgraph.analytics.ranking import betweenness, rank_films

# Edges follow influence: earlier -> later.
SOVIET = [
    ("intolerance", "strike"),
    ("strike", "potemkin"),
    ("intolerance", "potemkin"),
    ("potemkin", "miners"),
    ("potemkin", "chapaev"),
    ("chapaev", "miners"),
    ("miners", "great-citizen"),
]
YEARS = {
    "intolerance": 1916,
    "strike": 1925,
    "potemkin": 1925,
    "chapaev": 1934,
    "miners": 1937,
    "great-citizen": 1938,
}
MOVEMENTS = {
    "strike": ("montage",),
    "potemkin": ("montage",),
    "chapaev": ("realism",),
    "miners": ("realism",),
    "great-citizen": ("realism",),
}


def film_graph(edges: list[tuple[str, str]]) -> nx.DiGraph:
    graph = nx.DiGraph()
    for u, v in edges:
        graph.add_edge(
            u,
            v,
            weight=1.0,
            claims=[
                {
                    "claim": f"{u}>{v}",
                    "type": "inspiration claim",
                    "aspect": None,
                    "source": "notes",
                    "weight": 1.0,
                }
            ],
        )
    for node in graph:
        graph.nodes[node].update(
            label=node.title(),
            kind="film",
            year=YEARS.get(node),
            years=(YEARS[node],) if node in YEARS else (),
            movements=MOVEMENTS.get(node, ()),
        )
    return graph


@pytest.fixture
def soviet() -> nx.DiGraph:
    return film_graph(SOVIET)


# -- paths ------------------------------------------------------------------------------


def test_paths_come_shortest_first(soviet: nx.DiGraph) -> None:
    paths = influence_paths(soviet, "intolerance", "miners")
    assert [len(p) - 1 for p in paths] == sorted(len(p) - 1 for p in paths)
    assert paths[0] == ["intolerance", "potemkin", "miners"]
    assert len(paths) == 4


def test_paths_follow_the_direction_of_influence(soviet: nx.DiGraph) -> None:
    assert influence_paths(soviet, "miners", "intolerance") == []


def test_max_length_and_limit_bound_the_paths(soviet: nx.DiGraph) -> None:
    assert all(
        len(p) - 1 <= 2 for p in influence_paths(soviet, "intolerance", "miners", max_length=2)
    )
    assert len(influence_paths(soviet, "intolerance", "miners", limit=1)) == 1


def test_a_node_no_claim_mentions_has_no_paths(soviet: nx.DiGraph) -> None:
    assert influence_paths(soviet, "intolerance", "not-in-the-graph") == []


def test_each_step_carries_its_claims(soviet: nx.DiGraph) -> None:
    steps = path_steps(soviet, ["potemkin", "miners"])
    assert steps[0]["claims"][0]["claim"] == "potemkin>miners"


edges = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=25)


@settings(max_examples=60, deadline=None)
@given(edges, st.integers(1, 4), st.integers(1, 6))
def test_every_path_is_a_real_simple_path_within_bounds(
    pairs: list[tuple[int, int]], max_length: int, limit: int
) -> None:
    graph = nx.DiGraph([(str(u), str(v)) for u, v in pairs if u != v])
    graph.add_nodes_from(["0", "7"])
    paths = influence_paths(graph, "0", "7", max_length=max_length, limit=limit)
    assert len(paths) <= limit
    lengths = [len(p) - 1 for p in paths]
    assert lengths == sorted(lengths)
    for path in paths:
        assert path[0] == "0" and path[-1] == "7"
        assert len(set(path)) == len(path)
        assert all(graph.has_edge(u, v) for u, v in pairwise(path))
        assert len(path) - 1 <= max_length
    if nx.has_path(graph, "0", "7") and nx.shortest_path_length(graph, "0", "7") <= max_length:
        assert lengths[0] == nx.shortest_path_length(graph, "0", "7")
    else:
        assert paths == []


# -- lineage ----------------------------------------------------------------------------


def test_descendants_come_by_generation(soviet: nx.DiGraph) -> None:
    assert lineage(soviet, "potemkin", depth=2) == [["chapaev", "miners"], ["great-citizen"]]


def test_ancestors_come_by_generation(soviet: nx.DiGraph) -> None:
    assert lineage(soviet, "miners", depth=5, direction="up") == [
        ["potemkin", "chapaev"],
        ["intolerance", "strike"],
    ]


def test_depth_cuts_the_lineage(soviet: nx.DiGraph) -> None:
    assert len(lineage(soviet, "intolerance", depth=1)) == 1


# -- ranking ----------------------------------------------------------------------------


def test_the_most_drawn_on_film_ranks_first(soviet: nx.DiGraph) -> None:
    ranked = rank_films(soviet, top=3)
    assert ranked[0].node == "intolerance"
    potemkin = next(r for r in rank_films(soviet, top=None) if r.node == "potemkin")
    assert potemkin.in_degree == 2
    assert potemkin.betweenness is not None and potemkin.betweenness > 0


def test_betweenness_is_networkx_betweenness(soviet: nx.DiGraph) -> None:
    exact = nx.betweenness_centrality(soviet)
    assert betweenness(soviet) == pytest.approx(exact)


def test_betweenness_is_left_out_above_the_limit(soviet: nx.DiGraph) -> None:
    ranked = rank_films(soviet, top=None, betweenness_limit=3)
    assert {r.betweenness for r in ranked} == {None}


def test_betweenness_samples_estimate_it_above_the_limit(soviet: nx.DiGraph) -> None:
    ranked = rank_films(soviet, top=None, betweenness_limit=3, betweenness_samples=100)
    exact = {r.node: r.betweenness for r in rank_films(soviet, top=None)}
    # as many samples as nodes: the estimate is the exact value
    assert {r.node: r.betweenness for r in ranked} == pytest.approx(exact)


def test_rank_filters_by_decade_and_movement(soviet: nx.DiGraph) -> None:
    assert {r.node for r in rank_films(soviet, decade=1930, top=None)} == {
        "chapaev",
        "miners",
        "great-citizen",
    }
    assert {r.node for r in rank_films(soviet, movement="montage", top=None)} == {
        "strike",
        "potemkin",
    }


def test_rank_leaves_people_out(soviet: nx.DiGraph) -> None:
    soviet.add_edge("griffith", "intolerance", weight=1.0, claims=[])
    soviet.nodes["griffith"].update(kind="person", label="Griffith", year=None, movements=())
    assert "griffith" not in {r.node for r in rank_films(soviet, top=None)}


# -- bridges ----------------------------------------------------------------------------


def test_an_edge_between_movements_crosses(soviet: nx.DiGraph) -> None:
    assert crosses(soviet, "potemkin", "miners")
    assert not crosses(soviet, "chapaev", "miners")
    assert not crosses(soviet, "intolerance", "strike")  # Intolerance has no movement


def test_bridges_are_the_films_at_the_crossing(soviet: nx.DiGraph) -> None:
    bridges = {b.node: b for b in movement_bridges(soviet)}
    assert set(bridges) == {"potemkin", "chapaev", "miners"}
    assert bridges["potemkin"].crossing_edges == 2
    assert bridges["potemkin"].touches == ("montage", "realism")


def test_flows_count_crossing_edges_per_pair_of_movements(soviet: nx.DiGraph) -> None:
    assert dict(movement_flows(soviet)) == {("montage", "realism"): 2}


# -- communities ------------------------------------------------------------------------


def two_cliques() -> nx.DiGraph:
    graph = film_graph(
        [
            ("a1", "a2"),
            ("a2", "a3"),
            ("a1", "a3"),
            ("b1", "b2"),
            ("b2", "b3"),
            ("b1", "b3"),
            ("a3", "b1"),
        ]
    )
    for node in graph:
        graph.nodes[node]["movements"] = ("alpha",) if node.startswith("a") else ("beta",)
    graph.nodes["b3"]["movements"] = ("alpha",)
    return graph


def test_communities_follow_dense_influence() -> None:
    communities = influence_communities(two_cliques())
    assert [c.members for c in communities] == [("a1", "a2", "a3"), ("b1", "b2", "b3")]


def test_communities_are_compared_with_the_stated_movements() -> None:
    communities = influence_communities(two_cliques())
    assert communities[0].dominant == "alpha" and communities[0].purity == 1.0
    assert communities[1].dominant == "beta" and communities[1].purity == pytest.approx(2 / 3)
    assert movement_spread(communities) == {"alpha": 2, "beta": 1}


def test_communities_are_the_same_every_run() -> None:
    assert influence_communities(two_cliques()) == influence_communities(two_cliques())


# -- contested claims -------------------------------------------------------------------


def test_a_claim_pointing_forward_in_time_is_contested(soviet: nx.DiGraph) -> None:
    soviet.add_edge("great-citizen", "strike", claims=[{"claim": "late", "source": "page"}])
    found = [c for c in contested_claims(soviet) if c.kind == "forward in time"]
    assert [(c.nodes, c.claims) for c in found] == [(("great-citizen", "strike"), ("late",))]


def test_claims_running_both_ways_contradict(soviet: nx.DiGraph) -> None:
    soviet.add_edge("miners", "chapaev", claims=[{"claim": "back", "source": "page"}])
    kinds = [c.kind for c in contested_claims(soviet)]
    assert kinds.count("contradicted") == 1
    assert "cycle" not in kinds  # a two-way pair is a contradiction, not a cycle


def test_a_cycle_of_three_claims_is_contested() -> None:
    graph = film_graph([("a", "b"), ("b", "c"), ("c", "a")])
    (cycle,) = [c for c in contested_claims(graph) if c.kind == "cycle"]
    assert cycle.nodes == ("a", "b", "c")
    assert cycle.claims == ("a>b", "b>c", "c>a")


def test_a_film_said_to_influence_itself_is_contested() -> None:
    graph = film_graph([("a", "a"), ("a", "b")])
    (loop,) = [c for c in contested_claims(graph) if c.kind == "self-influence"]
    assert (loop.nodes, loop.claims) == (("a",), ("a>a",))
    assert loop.detail.endswith("is said to draw on itself")


def test_a_year_conflict_puts_its_claims_in_doubt(soviet: nx.DiGraph) -> None:
    soviet.nodes["miners"]["years"] = (1936, 1937)
    (conflict,) = [c for c in contested_claims(soviet) if c.kind == "year conflict"]
    assert conflict.nodes == ("miners",)
    assert set(conflict.claims) == {"potemkin>miners", "chapaev>miners", "miners>great-citizen"}


def test_a_sound_graph_has_nothing_contested(soviet: nx.DiGraph) -> None:
    assert contested_claims(soviet) == []


# -- projection -------------------------------------------------------------------------


def test_the_projection_keeps_every_year_sources_give() -> None:
    from rdflib import Literal, URIRef

    row = {
        "claim": URIRef("urn:c"),
        "claimType": Literal("inspiration claim"),
        "source": URIRef("urn:s"),
        "influencer": URIRef("urn:a"),
        "influencee": URIRef("urn:b"),
        "influencerYear": Literal("1937"),
        "influenceeYear": Literal("1940"),
    }
    graph = from_rows([row, {**row, "influencerYear": Literal("1936")}])
    assert graph.nodes["urn:a"]["years"] == (1936, 1937)
    assert graph.nodes["urn:a"]["year"] == 1936
    assert len(graph.edges["urn:a", "urn:b"]["claims"]) == 1
