"""Reasoning from a delta: what :func:`materialise_delta` adds to a materialised store is
exactly what :func:`materialise_store` gives for the whole data, for every part of the
fixtures added last (the incremental build's fast path relies on it)."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
import pytest
from rdflib import Dataset

from filmgraph.errors import FastPathRefused
from filmgraph.reasoning import INFERRED_GRAPH, materialise_delta, materialise_store
from filmgraph.store.oxigraph import dataset_quads

from .conftest import FIXTURES, load_fixture_dataset
from .test_reasoning import CONTEXT_CASE, with_ontology

_INFERRED = ox.NamedNode(str(INFERRED_GRAPH))


def quads(dataset: Dataset) -> list[ox.Quad]:
    return list(dataset_quads(dataset))


def inferred(store: ox.Store) -> set[str]:
    return {str(q) for q in store.quads_for_pattern(None, None, None, _INFERRED)}


def full(everything: list[ox.Quad]) -> set[str]:
    store = ox.Store()
    store.extend(everything)
    materialise_store(store)
    return inferred(store)


def incremental(base: list[ox.Quad], added: list[ox.Quad]) -> set[str]:
    store = ox.Store()
    store.extend(base)
    materialise_store(store)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in added]
    novel = [
        t
        for t in dict.fromkeys(triples)
        if next(iter(store.quads_for_pattern(t.subject, t.predicate, t.object, None)), None) is None
    ]
    store.extend(added)
    materialise_delta(store, novel, triples, [])
    return inferred(store)


CURATED = quads(load_fixture_dataset(FIXTURES / "curated-small"))
CONTEXT = quads(with_ontology(CONTEXT_CASE))


def split(everything: list[ox.Quad], by_subject: bool) -> dict[str, list[ox.Quad]]:
    """The parts one could add last: each source graph, or everything about one subject."""
    parts: dict[str, list[ox.Quad]] = defaultdict(list)
    for q in everything:
        if "graph/ontology" in str(q.graph_name):
            continue
        parts[str(q.subject if by_subject else q.graph_name)].append(q)
    return parts


CASES = [
    pytest.param(everything, key, id=key.rsplit("/", 1)[-1])
    for everything, by_subject in ((CURATED, False), (CONTEXT, True))
    for key in sorted(split(everything, by_subject))
]


_COUNTRY = ox.NamedNode("https://w3id.org/filmgraph/ontology#hasCountry")
_DERIVED_FILM = ox.NamedNode("https://w3id.org/filmgraph/ontology#derivedFilm")


def country_of_a_derived_film(base: list[ox.Quad], added: list[ox.Quad]) -> bool:
    """Whether ``added`` gives a country to a film the base derives context for (the date
    rules read countries negatively: the delta refuses, the build takes the full path)."""
    store = ox.Store()
    store.extend(base)
    materialise_store(store)
    return any(
        q.predicate == _COUNTRY
        and next(iter(store.quads_for_pattern(None, _DERIVED_FILM, q.subject, None)), None)
        for q in added
    )


@pytest.mark.parametrize(("everything", "part"), CASES)
def test_the_delta_gives_the_full_closure(everything: list[ox.Quad], part: str) -> None:
    added = split(everything, everything is CONTEXT)[part]
    base = [q for q in everything if q not in set(added)]
    if country_of_a_derived_film(base, added):
        with pytest.raises(FastPathRefused, match="country"):
            incremental(base, added)
    else:
        assert incremental(base, added) == full(everything)


def test_an_added_country_of_a_film_with_derived_context_is_refused() -> None:
    store = ox.Store()
    store.extend(CONTEXT)
    materialise_store(store)
    derived = next(
        q.object
        for q in store.quads_for_pattern(
            None, ox.NamedNode("https://w3id.org/filmgraph/ontology#derivedFilm"), None, None
        )
        if isinstance(q.object, ox.NamedNode)
    )
    country = ox.Triple(
        derived,
        ox.NamedNode("https://w3id.org/filmgraph/ontology#hasCountry"),
        ox.NamedNode("https://w3id.org/filmgraph/id/place/nowhere"),
    )
    late = ox.NamedNode("https://w3id.org/filmgraph/id/graph/late")
    store.add(ox.Quad(country.subject, country.predicate, country.object, late))
    with pytest.raises(FastPathRefused, match="country"):
        materialise_delta(store, [country], [country], [])
