"""A film's page for people: ``filmgraph.server.pages.film_page`` and ``/id/film/…`` in a browser.

The graph is the viz fixture built with one more source beside this test
(``fixtures/film-page/the-miners-extra.ttl``: an event whose dates cover 1937, a stated context
claim, an award), so the page has stated and derived context and an award to show. Structure is
read with lxml; the browser test opens the page in headless Chromium with the network cut off.
"""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from filmgraph.namespaces import FG, ID
from filmgraph.server import RunningServer
from filmgraph.server.pages import MAP_SCRIPT, film_page
from filmgraph.store import Store, open_store

from .conftest import FIXTURES, require_program
from .query_page_support import build_fixture, open_served, serve

MINERS = URIRef(f"{ID}film/the-miners-1937")
POTEMKIN = URIRef(f"{ID}film/battleship-potemkin-1925")
SOURCE = "Test notes on Soviet film for the map tests"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("film-page")
    return build_fixture(folder, FIXTURES / "film-page" / "the-miners-extra.ttl")


@pytest.fixture(scope="module")
def store(store_dir: Path) -> Store:
    return open_store(store_dir)


def page_of(store: Store, iri: URIRef) -> Any:
    text = film_page(store, iri, with_map=False)
    assert text is not None
    return lxml_html.fromstring(text)


def texts(tree: Any, xpath: str) -> list[str]:
    return [" ".join(node.text_content().split()) for node in tree.xpath(xpath)]


def test_the_page_shows_title_year_and_people_with_roles(store: Store) -> None:
    tree = page_of(store, MINERS)
    assert texts(tree, "//h1") == ["The Miners (1937)"]
    assert texts(tree, "//section[@id='people']//li") == ["director Sergei Yutkevich"]


def test_each_influence_shows_aspect_confidence_and_source(store: Store) -> None:
    tree = page_of(store, MINERS)
    works = texts(tree, "//section[@id='drew-on']//li[@class='work']")
    assert len(works) == 2
    assert works[0].startswith("Battleship Potemkin (1925) montage inspiration claim")
    assert "low confidence" in works[0] and f"according to {SOURCE}" in works[0]
    assert works[1].startswith("Chapaev (1934) heroic biography")
    assert "high confidence" in works[1]


def test_the_works_a_film_influenced_are_listed_with_their_claims(store: Store) -> None:
    tree = page_of(store, POTEMKIN)
    later = texts(tree, "//section[@id='drawn-on-by']//li[@class='work']")
    assert len(later) == 1
    assert later[0].startswith("The Miners (1937) montage") and SOURCE in later[0]
    assert texts(tree, "//section[@id='drew-on']//a[@class='work-title']") == [
        "Intolerance",
        "Strike",
    ]


def test_context_is_marked_stated_or_derived(store: Store) -> None:
    tree = page_of(store, MINERS)
    rows = {
        r[0]: r
        for r in (
            [" ".join(td.text_content().split()) for td in tr.xpath("td")]
            for tr in tree.xpath("//section[@id='context']//tbody/tr")
        )
    }
    plan = rows["A test plan of five years"]
    assert plan[1] == "1933-01-01 \N{EN DASH} 1937-12-31"
    assert plan[2] == "derived fg:FilmYearWithinEvent"
    campaign = rows["A test campaign for record output"]
    assert campaign[2].startswith(f"stated by {SOURCE}")
    assert "record shifts echo the campaign" in campaign[2]


def test_awards_and_likenesses_are_shown(store: Store) -> None:
    assert texts(page_of(store, MINERS), "//section[@id='awards']/ul/li") == [
        "won A test order of labour (1937) · Sergei Yutkevich"
    ]
    similar = texts(page_of(store, MINERS), "//section[@id='similar']//li")
    assert similar == [f"Chapaev (1934) according to {SOURCE} · also an influence claim"]


def test_the_full_property_table_follows_for_linked_data_readers(store: Store) -> None:
    tree = page_of(store, MINERS)
    cells = texts(tree, "//section[@id='all-statements']//table[@id='statements']//tr/td[1]")
    assert "fg:year" in cells and "rdfs:label" in cells
    links = tree.xpath("//section[@id='all-statements']//a/@href")
    assert "/id/person/sergei-yutkevich" in links


def test_links_to_our_resources_stay_on_this_server(store: Store) -> None:
    tree = page_of(store, MINERS)
    ours = [h for h in tree.xpath("//a/@href") if "w3id.org/filmgraph/id/" in h]
    assert ours == []


def test_only_films_get_a_film_page(store: Store) -> None:
    assert film_page(store, URIRef(f"{ID}person/sergei-yutkevich")) is None
    assert film_page(store, URIRef(f"{ID}film/no-such-film-1900")) is None


def test_the_page_embeds_a_small_map_that_needs_no_network(store: Store) -> None:
    text = film_page(store, MINERS)
    assert text is not None
    frame = lxml_html.fromstring(text).xpath("//iframe[@id='film-map']")[0]
    inner = frame.get("srcdoc")
    assert "new vis.Network" in inner
    embedded = re.search(r'id="fg-nodes">(.*?)</script>', inner, re.S)
    assert embedded is not None, "the map holds its nodes as JSON"
    nodes = json.loads(embedded.group(1))
    assert {n["id"] for n in nodes} == {str(MINERS), str(POTEMKIN), f"{ID}film/chapaev-1934"}
    assert re.search(r"<script[^>]+src=", html.unescape(inner)) is None


# -- served -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = serve(store_dir, tmp_path_factory.mktemp("film-page-log"))
    yield running
    running.stop()


def fetch(url: str, accept: str) -> tuple[str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.headers["Content-Type"], response.read()


@pytest.mark.parametrize(
    ("accept", "fmt"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld")]
)
def test_clients_still_get_rdf_by_content_negotiation(
    server: RunningServer, accept: str, fmt: str
) -> None:
    media, body = fetch(server.url + "/id/film/the-miners-1937", accept)
    assert media.startswith(accept)
    graph = Graph().parse(data=body, format=fmt)
    assert (MINERS, RDFS.label, Literal("The Miners", lang="en")) in graph
    assert (MINERS, FG.drewOn, POTEMKIN) in graph


def test_the_served_page_leaves_its_map_to_a_frame_of_its_own(server: RunningServer) -> None:
    _, body = fetch(server.url + "/id/film/the-miners-1937", "text/html")
    frame = lxml_html.fromstring(body).xpath("//iframe[@id='film-map']")[0]
    assert frame.get("src") == "/map/film/the-miners-1937" and frame.get("srcdoc") is None


def test_the_served_map_loads_vis_network_from_its_own_server(server: RunningServer) -> None:
    _, body = fetch(server.url + "/map/film/the-miners-1937", "text/html")
    text = body.decode("utf-8")
    assert re.findall(r'<script[^>]+src="([^"]+)"', text) == [MAP_SCRIPT]
    assert "new vis.Network" in text and len(body) < 100_000  # vis-network is not inlined
    with urllib.request.urlopen(server.url + MAP_SCRIPT, timeout=60) as response:
        assert response.status == 200 and b"vis" in response.read(4096)


def test_a_film_no_claim_links_has_no_map(server: RunningServer) -> None:
    with pytest.raises(urllib.error.HTTPError) as error:
        fetch(server.url + "/map/film/no-such-film-1900", "text/html")
    assert error.value.code == 404


@pytest.mark.integration
def test_a_browser_shows_the_film_page_offline(server: RunningServer) -> None:
    executable = require_program("chromium")
    from .viz_browser import chromium

    with (
        chromium(executable) as browser,
        open_served(browser, server.url, "/id/film/the-miners-1937") as record,
    ):
        page = record.page
        assert page.inner_text("h1") == "The Miners (1937)"
        for section in (
            "people",
            "drew-on",
            "drawn-on-by",
            "context",
            "similar",
            "awards",
            "map",
            "all-statements",
        ):
            assert page.locator(f"section#{section}").is_visible()
        frame = page.frame_locator("#film-map")
        frame.locator("body[data-ready=true]").wait_for(timeout=60_000)
        drawn = page.frames[1].evaluate("Object.keys(filmgraph.network.getPositions()).length")
        assert drawn == 3
        assert record.blocked == [] and record.console_errors == []
