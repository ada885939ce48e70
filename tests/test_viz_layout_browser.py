"""Maps open well: in headless Chromium, right after load, the whole graph is in view and no two
nodes (their shapes and labels, as vis-network measures them) overlap.

Checked on the bundled graph around The Miners (what ``filmgraph viz --around "The Miners"
--depth 2`` draws) and on a 1,000-node synthetic map with titles of every length.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from filmgraph.build import BuildResult
from filmgraph.store import open_store
from filmgraph.viz.details import Catalogue, map_graph
from filmgraph.viz.maps import MapRequest, write_map
from filmgraph.viz.page import write_page
from filmgraph.viz.selection import everything

from .conftest import require_program

pytestmark = pytest.mark.integration

#: vis-network's own measures: each node's box (shape and label) in canvas coordinates, turned
#: into page pixels with canvasToDOM; the boxes that leave the view; the pairs that overlap.
MEASURE = """() => {
    const net = filmgraph.network;
    const view = document.getElementById('fg-network').getBoundingClientRect();
    const boxes = Object.keys(net.getPositions()).map(id => {
        const b = net.getBoundingBox(id);
        const a = net.canvasToDOM({x: b.left, y: b.top});
        const z = net.canvasToDOM({x: b.right, y: b.bottom});
        return {id: id, left: a.x, top: a.y, right: z.x, bottom: z.y};
    });
    const outside = boxes.filter(b => b.left < -0.5 || b.top < -0.5 ||
        b.right > view.width + 0.5 || b.bottom > view.height + 0.5).map(b => b.id);
    const sorted = boxes.slice().sort((p, q) => p.left - q.left);
    const overlaps = [];
    for (let i = 0; i < sorted.length; i++) {
        for (let j = i + 1; j < sorted.length && sorted[j].left < sorted[i].right; j++) {
            const p = sorted[i], q = sorted[j];
            if (p.top < q.bottom && q.top < p.bottom) { overlaps.push([p.id, q.id]); }
        }
    }
    return {nodes: boxes.length, outside: outside, overlaps: overlaps.slice(0, 20),
            overlapCount: overlaps.length, scale: net.getScale()};
}"""

WORDS = (
    "The",
    "Battleship",
    "Miners",
    "Earth",
    "of",
    "a",
    "Great",
    "Citizen",
    "Cranes",
    "Are",
    "Flying",
    "Ivan's",
    "Childhood",
    "Man",
    "with",
    "Movie",
    "Camera",
    "Night",
    "and",
    "Fog",
    "Strike",
    "Mother",
    "Volga",
    "Extraordinary",
    "Adventures",
    "in",
    "Land",
)


def synthetic(n: int, seed: int = 1925) -> nx.MultiDiGraph:
    """A map graph of ``n`` works shaped like ours (later works draw on one to three earlier
    ones, preferring the already influential), with titles of one to eight words."""
    rng = random.Random(seed)
    graph = nx.DiGraph()
    years = sorted(rng.randint(1905, 2020) for _ in range(n))
    for i, year in enumerate(years):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.choice((1, 2, 2, 3, 3, 4, 6, 8))))
        graph.add_node(
            f"https://w3id.org/filmgraph/id/film/n{i}",
            label=title,
            year=year,
            kind="film",
            movements=(),
        )
    nodes = list(graph)
    for i in range(1, n):
        for _ in range(rng.choice((1, 2, 3))):
            j = rng.randrange(i)
            claim = {
                "claim": f"urn:claim:{i}-{j}",
                "type": "inspiration claim",
                "aspect": "style",
                "source": "urn:source:test",
                "weight": 0.6,
            }
            graph.add_edge(
                nodes[j],
                nodes[i],
                claims=[claim],
                types=["inspiration claim"],
                sources=1,
                weight=0.6,
            )
    empty = Catalogue(nodes={}, claims={}, movements={}, similar={}, context={})
    return map_graph(graph, everything(graph), empty)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = require_program("chromium")
    from .viz_browser import chromium

    with chromium(executable) as launched:
        yield launched


@pytest.fixture(scope="module")
def miners_page(bundled_build: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = open_store(bundled_build.generation.path.parent.parent)
    out = tmp_path_factory.mktemp("maps") / "miners.html"
    result = write_map(store, MapRequest(around="The Miners", depth=2), out)
    assert result.graph.number_of_nodes() > 30
    return out


@pytest.fixture(scope="module")
def large_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_page(tmp_path_factory.mktemp("maps") / "large.html", synthetic(1000))


def measure(browser: Any, page: Path) -> dict[str, Any]:
    from .viz_browser import open_page

    with open_page(browser, page) as record:
        found = record.evaluate(MEASURE)
        assert record.network_requests == [] and record.console_errors == []
        return dict(found)


def test_the_map_around_the_miners_opens_with_every_node_in_view(
    browser: Any, miners_page: Path
) -> None:
    found = measure(browser, miners_page)
    assert found["outside"] == []


def test_no_two_nodes_of_the_map_around_the_miners_overlap(browser: Any, miners_page: Path) -> None:
    found = measure(browser, miners_page)
    assert found["overlaps"] == []


def test_a_thousand_node_map_opens_with_every_node_in_view(browser: Any, large_page: Path) -> None:
    found = measure(browser, large_page)
    assert found["nodes"] == 1000
    assert found["outside"] == []


def test_no_two_nodes_of_a_thousand_node_map_overlap(browser: Any, large_page: Path) -> None:
    found = measure(browser, large_page)
    assert found["overlapCount"] == 0, found["overlaps"]
