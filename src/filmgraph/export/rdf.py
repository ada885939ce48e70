"""The plain RDF serialisations, streamed from the store by pyoxigraph's own serialisers.

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
    "NQuadsExporter",
    "NTriplesExporter",
    "RdfXmlExporter",
    "TriGExporter",
    "TurtleExporter",
]


class _RdfExporter(Exporter):
    format: ox.RdfFormat
    #: whether the format writes prefixed names (with the project's prefixes)
    prefixed: bool = False
    #: ``triples`` (the merge of the graphs) or ``quads`` (every named graph)
    unit: str = "triples"

    def write(self, selected: Selected, out: Path) -> ExportResult:
        count = selected.write(out, self.format, dict(PREFIXES) if self.prefixed else None)
        return ExportResult(self.name, out, count, self.unit)


class _TripleExporter(_RdfExporter):
    unit = "triples"


class _QuadExporter(_RdfExporter):
    unit = "quads"


class TurtleExporter(_TripleExporter):
    name, extension, media_type = "turtle", "ttl", "text/turtle"
    description = "Turtle: the union of all graphs, prefixed names"
    format, prefixed = ox.RdfFormat.TURTLE, True


class NTriplesExporter(_TripleExporter):
    name, extension, media_type = "ntriples", "nt", "application/n-triples"
    description = "N-Triples: the union of all graphs, one triple a line"
    format = ox.RdfFormat.N_TRIPLES


class RdfXmlExporter(_TripleExporter):
    name, extension, media_type = "rdfxml", "rdf", "application/rdf+xml"
    description = "RDF/XML: the union of all graphs"
    format, prefixed = ox.RdfFormat.RDF_XML, True


class NQuadsExporter(_QuadExporter):
    name, extension, media_type = "nquads", "nq", "application/n-quads"
    description = "N-Quads: every quad, with its named graph (the source it came from)"
    format = ox.RdfFormat.N_QUADS


class TriGExporter(_QuadExporter):
    name, extension, media_type = "trig", "trig", "application/trig"
    description = "TriG: every named graph, provenance graph included"
    format, prefixed = ox.RdfFormat.TRIG, True
