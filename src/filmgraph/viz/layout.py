"""Where each node of a map sits, computed before the page opens.

A page with thousands of nodes stays responsive when the browser does not have to simulate
forces: :func:`timeline_layout` gives every node a fixed position, x from its year, so that
influence reads left to right, and the page opens with physics off. (The ``force`` layout of
:mod:`filmgraph.viz.page` instead lets vis-network settle the nodes once and then switches
its physics off: a force layout computed in Python with NetworkX took 110 s for 5,000 nodes.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx

__all__ = ["LAYOUTS", "Timeline", "short_label", "timeline_layout"]

#: The layouts a map can be drawn with.
LAYOUTS = ("timeline", "force")


@dataclass(frozen=True)
class Timeline:
    """Node positions and the year axis that goes with them."""

    positions: dict[str, tuple[float, float]]
    #: (x, year) of the first column of each decade on the map, for the axis labels.
    ticks: list[tuple[float, int]]
    #: x of the column of undated nodes, or None when every node has a year.
    undated_x: float | None
    #: (left, top, right, bottom) of everything drawn: shapes and labels.
    extent: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)

    def scale_to_fit(self, width: float, height: float) -> float:
        """The zoom at which the whole map fits a view ``width`` by ``height`` pixels."""
        left, top, right, bottom = self.extent
        return min(width / max(right - left, 1.0), height / max(bottom - top, 1.0))


def _columns_x(years: list[int], px_per_year: float, max_gap_years: int) -> dict[int, float]:
    """x of each occupied year; a run of empty years counts as at most ``max_gap_years``."""
    xs: dict[int, float] = {}
    x = 0.0
    for i, year in enumerate(years):
        if i:
            x += min(year - years[i - 1], max_gap_years) * px_per_year
        xs[year] = x
    return xs


def _assign_rows(wanted: list[float]) -> list[int]:
    """Distinct integer rows, in the given order, each as near its wanted row as it can be."""
    rows: list[int] = []
    for w in wanted:
        r = round(w)
        rows.append(r if not rows or r > rows[-1] else rows[-1] + 1)
    # the pushing above only moves rows down: centre the column on what it wanted
    shift = round(sum(w - r for w, r in zip(wanted, rows, strict=True)) / len(rows)) if rows else 0
    return [r + shift for r in rows]


def short_label(label: str, max_chars: int | None) -> str:
    """``label`` cut to ``max_chars`` characters at a word boundary where it can be, with "…".

    >>> short_label("The Extraordinary Adventures of Mr. West in the Land of the Bolsheviks", 30)
    'The Extraordinary Adventures…'
    >>> short_label("Strike", 28)
    'Strike'
    """
    if max_chars is None or len(label) <= max_chars:
        return label
    cut = label[: max_chars - 1]
    space = cut.rfind(" ")
    if space >= max_chars // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


@dataclass(frozen=True)
class _Box:
    """The room a node takes around its centre: half its width, above and below it."""

    half_width: float
    above: float
    below: float


def _pack(
    order: list[int],
    columns: Mapping[int, list[str]],
    xs: Mapping[int, float],
    wanted: Mapping[str, float],
    boxes: Mapping[str, _Box],
    gap: float,
) -> dict[str, int]:
    """Rows for every node, left to right, so that no two boxes on one row touch.

    Like lines of type: a node takes the free row nearest the one it wants (the higher
    number on a tie), a row being free once the box of the last node placed on it ends (plus
    ``gap``) before this node's box begins. Labels are centred under their node, so a box
    reaches half its width either way.

    The rows a column has already taken, and those still full for every box of the column,
    are skipped in runs (a union-find that points past them, one per direction), so a year
    of a thousand films costs about a thousand steps, not a million: the search from each
    node through its neighbours' rows made the map of 100,000 films grow as the square of
    the films per year.
    """
    ends: dict[int, float] = {}  # row -> x where the last box placed on it ends
    rows: dict[str, int] = {}
    for column in order:
        x = xs[column]
        above: dict[int, int] = {}  # taken row -> a row above it that may be free
        below: dict[int, int] = {}
        members = columns[column]
        if not members:
            continue
        by = x - min(boxes[n].half_width for n in members) - gap
        for taken in [r for r, end in ends.items() if end > by]:  # full for every member
            above[taken], below[taken] = taken + 1, taken - 1
        for node in sorted(members, key=lambda n: (wanted[n], n)):
            left = x - boxes[node].half_width
            want = round(wanted[node])
            up = _free(want, 1, above, ends, left - gap)
            down = _free(want, -1, below, ends, left - gap)
            chosen = up if up - want <= want - down else down
            rows[node] = chosen
            ends[chosen] = x + boxes[node].half_width
            above[chosen], below[chosen] = chosen + 1, chosen - 1
    return rows


def _free(row: int, step: int, skip: dict[int, int], ends: Mapping[int, float], by: float) -> int:
    """The first row from ``row`` in direction ``step`` that no box reaches beyond ``by``,
    jumping over the runs of rows in ``skip`` (and shortening the jumps it took)."""
    while True:
        path = []
        while row in skip:
            path.append(row)
            row = skip[row]
        for taken in path:
            skip[taken] = row
        if ends.get(row, float("-inf")) <= by:
            return row
        row += step


def _row_heights(
    rows: Mapping[str, int], boxes: Mapping[str, _Box], row_gap: float, gap: float
) -> dict[int, float]:
    """y of each occupied row: ``row_gap`` apart, or more where tall boxes need the room."""
    above: dict[int, float] = defaultdict(float)
    below: dict[int, float] = defaultdict(float)
    for node, r in rows.items():
        above[r] = max(above[r], boxes[node].above)
        below[r] = max(below[r], boxes[node].below)
    ys: dict[int, float] = {}
    previous: int | None = None
    for r in sorted(above):
        if previous is None:
            ys[r] = r * row_gap
        else:
            needed = below[previous] + above[r] + gap if above[r] or below[previous] else 0.0
            ys[r] = ys[previous] + max((r - previous) * row_gap, needed)
        previous = r
    return ys


def timeline_layout(
    graph: nx.MultiDiGraph | nx.DiGraph,
    *,
    px_per_year: float = 90,
    row_gap: float = 46,
    unknown_gap_years: int = 4,
    max_gap_years: int = 3,
    sweeps: int = 4,
    char_width: float = 7.5,
    sizes: Mapping[str, float] | None = None,
    label_height: float = 0.0,
    max_label_chars: int | None = None,
    gap: float | None = None,
) -> Timeline:
    """Positions with x from the year and y chosen so that linked nodes sit on one line.

    Every year is a column, ``px_per_year`` apart; runs of empty years are shortened to
    ``max_gap_years``, so a map that spans a century without filling it stays readable (the
    page draws the year axis). Nodes without a year share a column ``unknown_gap_years``
    before the earliest. Within a column nodes are ordered, and then given rows, by the mean
    row of their neighbours (the barycentre heuristic of layered graph drawing), sweeping
    left to right and back ``sweeps`` times from an order by movement and label: the same
    graph always gets the same picture. Last, rows are packed left to right like lines of
    type: a node takes the free row nearest the one it wants, a row being free once the box
    (shape and centred label) of the last node placed on it has ended, so labels of
    neighbouring years do not collide; rows are then spaced so that the tallest shapes and
    labels of neighbouring rows do not touch either, and nodes of one year never overlap.

    Parameters
    ----------
    graph : nx.MultiDiGraph or nx.DiGraph
        A map graph: nodes with ``year`` (int or None), ``label`` and ``movements``.
    px_per_year, row_gap : float
        Horizontal distance between consecutive years, vertical distance between rows.
    unknown_gap_years, max_gap_years : int
        Where the undated column sits; the longest run of empty years drawn at full width.
    sweeps : int
        Barycentre sweeps (each one left to right, then right to left).
    char_width : float
        Estimated width of one character of a label, in pixels.
    sizes : mapping, optional
        Node -> radius of its shape (default: 0, a point).
    label_height : float
        Height of a label drawn under its node (0: labels take no room below).
    max_label_chars : int, optional
        Labels are drawn cut to this many characters (:func:`short_label`).
    gap : float, optional
        Least room between two boxes (default: one character).

    Examples
    --------
    >>> g = nx.DiGraph([("a", "b"), ("a", "c"), ("c", "d")])
    >>> for n, y in (("a", 1920), ("b", 1924), ("c", 1924), ("d", 1960)):
    ...     g.nodes[n].update(year=y, label=n, movements=())
    >>> pos = timeline_layout(g, px_per_year=30, row_gap=20).positions
    >>> pos["a"][0] < pos["b"][0] == pos["c"][0] < pos["d"][0]
    True
    >>> pos["d"][0] - pos["c"][0]   # 36 empty years drawn as 3
    90.0
    >>> pos["c"][1] == pos["d"][1]  # linked nodes on one line
    True
    """
    years = sorted({y for _, y in graph.nodes(data="year") if y is not None})
    xs = _columns_x(years, px_per_year, max_gap_years)
    undated = (years[0] if years else 0) - unknown_gap_years
    columns: dict[int, list[str]] = defaultdict(list)
    for node, year in graph.nodes(data="year"):
        columns[year if year is not None else undated].append(node)
    xs[undated] = -unknown_gap_years * px_per_year
    for members in columns.values():
        members.sort(
            key=lambda n: (
                tuple(graph.nodes[n].get("movements") or ("~",)),
                str(graph.nodes[n].get("label", n)),
                n,
            )
        )
    order = sorted(columns)
    row: dict[str, float] = {}
    for column in order:
        members = columns[column]
        for i, node in enumerate(members):
            row[node] = i - (len(members) - 1) / 2
    neighbours: Mapping[str, set[str]] = {
        n: (set(graph.predecessors(n)) | set(graph.successors(n))) - {n} for n in graph.nodes
    }
    for _ in range(sweeps):
        for sequence in (order[1:], order[-2::-1]):
            for column in sequence:
                members = columns[column]
                wanted = {
                    n: (
                        sum(row[m] for m in neighbours[n]) / len(neighbours[n])
                        if neighbours[n]
                        else row[n]
                    )
                    for n in members
                }
                members.sort(key=lambda n: (wanted[n], row[n], n))
                for node, r in zip(
                    members, _assign_rows([wanted[n] for n in members]), strict=True
                ):
                    row[node] = r
    radius = sizes or {}
    boxes = {
        n: _Box(
            half_width=max(
                len(short_label(str(graph.nodes[n].get("label", n)), max_label_chars)) * char_width,
                6 * char_width,
                2 * radius.get(n, 0.0),
            )
            / 2,
            above=radius.get(n, 0.0),
            below=radius.get(n, 0.0) + label_height,
        )
        for n in graph.nodes
    }
    room = char_width if gap is None else gap
    rows = _pack(order, columns, xs, row, boxes, room)
    ys = _row_heights(rows, boxes, row_gap, room)
    positions = {
        n: (round(xs[year if year is not None else undated], 2), round(ys[rows[n]], 2))
        for n, year in graph.nodes(data="year")
    }
    ticks: list[tuple[float, int]] = []
    for year in years:
        if not ticks or year // 10 != ticks[-1][1] // 10:
            ticks.append((xs[year], year))
    extent = (
        min((x - boxes[n].half_width for n, (x, _) in positions.items()), default=0.0),
        min((y - boxes[n].above for n, (_, y) in positions.items()), default=0.0),
        max((x + boxes[n].half_width for n, (x, _) in positions.items()), default=0.0),
        max((y + boxes[n].below for n, (_, y) in positions.items()), default=0.0),
    )
    return Timeline(positions, ticks, xs[undated] if undated in columns else None, extent)
