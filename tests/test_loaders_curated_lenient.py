"""Lenient curated loading: a skipped row takes its id with it, and what referred to it is
skipped and listed too, instead of loading and dangling."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from filmgraph.build import build
from filmgraph.checks import check_build
from filmgraph.errors import SourceError
from filmgraph.loaders import LoadContext

from .conftest import FIXTURES, load_source


@pytest.fixture
def bad_year(tmp_path: Path) -> Path:
    """curated-small with Strike's year mistyped as 19255."""
    folder = tmp_path / "curated"
    shutil.copytree(FIXTURES / "curated-small", folder)
    films = folder / "films.csv"
    films.write_text(
        films.read_text().replace(
            "strike-1925,Strike,Стачка,ru,1925,", "strike-1925,Strike,Стачка,ru,19255,"
        )
    )
    return folder


def test_a_malformed_film_year_is_an_error_naming_file_row_and_column(bad_year: Path) -> None:
    with pytest.raises(SourceError) as caught:
        load_source("curated-tables", bad_year)
    assert (caught.value.file.name, caught.value.line, caught.value.field) == (
        "films.csv",
        3,
        "year",
    )
    assert "'19255' is not a year" in caught.value.reason


def test_rows_left_dangling_by_a_skipped_row_are_skipped_and_name_it(bad_year: Path) -> None:
    _, context = load_source("curated-tables", bad_year, LoadContext(strict=False))
    dangling = [e for e in context.skipped if "films.csv:3) was skipped" in e.reason]
    assert dangling
    assert {e.file.name for e in dangling} >= {"influences.csv"}
    assert all("strike-1925" in e.reason for e in dangling)


def test_a_lenient_build_leaves_nothing_dangling(bad_year: Path, tmp_path: Path) -> None:
    store = tmp_path / "build"
    result = build(store, sources=[bad_year], bundled=False, strict=False)
    assert any("films.csv:3" in line for line in result.skipped)
    checks = {c.name: c for c in check_build(store).checks}
    assert checks["dangling-link-violation"].passed


def test_a_name_that_slugs_to_nothing_is_a_skippable_error(tmp_path: Path) -> None:
    folder = tmp_path / "curated"
    folder.mkdir()
    (folder / "countries.csv").write_text("code,name,wikidata\nSU,Soviet Union,\nXX,---,\n")
    _, context = load_source("curated-tables", folder, LoadContext(strict=False))
    (error,) = context.skipped
    assert (error.file.name, error.line, error.field) == ("countries.csv", 3, "name")
    assert "empty identifier" in error.reason
