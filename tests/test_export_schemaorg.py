"""The schema.org export checked against schema.org's own vocabulary (release 30.0, shipped in
``ontology/vocabularies/schemaorg``): types and properties exist, subjects are of a type each
property is defined for, values of a type it takes. The export is re-read by pyLD first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyld import jsonld
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF

from filmgraph.build import BuildResult
from filmgraph.export import export
from filmgraph.export.schemavocab import check, schema_vocabulary
from filmgraph.loaders import LoadContext, get_loader
from filmgraph.namespaces import ID, SCHEMA
from filmgraph.provenance import ONTOLOGY_GRAPH
from filmgraph.resources import ontology_path
from filmgraph.store import open_store
from filmgraph.store.memory import MemoryStore

from .conftest import FIXTURES
from .publish_support import PUBLISH

FILM = ID["film/battleship-potemkin-1925"]
PERSON = ID["person/sergei-eisenstein"]


def exported(store: object, tmp_path: Path) -> tuple[Graph, tuple[str, ...]]:
    """The schema.org export of ``store``, as pyLD reads it back, and what was left out."""
    out = tmp_path / "schema.jsonld"
    result = export(store, "schemaorg", out)  # type: ignore[arg-type]
    nquads = jsonld.to_rdf(
        json.loads(out.read_text(encoding="utf-8")), {"format": "application/n-quads"}
    )
    return Graph().parse(data=nquads, format="nquads"), result.notes


@pytest.fixture(scope="module")
def fixture_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Graph, tuple[str, ...]]:
    dataset = Dataset()
    sources = (
        ("curated-tables", PUBLISH / "curated"),
        ("wikidata-events", FIXTURES / "events-small" / "events.json"),
    )
    for loader, path in sources:
        for source in get_loader(loader).load(path, LoadContext(), path.parent):
            dataset.graph(source.iri).__iadd__(source.graph)
    dataset.graph(ONTOLOGY_GRAPH).parse(ontology_path(), format="turtle")
    return exported(MemoryStore(dataset), tmp_path_factory.mktemp("schemaorg"))


def test_the_export_keeps_to_the_schemaorg_vocabulary(
    fixture_export: tuple[Graph, tuple[str, ...]],
) -> None:
    graph, _ = fixture_export
    assert len(graph) > 50
    assert [str(p) for p in check(graph)] == []


def test_a_film_has_a_country_of_origin_and_a_person_a_nationality(
    fixture_export: tuple[Graph, tuple[str, ...]],
) -> None:
    graph, _ = fixture_export
    soviet_union = ID["place/soviet-union"]
    assert (FILM, SCHEMA.countryOfOrigin, soviet_union) in graph
    assert (PERSON, SCHEMA.nationality, soviet_union) in graph
    assert not [
        s
        for s in graph.subjects(SCHEMA.countryOfOrigin)
        if (s, RDF.type, SCHEMA.Movie) not in graph
    ]


def test_an_exact_edtf_date_is_written_as_an_iso_date(
    fixture_export: tuple[Graph, tuple[str, ...]],
) -> None:
    graph, _ = fixture_export
    starts = {str(o) for o in graph.objects(None, SCHEMA.startDate)}
    assert {"1941-06-22", "1905"} <= starts


def test_what_schemaorg_does_not_allow_is_counted_not_written(
    fixture_export: tuple[Graph, tuple[str, ...]],
) -> None:
    _, notes = fixture_export
    assert all(note.startswith("left out ") for note in notes)


def test_the_check_finds_a_property_on_a_type_it_is_not_defined_for() -> None:
    graph = Graph()
    graph.add((PERSON, RDF.type, SCHEMA.Person))
    graph.add((ID["place/soviet-union"], RDF.type, SCHEMA.Country))
    graph.add((PERSON, SCHEMA.countryOfOrigin, ID["place/soviet-union"]))
    assert [(p.term, p.reason) for p in check(graph)] == [
        (
            str(SCHEMA.countryOfOrigin),
            "its types ['https://schema.org/Person'] are not in the domain",
        )
    ]


def test_the_check_finds_unknown_terms_and_values_out_of_range() -> None:
    graph = Graph()
    graph.add((FILM, RDF.type, SCHEMA.Film))  # schema.org says Movie
    graph.add((FILM, SCHEMA.filmDirector, Literal("x")))
    graph.add((PERSON, RDF.type, SCHEMA.Person))
    graph.add((PERSON, SCHEMA.birthDate, Literal("about 1898")))
    assert sorted((p.term.rsplit("/", 1)[-1], p.reason.split()[0]) for p in check(graph)) == [
        ("Film", "is"),
        ("birthDate", "the"),
        ("filmDirector", "is"),
    ]


def test_the_vocabulary_knows_movies_are_creative_works() -> None:
    vocab = schema_vocabulary()
    assert SCHEMA.CreativeWork in vocab.ancestors[SCHEMA.Movie]
    assert vocab.fits_domain(SCHEMA.countryOfOrigin, [SCHEMA.Movie])
    assert not vocab.fits_domain(SCHEMA.countryOfOrigin, [SCHEMA.Person])
    assert URIRef("https://schema.org/NoSuchType") not in vocab.ancestors


@pytest.mark.integration
def test_the_bundled_graph_exports_within_the_schemaorg_vocabulary(
    bundled_build: BuildResult, tmp_path: Path
) -> None:
    store = open_store(bundled_build.generation.path.parent.parent)
    graph, _ = exported(store, tmp_path)
    assert len(list(graph.subjects(RDF.type, SCHEMA.Movie))) > 100
    assert [str(p) for p in check(graph)][:10] == []


def _grammar_reading(text: str) -> Literal | None:
    from filmgraph.temporal import parse_date_grammar

    try:
        parsed = parse_date_grammar(text)
    except ValueError:
        return None
    return None if parsed.uncertain else parsed.xsd


@pytest.mark.parametrize(
    "text",
    [
        "1936/1938",
        "1936-08/1936-08",
        "1941-06-22/1945-05-09",
        "1941-06-22/1941-06-22",
        "1934~/1936",
        "1936/1938?",
        "1936/..",
        "-0392",
        "-0478-08-22/-0470",
        "1936-08",
        "1934~",
    ],
)
def test_a_date_is_read_for_schemaorg_as_the_edtf_grammar_reads_it(text: str) -> None:
    from filmgraph.export.schemaorg import _schema_date

    assert _schema_date(text) == _grammar_reading(text)
