"""Exports: every RDF format re-read by an independent parser and compared with the store.

Counts and isomorphism are checked on a small fixture build for every format and option,
and on the bundled graph for the formats archives ingest whole.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyld import jsonld
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, VOID, XSD
from rdflib.term import Node

from filmgraph.alignment import Match, alignments
from filmgraph.build import BuildResult, build
from filmgraph.export import Selection, export, exporters
from filmgraph.export.jsonld import filmgraph_context
from filmgraph.export.schemaorg import to_schemaorg
from filmgraph.export.selection import INFERRED_GRAPH, select
from filmgraph.namespaces import FG, ID, SCHEMA
from filmgraph.provenance import ONTOLOGY_GRAPH, PROVENANCE_GRAPH
from filmgraph.store import Store, open_store
from filmgraph.store.base import SelectResult
from filmgraph.store.memory import MemoryStore

from .publish_support import PUBLISH, plain, quads_by_graph, rapper_ntriples, same_graph

FILM = ID["film/battleship-potemkin-1925"]
#: export format -> (raptor's name for the syntax, whether it keeps named graphs)
RDF_FORMATS = {
    "turtle": ("turtle", False),
    "ntriples": ("ntriples", False),
    "rdfxml": ("rdfxml", False),
    "nquads": ("nquads", True),
    "trig": ("trig", True),
}


@pytest.fixture(scope="session")
def publish_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The publishing fixture (curated tables with Wikidata ids), built once."""
    return build(
        tmp_path_factory.mktemp("publish") / "build", sources=[PUBLISH / "curated"], bundled=False
    )


@pytest.fixture
def store(publish_build: BuildResult) -> Store:
    return open_store(publish_build.generation.path.parent.parent)


def store_graphs(store: Store) -> dict[str, Graph]:
    """Every named graph of the store, read through SPARQL (not through any exporter)."""
    result = store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(result, SelectResult)
    graphs: dict[str, Graph] = defaultdict(Graph)
    for g, s, p, o in result.rows:
        assert s is not None and p is not None and o is not None  # GRAPH ?g { ?s ?p ?o } binds all
        graphs[str(g)].add((s, p, plain(o)))
    return dict(graphs)


def number(term: Node | None) -> int:
    """The value of a count, which the graph or the query result gives as a literal."""
    assert isinstance(term, Literal), term
    return int(term)


def union(graphs: dict[str, Graph]) -> Graph:
    merged = Graph()
    for graph in graphs.values():
        merged += graph
    return merged


def test_every_format_of_the_issue_is_registered() -> None:
    assert set(exporters()) == {
        "turtle",
        "ntriples",
        "nquads",
        "trig",
        "jsonld",
        "rdfxml",
        "schemaorg",
        "wikidata",
        "csv",
        "void",
    }


@pytest.mark.integration
@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_rapper_rereads_the_export_as_the_store_holds_it(
    fmt: str, store: Store, tmp_path: Path
) -> None:
    syntax, quads = RDF_FORMATS[fmt]
    out = tmp_path / f"export.{exporters()[fmt].extension}"
    result = export(store, fmt, out)
    expected = store_graphs(store)
    if quads:
        reread = quads_by_graph(rapper_ntriples(out, syntax, "nquads"))
        assert result.count == store.quad_count() == sum(len(g) for g in reread.values())
        assert reread.keys() == expected.keys()
        assert all(same_graph(reread[name], expected[name]) for name in expected)
    else:
        triples = quads_by_graph(rapper_ntriples(out, syntax))[""]
        assert result.count == len(triples) == len(union(expected))
        assert same_graph(triples, union(expected))


def test_the_whole_graph_of_an_embedded_store_is_exported_in_place(store: Store) -> None:
    with select(store) as selected:
        assert selected.store is store  # streamed from the built store, nothing copied


@pytest.mark.integration
@pytest.mark.parametrize("fmt", ["ntriples", "turtle", "nquads", "trig"])
def test_an_export_without_inferred_triples_is_the_store_without_that_graph(
    fmt: str, store: Store, tmp_path: Path
) -> None:
    syntax, quads = RDF_FORMATS[fmt]
    out = tmp_path / f"export.{exporters()[fmt].extension}"
    result = export(store, fmt, out, Selection(inferred=False))
    expected = store_graphs(store)
    del expected[str(INFERRED_GRAPH)]
    if quads:
        reread = quads_by_graph(rapper_ntriples(out, syntax, "nquads"))
        assert reread.keys() == expected.keys()
        assert all(same_graph(reread[name], expected[name]) for name in expected)
    else:
        merged = quads_by_graph(rapper_ntriples(out, syntax))[""]
        assert result.count == len(merged)
        assert same_graph(merged, union(expected))


@pytest.mark.integration
@pytest.mark.parametrize("fmt", ["ntriples", "trig"])
def test_an_export_around_a_film_is_the_selected_subgraph(
    fmt: str, store: Store, tmp_path: Path
) -> None:
    syntax, quads = RDF_FORMATS[fmt]
    out = tmp_path / f"export.{exporters()[fmt].extension}"
    export(store, fmt, out, Selection(around=FILM, depth=1))
    with select(store, Selection(around=FILM, depth=1)) as selected:
        expected = quads_by_graph(selected.nquads.read_bytes())
    if quads:
        reread = quads_by_graph(rapper_ntriples(out, syntax, "nquads"))
        assert reread.keys() == expected.keys()
        assert all(same_graph(reread[name], expected[name]) for name in expected)
    else:
        assert same_graph(quads_by_graph(rapper_ntriples(out, syntax))[""], union(expected))


def test_the_turtle_export_writes_prefixed_names(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "export.ttl"
    export(store, "turtle", out)
    text = out.read_text(encoding="utf-8")
    assert "@prefix fg: <https://w3id.org/filmgraph/ontology#> ." in text
    assert "fg:Film" in text and "<https://w3id.org/filmgraph/ontology#Film>" not in text


def test_pyld_rereads_the_jsonld_export_graph_by_graph(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "export.jsonld"
    export(store, "jsonld", out)
    document = json.loads(out.read_text(encoding="utf-8"))
    reread = quads_by_graph(jsonld.to_rdf(document, {"format": "application/n-quads"}))
    expected = store_graphs(store)
    assert reread.keys() == expected.keys()
    assert all(same_graph(reread[name], expected[name]) for name in expected)


def test_the_jsonld_export_is_expanded_and_needs_no_context(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "export.jsonld"
    export(store, "jsonld", out)
    document = json.loads(out.read_text(encoding="utf-8"))
    assert "@context" not in out.read_text(encoding="utf-8")
    assert document == jsonld.expand(document)


def test_the_context_types_object_properties_as_iris() -> None:
    context = filmgraph_context()
    assert context["director"] == {"@id": "fg:director", "@type": "@id"}
    assert context["Film"] == "fg:Film"
    assert context["fg"] == str(FG._NS)


def test_without_provenance_the_provenance_graph_alone_is_left_out(
    store: Store, tmp_path: Path
) -> None:
    out = tmp_path / "export.nq"
    export(store, "nquads", out, Selection(provenance=False))
    reread = quads_by_graph(out.read_bytes())
    expected = store_graphs(store)
    assert str(PROVENANCE_GRAPH) in expected
    assert set(reread) == set(expected) - {str(PROVENANCE_GRAPH)}


def test_without_inferred_triples_the_inferred_graph_is_left_out(tmp_path: Path) -> None:
    data = Dataset()
    data.graph(ID["graph/films"]).add((FILM, RDF.type, FG.Film))
    data.graph(INFERRED_GRAPH).add((FILM, RDF.type, FG.Film))
    data.graph(INFERRED_GRAPH).add((FILM, FG.leftMarkOn, ID["film/x"]))
    memory = MemoryStore(data)
    with select(memory, Selection(inferred=False)) as selected:
        kept = quads_by_graph(selected.nquads.read_bytes())
    with select(memory) as selected:
        everything = quads_by_graph(selected.nquads.read_bytes())
    assert set(everything) == {str(ID["graph/films"]), str(INFERRED_GRAPH)}
    assert set(kept) == {str(ID["graph/films"])}


def test_a_subgraph_around_a_film_holds_its_claims_and_influencers(store: Store) -> None:
    with select(store, Selection(around=FILM)) as selected:
        graph = union(quads_by_graph(selected.nquads.read_bytes()))
    inspired = set(graph.objects(FILM, FG.inspiredBy))
    assert inspired == {ID["film/intolerance-1916"], ID["film/strike-1925"]}
    claims = set(graph.subjects(FG.influencee, FILM))
    assert len(claims) == 2
    assert (ID["film/intolerance-1916"], FG.director, ID["person/d-w-griffith"]) in graph
    assert (FG.Film, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) not in graph


def test_a_subgraph_keeps_only_labels_of_what_it_points_at(store: Store) -> None:
    with select(store, Selection(around=ID["film/intolerance-1916"], depth=1)) as selected:
        graph = union(quads_by_graph(selected.nquads.read_bytes()))
    # Potemkin drew on Intolerance (one link): its statements are in, so Strike, which it
    # also drew on, is named, but only by its label and type.
    assert (FILM, FG.inspiredBy, ID["film/intolerance-1916"]) in graph
    assert {p for p, _ in graph.predicate_objects(ID["film/strike-1925"])} <= {RDF.type, RDFS.label}
    assert (ID["film/strike-1925"], RDFS.label, Literal("Strike", lang="en")) in graph


def test_a_subgraph_does_not_walk_through_a_country() -> None:
    data = Dataset()
    films = data.graph(ID["graph/films"])
    for film in (ID["film/a-1930"], ID["film/b-1931"]):
        films.add((film, RDF.type, FG.Film))
        films.add((film, FG.hasCountry, ID["place/c"]))
    films.add((ID["place/c"], RDF.type, FG.Country))
    films.add((ID["place/c"], RDFS.label, Literal("C")))
    data.graph(ONTOLOGY_GRAPH).add((FG.Country, RDFS.subClassOf, FG.Place))
    with select(MemoryStore(data), Selection(around=ID["film/a-1930"], depth=3)) as selected:
        graph = union(quads_by_graph(selected.nquads.read_bytes()))
    assert (ID["place/c"], RDFS.label, Literal("C")) in graph
    assert not any(graph.triples((ID["film/b-1931"], None, None)))


def test_a_subgraph_around_a_movement_reaches_its_films(store: Store) -> None:
    with select(store, Selection(around=ID["movement/soviet-montage"], depth=1)) as selected:
        graph = union(quads_by_graph(selected.nquads.read_bytes()))
    films = {s for s in graph.subjects(FG.partOfMovement, ID["movement/soviet-montage"])}
    assert films == {ID["film/strike-1925"], FILM}


def test_a_subgraph_around_an_unknown_iri_is_refused(store: Store) -> None:
    from filmgraph.errors import ParameterError

    with pytest.raises(ParameterError, match="not in the graph"):
        select(store, Selection(around=ID["film/no-such-film-1900"]))


def test_schemaorg_types_and_properties_come_from_the_alignments(
    store: Store, tmp_path: Path
) -> None:
    out = tmp_path / "schema.jsonld"
    export(store, "schemaorg", out)
    document = json.loads(out.read_text(encoding="utf-8"))
    graph = Graph().parse(
        data=jsonld.to_rdf(document, {"format": "application/n-quads"}), format="nquads"
    )
    assert (FILM, RDF.type, SCHEMA.Movie) in graph
    assert (FILM, SCHEMA.director, ID["person/sergei-eisenstein"]) in graph
    assert (FILM, SCHEMA.sameAs, URIRef("http://www.wikidata.org/entity/Q9990003")) in graph
    assert (FILM, SCHEMA.name, Literal("Battleship Potemkin", lang="en")) in graph
    assert not any(str(p).startswith(str(FG._NS)) for p in graph.predicates())


def test_schemaorg_export_reread_by_pyld_is_the_mapped_graph(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "schema.jsonld"
    export(store, "schemaorg", out)
    document = json.loads(out.read_text(encoding="utf-8"))
    reread = quads_by_graph(jsonld.to_rdf(document, {"format": "application/n-quads"}))[""]
    with select(store) as selected:
        mapped = to_schemaorg(selected.triples(), alignments())
    assert len(mapped) > 50
    assert same_graph(reread, Graph().__iadd__([(s, p, plain(o)) for s, p, o in mapped]))


def test_changing_an_alignment_changes_the_schemaorg_export(store: Store) -> None:
    stated = alignments()
    changed = dataclasses.replace(
        stated,
        matches=(
            *(m for m in stated.matches if m.term != FG.Film),
            Match(FG.Film, SCHEMA.CreativeWork, SKOS.closeMatch),
        ),
    )
    with select(store) as selected:
        before = to_schemaorg(selected.triples(), stated)
        after = to_schemaorg(selected.triples(), changed)
    assert (FILM, RDF.type, SCHEMA.Movie) in before
    assert (FILM, RDF.type, SCHEMA.CreativeWork) in after
    assert (FILM, RDF.type, SCHEMA.Movie) not in after


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_wikidata_rows_use_the_aligned_property_and_linked_items(
    store: Store, tmp_path: Path
) -> None:
    out = tmp_path / "wikidata.csv"
    export(store, "wikidata", out)
    rows = read_csv(out)
    director = [r for r in rows if r["item"] == "Q9990003" and r["property"] == "P57"]
    assert director == [pytest.approx(director[0])]
    assert director[0]["value"] == "Q8003" and director[0]["status"] == "ready"
    assert director[0]["quickstatements"] == "Q9990003\tP57\tQ8003"
    year = next(r for r in rows if r["item"] == "Q9990003" and r["property"] == "P577")
    assert year["value"] == "+1925-00-00T00:00:00Z/9"


def test_wikidata_rows_carry_the_source_of_an_influence_claim(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "wikidata.csv"
    export(store, "wikidata", out)
    inspired = [r for r in read_csv(out) if r["property"] == "P941"]
    assert {r["value"] for r in inspired} == {"Q9990001", "Q9990002"}
    assert {r["stated_in"] for r in inspired} == {"Test notes on early Soviet film"}


def test_wikidata_marks_values_without_an_item(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "wikidata.csv"
    export(store, "wikidata", out)
    tisse = next(r for r in read_csv(out) if r["property"] == "P344")
    assert tisse["status"] == "value-not-linked" and tisse["quickstatements"] == ""


def test_wikidata_reads_a_country_by_the_type_of_its_subject(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "wikidata.csv"
    export(store, "wikidata", out)
    rows = read_csv(out)
    by_item = {
        (r["item"], r["property"], r["our_property"]) for r in rows if r["value"] == "Q15180"
    }
    assert ("Q9990003", "P495", str(FG.countryOfOrigin)) in by_item  # a film: country of origin
    assert ("Q8003", "P27", str(FG.nationality)) in by_item  # a person: nationality
    assert not [r for r in rows if r["property"] == "P17" and r["item"] in {"Q9990003", "Q8003"}]


def test_csv_tables_hold_one_row_per_film_person_and_claim(store: Store, tmp_path: Path) -> None:
    result = export(store, "csv", tmp_path / "tables")
    films = read_csv(tmp_path / "tables" / "films.csv")
    people = read_csv(tmp_path / "tables" / "people.csv")
    claims = read_csv(tmp_path / "tables" / "influences.csv")
    assert [f["title"] for f in films] == ["Intolerance", "Battleship Potemkin", "Strike"]
    assert {p["name"] for p in people} == {"Sergei Eisenstein", "D. W. Griffith", "Eduard Tisse"}
    assert len(claims) == 3
    assert result.count == len(films) + len(people) + len(claims)


@pytest.mark.integration
def test_the_dataset_description_counts_what_the_store_holds(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "void.ttl"
    export(store, "void", out, endpoint="https://example.org/sparql")
    graph = Graph().parse(data=rapper_ntriples(out, "turtle"), format="nt")
    dataset = ID["dataset/filmgraph"]
    triples = number(next(graph.objects(dataset, VOID.triples)))
    assert triples == len(union(store_graphs(store)))
    assert (dataset, VOID.sparqlEndpoint, URIRef("https://example.org/sparql")) in graph
    films = next(
        p
        for p in graph.objects(dataset, VOID.classPartition)
        if (p, VOID["class"], FG.Film) in graph
    )
    assert number(next(graph.objects(films, VOID.entities))) == 3
    linkset = ID["dataset/filmgraph-wikidata-links"]
    assert (linkset, VOID.linkPredicate, FG.wikidata) in graph
    result = store.query(f"SELECT (COUNT(*) AS ?n) {{ ?s <{FG.wikidata}> ?o }}")
    assert isinstance(result, SelectResult)
    assert number(next(graph.objects(linkset, VOID.triples))) == number(result.rows[0][0])


def test_the_export_command_writes_a_file_and_reports_it(
    publish_build: BuildResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from filmgraph.cli import main

    out = tmp_path / "graph.ttl"
    code = main(
        [
            "export",
            "--store",
            str(publish_build.generation.path.parent.parent),
            "--format",
            "turtle",
            "--out",
            str(out),
            "--no-provenance",
            "--report",
            "json",
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["format"] == "turtle" and report["path"] == str(out) and report["count"] > 0


def test_the_export_command_refuses_an_around_that_is_not_an_iri(
    publish_build: BuildResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from filmgraph.cli import main

    code = main(
        [
            "export",
            "--store",
            str(publish_build.generation.path.parent.parent),
            "--around",
            "Battleship Potemkin",
            "--out",
            str(tmp_path / "x.ttl"),
        ]
    )
    assert code == 2
    assert "not an IRI" in capsys.readouterr().err


def ground_and_blank(quads: Iterable[ox.Quad]) -> tuple[set[str], dict[str, Graph]]:
    """Quads as N-Quads lines (ground ones, compared as a set: fast on 100k+ quads) and,
    per graph, the few triples with blank nodes (compared by rdflib's isomorphism)."""
    from filmgraph.store.oxigraph import from_oxigraph

    ground: set[str] = set()
    blank: dict[str, Graph] = defaultdict(Graph)
    for q in quads:
        o = q.object
        if isinstance(o, ox.Literal) and o.datatype == ox.NamedNode(str(XSD.string)):
            o = ox.Literal(o.value)
        if isinstance(q.subject, ox.BlankNode) or isinstance(o, ox.BlankNode):
            blank[str(q.graph_name)].add(
                (from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(o))
            )
        else:
            ground.add(f"{q.subject} {q.predicate} {o} {q.graph_name}")
    return ground, dict(blank)


def bundled_quads(result: BuildResult, as_triples: bool = False) -> list[ox.Quad]:
    """Every quad of the bundled build's named graphs, read with pyoxigraph directly (the
    default graph holds their RDF merge, derived, and no export writes it)."""
    store = ox.Store.read_only(str(result.generation.store_path))
    quads = [
        q
        for q in store.quads_for_pattern(None, None, None, None)
        if not isinstance(q.graph_name, ox.DefaultGraph)
    ]
    if as_triples:
        return [ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads]
    return quads


def assert_same(got: list[ox.Quad], expected: list[ox.Quad]) -> None:
    ground_got, blank_got = ground_and_blank(got)
    ground_expected, blank_expected = ground_and_blank(expected)
    assert ground_got == ground_expected
    assert blank_got.keys() == blank_expected.keys()
    assert all(same_graph(blank_got[g], blank_expected[g]) for g in blank_expected)


@pytest.mark.integration
@pytest.mark.parametrize("fmt", ["nquads", "turtle"])
def test_the_bundled_graph_exports_isomorphic_to_the_store(
    fmt: str, bundled_build: BuildResult, tmp_path: Path
) -> None:
    store = open_store(bundled_build.generation.path.parent.parent)
    out = tmp_path / f"bundled.{exporters()[fmt].extension}"
    result = export(store, fmt, out)
    if fmt == "nquads":
        reread = list(
            ox.parse(rapper_ntriples(out, "nquads", "nquads").encode(), format=ox.RdfFormat.N_QUADS)
        )
        assert len(reread) == result.count == bundled_build.counts["triples"]
        assert_same(reread, bundled_quads(bundled_build))
    else:
        reread = list(
            ox.parse(rapper_ntriples(out, "turtle").encode(), format=ox.RdfFormat.N_QUADS)
        )
        assert len(reread) == result.count
        assert_same(list(set(reread)), list(set(bundled_quads(bundled_build, as_triples=True))))


@pytest.mark.integration
def test_the_bundled_graph_as_jsonld_is_isomorphic_to_the_store(
    bundled_build: BuildResult, tmp_path: Path
) -> None:
    store = open_store(bundled_build.generation.path.parent.parent)
    out = tmp_path / "bundled.jsonld"
    result = export(store, "jsonld", out)
    nquads = jsonld.to_rdf(
        json.loads(out.read_text(encoding="utf-8")), {"format": "application/n-quads"}
    )
    reread = list(ox.parse(nquads.encode(), format=ox.RdfFormat.N_QUADS))
    assert len(reread) == result.count == bundled_build.counts["triples"]
    assert_same(reread, bundled_quads(bundled_build))


def test_the_ontology_documentation_names_every_term(tmp_path: Path) -> None:
    from filmgraph.export.docs import write_ontology_docs

    docs = write_ontology_docs(tmp_path / "docs")
    html = docs.html.read_text(encoding="utf-8")
    missing = [str(term) for term in dir(FG) if str(term) not in html]
    assert missing == []
    assert "<script src=" not in html  # self-contained: no CDN
    assert json.loads(docs.context.read_text(encoding="utf-8"))["@context"] == filmgraph_context()


def test_the_published_documentation_is_current() -> None:
    """``docs/ontology`` is regenerated (``filmgraph docs``) whenever the ontology changes."""
    from filmgraph.resources import project_root

    published = project_root() / "docs" / "ontology" / "context.jsonld"
    assert json.loads(published.read_text(encoding="utf-8"))["@context"] == filmgraph_context()
