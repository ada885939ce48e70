"""The ontology's alignments, read once, by every loader and every exporter alike.

Every ``fg:`` term states its counterparts in other vocabularies with SKOS mapping
properties (``ontology/filmgraph.ttl``; the general terms we use for names, such as
``rdfs:label``, in ``ontology/alignments-general.ttl``). One set of rules turns them into
an import mapping (other vocabularies onto ours: the RDF and Wikidata loaders) and an
export mapping (ours onto schema.org and Wikidata: the exporters):

* ``skos:exactMatch`` and ``skos:closeMatch`` hold both ways;
* ``skos:broadMatch`` (the external term is more general) holds when writing out only: our
  statement is true of the broader term, a statement of the broader term need not be ours;
* ``skos:narrowMatch`` (the external term is more specific) holds when reading in only;
* ``skos:relatedMatch`` is never followed.

When writing out, a term with no match of its own in a vocabulary takes the nearest match of
the terms it is a sub-class or sub-property of (``fg:remakeOf`` is written as
``fg:basedOn`` is). Where several of our terms match one external term in one direction,
exactly one of them says ``fg:preferredFor`` it: read in, the external term becomes the
preferred term first; written out, the other terms fill in only for a resource without a
value of the preferred one (a release date wins over a year for Wikidata's P577).
``fg:restrictionOf`` names a property restricted to a domain (a film's ``fg:hasCountry`` is its
``fg:countryOfOrigin``): :meth:`Alignments.restrict` reads a statement through it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from filmgraph.namespaces import FG, WD, WDT
from filmgraph.resources import ontology_path

__all__ = [
    "MATCH_RANK",
    "Alignments",
    "Direction",
    "Kind",
    "Match",
    "WikidataProperty",
    "alignments",
    "general_alignments_path",
    "load_alignments",
    "wikidata_properties_path",
]

WIKIBASE = "http://wikiba.se/ontology#"
#: The mapping properties followed, best first.
MATCH_RANK = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch)


class Direction(Enum):
    """Which way a mapping is followed."""

    IMPORT = "import"
    EXPORT = "export"


_DIRECTIONS = {
    SKOS.exactMatch: frozenset(Direction),
    SKOS.closeMatch: frozenset(Direction),
    SKOS.broadMatch: frozenset({Direction.EXPORT}),
    SKOS.narrowMatch: frozenset({Direction.IMPORT}),
}


class Kind(Enum):
    """What a term is; mappings are looked up within one kind."""

    CLASS = "class"
    PROPERTY = "property"
    INDIVIDUAL = "individual"
    DATATYPE = "datatype"


@dataclass(frozen=True)
class Match:
    """One stated mapping: our ``term`` to ``external``, by a SKOS mapping property."""

    term: URIRef
    external: URIRef
    relation: URIRef

    @property
    def directions(self) -> frozenset[Direction]:
        """The directions this mapping is followed in."""
        return _DIRECTIONS[self.relation]

    @property
    def rank(self) -> int:
        """0 for exact, 1 close, 2 broad, 3 narrow."""
        return MATCH_RANK.index(self.relation)


@dataclass(frozen=True)
class WikidataProperty:
    """A Wikidata property we align to: its id and the datatype of its values."""

    pid: str
    #: Wikibase's name of the datatype: ``WikibaseItem``, ``Time``, ``Quantity``,
    #: ``Monolingualtext``, ``String``, ``ExternalId``, ``CommonsMedia``
    datatype: str
    label: str


@dataclass(frozen=True)
class Alignments:
    """The import and export mappings of the ontology, and the facts they need."""

    matches: tuple[Match, ...]
    kinds: Mapping[URIRef, Kind]
    #: (our term, external term) pairs stated with ``fg:preferredFor``
    preferred: frozenset[tuple[URIRef, URIRef]]
    #: our term -> the terms it is a sub-class or sub-property of
    parents: Mapping[URIRef, tuple[URIRef, ...]]
    #: general property -> (restricted property, the class it is restricted to) pairs
    restrictions: Mapping[URIRef, tuple[tuple[URIRef, URIRef], ...]]
    ranges: Mapping[URIRef, URIRef]
    domains: Mapping[URIRef, URIRef]
    object_properties: frozenset[URIRef]
    #: credit role -> the direct film-to-person edge it implies
    direct: Mapping[URIRef, URIRef]
    #: our quantity property -> the Wikidata item of the unit its values are counted in
    units: Mapping[URIRef, URIRef]
    #: Wikidata property id (``P577``) -> what it is
    wikidata: Mapping[str, WikidataProperty]
    #: answers already computed: exporters ask once per statement, on graphs of 10⁵ triples
    _memo: dict[tuple[object, ...], tuple[URIRef, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def kind(self, term: URIRef) -> Kind | None:
        """Whether ``term`` is a class, a property, an individual or a datatype."""
        return self.kinds.get(term)

    def imports(self, external: URIRef, kind: Kind) -> tuple[URIRef, ...]:
        """Our terms of ``kind`` that ``external`` is read as, the preferred one first.

        ``http://schema.org/`` is read as ``https://schema.org/``.

        A loader takes the first whose range can hold the value (a year-precision
        publication date cannot be an ``fg:releaseDate``, so it becomes an ``fg:year``).
        """
        key = ("imports", external, kind)
        if key in self._memo:
            return self._memo[key]
        text = str(external)
        if text.startswith("http://schema.org/"):  # both namespaces are in use
            external = URIRef("https://" + text[len("http://") :])
        found = sorted(
            (
                m
                for m in self.matches
                if m.external == external
                and Direction.IMPORT in m.directions
                and self.kinds.get(m.term) is kind
            ),
            key=lambda m: ((m.term, external) not in self.preferred, m.rank, str(m.term)),
        )
        self._memo[key] = tuple(dict.fromkeys(m.term for m in found))
        return self._memo[key]

    def exports(self, term: URIRef, namespace: str) -> tuple[URIRef, ...]:
        """The terms in ``namespace`` that ``term`` is written as, best match first.

        Only the best rank ``term`` states is used (a close match hides broader ones); a
        term with none of its own takes those of its nearest super-terms.
        """
        key = ("exports", term, namespace)
        if key not in self._memo:
            self._memo[key] = self._exports(term, namespace)
        return self._memo[key]

    def _exports(self, term: URIRef, namespace: str) -> tuple[URIRef, ...]:
        seen: set[URIRef] = set()
        level = [term]
        while level:
            found = [
                m
                for t in level
                for m in self.matches
                if m.term == t
                and Direction.EXPORT in m.directions
                and str(m.external).startswith(namespace)
            ]
            if found:
                best = min(m.rank for m in found)
                return tuple(dict.fromkeys(m.external for m in found if m.rank == best))
            seen.update(level)
            level = [p for t in level for p in self.parents.get(t, ()) if p not in seen]
        return ()

    def preferred_export(self, external: URIRef) -> URIRef | None:
        """Our term preferred for ``external`` when writing out, if one is declared."""
        for term, target in self.preferred:
            if target == external:
                return term
        return None

    def restrict(self, prop: URIRef, types: Iterable[URIRef]) -> URIRef:
        """``prop`` read for a subject of ``types``: its restriction to one of them, if any."""
        kinds = set(types)
        for restricted, domain in self.restrictions.get(prop, ()):
            if domain in kinds:
                return restricted
        return prop

    def wikidata_property(self, term: URIRef) -> WikidataProperty | None:
        """The Wikidata property a ``wdt:P…`` term names, if it is one we know."""
        text = str(term)
        if not text.startswith(str(WDT)):
            return None
        return self.wikidata.get(text[len(str(WDT)) :])

    def clashes(self) -> list[tuple[Direction, Kind, URIRef, tuple[URIRef, ...]]]:
        """External terms matched by several ``fg:`` terms in one direction, none preferred.

        Each is (direction, kind, external term, our terms); the ontology must have none.
        """
        groups: dict[tuple[Direction, Kind, URIRef], set[URIRef]] = {}
        for m in self.matches:
            kind = self.kinds.get(m.term)
            if kind is None or not str(m.term).startswith(str(FG._NS)):
                continue
            for direction in m.directions:
                groups.setdefault((direction, kind, m.external), set()).add(m.term)
        found = []
        for (direction, kind, external), terms in sorted(groups.items(), key=str):
            preferred = [t for t in terms if (t, external) in self.preferred]
            if len(terms) > 1 and len(preferred) != 1:
                found.append((direction, kind, external, tuple(sorted(terms))))
        return found


def general_alignments_path() -> Path:
    """The alignments of the general terms we use for names (``rdfs:label`` …)."""
    return ontology_path().parent / "alignments-general.ttl"


def wikidata_properties_path() -> Path:
    """The Wikidata properties we align to, with their datatypes."""
    return ontology_path().parent / "vocabularies" / "wikidata" / "properties.ttl"


@cache
def alignments() -> Alignments:
    """The project's alignments, read once per process."""
    return load_alignments()


def load_alignments(ontology: Graph | None = None) -> Alignments:
    """The alignments of ``ontology`` (default: ``ontology/filmgraph.ttl``).

    The general terms' alignments and the Wikidata properties are always added.
    """
    g = Graph()
    if ontology is None:
        g.parse(ontology_path(), format="turtle")
    else:
        g += ontology
    g.parse(general_alignments_path(), format="turtle")
    g.parse(wikidata_properties_path(), format="turtle")
    kinds = _kinds(g)
    matches = tuple(
        Match(s, o, relation)
        for relation in MATCH_RANK
        for s, o in sorted(g.subject_objects(relation))
        if isinstance(s, URIRef) and isinstance(o, URIRef) and s in kinds
    )
    preferred = frozenset(
        (s, o)
        for s, o in g.subject_objects(FG.preferredFor)
        if isinstance(s, URIRef) and isinstance(o, URIRef)
    )
    parents: dict[URIRef, list[URIRef]] = {}
    for sub in (RDFS.subClassOf, RDFS.subPropertyOf):
        for s, o in sorted(g.subject_objects(sub)):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                parents.setdefault(s, []).append(o)
    restrictions: dict[URIRef, list[tuple[URIRef, URIRef]]] = {}
    for restricted, general in sorted(g.subject_objects(FG.restrictionOf)):
        domain = g.value(restricted, RDFS.domain)
        if (
            isinstance(restricted, URIRef)
            and isinstance(general, URIRef)
            and isinstance(domain, URIRef)
        ):
            restrictions.setdefault(general, []).append((restricted, domain))
    wikidata = {}
    for prop, kind in g.subject_objects(URIRef(WIKIBASE + "propertyType")):
        pid = str(prop)[len(str(WD)) :]
        wikidata[pid] = WikidataProperty(
            pid, str(kind)[len(WIKIBASE) :], str(g.value(prop, RDFS.label) or pid)
        )
    return Alignments(
        matches=matches,
        kinds=kinds,
        preferred=preferred,
        parents={k: tuple(v) for k, v in parents.items()},
        restrictions={k: tuple(v) for k, v in restrictions.items()},
        ranges={
            p: r
            for p, r in g.subject_objects(RDFS.range)
            if isinstance(p, URIRef) and isinstance(r, URIRef)
        },
        domains={
            p: d
            for p, d in g.subject_objects(RDFS.domain)
            if isinstance(p, URIRef) and isinstance(d, URIRef)
        },
        object_properties=frozenset(
            p for p in g.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef)
        ),
        direct={
            r: p
            for r, p in g.subject_objects(FG.directProperty)
            if isinstance(r, URIRef) and isinstance(p, URIRef)
        },
        units={
            t: u
            for t, u in g.subject_objects(WDT.P2237)
            if isinstance(t, URIRef) and isinstance(u, URIRef)
        },
        wikidata=wikidata,
    )


def _kinds(g: Graph) -> dict[URIRef, Kind]:
    """The kind of every term of ours, by its declared type, and of every general term
    that states a mapping (``rdfs:label`` …: a property)."""
    ns = str(FG._NS)
    kinds: dict[URIRef, Kind] = {}
    for relation in MATCH_RANK:
        for term in g.subjects(relation):
            if isinstance(term, URIRef) and not str(term).startswith(ns):
                kinds[term] = Kind.PROPERTY
    for term in set(g.subjects(RDF.type)):
        if not isinstance(term, URIRef) or not str(term).startswith(ns):
            continue
        types = set(g.objects(term, RDF.type))
        if OWL.Class in types:
            kinds[term] = Kind.CLASS
        elif types & {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}:
            kinds[term] = Kind.PROPERTY
        elif OWL.NamedIndividual in types:
            kinds[term] = Kind.INDIVIDUAL
        elif RDFS.Datatype in types:
            kinds[term] = Kind.DATATYPE
    return kinds
