"""The forward-in-time check reads the right year of a film that sources date twice.

A claim "V drew on U" is flagged only when even U's earliest year is after V's latest year.
Each case below gives one end two years, one on each side of the other end's year, so a check
that took the wrong bound (MAX of the influencer, MIN of the influencee) flags a sound claim,
and one that never flags misses the last case. The SPARQL side of the same mutation is caught
by the ``forward-influence-violation`` and ``contested-claims`` cases in ``tests/queries/``.
"""

from __future__ import annotations

import networkx as nx
import pytest

from filmgraph.analytics.contested import contested_claims


def forward(influencer_years: tuple[int, ...], influencee_years: tuple[int, ...]) -> bool:
    graph = nx.DiGraph()
    graph.add_node("u", label="U", years=influencer_years)
    graph.add_node("v", label="V", years=influencee_years)
    graph.add_edge("u", "v", claims=[{"claim": "c", "source": "s"}])
    return any(c.kind == "forward in time" for c in contested_claims(graph))


def test_an_influencer_dated_before_and_after_is_given_the_benefit_of_its_earlier_year() -> None:
    assert not forward((1920, 1940), (1930,))


def test_an_influencee_dated_before_and_after_is_given_the_benefit_of_its_later_year() -> None:
    assert not forward((1930,), (1920, 1940))


def test_an_influencer_later_than_every_year_of_the_influencee_is_flagged() -> None:
    assert forward((1941, 1945), (1920, 1940))


@pytest.mark.parametrize("gap", [1, 5, 30])
def test_equal_years_never_point_forward_in_time(gap: int) -> None:
    assert not forward((1930, 1930 + gap), (1930,))
