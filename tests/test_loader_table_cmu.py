"""The CMU corpus's columns through the benchmark's CSVW metadata: what maps, what is reported.

The rows are written for these tests in the corpus's layout (``fixtures/tables/cmu/``); the
metadata is the one ``bench/bench_scale.py`` reads the 81,741 films with.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from filmgraph.errors import SourceError
from filmgraph.iri import mint
from filmgraph.loaders import LoadContext
from filmgraph.namespaces import FG

from .conftest import FIXTURES, REPO, load_source

ROWS = FIXTURES / "tables" / "cmu"
METADATA = REPO / "bench" / "data" / "cmu" / "movie.metadata.tsv-metadata.json"


def film(page_id: int) -> URIRef:
    return URIRef(f"https://en.wikipedia.org/wiki?curid={page_id}")


def load_rows(
    rows: Path, tmp_path: Path, context: LoadContext | None = None
) -> tuple[Graph, LoadContext]:
    """``rows`` read as the corpus's table, beside a copy of the benchmark's metadata."""
    shutil.copy(rows, tmp_path / "movie.metadata.tsv")
    shutil.copy(METADATA, tmp_path / METADATA.name)
    return load_source("table", tmp_path / METADATA.name, context)


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[Graph, LoadContext]:
    return load_rows(ROWS / "movie.metadata.tsv", tmp_path)


def notes_on(context: LoadContext, column: str) -> list[str]:
    return [n for n in context.notes if f"column {column!r}" in n]


def test_every_row_becomes_a_film_named_by_its_wikipedia_page(
    loaded: tuple[Graph, LoadContext],
) -> None:
    graph, _ = loaded
    assert set(graph.subjects(RDF.type, FG.Film)) == {film(101), film(102), film(103), film(104)}
    assert (film(101), RDFS.label, Literal("Strike", lang="en")) in graph


def test_a_whole_decimal_runtime_becomes_integer_minutes(
    loaded: tuple[Graph, LoadContext],
) -> None:
    graph, _ = loaded
    assert list(graph.objects(film(101), FG.runtime)) == [Literal(82, datatype=XSD.integer)]


def test_a_fractional_runtime_is_left_out_and_reported_with_its_line(
    loaded: tuple[Graph, LoadContext],
) -> None:
    graph, context = loaded
    assert (film(102), RDF.type, FG.Film) in graph  # the row itself is kept
    assert list(graph.objects(film(102), FG.runtime)) == []
    (note,) = notes_on(context, "runtime")
    assert "1 cell(s) not mapped" in note
    assert "whole numbers only" in note
    assert "line 2: '0.0833333333333'" in note


def test_the_countries_of_a_json_cell_become_countries_of_origin(
    loaded: tuple[Graph, LoadContext],
) -> None:
    graph, _ = loaded
    countries = {graph.value(c, RDFS.label) for c in graph.objects(film(103), FG.countryOfOrigin)}
    assert countries == {Literal("Soviet Union", lang="en"), Literal("Ukraine", lang="en")}
    soviet = next(iter(graph.objects(film(101), FG.countryOfOrigin)))
    assert (soviet, RDF.type, FG.Country) in graph
    assert soviet in set(graph.objects(film(103), FG.countryOfOrigin))  # one node per name


def test_the_freebase_ids_of_json_keys_are_reported_not_dropped_silently(
    loaded: tuple[Graph, LoadContext],
) -> None:
    _, context = loaded
    (note,) = [n for n in notes_on(context, "countries") if "keys" in n]
    assert "3 cell(s) not mapped" in note
    assert "/m/0z01, /m/0z03" in note


@pytest.mark.parametrize(("column", "cells"), [("languages", 2), ("genres", 2), ("freebase_id", 4)])
def test_a_column_the_ontology_cannot_hold_is_reported_with_its_count(
    loaded: tuple[Graph, LoadContext], column: str, cells: int
) -> None:
    _, context = loaded
    (note,) = notes_on(context, column)
    assert f"{cells} cell(s) not mapped: suppressOutput in the metadata (" in note


def test_the_id_column_that_names_the_row_is_not_reported(
    loaded: tuple[Graph, LoadContext],
) -> None:
    _, context = loaded
    assert notes_on(context, "wikipedia_id") == []


def test_a_date_known_to_the_month_gives_the_year_and_a_note(
    loaded: tuple[Graph, LoadContext],
) -> None:
    graph, context = loaded
    assert list(graph.objects(film(103), FG.year)) == [Literal("1937", datatype=XSD.gYear)]
    assert list(graph.objects(film(103), FG.releaseDate)) == []
    (note,) = notes_on(context, "release_date")
    assert "line 3: '1937-05'" in note


def test_a_full_date_gives_release_date_and_year(loaded: tuple[Graph, LoadContext]) -> None:
    graph, _ = loaded
    assert (film(101), FG.releaseDate, Literal("1925-04-28", datatype=XSD.date)) in graph
    assert (film(101), FG.year, Literal("1925", datatype=XSD.gYear)) in graph


def test_box_office_is_kept_as_the_stated_figure(loaded: tuple[Graph, LoadContext]) -> None:
    graph, _ = loaded
    assert list(graph.objects(film(103), FG.boxOffice)) == [Literal("1200")]


def test_empty_cells_give_no_values_and_no_notes(loaded: tuple[Graph, LoadContext]) -> None:
    graph, context = loaded
    assert {p for _, p, _ in graph.triples((film(104), None, None))} == {RDF.type, RDFS.label}
    assert not any("line 4" in n for n in context.notes)


def test_malformed_json_names_file_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        load_rows(ROWS / "bad-json.tsv", tmp_path)
    assert (caught.value.file.name, caught.value.line, caught.value.field) == (
        "movie.metadata.tsv",
        2,
        "countries",
    )


def test_lenient_loading_skips_and_lists_a_row_whose_json_is_malformed(tmp_path: Path) -> None:
    graph, context = load_rows(ROWS / "bad-json.tsv", tmp_path, LoadContext(strict=False))
    assert (film(201), RDF.type, FG.Film) in graph
    assert (film(202), RDF.type, FG.Film) not in graph
    assert sorted((e.line, e.field) for e in context.skipped) == [
        (2, "countries"),
        (3, "countries"),
    ]


def test_nested_json_is_an_error_naming_the_cell(tmp_path: Path) -> None:
    graph, context = load_rows(ROWS / "bad-json.tsv", tmp_path, LoadContext(strict=False))
    nested = context.skipped[-1]
    assert (nested.line, nested.field) == (3, "countries")
    assert "nested JSON" in nested.reason
    assert (film(203), RDF.type, FG.Film) not in graph


def test_countries_resolve_against_a_country_the_graph_already_has(tmp_path: Path) -> None:
    known = Graph()
    ussr = mint("place", "ussr")
    known.add((ussr, RDF.type, FG.Country))
    known.add((ussr, RDFS.label, Literal("Soviet Union", lang="en")))
    graph, _ = load_rows(ROWS / "movie.metadata.tsv", tmp_path, LoadContext(loaded=[known]))
    assert (film(101), FG.countryOfOrigin, ussr) in graph
