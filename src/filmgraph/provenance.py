"""Where every triple came from: one named graph per source document, described in PROV-O.

The description of each source graph (its file, checksum, loader, size and the build that
made it) lives in the ``graph:provenance`` named graph, so it can be queried like anything
else and left out of an export with one graph filter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from filmgraph.iri import mint, slug
from filmgraph.loaders import SourceGraph
from filmgraph.namespaces import FG, ID

__all__ = ["ONTOLOGY_GRAPH", "PROVENANCE_GRAPH", "describe_source", "file_checksum", "graph_iri"]

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
    graph: Graph, source: SourceGraph, activity: URIRef, when: dt.datetime, display_path: str
) -> None:
    """Add the PROV-O description of ``source`` to ``graph`` (the provenance graph)."""
    g = source.iri
    graph.add((g, RDF.type, PROV.Entity))
    graph.add((g, RDF.type, FG.SourceDocument))
    graph.add((g, RDFS.label, Literal(display_path)))
    graph.add((g, FG.sourceKind, Literal("dataset")))
    graph.add((g, FG.sourceFile, Literal(display_path)))
    graph.add((g, FG.checksum, Literal(file_checksum(source.path))))
    graph.add((g, FG.loader, Literal(source.loader)))
    graph.add((g, FG.records, Literal(source.records, datatype=XSD.integer)))
    graph.add((g, FG.triples, Literal(len(source.graph), datatype=XSD.integer)))
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
