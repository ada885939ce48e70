"""A kept projection brought up to date with what changed equals a projection from scratch:
same nodes, edges and claims, in the same order (ties in paths and rankings follow it)."""

from __future__ import annotations

import networkx as nx
import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from filmgraph.analytics.projection import influence_graph, update_projection
from filmgraph.resources import ontology_path
from filmgraph.store.oxigraph import OxigraphStore

ID = "https://w3id.org/filmgraph/id/"
PREFIXES = """
@prefix fg: <https://w3id.org/filmgraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix id: <https://w3id.org/filmgraph/id/> .
"""
FILMS = [f"film{i}" for i in range(5)]
ONTOLOGY = list(ox.parse(path=str(ontology_path()), format=ox.RdfFormat.TURTLE))
GRADES = ["fg:HighConfidence", "fg:MediumConfidence"]

#: One fact about the small world: (kind, *arguments), written as Turtle by :func:`turtle`.
facts = st.one_of(
    st.tuples(st.just("year"), st.sampled_from(FILMS), st.integers(1920, 1925)),
    st.tuples(st.just("movement"), st.sampled_from(FILMS), st.sampled_from(["m1", "m2"])),
    st.tuples(st.just("director"), st.sampled_from(FILMS), st.sampled_from(["p1", "p2"])),
    st.tuples(
        st.just("claim"),
        st.sampled_from(FILMS),
        st.sampled_from([*FILMS, "p1"]),
        st.sampled_from(GRADES),
        st.integers(0, 20),
    ),
)


def turtle(fact: tuple[object, ...]) -> str:
    kind, subject, *rest = fact
    if kind == "year":
        return f'id:{subject} fg:year "{rest[0]}" .'
    if kind == "movement":
        return f"id:{subject} fg:partOfMovement id:{rest[0]} ."
    if kind == "director":
        return f"id:{subject} fg:director id:{rest[0]} . id:{rest[0]} a fg:Person ."
    influencer, grade, n = rest
    return (
        f"id:claim{n} a fg:InspirationClaim ; fg:influencee id:{subject} ; "
        f"fg:influencer id:{influencer} ; fg:source id:notes ; fg:confidence {grade} ."
    )


def store_of(world: list[tuple[object, ...]]) -> OxigraphStore:
    store = OxigraphStore()
    store.engine.extend(ox.Quad(t.subject, t.predicate, t.object) for t in ONTOLOGY)
    labels = " ".join(f'id:{f} a fg:Film ; rdfs:label "{f}" .' for f in FILMS)
    body = PREFIXES + labels + "\n".join(turtle(f) for f in world)
    store.engine.load(body.encode(), format=ox.RdfFormat.TURTLE)
    return store


def touched(added: list[tuple[object, ...]]) -> tuple[set[str], set[str]]:
    """What the added facts may change: the works they describe (and their directors,
    whose movements are their films'), and the claims they state."""
    nodes = {ID + str(f[1]) for f in added if f[0] != "claim"}
    nodes |= {ID + str(f[2]) for f in added if f[0] == "director"}
    claims = {f"{ID}claim{f[4]}" for f in added if f[0] == "claim"}
    return nodes, claims


def laid_out(graph: nx.DiGraph) -> tuple[list[object], list[object]]:
    return list(graph.nodes(data=True)), list(graph.edges(data=True))


@settings(max_examples=40, deadline=None)
@given(st.lists(facts, max_size=14), st.lists(facts, min_size=1, max_size=5))
def test_a_projection_brought_up_to_date_equals_one_from_scratch(
    before: list[tuple[object, ...]], added: list[tuple[object, ...]]
) -> None:
    old = influence_graph(store_of(before))
    new_store = store_of(before + added)
    nodes, claims = touched(added)
    # every director of a touched film may have gained a movement
    for f in before:
        if f[0] == "director" and ID + str(f[1]) in nodes:
            nodes.add(ID + str(f[2]))
    assert laid_out(update_projection(old, new_store, nodes, claims)) == laid_out(
        influence_graph(new_store)
    )


def test_a_changed_description_is_projected_again() -> None:
    before: list[tuple[object, ...]] = [("claim", "film1", "film0", GRADES[0], 1)]
    old = influence_graph(store_of(before))
    new_store = store_of([*before, ("year", "film0", 1921), ("movement", "film0", "m1")])
    updated = update_projection(old, new_store, {ID + "film0"}, set())
    assert updated.nodes[ID + "film0"]["years"] == (1921,)
    assert updated.nodes[ID + "film0"]["movements"] == (ID + "m1",)
