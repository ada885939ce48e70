"""Which quads an export carries: everything, or less (no inferred, no provenance, a subgraph).

The store is dumped once as N-Quads (every backend can, the remote one included) and the
selection is made on that dump with pyoxigraph, so exporters never depend on which engine
holds the graph. The result is a :class:`Selected`: an N-Quads file plus an in-memory
Oxigraph store over it that exporters query.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
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
from filmgraph.store.oxigraph import OxigraphStore

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
    """Dump ``store`` and keep what ``selection`` asks for; close the result when done."""
    selection = selection or Selection()
    if selection.depth < 0:
        raise ParameterError("--depth must be 0 or more")
    workdir = tempfile.TemporaryDirectory(prefix="filmgraph-export-")
    everything = Path(workdir.name) / "all.nq"
    store.dump(everything, "nquads")
    dropped = set()
    if not selection.inferred:
        dropped.add(str(INFERRED_GRAPH))
    if not selection.provenance:
        dropped.add(str(PROVENANCE_GRAPH))
    keep_subjects: set[str] | None = None
    label_subjects: set[str] = set()
    if selection.around is not None:
        full = OxigraphStore()
        full.load_nquads(everything)
        known = full.query("ASK { ?s ?p ?o }", {"s": selection.around})
        if known is not True:
            full.close()
            workdir.cleanup()
            raise ParameterError(f"{selection.around} is not in the graph")
        nodes = neighbourhood(full, selection.around, selection.depth)
        full.close()
        keep_subjects = {str(n) for n in nodes}
        dropped.add(str(ONTOLOGY_GRAPH))
    chosen = Path(workdir.name) / "selected.nq"
    with everything.open("rb") as source:
        quads = list(ox.parse(source, format=ox.RdfFormat.N_QUADS))
    kept: list[ox.Quad] = []
    used_graphs: set[str] = set()
    for quad in quads:
        graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        if graph in dropped:
            continue
        if keep_subjects is not None:
            if graph == str(PROVENANCE_GRAPH):
                continue
            if quad.subject.value not in keep_subjects:
                continue
            used_graphs.add(graph)
            if isinstance(quad.object, ox.NamedNode):
                label_subjects.add(quad.object.value)
        kept.append(quad)
    if keep_subjects is not None:
        kept += _boundary(quads, label_subjects - keep_subjects, used_graphs, dropped)
    ox.serialize(kept, str(chosen), ox.RdfFormat.N_QUADS)
    return Selected(chosen, workdir)


def _boundary(
    quads: list[ox.Quad], outside: set[str], graphs: set[str], dropped: set[str]
) -> list[ox.Quad]:
    """Labels and types of the resources a subgraph points at, and provenance of its graphs."""
    wanted = {str(p) for p in _LABELS} | {str(RDF.type)}
    extra = []
    for quad in quads:
        graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        if graph in dropped:
            continue
        subject = str(quad.subject)[1:-1] if isinstance(quad.subject, ox.Triple) else \
            quad.subject.value
        if graph == str(PROVENANCE_GRAPH):
            if subject in graphs:
                extra.append(quad)
        elif subject in outside and quad.predicate.value in wanted:
            extra.append(quad)
    return extra
