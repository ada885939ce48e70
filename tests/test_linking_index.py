"""The link index: what linking read of every node, kept for the next build's delta."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from filmgraph.linking import LinkReport, resolve_entities

from .conftest import FIXTURES

WORLD = FIXTURES / "linking" / "index-world.trig"
OURS = "https://w3id.org/filmgraph/id/film/the-miners"
ARCHIVE = "https://archive.example.org/film/7"
SOURCES = [
    URIRef("https://w3id.org/filmgraph/id/graph/table"),
    URIRef("https://w3id.org/filmgraph/id/graph/archive"),
]


@pytest.fixture
def linked(tmp_path: Path) -> tuple[LinkReport, sqlite3.Connection]:
    store = ox.Store()
    store.load(path=str(WORLD), format=ox.RdfFormat.TRIG)
    index = tmp_path / "linking.sqlite"
    report = resolve_entities(store, SOURCES, index=index)
    return report, sqlite3.connect(index)


def test_the_archive_node_merges_into_ours(linked: tuple[LinkReport, sqlite3.Connection]) -> None:
    report, _ = linked
    assert report.merged == {URIRef(ARCHIVE): URIRef(OURS)}


def test_the_index_keeps_a_node_as_its_sources_gave_it_not_as_merging_grew_it(
    linked: tuple[LinkReport, sqlite3.Connection],
) -> None:
    _, db = linked
    years = dict(db.execute("SELECT node, year FROM nodes WHERE kind = 'film'"))
    assert years[OURS] is None and years[ARCHIVE] == 1937
    directed = db.execute("SELECT node FROM directors").fetchall()
    assert directed == [(ARCHIVE,)]


def test_a_node_typed_a_film_and_a_person_is_indexed_once_as_a_film(
    linked: tuple[LinkReport, sqlite3.Connection],
) -> None:
    _, db = linked
    odd = "https://w3id.org/filmgraph/id/film/odd-record"
    assert db.execute("SELECT kind FROM nodes WHERE node = ?", (odd,)).fetchall() == [("film",)]
    assert db.execute("SELECT DISTINCT kind FROM names WHERE node = ?", (odd,)).fetchall() == [
        ("film",)
    ]
