"""Entity resolution across sources: authority ids, title and year, names, fuzzy names."""

from __future__ import annotations

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from filmgraph.iri import mint
from filmgraph.linking import resolve_entities
from filmgraph.namespaces import FG, WD
from filmgraph.provenance import PROVENANCE_GRAPH

A, B = mint("graph", "source-a"), mint("graph", "source-b")
OUTSIDE = URIRef("https://archive.example.org/film/7")


def film(
    dataset: Dataset, graph: URIRef, node: URIRef, title: str, year: int, **extra: object
) -> None:
    g = dataset.graph(graph)
    g.add((node, RDF.type, FG.Film))
    g.add((node, RDFS.label, Literal(title, lang="en")))
    g.add((node, FG.year, Literal(str(year), datatype=XSD.gYear)))
    if "qid" in extra:
        g.add((node, FG.wikidata, WD[str(extra["qid"])]))
    if "alias" in extra:
        g.add((node, SKOS.altLabel, Literal(str(extra["alias"]))))
    if extra.get("unresolved"):
        g.add((node, FG.unresolved, Literal(True)))


def person(dataset: Dataset, graph: URIRef, node: URIRef, name: str, **extra: object) -> None:
    g = dataset.graph(graph)
    g.add((node, RDF.type, FG.Person))
    g.add((node, RDFS.label, Literal(name, lang="en")))
    if extra.get("unresolved"):
        g.add((node, FG.unresolved, Literal(True)))


def test_the_same_wikidata_id_merges_two_nodes_into_ours() -> None:
    dataset = Dataset()
    ours = mint("film", "chapaev-1934")
    film(dataset, A, ours, "Chapaev", 1934, qid="Q1056791")
    film(dataset, B, OUTSIDE, "Chapayev", 1934, qid="Q1056791")
    report = resolve_entities(dataset, [A, B])
    assert report.merged == {OUTSIDE: ours}
    assert report.reasons[OUTSIDE] == "authority id"
    # what remains of the outside IRI is the record of the merge, so that it still answers
    assert [(p, o, g) for _, p, o, g in dataset.quads((OUTSIDE, None, None, None))] == [
        (DCTERMS.isReplacedBy, ours, PROVENANCE_GRAPH)
    ]


def test_a_title_and_a_year_one_apart_merge() -> None:
    dataset = Dataset()
    ours = mint("film", "the-miners-1937")
    film(dataset, A, ours, "The Miners", 1937)
    film(dataset, B, OUTSIDE, "The Miners", 1936)
    report = resolve_entities(dataset, [A, B])
    assert report.reasons[OUTSIDE] == "title and year"


def test_a_title_and_a_year_two_apart_stay_apart() -> None:
    dataset = Dataset()
    film(dataset, A, mint("film", "stagecoach-1939"), "Stagecoach", 1939)
    film(dataset, B, OUTSIDE, "Stagecoach", 1966)
    assert resolve_entities(dataset, [A, B]).merged == {}


def test_a_transliterated_alias_matches() -> None:
    dataset = Dataset()
    ours = mint("film", "chapaev-1934")
    film(dataset, A, ours, "Chapaev", 1934, alias="Чапаев")
    film(dataset, B, OUTSIDE, "Chapaev", 1934)
    other = URIRef("https://archive.example.org/film/8")
    film(dataset, B, other, "Chapaev", 1935)  # the same source names a second, different film
    report = resolve_entities(dataset, [A, B])
    assert report.merged.get(OUTSIDE) == ours
    assert other not in report.merged


def test_events_of_one_name_decades_apart_stay_apart() -> None:
    dataset = Dataset()
    for graph, node, start in (
        (A, mint("event", "paris-commune"), "1871-03-18"),
        (B, URIRef("https://archive.example.org/event/1"), "1814-05-28"),
    ):
        g = dataset.graph(graph)
        g.add((node, RDF.type, FG.HistoricalEvent))
        g.add((node, RDFS.label, Literal("Paris Commune", lang="en")))
        g.add((node, FG.startDate, Literal(start, datatype=XSD.date)))
    assert resolve_entities(dataset, [A, B]).merged == {}


def test_a_near_spelling_merges_by_fuzzy_name() -> None:
    dataset = Dataset()
    ours = mint("person", "sergei-eisenstein")
    person(dataset, A, ours, "Sergei Eisenstein")
    outside = URIRef("https://archive.example.org/person/1")
    person(dataset, B, outside, "Sergej Eisenstein")
    report = resolve_entities(dataset, [A, B])
    assert report.merged == {outside: ours}
    assert report.reasons[outside] == "fuzzy name"


def test_two_people_one_source_lists_apart_are_never_merged() -> None:
    dataset = Dataset()
    person(dataset, A, mint("person", "sergei-vasilyev"), "Sergei Vasilyev")
    person(dataset, A, mint("person", "sergey-vasilyev"), "Sergey Vasilyev")
    assert resolve_entities(dataset, [A]).merged == {}


def test_a_placeholder_another_source_describes_is_resolved() -> None:
    dataset = Dataset()
    strike = mint("film", "strike-1925")
    film(dataset, A, strike, "Strike", 1925)
    film(dataset, B, strike, "Strike", 1925, unresolved=True)
    report = resolve_entities(dataset, [A, B])
    assert report.resolved == 1
    assert report.unresolved == []
    assert not list(dataset.quads((strike, FG.unresolved, None, None)))


def test_a_placeholder_nobody_describes_is_reported_with_its_name() -> None:
    dataset = Dataset()
    ghost = mint("person", "ivan-testov")
    person(dataset, B, ghost, "Ivan Testov", unresolved=True)
    report = resolve_entities(dataset, [B])
    assert report.unresolved == [(ghost, "person", "Ivan Testov")]
    assert any("Ivan Testov" in line for line in report.lines())


def influence(dataset: Dataset, graph: URIRef, claim: URIRef, source: URIRef) -> None:
    g = dataset.graph(graph)
    g.add((claim, RDF.type, FG.InspirationClaim))
    g.add((claim, FG.influencee, mint("film", "the-miners-1937")))
    g.add((claim, FG.influencer, mint("film", "strike-1925")))
    g.add((claim, FG.source, source))


def test_the_same_claim_from_two_sources_is_corroborated_and_both_are_kept() -> None:
    dataset = Dataset()
    influence(dataset, A, mint("claim", "a"), mint("source", "book"))
    influence(dataset, B, mint("claim", "b"), mint("source", "page"))
    report = resolve_entities(dataset, [A, B])
    assert report.corroborated == 2
    assert len(set(dataset.quads((None, RDF.type, FG.InspirationClaim, None)))) == 2


def test_one_claim_two_sources_state_under_one_iri_counts_once() -> None:
    dataset = Dataset()
    claim = mint("claim", "shared")
    influence(dataset, A, claim, mint("source", "book"))
    influence(dataset, B, claim, mint("source", "page"))
    report = resolve_entities(dataset, [A, B])
    assert report.corroborated == 1


def test_a_claim_without_a_source_corroborates_nothing() -> None:
    dataset = Dataset()
    influence(dataset, A, mint("claim", "a"), mint("source", "book"))
    influence(dataset, B, mint("claim", "b"), mint("source", "page"))
    dataset.graph(B).remove((mint("claim", "b"), FG.source, mint("source", "page")))
    report = resolve_entities(dataset, [A, B])
    assert report.corroborated == 0


def test_contradictory_years_are_kept_side_by_side_and_reported() -> None:
    dataset = Dataset()
    ours = mint("film", "the-miners-1937")
    film(dataset, A, ours, "The Miners", 1937)
    dataset.graph(B).add((ours, FG.year, Literal("1938", datatype=XSD.gYear)))
    report = resolve_entities(dataset, [A, B])
    assert len(report.contradictions) == 1
    assert "1937" in report.contradictions[0] and "1938" in report.contradictions[0]
    assert len(set(dataset.quads((ours, FG.year, None, None)))) == 2
