"""The Wikidata loader checks the years it reads with the one year parser every loader shares."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from filmgraph.errors import SourceError
from filmgraph.iri import film_iri
from filmgraph.loaders import LoadContext
from filmgraph.namespaces import FG

from .conftest import load_source

ROWS = 'Q1\tP31\tQ11424\nQ1\tlabel\ten:"Typo"\nQ1\tP577\t+{year}-00-00T00:00:00Z/9\n'


def write(tmp_path: Path, year: str) -> Path:
    path = tmp_path / "films.wikidata.tsv"
    path.write_text(ROWS.format(year=year), encoding="utf-8")
    return path


def test_a_five_digit_year_is_an_error_naming_file_line_and_field(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        load_source("wikidata", write(tmp_path, "19428"))
    assert (caught.value.line, caught.value.field) == (3, "value")
    assert "'19428' is not a year" in caught.value.reason


def test_a_four_digit_year_is_read(tmp_path: Path) -> None:
    graph, context = load_source("wikidata", write(tmp_path, "1942"), LoadContext(strict=False))
    assert not context.skipped
    assert (film_iri("Typo", 1942), FG.year, Literal("1942", datatype=XSD.gYear)) in graph
