"""Loaders turn source documents into RDF, one named graph per document.

A loader is a class with a ``name``, an ``accepts(path)`` test and a ``load(path, context)``
method yielding :class:`SourceGraph` objects. Loaders are found by name in the
``filmgraph.loaders`` entry-point group; the built-ins register there like any plugin would.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Protocol, runtime_checkable

from rdflib import Graph, URIRef

from filmgraph.errors import FilmgraphError, SourceError
from filmgraph.loaders.known import KnownIds
from filmgraph.namespaces import bind_prefixes

__all__ = [
    "LoadContext",
    "Loader",
    "SourceGraph",
    "all_loaders",
    "get_loader",
    "guess_loader",
]


@dataclass
class SourceGraph:
    """The triples one source document contributes, with what the provenance needs."""

    #: IRI of the named graph (and of the source document as a PROV entity).
    iri: URIRef
    #: The file the triples came from.
    path: Path
    #: Name of the loader that read it.
    loader: str
    graph: Graph = field(default_factory=lambda: bind_prefixes(Graph()))
    #: How many records (rows, items, pages) the document held.
    records: int = 0


@dataclass
class LoadContext:
    """Settings and findings shared by the loaders of one build.

    In strict mode (the default) the first bad record raises :class:`SourceError`; in
    lenient mode it is recorded in ``skipped`` and the loader carries on.
    """

    strict: bool = True
    skipped: list[SourceError] = field(default_factory=list)
    #: Things worth a curator's attention that are not errors (dropped authority ids …).
    notes: list[str] = field(default_factory=list)
    #: Ids defined by the sources read so far, by kind.
    known: KnownIds = field(default_factory=lambda: KnownIds())
    #: The graphs of the sources read so far in this build, in order: later loaders resolve
    #: the names they meet against them (the film-page loader builds its gazetteer from them).
    loaded: list[Graph] = field(default_factory=list)

    def reject(self, error: SourceError) -> None:
        """Raise ``error`` in strict mode; record it and carry on in lenient mode."""
        if self.strict:
            raise error
        self.skipped.append(error)


@runtime_checkable
class Loader(Protocol):
    """What every loader provides."""

    name: str

    def accepts(self, path: Path) -> bool:
        """True when this loader can read ``path`` (used to guess a loader for --source)."""
        ...

    def load(self, path: Path, context: LoadContext, root: Path) -> Iterator[SourceGraph]:
        """Read ``path`` and yield one :class:`SourceGraph` per source document in it.

        ``root`` is the folder ids of named graphs are taken relative to.
        """
        ...


def get_loader(name: str) -> Loader:
    """The loader registered under ``name``."""
    found = entry_points(group="filmgraph.loaders", name=name)
    if not found:
        known = ", ".join(sorted(all_loaders()))
        raise FilmgraphError(f"no loader named {name!r} (known: {known})")
    loader: Loader = next(iter(found)).load()()
    return loader


def all_loaders() -> dict[str, Loader]:
    """Every registered loader by name."""
    return {ep.name: ep.load()() for ep in entry_points(group="filmgraph.loaders")}


def guess_loader(path: Path) -> Loader:
    """The first registered loader that accepts ``path``."""
    for loader in all_loaders().values():
        if loader.accepts(path):
            return loader
    raise SourceError(path, "no loader knows how to read this file or folder")
