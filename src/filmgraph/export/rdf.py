"""The plain RDF serialisations, written by pyoxigraph (10 to 50 times faster than rdflib's own).

Triple formats (Turtle, N-Triples, RDF/XML) carry the union of the named graphs, each
distinct triple once; quad formats (N-Quads, TriG) keep every named graph, provenance included.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from filmgraph.export.base import Exporter, ExportResult
from filmgraph.export.selection import Selected
from filmgraph.namespaces import PREFIXES

__all__ = [
    "NQuadsExporter", "NTriplesExporter", "RdfXmlExporter", "TriGExporter", "TurtleExporter",
]


class _TripleExporter(Exporter):
    format: ox.RdfFormat

    def write(self, selected: Selected, out: Path) -> ExportResult:
        triples = selected.triples()
        prefixes = PREFIXES if self.format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
        ox.serialize(triples, str(out), self.format, prefixes=prefixes)
        return ExportResult(self.name, out, len(triples), "triples")


class _QuadExporter(Exporter):
    format: ox.RdfFormat

    def write(self, selected: Selected, out: Path) -> ExportResult:
        quads = list(selected.quads())
        prefixes = PREFIXES if self.format is ox.RdfFormat.TRIG else None
        ox.serialize(quads, str(out), self.format, prefixes=prefixes)
        return ExportResult(self.name, out, len(quads), "quads")


class TurtleExporter(_TripleExporter):
    name, extension, media_type = "turtle", "ttl", "text/turtle"
    description = "Turtle: the union of all graphs, prefixed names"
    format = ox.RdfFormat.TURTLE


class NTriplesExporter(_TripleExporter):
    name, extension, media_type = "ntriples", "nt", "application/n-triples"
    description = "N-Triples: the union of all graphs, one triple a line"
    format = ox.RdfFormat.N_TRIPLES


class RdfXmlExporter(_TripleExporter):
    name, extension, media_type = "rdfxml", "rdf", "application/rdf+xml"
    description = "RDF/XML: the union of all graphs"
    format = ox.RdfFormat.RDF_XML


class NQuadsExporter(_QuadExporter):
    name, extension, media_type = "nquads", "nq", "application/n-quads"
    description = "N-Quads: every quad, with its named graph (the source it came from)"
    format = ox.RdfFormat.N_QUADS


class TriGExporter(_QuadExporter):
    name, extension, media_type = "trig", "trig", "application/trig"
    description = "TriG: every named graph, provenance graph included"
    format = ox.RdfFormat.TRIG
