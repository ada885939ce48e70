"""The vocabularies filmgraph speaks, as rdflib namespaces.

``FG`` lists every term of ``ontology/filmgraph.ttl``; a misspelt term raises instead of
minting a bogus IRI, and ``tests/test_ontology.py`` fails when the two drift apart.
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD, DefinedNamespace

__all__ = [
    "FG",
    "ID",
    "PREFIXED_KINDS",
    "PREFIXES",
    "SCHEMA",
    "WD",
    "WDT",
    "bind_prefixes",
    "sparql_prologue",
]

ID = Namespace("https://w3id.org/filmgraph/id/")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")


class FG(DefinedNamespace):
    """The filmgraph ontology, ``https://w3id.org/filmgraph/ontology#``."""

    _NS = Namespace("https://w3id.org/filmgraph/ontology#")
    _fail = True

    # classes and datatypes
    Film: URIRef
    Agent: URIRef
    Person: URIRef
    Organization: URIRef
    Studio: URIRef
    Archive: URIRef
    StateBody: URIRef
    Place: URIRef
    Country: URIRef
    Movement: URIRef
    HistoricalEvent: URIRef
    HistoricalPeriod: URIRef
    Theme: URIRef
    Credit: URIRef
    CreditRole: URIRef
    InfluenceClaim: URIRef
    InspirationClaim: URIRef
    PersonInfluenceClaim: URIRef
    AdaptationClaim: URIRef
    SimilarityClaim: URIRef
    ConfidenceGrade: URIRef
    Award: URIRef
    AwardRecognition: URIRef
    AwardOutcome: URIRef
    FilmLifeEvent: URIRef
    Release: URIRef
    Withdrawal: URIRef
    Restoration: URIRef
    ArchivalHolding: URIRef
    SourceDocument: URIRef
    ContextClaim: URIRef
    EDTF: URIRef

    # properties
    originalTitle: URIRef
    year: URIRef
    yearCertainty: URIRef
    hasCountry: URIRef
    countryOfOrigin: URIRef
    nationality: URIRef
    countryCode: URIRef
    locatedIn: URIRef
    productionCompany: URIRef
    filmingLocation: URIRef
    partOfMovement: URIRef
    hasTheme: URIRef
    historicalContext: URIRef
    derivedContext: URIRef
    contributor: URIRef
    director: URIRef
    screenwriter: URIRef
    cinematographer: URIRef
    composer: URIRef
    editor: URIRef
    producer: URIRef
    castMember: URIRef
    hasCredit: URIRef
    creditFilm: URIRef
    creditAgent: URIRef
    role: URIRef
    character: URIRef
    directProperty: URIRef
    drewOn: URIRef
    leftMarkOn: URIRef
    inspiredBy: URIRef
    inspired: URIRef
    influencedBy: URIRef
    influenced: URIRef
    basedOn: URIRef
    hasAdaptation: URIRef
    remakeOf: URIRef
    hasRemake: URIRef
    similarTo: URIRef
    influencee: URIRef
    influencer: URIRef
    aspect: URIRef
    evidence: URIRef
    source: URIRef
    confidence: URIRef
    weight: URIRef
    similarFilm: URIRef
    ofAward: URIRef
    firstAwarded: URIRef
    recipient: URIRef
    forFilm: URIRef
    outcome: URIRef
    ofFilm: URIRef
    date: URIRef
    carriedOutBy: URIRef
    tookPlaceAt: URIRef
    start: URIRef
    end: URIRef
    startDate: URIRef
    endDate: URIRef
    birthDate: URIRef
    deathDate: URIRef
    nativeName: URIRef
    wikidata: URIRef
    imdbId: URIRef
    viafId: URIRef
    wikipediaArticle: URIRef
    image: URIRef
    url: URIRef
    author: URIRef
    sourceKind: URIRef
    loader: URIRef
    checksum: URIRef
    sourceFile: URIRef
    unresolved: URIRef
    alignmentNote: URIRef
    preferredFor: URIRef
    restrictionOf: URIRef
    heldBy: URIRef
    contextEvent: URIRef
    contextFilm: URIRef
    releaseDate: URIRef
    records: URIRef
    triples: URIRef

    # named individuals
    DirectorRole: URIRef
    ScreenwriterRole: URIRef
    CinematographerRole: URIRef
    ComposerRole: URIRef
    EditorRole: URIRef
    ProducerRole: URIRef
    ActorRole: URIRef
    HighConfidence: URIRef
    MediumConfidence: URIRef
    LowConfidence: URIRef
    Won: URIRef
    Nominated: URIRef

    # film pages: header facts, sections and listed items (the film-page loader)
    tagline: URIRef
    runtime: URIRef
    boxOffice: URIRef
    keyTheme: URIRef
    PageSection: URIRef
    section: URIRef
    sectionName: URIRef
    text: URIRef
    position: URIRef
    PageItem: URIRef
    TriviaItem: URIRef
    MemorableScene: URIRef
    Quotation: URIRef
    item: URIRef
    attribution: URIRef

    # reasoning: context derived from dates, and the rules that derive it
    InferenceRule: URIRef
    ContextDerivation: URIRef
    derivedFilm: URIRef
    derivedEvent: URIRef
    rule: URIRef
    FilmYearWithinEvent: URIRef
    ReleaseWithinEvent: URIRef


#: Prefixes bound in every graph we write and accepted in names on the command line.
#: The kinds of minted resource (``/id/KIND/…``) that have a prefix of their own.
PREFIXED_KINDS = (
    "film",
    "person",
    "org",
    "place",
    "movement",
    "event",
    "theme",
    "award",
    "source",
    "claim",
    "credit",
    "graph",
)

PREFIXES: dict[str, str] = {
    "fg": str(FG._NS),
    **{kind: f"{ID}{kind}/" for kind in PREFIXED_KINDS},
    "schema": str(SCHEMA),
    "wd": str(WD),
    "wdt": str(WDT),
    "prov": str(PROV),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "void": str(VOID),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind our prefixes on ``graph`` (so serialisations read well) and return it."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True)
    return graph


def sparql_prologue() -> str:
    """``PREFIX`` declarations for our prefixes, to put before a query a person typed.

    A query's own declarations come after these and win where they differ.
    """
    return "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())
