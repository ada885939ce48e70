"""Tables laid out differently, read through CSVW metadata and mapped by the alignments."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from filmgraph.errors import SourceError
from filmgraph.iri import mint
from filmgraph.loaders import LoadContext, guess_loader
from filmgraph.namespaces import FG, WD

from .conftest import FIXTURES, load_source

TABLES = FIXTURES / "tables"
MINERS_ROW = URIRef("https://archive.example.org/film/a-101")


def load(path: Path, context: LoadContext | None = None) -> tuple[Graph, LoadContext]:
    return load_source("table", path, context)


def test_a_tsv_with_csvw_metadata_is_recognised_by_its_metadata() -> None:
    assert guess_loader(TABLES / "archive-films.tsv-metadata.json").name == "table"


def test_schema_org_columns_become_our_terms_through_the_alignments() -> None:
    graph, _ = load(TABLES / "archive-films.tsv-metadata.json")
    assert (MINERS_ROW, RDF.type, FG.Film) in graph
    assert (MINERS_ROW, RDFS.label, Literal("The Miners", lang="en")) in graph
    assert (MINERS_ROW, FG.year, Literal("1937", datatype=XSD.gYear)) in graph


def test_a_value_url_gives_the_authority_link() -> None:
    graph, _ = load(TABLES / "archive-films.tsv-metadata.json")
    assert (URIRef("https://archive.example.org/film/a-102"), FG.wikidata, WD.Q1056791) in graph


def test_a_name_for_a_resource_resolves_against_the_graph() -> None:
    known = Graph()
    yutkevich = mint("person", "sergei-yutkevich")
    known.add((yutkevich, RDF.type, FG.Person))
    known.add((yutkevich, RDFS.label, Literal("Sergei Yutkevich", lang="en")))
    graph, _ = load(TABLES / "archive-films.tsv-metadata.json", LoadContext(loaded=[known]))
    assert (MINERS_ROW, FG.director, yutkevich) in graph
    assert (yutkevich, FG.unresolved, Literal(True)) not in graph


def test_an_unknown_name_becomes_a_node_marked_unresolved() -> None:
    graph, _ = load(TABLES / "archive-films.tsv-metadata.json")
    dovzhenko = mint("person", "alexander-dovzhenko")
    assert (dovzhenko, FG.unresolved, Literal(True)) in graph


def test_a_bad_cell_names_file_row_and_column() -> None:
    with pytest.raises(SourceError) as caught:
        load(TABLES / "bad-years.csv-metadata.json")
    assert (caught.value.file.name, caught.value.line, caught.value.field) == (
        "bad-years.csv",
        3,
        "year",
    )


def test_lenient_loading_keeps_the_good_rows() -> None:
    graph, context = load(TABLES / "bad-years.csv-metadata.json", LoadContext(strict=False))
    assert len(context.skipped) == 1
    assert (
        URIRef("https://archive.example.org/item/x-1"),
        RDFS.label,
        Literal("Strike", lang="en"),
    ) in graph


def test_a_table_named_by_a_remote_url_is_refused() -> None:
    with pytest.raises(SourceError) as caught:
        load(TABLES / "remote-table.csv-metadata.json")
    assert caught.value.field == "url"
    assert "remote" in caught.value.reason
