"""The dataset description: VoID and DCAT, so catalogues and crawlers can find and size it.

Says what the dataset is (title, licence, publisher), how big (triples, entities, one class
partition and one property partition per term used), what each source graph contributes,
how it links out to Wikidata (a ``void:Linkset``), and where to query it (the SPARQL
endpoint, as a DCAT data service).
"""

from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, VOID, XSD

from filmgraph.export.base import DEFAULT_ENDPOINT, Exporter, ExportResult
from filmgraph.export.selection import Selected
from filmgraph.namespaces import FG, ID, SCHEMA, WD, bind_prefixes
from filmgraph.queries import select_named

__all__ = ["DATASET", "DescriptionExporter", "describe_dataset"]

DATASET = ID["dataset/filmgraph"]
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
WIKIDATA_DATASET = URIRef("http://www.wikidata.org/")


def describe_dataset(selected: Selected, endpoint: str = DEFAULT_ENDPOINT) -> Graph:
    """A VoID + DCAT description of the selected quads."""
    g = bind_prefixes(Graph())
    g.bind("foaf", FOAF)
    d = DATASET
    g.add((d, RDF.type, VOID.Dataset))
    g.add((d, RDF.type, DCAT.Dataset))
    g.add(
        (d, DCTERMS.title, Literal("filmgraph: film influences and historical context", lang="en"))
    )
    g.add(
        (
            d,
            DCTERMS.description,
            Literal(
                "Films, the people who made them, movements, historical events and themes, with "
                "sourced claims of who drew on whom and in what respect.",
                lang="en",
            ),
        )
    )
    g.add((d, DCTERMS.license, LICENCE))
    g.add((d, DCTERMS.publisher, Literal("The filmgraph project")))
    g.add((d, FOAF.homepage, URIRef("https://w3id.org/filmgraph/")))
    g.add((d, VOID.uriSpace, Literal(str(ID))))
    for vocabulary in (
        str(FG._NS),
        str(SCHEMA),
        "http://www.w3.org/ns/prov#",
        "http://www.w3.org/2004/02/skos/core#",
    ):
        g.add((d, VOID.vocabulary, URIRef(vocabulary)))
    g.add((d, VOID.sparqlEndpoint, URIRef(endpoint)))
    service = URIRef(endpoint + "#service")
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, URIRef(endpoint)))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, DCAT.servesDataset, d))
    g.add((d, DCAT.accessService, service))

    triples = selected.triple_count()
    g.add((d, VOID.triples, Literal(triples, datatype=XSD.integer)))
    result = select_named(selected.store, "dataset-partitions")
    classes = properties = entities = 0
    links = 0
    for row in result.dicts():
        term, count = row["term"], int(row["count"])
        part = BNode()
        if str(row["kind"]) == "class":
            classes += 1
            g.add((d, VOID.classPartition, part))
            g.add((part, VOID["class"], term))
            g.add((part, VOID.entities, Literal(count, datatype=XSD.integer)))
            if str(term).startswith(str(FG._NS)):
                entities += count
        else:
            properties += 1
            g.add((d, VOID.propertyPartition, part))
            g.add((part, VOID.property, term))
            g.add((part, VOID.triples, Literal(count, datatype=XSD.integer)))
            if term == FG.wikidata:
                links = count
    g.add((d, VOID.classes, Literal(classes, datatype=XSD.integer)))
    g.add((d, VOID.properties, Literal(properties, datatype=XSD.integer)))
    g.add((d, VOID.entities, Literal(entities, datatype=XSD.integer)))

    linkset = ID["dataset/filmgraph-wikidata-links"]
    g.add((linkset, RDF.type, VOID.Linkset))
    g.add(
        (
            linkset,
            RDFS.label,
            Literal("links from filmgraph resources to Wikidata items", lang="en"),
        )
    )
    g.add((linkset, VOID.subjectsTarget, d))
    g.add((linkset, VOID.objectsTarget, WIKIDATA_DATASET))
    g.add((linkset, VOID.linkPredicate, FG.wikidata))
    g.add((linkset, VOID.triples, Literal(links, datatype=XSD.integer)))
    g.add((d, VOID.subset, linkset))
    g.add((WIKIDATA_DATASET, RDF.type, VOID.Dataset))
    g.add((WIKIDATA_DATASET, FOAF.homepage, URIRef("https://www.wikidata.org/")))
    g.add((WIKIDATA_DATASET, VOID.uriSpace, Literal(str(WD))))
    return g


class DescriptionExporter(Exporter):
    """The VoID + DCAT description, in Turtle."""

    name, extension, media_type = "void", "ttl", "text/turtle"
    description = "VoID + DCAT dataset description (Turtle): size, partitions, links, endpoint"

    def write(self, selected: Selected, out: Path) -> ExportResult:
        graph = describe_dataset(selected, self.endpoint)
        graph.serialize(destination=str(out), format="turtle")
        return ExportResult(self.name, out, len(graph), "triples")
