"""A query rewritten for scale answers exactly what its plain formulation answers.

The whole-graph queries (contested claims, influential films, movement bridges and flows,
source contributions) read the statistics the build keeps in ``graph:statistics``
(``filmgraph.statistics``) instead of every claim; influential-films, shared-themes and
most-cited-films sort by label or IRI only the rows that can reach the page asked for, and
film-descendants is paged and walks five and six steps only when asked. ``tests/queries_reference/``
keeps each one's plain formulation over the claims themselves; on small random worlds of
films, claims, sources, years, movements and themes, with the statistics computed as a
build computes them, both must give the same rows (every page asked for: ``limit=0``), on
every embedded backend; and the pages of a paged query, put end to end, are its whole
answer in its order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Dataset

from filmgraph.provenance import ONTOLOGY_GRAPH
from filmgraph.queries import PAGING, NamedQuery, catalogue, get_query
from filmgraph.statistics import add_statistics
from filmgraph.store import backend

REFERENCE = catalogue(Path(__file__).parent / "queries_reference")
BACKENDS = ["memory", "oxigraph"]
#: What the queries read of the ontology: the weight of each confidence grade.
GRADE_WEIGHTS = """\
@prefix fg: <https://w3id.org/filmgraph/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
fg:HighConfidence fg:weight "1.0"^^xsd:decimal .
fg:MediumConfidence fg:weight "0.6"^^xsd:decimal .
fg:LowConfidence fg:weight "0.3"^^xsd:decimal .
"""
GRADES = ("fg:HighConfidence", "fg:MediumConfidence", "fg:LowConfidence")
PREFIXES = """\
@prefix fg: <https://w3id.org/filmgraph/ontology#> .
@prefix film: <https://w3id.org/filmgraph/id/film/> .
@prefix movement: <https://w3id.org/filmgraph/id/movement/> .
@prefix theme: <https://w3id.org/filmgraph/id/theme/> .
@prefix source: <https://w3id.org/filmgraph/id/source/> .
@prefix claim: <https://w3id.org/filmgraph/id/claim/> .
@prefix graph: <https://w3id.org/filmgraph/id/graph/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@dataclass(frozen=True)
class Claim:
    influencer: int
    influencee: int
    sources: tuple[int, ...]
    grade: int
    aspect: bool


@dataclass(frozen=True)
class World:
    years: tuple[tuple[int, ...], ...]
    movements: tuple[frozenset[int], ...]
    themes: tuple[frozenset[int], ...]
    claims: tuple[Claim, ...]
    contexts: tuple[int, ...]
    similarities: tuple[int, ...]

    def trig(self) -> str:
        """The world as TriG: one named graph per source, the drewOn edges inferred."""
        films = ["graph:films {"]
        for i, years in enumerate(self.years):
            stated = " , ".join(f'"{y}"^^xsd:gYear' for y in years)
            films.append(f'  film:f{i} a fg:Film ; rdfs:label "Film {i}"@en ; fg:year {stated} .')
            films += [f"  film:f{i} fg:partOfMovement movement:m{m} ." for m in self.movements[i]]
            films += [f"  film:f{i} fg:hasTheme theme:t{t} ." for t in self.themes[i]]
        for k in range(3):
            films.append(f'  movement:m{k} a fg:Movement ; rdfs:label "Movement {k}"@en .')
            films.append(f'  source:s{k} a fg:SourceDocument ; rdfs:label "Source {k}" .')
        films.append("}")
        per_source: dict[int, list[str]] = {s: [] for s in range(3)}
        inferred = ["graph:inferred {"]
        for n, c in enumerate(self.claims):
            for s in c.sources:
                aspect = ' ; fg:aspect "montage"' if c.aspect else ""
                per_source[s].append(
                    f"  claim:c{n} a fg:InspirationClaim ; fg:influencer film:f{c.influencer} ;"
                    f" fg:influencee film:f{c.influencee} ; fg:source source:s{s} ;"
                    f" fg:confidence {GRADES[c.grade]}{aspect} ."
                )
            inferred.append(f"  film:f{c.influencee} fg:drewOn film:f{c.influencer} .")
        for n, s in enumerate(self.contexts):
            per_source[s].append(f"  claim:x{n} a fg:ContextClaim ; fg:source source:s{s} .")
        for n, s in enumerate(self.similarities):
            per_source[s].append(f"  claim:y{n} a fg:SimilarityClaim ; fg:source source:s{s} .")
        inferred.append("}")
        graphs = [f"graph:s{s} {{\n" + "\n".join(lines) + "\n}" for s, lines in per_source.items()]
        return "\n".join([PREFIXES, *films, *graphs, *inferred]) + "\n"


@st.composite
def worlds(draw: st.DrawFn) -> World:
    n = draw(st.integers(2, 6))
    film = st.integers(0, n - 1)
    years = tuple(
        tuple(sorted(draw(st.sets(st.integers(1900, 1960), min_size=1, max_size=2))))
        for _ in range(n)
    )
    subset = st.frozensets(st.integers(0, 2), max_size=2)
    claims = draw(
        st.lists(
            st.builds(
                Claim,
                film,
                film,
                st.lists(st.integers(0, 2), min_size=1, max_size=2, unique=True).map(tuple),
                st.integers(0, 2),
                st.booleans(),
            ),
            max_size=8,
        )
    )
    return World(
        years,
        tuple(draw(subset) for _ in range(n)),
        tuple(draw(subset) for _ in range(n)),
        tuple(c for c in claims if c.influencer != c.influencee),
        tuple(draw(st.lists(st.integers(0, 2), max_size=3))),
        tuple(draw(st.lists(st.integers(0, 2), max_size=3))),
    )


def parameter_sets(name: str) -> list[dict[str, str]]:
    """The parameter settings each rewritten query is compared under."""
    return {
        "influential-films": [{}, {"decade": "1920"}, {"movement": "movement:m1"}],
        "shared-themes": [{"film": "film:f0"}, {"film": "film:f1"}],
        "film-descendants": [{"film": "film:f0"}, {"film": "film:f1", "maxDepth": "1"}],
        "movement-bridges": [{}, {"from": "movement:m0"}, {"to": "movement:m1"}],
    }.get(name, [{}])


#: rdflib answers a grouping of no solutions with one group binding nothing (SPARQL gives
#: no group), which the plain influential-films (and most-cited-films) join to every film
#: (every labelled resource) when no claim exists:
#: rows without the variable named here are that artefact, left out of the comparison.
SUBJECT = {"influential-films": "drawnOnBy", "most-cited-films": "claims"}


def answer(
    store: object, query: NamedQuery, params: dict[str, str], columns: list[str] | None = None
) -> tuple[list[str], list[tuple[str, ...]]]:
    """The columns and rows of ``query`` in its order, as text (``columns`` only, if given)."""
    text, bindings = query.prepare(params)
    result = store.query(text, bindings)  # type: ignore[attr-defined]
    columns = columns or result.variables
    subject = SUBJECT.get(query.name)
    at = result.variables.index(subject) if subject else None
    where = [result.variables.index(c) for c in columns]
    found = [
        tuple(cell(row[i]) for i in where)
        for row in result.rows
        if at is None or row[at] is not None
    ]
    return columns, found


def cell(term: object) -> str:
    """A cell as text, a number by its value: engines write a sum of decimals as 1 or 1.0."""
    if term is None:
        return ""
    text = str(term)
    try:
        return format(Decimal(text).normalize(), "f")
    except InvalidOperation:
        return text


def every_row(
    store: object, query: NamedQuery, params: dict[str, str], columns: list[str]
) -> Counter[tuple[str, ...]]:
    """The rows of the rewritten ``query`` (every page of it) on the plain one's columns."""
    paged = {p.name for p in query.parameters} & {"limit"}
    return Counter(answer(store, query, {**params, **dict.fromkeys(paged, "0")}, columns)[1])


def world_store(kind: str, world: World) -> object:
    dataset = Dataset()
    dataset.parse(data=world.trig(), format="trig")
    dataset.graph(ONTOLOGY_GRAPH).parse(data=GRADE_WEIGHTS, format="turtle")
    add_statistics(dataset)
    store = backend(kind)()
    store.add_dataset(dataset)
    return store


def test_every_reference_is_a_named_query() -> None:
    assert REFERENCE and set(REFERENCE) <= set(catalogue())


@pytest.mark.parametrize("kind", BACKENDS)
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(world=worlds())
def test_each_rewritten_query_gives_the_rows_of_its_plain_formulation(
    kind: str, world: World
) -> None:
    with world_store(kind, world) as store:  # type: ignore[attr-defined]
        for name, plain in sorted(REFERENCE.items()):
            rewritten = get_query(name)
            for params in parameter_sets(name):
                columns, expected = answer(store, plain, params)
                found = every_row(store, rewritten, params, columns)
                assert found == Counter(expected), (name, params)


PAGED = sorted(
    q.name for q in catalogue().values() if {p.name for p in q.parameters} >= set(PAGING)
)


def test_the_ranked_lists_are_paged() -> None:
    assert {"influential-films", "shared-themes"} <= set(PAGED)


#: Paging is text (the LIMIT and OFFSET clause), the same for every engine; rdflib's answer
#: with every page is compared with the plain formulation above.
@pytest.mark.parametrize("kind", ["oxigraph"])
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(world=worlds(), size=st.integers(1, 3))
def test_pages_put_end_to_end_are_the_whole_answer(kind: str, world: World, size: int) -> None:
    with world_store(kind, world) as store:  # type: ignore[attr-defined]
        for name in PAGED:
            query = get_query(name)
            for params in parameter_sets(name):
                whole = answer(store, query, {**params, "limit": "0"})[1]
                pages: list[tuple[str, ...]] = []
                for offset in range(0, len(whole) + size, size):
                    page = {**params, "limit": str(size), "offset": str(offset)}
                    pages += answer(store, query, page)[1]
                assert pages == whole, (name, params)
