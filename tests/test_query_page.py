"""The query page (``/``): Yasgui, vendored, working against this server alone.

A real server on loopback answers from the viz fixture graph; Debian's headless Chromium opens
the page with every request that is not to that server recorded and aborted. The page must
load without a blocked request or a console error, and a person must be able to pick an
example, type a query, run it, read rows whose links dereference here, share the query by its
URL, complete prefixes and ontology terms, and switch to the timeline view.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from filmgraph.queries import catalogue
from filmgraph.server import RunningServer

from .conftest import require_program
from .query_page_support import ServedPage, open_served, serve_fixture

pytestmark = pytest.mark.integration

FILMS_BY_YEAR = (
    "SELECT ?film ?title ?year WHERE { ?film a <https://w3id.org/filmgraph/ontology#Film> ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?title ; "
    "<https://w3id.org/filmgraph/ontology#year> ?year } ORDER BY ?year ?title"
)
ROWS = ".yasr .dataTable tbody tr"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = serve_fixture(tmp_path_factory.mktemp("query-page"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = require_program("chromium")
    from .viz_browser import chromium

    with chromium(executable) as launched:
        yield launched


@pytest.fixture
def opened(browser: Any, server: RunningServer) -> Iterator[ServedPage]:
    with open_served(browser, server.url, "/") as record:
        record.page.wait_for_selector("body[data-ready=true]", timeout=60_000)
        yield record
        assert record.blocked == []
        assert record.console_errors == []


def type_query(record: ServedPage, text: str) -> None:
    """Replace the editor's text by typing, as a person does, and press the run button."""
    page = record.page
    page.click(".yasqe .CodeMirror")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)
    page.click(".yasqe .yasqe_queryButton")


def rows(record: ServedPage, count: int) -> list[str]:
    record.page.wait_for_function(
        f"document.querySelectorAll('{ROWS}').length === {count}", timeout=30_000
    )
    return record.page.locator(ROWS).all_inner_texts()


def test_the_page_opens_offline_with_the_editor(opened: ServedPage) -> None:
    assert opened.page.locator(".yasgui .yasqe .CodeMirror").count() == 1
    assert opened.page.locator(".yasr").count() == 1


def test_every_named_query_is_an_example_with_its_summary(opened: ServedPage) -> None:
    names = opened.page.locator("#example-list .example-name").all_inner_texts()
    assert sorted(names) == sorted(catalogue())
    summary = opened.page.locator("#example-list li[data-name=film-influences]").inner_text()
    assert catalogue()["film-influences"].summary in summary


def test_the_example_list_is_not_wider_than_the_window(opened: ServedPage) -> None:
    opened.page.click("#example-list li[data-name=film-influences] button")
    rows(opened, 2)  # a wide result table must not widen the page either
    sizes = opened.evaluate("""() => ({
        window: window.innerWidth,
        page: document.documentElement.scrollWidth,
        examples: document.getElementById('examples').getBoundingClientRect().right,
    })""")
    assert sizes["examples"] <= sizes["window"]
    assert sizes["page"] <= sizes["window"]


def test_a_typed_query_runs_and_shows_its_rows(opened: ServedPage) -> None:
    type_query(opened, FILMS_BY_YEAR)
    shown = rows(opened, 10)
    assert "Intolerance" in shown[0] and "Ivan's Childhood" in shown[-1]


def test_an_example_runs_with_its_parameter_bound(opened: ServedPage) -> None:
    opened.page.click("#example-list li[data-name=film-influences] button")
    shown = rows(opened, 2)  # the fixture's two claims on The Miners
    assert "Battleship Potemkin" in shown[0] and "Chapaev" in shown[1]
    editor = opened.evaluate("filmgraph.yasgui.getTab().getQuery()")
    assert "VALUES ?film { film:the-miners-1937 }" in editor
    about = opened.page.inner_text("#example-about")
    assert "CQ1" in about


def test_result_links_dereference_on_this_server(opened: ServedPage, server: RunningServer) -> None:
    type_query(opened, FILMS_BY_YEAR)
    rows(opened, 10)
    hrefs = opened.page.locator(f"{ROWS} a.iri").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    films = [h for h in hrefs if h.startswith("/id/film/")]
    assert len(films) == 10
    request = urllib.request.Request(server.url + films[0], headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200 and b"Intolerance" in response.read()


def test_the_address_bar_holds_a_link_that_reopens_the_query(
    opened: ServedPage,
    browser: Any,
    server: RunningServer,
) -> None:
    type_query(opened, FILMS_BY_YEAR)
    rows(opened, 10)
    url = opened.page.url
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["query"] == [FILMS_BY_YEAR]
    assert opened.page.get_attribute("#share-link", "href") == url[len(server.url) :]
    with open_served(browser, server.url, url[len(server.url) :]) as again:
        again.page.wait_for_selector("body[data-ready=true]")
        assert "Intolerance" in rows(again, 10)[0]
        assert again.evaluate("filmgraph.yasgui.getTab().getQuery()") == FILMS_BY_YEAR
        assert again.blocked == [] and again.console_errors == []


def test_the_timeline_view_draws_one_dot_per_film(opened: ServedPage) -> None:
    type_query(opened, FILMS_BY_YEAR)
    rows(opened, 10)
    opened.page.click(".yasr .select_timeline")
    opened.page.wait_for_selector("#fg-timeline svg")
    dots = opened.page.locator("#fg-timeline circle.fg-dot")
    assert dots.count() == 10
    titles = opened.page.locator("#fg-timeline circle.fg-dot title").evaluate_all(
        "titles => titles.map(t => t.textContent)"
    )
    assert "Intolerance (1916)" in titles
    links = opened.page.locator("#fg-timeline a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert all(h.startswith("/id/film/") for h in links)


def test_prefixes_complete_from_this_servers_context(opened: ServedPage) -> None:
    page = opened.page
    page.click(".yasqe .CodeMirror")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("PREFIX fil")
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hints")
    hints = page.locator(".CodeMirror-hints li").all_inner_texts()
    assert "film: <https://w3id.org/filmgraph/id/film/>" in hints


def test_classes_complete_from_the_ontology(opened: ServedPage) -> None:
    page = opened.page
    opened.evaluate(
        "(text) => { filmgraph.yasgui.getTab().setQuery(text); }",
        "PREFIX fg: <https://w3id.org/filmgraph/ontology#>\nSELECT * WHERE {\n}",
    )
    page.click(".yasqe .CodeMirror")
    opened.evaluate("""() => { const y = filmgraph.yasgui.getTab().getYasqe();
                               y.setCursor({line: 1, ch: 16}); y.focus(); }""")
    page.keyboard.type(" ?f a fg:Fi")
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hints")
    hints = page.locator(".CodeMirror-hints li").all_inner_texts()
    assert "fg:Film" in hints
