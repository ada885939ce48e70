"""Title keys: spellings of one title meet, other titles do not (filmgraph.titles)."""

from __future__ import annotations

import csv
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from filmgraph.titles import same_title, title_key, title_keys

VARIANTS = Path(__file__).parent / "fixtures" / "title-variants"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The Intouchables", "Intouchables"),
        ("L'Atalante", "Atalante"),
        ("Der blaue Engel", "Blaue Engel"),
        ("La Dolce Vita", "Dolce vita"),
        ("Het gouden ei", "Gouden ei"),
        ("The Five-Year Plan", "5-Year Plan"),
        ("Battleship Potemkin (Bronenosets Potyomkin)", "Bronenosets Potyomkin"),
        ("Frankenweenie (1984)", "Frankenweenie"),
        ("Ménilmontant", "Menilmontant"),
        ("Ben-Hur: A Tale of the Christ", "Ben-Hur"),
        ("Suspect X aka Yôgisha X no kenshin", "Suspect X"),
        ("Arsenal & Earth", "Arsenal and Earth"),
    ],
)
def test_spellings_of_one_title_are_the_same_title(a: str, b: str) -> None:
    assert same_title(a, b)
    assert same_title(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Down", "Down to Earth"),
        ("Doraemon: Nobita and the Steel Troops", "Doraemon: Nobita's Dinosaur"),
        ("The Apache Kid's Escape", "Escape"),
        ("Five", "Six"),
    ],
)
def test_different_titles_are_not_the_same_title(a: str, b: str) -> None:
    assert not same_title(a, b)


def test_a_lone_article_is_a_title_of_its_own() -> None:
    assert title_key("The") == "the"


@given(st.text(alphabet=string.printable + "éèüöñçÉÈÜÖÑÇ", max_size=40))
def test_keys_do_not_depend_on_letter_case(title: str) -> None:
    assert title_keys(title.swapcase()) == title_keys(title)


def _pairs(name: str) -> list[dict[str, str]]:
    with (VARIANTS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _linked(row: dict[str, str], use_ids: bool = True) -> bool:
    """What linking decides for two film records: the same title, years within one, and
    (as in linking) never two different authority ids."""
    if use_ids and row["id_a"] and row["id_b"] and row["id_a"] != row["id_b"]:
        return False
    return abs(int(row["year_a"]) - int(row["year_b"])) <= 1 and same_title(
        row["title_a"], row["title_b"]
    )


def _measure(use_ids: bool) -> tuple[float, float, list[str]]:
    rows = _pairs("hand.csv") + _pairs("remakes.csv")
    decided = [(_linked(row, use_ids), row["same"] == "1") for row in rows]
    true_pos = sum(1 for got, want in decided if got and want)
    precision = true_pos / max(1, sum(1 for got, _ in decided if got))
    recall = true_pos / sum(1 for _, want in decided if want)
    missed = [
        f"{r['title_a']} | {r['title_b']}"
        for r in rows
        if r["same"] == "1" and not _linked(r, use_ids)
    ]
    print(
        f"title variants ({len(rows)} pairs, authority ids {'used' if use_ids else 'ignored'}):"
        f" precision {precision:.2f}, recall {recall:.2f}; missed: {missed}"
    )
    return precision, recall, missed


def test_precision_on_real_title_variants_is_at_least_099() -> None:
    precision, _, _ = _measure(use_ids=True)
    assert precision >= 0.99


def test_recall_on_real_title_variants_stays_above_what_was_measured() -> None:
    # 24 of 29 (0.83): the misses are translations, transliterations and release titles
    # that no spelling rule joins ("Ringu"/"Ring", "Aina"/"Aaina", "La Femme Nikita"/
    # "Nikita", "13 Tzameti"/"Tzameti", "Funny Games"/"Funny Games U.S.").
    _, recall, _ = _measure(use_ids=True)
    assert recall >= 0.82


@pytest.mark.xfail(strict=True, reason="the issue's target (recall 0.90) is not met: 0.83")
def test_recall_on_real_title_variants_reaches_the_target() -> None:
    _, recall, _ = _measure(use_ids=True)
    assert recall >= 0.90


def test_without_authority_ids_a_remake_a_year_later_is_taken_for_the_original() -> None:
    precision, _, _ = _measure(use_ids=False)
    assert precision < 0.99  # "Classmates" (2006) and its remake "Classmates" (2007)
