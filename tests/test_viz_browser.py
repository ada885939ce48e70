"""Influence maps in real headless Chromium (Debian's), with every network request recorded and
aborted: the page works offline, draws every node, and its panel, search and filters work.

Skipped locally without chromium; under ``CI=true`` a missing chromium fails
(``require_program``). Clicks are real mouse clicks at the place where vis-network drew the
node or the line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from filmgraph.store import Store
from filmgraph.viz.maps import MapRequest, MapResult, influence_map
from filmgraph.viz.page import write_page

from .conftest import require_program
from .viz_support import viz_store

pytestmark = pytest.mark.integration

FILM = "https://w3id.org/filmgraph/id/film/"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = require_program("chromium")
    from .viz_browser import chromium

    with chromium(executable) as launched:
        yield launched


@pytest.fixture(scope="module")
def store() -> Store:
    return viz_store()


@pytest.fixture(scope="module")
def whole(store: Store) -> MapResult:
    return influence_map(store, MapRequest(everything=True))


@pytest.fixture(scope="module")
def pages(whole: MapResult, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    return {
        layout: write_page(
            folder / f"{layout}.html",
            whole.graph,
            layout=layout,
            movement_labels=whole.movement_labels,
        )
        for layout in ("timeline", "force")
    }


@pytest.fixture
def opened(browser: Any, pages: dict[str, Path]) -> Iterator[Any]:
    from .viz_browser import open_page

    with open_page(browser, pages["timeline"]) as record:
        yield record


def click_node(record: Any, node: str) -> None:
    """Bring ``node`` into view and click where it is drawn."""
    point = record.evaluate(
        """(id) => {
        const net = filmgraph.network;
        net.focus(id, {scale: 1.2, animation: false});
        const p = net.canvasToDOM(net.getPosition(id));
        const box = document.getElementById('fg-network').getBoundingClientRect();
        return {x: box.left + p.x, y: box.top + p.y};
    }""",
        node,
    )
    record.page.mouse.click(point["x"], point["y"])


def panel_title(record: Any) -> str:
    record.page.wait_for_selector("#fg-panel:not([hidden]) #fg-panel-title")
    return str(record.page.text_content("#fg-panel-title"))


@pytest.mark.parametrize("layout", ["timeline", "force"])
def test_the_page_opens_offline_without_errors(
    browser: Any, pages: dict[str, Path], layout: str
) -> None:
    from .viz_browser import open_page

    with open_page(browser, pages[layout]) as record:
        assert record.network_requests == []
        assert all(url.startswith("file:") for url in record.requests)
        assert record.console_errors == []
        assert record.page_errors == []


def test_every_node_of_the_graph_is_drawn(opened: Any, whole: MapResult) -> None:
    counts = opened.evaluate("""() => ({
        data: filmgraph.nodes.length,
        drawn: Object.keys(filmgraph.network.getPositions()).length,
        visible: filmgraph.visibleNodeIds().length,
    })""")
    n = whole.graph.number_of_nodes()
    assert counts == {"data": n, "drawn": n, "visible": n}


def test_clicking_a_node_opens_its_panel(opened: Any) -> None:
    click_node(opened, FILM + "the-miners-1937")
    assert panel_title(opened) == "The Miners"
    panel = opened.page.text_content("#fg-panel")
    assert "Sergei Yutkevich" in panel and "Socialist realism" in panel and "1937" in panel


def test_clicking_an_edge_lists_its_claims(opened: Any) -> None:
    point = opened.evaluate(
        """([a, b]) => {
        const net = filmgraph.network;
        net.moveTo({position: {x: 0, y: 0}, scale: 1, animation: false});
        const pa = net.getPosition(a), pb = net.getPosition(b);
        const mid = {x: (pa.x + pb.x) / 2, y: (pa.y + pb.y) / 2};
        net.moveTo({position: mid, scale: 1.5, animation: false});
        const p = net.canvasToDOM(mid);
        const box = document.getElementById('fg-network').getBoundingClientRect();
        return {x: box.left + p.x, y: box.top + p.y};
    }""",
        [FILM + "strike-1925", FILM + "battleship-potemkin-1925"],
    )
    opened.page.mouse.click(point["x"], point["y"])
    assert panel_title(opened) == "Strike → Battleship Potemkin"
    panel = opened.page.text_content("#fg-panel")
    for text in (
        "crowd choreography",
        "A fixture claim about crowds.",
        "Test notes on Soviet film for the map tests",
        "high confidence",
    ):
        assert text in panel


def test_the_decade_filter_hides_nodes_outside_it(opened: Any, whole: MapResult) -> None:
    opened.page.select_option("#fg-decade-from", "1950")
    opened.page.uncheck("#fg-undated")
    visible = set(opened.evaluate("filmgraph.visibleNodeIds()"))
    expected = {n for n, y in whole.graph.nodes(data="year") if y is not None and y >= 1950}
    assert visible == expected and 0 < len(visible) < whole.graph.number_of_nodes()
    assert opened.evaluate(f"filmgraph.network.body.nodes['{FILM}strike-1925'].options.hidden")
    shown = opened.page.get_attribute("#fg-status", "data-shown-nodes")
    assert shown == str(len(expected))


def test_similarity_is_off_until_switched_on(opened: Any) -> None:
    def similar_shown() -> int:
        return int(
            opened.evaluate(
                "filmgraph.visibleEdgeIds().filter(id => "
                "filmgraph.edges.get(id).fgTypes.includes('similarity')).length"
            )
        )

    assert similar_shown() == 0
    opened.page.check("#fg-types input[data-type=similarity]")
    assert similar_shown() == 1


def test_the_confidence_filter_hides_weaker_claims(opened: Any) -> None:
    def shown(a: str, b: str) -> bool:
        return bool(
            opened.evaluate(
                "([a, b]) => filmgraph.visibleEdgeIds().some(id => {"
                " const e = filmgraph.edges.get(id); return e.from === a && e.to === b; })",
                [FILM + a, FILM + b],
            )
        )

    low = ("battleship-potemkin-1925", "the-miners-1937")
    high = ("chapaev-1934", "the-miners-1937")
    assert shown(*low) and shown(*high)
    opened.page.select_option("#fg-confidence", "1.0")
    assert not shown(*low) and shown(*high)


def test_search_finds_a_node_and_opens_its_panel(opened: Any) -> None:
    opened.page.fill("#fg-search", "ivan's child")
    opened.page.press("#fg-search", "Enter")
    assert panel_title(opened) == "Ivan's Childhood"
    selected = opened.evaluate("filmgraph.network.getSelectedNodes()")
    assert selected == [FILM + "ivans-childhood-1962"]


def test_a_force_layout_stops_moving_once_settled(browser: Any, pages: dict[str, Path]) -> None:
    from .viz_browser import open_page

    with open_page(browser, pages["force"]) as record:
        before = record.evaluate("filmgraph.network.getPositions()")
        record.page.wait_for_timeout(300)
        after = record.evaluate("filmgraph.network.getPositions()")
        assert before == after
        assert record.evaluate("filmgraph.network.physics.physicsEnabled") is False


def test_a_page_that_reaches_for_a_cdn_is_caught(browser: Any, tmp_path: Path) -> None:
    """The harness itself: a request to the network is recorded (and gets no answer)."""
    from .viz_browser import open_page

    page = tmp_path / "cdn.html"
    page.write_text(
        '<!DOCTYPE html><script src="https://cdn.example.org/vis.js"></script>'
        "<body data-ready=true></body>",
        encoding="utf-8",
    )
    with open_page(browser, page, wait_ready=False) as record:
        record.page.wait_for_load_state("load")
        assert record.network_requests == ["https://cdn.example.org/vis.js"]
