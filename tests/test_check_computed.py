"""A check computed by a faster route answers exactly the rows of its query.

``influence-cycle-violation`` is answered on an embedded store from the strongly connected
components of the influence steps (``filmgraph.checks.check_answer``); its query stays the
definition. On small random graphs of works and people, claims between them (loops, claims
forward and backward in time, a claim stated twice) and zero to two years and labels per
node, both routes give the same rows on every embedded backend, and the planted case of
``tests/queries/influence-cycle-violation`` gives its expected rows. A graph without claims
has no cycle (rdflib answers the query there with a group of nothing, and so with rows).
"""

from __future__ import annotations

import csv
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Dataset

from filmgraph.checks import COMPUTED_CHECKS, check_answer
from filmgraph.queries import get_query
from filmgraph.results import render
from filmgraph.store import backend

from .test_queries import CASES, open_case_store

BACKENDS = ["memory", "oxigraph"]
PREFIXES = """\
@prefix fg: <https://w3id.org/filmgraph/ontology#> .
@prefix film: <https://w3id.org/filmgraph/id/film/> .
@prefix person: <https://w3id.org/filmgraph/id/person/> .
@prefix claim: <https://w3id.org/filmgraph/id/claim/> .
@prefix graph: <https://w3id.org/filmgraph/id/graph/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@st.composite
def worlds(draw: st.DrawFn) -> str:
    """A small graph of works and people with claims between them, as TriG."""
    n = draw(st.integers(1, 7))
    nodes = [f"person:p{i}" if draw(st.booleans()) else f"film:f{i}" for i in range(n)]
    lines = ["graph:s {"]
    for node in nodes:
        years = draw(st.sets(st.integers(1920, 1926), max_size=2))
        labels = draw(st.sets(st.sampled_from(["A", "B"]), max_size=2))
        lines += [f'  {node} fg:year "{y}"^^xsd:gYear .' for y in sorted(years)]
        lines += [f'  {node} rdfs:label "{label}" .' for label in sorted(labels)]
    index = st.integers(0, n - 1)
    pairs = draw(st.lists(st.tuples(index, index), min_size=1, max_size=9))
    for k, (later, earlier) in enumerate(pairs):
        lines.append(
            f"  claim:c{k} a fg:InspirationClaim ; fg:influencee {nodes[later]} ;"
            f" fg:influencer {nodes[earlier]} ."
        )
    lines.append("}")
    return PREFIXES + "\n".join(lines) + "\n"


def rows(result: object) -> Counter[tuple[str, ...]]:
    return Counter(tuple(str(t) for t in row) for row in result)  # type: ignore[attr-defined]


def test_the_cycle_check_is_computed() -> None:
    assert "influence-cycle-violation" in COMPUTED_CHECKS


@pytest.mark.parametrize("kind", BACKENDS)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(trig=worlds())
def test_each_computed_check_gives_the_rows_of_its_query(kind: str, trig: str) -> None:
    dataset = Dataset()
    dataset.parse(data=trig, format="trig")
    with backend(kind)() as store:
        store.add_dataset(dataset)
        for name in sorted(COMPUTED_CHECKS):
            query = get_query(name)
            assert rows(check_answer(store, query)) == rows(store.query(query.text)), name


@pytest.mark.parametrize("kind", BACKENDS)
@pytest.mark.parametrize("name", sorted(COMPUTED_CHECKS))
def test_each_computed_check_gives_its_case_s_expected_rows(name: str, kind: str) -> None:
    with open_case_store(name, kind) as store:
        got = list(csv.reader(render(check_answer(store, get_query(name)), "csv").splitlines()))
    with (CASES / name / "expected.csv").open(encoding="utf-8", newline="") as handle:
        expected = list(csv.reader(handle))
    assert got[0] == expected[0] and sorted(got[1:]) == sorted(expected[1:])


@pytest.mark.parametrize("kind", BACKENDS)
def test_a_graph_without_claims_has_no_cycle(kind: str) -> None:
    dataset = Dataset()
    dataset.parse(data=PREFIXES + 'graph:s { film:f0 rdfs:label "A" . }', format="trig")
    with backend(kind)() as store:
        store.add_dataset(dataset)
        assert not check_answer(store, get_query("influence-cycle-violation")).rows
