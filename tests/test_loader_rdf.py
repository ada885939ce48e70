"""Other archives' RDF: four syntaxes, mapped onto our terms, and never a network access."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from filmgraph.errors import SourceError
from filmgraph.loaders import LoadContext, guess_loader
from filmgraph.namespaces import FG, WD

from .conftest import FIXTURES, load_source

RDF_DIR = FIXTURES / "rdf"
EX = "https://archive.example.org/"


def load(name: str) -> tuple[Graph, LoadContext]:
    return load_source("rdf", RDF_DIR / name)


@pytest.mark.parametrize(
    ("name", "film", "title"),
    [
        ("archive.ttl", "film-7", "Chapayev"),
        ("archive.nt", "film-8", "Turksib"),
        ("archive.jsonld", "film-9", "Earth"),
        ("archive.rdf", "film-11", "Mother"),
    ],
)
def test_each_syntax_gives_a_film_in_our_terms(name: str, film: str, title: str) -> None:
    graph, _ = load(name)
    node = URIRef(EX + film)
    assert (node, RDF.type, FG.Film) in graph
    assert str(graph.value(node, RDFS.label)) == title
    assert graph.value(node, FG.year) is not None


def test_schema_and_wikidata_properties_map_by_the_alignments() -> None:
    graph, _ = load("archive.ttl")
    film = URIRef(EX + "film-7")
    assert (film, FG.releaseDate, Literal("1934-11-05", datatype=XSD.date)) in graph
    assert (film, FG.year, Literal("1934", datatype=XSD.gYear)) in graph
    assert (film, FG.director, URIRef(EX + "person-3")) in graph
    assert (film, FG.runtime, Literal(95, datatype=XSD.integer)) in graph
    assert (film, FG.wikidata, WD.Q1056791) in graph


def test_unmapped_predicates_are_kept_and_reported() -> None:
    graph, context = load("archive.ttl")
    assert (URIRef(EX + "film-7"), URIRef(EX + "shelfMark"), Literal("C-1934-7")) in graph
    assert any("shelfMark" in note for note in context.notes)


def test_a_json_ld_remote_context_is_refused_before_parsing() -> None:
    with pytest.raises(SourceError) as caught:
        load("remote-context.jsonld")
    assert caught.value.field == "@context"
    assert "https://schema.org/" in caught.value.reason


def test_an_rdf_xml_external_entity_is_refused() -> None:
    with pytest.raises(SourceError) as caught:
        load("external-entity.rdf")
    assert (caught.value.line, caught.value.field) == (3, "DOCTYPE")


def test_invalid_turtle_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        load("broken.ttl")
    assert caught.value.file.name == "broken.ttl"
    assert "turtle" in caught.value.reason


def test_a_folder_of_rdf_files_gives_one_graph_per_file(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    for name in ("archive.ttl", "archive.nt"):
        (folder / name).write_bytes((RDF_DIR / name).read_bytes())
    (folder / "README.md").write_text("not RDF\n", encoding="utf-8")
    loader = guess_loader(folder)
    sources = list(loader.load(folder, LoadContext(), tmp_path))
    assert loader.name == "rdf"
    assert [s.path.name for s in sources] == ["archive.nt", "archive.ttl"]
    assert len({s.iri for s in sources}) == 2
