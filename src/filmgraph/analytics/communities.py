"""Communities of the influence network, compared with the movements sources state.

Communities are found with the Louvain method on the undirected influence graph, edges
weighted by claim confidence. Each community is then described by the stated movements of
its members: a community dominated by one movement confirms it; a movement split over
several communities, or a community mixing movements, is worth a scholar's look.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import networkx as nx

__all__ = ["Community", "influence_communities", "movement_spread"]


@dataclass(frozen=True)
class Community:
    """A group of works and people more tied to each other by influence than to the rest."""

    members: tuple[str, ...]
    #: Stated movements of the members, with how many members belong to each.
    movement_counts: dict[str, int] = field(default_factory=dict)
    #: How many members have at least one stated movement.
    with_movement: int = 0

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def dominant(self) -> str | None:
        """The movement most members belong to (``None`` when no member has one)."""
        if not self.movement_counts:
            return None
        return min(self.movement_counts, key=lambda m: (-self.movement_counts[m], m))

    @property
    def purity(self) -> float | None:
        """Share of the members with a movement that belong to the dominant one."""
        top = self.dominant
        if top is None or not self.with_movement:
            return None
        return self.movement_counts[top] / self.with_movement


def influence_communities(
    graph: nx.DiGraph,
    *,
    min_size: int = 2,
    seed: int = 0,
    resolution: float = 1.0,
    weight: str | None = "weight",
) -> list[Community]:
    """The communities of the influence network, largest first.

    Parameters
    ----------
    graph : nx.DiGraph
        An influence graph whose nodes carry ``movements``.
    min_size : int
        Leave out communities smaller than this (pairs of a film and its remake abound).
    seed : int
        Seed of the Louvain method, so the same graph always gives the same communities.
    resolution : float
        Above 1 favours smaller communities, below 1 larger ones.
    weight : str or None
        Edge attribute used as weight.

    Returns
    -------
    list of Community
        Sorted by size, then by first member; members are sorted.

    Examples
    --------
    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z")])
    >>> for n in g:
    ...     g.nodes[n]["movements"] = ("montage",) if n in "abc" else ("noir",)
    >>> [(c.members, c.dominant, c.purity) for c in influence_communities(g)]
    [(('a', 'b', 'c'), 'montage', 1.0), (('x', 'y', 'z'), 'noir', 1.0)]
    """
    if graph.number_of_nodes() == 0:
        return []
    groups = nx.community.louvain_communities(
        graph.to_undirected(as_view=False), weight=weight, seed=seed, resolution=resolution
    )
    found = []
    for group in groups:
        if len(group) < min_size:
            continue
        members = tuple(sorted(group))
        counts: Counter[str] = Counter()
        with_movement = 0
        for member in members:
            movements = graph.nodes[member].get("movements", ())
            counts.update(movements)
            with_movement += bool(movements)
        found.append(Community(members, dict(sorted(counts.items())), with_movement))
    found.sort(key=lambda c: (-c.size, c.members[0]))
    return found


def movement_spread(communities: list[Community]) -> dict[str, int]:
    """For each stated movement, over how many of ``communities`` its members are spread.

    A movement in one community is cohesive in the influence network; one spread over many
    is held together by style or label more than by influence.

    >>> movement_spread([Community(("a", "b"), {"montage": 2}),
    ...                  Community(("c", "d"), {"montage": 1, "noir": 1})])
    {'montage': 2, 'noir': 1}
    """
    spread: Counter[str] = Counter()
    for community in communities:
        spread.update(community.movement_counts.keys())
    return dict(sorted(spread.items()))
