"""The ontology's own alignments, read once, for loaders that map other vocabularies onto ours.

Every ``fg:`` term states its counterparts with ``skos:exactMatch`` / ``skos:closeMatch``
(schema.org, Wikidata's ``wdt:P…`` and ``wd:Q…``, DBpedia …). Loaders of other archives'
data follow those statements instead of keeping a second, hand-written table; broad,
narrow and related matches are deliberately not followed (they are not the same thing).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from filmgraph.namespaces import FG
from filmgraph.resources import ontology_path

__all__ = ["Alignment", "alignment", "ontology"]


@cache
def ontology() -> Graph:
    """The ontology graph (``ontology/filmgraph.ttl``), parsed once per process."""
    return Graph().parse(ontology_path(), format="turtle")


@dataclass(frozen=True)
class Alignment:
    """External terms and the ``fg:`` classes, properties and individuals they stand for."""

    classes: dict[URIRef, tuple[URIRef, ...]]
    properties: dict[URIRef, tuple[URIRef, ...]]
    individuals: dict[URIRef, tuple[URIRef, ...]]
    #: ``fg:`` property -> its rdfs:range, when the ontology states one
    ranges: dict[URIRef, URIRef]
    object_properties: frozenset[URIRef]
    #: credit role individual -> the direct film-to-person edge it implies
    direct: dict[URIRef, URIRef]


@cache
def alignment() -> Alignment:
    """The alignments of the ontology, by external term."""
    g = ontology()
    classes: dict[URIRef, list[URIRef]] = {}
    properties: dict[URIRef, list[URIRef]] = {}
    individuals: dict[URIRef, list[URIRef]] = {}
    ns = str(FG._NS)
    terms = {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(ns)}
    for term in sorted(terms):
        types = set(g.objects(term, RDF.type))
        if OWL.Class in types:
            target = classes
        elif types & {OWL.ObjectProperty, OWL.DatatypeProperty}:
            target = properties
        elif OWL.NamedIndividual in types:
            target = individuals
        else:
            continue
        for match in (SKOS.exactMatch, SKOS.closeMatch):
            for external in g.objects(term, match):
                if isinstance(external, URIRef):
                    target.setdefault(external, []).append(term)
    ranges = {p: r for p, r in g.subject_objects(RDFS.range)
              if isinstance(p, URIRef) and isinstance(r, URIRef) and str(p).startswith(ns)}
    direct = {r: p for r, p in g.subject_objects(FG.directProperty)
              if isinstance(r, URIRef) and isinstance(p, URIRef)}
    return Alignment(
        {k: tuple(v) for k, v in classes.items()},
        {k: tuple(v) for k, v in properties.items()},
        {k: tuple(v) for k, v in individuals.items()},
        ranges,
        frozenset(p for p in g.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef)),
        direct,
    )
