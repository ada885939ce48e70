"""schema.org's own vocabulary, read offline, and a check of a graph against it.

The vocabulary is schema.org's ``schemaorg-current-https.jsonld`` (release 30.0, CC BY-SA
3.0), kept in ``ontology/vocabularies/schemaorg/`` with its licence and a note of where it
came from. It says which types and properties exist, which types a property is defined for
(``schema:domainIncludes``) and which values it takes (``schema:rangeIncludes``), each
including the sub-types of the types named. The schema.org exporter writes a property only on
a resource of a type it is defined for; :func:`check` says what in a graph breaks the
vocabulary, for the tests and for anyone who edits the alignments.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from filmgraph.namespaces import SCHEMA
from filmgraph.resources import ontology_path

__all__ = ["Problem", "SchemaVocabulary", "check", "schema_vocabulary", "vocabulary_path"]

#: schema.org's data types and the XSD datatypes of literals that fit each.
_DATATYPES: dict[str, frozenset[URIRef | None]] = {
    "Text": frozenset({None, XSD.string}),
    "URL": frozenset({None, XSD.string, XSD.anyURI}),
    "Date": frozenset({XSD.date, XSD.gYear, XSD.gYearMonth}),
    "DateTime": frozenset({XSD.dateTime}),
    "Time": frozenset({XSD.time}),
    "Number": frozenset({XSD.integer, XSD.decimal, XSD.double, XSD.float}),
    "Integer": frozenset({XSD.integer}),
    "Float": frozenset({XSD.double, XSD.float, XSD.decimal}),
    "Boolean": frozenset({XSD.boolean}),
}


def vocabulary_path() -> Path:
    """The schema.org vocabulary file shipped with the project."""
    return ontology_path().parent / "vocabularies" / "schemaorg" / "schemaorg-current-https.jsonld"


def _ids(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value] if value is not None else []
    return [item["@id"] for item in items if isinstance(item, dict) and "@id" in item]


@dataclass(frozen=True)
class SchemaVocabulary:
    """Types with their super-types, properties with their domains and ranges."""

    #: type IRI -> the type and all its super-types
    ancestors: dict[URIRef, frozenset[URIRef]]
    domains: dict[URIRef, frozenset[URIRef]]
    ranges: dict[URIRef, frozenset[URIRef]]

    def is_type(self, term: URIRef) -> bool:
        """True for a schema.org type (a class or a data type)."""
        return term in self.ancestors

    def is_property(self, term: URIRef) -> bool:
        """True for a schema.org property."""
        return term in self.domains

    def fits(self, types: Iterable[URIRef], allowed: frozenset[URIRef]) -> bool:
        """True when one of ``types`` is one of ``allowed`` or a sub-type of one."""
        return any(self.ancestors.get(t, frozenset({t})) & allowed for t in types)

    def fits_domain(self, prop: URIRef, types: Iterable[URIRef]) -> bool:
        """True when ``prop`` is defined for a resource of one of ``types``."""
        return self.fits(types, self.domains.get(prop, frozenset()))

    def fits_literal(self, prop: URIRef, value: Literal) -> bool:
        """True when a literal of this datatype (or language) is a value ``prop`` takes."""
        for allowed in self.ranges.get(prop, frozenset()):
            kinds = self.ancestors.get(allowed, frozenset({allowed}))
            for name, datatypes in _DATATYPES.items():
                fits = value.datatype in datatypes or bool(value.language and name == "Text")
                if SCHEMA[name] in kinds and fits:
                    return True
        return False


@cache
def schema_vocabulary(path: Path | None = None) -> SchemaVocabulary:
    """The vocabulary in ``path`` (default: the shipped file), read once."""
    document = json.loads((path or vocabulary_path()).read_text(encoding="utf-8"))
    prefix = document["@context"]["schema"]

    def iri(compact: str) -> URIRef:
        return (
            URIRef(prefix + compact[len("schema:") :])
            if compact.startswith("schema:")
            else URIRef(compact)
        )

    parents: dict[URIRef, set[URIRef]] = {}
    domains: dict[URIRef, frozenset[URIRef]] = {}
    ranges: dict[URIRef, frozenset[URIRef]] = {}
    for node in document["@graph"]:
        kinds = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
        term = iri(node["@id"])
        if "rdfs:Class" in kinds or "schema:DataType" in kinds:
            parents[term] = {iri(p) for p in _ids(node.get("rdfs:subClassOf"))}
        if "rdf:Property" in kinds:
            domains[term] = frozenset(iri(d) for d in _ids(node.get("schema:domainIncludes")))
            ranges[term] = frozenset(iri(r) for r in _ids(node.get("schema:rangeIncludes")))
    ancestors: dict[URIRef, frozenset[URIRef]] = {}

    def up(term: URIRef) -> frozenset[URIRef]:
        if term not in ancestors:
            ancestors[term] = frozenset({term})  # guards a cycle while it is computed
            found = {term}
            for parent in parents.get(term, ()):
                found |= up(parent)
            ancestors[term] = frozenset(found)
        return ancestors[term]

    for term in parents:
        up(term)
    return SchemaVocabulary(ancestors, domains, ranges)


@dataclass(frozen=True)
class Problem:
    """One way a graph breaks the schema.org vocabulary."""

    subject: str
    term: str
    reason: str

    def __str__(self) -> str:
        return f"{self.subject} {self.term}: {self.reason}"


def check(graph: Graph, vocabulary: SchemaVocabulary | None = None) -> list[Problem]:
    """Everything in ``graph`` that the schema.org vocabulary does not allow, sorted.

    Types and properties must exist; a property's subject must have a type of its domain;
    a resource value must have a type of its range (or the range takes a URL), a literal a
    datatype of it.
    """
    vocab = vocabulary or schema_vocabulary()
    types: dict[object, set[URIRef]] = {}
    problems: list[Problem] = []
    for s, t in graph.subject_objects(RDF.type):
        if isinstance(t, URIRef):
            types.setdefault(s, set()).add(t)
            if not vocab.is_type(t):
                problems.append(Problem(str(s), str(t), "is not a schema.org type"))
    for s, p, o in graph:
        if p == RDF.type or not isinstance(p, URIRef):
            continue
        if not vocab.is_property(p):
            problems.append(Problem(str(s), str(p), "is not a schema.org property"))
            continue
        if not vocab.fits_domain(p, types.get(s, ())):
            problems.append(
                Problem(
                    str(s),
                    str(p),
                    f"its types {sorted(map(str, types.get(s, ())))} are not in the domain",
                )
            )
        allowed = vocab.ranges.get(p, frozenset())
        if isinstance(o, Literal):
            if not vocab.fits_literal(p, o):
                problems.append(
                    Problem(str(s), str(p), f"the literal {o.n3()} is not in the range")
                )
        elif not (vocab.fits(types.get(o, ()), allowed) or SCHEMA.URL in allowed):
            problems.append(Problem(str(s), str(p), f"the value {o} has no type in the range"))
    return sorted(problems, key=lambda p: (p.subject, p.term, p.reason))
