"""The influence projection kept as flat arrays in one file, read by memory-mapping it.

Unpickling a projection costs as much as the graph is large (4.4 s for 300,000 films), yet
``path``, ``lineage`` and ``rank`` look at a few thousand of its nodes. This file keeps the
same projection so that opening it reads a header of a few hundred bytes and every later
read touches only the pages it needs:

* the node ids in the graph's node order, with a permutation sorting them (a name is found
  by binary search), their labels, years, kinds and movements;
* the adjacency in both directions as CSR arrays, **in the exact adjacency order of the
  NetworkX graph** (so algorithms that walk :class:`~filmgraph.analytics.lazygraph.
  LazyInfluenceGraph` meet nodes in the order they meet them in the graph, and break ties
  alike), each in-edge pointing at its edge's number;
* per edge, its flags (:mod:`filmgraph.analytics.flags`) and its claims as a JSON text of its
  own, so one edge's claims decode alone;
* the flagged edges in :func:`~filmgraph.analytics.flags.flagged_edges` order;
* for the graph without flagged claims and for the whole graph: PageRank, betweenness (when
  kept), each film's in-degree and the films in ranking order, so ``rank`` only filters.

Strings sit in blobs indexed by offset arrays; numbers are native-endian machine words read
through :class:`memoryview` casts (no NumPy import: it would cost a command 0.1 s).
The header records the format version, the byte order and the generation's fingerprint; a
file that does not match is ignored (:func:`open_mapped` returns ``None``) and rewritten.
"""

from __future__ import annotations

import json
import mmap
import struct
import sys
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from filmgraph.analytics.flags import FLAGS, FlaggedEdge, flagged_edges
from filmgraph.analytics.ranking import RankedNode

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "FORMAT_VERSION",
    "KeptInfluence",
    "MappedProjection",
    "list_key",
    "open_mapped",
    "write_mapped",
]

#: Raised whenever the layout or the projection's attributes change.
FORMAT_VERSION = 2
_MAGIC = b"filmgraph-arrays"  # 16 bytes
_LENGTH = struct.Struct("<Q")
_NO_YEAR = -(2**31)
#: The two graphs the kept ranking is for: without flagged claims (the default), whole.
_VARIANTS = ("unflagged", "whole")


class _Sections:
    """Arrays and blobs gathered for writing, each padded to 8 bytes."""

    def __init__(self) -> None:
        self.parts: dict[str, tuple[str, bytes | bytearray]] = {}

    def add(self, name: str, typecode: str, values: Iterable[Any]) -> None:
        self.parts[name] = (typecode, array(typecode, values).tobytes())

    def strings(self, name: str, texts: Iterable[str]) -> None:
        blob = _Blob()
        for text in texts:
            blob.append(text)
        self.blob(name, blob)

    def blob(self, name: str, blob: _Blob) -> None:
        """Keep the strings gathered in ``blob`` as section ``name``."""
        self.parts[f"{name}.offsets"] = ("q", blob.offsets.tobytes())
        self.parts[f"{name}.blob"] = ("B", blob.data)


class _Blob:
    """Strings gathered in one buffer as they come, with their offsets: no list of the
    strings and of their encodings is held beside it (the edges' claims are the largest
    part of the file)."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.offsets = array("q", [0])

    def append(self, text: str) -> None:
        self.data += text.encode()
        self.offsets.append(len(self.data))


def _interned(table: dict[str, int], text: str) -> int:
    found = table.get(text)
    if found is None:
        found = table[text] = len(table)
    return found


def write_mapped(
    out: IO[bytes],
    graph: nx.DiGraph,
    generation_fingerprint: str,
    centralities: dict[str, dict[str, Any]],
) -> None:
    """Write ``graph`` (a whole projection) in the mapped form to ``out``.

    ``centralities`` maps ``"unflagged"`` and ``"whole"`` to
    :func:`~filmgraph.analytics.ranking.centrality` of the graph without flagged claims
    (:func:`~filmgraph.analytics.flags.unflagged`) and of ``graph``.
    """
    nodes = list(graph)
    index = {n: i for i, n in enumerate(nodes)}
    data = [graph.nodes[n] for n in nodes]
    s = _Sections()
    s.strings("ids", nodes)
    encoded = [n.encode() for n in nodes]
    s.add("sorted", "i", sorted(range(len(nodes)), key=encoded.__getitem__))
    s.strings("labels", (str(d["label"]) for d in data))
    listed = sorted(range(len(nodes)), key=lambda i: list_key(nodes[i], data[i]))
    place = [0] * len(nodes)
    for at, i in enumerate(listed):
        place[i] = at
    s.add("listed", "i", place)
    s.add("year", "i", (_NO_YEAR if d["year"] is None else d["year"] for d in data))
    years = [tuple(d["years"]) for d in data]
    s.add("years.offsets", "i", accumulate((len(y) for y in years), initial=0))
    s.add("years.values", "i", (y for ys in years for y in ys))
    kinds: dict[str, int] = {}
    s.add("kind", "B", (_interned(kinds, str(d["kind"])) for d in data))
    movements: dict[str, int] = {}
    per_node = [[_interned(movements, m) for m in d["movements"]] for d in data]
    s.add("movements.offsets", "i", accumulate((len(m) for m in per_node), initial=0))
    s.add("movements.values", "i", (m for ms in per_node for m in ms))
    members: list[list[int]] = [[] for _ in movements]
    for i, ms in enumerate(per_node):
        for m in ms:
            members[m].append(i)
    s.add("members.offsets", "i", accumulate((len(m) for m in members), initial=0))
    s.add("members.values", "i", (i for ms in members for i in ms))

    # Out-edges in the graph's adjacency order are the edges' numbers; an in-edge points at
    # its number through the edge's attribute dict, which NetworkX shares between both ends.
    succ = graph._succ
    pred = graph._pred
    numbers: dict[int, int] = {}
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    out_offsets, flag_codes = [0], []
    out_targets: list[int] = []
    claim_texts = _Blob()
    flag_table: dict[tuple[str, ...], int] = {(): 0}
    types: dict[str, int] = {}
    sources: dict[str, int] = {}
    for u in nodes:
        for v, attrs in succ[u].items():
            numbers[id(attrs)] = len(out_targets)
            out_targets.append(index[v])
            flag_codes.append(_interned_flags(flag_table, tuple(attrs.get(FLAGS, ()))))
            claim_texts.append(
                encode(
                    [
                        [
                            c["claim"],
                            _interned(types, c["type"]),
                            c["aspect"],
                            _interned(sources, c["source"]),
                            c["weight"],
                        ]
                        for c in attrs["claims"]
                    ]
                )
            )
        out_offsets.append(len(out_targets))
    in_offsets, in_sources, in_numbers = [0], [], []
    for v in nodes:
        for u, attrs in pred[v].items():
            in_sources.append(index[u])
            in_numbers.append(numbers[id(attrs)])
        in_offsets.append(len(in_sources))
    s.add("out.offsets", "q", out_offsets)
    s.add("out.targets", "i", out_targets)
    s.add("in.offsets", "q", in_offsets)
    s.add("in.sources", "i", in_sources)
    s.add("in.edges", "i", in_numbers)
    s.add("flags", "B", flag_codes)
    s.blob("claims", claim_texts)
    s.strings("types", types)
    s.strings("sources", sources)
    s.strings("movement_names", movements)
    s.add(
        "flagged",
        "i",
        (
            x
            for e in (flagged_edges(graph) if any(flag_codes) else ())
            for x in (
                index[e.influencer],
                index[e.influencee],
                numbers[id(succ[e.influencer][e.influencee])],
            )
        ),
    )

    films = [i for i, d in enumerate(data) if d["kind"] == "film"]
    kept: dict[str, dict[str, Any]] = {}
    whole_degree = [out_offsets[i + 1] - out_offsets[i] for i in range(len(nodes))]
    sound_degree = [
        sum(1 for e in range(out_offsets[i], out_offsets[i + 1]) if not flag_codes[e])
        for i in range(len(nodes))
    ]
    for variant, degree in zip(_VARIANTS, (sound_degree, whole_degree), strict=True):
        found = centralities[variant]
        pagerank = [found["pagerank"][n] for n in nodes]
        order = sorted(
            films,
            key=lambda i: (-pagerank[i], -degree[i], str(data[i]["label"]).casefold(), nodes[i]),
        )
        position = [-1] * len(nodes)
        for rank, i in enumerate(order):
            position[i] = rank
        s.add(f"{variant}.pagerank", "d", pagerank)
        s.add(f"{variant}.degree", "i", degree)
        s.add(f"{variant}.order", "i", order)
        s.add(f"{variant}.position", "i", position)
        between = found["betweenness"]
        if between is not None:
            s.add(f"{variant}.betweenness", "d", (between[n] for n in nodes))
        kept[variant] = {"weight": found["weight"], "betweenness": between is not None}

    header = {
        "version": FORMAT_VERSION,
        "fingerprint": generation_fingerprint,
        "byteorder": sys.byteorder,
        "nodes": len(nodes),
        "edges": len(out_targets),
        "kinds": list(kinds),
        "flags": [list(f) for f in flag_table],
        "ranking": kept,
        "sections": {},
    }
    # Offsets count from the end of the header, so they do not depend on its length.
    start = 0
    layout: dict[str, list[Any]] = {}
    for name, (typecode, blob) in s.parts.items():
        layout[name] = [typecode, start, len(blob)]
        start += len(blob) + (-len(blob)) % 8
    header["sections"] = layout
    text = json.dumps(header).encode()
    text += b" " * ((-len(text)) % 8)
    out.write(_MAGIC + _LENGTH.pack(len(text)) + text)
    for _typecode, blob in s.parts.values():
        out.write(blob)
        out.write(b"\0" * ((-len(blob)) % 8))


def list_key(node: str, data: Mapping[str, Any]) -> tuple[int, str, str]:
    """Where a work or person stands in a list of them (a lineage's generation): by year,
    undated last, then label (the id when it has none), then id. The mapped form keeps
    every node's place."""
    year = data.get("year")
    return (10**6 if year is None else year, str(data.get("label", node)).casefold(), node)


def _interned_flags(table: dict[tuple[str, ...], int], flags: tuple[str, ...]) -> int:
    found = table.get(flags)
    if found is None:
        found = table[flags] = len(table)
    return found


class _Strings(Sequence[str]):
    """Strings ``i`` of a blob, between ``offsets[i]`` and ``offsets[i + 1]``."""

    def __init__(self, offsets: memoryview, blob: memoryview) -> None:
        self.offsets, self.blob = offsets, blob

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:  # type: ignore[override]
        return str(self.blob[self.offsets[i] : self.offsets[i + 1]], "utf-8")

    def raw(self, i: int) -> bytes:
        return bytes(self.blob[self.offsets[i] : self.offsets[i + 1]])


@dataclass(frozen=True)
class _Ranking:
    pagerank: memoryview
    degree: memoryview
    order: memoryview
    position: memoryview
    betweenness: memoryview | None


class MappedProjection:
    """An open mapped projection: nodes, edges and kept ranking, decoded on demand.

    Nodes are numbered in the graph's node order and edges in its out-adjacency order.
    Decoded ids are remembered, so a node reached through an edge is found again by a
    dictionary lookup rather than a search.
    """

    def __init__(self, path: Path, header: dict[str, Any], view: memoryview) -> None:
        self.path = path
        self.header = header
        self._view = view[header["start"] :]
        self.node_count: int = header["nodes"]
        self.edge_count: int = header["edges"]
        self.ids = self._strings("ids")
        self.labels = self._strings("labels")
        self.claim_texts = self._strings("claims")
        self.types = self._strings("types")
        self.sources = self._strings("sources")
        self.movements = self._strings("movement_names")
        self._sorted = self._array("sorted")
        self._listed = self._array("listed")
        self._year = self._array("year")
        self._years = (self._array("years.offsets"), self._array("years.values"))
        self._kind = self._array("kind")
        self._movements = (self._array("movements.offsets"), self._array("movements.values"))
        self._members = (self._array("members.offsets"), self._array("members.values"))
        self._out = (self._array("out.offsets"), self._array("out.targets"))
        self._in = (
            self._array("in.offsets"),
            self._array("in.sources"),
            self._array("in.edges"),
        )
        self._flags = self._array("flags")
        self.kinds: list[str] = header["kinds"]
        self.flag_table: list[tuple[str, ...]] = [tuple(f) for f in header["flags"]]
        self._names: dict[int, str] = {}
        self._numbers: dict[str, int] = {}
        self._movement_numbers: dict[str, int] | None = None
        self._movement_names: dict[int, str] = {}

    def _array(self, name: str) -> memoryview:
        typecode, offset, length = self.header["sections"][name]
        return self._view[offset : offset + length].cast(typecode)

    def _strings(self, name: str) -> _Strings:
        return _Strings(self._array(f"{name}.offsets"), self._array(f"{name}.blob"))

    # nodes ------------------------------------------------------------------------------

    def node(self, i: int) -> str:
        """The id of node number ``i``."""
        found = self._names.get(i)
        if found is None:
            found = self._names[i] = self.ids[i]
            self._numbers[found] = i
        return found

    def number(self, node: object) -> int | None:
        """The number of ``node`` (an id), or ``None`` when it is not in the graph."""
        if not isinstance(node, str):
            return None
        found = self._numbers.get(node)
        if found is not None:
            return found
        key = node.encode()
        low, high = 0, self.node_count
        while low < high:
            middle = (low + high) // 2
            if self.ids.raw(self._sorted[middle]) < key:
                low = middle + 1
            else:
                high = middle
        if low < self.node_count and self.ids.raw(self._sorted[low]) == key:
            i = self._sorted[low]
            self._names[i], self._numbers[node] = node, i
            return i
        return None

    def attributes(self, i: int) -> dict[str, Any]:
        """Node ``i``'s attributes, as the projection holds them."""
        year = self._year[i]
        offsets, values = self._years
        start, end = offsets[i], offsets[i + 1]
        m_offsets, m_values = self._movements
        m_start, m_end = m_offsets[i], m_offsets[i + 1]
        return {
            "label": self.labels[i],
            "year": None if year == _NO_YEAR else year,
            "years": (values[start],) if end - start == 1 else tuple(values[start:end]),
            "kind": self.kinds[self._kind[i]],
            "movements": tuple(map(self._movement, m_values[m_start:m_end]))
            if m_end > m_start
            else (),
        }

    def label_year_kind(self, i: int) -> tuple[str, int | None, str]:
        """Node ``i``'s label, year and kind: what a list of works shows of each (its
        years and movements are left encoded)."""
        year = self._year[i]
        return self.labels[i], None if year == _NO_YEAR else year, self.kinds[self._kind[i]]

    def sort_key(self, i: int) -> int:
        """Node ``i``'s place in a list of works: by year (undated last), label, then id
        (kept with the projection: a lineage sorts tens of thousands of works)."""
        return int(self._listed[i])

    def _movement(self, m: int) -> str:
        found = self._movement_names.get(m)
        if found is None:
            found = self._movement_names[m] = self.movements[m]
        return found

    # edges ------------------------------------------------------------------------------

    def successors(self, i: int, *, flagged: bool) -> list[tuple[int, int]]:
        """``(node, edge)`` numbers of node ``i``'s out-edges, in adjacency order;
        flagged edges only when ``flagged``."""
        offsets, targets = self._out
        start, end = offsets[i], offsets[i + 1]
        found = zip(targets[start:end].tolist(), range(start, end), strict=True)
        if flagged:
            return list(found)
        codes = self._flags
        return [(v, e) for v, e in found if not codes[e]]

    def predecessors(self, i: int, *, flagged: bool) -> list[tuple[int, int]]:
        """``(node, edge)`` numbers of node ``i``'s in-edges, in adjacency order."""
        offsets, sources, edges = self._in
        start, end = offsets[i], offsets[i + 1]
        found = zip(sources[start:end].tolist(), edges[start:end].tolist(), strict=True)
        if flagged:
            return list(found)
        codes = self._flags
        return [(u, e) for u, e in found if not codes[e]]

    def layers(self, i: int, depth: int, *, forward: bool, flagged: bool) -> list[list[int]]:
        """The nodes 1 to ``depth`` steps from node ``i``, a list for each step, a node in
        the list of its shortest chain: along out-edges when ``forward``, else along
        in-edges; flagged edges only when ``flagged``. Shorter when they run out."""
        offsets, ends = self._out if forward else self._in[:2]
        codes = self._flags
        seen, layer, found = {i}, [i], []
        for _ in range(depth):
            following = []
            for u in layer:
                start, end = offsets[u], offsets[u + 1]
                reached = ends[start:end].tolist()
                if not flagged:
                    numbers = range(start, end) if forward else self._in[2][start:end].tolist()
                    reached = [v for v, e in zip(reached, numbers, strict=True) if not codes[e]]
                for v in reached:
                    if v not in seen:
                        seen.add(v)
                        following.append(v)
            if not following:
                break
            found.append(following)
            layer = following
        return found

    def edge_flags(self, edge: int) -> tuple[str, ...]:
        """The flags of edge ``edge``."""
        return self.flag_table[self._flags[edge]]

    def claims(self, edge: int) -> list[dict[str, Any]]:
        """The claims behind edge ``edge``, as the projection holds them."""
        return [
            {
                "claim": claim,
                "type": self.types[kind],
                "aspect": aspect,
                "source": self.sources[source],
                "weight": weight,
            }
            for claim, kind, aspect, source, weight in json.loads(self.claim_texts[edge])
        ]

    def flagged(self) -> list[FlaggedEdge]:
        """The flagged edges, as :func:`~filmgraph.analytics.flags.flagged_edges` lists them."""
        triples = self._array("flagged")
        found = []
        for k in range(0, len(triples), 3):
            u, v, edge = triples[k : k + 3]
            claims = tuple(sorted(c["claim"] for c in self.claims(edge)))
            found.append(FlaggedEdge(self.node(u), self.node(v), self.edge_flags(edge), claims))
        return found

    # ranking ----------------------------------------------------------------------------

    def _ranking(self, include_flagged: bool) -> _Ranking:
        variant = "whole" if include_flagged else "unflagged"
        kept = self.header["ranking"][variant]
        return _Ranking(
            self._array(f"{variant}.pagerank"),
            self._array(f"{variant}.degree"),
            self._array(f"{variant}.order"),
            self._array(f"{variant}.position"),
            self._array(f"{variant}.betweenness") if kept["betweenness"] else None,
        )

    def _films_of(self, movement: str) -> list[int]:
        if self._movement_numbers is None:
            self._movement_numbers = {m: i for i, m in enumerate(self.movements)}
        m = self._movement_numbers.get(movement)
        if m is None:
            return []
        offsets, values = self._members
        return values[offsets[m] : offsets[m + 1]].tolist()

    def ranked(
        self,
        *,
        include_flagged: bool = False,
        decade: int | None = None,
        movement: str | None = None,
        top: int | None = 10,
    ) -> list[RankedNode]:
        """What :func:`~filmgraph.analytics.ranking.rank_films` gives for the graph (without
        flagged claims unless ``include_flagged``) with its kept centrality.

        The films are kept in ranking order, and filtering keeps that order, so this only
        walks the order (or a movement's films) until ``top`` films fit.
        """
        if top is not None and top < 1:
            raise ValueError("top must be at least 1")
        kept = self._ranking(include_flagged)
        if movement is not None:
            candidates: Iterable[int] = sorted(
                (i for i in self._films_of(movement) if kept.position[i] >= 0),
                key=kept.position.__getitem__,
            )
        else:
            candidates = kept.order
        found = []
        for i in candidates:
            if decade is not None:
                year = self._year[i]
                if year == _NO_YEAR or year // 10 * 10 != decade:
                    continue
            found.append(i)
            if top is not None and len(found) == top:
                break
        between = kept.betweenness
        return [
            RankedNode(
                self.node(i),
                self.labels[i],
                None if self._year[i] == _NO_YEAR else self._year[i],
                kept.pagerank[i],
                kept.degree[i],
                None if between is None else between[i],
            )
            for i in found
        ]


class KeptInfluence:
    """The influence graph of a mapped projection, whole or without flagged claims, for the
    lookups that read no more of it than they show (``lineage``, ``rank``).

    It needs no NetworkX, whose import alone costs such a command 0.1 s;
    :class:`~filmgraph.analytics.lazygraph.LazyInfluenceGraph` is the same graph for
    NetworkX's algorithms.
    """

    def __init__(self, mapped: MappedProjection, *, include_flagged: bool) -> None:
        self.mapped = mapped
        self.include_flagged = include_flagged

    def __contains__(self, node: object) -> bool:
        return self.mapped.number(node) is not None

    def whole(self) -> KeptInfluence:
        """The graph with its flagged claims (as :func:`~filmgraph.analytics.flags.whole`)."""
        return self if self.include_flagged else KeptInfluence(self.mapped, include_flagged=True)

    def without_flagged(self) -> KeptInfluence:
        """The graph without its flagged claims."""
        if not self.include_flagged:
            return self
        return KeptInfluence(self.mapped, include_flagged=False)

    def flagged(self) -> list[FlaggedEdge]:
        """The flagged edges of the whole graph (:meth:`MappedProjection.flagged`)."""
        return self.mapped.flagged()

    def ranked(
        self, *, decade: int | None = None, movement: str | None = None, top: int | None = 10
    ) -> list[RankedNode]:
        """The kept ranking of this graph (:meth:`MappedProjection.ranked`)."""
        return self.mapped.ranked(
            include_flagged=self.include_flagged, decade=decade, movement=movement, top=top
        )

    def generations(self, node: str, depth: int, *, forward: bool) -> list[list[str]]:
        """:func:`~filmgraph.analytics.lineage.lineage` of ``node`` (descendants when
        ``forward``), found on the projection's numbers and listed in the kept order: a
        hub's lineage names tens of thousands of works."""
        mapped = self.mapped
        i = mapped.number(node)
        if i is None:
            return []
        layers = mapped.layers(i, depth, forward=forward, flagged=self.include_flagged)
        return [[mapped.node(j) for j in sorted(layer, key=mapped.sort_key)] for layer in layers]


def open_mapped(path: Path, generation_fingerprint: str) -> MappedProjection | None:
    """The mapped projection at ``path``, or ``None`` when there is none or it was written
    for another generation, format version or byte order (it is then to be rewritten)."""
    try:
        with path.open("rb") as handle:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (FileNotFoundError, ValueError):
        return None  # ValueError: an empty file cannot be mapped
    view = memoryview(mapped)
    prefix = len(_MAGIC) + _LENGTH.size
    if len(view) < prefix or bytes(view[: len(_MAGIC)]) != _MAGIC:
        return None
    (room,) = _LENGTH.unpack(view[len(_MAGIC) : prefix])
    try:
        header = json.loads(bytes(view[prefix : prefix + room]))
    except ValueError:
        return None
    if isinstance(header, dict):
        header["start"] = prefix + room
    if (
        not isinstance(header, dict)
        or header.get("version") != FORMAT_VERSION
        or header.get("fingerprint") != generation_fingerprint
        or header.get("byteorder") != sys.byteorder
    ):
        return None
    return MappedProjection(path, header, view)
