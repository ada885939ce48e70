"""``parse_year``: the one year parser of every loader reads a year whole or refuses it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filmgraph.temporal import parse_year, year_literal

YEARS = st.integers(min_value=1000, max_value=2999)


@given(YEARS)
def test_a_plain_year_is_itself_and_exact(year: int) -> None:
    value = parse_year(str(year))
    assert (value.text, value.earliest.year, value.latest.year, value.uncertain) == (
        str(year),
        year,
        year,
        False,
    )


@given(YEARS, st.text(alphabet="0123456789abcxyz RockwelÄ", min_size=1, max_size=8))
def test_anything_after_a_year_is_refused_not_cut_off(year: int, tail: str) -> None:
    if not tail.strip():
        return  # "1942 " is the year 1942
    with pytest.raises(ValueError, match="not a year"):
        parse_year(f"{year}{tail}")


@settings(deadline=None, max_examples=40)  # intervals go through the EDTF grammar (slow)
@given(YEARS, st.integers(min_value=0, max_value=40), st.sampled_from(["-", "/", "\u2013", " - "]))
def test_a_span_of_years_becomes_an_edtf_interval(first: int, length: int, dash: str) -> None:
    last = min(first + length, 2999)
    value = parse_year(f"{first}{dash}{last}")
    assert (value.earliest.year, value.latest.year) == (first, last)
    assert value.text == (f"{first}/{last}" if last != first else str(first))


@pytest.mark.parametrize(
    ("text", "edtf"),
    [
        ("1934?", "1934?"),
        ("1934~", "1934~"),
        ("c. 1934", "1934~"),
        ("circa 1934", "1934~"),
        ("ca 1934", "1934~"),
    ],
)
def test_an_uncertain_year_keeps_its_uncertainty_as_edtf(text: str, edtf: str) -> None:
    value = parse_year(text)
    assert (value.text, value.uncertain, str(year_literal(value))) == (edtf, True, "1934")


def test_a_span_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_year("1964-1961")
