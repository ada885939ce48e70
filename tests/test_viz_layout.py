"""The timeline layout leaves room for what is drawn: no two nodes' boxes (shape and the label
centred under it) overlap, whatever the years, titles and sizes; labels are shortened."""

from __future__ import annotations

from itertools import combinations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from filmgraph.viz.layout import short_label, timeline_layout

CHAR, LABEL, CHARS = 8.0, 20.0, 30


@st.composite
def sized_graphs(draw: st.DrawFn) -> tuple[nx.DiGraph, dict[str, float]]:
    n = draw(st.integers(min_value=1, max_value=25))
    graph = nx.DiGraph()
    sizes: dict[str, float] = {}
    for i in range(n):
        year = draw(st.one_of(st.none(), st.integers(min_value=1920, max_value=1935)))
        graph.add_node(
            str(i),
            year=year,
            movements=(),
            label=draw(st.text(alphabet="abc XYZ", min_size=1, max_size=60)),
        )
        sizes[str(i)] = draw(st.floats(min_value=4, max_value=40))
    for _ in range(draw(st.integers(min_value=0, max_value=2 * n))):
        graph.add_edge(str(draw(st.integers(0, n - 1))), str(draw(st.integers(0, n - 1))))
    return graph, sizes


def box(
    graph: nx.DiGraph, sizes: dict[str, float], node: str, at: tuple[float, float]
) -> tuple[float, float, float, float]:
    label = short_label(str(graph.nodes[node]["label"]), CHARS)
    half = max(len(label) * CHAR, 6 * CHAR, 2 * sizes[node]) / 2
    x, y = at
    return x - half, y - sizes[node], x + half, y + sizes[node] + LABEL


@settings(max_examples=80, deadline=None)
@given(sized_graphs())
def test_no_two_boxes_of_a_timeline_overlap(drawn: tuple[nx.DiGraph, dict[str, float]]) -> None:
    graph, sizes = drawn
    placed = timeline_layout(
        graph,
        px_per_year=30,
        char_width=CHAR,
        sizes=sizes,
        label_height=LABEL,
        max_label_chars=CHARS,
    )
    boxes = {n: box(graph, sizes, n, xy) for n, xy in placed.positions.items()}
    for (a, p), (b, q) in combinations(boxes.items(), 2):
        apart = p[2] <= q[0] or q[2] <= p[0] or p[3] <= q[1] or q[3] <= p[1]
        assert apart, (a, p, b, q)
    left, top, right, bottom = placed.extent
    for corners in boxes.values():
        assert left <= corners[0] + 1e-9 and top <= corners[1] + 1e-9, (placed.extent, corners)
        assert corners[2] <= right + 1e-9 and corners[3] <= bottom + 1e-9, (placed.extent, corners)


def test_long_labels_are_cut_at_a_word() -> None:
    assert (
        short_label("Ivan the Terrible, Part II: The Boyars' Plot", 30)
        == "Ivan the Terrible, Part II…"
    )
    assert short_label("Earth", 30) == "Earth"
    assert len(short_label("x" * 80, 30)) == 30
