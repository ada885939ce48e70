"""Dates are read as EDTF and widened to the span of days they may mean."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from filmgraph.temporal import parse_date


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "uncertain"),
    [
        ("1925", dt.date(1925, 1, 1), dt.date(1925, 12, 31), False),
        ("1936-08", dt.date(1936, 8, 1), dt.date(1936, 8, 31), False),
        ("1917-11-07", dt.date(1917, 11, 7), dt.date(1917, 11, 7), False),
        ("1934~", dt.date(1934, 1, 1), dt.date(1934, 12, 31), True),
        ("1925?", dt.date(1925, 1, 1), dt.date(1925, 12, 31), True),
        ("193X", dt.date(1930, 1, 1), dt.date(1939, 12, 31), False),
        ("1941-06-22/1945-05-09", dt.date(1941, 6, 22), dt.date(1945, 5, 9), False),
    ],
)
def test_edtf_values_span_what_they_may_mean(
    text: str, earliest: dt.date, latest: dt.date, uncertain: bool
) -> None:
    value = parse_date(text)
    assert (value.earliest, value.latest, value.uncertain) == (earliest, latest, uncertain)
    assert str(value.literal) == text


@pytest.mark.parametrize("text", ["c. 1935", "1930s", "15/03/1937", "", "1937-13"])
def test_non_edtf_text_is_refused_with_a_hint(text: str) -> None:
    with pytest.raises(ValueError, match="not an EDTF date"):
        parse_date(text)


@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_an_exact_day_is_precise(day: dt.date) -> None:
    value = parse_date(day.isoformat())
    assert value.precise
    assert value.earliest == value.latest == day
