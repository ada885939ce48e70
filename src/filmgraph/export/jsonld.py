"""JSON-LD with the filmgraph context: short keys (``director``, ``year``) for our terms.

The context is generated from the ontology: an object property's values are IRIs
(``"@type": "@id"``), a datatype property with one ``rdfs:range`` carries that datatype. It is
published beside the documentation (``docs/ontology/context.jsonld``) and served at
``/context.jsonld``; exports embed it, so any JSON-LD processor reads them offline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from filmgraph.export.base import Exporter, ExportResult
from filmgraph.export.selection import Selected
from filmgraph.namespaces import FG, PREFIXES
from filmgraph.resources import ontology_path

__all__ = ["CONTEXT_URL", "JsonLdExporter", "filmgraph_context", "write_context"]

#: Where the context is published.
CONTEXT_URL = "https://w3id.org/filmgraph/context.jsonld"


def _compact(iri: str) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def filmgraph_context(ontology: Graph | None = None) -> dict[str, Any]:
    """The JSON-LD context of the filmgraph ontology (prefixes, classes, properties)."""
    graph = ontology
    if graph is None:
        graph = Graph()
        graph.parse(ontology_path(), format="turtle")
    namespace = str(FG._NS)
    context: dict[str, Any] = dict(PREFIXES)
    context["label"] = {"@id": "rdfs:label"}
    for term in sorted({s for s in graph.subjects() if isinstance(s, URIRef)}):
        text = str(term)
        if not text.startswith(namespace):
            continue
        local = text[len(namespace) :]
        kinds = set(graph.objects(term, RDF.type))
        if OWL.ObjectProperty in kinds:
            context[local] = {"@id": f"fg:{local}", "@type": "@id"}
        elif OWL.DatatypeProperty in kinds:
            ranges = [r for r in graph.objects(term, RDFS.range) if isinstance(r, URIRef)]
            entry: dict[str, str] = {"@id": f"fg:{local}"}
            if len(ranges) == 1 and ranges[0] != RDF.langString:
                entry["@type"] = _compact(str(ranges[0]))
            context[local] = entry
        elif OWL.Class in kinds or OWL.NamedIndividual in kinds:
            context[local] = f"fg:{local}"
    return context


def write_context(path: Path) -> Path:
    """Write the published context document to ``path``."""
    path.write_text(
        json.dumps({"@context": filmgraph_context()}, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return path


class JsonLdExporter(Exporter):
    """Every named graph as JSON-LD in expanded form, streamed by pyoxigraph's writer.

    Expanded JSON-LD (absolute IRIs, no context to fetch) is what pyoxigraph writes; it keeps
    every literal exactly as stored. Compacting it with the filmgraph context through pyLD
    cost about 100 times as much as writing it (``bench/results/exports.md``), so
    the export is left expanded; the context is published for anyone who wants short keys
    (``jsonld.compact(document, CONTEXT_URL)``).
    """

    name, extension, media_type = "jsonld", "jsonld", "application/ld+json"
    description = "JSON-LD (expanded form): every named graph"

    def write(self, selected: Selected, out: Path) -> ExportResult:
        count = selected.write(out, ox.RdfFormat.JSON_LD)
        return ExportResult(self.name, out, count, "quads")
