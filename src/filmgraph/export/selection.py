"""Which quads an export carries: everything, or less (no inferred, no provenance, a subgraph).

The whole graph is dumped once as N-Quads (every backend can, the remote one streaming it)
and filtered as it is read; a subgraph is asked of the store with a few SPARQL queries, so
a remote store sends only that. Exporters never depend on which engine holds the graph.
The result is a :class:`Selected`: an N-Quads file plus an in-memory
Oxigraph store over it that exporters query.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from filmgraph.errors import ParameterError
from filmgraph.provenance import ONTOLOGY_GRAPH, PROVENANCE_GRAPH
from filmgraph.queries import run_named
from filmgraph.reasoning import INFERRED_GRAPH
from filmgraph.store.base import SelectResult, Store
from filmgraph.store.oxigraph import OxigraphStore, to_oxigraph

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
    """The selected quads: an N-Quads file, and an in-memory store to query them."""

    def __init__(self, nquads: Path, workdir: tempfile.TemporaryDirectory[str]) -> None:
        self.nquads = nquads
        self._workdir = workdir
        self._store: OxigraphStore | None = None

    @property
    def store(self) -> OxigraphStore:
        """An in-memory store over the selected quads, loaded on first use."""
        if self._store is None:
            self._store = OxigraphStore()
            self._store.load_nquads(self.nquads)
        return self._store

    def quads(self) -> Iterator[ox.Quad]:
        """Every selected quad, as pyoxigraph quads."""
        with self.nquads.open("rb") as handle:
            yield from ox.parse(handle, format=ox.RdfFormat.N_QUADS)

    def triples(self) -> list[ox.Triple]:
        """The distinct triples of the union of all graphs, in a stable order."""
        return sorted({q.triple for q in self.quads()}, key=str)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
        self._workdir.cleanup()

    def __enter__(self) -> Selected:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
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
            result = run_named(store, "export-neighbours", {"node": f"<{node}>"})
            assert isinstance(result, SelectResult)
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
    """Write what ``selection`` asks for of ``store``; close the result when done.

    The whole graph is dumped by the store (a remote one streams it graph by graph) and
    filtered as it is read. A subgraph (``around``) is asked of the store directly: the
    walk, then the quads of the resources it reached and the labels and types of what
    they point at, so a remote store sends only those.
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
    chosen = Path(workdir.name) / "selected.nq"
    try:
        if selection.around is None:
            everything = Path(workdir.name) / "all.nq"
            store.dump(everything, "nquads")
            with everything.open("rb") as source:
                kept = (
                    q
                    for q in ox.parse(source, format=ox.RdfFormat.N_QUADS)
                    if _graph_of(q) not in dropped
                )
                ox.serialize(kept, str(chosen), ox.RdfFormat.N_QUADS)
            everything.unlink()
        else:
            dropped.add(str(ONTOLOGY_GRAPH))
            quads = _around(store, selection.around, selection.depth, dropped)
            ox.serialize(quads, str(chosen), ox.RdfFormat.N_QUADS)
    except BaseException:
        workdir.cleanup()
        raise
    return Selected(chosen, workdir)


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
    kept += _quads_about(store, pointed, dropped | {str(PROVENANCE_GRAPH)},
                         (*_LABELS, RDF.type))
    if str(PROVENANCE_GRAPH) not in dropped:
        kept += [
            q
            for q in _quads_about(store, used, dropped)
            if _graph_of(q) == str(PROVENANCE_GRAPH)
        ]
    return kept
