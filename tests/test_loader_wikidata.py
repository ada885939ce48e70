"""Wikidata-shaped statements (QID, PID, value) mapped through the ontology's alignments."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, XSD

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
