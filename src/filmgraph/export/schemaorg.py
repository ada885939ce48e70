"""schema.org JSON-LD (Movie, Person, Event …), translated through the ontology's alignments.

No mapping is written here: a resource becomes a ``schema:Movie`` because ``fg:Film``
says ``skos:closeMatch schema:Movie``, and ``fg:director`` becomes ``schema:director`` the
same way (see :mod:`filmgraph.export.alignment`). Resources and properties without a
schema.org counterpart (claim nodes, credits) are left out.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from filmgraph.export.alignment import Alignments, load_alignments
from filmgraph.export.base import Exporter, ExportResult
from filmgraph.export.selection import Selected
from filmgraph.namespaces import SCHEMA
from filmgraph.store.oxigraph import from_oxigraph

__all__ = ["SCHEMA_CONTEXT", "SchemaOrgExporter", "to_schemaorg"]

#: Embedded, so that no processor needs to fetch https://schema.org/ to read the export.
SCHEMA_CONTEXT = {"@vocab": str(SCHEMA), "schema": str(SCHEMA)}


def to_schemaorg(triples: list[ox.Triple], alignments: Alignments) -> Graph:
    """The schema.org graph of ``triples``: typed resources and their aligned properties.

    A resource is kept when one of its types has a schema.org counterpart; each of its
    properties that has one is translated, the value unchanged.
    """
    rdf_type = str(RDF.type)
    types: dict[ox.NamedNode, set[URIRef]] = {}
    for t in triples:
        if (t.predicate.value == rdf_type and isinstance(t.subject, ox.NamedNode)
                and isinstance(t.object, ox.NamedNode)):
            for target in alignments.schema(URIRef(t.object.value)):
                types.setdefault(t.subject, set()).add(target)
    graph = Graph()
    graph.bind("schema", SCHEMA)
    for subject, kinds in types.items():
        for kind in kinds:
            graph.add((URIRef(subject.value), RDF.type, kind))
    for t in triples:
        if not isinstance(t.subject, ox.NamedNode) or t.subject not in types:
            continue
        if t.predicate.value == rdf_type:
            continue
        for target in alignments.schema(URIRef(t.predicate.value)):
            graph.add((URIRef(t.subject.value), target, from_oxigraph(t.object)))
    return graph


class SchemaOrgExporter(Exporter):
    """schema.org JSON-LD, driven by the ontology's ``skos:*Match`` alignments."""

    name, extension, media_type = "schemaorg", "jsonld", "application/ld+json"
    description = "schema.org JSON-LD (Movie, Person, Event …) through the ontology's alignments"

    def write(self, selected: Selected, out: Path) -> ExportResult:
        graph = to_schemaorg(selected.triples(), load_alignments())
        document = json.loads(graph.serialize(format="json-ld", context=SCHEMA_CONTEXT))
        out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n",
                       encoding="utf-8")
        return ExportResult(self.name, out, len(graph), "triples")
