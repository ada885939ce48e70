"""The RDF loader reads years with the one year parser: a malformed year is reported, never
truncated or dropped in silence; a span keeps its earliest year."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from filmgraph.errors import SourceError
from filmgraph.loaders import LoadContext
from filmgraph.namespaces import FG

from .conftest import FIXTURES, load_source

ODD = FIXTURES / "rdf" / "odd-years.ttl"


def test_a_malformed_year_fails_a_strict_load_naming_file_and_property() -> None:
    with pytest.raises(SourceError) as caught:
        load_source("rdf", ODD)
    assert caught.value.file.name == "odd-years.ttl"
    assert caught.value.field == "https://schema.org/datePublished"
    assert "'19428' is not a year" in caught.value.reason


def test_malformed_years_are_listed_in_lenient_mode_and_left_out() -> None:
    graph, context = load_source("rdf", ODD, LoadContext(strict=False))
    assert sorted(e.reason.split(" of ")[0] for e in context.skipped) == [
        "'19428'",
        "'1994 Rockwell'",
    ]
    for film in ("f1", "f4"):
        assert graph.value(URIRef(f"https://a.example/{film}"), FG.year) is None


@pytest.mark.parametrize(("film", "year"), [("f2", "1961"), ("f3", "1942")])
def test_a_span_or_a_plain_year_gives_the_earliest_year(film: str, year: str) -> None:
    graph, _ = load_source("rdf", ODD, LoadContext(strict=False))
    assert list(graph.objects(URIRef(f"https://a.example/{film}"), FG.year)) == [
        Literal(year, datatype=XSD.gYear)
    ]
