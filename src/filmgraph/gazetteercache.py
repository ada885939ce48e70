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
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from rdflib import URIRef

from filmgraph.loaders.pagegazetteer import Entry, Gazetteer

__all__ = ["CachedGazetteer", "load_gazetteer", "save_gazetteer"]

#: Raised when the layout changes, so files of the old layout are not read.
FORMAT_VERSION = 1


def save_gazetteer(gazetteer: Gazetteer, path: Path) -> None:
    """Write ``gazetteer`` to ``path`` (read back by :func:`load_gazetteer`)."""
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
    latest = [(str(iri), number(entry)) for iri, entry in gazetteer._entries.items()]
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


class CachedGazetteer(Gazetteer):
    """A gazetteer read back from a generation: the same answers, made lazily."""

    def __init__(
        self,
        entries: list[tuple[Any, ...]],
        tables: dict[str, dict[str, list[int]]],
        latest: list[tuple[str, int]],
        graphs: int,
    ) -> None:
        super().__init__()
        self._raw_entries = entries
        self._tables = {kind: _Table(raw, self) for kind, raw in tables.items()}
        self._latest_raw = latest
        self._latest: dict[str, int] | None = None
        self._made: dict[int, Entry] = {}
        self._graphs = graphs
        self._plain = False

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
        if self._latest is None:
            self._latest = dict(self._latest_raw)
        number = self._latest.get(str(iri))
        return None if number is None else self.make(number)

    def __len__(self) -> int:
        return len(self._latest_raw) if not self._plain else super().__len__()

    def _add_described(self, described: Any) -> None:
        """Adding to it (a graph read outside a build) makes it a plain gazetteer first."""
        if not self._plain:
            self._names = {kind: dict(table.items()) for kind, table in self._tables.items()}
            self._entries = {URIRef(iri): self.make(n) for iri, n in self._latest_raw}
            self._plain = True
        super()._add_described(described)
