"""The fast path for common dates gives exactly what the full EDTF grammar gives."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from filmgraph.temporal import EdtfValue, parse_date, parse_date_grammar

years = st.integers(min_value=-9999, max_value=9999).map(
    lambda y: f"-{-y:04d}" if y < 0 else f"{y:04d}"
)
months = st.integers(min_value=0, max_value=14).map(lambda m: f"{m:02d}")
days = st.integers(min_value=0, max_value=32).map(lambda d: f"{d:02d}")
plain = st.one_of(
    years,
    st.tuples(years, months).map("-".join),
    st.tuples(years, months, days).map("-".join),
)
common = st.tuples(plain, st.sampled_from(["", "", "?", "~", "%"])).map("".join)


def outcome(parse: object, text: str) -> EdtfValue | str:
    try:
        return parse(text)  # type: ignore[operator, no-any-return]
    except ValueError as error:
        return f"error: {error}"


@settings(max_examples=200, deadline=None)
@given(common)
@example("1900-02-29")
@example("2000-02-29")
@example("0000")
@example("-0500")
@example("1936-13")
def test_common_forms_read_as_the_grammar_reads_them(text: str) -> None:
    assert outcome(parse_date, text) == outcome(parse_date_grammar.__wrapped__, text)


@settings(max_examples=60, deadline=None)
@given(plain, st.sampled_from(["?~", "/..", "X", "-21"]))
def test_other_forms_still_go_to_the_grammar(text: str, mark: str) -> None:
    uncommon = text + mark
    assert outcome(parse_date, uncommon) == outcome(parse_date_grammar.__wrapped__, uncommon)
