"""Splitting runs that lost their separators: titles on "(Year)", themes against a vocabulary."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from filmgraph.loaders.pagesegment import segment_run, split_case_run, split_titles

VOCABULARY = {
    label: label.replace(" ", "-")
    for label in (
        "coal mining",
        "soviet propaganda",
        "industrialization",
        "political struggle",
        "industrial accident",
        "revolutionary fervor",
        "war",
        "great patriotic war",
        "montage",
    )
}


def test_title_runs_split_on_the_year_boundaries() -> None:
    titles, rest = split_titles("Earth (1930)Nine Days of One Year (1962)The Height (1957)")
    assert titles == [("Earth", 1930), ("Nine Days of One Year", 1962), ("The Height", 1957)]
    assert rest == ""


def test_a_title_without_a_year_is_what_is_left() -> None:
    assert split_titles("Strike (1925)Mother") == ([("Strike", 1925)], "Mother")


def test_key_themes_split_where_lowercase_meets_uppercase() -> None:
    assert split_case_run("Love tested by warGuilt and hopeLife goes on") == [
        "Love tested by war",
        "Guilt and hope",
        "Life goes on",
    ]


def test_topics_glued_lowercase_to_lowercase_are_split_by_the_vocabulary() -> None:
    result = segment_run("industrial accidentrevolutionary fervor", VOCABULARY)
    assert [m[1] for m in result.matches] == ["industrial-accident", "revolutionary-fervor"]
    assert result.leftovers == []


def test_the_longest_label_wins() -> None:
    result = segment_run("Great Patriotic Warmontage", VOCABULARY)
    assert [m[1] for m in result.matches] == ["great-patriotic-war", "montage"]


def test_what_no_label_covers_is_reported_as_leftovers() -> None:
    result = segment_run("coal miningOdessa stepsmontage", VOCABULARY)
    assert [m[1] for m in result.matches] == ["coal-mining", "montage"]
    assert result.leftovers == ["Odessa steps"]


def test_a_short_label_is_not_carved_out_of_an_unknown_word() -> None:
    result = segment_run("warfaremontage", {"war": "war", "montage": "montage"})
    assert result.leftovers == ["warfare"]


def test_a_label_is_not_carved_out_of_a_phrase_with_spaces() -> None:
    result = segment_run("Russian Revolution of 1905montage", {"revolution": "r", "montage": "m"})
    assert result.leftovers == ["Russian Revolution of 1905"]


@given(st.lists(st.sampled_from(sorted(VOCABULARY)), min_size=1, max_size=8))
def test_a_run_of_known_labels_segments_back_into_them(labels: list[str]) -> None:
    run = "".join(labels)
    result = segment_run(run, VOCABULARY)
    covered = sum(len(m[0]) for m in result.matches)
    assert covered == len(run)


@given(st.text(max_size=60))
def test_segmentation_never_loses_a_character(run: str) -> None:
    result = segment_run(run, VOCABULARY)
    pieces = "".join(m[0] for m in result.matches) + "".join(result.leftovers)
    assert sorted(c for c in pieces if not c.isspace()) == sorted(c for c in run if not c.isspace())
