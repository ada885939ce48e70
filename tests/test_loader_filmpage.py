"""The film-page loader: every kind of fact the example page holds, the bundled pages, bad input.

The example page is read as a build reads it: after the bundled curated tables, whose
labels and aliases form the gazetteer names are resolved against.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from filmgraph.errors import SourceError
from filmgraph.iri import film_iri, mint
from filmgraph.loaders import LoadContext, get_loader
from filmgraph.namespaces import FG
from filmgraph.resources import sources_dir

from .conftest import FIXTURES, require_shared

PAGES = FIXTURES / "pages"
MINERS = film_iri("The Miners", 1937)


def curated_context(strict: bool = True) -> LoadContext:
    """A context that has read the bundled curated tables, as a build has before pages."""
    context = LoadContext(strict=strict)
    curated = sources_dir() / "curated"
    for source in get_loader("curated-tables").load(curated, context, curated.parent):
        context.loaded.append(source.graph)
    return context


@pytest.fixture(scope="module")
def curated() -> LoadContext:
    return curated_context()


def load_pages(path: Path, context: LoadContext) -> Graph:
    graph = Graph()
    for source in get_loader("film-page").load(path, context, path.parent):
        graph += source.graph
    return graph


@pytest.fixture(scope="module")
def miners(curated: LoadContext) -> Graph:
    page = require_shared("pages/the-miners-1937.txt")
    context = LoadContext(loaded=list(curated.loaded), known=curated.known)
    return load_pages(page, context)


def claims(graph: Graph, cls: URIRef, role: URIRef, film: URIRef) -> set[Node]:
    return {c for c in graph.subjects(role, film) if (c, RDF.type, cls) in graph}


def label_of(graph: Graph, node: Node, context: LoadContext) -> str:
    for g in [graph, *context.loaded]:
        value = g.value(node, RDFS.label)
        if value is not None:
            return str(value)
    raise AssertionError(f"{node} has no label")


# -- the example page: one test per kind of fact ------------------------------------------


def test_the_header_gives_title_year_runtime_and_country(miners: Graph) -> None:
    assert (MINERS, RDFS.label, Literal("The Miners", lang="en")) in miners
    assert (MINERS, FG.year, Literal("1937", datatype=XSD.gYear)) in miners
    assert (MINERS, FG.runtime, Literal(89, datatype=XSD.integer)) in miners
    countries = set(miners.objects(MINERS, FG.hasCountry))
    assert countries == {mint("place", "soviet-union")}


def test_the_tagline_keeps_its_russian_language_tag(miners: Graph) -> None:
    (tagline,) = miners.objects(MINERS, FG.tagline)
    assert isinstance(tagline, Literal)
    assert tagline.language == "ru"
    assert str(tagline).startswith("В борьбе за уголь")  # noqa: RUF001


def test_the_release_date_is_a_real_date(miners: Graph) -> None:
    assert (MINERS, FG.releaseDate, Literal("1937-03-15", datatype=XSD.date)) in miners
    (release,) = miners.subjects(RDF.type, FG.Release)
    assert (release, FG.date, Literal("1937-03-15", datatype=FG.EDTF)) in miners


def test_the_five_key_themes_are_split_apart(miners: Graph) -> None:
    themes = {str(t) for t in miners.objects(MINERS, FG.keyTheme)}
    assert len(themes) == 5
    assert "Collective action over individual achievement" in themes
    assert "Class struggle and the triumph of the proletariat" in themes


def test_both_production_companies_resolve_to_the_studios(miners: Graph) -> None:
    assert set(miners.objects(MINERS, FG.productionCompany)) == {
        mint("org", "lenfilm"),
        mint("org", "goskino"),
    }


def test_both_filming_locations_are_places(miners: Graph, curated: LoadContext) -> None:
    places = set(miners.objects(MINERS, FG.filmingLocation))
    assert len(places) == 2
    assert mint("place", "donbas") in places
    new = places - {mint("place", "donbas")}
    assert {label_of(miners, p, curated) for p in new} == {"Leningrad Film Studio"}
    assert all((p, FG.unresolved, Literal(True)) in miners for p in new)


@pytest.mark.parametrize(
    ("role", "person", "edge"),
    [
        (FG.DirectorRole, "sergei-yutkevich", FG.director),
        (FG.CinematographerRole, "vladimir-rapoport", FG.cinematographer),
        (FG.ComposerRole, "dmitri-kabalevsky", FG.composer),
    ],
)
def test_people_named_in_prose_get_their_role_with_the_sentence_as_evidence(
    miners: Graph, role: URIRef, person: str, edge: URIRef
) -> None:
    agent = mint("person", person)
    assert (MINERS, edge, agent) in miners
    credit = next(c for c in miners.subjects(FG.creditAgent, agent) if (c, FG.role, role) in miners)
    evidence = str(miners.value(credit, FG.evidence))
    assert person.split("-")[-1] in evidence.lower()


def test_an_actor_gets_the_character_played(miners: Graph) -> None:
    poslavsky = mint("person", "boris-poslavsky")
    credit = next(miners.subjects(FG.creditAgent, poslavsky))
    assert (credit, FG.role, FG.ActorRole) in miners
    assert (credit, FG.character, Literal("Semyon Primak")) in miners
    assert (MINERS, FG.castMember, poslavsky) in miners


def test_the_five_influenced_by_items_are_qualified_claims_with_aspects(miners: Graph) -> None:
    found = claims(miners, FG.InspirationClaim, FG.influencee, MINERS)
    assert len(found) == 5
    aspects = {str(miners.value(c, FG.aspect)): miners.value(c, FG.influencer) for c in found}
    assert aspects["Eisenstein's montage techniques"] == film_iri("Battleship Potemkin", 1925)
    # the page's mistake is kept as the page's claim
    assert aspects["Vertov's industrial documentary style"] == film_iri("The General Line", 1929)
    for claim in found:
        assert miners.value(claim, FG.source) is not None
        assert "(19" in str(miners.value(claim, FG.evidence))
        assert (MINERS, FG.inspiredBy, miners.value(claim, FG.influencer)) in miners


def test_the_five_this_film_influenced_items_point_back(miners: Graph) -> None:
    found = claims(miners, FG.InspirationClaim, FG.influencer, MINERS)
    later = {miners.value(c, FG.influencee) for c in found}
    assert len(found) == 5
    assert film_iri("The Great Citizen", 1938) in later
    assert film_iri("Andrei Rublev", 1966) in later


def test_you_might_also_like_is_similarity_never_influence(miners: Graph) -> None:
    similar = set(miners.objects(MINERS, FG.similarTo))
    assert len(similar) == 5
    assert film_iri("Love and Lies", 1976) in similar
    assert len(set(miners.subjects(RDF.type, FG.SimilarityClaim))) == 5
    assert not similar & set(miners.objects(MINERS, FG.inspiredBy))
    assert (film_iri("The Height", 1957), FG.inspiredBy, MINERS) not in miners


def test_the_fifteen_topics_are_segmented_against_the_theme_vocabulary(miners: Graph) -> None:
    themes = set(miners.objects(MINERS, FG.hasTheme))
    assert len(themes) == 15
    assert {
        mint("theme", t)
        for t in ("coal-mining", "industrial-accident", "revolutionary-fervor", "production-quotas")
    } <= themes


def test_two_awards_one_to_a_person_and_one_a_nomination(miners: Graph) -> None:
    recognitions = set(miners.subjects(RDF.type, FG.AwardRecognition))
    assert len(recognitions) == 2
    by_outcome = {miners.value(r, FG.outcome): r for r in recognitions}
    won = by_outcome[FG.Won]
    assert miners.value(won, FG.recipient) == mint("person", "sergei-yutkevich")
    assert miners.value(won, FG.forFilm) == MINERS
    assert miners.value(won, FG.year) == Literal("1937", datatype=XSD.gYear)
    nominated = by_outcome[FG.Nominated]
    assert miners.value(nominated, FG.ofAward) == mint("award", "stalin-prize")


def test_the_1938_withdrawal_and_the_2005_restoration(miners: Graph) -> None:
    (withdrawal,) = miners.subjects(RDF.type, FG.Withdrawal)
    assert miners.value(withdrawal, FG.date) == Literal("1938", datatype=FG.EDTF)
    (restoration,) = miners.subjects(RDF.type, FG.Restoration)
    assert miners.value(restoration, FG.date) == Literal("2005", datatype=FG.EDTF)


def test_the_archive_that_holds_the_film(miners: Graph) -> None:
    assert (MINERS, FG.heldBy, mint("org", "gosfilmofond")) in miners
    (holding,) = miners.subjects(RDF.type, FG.ArchivalHolding)
    assert miners.value(holding, FG.carriedOutBy) == mint("org", "gosfilmofond")


def test_historical_context_links_to_the_event_nodes(miners: Graph) -> None:
    events = set(miners.objects(MINERS, FG.historicalContext))
    assert events == {
        mint("event", e) for e in ("great-purge", "second-five-year-plan", "stakhanovite-movement")
    }
    for claim in miners.subjects(RDF.type, FG.ContextClaim):
        event = miners.value(claim, FG.contextEvent)
        name = str(event).rsplit("/", 1)[-1].split("-")[1]
        assert name in str(miners.value(claim, FG.evidence)).lower()


def test_every_section_is_kept_with_its_name(miners: Graph) -> None:
    sections = {str(miners.value(s, FG.sectionName)): s for s in miners.objects(MINERS, FG.section)}
    assert {"Plot", "Historical Background", "Making Of", "Film Restoration"} <= set(sections)
    background = str(miners.value(sections["Historical Background"], FG.text))
    assert "Second Five-Year Plan" in background


@pytest.mark.parametrize(
    ("cls", "count"), [(FG.TriviaItem, 10), (FG.MemorableScene, 5), (FG.Quotation, 8)]
)
def test_listed_items_are_separate_nodes(miners: Graph, cls: URIRef, count: int) -> None:
    items = set(miners.subjects(RDF.type, cls))
    assert len(items) == count
    assert all((MINERS, FG.item, i) in miners for i in items)


def test_the_page_is_the_cited_source_document(miners: Graph) -> None:
    (page,) = miners.subjects(FG.sourceKind, Literal("film-page"))
    assert (page, RDF.type, FG.SourceDocument) in miners
    assert set(miners.objects(None, FG.source)) == {page}


# -- the bundled pages and a page of our own --------------------------------------------------


def test_the_six_bundled_pages_load_strictly(curated: LoadContext) -> None:
    context = LoadContext(loaded=list(curated.loaded), known=curated.known)
    pages = sources_dir() / "pages"
    sources = list(get_loader("film-page").load(pages, context, pages.parent))
    assert len(sources) == 6
    films = {s.iri for s in sources}
    assert len(films) == 6
    assert all(len(s.graph) > 100 for s in sources)


def test_a_page_names_the_people_it_credits_even_when_the_graph_does_not_know_them() -> None:
    graph = load_pages(PAGES / "good", LoadContext())
    reel = film_iri("The Test Reel", 1950)
    director = graph.value(reel, FG.director)
    assert graph.value(director, RDFS.label) == Literal("Ivan Testov", lang="en")
    assert (director, FG.unresolved, Literal(True)) in graph


def test_an_unknown_film_in_a_connection_is_a_node_marked_unresolved() -> None:
    graph = load_pages(PAGES / "good", LoadContext())
    strike = film_iri("Strike", 1925)
    assert (strike, FG.unresolved, Literal(True)) in graph
    assert (strike, FG.year, Literal("1925", datatype=XSD.gYear)) in graph


def test_topics_missing_from_the_vocabulary_are_reported_not_dropped(curated: LoadContext) -> None:
    context = LoadContext(loaded=list(curated.loaded), known=curated.known)
    load_pages(PAGES / "good", context)
    assert any("'test patterns'" in note for note in context.notes)


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "field"),
    [
        ("no-title.txt", 1, "title"),
        ("no-year.txt", 1, "year"),
        ("connection-without-title.txt", 16, "Influenced By"),
    ],
)
def test_malformed_pages_name_file_line_and_field(name: str, line: int, field: str) -> None:
    with pytest.raises(SourceError) as caught:
        load_pages(PAGES / "bad" / name, LoadContext())
    error = caught.value
    assert (error.file.name, error.line, error.field) == (name, line, field)


def test_lenient_loading_skips_bad_records_keeps_the_rest_and_lists_them() -> None:
    context = LoadContext(strict=False)
    graph = load_pages(PAGES / "bad", context)
    skipped = sorted((e.file.name, e.field) for e in context.skipped)
    assert skipped == [
        ("connection-without-title.txt", "Influenced By"),
        ("no-title.txt", "title"),
        ("no-year.txt", "year"),
    ]
    broken_link = film_iri("The Broken Link", 1951)
    assert (broken_link, FG.inspiredBy, film_iri("Strike", 1925)) in graph


def test_an_item_without_a_year_is_resolved_by_title_and_reported_when_ambiguous(
    tmp_path: Path,
) -> None:
    known = Graph()
    for year in (1925, 1947):
        strike = film_iri("Strike", year)
        known.add((strike, RDF.type, FG.Film))
        known.add((strike, RDFS.label, Literal("Strike", lang="en")))
        known.add((strike, FG.year, Literal(str(year), datatype=XSD.gYear)))
    mother = film_iri("Mother", 1926)
    known.add((mother, RDF.type, FG.Film))
    known.add((mother, RDFS.label, Literal("Mother", lang="en")))
    page = tmp_path / "page.txt"
    page.write_text(
        "A Film\n\n1950\n\nInfluenced By\n\n  • Strike - crowds\n  • Mother - faces\n",
        encoding="utf-8",
    )
    context = LoadContext(loaded=[known])
    graph = load_pages(page, context)
    assert (film_iri("A Film", 1950), FG.inspiredBy, mother) in graph
    assert any("'Strike' has no year and matches several films" in n for n in context.notes)


# -- the example page is required under CI ------------------------------------------------


def test_a_missing_example_page_fails_under_ci_instead_of_skipping(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from . import conftest

    monkeypatch.setattr(conftest, "SHARED", tmp_path / "absent")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"\.\./shared is absent"):
        require_shared("pages/the-miners-1937.txt")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        require_shared("pages/the-miners-1937.txt")
