"""A gazetteer kept with a build generation, for the next build to read back at once.

A build's page loaders resolve names against a gazetteer of every source read before
them (:class:`~filmgraph.loaders.pagegazetteer.Gazetteer`); an incremental build that reads
one new page must not load every earlier source to make it. The build keeps the gazetteer
in the generation in a compact form (names as plain strings pointing at numbered entries,
written with :mod:`marshal`), and reads it back as a :class:`CachedGazetteer`: the tables
are plain dictionaries, and an :class:`~filmgraph.loaders.pagegazetteer.Entry` is made only
for the resources a look-up returns. Pickling the gazetteer instead costs a Python object
per entry and name on reading (about ten seconds at 100,000 films).
"""

from __future__ import annotations

import marshal
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef

from filmgraph.loaders.pagegazetteer import (
    _NAME_PROPS,
    _OX_TYPE,
    _OX_YEAR,
    KIND_OF_CLASS,
    Entry,
    Gazetteer,
    _placeholders,
    _variants,
)

__all__ = ["CachedGazetteer", "load_gazetteer", "save_gazetteer"]

#: Raised when the layout changes, so files of the old layout are not read.
FORMAT_VERSION = 2


def save_gazetteer(gazetteer: Gazetteer, path: Path) -> None:
    """Write ``gazetteer`` to ``path`` (read back by :func:`load_gazetteer`)."""
    if isinstance(gazetteer, CachedGazetteer) and not gazetteer._plain:
        tables = {kind: table.raw for kind, table in gazetteer._tables.items()}
        data = (
            FORMAT_VERSION,
            gazetteer._raw_entries,
            tables,
            gazetteer._latest_raw,
            gazetteer._graphs,
        )
        path.write_bytes(marshal.dumps(data))
        return
    numbers: dict[Entry, int] = {}
    entries: list[tuple[Any, ...]] = []

    def number(entry: Entry) -> int:
        found = numbers.get(entry)
        if found is None:
            found = numbers[entry] = len(entries)
            entries.append(
                (
                    str(entry.iri),
                    entry.kind,
                    entry.label,
                    entry.year,
                    tuple(sorted(str(c) for c in entry.classes)),
                    entry.rank,
                )
            )
        return found

    tables = {
        kind: {name: [number(e) for e in bucket] for name, bucket in table.items()}
        for kind, table in gazetteer._names.items()
    }
    latest = {str(iri): number(entry) for iri, entry in gazetteer._entries.items()}
    data = (FORMAT_VERSION, entries, tables, latest, gazetteer._graphs)
    path.write_bytes(marshal.dumps(data))


def load_gazetteer(path: Path) -> CachedGazetteer | None:
    """The gazetteer :func:`save_gazetteer` wrote (``None`` for a file of another layout)."""
    data = marshal.loads(path.read_bytes())
    if not isinstance(data, tuple) or not data or data[0] != FORMAT_VERSION:
        return None
    _, entries, tables, latest, graphs = data
    return CachedGazetteer(entries, tables, latest, graphs)


class _Table(Mapping[str, list[Entry]]):
    """One kind's names, each giving its entries, made on first use."""

    def __init__(self, raw: dict[str, list[int]], owner: CachedGazetteer) -> None:
        self.raw, self.owner = raw, owner

    def __getitem__(self, name: str) -> list[Entry]:
        return [self.owner.make(i) for i in self.raw[name]]

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def __contains__(self, name: object) -> bool:
        return name in self.raw


def _said(
    store: ox.Store, graph: ox.NamedNode, prop: ox.NamedNode, nodes: Mapping[str, object]
) -> Iterator[tuple[str, str]]:
    """(node, literal) of what ``graph`` says with ``prop`` of the ``nodes`` it describes."""
    for q in store.quads_for_pattern(None, prop, None, graph):
        s = q.subject
        if isinstance(s, ox.NamedNode) and s.value in nodes and isinstance(q.object, ox.Literal):
            yield s.value, q.object.value


class CachedGazetteer(Gazetteer):
    """A gazetteer in the compact form, read back from a generation or made from a store:
    the same answers as a :class:`~filmgraph.loaders.pagegazetteer.Gazetteer`, made lazily."""

    def __init__(
        self,
        entries: list[tuple[Any, ...]],
        tables: dict[str, dict[str, list[int]]],
        latest: dict[str, int],
        graphs: int,
    ) -> None:
        super().__init__()
        self._raw_entries = entries
        self._tables = {kind: _Table(raw, self) for kind, raw in tables.items()}
        self._latest_raw = latest
        self._made: dict[int, Entry] = {}
        self._graphs = graphs
        self._plain = False

    @classmethod
    def from_store(cls, store: ox.Store, graphs: Sequence[URIRef]) -> CachedGazetteer:
        """What :meth:`Gazetteer.from_store` gives, made in the compact form.

        The plain gazetteer holds objects per resource and name (at 30,000 films it took
        0.36 GB at its peak, growing with the graph); this one holds a tuple per resource
        and numbers in the name tables (0.24 GB), and reads one graph at a time.
        """
        entries: list[tuple[Any, ...]] = []
        tables: dict[str, dict[str, list[int]]] = {}
        latest: dict[str, int] = {}
        shared: dict[tuple[str, ...], tuple[str, ...]] = {}
        placeholders = _placeholders(store)
        for rank, graph in enumerate(graphs):
            g = ox.NamedNode(str(graph))
            classes: dict[str, list[str]] = {}
            for kind_class in KIND_OF_CLASS:
                for q in store.quads_for_pattern(None, _OX_TYPE, ox.NamedNode(kind_class), g):
                    s = q.subject
                    if isinstance(s, ox.NamedNode) and (g.value, s.value) not in placeholders:
                        classes.setdefault(s.value, []).append(str(kind_class))
            names: dict[str, list[str]] = {}
            for prop in _NAME_PROPS:
                for node, value in _said(store, g, ox.NamedNode(str(prop)), classes):
                    names.setdefault(node, []).append(value)
            years: dict[str, str] = {}
            for node, value in _said(store, g, _OX_YEAR, classes):
                years.setdefault(node, value)
            for node in sorted(classes):
                said = names.get(node)
                if not said:
                    continue
                year = int(years[node][:4]) if node in years else None
                own = classes[node]
                for class_iri in own:
                    kind = KIND_OF_CLASS[URIRef(class_iri)]
                    old_number = latest.get(node)
                    old = entries[old_number] if old_number is not None else None
                    together = tuple(sorted({*own, *(old[4] if old else ())}))
                    entry = (
                        node,
                        kind,
                        old[2] if old else said[0],
                        year or (old[3] if old else None),
                        shared.setdefault(together, together),
                        old[5] if old else rank,
                    )
                    if old_number is not None and entry == old:
                        number = old_number
                    else:
                        number = len(entries)
                        entries.append(entry)
                    latest[node] = number
                    for k in {kind, "place"} if kind == "country" else {kind}:
                        table = tables.setdefault(k, {})
                        for name in said:
                            for variant in _variants(name):
                                bucket = table.setdefault(variant, [])
                                bucket[:] = [n for n in bucket if entries[n][0] != node] + [number]
        return cls(entries, tables, latest, len(graphs))

    def make(self, number: int) -> Entry:
        """Entry ``number``, made once."""
        found = self._made.get(number)
        if found is None:
            iri, kind, label, year, classes, rank = self._raw_entries[number]
            found = self._made[number] = Entry(
                URIRef(iri), kind, label, year, frozenset(URIRef(c) for c in classes), rank
            )
        return found

    def names(self, kind: str) -> dict[str, list[Entry]]:
        if self._plain:
            return super().names(kind)
        table = self._tables.get(kind)
        return table if table is not None else {}  # type: ignore[return-value]

    def entry(self, iri: URIRef) -> Entry | None:
        if self._plain:
            return super().entry(iri)
        number = self._latest_raw.get(str(iri))
        return None if number is None else self.make(number)

    def __len__(self) -> int:
        return len(self._latest_raw) if not self._plain else super().__len__()

    def _surname_known(self, entry: Entry, surname: list[str]) -> bool:
        if self._plain:
            return super()._surname_known(entry, surname)
        table = self._tables.get(entry.kind)
        return table is not None and any(
            key.split()[-1:] == surname and any(self.make(n) == entry for n in numbers)
            for key, numbers in table.raw.items()
        )

    def _add_described(self, described: Any) -> None:
        """Adding to it (a graph read outside a build) makes it a plain gazetteer first."""
        if not self._plain:
            self._names = {kind: dict(table.items()) for kind, table in self._tables.items()}
            self._entries = {URIRef(iri): self.make(n) for iri, n in self._latest_raw.items()}
            self._plain = True
        super()._add_described(described)
