"""Where every triple came from: one named graph per source document, described in PROV-O.

The description of each source graph (its file, checksum, loader, size and the build that
made it) lives in the ``graph:provenance`` named graph, so it can be queried like anything
else and left out of an export with one graph filter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from filmgraph.iri import mint, slug
from filmgraph.loaders import SourceGraph
from filmgraph.namespaces import FG, ID

__all__ = [
    "ONTOLOGY_GRAPH",
    "PROVENANCE_GRAPH",
    "apply_source",
    "describe_source",
    "file_checksum",
    "graph_iri",
    "recorded_checksum",
]

ONTOLOGY_GRAPH = ID["graph/ontology"]
PROVENANCE_GRAPH = ID["graph/provenance"]
SOFTWARE = ID["agent/filmgraph"]


def graph_iri(path: Path, root: Path) -> URIRef:
    """The named graph of a source file: minted from its path relative to ``root``.

    >>> str(graph_iri(Path("sources/curated/films.csv"), Path("sources")))
    'https://w3id.org/filmgraph/id/graph/curated-films-csv'
    """
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        relative = Path(path.name)
    return mint("graph", slug(relative.as_posix()))


def file_checksum(path: Path) -> str:
    """SHA-256 of a file, hex: the identity of a source's content."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe_source(
    graph: Graph,
    source: SourceGraph,
    activity: URIRef,
    when: dt.datetime,
    display_path: str,
    checksum: str | None = None,
    *,
    triples: int | None = None,
) -> None:
    """Add the PROV-O description of ``source`` to ``graph`` (the provenance graph).

    ``checksum`` (of the file) and ``triples`` (how many the document gave) are computed
    from ``source`` when not given.
    """
    g = source.iri
    graph.add((g, RDF.type, PROV.Entity))
    graph.add((g, RDF.type, FG.SourceDocument))
    graph.add((g, RDFS.label, Literal(display_path)))
    graph.add((g, FG.sourceKind, Literal("dataset")))
    graph.add((g, FG.sourceFile, Literal(display_path)))
    graph.add((g, FG.checksum, Literal(checksum or file_checksum(source.path))))
    graph.add((g, FG.loader, Literal(source.loader)))
    graph.add((g, FG.records, Literal(source.records, datatype=XSD.integer)))
    graph.add(
        (
            g,
            FG.triples,
            Literal(len(source.graph) if triples is None else triples, datatype=XSD.integer),
        )
    )
    graph.add((g, PROV.wasGeneratedBy, activity))
    graph.add((g, PROV.generatedAtTime, Literal(when.isoformat(), datatype=XSD.dateTime)))
    graph.add((g, PROV.wasAttributedTo, SOFTWARE))


def describe_build(graph: Graph, activity: URIRef, started: dt.datetime, version: str) -> None:
    """Add the build itself, as a PROV activity run by the filmgraph software agent."""
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add((activity, RDFS.label, Literal(f"filmgraph build {started.isoformat()}")))
    graph.add((activity, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)))
    graph.add((activity, PROV.wasAssociatedWith, SOFTWARE))
    graph.add((SOFTWARE, RDF.type, PROV.SoftwareAgent))
    graph.add((SOFTWARE, RDFS.label, Literal(f"filmgraph {version}")))


def recorded_checksum(dataset: Dataset, source_iri: URIRef) -> str | None:
    """The checksum the provenance graph of ``dataset`` records for a source graph."""
    value = dataset.graph(PROVENANCE_GRAPH).value(source_iri, FG.checksum)
    return str(value) if value is not None else None


def apply_source(
    dataset: Dataset, source: SourceGraph, activity: URIRef, when: dt.datetime, display_path: str
) -> str:
    """Put ``source`` into ``dataset`` as its named graph, replacing an older version.

    Returns ``"unchanged"`` when the dataset already holds this file with the same checksum
    (then nothing at all changes, not even the load time), ``"replaced"`` when it held an
    older version (its named graph and its provenance are dropped first, so nothing is
    duplicated), and ``"added"`` otherwise. Graph IRIs are minted from the file's path, so
    the same file always lands in the same graph.
    """
    checksum = file_checksum(source.path)
    previous = recorded_checksum(dataset, source.iri)
    if previous == checksum:
        return "unchanged"
    named = dataset.graph(source.iri)
    provenance = dataset.graph(PROVENANCE_GRAPH)
    if previous is not None:
        named.remove((None, None, None))
        provenance.remove((source.iri, None, None))
    named += source.graph
    describe_source(provenance, source, activity, when, display_path)
    return "added" if previous is None else "replaced"
