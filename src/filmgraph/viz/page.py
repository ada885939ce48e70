"""One self-contained HTML page per influence map, built with pyvis and filmgraph's template.

pyvis turns the map graph into vis-network nodes, edges and options; the page template
(``assets/page.html.j2``) replaces pyvis's own, because pyvis's pages load vis-network, its
style sheet and Bootstrap from CDNs (even in its ``local`` mode) and show details in
tooltips that are unreliable for edges and show raw HTML for nodes. The template inlines
vis-network, the page's script and style sheet, and the data, so a page makes no network
request at all and still opens in an archive decades from now.

Performance at thousands of nodes: positions come precomputed (the timeline layout) and
physics is off, or (the force layout) vis-network settles the nodes once and physics is then
switched off; edges are straight lines; labels are drawn only when zoomed in enough to read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
from pyvis.edge import Edge
from pyvis.network import Network
from pyvis.node import Node

from filmgraph.viz.layout import LAYOUTS, Timeline, short_label, timeline_layout
from filmgraph.viz.style import ASSETS, Style, load_style

__all__ = ["render_page", "vis_options", "write_page"]

#: Above this many nodes, edges are hidden while the view is dragged or zoomed.
LARGE = 1000
#: Up to this many nodes, every year spacing of the style is tried (a layout is ~0.1 s per
#: 1,000 nodes); larger maps take the first.
SPACING_SEARCH = 2000
#: Iterations vis-network runs to settle a force layout before its physics is switched off.
FORCE_ITERATIONS = 300


def vis_options(layout: str, node_count: int) -> dict[str, Any]:
    """vis-network options for a map of ``node_count`` nodes drawn with ``layout``."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r} (known: {', '.join(LAYOUTS)})")
    large = node_count > LARGE
    physics: dict[str, Any] = {"enabled": False}
    if layout == "force":
        physics = {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -60,
                "springLength": 90,
                "springConstant": 0.08,
                "avoidOverlap": 0.2,
            },
            "stabilization": {
                "enabled": True,
                "iterations": FORCE_ITERATIONS,
                "updateInterval": 50,
                "fit": True,
            },
            "minVelocity": 1.5,
        }
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": 1937},
        "physics": physics,
        "nodes": {
            "borderWidth": 1,
            "font": {"size": 14, "face": "sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
            "scaling": {"label": {"drawThreshold": 7}},
        },
        "edges": {
            "smooth": False,
            "arrowStrikethrough": False,
            "selectionWidth": 2,
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 2_000_000_000,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "keyboard": False,
            "multiselect": False,
        },
    }


def _fitted_timeline(
    graph: nx.MultiDiGraph, sizes: Mapping[str, float], timeline: Mapping[str, Any]
) -> Timeline:
    """The timeline layout whose year spacing lets the map open largest in a typical view.

    A wide span of years drawn at full spacing opens as a thin strip, too small to read; a
    narrower spacing stacks more rows. Each spacing of ``timeline["px_per_year"]`` is tried
    (maps of up to ``SPACING_SEARCH`` nodes) and the one whose whole map fits the view
    (``timeline["view"]``) at the largest zoom wins.
    """
    width, height = timeline["view"]
    best: Timeline | None = None
    best_scale = -1.0
    candidates = timeline["px_per_year"]
    if graph.number_of_nodes() > SPACING_SEARCH:
        candidates = candidates[:1]
    for px_per_year in candidates:
        # the room a node takes: its shape (a focus border is thicker) and its label below
        placed = timeline_layout(
            graph,
            px_per_year=px_per_year,
            row_gap=timeline["row_gap"],
            unknown_gap_years=int(timeline["unknown_gap_years"]),
            max_gap_years=int(timeline["max_gap_years"]),
            char_width=timeline["char_width"],
            sizes={n: r + 3 for n, r in sizes.items()},
            label_height=timeline["label_height"],
            max_label_chars=int(timeline["max_label_chars"]),
        )
        scale = placed.scale_to_fit(width, height)
        if scale > best_scale + 1e-9:
            best, best_scale = placed, scale
    if best is None:
        raise ValueError("style.json: timeline.px_per_year lists no spacing")
    return best


def _darker(colour: str, factor: float = 0.7) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(round(c * factor) for c in (r, g, b)))


def _node_details(
    node: str,
    data: Mapping[str, Any],
    colours: Mapping[str, str],
    movement_labels: Mapping[str, str],
    ranked: int,
) -> dict[str, Any]:
    return {
        "iri": node,
        "label": data["label"],
        "kind": data["kind"],
        "year": data.get("year"),
        "born": data.get("born"),
        "died": data.get("died"),
        "directors": list(data.get("directors", [])),
        "movements": [
            [movement_labels.get(m, m.rsplit("/", 1)[-1]), colours.get(m, "#b8b8b8")]
            for m in data.get("movements", ())
        ],
        "position": data.get("position"),
        "ranked": ranked,
    }


def _edge_details(a: str, b: str, key: str, data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "from": a,
        "to": b,
        "kind": key,
        "claims": data.get("claims", []),
        "sources": data.get("sources", []),
    }


def render_page(
    graph: nx.MultiDiGraph,
    *,
    layout: str = "timeline",
    similarity: bool = False,
    movement_labels: Mapping[str, str] | None = None,
    style: Style | None = None,
    compact: bool = False,
    vis_src: str | None = None,
) -> str:
    """The HTML of an influence map.

    Parameters
    ----------
    graph : nx.MultiDiGraph
        A map graph from :func:`filmgraph.viz.details.map_graph`.
    layout : {"timeline", "force"}
        ``timeline``: x is the year, positions computed here, physics off. ``force``:
        vis-network settles the nodes once, then its physics is switched off.
    similarity : bool
        Show similarity edges when the page opens (they are there, switched off, otherwise).
    movement_labels : mapping, optional
        Movement IRI -> label, for the legend and the side panel.
    style : Style, optional
        The look (default: ``assets/style.json``).
    compact : bool
        A page to embed (a film's page, a notebook): no toolbar, a narrower side panel.
    vis_src : str, optional
        Load vis-network from this address instead of inlining it (640 KB). The endpoint
        passes its own ``/static/`` copy, so a film's page stays small and the browser
        caches the script; without it the page is self-contained.
    """
    style = style or load_style()
    labels = dict(movement_labels or {})
    options = vis_options(layout, graph.number_of_nodes())
    timeline = style.timeline
    axis: dict[str, Any] = {"ticks": [], "undated": None}
    positions: dict[str, tuple[float, float]] = {}
    sizes = {
        node: style.size(data.get("rank") if data["kind"] in ("film", "person") else None)
        for node, data in graph.nodes(data=True)
    }
    max_chars = int(timeline["max_label_chars"])
    if layout == "timeline":
        placed = _fitted_timeline(graph, sizes, timeline)
        positions = placed.positions
        axis = {"ticks": placed.ticks, "undated": placed.undated_x}
    colours = style.movement_colours((ms for _, ms in graph.nodes(data="movements")), labels)
    ranked = int(graph.graph.get("ranked", graph.number_of_nodes()))

    net = Network(
        height="100%",
        width="100%",
        directed=True,
        heading=str(graph.graph.get("title", "Influence map")),
        cdn_resources="in_line",
    )
    details: dict[str, dict[str, Any]] = {"nodes": {}, "edges": {}}
    for node, data in graph.nodes(data=True):
        kind = data["kind"]
        primary = style.primary_movement(tuple(data.get("movements", ())), colours)
        colour = style.node_colour(kind, primary, colours)
        extra: dict[str, Any] = {}
        if node in positions:
            extra["x"], extra["y"] = positions[node]
        focus = bool(data.get("focus"))
        _add_node(
            net,
            node,
            label=short_label(str(data["label"]), max_chars),
            shape=style.shape(kind),
            color={
                "background": colour,
                "border": "#111111" if focus else _darker(colour),
                "highlight": {"background": colour, "border": "#000000"},
            },
            size=sizes[node],
            borderWidth=3 if focus else 1,
            fgYear=data.get("year"),
            fgKind=kind,
            **extra,
        )
        details["nodes"][node] = _node_details(node, data, colours, labels, ranked)
    present: dict[str, dict[str, Any]] = {}
    for number, (a, b, key, data) in enumerate(graph.edges(keys=True, data=True)):
        edge_style = style.edge_style(data["types"])
        keys = style.edge_keys(data["types"])
        for type_name in data["types"]:
            found = style.edge_types.get(type_name) or style.other_edge_type
            present.setdefault(found.key, found.legend())
        edge_id = f"e{number}"
        shown = similarity if edge_style.key == "similarity" else edge_style.shown
        _add_edge(
            net,
            a,
            b,
            id=edge_id,
            color={
                "color": edge_style.color,
                "highlight": "#000000",
                "opacity": style.opacity(float(data.get("weight", 1.0))),
            },
            dashes=edge_style.dashes,
            width=edge_style.width,
            arrows={"to": {"enabled": edge_style.arrows}},
            hidden=not shown,
            fgTypes=keys,
            fgWeight=float(data.get("weight", 1.0)),
        )
        details["edges"][edge_id] = _edge_details(a, b, key, data)
    if similarity and "similarity" in present:
        present["similarity"]["shown"] = True
    net.options = options

    years = sorted({y for _, y in graph.nodes(data="year") if y is not None})
    legend_movements = [
        [labels.get(m, m.rsplit("/", 1)[-1]), c]
        for m, c in colours.items()
        if c != style.other_movements["color"]
    ]
    if any(c == style.other_movements["color"] for c in colours.values()):
        legend_movements.append([style.other_movements["label"], style.other_movements["color"]])
    if any(
        style.primary_movement(tuple(ms), colours) is None
        for n, ms in graph.nodes(data="movements")
        if graph.nodes[n]["kind"] in ("film", "person")
    ):
        legend_movements.append([style.no_movement["label"], style.no_movement["color"]])
    kinds = sorted({k for _, k in graph.nodes(data="kind")}, key=list(style.kinds).index)
    page = {
        "title": str(graph.graph.get("title", "Influence map")),
        "layout": layout,
        "compact": compact,
        "axis": axis,
        "focus": sorted(n for n, f in graph.nodes(data="focus") if f),
        "details": details,
        "decades": sorted({y // 10 * 10 for y in years}),
        "confidence": list(style.confidence_levels),
        "edgeTypes": sorted(present.values(), key=lambda t: str(t["key"])),
        "legend": {
            "movements": legend_movements,
            "kinds": [[style.kinds[k]["label"], style.kinds[k]["shape"]] for k in kinds],
        },
    }
    net.set_template_dir(str(ASSETS) + "/", "page.html.j2")
    net.templateEnv.globals["fg"] = {
        "page": page,
        "script": (ASSETS / "page.js").read_text(encoding="utf-8"),
        "css": (ASSETS / "page.css").read_text(encoding="utf-8"),
        "vis": "" if vis_src else _vis_network(),
        "vis_src": vis_src or "",
        "options": json.dumps(options).replace("<", "\\u003c"),
    }
    return str(net.generate_html())


def _add_node(net: Network, node: str, label: str, shape: str, **options: Any) -> None:
    """``net.add_node`` without its check that ``node`` is new.

    Why: pyvis keeps node ids in a list, so ``add_node`` and ``add_edge`` (which checks that
    both ends exist) each scan every node added so far: a map of 100,000 nodes and 160,000
    links spent hours there (pyvis issue #304). Every map is a NetworkX graph, whose nodes
    are distinct and whose edges join nodes of the graph, so the checks can never fail.
    """
    options = Node(node, shape, label=label, font_color=net.font_color, **options).options
    net.nodes.append(options)
    net.node_ids.append(node)
    net.node_map[node] = options


def _add_edge(net: Network, a: str, b: str, **options: Any) -> None:
    """``net.add_edge`` without its scans (see :func:`_add_node`)."""
    net.edges.append(Edge(a, b, net.directed, **options).options)


@cache
def _vis_network() -> str:
    """vis-network's script, read once per process."""
    return (ASSETS / "vis-network.min.js").read_text(encoding="utf-8")


def write_page(path: Path, graph: nx.MultiDiGraph, **kwargs: Any) -> Path:
    """Write :func:`render_page` to ``path`` (UTF-8) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_page(graph, **kwargs), encoding="utf-8")
    return path
