"""Loaders for the bundled third-party data: Wikipedia's remake list, Wikidata's events."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import XSD

from filmgraph.errors import SourceError
from filmgraph.iri import film_iri
from filmgraph.loaders import LoadContext
from filmgraph.namespaces import FG, WD

from .conftest import FIXTURES, load_source


def load(loader: str, path: Path) -> tuple[Graph, LoadContext]:
    return load_source(loader, path)


def test_a_remake_row_gives_an_adaptation_claim_from_the_later_film() -> None:
    graph, _ = load("wikipedia-remakes", FIXTURES / "remakes-small" / "remakes.csv")
    vampyre, nosferatu = film_iri("Nosferatu the Vampyre", 1979), film_iri("Nosferatu", 1922)
    assert (vampyre, FG.remakeOf, nosferatu) in graph
    claim = next(graph.subjects(FG.influencee, vampyre))
    assert (claim, FG.influencer, nosferatu) in graph
    assert (nosferatu, FG.wikidata, WD.Q151895) in graph


def test_a_wikidata_id_shared_by_several_films_is_attached_to_none() -> None:
    graph, context = load("wikipedia-remakes", FIXTURES / "remakes-small" / "remakes.csv")
    assert not list(graph.subjects(FG.wikidata, WD.Q19069))
    assert any("Q19069" in note for note in context.notes)


def test_a_remake_without_its_own_article_does_not_borrow_the_originals_id() -> None:
    graph, _ = load("wikipedia-remakes", FIXTURES / "remakes-small" / "remakes.csv")
    assert (film_iri("Some Film", 1950), FG.wikidata, WD.Q1) in graph
    assert not list(graph.objects(film_iri("Some Film", 1990), FG.wikidata))


def test_a_year_in_a_remake_title_is_not_part_of_the_title() -> None:
    graph, _ = load("wikipedia-remakes", FIXTURES / "remakes-small" / "remakes.csv")
    assert (film_iri("12 Angry Men", 1997), FG.remakeOf, film_iri("12 Angry Men", 1957)) in graph


def test_an_event_with_a_year_only_date_spans_the_year() -> None:
    graph, _ = load("wikidata-events", FIXTURES / "events-small" / "events.json")
    event = next(graph.subjects(FG.wikidata, WD.Q101))
    assert (event, FG.start, Literal("1905", datatype=FG.EDTF)) in graph
    assert (event, FG.endDate, Literal("1905-12-31", datatype=XSD.date)) in graph


def test_an_event_before_the_common_era_keeps_its_edtf_date_only() -> None:
    graph, _ = load("wikidata-events", FIXTURES / "events-small" / "events.json")
    event = next(graph.subjects(FG.wikidata, WD.Q102))
    assert (event, FG.start, Literal("-0055-06-10", datatype=FG.EDTF)) in graph
    assert not list(graph.objects(event, FG.startDate))


def test_a_malformed_event_names_the_item_and_field(tmp_path: Path) -> None:
    path = tmp_path / "events.json"
    path.write_text(
        '[{"event": "http://www.wikidata.org/entity/Q1", "label": "X", "date": "soon"}]'
    )
    with pytest.raises(SourceError) as caught:
        load("wikidata-events", path)
    assert caught.value.field == "date"
    assert "item 0" in str(caught.value)


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "events.json"
    path.write_text('[\n{"event": \n]')
    with pytest.raises(SourceError) as caught:
        load("wikidata-events", path)
    assert caught.value.line == 3
