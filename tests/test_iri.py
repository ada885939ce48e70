"""IRIs are minted deterministically, from slugs, under the id namespace."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from filmgraph.iri import film_iri, hashed_iri, is_slug, mint, slug


def test_film_iri_follows_title_and_year() -> None:
    assert str(film_iri("The Miners", 1937)) == "https://w3id.org/filmgraph/id/film/the-miners-1937"


def test_cyrillic_titles_are_transliterated() -> None:
    assert slug("Броненосец Потёмкин") == "bronenosets-potemkin"


def test_apostrophes_do_not_split_words() -> None:
    assert slug("Ivan's Childhood") == "ivans-childhood"


def test_mint_refuses_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        mint("flim", "x")


def test_mint_refuses_non_slugs() -> None:
    with pytest.raises(ValueError, match="not a slug"):
        mint("film", "The Miners")


def test_hashed_iri_is_stable_and_sensitive_to_every_part() -> None:
    a = hashed_iri("claim", "source", "film-a", "film-b")
    assert a == hashed_iri("claim", "source", "film-a", "film-b")
    assert a != hashed_iri("claim", "other-source", "film-a", "film-b")
    assert a != hashed_iri("claim", "source", "film-b", "film-a")


@given(st.text(alphabet=st.characters(categories=("L", "N", "P", "Zs")), min_size=1))
def test_slug_is_a_slug_and_idempotent(text: str) -> None:
    try:
        result = slug(text)
    except ValueError:
        return  # nothing letter- or digit-like to keep
    assert is_slug(result)
    assert slug(result) == result
