"""Wikidata-shaped statements (QID, PID, value) mapped through the ontology's alignments."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from filmgraph.errors import SourceError
from filmgraph.iri import film_iri
from filmgraph.loaders import LoadContext
from filmgraph.namespaces import FG, WD

from .conftest import FIXTURES, load_source

STATEMENTS = FIXTURES / "tables" / "films.wikidata.tsv"
CHAPAEV = film_iri("Chapaev", 1934)


def load(path: Path, context: LoadContext | None = None) -> tuple[Graph, LoadContext]:
    return load_source("wikidata", path, context)


def test_an_item_gets_our_iri_and_keeps_its_qid_as_a_link() -> None:
    graph, _ = load(STATEMENTS)
    assert (CHAPAEV, RDF.type, FG.Film) in graph
    assert (CHAPAEV, FG.wikidata, WD.Q1056791) in graph


def test_p577_maps_to_release_date_and_year_by_the_alignments() -> None:
    graph, _ = load(STATEMENTS)
    assert (CHAPAEV, FG.releaseDate, Literal("1934-11-05", datatype=XSD.date)) in graph
    assert (CHAPAEV, FG.year, Literal("1934", datatype=XSD.gYear)) in graph


def test_p57_gives_the_direct_edge_and_a_credit_with_its_role() -> None:
    graph, _ = load(STATEMENTS)
    (director,) = graph.objects(CHAPAEV, FG.director)
    credit = next(graph.subjects(FG.creditAgent, director))
    assert (credit, FG.role, FG.DirectorRole) in graph


def test_a_property_without_a_counterpart_is_reported_not_guessed() -> None:
    _, context = load(STATEMENTS)
    assert any("P106" in note for note in context.notes)


def test_an_item_without_a_name_is_marked_unresolved() -> None:
    graph, _ = load(STATEMENTS)
    (unnamed,) = graph.subjects(FG.wikidata, WD.Q9999)
    assert (unnamed, FG.unresolved, Literal(True)) in graph


def test_a_malformed_row_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.wikidata.tsv"
    path.write_text("Q1\tP57\tQ2\nQ1\tdirector\tQ2\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load(path)
    assert (caught.value.line, caught.value.field) == (2, "property")


def write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "rows.wikidata.tsv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def event(graph: Graph) -> Node:
    (node,) = graph.subjects(FG.wikidata, WD.Q1)
    return node


def test_a_time_keeps_the_precision_it_is_given_with(tmp_path: Path) -> None:
    graph, _ = load(
        write(
            tmp_path,
            "Q1\tP31\tQ13418847",
            "Q1\tlabel\tA war",
            "Q1\tP580\t+1941-06-22T00:00:00Z/11",
            "Q1\tP582\t+1945-00-00T00:00:00Z/9",
        )
    )
    assert set(graph.objects(event(graph), FG.start)) == {Literal("1941-06-22", datatype=FG.EDTF)}
    assert set(graph.objects(event(graph), FG.end)) == {Literal("1945", datatype=FG.EDTF)}


def test_the_circa_qualifier_makes_an_approximate_date(tmp_path: Path) -> None:
    graph, _ = load(
        write(
            tmp_path,
            "Q1\tP31\tQ13418847",
            "Q1\tlabel\tA purge",
            "Q1\tP580\t+1936-00-00T00:00:00Z/9\tP1480\tQ5727902",
        )
    )
    assert set(graph.objects(event(graph), FG.start)) == {Literal("1936~", datatype=FG.EDTF)}


def test_two_publication_dates_give_two_release_dates_and_one_year(tmp_path: Path) -> None:
    graph, _ = load(
        write(
            tmp_path,
            "Q1\tP31\tQ11424",
            "Q1\tlabel\tA film",
            "Q1\tP577\t+1935-03-01T00:00:00Z/11",
            "Q1\tP577\t+1934-11-05T00:00:00Z/11",
        )
    )
    film = event(graph)
    assert len(set(graph.objects(film, FG.releaseDate))) == 2
    assert set(graph.objects(film, FG.year)) == {Literal("1934", datatype=XSD.gYear)}


def test_a_publication_year_is_a_year_not_a_release_date(tmp_path: Path) -> None:
    graph, _ = load(
        write(tmp_path, "Q1\tP31\tQ11424", "Q1\tlabel\tA film", "Q1\tP577\t+1925-00-00T00:00:00Z/9")
    )
    film = event(graph)
    assert set(graph.objects(film, FG.year)) == {Literal("1925", datatype=XSD.gYear)}
    assert graph.value(film, FG.releaseDate) is None


def test_a_quantity_in_another_unit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        load(write(tmp_path, "Q1\tP31\tQ11424", "Q1\tlabel\tA film", "Q1\tP2047\t5700U11574"))
    assert (caught.value.line, caught.value.field) == (3, "value")


def test_a_runtime_in_minutes_is_an_integer(tmp_path: Path) -> None:
    graph, _ = load(write(tmp_path, "Q1\tP31\tQ11424", "Q1\tlabel\tA film", "Q1\tP2047\t95U7727"))
    assert set(graph.objects(event(graph), FG.runtime)) == {Literal(95, datatype=XSD.integer)}


def test_a_country_of_origin_is_read_as_one(tmp_path: Path) -> None:
    graph, _ = load(
        write(tmp_path, "Q1\tlabel\tA film", "Q1\tP495\tQ15180", "Q15180\tlabel\tSoviet Union")
    )
    film = event(graph)
    assert (film, RDF.type, FG.Film) in graph  # the domain of fg:countryOfOrigin
    (country,) = graph.objects(film, FG.countryOfOrigin)
    assert (country, RDF.type, FG.Country) in graph
