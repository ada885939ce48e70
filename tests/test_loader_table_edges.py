"""CSVW tables from elsewhere: edge rows become claims, years are parsed whole, empty ids
are errors a lenient build skips.

The edge table is the worked recipe's (``docs/recipes/foreign-tables/``), read exactly as
the recipe reads it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from filmgraph.errors import SourceError
from filmgraph.iri import mint
from filmgraph.loaders import LoadContext

from .conftest import FIXTURES, REPO, load_source

RECIPE = REPO / "docs" / "recipes" / "foreign-tables"
TABLES = FIXTURES / "tables"
FILM = "https://archive.example.org/film/"
ITEM = "https://archive.example.org/item/"
FG = "https://w3id.org/filmgraph/ontology#"


def load(path: Path, context: LoadContext | None = None) -> tuple[Graph, LoadContext]:
    return load_source("table", path, context)


def p(name: str) -> URIRef:
    return URIRef(FG + name)


def claims_between(graph: Graph, later: str, earlier: str) -> list[Node]:
    return [
        c
        for c in graph.subjects(p("influencee"), URIRef(FILM + later))
        if (c, p("influencer"), URIRef(FILM + earlier)) in graph
    ]


def test_an_edge_row_becomes_a_qualified_claim_beside_the_edge() -> None:
    graph, _ = load(RECIPE / "edges.csv-metadata.json")
    (claim,) = claims_between(graph, "a-103", "a-101")
    assert (claim, RDF.type, p("InspirationClaim")) in graph
    assert (URIRef(FILM + "a-103"), p("inspiredBy"), URIRef(FILM + "a-101")) in graph
    assert (
        claim,
        p("aspect"),
        Literal("the railway and the mountain road filmed as one struggle", lang="en"),
    ) in graph


def test_the_table_is_the_claims_source_and_the_row_its_evidence() -> None:
    graph, _ = load(RECIPE / "edges.csv-metadata.json")
    (claim,) = claims_between(graph, "a-106", "a-102")
    source = mint("source", "table-edges-csv")
    assert (claim, p("source"), source) in graph
    assert (source, RDF.type, p("SourceDocument")) in graph
    evidence = str(graph.value(claim, p("evidence")))
    assert evidence.startswith("edges.csv, line 4:")
    assert "relation=remakeOf" in evidence


def test_a_remake_edge_is_an_adaptation_claim_about_a_remake() -> None:
    graph, _ = load(RECIPE / "edges.csv-metadata.json")
    (claim,) = claims_between(graph, "a-106", "a-102")
    assert (claim, RDF.type, p("AdaptationClaim")) in graph
    assert (claim, p("aspect"), Literal("remake", lang="en")) in graph


def test_every_edge_row_gives_one_claim() -> None:
    graph, context = load(RECIPE / "edges.csv-metadata.json")
    assert len(set(graph.subjects(p("influencee"), None))) == 4
    assert not context.skipped


@pytest.mark.parametrize(("line", "text"), [(2, "19428"), (3, "1994 Rockwell"), (4, "1969x")])
def test_a_malformed_year_is_skipped_and_listed_never_truncated(line: int, text: str) -> None:
    graph, context = load(TABLES / "odd-years.csv-metadata.json", LoadContext(strict=False))
    (error,) = [e for e in context.skipped if e.line == line]
    assert (error.file.name, error.field) == ("odd-years.csv", "year")
    assert repr(text) in error.reason
    assert (URIRef(f"{ITEM}y-{line - 1}"), None, None) not in graph


def test_a_malformed_year_fails_a_strict_load_naming_file_row_and_column() -> None:
    with pytest.raises(SourceError) as caught:
        load(TABLES / "odd-years.csv-metadata.json")
    assert (caught.value.file.name, caught.value.line, caught.value.field) == (
        "odd-years.csv",
        2,
        "year",
    )


@pytest.mark.parametrize(("ref", "year"), [("y-4", "1961"), ("y-5", "1934"), ("y-6", "1930")])
def test_a_span_or_an_uncertain_year_keeps_its_earliest_year_marked_uncertain(
    ref: str, year: str
) -> None:
    graph, _ = load(TABLES / "odd-years.csv-metadata.json", LoadContext(strict=False))
    film = URIRef(ITEM + ref)
    assert list(graph.objects(film, p("year"))) == [Literal(year, datatype=XSD.gYear)]
    assert (film, p("yearCertainty"), Literal("uncertain")) in graph


def test_a_plain_year_stays_exact() -> None:
    graph, _ = load(TABLES / "odd-years.csv-metadata.json", LoadContext(strict=False))
    film = URIRef(ITEM + "y-7")
    assert (film, p("year"), Literal("1942", datatype=XSD.gYear)) in graph
    assert (film, p("yearCertainty"), None) not in graph


def test_an_empty_id_is_an_error_naming_its_column() -> None:
    with pytest.raises(SourceError) as caught:
        load(TABLES / "empty-ids.csv-metadata.json")
    assert (caught.value.line, caught.value.field) == (3, "ref")
    assert "empty identifier" in caught.value.reason


def test_a_name_that_slugs_to_nothing_is_an_error_naming_its_cell() -> None:
    _, context = load(TABLES / "empty-ids.csv-metadata.json", LoadContext(strict=False))
    assert [(e.line, e.field) for e in context.skipped] == [(3, "ref"), (4, "director")]
    assert all("empty identifier" in e.reason for e in context.skipped)


def test_lenient_loading_keeps_the_rows_with_ids() -> None:
    graph, _ = load(TABLES / "empty-ids.csv-metadata.json", LoadContext(strict=False))
    assert (URIRef(ITEM + "e-1"), RDF.type, p("Film")) in graph
    assert not list(graph.subjects(None, URIRef(ITEM)))
    assert (URIRef(ITEM), None, None) not in graph


def test_edge_rows_left_dangling_by_a_skipped_film_row_are_skipped_and_name_it(
    tmp_path: Path,
) -> None:
    for name in ("films.csv-metadata.json", "edges.csv", "edges.csv-metadata.json"):
        shutil.copy(RECIPE / name, tmp_path / name)
    films = (RECIPE / "films.csv").read_text(encoding="utf-8")
    (tmp_path / "films.csv").write_text(films.replace("Turksib,1929", "Turksib,19291"))
    context = LoadContext(strict=False)
    load(tmp_path / "films.csv-metadata.json", context)
    graph, _ = load(tmp_path / "edges.csv-metadata.json", context)
    left = [e for e in context.skipped if e.file.name == "edges.csv"]
    assert [(e.line, e.field) for e in left] == [(2, "inspiredBy"), (3, "inspiredBy")]
    assert all("(films.csv:2) was skipped" in e.reason for e in left)
    assert (None, None, URIRef(FILM + "a-101")) not in graph
