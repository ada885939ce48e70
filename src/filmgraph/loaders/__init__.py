"""Loaders turn source documents into RDF, one named graph per document.

A loader is a class with a ``name``, an ``accepts(path)`` test and a ``load(path, context,
root)`` method yielding :class:`SourceGraph` objects. Loaders are found by name in the
``filmgraph.loaders`` entry-point group; the built-ins register there like any plugin would.

The protocol, in short:

- a loader adds the triples of one document to ``SourceGraph.graph``, a :class:`Triples`
  buffer (a de-duplicating list of rdflib terms, not an indexed rdflib graph); the build
  hands each finished buffer to the engine (pyoxigraph) and drops it, so no source stays in
  Python memory once it is written;
- a loader that never looks its own document up asks :meth:`LoadContext.source` for its
  :class:`SourceGraph`: in a build, that buffer hands its triples on every
  :data:`SPILL_AT` triples, so a table of millions of rows is never held whole;
- names are resolved through :meth:`LoadContext.gazetteer`, built from what the build's
  store already holds (or, outside a build, from ``LoadContext.loaded``);
- before reading a document a loader may ask :meth:`LoadContext.reuse`: ``True`` means the
  previous build already holds this document's output for the same content and the same
  upstream sources, and the build replays it, so the loader skips the document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from rdflib import Graph, URIRef
from rdflib.term import Node

from filmgraph.errors import FilmgraphError, SourceError
from filmgraph.loaders.known import KnownIds
from filmgraph.namespaces import bind_prefixes

if TYPE_CHECKING:
    from filmgraph.loaders.pagegazetteer import Gazetteer

__all__ = [
    "SPILL_AT",
    "LoadContext",
    "Loader",
    "SourceGraph",
    "Triple",
    "TripleSink",
    "Triples",
    "all_loaders",
    "get_loader",
    "guess_loader",
]

#: One statement, as rdflib terms.
Triple = tuple[Node, Node, Node]

#: Where a spilling :class:`Triples` buffer hands what it holds (see :meth:`Triples.spill`).
TripleSink = Callable[[Iterable[Triple]], None]

#: How many triples a spilling buffer holds before it hands them on: about 80 MB of rdflib
#: terms, where the credits table of 300,000 films held 13.9 million triples (5 GB) whole.
SPILL_AT = 200_000


class Triples:
    """The triples of one source document, in the order first added, without duplicates.

    A plain buffer rather than an rdflib graph: adding costs a dictionary insert, not three
    index updates. It offers the few look-ups loaders need (``in``, :meth:`objects`,
    :meth:`subjects`, :meth:`subject_objects`, :meth:`value`), each a scan, meant for small
    documents; :meth:`graph` gives an rdflib graph where a library or a test needs one.

    A buffer given a ``sink`` hands its triples to it whenever it holds ``spill_at`` of them
    and starts afresh; :meth:`spill` hands the rest. Repeats are then only dropped within
    one hand-over (the store drops the others), and the look-ups, which would see only what
    is still held, refuse once anything was handed on.
    """

    __slots__ = ("_sink", "_spill_at", "_triples", "handed", "spills")

    def __init__(
        self,
        triples: Iterable[Triple] = (),
        *,
        sink: TripleSink | None = None,
        spill_at: int = SPILL_AT,
    ) -> None:
        self._triples: dict[Triple, None] = dict.fromkeys(triples)
        self._sink = sink
        self._spill_at = spill_at
        #: how many triples went to the sink, and in how many hand-overs
        self.handed = 0
        self.spills = 0

    def add(self, triple: Triple) -> None:
        """Add one triple (a repeat is ignored)."""
        self._triples[triple] = None
        self._spill_when_full()

    def remove(self, pattern: tuple[Node | None, Node | None, Node | None]) -> None:
        """Remove the triples matching ``pattern`` (``None`` matches anything)."""
        for triple in list(self.triples(pattern)):
            del self._triples[triple]

    def __iadd__(self, other: Iterable[Triple]) -> Triples:
        self._triples.update(dict.fromkeys(other))
        self._spill_when_full()
        return self

    def _spill_when_full(self) -> None:
        if self._sink is not None and len(self._triples) >= self._spill_at:
            self.spill()

    def spill(self) -> None:
        """Hand what the buffer holds to its sink and forget it (without a sink: refused)."""
        if self._sink is None:
            raise FilmgraphError("this triple buffer has nowhere to hand its triples")
        if self._triples:
            self._sink(self._triples)
            self.handed += len(self._triples)
            self.spills += 1
            self._triples = {}

    def __len__(self) -> int:
        """The triples held now (those handed to a sink are not counted)."""
        return len(self._triples)

    def __iter__(self) -> Iterator[Triple]:
        self._whole()
        return iter(self._triples)

    def __contains__(self, triple: object) -> bool:
        self._whole()
        return triple in self._triples

    def _whole(self) -> None:
        if self.spills:
            raise FilmgraphError(
                "this document's triples were handed to the store as it was read, so it "
                "cannot be looked up: its loader must make its SourceGraph itself, not "
                "through LoadContext.source"
            )

    def triples(self, pattern: tuple[Node | None, Node | None, Node | None]) -> Iterator[Triple]:
        """Triples matching ``pattern`` (``None`` matches anything)."""
        self._whole()
        s, p, o = pattern
        for t in self._triples:
            if (s is None or t[0] == s) and (p is None or t[1] == p) and (o is None or t[2] == o):
                yield t

    def subjects(self, predicate: Node | None = None, obj: Node | None = None) -> Iterator[Node]:
        """Subjects of the triples with ``predicate`` and ``obj``."""
        return (t[0] for t in self.triples((None, predicate, obj)))

    def objects(self, subject: Node | None = None, predicate: Node | None = None) -> Iterator[Node]:
        """Objects of the triples with ``subject`` and ``predicate``."""
        return (t[2] for t in self.triples((subject, predicate, None)))

    def subject_objects(self, predicate: Node | None = None) -> Iterator[tuple[Node, Node]]:
        """(subject, object) of the triples with ``predicate``."""
        return ((t[0], t[2]) for t in self.triples((None, predicate, None)))

    def value(self, subject: Node, predicate: Node) -> Node | None:
        """One object of ``subject`` and ``predicate``, or ``None``."""
        return next(self.objects(subject, predicate), None)

    def graph(self) -> Graph:
        """The triples as an rdflib graph with filmgraph's prefixes."""
        self._whole()
        g = bind_prefixes(Graph())
        g.addN((s, p, o, g) for s, p, o in self._triples)
        return g


@dataclass
class SourceGraph:
    """The triples one source document contributes, with what the provenance needs."""

    #: IRI of the named graph (and of the source document as a PROV entity).
    iri: URIRef
    #: The file the triples came from.
    path: Path
    #: Name of the loader that read it.
    loader: str
    graph: Triples = field(default_factory=Triples)
    #: How many records (rows, items, pages) the document held.
    records: int = 0
    #: Other files that decide what the document says (a table's CSVW metadata): a change
    #: to one of them changes the document's output as a change to the file itself does.
    read_with: tuple[Path, ...] = ()


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
    #: Graphs read outside a build (tests, notebooks), in order: the gazetteer reads them
    #: after what ``names`` gives.
    loaded: list[Graph | Triples] = field(default_factory=list)
    #: Where a build's gazetteer comes from: the names its store holds so far (set by the
    #: build; ``None`` outside one).
    names: Callable[[], Gazetteer] | None = None
    #: Asked by :meth:`reuse` (set by an incremental build; ``None``: read everything).
    reuser: Callable[[Path, bool, tuple[Path, ...]], bool] | None = None
    #: Where :meth:`source` buffers hand their triples, by graph (set by a build; ``None``:
    #: every buffer holds its whole document).
    sinks: Callable[[URIRef], TripleSink] | None = None

    def source(
        self, iri: URIRef, path: Path, loader: str, *, read_with: tuple[Path, ...] = ()
    ) -> SourceGraph:
        """An empty :class:`SourceGraph` whose buffer a build may empty as it fills.

        For loaders that only add to their document: the build writes every
        :data:`SPILL_AT` triples to its store, so memory stays bounded by that, not by the
        document. A loader that looks its own triples up makes its ``SourceGraph`` itself.
        ``read_with``: as :attr:`SourceGraph.read_with`.
        """
        if self.sinks is None:
            return SourceGraph(iri, path, loader, read_with=read_with)
        buffer = Triples(sink=self.sinks(iri), spill_at=SPILL_AT)
        return SourceGraph(iri, path, loader, buffer, read_with=read_with)

    def reject(self, error: SourceError) -> None:
        """Raise ``error`` in strict mode; record it and carry on in lenient mode."""
        if self.strict:
            raise error
        self.skipped.append(error)

    def gazetteer(self) -> Gazetteer:
        """Every name the sources read so far give, for resolving the names a document uses."""
        from filmgraph.loaders.pagegazetteer import Gazetteer

        gazetteer = self.names() if self.names is not None else Gazetteer()
        for graph in self.loaded:
            gazetteer.add_graph(graph)
        return gazetteer

    def reuse(self, path: Path, *, chained: bool = False, read_with: tuple[Path, ...] = ()) -> bool:
        """True when the build can replay ``path``'s output from the previous build.

        A loader calls this before reading a document and skips it on ``True`` (the build
        has then also restored the ids the document defined). ``chained`` says that the
        document depends on the documents of the same source read before it (the curated
        tables do), not only on earlier sources and its own content; ``read_with`` names
        the other files its output depends on (:attr:`SourceGraph.read_with`, which the
        loader gives the same files when it reads the document).
        """
        return self.reuser is not None and self.reuser(path, chained, read_with)


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
