"""schema.org JSON-LD (Movie, Person, Event …), translated through the ontology's alignments.

No mapping is written here: a resource becomes a ``schema:Movie`` because ``fg:Film`` says
``skos:closeMatch schema:Movie``, and ``fg:director`` becomes ``schema:director`` the same
way (:mod:`filmgraph.alignment`). A statement is read through the restriction its subject
calls for (a film's ``fg:hasCountry`` is its ``countryOfOrigin``, a person's their
``nationality``), and where two of our properties match one schema.org property the preferred
one wins (a release date over a year for ``datePublished``).

What is written is checked against schema.org's own vocabulary
(:mod:`filmgraph.export.schemavocab`): a property is written only on a resource of a type it
is defined for, with a value it takes; an EDTF date becomes an ISO 8601 date where it is one
(``1936-08``), and is left out where it is approximate. Everything left out is counted in the
result's notes. Resources without a schema.org type (claim nodes, credits) are left out.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Identifier

from filmgraph.alignment import Alignments, alignments
from filmgraph.export.base import Exporter, ExportResult
from filmgraph.export.schemavocab import SchemaVocabulary, schema_vocabulary
from filmgraph.export.selection import Selected
from filmgraph.namespaces import FG, SCHEMA
from filmgraph.store.oxigraph import from_oxigraph
from filmgraph.temporal import EdtfValue, parse_date

__all__ = ["SCHEMA_CONTEXT", "SchemaOrgExporter", "SchemaOrgGraph", "to_schemaorg"]

#: Embedded, so that no processor needs to fetch https://schema.org/ to read the export.
SCHEMA_CONTEXT = {"@vocab": str(SCHEMA), "schema": str(SCHEMA)}


class SchemaOrgGraph(Graph):
    """The schema.org graph, with a count of what was left out and why."""

    def __init__(self) -> None:
        super().__init__()
        self.left_out: Counter[str] = Counter()


def _schema_literal(value: Identifier) -> Identifier | None:
    """``value`` as schema.org takes it: an EDTF date as an ISO 8601 date, if it is one."""
    if not isinstance(value, Literal) or value.datatype != FG.EDTF:
        return value
    return _schema_date(str(value))


@lru_cache(maxsize=65536)
def _schema_date(text: str) -> Literal | None:
    """The ISO 8601 date (an XSD date, year-month or year) of an EDTF text, or None when it
    is approximate, uncertain or not a date.

    Read once per distinct text. An interval of two plain dates (``1936/1938-05``) is read
    as its two ends, which is what the EDTF grammar makes of it (from the first day of the
    start to the last of the end, uncertain if either is); any other form goes through the
    full grammar (:func:`filmgraph.temporal.parse_date`), which costs tens of milliseconds
    (and raises for a year before 1, which is told apart at once).
    """
    text = text.strip()
    if text.startswith("-"):
        return None  # before year 1: no Python date holds it, so the grammar refuses it too
    start, slash, end = text.partition("/")
    try:
        if slash and start and end and ".." not in (start, end):
            first, last = parse_date(start), parse_date(end)
            parsed = EdtfValue(text, first.earliest, last.latest, first.uncertain or last.uncertain)
        else:
            parsed = parse_date(text)
    except ValueError:
        return None
    return None if parsed.uncertain else parsed.xsd


def to_schemaorg(
    triples: Iterable[ox.Triple], align: Alignments, vocabulary: SchemaVocabulary | None = None
) -> SchemaOrgGraph:
    """The schema.org graph of ``triples``: typed resources and their aligned properties.

    A resource is kept when one of its types has a schema.org counterpart; each of its
    statements whose property has one is translated, where the vocabulary allows it.
    """
    vocab = vocabulary or schema_vocabulary()
    rdf_type = str(RDF.type)
    ours: dict[URIRef, set[URIRef]] = defaultdict(set)
    statements: list[tuple[URIRef, URIRef, Identifier]] = []
    for t in triples:
        if not isinstance(t.subject, ox.NamedNode):
            continue
        subject = URIRef(t.subject.value)
        if t.predicate.value == rdf_type and isinstance(t.object, ox.NamedNode):
            ours[subject].add(URIRef(t.object.value))
        elif t.predicate.value != rdf_type:
            statements.append((subject, URIRef(t.predicate.value), from_oxigraph(t.object)))
    kinds = {
        s: {k for t in types for k in align.exports(t, str(SCHEMA))} for s, types in ours.items()
    }
    kinds = {s: k for s, k in kinds.items() if k}
    graph = SchemaOrgGraph()
    graph.bind("schema", SCHEMA)
    for subject, schema_types in kinds.items():
        for kind in schema_types:
            graph.add((subject, RDF.type, kind))
    read = [(s, align.restrict(p, ours[s]), o) for s, p, o in statements if s in kinds]
    stated = {(s, p) for s, p, _ in read}
    for subject, prop, value in read:
        for target in align.exports(prop, str(SCHEMA)):
            preferred = align.preferred_export(target)
            if preferred not in (None, prop) and (subject, preferred) in stated:
                continue
            converted = _schema_literal(value)
            reason = (
                "an approximate or uncertain date"
                if converted is None
                else _left_out(vocab, target, kinds[subject], converted, kinds)
            )
            if reason is not None or converted is None:
                graph.left_out[f"{target} ({reason})"] += 1
                continue
            graph.add((subject, target, converted))
    return graph


def _left_out(
    vocab: SchemaVocabulary,
    target: URIRef,
    types: set[URIRef],
    value: Identifier,
    kinds: dict[URIRef, set[URIRef]],
) -> str | None:
    """Why schema.org does not allow this statement, or None when it does."""
    if not vocab.is_property(target):
        return "not a schema.org property"
    if not vocab.fits_domain(target, types):
        return "not defined for " + ", ".join(sorted(str(t)[len(str(SCHEMA)) :] for t in types))
    if isinstance(value, Literal):
        return None if vocab.fits_literal(target, value) else f"a {value.datatype} value"
    value_types = kinds.get(value, set()) if isinstance(value, URIRef) else set()
    allowed = vocab.ranges.get(target, frozenset())
    if not vocab.fits(value_types, allowed) and SCHEMA.URL not in allowed:
        return "a value without a type it takes"
    return None


class SchemaOrgExporter(Exporter):
    """schema.org JSON-LD, driven by the ontology's ``skos:*Match`` alignments."""

    name, extension, media_type = "schemaorg", "jsonld", "application/ld+json"
    description = "schema.org JSON-LD (Movie, Person, Event …) through the ontology's alignments"

    def write(self, selected: Selected, out: Path) -> ExportResult:
        graph = to_schemaorg(selected.triples(), alignments())
        document = json.loads(graph.serialize(format="json-ld", context=SCHEMA_CONTEXT))
        out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        notes = tuple(
            f"left out {count} statement(s) with {what}"
            for what, count in sorted(graph.left_out.items())
        )
        return ExportResult(self.name, out, len(graph), "triples", notes)
