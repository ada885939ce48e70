"""Static figures for print and notebooks (matplotlib): a timeline of influence around a
film, and the distribution of influence over the whole network.

Both functions return a :class:`matplotlib.figure.Figure` built with the object-oriented API
(no pyplot state, so they are safe in a server or a test) and never show it; save it with
``fig.savefig(path)``.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from filmgraph.viz.layout import timeline_layout
from filmgraph.viz.style import Style, load_style

__all__ = ["distribution_figure", "timeline_figure"]


def timeline_figure(graph: nx.MultiDiGraph, *, style: Style | None = None) -> Figure:
    """The map graph drawn on a year axis: arrows from each influence to the work that drew
    on it, nodes coloured by movement and sized by influence rank, labels beside them.

    Parameters
    ----------
    graph : nx.MultiDiGraph
        A map graph (:func:`filmgraph.viz.details.map_graph`), typically the neighbourhood
        of one film.
    style : Style, optional
        The look (default: ``assets/style.json``), shared with the interactive pages.
    """
    style = style or load_style()
    years = [y for _, y in graph.nodes(data="year") if y is not None]
    span = (max(years) - min(years) + 1) if years else 1
    # a 7-point character is about 1/130 of the figure's width: labels in years
    placed = timeline_layout(
        graph, px_per_year=1.0, row_gap=1.0, max_gap_years=10**6, char_width=span / 130
    ).positions
    # the layout is in "years" horizontally: put the real year back on the axis
    first = min(years) if years else 0
    pos = {n: (x + first, -y) for n, (x, y) in placed.items()}
    colours = style.movement_colours((ms for _, ms in graph.nodes(data="movements")), {})
    rows = len({y for _, y in pos.values()}) or 1
    fig = Figure(figsize=(11, max(3.5, 0.45 * rows + 1.5)), layout="constrained")
    ax = fig.add_subplot()
    for a, b, key, data in graph.edges(keys=True, data=True):
        if key != "influence":
            continue
        edge = style.edge_style(data["types"])
        ax.annotate(
            "",
            xy=pos[b],
            xytext=pos[a],
            arrowprops={
                "arrowstyle": "-|>",
                "color": edge.color,
                "lw": 1.0,
                "alpha": style.opacity(float(data["weight"])),
                "shrinkA": 6,
                "shrinkB": 6,
            },
        )
    for node, data in graph.nodes(data=True):
        movement = style.primary_movement(tuple(data.get("movements", ())), colours)
        colour = style.node_colour(data["kind"], movement, colours)
        rank = data.get("rank")
        ax.scatter(
            *pos[node],
            s=(style.size(rank) ** 2) / 4,
            color=colour,
            zorder=3,
            edgecolors="black" if data.get("focus") else "white",
            linewidths=2 if data.get("focus") else 0.5,
            marker="D" if data["kind"] == "person" else "o",
        )
        ax.annotate(
            str(data["label"]),
            pos[node],
            xytext=(0, -11),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=7,
            fontweight="bold" if data.get("focus") else "normal",
        )
    ax.margins(y=0.15)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("year")
    ax.set_title(str(graph.graph.get("title", "Influence timeline")))
    used = [m for m in colours if any(m in (ms or ()) for _, ms in graph.nodes(data="movements"))]
    labels = graph.graph.get("movement_labels", {})
    handles = [
        Line2D(
            [], [], marker="o", ls="", color=colours[m], label=labels.get(m, m.rsplit("/", 1)[-1])
        )
        for m in used[:10]
    ]
    if handles:
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
            fontsize=7,
            frameon=False,
            title="movement",
            title_fontsize=8,
        )
    return fig


def distribution_figure(graph: nx.DiGraph, *, ranks: dict[str, float] | None = None) -> Figure:
    """How unevenly influence is spread: the share of works that influenced at least k
    others (log-log), and the PageRank of every node in rank order.

    Parameters
    ----------
    graph : nx.DiGraph
        The whole influence network (:func:`filmgraph.analytics.projection.influence_graph`).
    ranks : dict, optional
        Node -> PageRank score (default: :func:`filmgraph.analytics.ranking.pagerank`).
    """
    if ranks is None:
        from filmgraph.analytics.ranking import pagerank

        ranks = pagerank(graph)
    fig = Figure(figsize=(10, 4), layout="constrained")
    left, right = fig.subplots(1, 2)
    out_degrees = [d for _, d in graph.out_degree()]
    counts = Counter(out_degrees)
    n = len(out_degrees) or 1
    ks = sorted(k for k in counts if k > 0)
    share = [sum(c for k2, c in counts.items() if k2 >= k) / n for k in ks]
    left.loglog(ks, share, marker="o", ls="-", color="#3b4f72")
    left.set_xlabel("k: works or people that drew on it")
    left.set_ylabel("share of nodes influencing at least k")
    left.set_title(f"Influence out-degree ({graph.number_of_nodes()} nodes)")
    scores = sorted(ranks.values(), reverse=True)
    right.loglog(range(1, len(scores) + 1), scores, color="#b5651d")
    right.set_xlabel("rank")
    right.set_ylabel("PageRank (influence)")
    right.set_title("Influence rank")
    top = sorted(ranks, key=lambda m: -ranks[m])[:5]
    for i, node in enumerate(top, start=1):
        right.annotate(
            str(graph.nodes[node].get("label", node)),
            (i, ranks[node]),
            xytext=(6, -4 * i),
            textcoords="offset points",
            fontsize=7,
        )
    return fig
