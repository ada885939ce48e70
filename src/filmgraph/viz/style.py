"""How an influence map looks: colours, shapes, sizes and edge styles from ``assets/style.json``.

The look is data, not code: the palette, the shape of each kind of node, the dash pattern of
each kind of edge and the confidence levels of the filter all live in ``style.json``, so that
a curator can change them without touching Python. This module reads that file once and turns
graph facts (a movement, a rank, a claim type, a confidence weight) into vis-network styles.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "ASSETS",
    "EdgeStyle",
    "Style",
    "load_style",
]

#: The folder of files every page inlines (vis-network, template, script, style sheet).
ASSETS = Path(__file__).parent / "assets"

#: When an edge carries claims of several types, the first type in this order styles it.
_TYPE_PRIORITY = ("adaptation claim", "person influence claim", "inspiration claim")


@dataclass(frozen=True)
class EdgeStyle:
    """The look of one kind of edge, and whether the page shows it before any click."""

    key: str
    label: str
    color: str
    dashes: bool | list[int]
    width: float
    arrows: bool
    shown: bool

    def legend(self) -> dict[str, Any]:
        """What the legend and the claim-type filter need to know about this kind."""
        pattern = self.dashes if isinstance(self.dashes, list) else [4, 4]
        dash = "" if self.dashes is False else " ".join(map(str, pattern))
        return {
            "key": self.key,
            "label": self.label,
            "color": self.color,
            "dash": dash,
            "width": self.width,
            "shown": self.shown,
        }


@dataclass(frozen=True)
class Style:
    """The parsed ``style.json``."""

    palette: tuple[str, ...]
    no_movement: Mapping[str, str]
    other_movements: Mapping[str, str]
    kinds: Mapping[str, Mapping[str, str]]
    node_size: Mapping[str, float]
    edge_opacity: Mapping[str, float]
    edge_types: Mapping[str, EdgeStyle]
    other_edge_type: EdgeStyle
    confidence_levels: tuple[Mapping[str, Any], ...]
    timeline: Mapping[str, float]

    def movement_colours(
        self, memberships: Iterable[tuple[str, ...]], labels: Mapping[str, str]
    ) -> dict[str, str]:
        """A colour for each movement, the most frequent on the map first.

        Parameters
        ----------
        memberships : iterable of tuple of str
            The movements of every node on the map.
        labels : mapping
            Movement IRI -> label; ties in frequency are broken by label, so the same map
            always gets the same colours.

        Returns
        -------
        dict
            Movement IRI -> colour for as many movements as the palette has colours; the
            rest share :attr:`other_movements`.
        """
        counts = Counter(m for ms in memberships for m in ms)
        order = sorted(counts, key=lambda m: (-counts[m], labels.get(m, m), m))
        return {
            m: self.palette[i] if i < len(self.palette) else self.other_movements["color"]
            for i, m in enumerate(order)
        }

    def primary_movement(
        self, movements: tuple[str, ...], colours: Mapping[str, str]
    ) -> str | None:
        """The movement that colours a node: of its movements, the most frequent on the map."""
        ranked = [m for m in colours if m in movements]
        return ranked[0] if ranked else None

    def node_colour(self, kind: str, movement: str | None, colours: Mapping[str, str]) -> str:
        """Events have a colour of their own; every other node takes its movement's colour."""
        fixed = self.kinds.get(kind, {}).get("color")
        if fixed:
            return fixed
        if movement is None:
            return self.no_movement["color"]
        return colours[movement]

    def shape(self, kind: str) -> str:
        """The vis-network shape of a kind of node (film, person, movement, event)."""
        return self.kinds[kind]["shape"]

    def size(self, percentile: float | None) -> float:
        """Node size from its influence percentile (0 least, 1 most); ``None``: fixed size."""
        if percentile is None:
            return self.node_size["fixed"]
        low, high = self.node_size["min"], self.node_size["max"]
        return round(low + (high - low) * percentile**2, 2)

    def opacity(self, weight: float) -> float:
        """Edge opacity from the confidence weight of its strongest claim (0 to 1)."""
        low, high = self.edge_opacity["min"], self.edge_opacity["max"]
        return round(low + (high - low) * max(0.0, min(1.0, weight)), 3)

    def edge_style(self, types: Iterable[str]) -> EdgeStyle:
        """The style of an edge carrying claims of ``types`` (a claim class label, or
        ``similarity``, ``context``, ``membership``)."""
        present = set(types)
        for name in (*_TYPE_PRIORITY, *sorted(present)):
            if name in present and name in self.edge_types:
                return self.edge_types[name]
        return self.other_edge_type

    def edge_keys(self, types: Iterable[str]) -> list[str]:
        """The filter keys of every type an edge carries (a claim-type filter shows the edge
        while any of them is switched on)."""
        return sorted({(self.edge_types.get(t) or self.other_edge_type).key for t in types})


def _edge_style(data: Mapping[str, Any]) -> EdgeStyle:
    return EdgeStyle(
        key=data["key"],
        label=data["label"],
        color=data["color"],
        dashes=data["dashes"],
        width=float(data["width"]),
        arrows=bool(data["arrows"]),
        shown=bool(data["shown"]),
    )


@cache
def load_style(path: Path | None = None) -> Style:
    """Read ``style.json`` (by default the one shipped in :data:`ASSETS`)."""
    raw = json.loads((path or ASSETS / "style.json").read_text(encoding="utf-8"))
    return Style(
        palette=tuple(raw["palette"]),
        no_movement=raw["no_movement"],
        other_movements=raw["other_movements"],
        kinds=raw["kinds"],
        node_size=raw["node_size"],
        edge_opacity=raw["edge_opacity"],
        edge_types={name: _edge_style(v) for name, v in raw["edge_types"].items()},
        other_edge_type=_edge_style(raw["other_edge_type"]),
        confidence_levels=tuple(raw["confidence_levels"]),
        timeline=raw["timeline"],
    )
