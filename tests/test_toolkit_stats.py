"""Statistics and the name index are kept with the build, and right after every rebuild."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from filmgraph.aggregates import (
    AGGREGATES_NAME,
    compute_aggregates,
    read_aggregates,
    write_aggregates,
)
from filmgraph.build import build
from filmgraph.builddir import BuildDir
from filmgraph.cli import main
from filmgraph.resolve import NAME_INDEX, candidates, write_name_index
from filmgraph.store import open_store

from .conftest import FIXTURES

NEW_CLAIM = "strike-1925,intolerance-1916,inspiration,parallel editing,test-notes,low,\n"


def publish_build(path: Path, sources: Path) -> Path:
    """Build and write what the build keeps with a generation, as the build step does."""
    build(path, sources=[sources], bundled=False)
    generation = BuildDir(path).current().path
    with open_store(path) as store:
        write_aggregates(generation, compute_aggregates(store))
        write_name_index(store, generation)
    return generation


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stats") / "build"
    publish_build(path, FIXTURES / "curated-small")
    return path


def test_the_aggregates_read_back_are_those_computed(built: Path) -> None:
    with open_store(built) as store:
        computed = compute_aggregates(store)
    assert read_aggregates(built) == computed
    assert computed["counts"]["films"] == 3
    assert [f["id"] for f in computed["most_cited"]] == [
        "film:intolerance-1916",
        "film:strike-1925",
    ]
    assert computed["movement_decades"] == [
        {
            "movement": "https://w3id.org/filmgraph/id/movement/soviet-montage",
            "id": "movement:soviet-montage",
            "label": "Soviet montage",
            "decade": 1920,
            "films": 2,
        }
    ]


def test_the_aggregates_are_right_after_a_rebuild(tmp_path: Path) -> None:
    sources = tmp_path / "curated"
    shutil.copytree(FIXTURES / "curated-small", sources)
    path = tmp_path / "build"
    publish_build(path, sources)
    before = read_aggregates(path)["most_cited"]
    with (sources / "influences.csv").open("a", encoding="utf-8") as handle:
        handle.write(NEW_CLAIM)
    publish_build(path, sources)
    after = {f["id"]: f["claims"] for f in read_aggregates(path)["most_cited"]}
    assert after["film:intolerance-1916"] == 1 + next(
        f["claims"] for f in before if f["id"] == "film:intolerance-1916"
    )


def test_the_build_keeps_the_aggregates_with_the_generation(tmp_path: Path) -> None:
    path = tmp_path / "build"
    build(path, sources=[FIXTURES / "curated-small"], bundled=False)
    generation = BuildDir(path).current().path
    assert json.loads((generation / AGGREGATES_NAME).read_text())["counts"]["films"] == 3


def test_a_generation_without_aggregates_gets_them_computed_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "build"
    build(path, sources=[FIXTURES / "curated-small"], bundled=False)
    generation = BuildDir(path).current().path
    (generation / AGGREGATES_NAME).unlink()  # as a generation built before aggregates were kept
    assert read_aggregates(path)["counts"]["films"] == 3
    assert (generation / AGGREGATES_NAME).is_file()


def test_stats_prints_the_aggregates_as_json(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--store", str(built), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == read_aggregates(built)


def test_stats_prints_tables(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--store", str(built), "--top", "1"]) == 0
    out = capsys.readouterr().out
    assert "Intolerance (1916)" in out and "Strike (1925)" not in out
    assert "Soviet montage" in out and "1920s" in out


@pytest.mark.parametrize(
    "name",
    [
        "Battleship Potemkin",
        "battleship potemkin",
        "Стачка",
        "Strike (1925)",
        "Sergei Eisenstein",
        "Soviet montage",
        "No Such Film",
    ],
)
def test_the_name_index_finds_what_the_query_finds(built: Path, name: str) -> None:
    generation = BuildDir(built).current().path
    index = generation / NAME_INDEX
    assert index.is_file()
    with open_store(built) as store:
        indexed = candidates(store, name)
    moved = index.rename(index.with_suffix(".away"))
    try:
        with open_store(built) as store:
            queried = candidates(store, name)
    finally:
        moved.rename(index)
    assert indexed == queried


def plant(index: Path) -> None:
    """Add a film called "Strike" that only the index knows."""
    with contextlib.closing(sqlite3.connect(index)) as db, db:
        db.execute(
            "INSERT INTO names VALUES ('strike', 'film', ?, 'Strike', 1999)",
            ("https://w3id.org/filmgraph/id/film/planted",),
        )


def test_a_lookup_reads_the_name_index(tmp_path: Path) -> None:
    generation = publish_build(tmp_path / "build", FIXTURES / "curated-small")
    plant(generation / NAME_INDEX)
    with open_store(tmp_path / "build") as store:
        assert 1999 in [c.year for c in candidates(store, "Strike")]


def test_a_name_index_of_another_generation_is_not_used(tmp_path: Path) -> None:
    old = publish_build(tmp_path / "old", FIXTURES / "curated-small")
    plant(old / NAME_INDEX)
    path = tmp_path / "build"
    build(path, sources=[FIXTURES / "curated-small"], bundled=False)
    shutil.copy(old / NAME_INDEX, BuildDir(path).current().path / NAME_INDEX)
    with open_store(path) as store:
        assert [c.year for c in candidates(store, "Strike")] == [1925]
