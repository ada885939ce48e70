"""Which quads an export carries: everything, or less (no inferred, no provenance, a subgraph).

The selection is held by a pyoxigraph store whose default graph is the RDF merge of the
selected named graphs, so every writer streams from the engine with its own serialisers
(:meth:`Selected.write`), never through rdflib:

* the graph of a built generation (all of it, or without the inferred or the provenance
  graph) is the built store itself: nothing is copied; an RDF format is written once from
  the generation's dump and kept beside it (:mod:`filmgraph.export.kept`), or else (an
  embedded store that is no generation) dumped by the engine from the merge the build
  keeps in the default graph; an exporter that queries the selection with graphs left out
  gets an in-memory copy of it, made on first use;
* anything else (another backend, a subgraph ``around`` a resource) is copied into an
  in-memory store first. The whole graph of another backend is dumped by
  it (a remote one streams it graph by graph); a subgraph is asked of the store with a
  few SPARQL queries, so a remote store sends only that.

Exporters never depend on which engine holds the graph.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from filmgraph.builddir import Generation
from filmgraph.errors import ParameterError
from filmgraph.export.kept import TRIPLE_FORMATS, Counted, generation_of, write_whole
from filmgraph.provenance import ONTOLOGY_GRAPH, PROVENANCE_GRAPH
from filmgraph.queries import select_named
from filmgraph.reasoning import INFERRED_GRAPH
from filmgraph.store.base import SelectResult, Store
from filmgraph.store.oxigraph import OxigraphStore, holds_merge, to_oxigraph

__all__ = ["INFERRED_GRAPH", "Selected", "Selection", "neighbourhood", "select"]

_LABELS = (RDFS.label, SKOS.prefLabel)


@dataclass(frozen=True)
class Selection:
    """What to leave in or out of an export.

    ``around`` names a film or a movement (an IRI); the export then holds the resources
    within ``depth`` links of it, walking through films, people and claim nodes only.
    """

    inferred: bool = True
    provenance: bool = True
    around: URIRef | None = None
    depth: int = 2


class Selected:
    """The selected quads, in a pyoxigraph store that keeps their RDF merge in its default graph.

    ``store`` is that store; ``graphs`` the named graphs selected (the store may hold
    others, which every method here leaves out). ``owned`` says whether :meth:`close`
    closes the store (a copy made for the selection) or leaves it (the caller's store).
    """

    def __init__(
        self,
        store: OxigraphStore,
        graphs: Sequence[ox.NamedNode],
        workdir: tempfile.TemporaryDirectory[str],
        *,
        owned: bool,
        generation: Generation | None = None,
        leave_out: frozenset[str] = frozenset(),
    ) -> None:
        self._store = store
        self.graphs = tuple(graphs)
        self._workdir = workdir
        self._owned = owned
        #: the built generation whose store ``store`` is, when the selection is its graph
        #: but the named graphs ``leave_out`` (written from its dump, see export.kept)
        self.generation = generation
        self.leave_out = leave_out
        self._nquads: Path | None = None

    @property
    def store(self) -> OxigraphStore:
        """The store holding the selection, to run named queries on (they see the merge).

        Graphs left out of a built generation are dropped here, on first use: the selected
        quads are copied into an in-memory store (the RDF writers never need it).
        """
        if self.leave_out and not self._owned:
            self._store = _copy(_graphs_quads(self._store.engine, self.graphs), self._workdir)
            self._owned = True
        return self._store

    @property
    def nquads(self) -> Path:
        """The selected quads as an N-Quads file, written on first use."""
        if self._nquads is None:
            self._nquads = Path(self._workdir.name) / "selected.nq"
            ox.serialize(self.quads(), str(self._nquads), ox.RdfFormat.N_QUADS)
        return self._nquads

    def quads(self) -> Iterator[ox.Quad]:
        """Every selected quad, graph by graph, as pyoxigraph quads."""
        return _graphs_quads(self.store.engine, self.graphs)

    def triples(self, predicate: URIRef | None = None) -> Iterator[ox.Triple]:
        """The distinct triples of the merge of the selected graphs (with ``predicate``:
        only those), read from the store's default graph."""
        wanted = None if predicate is None else ox.NamedNode(str(predicate))
        return (
            q.triple
            for q in self.store.engine.quads_for_pattern(None, wanted, None, ox.DefaultGraph())
        )

    def triple_count(self) -> int:
        """How many distinct triples the merge holds (the engine counts them)."""
        result = self.store.engine.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("a SELECT query gave no rows")
        count = next(iter(result))["n"]
        return int(count.value) if isinstance(count, ox.Literal) else 0

    def write(self, out: Path, fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> int:
        """Write the selection to ``out`` with pyoxigraph's serialiser for ``fmt``.

        A triple format gets the merge (each distinct triple once), a quad format every
        selected named graph. The whole graph of a built generation is written once from
        its ``graph.trig`` and kept beside it (:func:`filmgraph.export.kept.write_whole`);
        any other selection is streamed from the engine. Returns how many triples (or
        quads) were written.
        """
        if self.generation is not None:
            done = write_whole(
                self.generation, self._store.engine, out, fmt, prefixes, self.leave_out
            )
            if done is not None:
                return done.count
        if fmt in TRIPLE_FORMATS:
            self.store.engine.dump(str(out), fmt, from_graph=ox.DefaultGraph(), prefixes=prefixes)
            return self.triple_count()
        counted = Counted(self.quads())
        ox.serialize(counted, str(out), fmt, prefixes=prefixes)
        return counted.count

    def close(self) -> None:
        if self._owned:
            self._store.close()
        self._workdir.cleanup()

    def __enter__(self) -> Selected:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def neighbourhood(store: Store, focus: URIRef, depth: int) -> set[URIRef]:
    """Resources within ``depth`` links of ``focus``, in either direction.

    The walk (the named query ``export-neighbours``) ignores ``rdf:type`` and the ontology
    graph, and stops at leaves: countries, themes, movements, sources … are kept but not
    walked through, except at the focus itself, so a movement reaches its films.
    """
    found: set[URIRef] = {focus}
    frontier = [focus]
    for _ in range(depth):
        after: list[URIRef] = []
        for node in frontier:
            result = select_named(store, "export-neighbours", {"node": f"<{node}>"})
            for row in result.dicts():
                neighbour = row["neighbour"]
                if not isinstance(neighbour, URIRef) or neighbour in found:
                    continue
                found.add(neighbour)
                if str(row["leaf"]) in ("false", "0"):  # not a leaf (Virtuoso answers 0 or 1)
                    after.append(neighbour)
        frontier = after
    return found


def select(store: Store, selection: Selection | None = None) -> Selected:
    """What ``selection`` asks for of ``store``; close the result when done.

    The graph of a built generation is selected in place (nothing is read yet), also with
    graphs left out (the RDF writers write it from the generation's dump; the other
    exporters get an in-memory copy on first use); another backend or a subgraph
    (``around``) copy the selected quads into an in-memory store. A subgraph is asked of
    the store directly: the walk, then the quads of the resources it reached and the labels
    and types of what they point at, so a remote store sends only those.
    """
    selection = selection or Selection()
    if selection.depth < 0:
        raise ParameterError("--depth must be 0 or more")
    dropped = set()
    if not selection.inferred:
        dropped.add(str(INFERRED_GRAPH))
    if not selection.provenance:
        dropped.add(str(PROVENANCE_GRAPH))
    workdir = tempfile.TemporaryDirectory(prefix="filmgraph-export-")
    try:
        if selection.around is not None:
            dropped.add(str(ONTOLOGY_GRAPH))
            quads: Iterable[ox.Quad] = _around(store, selection.around, selection.depth, dropped)
        elif isinstance(store, OxigraphStore):
            engine = store.engine
            graphs = sorted(
                (g for g in engine.named_graphs() if isinstance(g, ox.NamedNode)), key=str
            )
            kept = [g for g in graphs if g.value not in dropped]
            generation = generation_of(store.path) if holds_merge(engine) else None
            if generation is not None or (not dropped and holds_merge(engine)):
                # in place: written from the generation's dump, copied only when needed
                return Selected(
                    store,
                    kept,
                    workdir,
                    owned=False,
                    generation=generation,
                    leave_out=frozenset(dropped),
                )
            quads = _graphs_quads(engine, kept)
        else:
            everything = Path(workdir.name) / "all.nq"
            store.dump(everything, "nquads")
            quads = (
                q
                for q in ox.parse(path=str(everything), format=ox.RdfFormat.N_QUADS)
                if _graph_of(q) not in dropped
            )
        copy = _copy(quads, workdir)
    except BaseException:
        workdir.cleanup()
        raise
    graphs = [g for g in copy.engine.named_graphs() if isinstance(g, ox.NamedNode)]
    return Selected(copy, sorted(graphs, key=str), workdir, owned=True)


def _graphs_quads(engine: ox.Store, graphs: Iterable[ox.NamedNode]) -> Iterator[ox.Quad]:
    """Every quad of ``graphs`` in ``engine``, graph by graph."""
    return itertools.chain.from_iterable(
        engine.quads_for_pattern(None, None, None, graph) for graph in graphs
    )


def _copy(quads: Iterable[ox.Quad], workdir: tempfile.TemporaryDirectory[str]) -> OxigraphStore:
    """An in-memory store of ``quads`` holding their merge in its default graph."""
    chosen = Path(workdir.name) / "chosen.nq"
    ox.serialize(quads, str(chosen), ox.RdfFormat.N_QUADS)
    copy = OxigraphStore()
    copy.load_nquads(chosen)
    chosen.unlink()
    return copy


def _graph_of(quad: ox.Quad) -> str:
    return quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""


_BATCH = 200


def _quads_about(
    store: Store, subjects: Iterable[str], dropped: set[str], predicates: Sequence[URIRef] = ()
) -> list[ox.Quad]:
    """The quads whose subject is one of ``subjects`` (and predicate one of ``predicates``,
    when given), outside the ``dropped`` graphs, asked of the store in batches."""
    wanted = sorted(subjects)
    only = f"VALUES ?p {{ {' '.join(p.n3() for p in predicates)} }}" if predicates else ""
    found: list[ox.Quad] = []
    for start in range(0, len(wanted), _BATCH):
        values = " ".join(f"<{s}>" for s in wanted[start : start + _BATCH])
        result = store.query(
            f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {values} }} {only} "
            "GRAPH ?g { ?s ?p ?o } }"
        )
        if not isinstance(result, SelectResult):
            raise TypeError("a SELECT query gave no rows")
        for s, p, o, g in result.rows:
            if g is None or str(g) in dropped:
                continue
            found.append(
                ox.Quad(
                    to_oxigraph(s),  # type: ignore[arg-type]
                    to_oxigraph(p),  # type: ignore[arg-type]
                    to_oxigraph(o),  # type: ignore[arg-type]
                    ox.NamedNode(str(g)),
                )
            )
    return found


def _around(store: Store, focus: URIRef, depth: int, dropped: set[str]) -> list[ox.Quad]:
    """The subgraph around ``focus``: its resources' quads, the labels and types of what
    they point at, and the provenance of the graphs they come from."""
    if store.query("ASK { ?s ?p ?o }", {"s": focus}) is not True:
        raise ParameterError(f"{focus} is not in the graph")
    keep = {str(n) for n in neighbourhood(store, focus, depth)}
    kept = _quads_about(store, keep, dropped | {str(PROVENANCE_GRAPH)})
    used = {_graph_of(q) for q in kept}
    pointed = {q.object.value for q in kept if isinstance(q.object, ox.NamedNode)} - keep
    kept += _quads_about(store, pointed, dropped | {str(PROVENANCE_GRAPH)}, (*_LABELS, RDF.type))
    if str(PROVENANCE_GRAPH) not in dropped:
        kept += [
            q for q in _quads_about(store, used, dropped) if _graph_of(q) == str(PROVENANCE_GRAPH)
        ]
    return kept
