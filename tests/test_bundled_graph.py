"""The bundled graph is a real one: the sizes the foundation promises, and known answers."""

from __future__ import annotations

import pytest

from filmgraph.build import BuildResult
from filmgraph.queries import run_named
from filmgraph.resources import sources_dir
from filmgraph.store import SelectResult, Store, open_store

FG = "PREFIX fg: <https://w3id.org/filmgraph/ontology#>\n"
CURATED = "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/filmgraph/id/graph/curated-'))"


@pytest.fixture(scope="module")
def store(bundled_build: BuildResult) -> Store:
    return open_store(bundled_build.generation.path.parent.parent)


def count(store: Store, where: str) -> int:
    result = store.query(FG + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}")
    assert isinstance(result, SelectResult)
    return int(result.rows[0][0])  # type: ignore[arg-type]


def test_at_least_80_curated_films(store: Store) -> None:
    assert count(store, f"GRAPH ?g {{ ?x a fg:Film }} {CURATED}") >= 80


def test_every_curated_film_has_a_title_a_year_a_country_and_a_director(store: Store) -> None:
    missing = count(
        store,
        f"""GRAPH ?g {{ ?x a fg:Film }} {CURATED}
        FILTER NOT EXISTS {{ ?x fg:year ?y ; fg:hasCountry ?c ; fg:director ?d ;
                             <http://www.w3.org/2000/01/rdf-schema#label> ?t }}""",
    )
    assert missing == 0


def test_at_least_40_people_have_a_role_in_a_film(store: Store) -> None:
    assert count(store, "?credit fg:creditAgent ?x ; fg:role ?role") >= 40


def test_at_least_10_movements_with_films(store: Store) -> None:
    assert count(store, "?film fg:partOfMovement ?x") >= 10


def test_at_least_15_curated_events_have_dates(store: Store) -> None:
    assert count(store, f"GRAPH ?g {{ ?x a ?c ; fg:startDate ?d }} {CURATED}") >= 15


def test_at_least_100_curated_influence_claims_each_with_aspect_and_source(store: Store) -> None:
    assert (
        count(
            store, f"GRAPH ?g {{ ?x fg:influencer ?a ; fg:aspect ?asp ; fg:source ?s }} {CURATED}"
        )
        >= 100
    )
    assert count(store, "?x fg:influencer ?a FILTER NOT EXISTS { ?x fg:source ?s }") == 0


@pytest.mark.parametrize(
    "event",
    [
        "russian-revolution-of-1905",
        "october-revolution",
        "russian-civil-war",
        "new-economic-policy",
        "first-five-year-plan",
        "second-five-year-plan",
        "stakhanovite-movement",
        "assassination-of-kirov",
        "great-purge",
        "second-world-war",
        "siege-of-leningrad",
        "khrushchev-thaw",
    ],
)
def test_the_key_soviet_events_are_dated(store: Store, event: str) -> None:
    assert (
        count(
            store, f"BIND(<https://w3id.org/filmgraph/id/event/{event}> AS ?x) ?x fg:startDate ?d"
        )
        == 1
    )


def test_the_third_party_data_is_loaded(store: Store) -> None:
    assert count(store, "?x fg:remakeOf ?y") > 700
    events = "third-party-wikidata-historic-events-historicevents-json-gz"
    graph = f"<https://w3id.org/filmgraph/id/graph/{events}>"
    assert count(store, f"GRAPH {graph} {{ ?x a fg:HistoricalEvent }}") > 9000


def test_third_party_data_ships_with_its_attribution() -> None:
    for folder in ("wikipedia-film-remakes", "wikidata-historic-events"):
        text = (sources_dir() / "third-party" / folder / "SOURCE.md").read_text()
        assert "licence" in text.lower() or "license" in text.lower()


def test_at_least_five_film_pages_are_bundled() -> None:
    assert len(list((sources_dir() / "pages").glob("*.txt"))) >= 5


def test_the_miners_influences_come_with_aspect_and_source(store: Store) -> None:
    result = run_named(store, "film-influences", {"film": "film:the-miners-1937"})
    assert isinstance(result, SelectResult)
    rows = result.dicts()
    page = [r for r in rows if str(r["source"]).endswith("/the-miners-encyclopedia-page")]
    influencers = {str(r["influencer"]).rsplit("/", 1)[-1] for r in page}
    assert influencers == {
        "battleship-potemkin-1925",
        "the-general-line-1929",
        "chapaev-1934",
        "strike-1925",
        "turksib-1929",
    }
    aspects = {str(r["influencerLabel"]): str(r["aspect"]) for r in page}
    assert aspects["Battleship Potemkin"] == "Eisenstein's montage techniques"


def test_every_wikidata_link_is_unique_to_one_node(store: Store) -> None:
    result = store.query(
        FG + "SELECT ?q (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x fg:wikidata ?q } "
        "GROUP BY ?q HAVING (COUNT(DISTINCT ?x) > 1)"
    )
    assert isinstance(result, SelectResult)
    assert result.rows == []
