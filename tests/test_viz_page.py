"""Influence maps as data and HTML: what is selected, how it is styled, where it is placed,
and that the page refers to nothing on the network. (The page in a real browser:
``test_viz_browser.py``.)"""

from __future__ import annotations

import doctest
import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from typing import Any, ClassVar

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyvis.network import Network

from filmgraph.build import build
from filmgraph.cli import main
from filmgraph.errors import UnknownName
from filmgraph.store import Store
from filmgraph.viz import details, layout, page, selection, static, style
from filmgraph.viz.layout import timeline_layout
from filmgraph.viz.maps import MapRequest, MapResult, influence_map
from filmgraph.viz.page import render_page

from .viz_support import fixture_sources, read_json_script, viz_store

FILM = "https://w3id.org/filmgraph/id/film/"
PERSON = "https://w3id.org/filmgraph/id/person/"


@pytest.fixture(scope="module")
def store() -> Store:
    return viz_store()


@pytest.fixture(scope="module")
def whole(store: Store) -> MapResult:
    return influence_map(store, MapRequest(everything=True))


@pytest.fixture(scope="module")
def whole_html(whole: MapResult) -> str:
    return render_page(whole.graph, movement_labels=whole.movement_labels)


def page_data(html: str) -> dict[str, Any]:
    return {
        key: json.loads(read_json_script(html, f"fg-{key}"))
        for key in ("nodes", "edges", "options", "page")
    }


class ResourceFinder(HTMLParser):
    """Every attribute through which a page would load something."""

    LOADING: ClassVar[set[tuple[str, str]]] = {
        ("script", "src"),
        ("link", "href"),
        ("img", "src"),
        ("iframe", "src"),
        ("source", "src"),
        ("video", "src"),
        ("audio", "src"),
        ("embed", "src"),
        ("object", "data"),
        ("img", "srcset"),
        ("source", "srcset"),
    }

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[tuple[str, str, str]] = []
        self.inline_styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if (tag, name) in self.LOADING and value:
                self.loads.append((tag, name, value))
            if name == "style" and value:
                self.inline_styles.append(value)


# --- the page is self-contained -------------------------------------------------------


def test_the_page_loads_nothing_from_anywhere(whole_html: str) -> None:
    finder = ResourceFinder()
    finder.feed(whole_html)
    assert finder.loads == []


def test_the_page_style_sheets_import_nothing_and_fetch_no_url(whole_html: str) -> None:
    styles = re.findall(r"<style>(.*?)</style>", whole_html, flags=re.S)
    finder = ResourceFinder()
    finder.feed(whole_html)
    for css in [*styles, *finder.inline_styles]:
        assert "@import" not in css
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)


def test_the_page_names_no_cdn(whole_html: str) -> None:
    for host in (
        "cdnjs",
        "jsdelivr",
        "unpkg",
        "googleapis",
        "bootstrapcdn",
        "visjs.github.io/vis-network/standalone",
    ):
        assert host not in whole_html


def test_the_page_inlines_vis_network_and_its_own_script(whole_html: str) -> None:
    assert "vis-network" in whole_html and "@version 10.1.5" in whole_html
    assert "window.filmgraph" in whole_html


# --- what a map shows -------------------------------------------------------------------


def test_around_reaches_depth_steps_in_both_directions(store: Store) -> None:
    result = influence_map(store, MapRequest(around="The Miners", depth=2))
    assert set(result.graph) == {
        FILM + f
        for f in (
            "the-miners-1937",
            "chapaev-1934",
            "battleship-potemkin-1925",
            "strike-1925",
            "intolerance-1916",
        )
    }


def test_path_map_holds_the_nodes_of_the_paths(store: Store) -> None:
    result = influence_map(store, MapRequest(path=("Strike", "The Miners")))
    assert set(result.graph) == {
        FILM + "strike-1925",
        FILM + "battleship-potemkin-1925",
        FILM + "the-miners-1937",
    }


def test_a_path_that_does_not_exist_gives_an_empty_map(store: Store) -> None:
    result = influence_map(store, MapRequest(path=("The Miners", "Strike")))
    assert result.graph.number_of_nodes() == 0


def test_movement_map_draws_the_movement_as_a_node_linked_to_its_members(
    store: Store,
) -> None:
    graph = influence_map(store, MapRequest(movement="Thaw cinema")).graph
    movement = "https://w3id.org/filmgraph/id/movement/thaw-cinema"
    assert graph.nodes[movement]["kind"] == "movement"
    members = {b for a, b, k in graph.edges(keys=True) if k == "membership" and a == movement}
    assert FILM + "ivans-childhood-1962" in members
    assert FILM + "earth-1930" not in members  # a neighbour, not a member


def test_around_a_movement_draws_the_movement(store: Store) -> None:
    graph = influence_map(store, MapRequest(around="Thaw cinema")).graph
    assert graph.nodes["https://w3id.org/filmgraph/id/movement/thaw-cinema"]["kind"] == "movement"


def test_context_adds_the_events_a_source_states(store: Store) -> None:
    graph = influence_map(
        store, MapRequest(around="Battleship Potemkin", depth=0, context=True)
    ).graph
    events = [n for n, kind in graph.nodes(data="kind") if kind == "event"]
    assert events == ["https://w3id.org/filmgraph/id/event/revolution-of-1905"]


def test_an_unknown_name_is_refused(store: Store) -> None:
    with pytest.raises(UnknownName):
        influence_map(store, MapRequest(around="No Such Film"))


def test_edges_carry_every_claim_with_aspect_evidence_and_source(whole: MapResult) -> None:
    data = whole.graph.edges[FILM + "strike-1925", FILM + "battleship-potemkin-1925", "influence"]
    (claim,) = data["claims"]
    assert claim["aspect"] == "crowd choreography"
    assert claim["evidence"] == "A fixture claim about crowds."
    assert claim["source"] == "Test notes on Soviet film for the map tests"
    assert claim["source_url"] == "https://example.org/viz-notes"


def test_nodes_carry_director_and_life_dates(whole: MapResult) -> None:
    assert whole.graph.nodes[FILM + "the-miners-1937"]["directors"] == ["Sergei Yutkevich"]
    griffith = whole.graph.nodes[PERSON + "d-w-griffith"]
    assert griffith["born"] == "1875-01-22" and griffith["year"] == 1916  # first credit


@pytest.mark.parametrize(
    "request_",
    [
        MapRequest(around="The Miners", depth=2, context=True),
        MapRequest(path=("Strike", "The Miners")),
        MapRequest(movement="Thaw cinema"),
    ],
    ids=["around", "path", "movement"],
)
def test_a_map_of_some_nodes_shows_what_the_map_of_everything_says_of_them(
    store: Store, request_: MapRequest
) -> None:
    part = influence_map(store, request_).graph
    everything = replace(request_, around=None, path=None, movement=None, everything=True)
    whole = influence_map(store, everything).graph
    for node, data in part.nodes(data=True):
        if data["kind"] in ("film", "person"):
            shown = {k: data[k] for k in ("directors", "born", "died", "year", "label")}
            assert shown == {k: whole.nodes[node][k] for k in shown}, node
    for a, b, key, data in part.edges(keys=True, data=True):
        if key == "influence":
            assert data["claims"] == whole.edges[a, b, key]["claims"], (a, b)


# --- how it looks ------------------------------------------------------------------------


def test_arrows_point_from_the_influence_to_the_work_that_drew_on_it(whole_html: str) -> None:
    edges = page_data(whole_html)["edges"]
    pair = {(e["from"], e["to"]) for e in edges if e["fgTypes"] == ["inspiration"]}
    assert (FILM + "intolerance-1916", FILM + "battleship-potemkin-1925") in pair
    assert all(e["arrows"]["to"]["enabled"] for e in edges if e["fgTypes"] == ["inspiration"])


def test_similarity_is_dashed_without_arrows_and_off_by_default(whole: MapResult) -> None:
    for shown in (False, True):
        html = render_page(whole.graph, similarity=shown)
        (edge,) = [e for e in page_data(html)["edges"] if e["fgTypes"] == ["similarity"]]
        assert edge["dashes"] and not edge["arrows"]["to"]["enabled"]
        assert edge["hidden"] is (not shown)


def test_low_confidence_edges_are_fainter(whole_html: str) -> None:
    opacity = {
        (e["from"].rsplit("/", 1)[-1], e["to"].rsplit("/", 1)[-1]): e["color"]["opacity"]
        for e in page_data(whole_html)["edges"]
    }
    low = opacity[("battleship-potemkin-1925", "the-miners-1937")]
    high = opacity[("chapaev-1934", "the-miners-1937")]
    assert low < high


def test_shape_follows_the_kind(store: Store) -> None:
    graph = influence_map(store, MapRequest(movement="Thaw cinema", context=True)).graph
    shapes = {n["fgKind"]: n["shape"] for n in page_data(render_page(graph))["nodes"]}
    assert shapes == {"film": "dot", "person": "diamond", "movement": "hexagon"}


def test_more_influential_nodes_are_larger(whole_html: str) -> None:
    size = {n["id"]: n["size"] for n in page_data(whole_html)["nodes"]}
    # Potemkin drew on two films and one drew on it; The Miners influenced nothing
    assert size[FILM + "battleship-potemkin-1925"] > size[FILM + "the-miners-1937"]


def test_colour_follows_the_movement_and_the_legend_names_it(whole_html: str) -> None:
    data = page_data(whole_html)
    colour = {n["id"]: n["color"]["background"] for n in data["nodes"]}
    assert colour[FILM + "strike-1925"] == colour[FILM + "earth-1930"]
    assert colour[FILM + "strike-1925"] != colour[FILM + "chapaev-1934"]
    legend = dict(data["page"]["legend"]["movements"])
    assert legend["Soviet montage"] == colour[FILM + "strike-1925"]
    assert legend["no movement recorded"] == colour[FILM + "intolerance-1916"]


def test_timeline_pages_open_with_positions_and_physics_off(whole_html: str) -> None:
    data = page_data(whole_html)
    assert data["options"]["physics"]["enabled"] is False
    assert all("x" in n and "y" in n for n in data["nodes"])


def test_force_pages_settle_once_then_stop(whole: MapResult) -> None:
    data = page_data(render_page(whole.graph, layout="force"))
    assert data["options"]["physics"]["stabilization"]["enabled"] is True
    assert not any("x" in n for n in data["nodes"])
    assert "setOptions({ physics: { enabled: false } })" in render_page(whole.graph, layout="force")


def test_side_panel_data_is_kept_out_of_tooltips(whole_html: str) -> None:
    data = page_data(whole_html)
    assert not any("title" in item for item in data["nodes"] + data["edges"])


# --- the timeline layout ----------------------------------------------------------------


@st.composite
def dated_graphs(draw: st.DrawFn) -> nx.DiGraph:
    n = draw(st.integers(min_value=1, max_value=40))
    graph = nx.DiGraph()
    for i in range(n):
        year = draw(st.one_of(st.none(), st.integers(min_value=1895, max_value=2025)))
        graph.add_node(
            str(i), year=year, label=draw(st.text(min_size=1, max_size=30)), movements=()
        )
    for _ in range(draw(st.integers(min_value=0, max_value=2 * n))):
        a, b = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        graph.add_edge(str(a), str(b))
    return graph


@settings(max_examples=60, deadline=None)
@given(dated_graphs())
def test_timeline_x_follows_the_year_and_no_two_nodes_share_a_place(graph: nx.DiGraph) -> None:
    placed = timeline_layout(graph).positions
    assert set(placed) == set(graph)
    assert len(set(placed.values())) == len(placed)
    dated = sorted((y, placed[n][0]) for n, y in graph.nodes(data="year") if y is not None)
    for (y1, x1), (y2, x2) in pairwise(dated):
        assert (x1 < x2) if y1 < y2 else (x1 == x2)
    undated = [placed[n][0] for n, y in graph.nodes(data="year") if y is None]
    assert all(x < min((x for _, x in dated), default=float("inf")) for x in undated)


def test_timeline_is_the_same_every_time(whole: MapResult) -> None:
    assert timeline_layout(whole.graph) == timeline_layout(whole.graph.copy())


@settings(max_examples=40, deadline=None)
@given(dated_graphs(), st.dictionaries(st.sampled_from(["x", "size", "fgKind"]), st.integers()))
def test_nodes_and_edges_are_what_pyvis_would_add(graph: nx.DiGraph, extra: dict[str, int]) -> None:
    ours, theirs = Network(directed=True), Network(directed=True)
    for node, data in graph.nodes(data=True):
        page._add_node(ours, node, label=data["label"], shape="dot", color="#123456", **extra)
        theirs.add_node(node, label=data["label"], shape="dot", color="#123456", **extra)
    for number, (a, b) in enumerate(graph.edges):
        page._add_edge(ours, a, b, id=f"e{number}", width=2)
        theirs.add_edge(a, b, id=f"e{number}", width=2)
    assert (ours.nodes, ours.node_ids, ours.node_map) == (
        theirs.nodes,
        theirs.node_ids,
        theirs.node_map,
    )
    assert ours.edges == theirs.edges


@pytest.mark.parametrize(
    "module", [layout, selection, details, style, page, static], ids=lambda m: m.__name__
)
def test_docstring_examples_run(module: Any) -> None:
    failures, _ = doctest.testmod(module)
    assert failures == 0


# --- static figures and the command line --------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("viz") / "build"
    build(path, sources=fixture_sources(), bundled=False)
    return path


def test_viz_writes_a_page_and_reports_it(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "miners.html"
    code = main(
        [
            "viz",
            "--store",
            str(built),
            "--around",
            "The Miners",
            "--depth",
            "1",
            "--out",
            str(out),
            "--format",
            "json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and out.is_file()
    assert report["nodes"] == 3 and report["out"] == str(out)


def test_viz_exits_1_when_there_is_nothing_to_draw(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "none.html"
    assert (
        main(["viz", "--store", str(built), "--path", "The Miners", "Strike", "--out", str(out)])
        == 1
    )
    assert not out.exists()


def test_viz_exits_2_on_a_name_it_does_not_know(built: Path, tmp_path: Path) -> None:
    assert (
        main(
            [
                "viz",
                "--store",
                str(built),
                "--around",
                "No Such Film",
                "--out",
                str(tmp_path / "x.html"),
            ]
        )
        == 2
    )


@pytest.mark.parametrize(
    "args",
    [["timeline", "--around", "Battleship Potemkin"], ["distribution"]],
    ids=["timeline", "distribution"],
)
def test_figure_writes_a_png(built: Path, tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "figure.png"
    assert main(["figure", *args, "--store", str(built), "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_figure_timeline_needs_a_film(built: Path, tmp_path: Path) -> None:
    assert (
        main(["figure", "timeline", "--store", str(built), "--out", str(tmp_path / "f.png")]) == 2
    )
