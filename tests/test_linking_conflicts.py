"""Merges that names alone would make and that ids or directors refuse, reported."""

from __future__ import annotations

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from filmgraph.iri import mint
from filmgraph.linking import resolve_entities
from filmgraph.namespaces import FG, WD

A, B = mint("graph", "source-a"), mint("graph", "source-b")
FIRST, SECOND = mint("film", "the-storm-1934"), URIRef("https://archive.example.org/film/3")


def film(
    dataset: Dataset,
    graph: URIRef,
    node: URIRef,
    title: str,
    year: int | None = None,
    qid: str | None = None,
    director: str | None = None,
) -> None:
    g = dataset.graph(graph)
    g.add((node, RDF.type, FG.Film))
    g.add((node, RDFS.label, Literal(title)))
    if year is not None:
        g.add((node, FG.year, Literal(str(year), datatype=XSD.gYear)))
    if qid is not None:
        g.add((node, FG.wikidata, WD[qid]))
    if director is not None:
        g.add((node, FG.director, mint("person", director)))


def test_one_title_and_year_with_two_authority_ids_is_two_films() -> None:
    dataset = Dataset()
    film(dataset, A, FIRST, "The Storm", 1934, qid="Q1")
    film(dataset, B, SECOND, "Storm", 1934, qid="Q2")
    report = resolve_entities(dataset, [A, B])
    assert report.merged == {}
    assert any("different authority ids" in c and "Q1" in c and "Q2" in c for c in report.conflicts)


def test_a_film_without_a_year_and_another_id_is_not_merged_by_title() -> None:
    dataset = Dataset()
    film(dataset, A, FIRST, "The Storm", 1934, qid="Q1")
    film(dataset, B, SECOND, "The Storm", qid="Q2")
    report = resolve_entities(dataset, [A, B])
    assert report.merged == {}
    assert len(report.conflicts) == 1


def test_a_film_without_a_year_and_another_director_is_not_merged_by_title() -> None:
    dataset = Dataset()
    film(dataset, A, FIRST, "The Storm", 1934, director="vladimir-petrov")
    film(dataset, B, SECOND, "The Storm", director="someone-else")
    report = resolve_entities(dataset, [A, B])
    assert report.merged == {}
    assert any("directors differ" in c for c in report.conflicts)
    assert "conflict: " + report.conflicts[0] in report.lines()


def test_a_film_without_a_year_and_the_same_director_merges_by_title() -> None:
    dataset = Dataset()
    film(dataset, A, FIRST, "The Storm", 1934, director="vladimir-petrov")
    film(dataset, B, SECOND, "Storm", director="vladimir-petrov")
    report = resolve_entities(dataset, [A, B])
    assert report.merged == {SECOND: FIRST}
    assert [m.rule for m in report.merges] == ["title and year"]
    assert "years ?/1934" in report.merges[0].evidence


def test_the_node_kept_does_not_depend_on_the_order_of_the_sources() -> None:
    kept = []
    for order in ([A, B], [B, A]):
        dataset = Dataset()
        film(dataset, A, URIRef("https://z.example.org/1"), "Storm", 1934)
        film(dataset, B, URIRef("https://a.example.org/1"), "The Storm", 1934)
        kept.append(resolve_entities(dataset, order).merged)
    assert (
        kept[0] == kept[1] == {URIRef("https://z.example.org/1"): URIRef("https://a.example.org/1")}
    )


NIKITA = URIRef("https://archive.example.org/film/nikita")


def test_a_title_within_another_of_the_same_year_and_director_is_one_film() -> None:
    dataset = Dataset()
    film(
        dataset,
        A,
        mint("film", "la-femme-nikita-1990"),
        "La Femme Nikita",
        1990,
        director="luc-besson",
    )
    film(dataset, B, NIKITA, "Nikita", 1990, director="luc-besson")
    report = resolve_entities(dataset, [A, B])
    assert report.merged == {NIKITA: mint("film", "la-femme-nikita-1990")}
    (merge,) = report.merges
    assert merge.rule == "title within title, year and director"
    assert "luc-besson" in merge.evidence


def test_a_title_within_another_of_the_same_year_without_a_shared_director_is_two_films() -> None:
    dataset = Dataset()
    film(dataset, A, mint("film", "lay-it-down-2001"), "Lay It Down", 2001, director="one")
    film(
        dataset,
        B,
        URIRef("https://archive.example.org/film/down"),
        "Down",
        2001,
        director="another",
    )
    film(
        dataset,
        B,
        URIRef("https://archive.example.org/film/burning"),
        "Burning Down the House",
        2001,
    )
    assert resolve_entities(dataset, [A, B]).merged == {}


def test_a_title_within_another_a_year_apart_is_two_films_even_with_one_director() -> None:
    dataset = Dataset()
    film(
        dataset,
        A,
        mint("film", "la-femme-nikita-1990"),
        "La Femme Nikita",
        1990,
        director="luc-besson",
    )
    film(dataset, B, NIKITA, "Nikita", 1991, director="luc-besson")
    assert resolve_entities(dataset, [A, B]).merged == {}


def test_letters_inside_a_word_are_no_title_within_a_title() -> None:
    dataset = Dataset()
    film(dataset, A, mint("film", "downtown-1990"), "Downtown", 1990, director="one")
    film(dataset, B, URIRef("https://archive.example.org/film/down"), "Down", 1990, director="one")
    assert resolve_entities(dataset, [A, B]).merged == {}
