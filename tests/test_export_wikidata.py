"""Wikidata-shaped rows: values typed by the property's datatype, and read back as written.

The fixture is the publishing tables (films, people, countries with Wikidata ids) and three
Wikidata events (one known to the day, one to the year, one before the common era), loaded
as a build would, without reasoning.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from filmgraph.alignment import alignments
from filmgraph.export.selection import select
from filmgraph.export.wikidata import statement_rows
from filmgraph.loaders import LoadContext, get_loader
from filmgraph.namespaces import FG, WD
from filmgraph.provenance import ONTOLOGY_GRAPH
from filmgraph.resources import ontology_path
from filmgraph.store.memory import MemoryStore
from filmgraph.wikibase import CIRCA, BadValue, TimeValue, parse_time, time_of

from .conftest import FIXTURES, load_source
from .publish_support import PUBLISH

EVENTS = FIXTURES / "events-small" / "events.json"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    dataset = Dataset()
    for loader, path in (("curated-tables", PUBLISH / "curated"), ("wikidata-events", EVENTS)):
        for source in get_loader(loader).load(path, LoadContext(), path.parent):
            dataset.graph(source.iri).__iadd__(source.graph)
    dataset.graph(ONTOLOGY_GRAPH).parse(ontology_path(), format="turtle")
    with select(MemoryStore(dataset)) as selected:
        return statement_rows(selected, alignments())


def row(rows: list[dict[str, str]], item: str, prop: str) -> list[dict[str, str]]:
    return [r for r in rows if r["item"] == item and r["property"] == prop]


def test_a_date_known_to_the_day_is_written_with_day_precision(rows: list[dict[str, str]]) -> None:
    (start,) = row(rows, "Q100", "P580")
    assert (start["value"], start["datatype"], start["status"]) == (
        "+1941-06-22T00:00:00Z/11",
        "Time",
        "ready",
    )


def test_a_date_known_to_the_year_is_never_written_as_a_day(rows: list[dict[str, str]]) -> None:
    (start,) = row(rows, "Q101", "P580")
    (end,) = row(rows, "Q101", "P582")
    assert start["value"] == end["value"] == "+1905-00-00T00:00:00Z/9"


def test_computed_bounds_are_not_written_as_start_and_end(rows: list[dict[str, str]]) -> None:
    ours = {r["our_property"] for r in rows if r["property"] in ("P580", "P582")}
    assert ours == {str(FG.start), str(FG.end)}


def test_a_year_is_the_publication_date_only_where_no_release_date_is_known(
    rows: list[dict[str, str]],
) -> None:
    (published,) = row(rows, "Q9990003", "P577")
    assert published["value"] == "+1925-00-00T00:00:00Z/9"
    assert published["our_property"] == str(FG.year)


def test_monolingual_text_carries_its_language(rows: list[dict[str, str]]) -> None:
    (title,) = row(rows, "Q9990003", "P1476")
    assert title["value"] == 'ru:"Броненосец «Потёмкин»"'
    assert title["datatype"] == "Monolingualtext"


def test_items_are_written_as_qids(rows: list[dict[str, str]]) -> None:
    (country,) = row(rows, "Q9990003", "P495")
    assert (country["value"], country["datatype"]) == ("Q15180", "WikibaseItem")
    assert country["quickstatements"] == "Q9990003\tP495\tQ15180"


SHAPES = {
    "WikibaseItem": r"Q[1-9][0-9]*",
    "Time": r"[+-][0-9]{4,}-[0-9]{2}-[0-9]{2}T00:00:00Z/(7|8|9|10|11)",
    "Monolingualtext": r'[a-z-]+:".*"',
    "Quantity": r"[+-]?[0-9.]+(U[0-9]+)?",
    "String": r'".*"',
    "ExternalId": r'".*"',
    "CommonsMedia": r'".*"',
}


def test_every_ready_row_has_a_value_of_its_datatype(rows: list[dict[str, str]]) -> None:
    shapes = SHAPES
    wrong = [
        r
        for r in rows
        if r["status"] == "ready" and not re.fullmatch(shapes[r["datatype"]], r["value"])
    ]
    assert rows and wrong == []


def test_an_approximate_date_is_written_with_the_circa_qualifier() -> None:
    time = time_of(Literal("1934~", datatype=FG.EDTF))
    assert time is not None
    assert time.quickstatements() == "+1934-00-00T00:00:00Z/9"
    assert time.qualifiers() == [("P1480", CIRCA)]


def test_a_decade_is_written_with_decade_precision() -> None:
    time = time_of(Literal("193X", datatype=FG.EDTF))
    assert time is not None and time.quickstatements() == "+1930-00-00T00:00:00Z/8"


def test_a_time_with_a_day_under_year_precision_is_refused() -> None:
    with pytest.raises(BadValue, match="not a Wikidata time"):
        parse_time("1941-06-22")


@given(
    st.builds(
        TimeValue,
        year=st.integers(min_value=-9999, max_value=9999).filter(lambda y: y != 0),
        month=st.integers(min_value=1, max_value=12),
        day=st.integers(min_value=1, max_value=28),
        precision=st.sampled_from([7, 8, 9, 10, 11]),
        qualifier=st.sampled_from(["", "~", "?", "%"]),
    )
)
def test_a_time_reads_back_as_written(time: TimeValue) -> None:
    """Written as QuickStatements and read again, then written as EDTF and read again."""
    assume(time.precision > 8 or time.year >= 100)  # EDTF's 19XX needs the first digits
    reread = parse_time(time.quickstatements(), time.qualifiers())
    assert reread.quickstatements() == time.quickstatements()
    assert reread.qualifier == time.qualifier
    edtf = reread.literal(FG.EDTF)
    assert edtf is not None
    again = time_of(edtf)
    assert again is not None and again.quickstatements() == time.quickstatements()


def round_trip_file(
    rows: list[dict[str, str]], store_labels: dict[str, str], classes: dict[str, str], path: Path
) -> Path:
    """The ready rows as Wikidata-shaped statements (their QuickStatements lines), plus
    each item's label and class, as a curator would feed them back."""
    lines = ["subject\tproperty\tvalue"]
    items = sorted({r["item"] for r in rows if r["status"] == "ready"})
    for item in items:
        lines.append(f"{item}\tlabel\t{store_labels[item]}")
        if item in classes:
            lines.append(f"{item}\tP31\t{classes[item]}")
    lines += [r["quickstatements"] for r in rows if r["status"] == "ready"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_statements_read_back_as_the_values_they_were_written_from(
    rows: list[dict[str, str]], tmp_path: Path
) -> None:
    labels = {
        "Q100": "Fixture offensive",
        "Q101": "Fixture year-only uprising",
        "Q102": "Fixture ancient battle",
        "Q9990001": "Intolerance",
        "Q9990002": "Strike",
        "Q9990003": "Battleship Potemkin",
        "Q8003": "Sergei Eisenstein",
        "Q9990004": "D. W. Griffith",
        "Q15180": "Soviet Union",
        "Q30": "United States",
    }
    classes = {
        "Q100": "Q13418847",
        "Q101": "Q13418847",
        "Q102": "Q13418847",
        "Q9990001": "Q11424",
        "Q9990002": "Q11424",
        "Q9990003": "Q11424",
        "Q8003": "Q5",
        "Q9990004": "Q5",
        "Q15180": "Q3024240",
        "Q30": "Q6256",
    }
    path = round_trip_file(rows, labels, classes, tmp_path / "back.wikidata.tsv")
    graph, context = load_source("wikidata", path)  # strict: a row it cannot read fails
    assert context.skipped == []

    def values(qid: str, prop: URIRef) -> set[Literal]:
        (node,) = graph.subjects(FG.wikidata, WD[qid])
        return {o for o in graph.objects(node, prop) if isinstance(o, Literal)}

    assert values("Q100", FG.start) == {Literal("1941-06-22", datatype=FG.EDTF)}
    assert values("Q101", FG.start) == {Literal("1905", datatype=FG.EDTF)}
    assert values("Q101", FG.end) == {Literal("1905", datatype=FG.EDTF)}  # year precision kept
    assert values("Q102", FG.end) == {Literal("-0055-06-10", datatype=FG.EDTF)}
    assert values("Q9990003", FG.year) == {Literal("1925", datatype=XSD.gYear)}
    assert values("Q9990003", FG.releaseDate) == set()
    assert values("Q9990003", FG.originalTitle) == {Literal("Броненосец «Потёмкин»", lang="ru")}
    assert values("Q8003", FG.birthDate) == {Literal("1898-01-22", datatype=XSD.date)}
    (film,) = graph.subjects(FG.wikidata, WD.Q9990003)
    (country,) = graph.objects(film, FG.countryOfOrigin)
    assert (country, FG.wikidata, WD.Q15180) in graph
    assert (film, RDF.type, FG.Film) in graph and graph.value(film, RDFS.label) is not None
