"""Names on the command line become IRIs: label, 'label (year)', id, prefixed name or IRI."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, URIRef

from filmgraph.build import build
from filmgraph.cli import main
from filmgraph.errors import AmbiguousName, UnknownName
from filmgraph.provenance import ONTOLOGY_GRAPH
from filmgraph.resolve import candidates, resolve_name
from filmgraph.resources import ontology_path
from filmgraph.store.base import Store
from filmgraph.store.oxigraph import OxigraphStore

from .conftest import FIXTURES

# The name-lookup case holds two films called "The Storm" (1934, 1957), a person whose alias
# is "the storm", a film called "Calm", a period called "Storm years", a film an archive
# minted its own IRI for ("the Storm", 1935) and one whose title key is "the storm" (Burya).
CASE = Path(__file__).parent / "queries" / "name-lookup" / "data.trig"
FILM = "https://w3id.org/filmgraph/id/film/"
ANALYTICS = FIXTURES / "analytics"


@pytest.fixture(scope="module")
def store() -> Store:
    # The embedded engine every command uses (the query itself runs on both backends in
    # tests/test_queries.py).
    dataset = Dataset()
    dataset.parse(CASE, format="trig")
    dataset.graph(ONTOLOGY_GRAPH).parse(ontology_path(), format="turtle")
    store = OxigraphStore()
    store.add_dataset(dataset)
    return store


def test_a_unique_label_resolves_whatever_its_case(store: Store) -> None:
    assert resolve_name(store, "calm") == URIRef(FILM + "calm-1960")


def test_label_and_year_pick_one_of_two_films(store: Store) -> None:
    assert resolve_name(store, "The Storm (1957)") == URIRef(FILM + "the-storm-1957")


def test_an_original_title_resolves(store: Store) -> None:
    assert resolve_name(store, "Гроза") == URIRef(FILM + "the-storm-1934")


@pytest.mark.parametrize(
    "text", ["calm-1960", "film:calm-1960", f"<{FILM}calm-1960>", f"{FILM}calm-1960"]
)
def test_ids_prefixed_names_and_iris_resolve(store: Store, text: str) -> None:
    assert resolve_name(store, text) == URIRef(FILM + "calm-1960")


def test_an_ambiguous_name_lists_every_candidate(store: Store) -> None:
    with pytest.raises(AmbiguousName) as caught:
        resolve_name(store, "The Storm")
    listed = [iri for iri, _ in caught.value.candidates]
    assert listed == [
        "https://archive.example.org/film/5",
        FILM + "burya-1936",
        FILM + "the-storm-1934",
        FILM + "the-storm-1957",
        "https://w3id.org/filmgraph/id/person/storm",
    ]
    assert "The Storm (1934), film" in str(caught.value)


def test_kinds_narrow_the_candidates(store: Store) -> None:
    found = candidates(store, "the storm", ("person",))
    assert [c.label for c in found] == ["Ivan Storm"]


def test_a_kind_left_out_is_not_matched(store: Store) -> None:
    with pytest.raises(UnknownName):
        resolve_name(store, "Storm years")  # a period; events are not asked for by default
    assert resolve_name(store, "Storm years", ("event",)).endswith("storm-years")


def test_an_unknown_name_says_how_to_name_things(store: Store) -> None:
    with pytest.raises(UnknownName, match="label \\(year\\)"):
        resolve_name(store, "No Such Film")


def test_a_year_that_fits_no_candidate_is_unknown(store: Store) -> None:
    with pytest.raises(UnknownName):
        resolve_name(store, "The Storm (1999)")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store_dir = tmp_path_factory.mktemp("resolve") / "build"
    build(store_dir, sources=[ANALYTICS / "planted", ANALYTICS / "two-storms.ttl"], bundled=False)
    return store_dir


def test_an_ambiguous_name_on_the_command_line_lists_candidates_and_exits_2(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lineage", "The Storm", "--store", str(built)]) == 2
    err = capsys.readouterr().err
    assert "film:the-storm-1934" in err or FILM + "the-storm-1934" in err
    assert "The Storm (1957), film" in err


def test_an_unknown_name_on_the_command_line_exits_2(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["path", "Nothing Here", "Ring A", "--store", str(built)]) == 2
    assert "no film or person is called 'Nothing Here'" in capsys.readouterr().err


def test_label_and_year_work_on_the_command_line(built: Path) -> None:
    assert main(["lineage", "Late Film (1937)", "--direction", "up", "--store", str(built)]) == 0
