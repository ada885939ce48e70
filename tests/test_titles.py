"""Title keys: spellings of one title meet, other titles do not (filmgraph.titles)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from filmgraph.titles import same_title, title_key, title_keys


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
