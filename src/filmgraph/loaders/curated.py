"""Loader for the curated tables: filmgraph's own CSV template (``docs/data-model.md``).

A folder of tables (``films.csv``, ``people.csv``, ``influences.csv`` …) is one set: ids in
one table may refer to ids in another, and to ids that earlier sources of the same build
defined. Each table becomes its own named graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from filmgraph.errors import SourceError
from filmgraph.iri import hashed_iri, mint
from filmgraph.loaders import LoadContext, SourceGraph, Triples
from filmgraph.loaders.csvtable import Row, read_rows
from filmgraph.loaders.known import KnownIds
from filmgraph.namespaces import FG, WD
from filmgraph.provenance import graph_iri
from filmgraph.temporal import parse_date, xsd_date

__all__ = ["CLAIM_TYPES", "TABLES", "CuratedTablesLoader"]

_ORG_CLASSES = {"studio": FG.Studio, "archive": FG.Archive, "state-body": FG.StateBody}
_EVENT_CLASSES = {"event": FG.HistoricalEvent, "period": FG.HistoricalPeriod}
_ROLES = {
    "director": (FG.DirectorRole, FG.director),
    "screenwriter": (FG.ScreenwriterRole, FG.screenwriter),
    "cinematographer": (FG.CinematographerRole, FG.cinematographer),
    "composer": (FG.ComposerRole, FG.composer),
    "editor": (FG.EditorRole, FG.editor),
    "producer": (FG.ProducerRole, FG.producer),
    "actor": (FG.ActorRole, FG.castMember),
}
#: claim type -> (claim class, direct edge from the later to the earlier, kind of both ends)
CLAIM_TYPES = {
    "inspiration": (FG.InspirationClaim, FG.inspiredBy, "film"),
    "person-influence": (FG.PersonInfluenceClaim, FG.influencedBy, "person"),
    "adaptation": (FG.AdaptationClaim, FG.basedOn, "film"),
    "remake": (FG.AdaptationClaim, FG.remakeOf, "film"),
}
_CONFIDENCE = {"high": FG.HighConfidence, "medium": FG.MediumConfidence, "low": FG.LowConfidence}
_OUTCOMES = {"won": FG.Won, "nominated": FG.Nominated}
_LIFE_EVENTS = {
    "release": FG.Release,
    "withdrawal": FG.Withdrawal,
    "restoration": FG.Restoration,
    "archived": FG.ArchivalHolding,
}
_SOURCE_KINDS = ("book", "article", "essay", "web-page", "film-page", "editorial", "dataset")


@dataclass(frozen=True)
class _Table:
    file: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    read: Callable[[Row, Triples, KnownIds], None]


def _add_wikidata(row: Row, graph: Triples, subject: URIRef) -> None:
    qid = row.qid()
    if qid:
        graph.add((subject, FG.wikidata, WD[qid]))


def _add_dates(row: Row, graph: Triples, subject: URIRef, start: str, end: str) -> None:
    for field, edtf_prop, xsd_prop, bound in (
        (start, FG.start, FG.startDate, "earliest"),
        (end, FG.end, FG.endDate, "latest"),
    ):
        text = row.get(field)
        if not text:
            continue
        try:
            value = parse_date(text)
        except ValueError as exc:
            raise row.error(field, str(exc)) from None
        graph.add((subject, edtf_prop, value.literal))
        graph.add((subject, xsd_prop, xsd_date(getattr(value, bound))))


def _native_name(row: Row, graph: Triples, subject: URIRef, field: str, lang_field: str) -> None:
    name = row.get(field)
    if name:
        graph.add((subject, FG.nativeName, Literal(name, lang=row.get(lang_field) or None)))


def _read_source(row: Row, graph: Triples, known: KnownIds) -> None:
    s = known.define(row, "source", row.slug("id"))
    graph.add((s, RDF.type, FG.SourceDocument))
    graph.add((s, RDFS.label, Literal(row.required("title"))))
    graph.add((s, FG.sourceKind, Literal(row.choice("kind", _SOURCE_KINDS))))
    if row.get("author"):
        graph.add((s, FG.author, Literal(row.get("author"))))
    year = row.year("year", required=False)
    if year:
        graph.add((s, FG.year, Literal(f"{year:04d}", datatype=XSD.gYear)))
    if row.get("url"):
        graph.add((s, FG.url, URIRef(row.get("url"))))
    if row.get("note"):
        graph.add((s, RDFS.comment, Literal(row.get("note"), lang="en")))


def _read_country(row: Row, graph: Triples, known: KnownIds) -> None:
    code = row.required("code")
    name = row.required("name")
    if code in known.country_iris:
        raise row.error("code", f"country code {code!r} is defined twice")
    c = known.define(row, "place", row.slug_of("name", name), "name")
    known.define_country(row, code, c)
    graph.add((c, RDF.type, FG.Country))
    graph.add((c, RDFS.label, Literal(name, lang="en")))
    graph.add((c, FG.countryCode, Literal(code)))
    _add_wikidata(row, graph, c)


def _read_place(row: Row, graph: Triples, known: KnownIds) -> None:
    p = known.define(row, "place", row.slug("id"))
    graph.add((p, RDF.type, FG.Place))
    graph.add((p, RDFS.label, Literal(row.required("name"), lang="en")))
    if row.get("country"):
        graph.add((p, FG.locatedIn, known.country(row, row.get("country"), "country")))
    _add_wikidata(row, graph, p)


def _read_organisation(row: Row, graph: Triples, known: KnownIds) -> None:
    o = known.define(row, "org", row.slug("id"))
    graph.add((o, RDF.type, _ORG_CLASSES[row.choice("kind", tuple(_ORG_CLASSES))]))
    graph.add((o, RDFS.label, Literal(row.required("name"), lang="en")))
    _native_name(row, graph, o, "native_name", "native_lang")
    if row.get("country"):
        graph.add((o, FG.hasCountry, known.country(row, row.get("country"), "country")))
    _add_wikidata(row, graph, o)


def _read_movement(row: Row, graph: Triples, known: KnownIds) -> None:
    m = known.define(row, "movement", row.slug("id"))
    graph.add((m, RDF.type, FG.Movement))
    graph.add((m, RDFS.label, Literal(row.required("name"), lang="en")))
    _add_dates(row, graph, m, "start", "end")
    for code in row.values("countries"):
        graph.add((m, FG.hasCountry, known.country(row, code, "countries")))
    if row.get("description"):
        graph.add((m, RDFS.comment, Literal(row.get("description"), lang="en")))
    _add_wikidata(row, graph, m)


def _read_event(row: Row, graph: Triples, known: KnownIds) -> None:
    e = known.define(row, "event", row.slug("id"))
    graph.add((e, RDF.type, _EVENT_CLASSES[row.choice("kind", tuple(_EVENT_CLASSES))]))
    graph.add((e, RDFS.label, Literal(row.required("name"), lang="en")))
    row.required("start")
    _add_dates(row, graph, e, "start", "end")
    for code in row.values("countries"):
        graph.add((e, FG.hasCountry, known.country(row, code, "countries")))
    if row.get("description"):
        graph.add((e, RDFS.comment, Literal(row.get("description"), lang="en")))
    _add_wikidata(row, graph, e)


def _read_theme(row: Row, graph: Triples, known: KnownIds) -> None:
    t = known.define(row, "theme", row.slug("id"))
    scheme = mint("theme", "scheme")
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, RDFS.label, Literal("filmgraph themes and topics", lang="en")))
    graph.add((t, RDF.type, FG.Theme))
    graph.add((t, SKOS.inScheme, scheme))
    graph.add((t, SKOS.prefLabel, Literal(row.required("label"), lang="en")))
    graph.add((t, RDFS.label, Literal(row.required("label"), lang="en")))
    for alt in row.values("alt_labels"):
        graph.add((t, SKOS.altLabel, Literal(alt, lang="en")))
    for broader in row.values("broader"):
        # Broader themes may come later in the file, so they are checked once it is read.
        graph.add((t, SKOS.broader, mint("theme", broader)))


def _read_person(row: Row, graph: Triples, known: KnownIds) -> None:
    p = known.define(row, "person", row.slug("id"))
    graph.add((p, RDF.type, FG.Person))
    graph.add((p, RDFS.label, Literal(row.required("name"), lang="en")))
    _native_name(row, graph, p, "native_name", "native_lang")
    for alias in row.values("aliases"):
        graph.add((p, SKOS.altLabel, Literal(alias)))
    for field, prop in (("birth", FG.birthDate), ("death", FG.deathDate)):
        if row.get(field):
            try:
                value = parse_date(row.get(field))
            except ValueError as exc:
                raise row.error(field, str(exc)) from None
            graph.add((p, prop, value.xsd))
    for code in row.values("countries"):
        graph.add((p, FG.hasCountry, known.country(row, code, "countries")))
    _add_wikidata(row, graph, p)


def _read_film(row: Row, graph: Triples, known: KnownIds) -> None:
    f = known.define(row, "film", row.slug("id"))
    title = row.required("title")
    edtf = row.edtf_year("year")
    if edtf is None:
        raise row.error("year", "is empty but required")
    year = edtf.earliest.year
    graph.add((f, RDF.type, FG.Film))
    graph.add((f, RDFS.label, Literal(title, lang="en")))
    if row.get("original_title"):
        lang = row.get("original_lang")
        if not lang:
            raise row.error("original_lang", "is empty but original_title is given")
        graph.add((f, FG.originalTitle, Literal(row.get("original_title"), lang=lang)))
    graph.add((f, FG.year, Literal(f"{year:04d}", datatype=XSD.gYear)))
    certainty = row.choice("year_certainty", ("exact", "uncertain"), required=False)
    vague = edtf.uncertain or edtf.earliest.year != edtf.latest.year
    graph.add((f, FG.yearCertainty, Literal(certainty or ("uncertain" if vague else "exact"))))
    for code in row.values("countries"):
        graph.add((f, FG.hasCountry, known.country(row, code, "countries")))
    for studio in row.values("studios"):
        graph.add((f, FG.productionCompany, known.ref(row, "org", studio, "studios")))
    for movement in row.values("movements"):
        graph.add((f, FG.partOfMovement, known.ref(row, "movement", movement, "movements")))
    for theme in row.values("themes"):
        graph.add((f, FG.hasTheme, known.ref(row, "theme", theme, "themes")))
    _add_wikidata(row, graph, f)


def _read_credit(row: Row, graph: Triples, known: KnownIds) -> None:
    film = known.ref(row, "film", row.required("film"), "film")
    person = known.ref(row, "person", row.required("person"), "person")
    role_name = row.choice("role", tuple(_ROLES))
    role, direct = _ROLES[role_name]
    character = row.get("character")
    credit = hashed_iri("credit", str(film), str(person), role_name, character)
    graph.add((credit, RDF.type, FG.Credit))
    graph.add((credit, FG.creditFilm, film))
    graph.add((credit, FG.creditAgent, person))
    graph.add((credit, FG.role, role))
    if character:
        graph.add((credit, FG.character, Literal(character)))
    graph.add((film, direct, person))


def _read_influence(row: Row, graph: Triples, known: KnownIds) -> None:
    kind = row.choice("type", tuple(CLAIM_TYPES))
    cls, direct, end_kind = CLAIM_TYPES[kind]
    later = known.ref(row, end_kind, row.required("influenced"), "influenced")
    earlier = known.ref(row, end_kind, row.required("influencer"), "influencer")
    if later == earlier:
        raise row.error("influencer", "a work or person cannot have influenced itself")
    source = known.ref(row, "source", row.required("source"), "source")
    aspect = row.get("aspect")
    claim = hashed_iri("claim", str(source), kind, str(later), str(earlier), aspect)
    graph.add((claim, RDF.type, cls))
    graph.add((claim, FG.influencee, later))
    graph.add((claim, FG.influencer, earlier))
    graph.add((claim, FG.source, source))
    graph.add((claim, FG.confidence, _CONFIDENCE[row.choice("confidence", tuple(_CONFIDENCE))]))
    if aspect:
        graph.add((claim, FG.aspect, Literal(aspect, lang="en")))
    if row.get("evidence"):
        graph.add((claim, FG.evidence, Literal(row.get("evidence"), lang="en")))
    graph.add((later, direct, earlier))


def _read_context(row: Row, graph: Triples, known: KnownIds) -> None:
    film = known.ref(row, "film", row.required("film"), "film")
    event = known.ref(row, "event", row.required("event"), "event")
    source = known.ref(row, "source", row.required("source"), "source")
    claim = hashed_iri("claim", str(source), "context", str(film), str(event))
    graph.add((claim, RDF.type, FG.ContextClaim))
    graph.add((claim, FG.contextFilm, film))
    graph.add((claim, FG.contextEvent, event))
    graph.add((claim, FG.source, source))
    if row.get("evidence"):
        graph.add((claim, FG.evidence, Literal(row.get("evidence"), lang="en")))
    graph.add((film, FG.historicalContext, event))


def _read_award(row: Row, graph: Triples, known: KnownIds) -> None:
    a = known.define(row, "award", row.slug("id"))
    graph.add((a, RDF.type, FG.Award))
    graph.add((a, RDFS.label, Literal(row.required("name"), lang="en")))
    for alt in row.values("alt_labels"):
        graph.add((a, SKOS.altLabel, Literal(alt, lang="en")))
    _add_wikidata(row, graph, a)
    first = row.year("first_year", required=False)
    if first is not None:
        graph.add((a, FG.firstAwarded, Literal(f"{first:04d}", datatype=XSD.gYear)))


def _read_recognition(row: Row, graph: Triples, known: KnownIds) -> None:
    award = known.ref(row, "award", row.required("award"), "award")
    kind, _, identifier = row.required("recipient").partition(":")
    if kind not in ("film", "person") or not identifier:
        raise row.error("recipient", "must be film:ID or person:ID")
    recipient = known.ref(row, kind, identifier, "recipient")
    outcome = row.choice("outcome", tuple(_OUTCOMES))
    year = row.year("year")
    source = known.ref(row, "source", row.required("source"), "source")
    node = hashed_iri("recognition", str(award), str(recipient), str(year), outcome, str(source))
    graph.add((node, RDF.type, FG.AwardRecognition))
    graph.add((node, FG.ofAward, award))
    graph.add((node, FG.recipient, recipient))
    graph.add((node, FG.outcome, _OUTCOMES[outcome]))
    graph.add((node, FG.year, Literal(f"{year:04d}", datatype=XSD.gYear)))
    graph.add((node, FG.source, source))
    if row.get("film"):
        graph.add((node, FG.forFilm, known.ref(row, "film", row.get("film"), "film")))


def _read_life_event(row: Row, graph: Triples, known: KnownIds) -> None:
    film = known.ref(row, "film", row.required("film"), "film")
    kind = row.choice("kind", tuple(_LIFE_EVENTS))
    source = known.ref(row, "source", row.required("source"), "source")
    node = hashed_iri("life-event", str(film), kind, row.get("date"), row.get("agent"), str(source))
    graph.add((node, RDF.type, _LIFE_EVENTS[kind]))
    graph.add((node, FG.ofFilm, film))
    graph.add((node, FG.source, source))
    if row.get("date"):
        try:
            value = parse_date(row.get("date"))
        except ValueError as exc:
            raise row.error("date", str(exc)) from None
        graph.add((node, FG.date, value.literal))
        graph.add((node, FG.startDate, xsd_date(value.earliest)))
    if row.get("agent"):
        agent = known.ref(row, "org", row.get("agent"), "agent")
        graph.add((node, FG.carriedOutBy, agent))
        if kind == "archived":
            graph.add((film, FG.heldBy, agent))
    if row.get("place"):
        graph.add((node, FG.tookPlaceAt, known.ref(row, "place", row.get("place"), "place")))
    if row.get("note"):
        graph.add((node, RDFS.comment, Literal(row.get("note"), lang="en")))


#: The tables in the order they are read: a table may only refer to those above it.
TABLES = (
    _Table(
        "sources.csv",
        ("id", "title", "kind", "author", "year", "url", "note"),
        ("id", "title", "kind"),
        _read_source,
    ),
    _Table("countries.csv", ("code", "name", "wikidata"), ("code", "name"), _read_country),
    _Table("places.csv", ("id", "name", "country", "wikidata"), ("id", "name"), _read_place),
    _Table(
        "organisations.csv",
        ("id", "name", "native_name", "native_lang", "kind", "country", "wikidata"),
        ("id", "name", "kind"),
        _read_organisation,
    ),
    _Table(
        "movements.csv",
        ("id", "name", "start", "end", "countries", "wikidata", "description"),
        ("id", "name"),
        _read_movement,
    ),
    _Table(
        "events.csv",
        ("id", "name", "kind", "start", "end", "countries", "wikidata", "description"),
        ("id", "name", "kind", "start"),
        _read_event,
    ),
    _Table("themes.csv", ("id", "label", "alt_labels", "broader"), ("id", "label"), _read_theme),
    _Table(
        "people.csv",
        (
            "id",
            "name",
            "native_name",
            "native_lang",
            "aliases",
            "birth",
            "death",
            "countries",
            "wikidata",
        ),
        ("id", "name"),
        _read_person,
    ),
    _Table(
        "films.csv",
        (
            "id",
            "title",
            "original_title",
            "original_lang",
            "year",
            "year_certainty",
            "countries",
            "studios",
            "movements",
            "themes",
            "wikidata",
        ),
        ("id", "title", "year"),
        _read_film,
    ),
    _Table(
        "credits.csv",
        ("film", "person", "role", "character"),
        ("film", "person", "role"),
        _read_credit,
    ),
    _Table(
        "influences.csv",
        ("influenced", "influencer", "type", "aspect", "source", "confidence", "evidence"),
        ("influenced", "influencer", "type", "source", "confidence"),
        _read_influence,
    ),
    _Table(
        "context.csv",
        ("film", "event", "source", "evidence"),
        ("film", "event", "source"),
        _read_context,
    ),
    _Table(
        "awards.csv",
        ("id", "name", "alt_labels", "wikidata", "first_year"),
        ("id", "name"),
        _read_award,
    ),
    _Table(
        "recognitions.csv",
        ("award", "recipient", "film", "year", "outcome", "source"),
        ("award", "recipient", "year", "outcome", "source"),
        _read_recognition,
    ),
    _Table(
        "life-events.csv",
        ("film", "kind", "date", "agent", "place", "source", "note"),
        ("film", "kind", "source"),
        _read_life_event,
    ),
)
_TABLE_FILES = frozenset(t.file for t in TABLES)


class CuratedTablesLoader:
    """Reads a folder of curated tables in filmgraph's own template."""

    name = "curated-tables"

    def accepts(self, path: Path) -> bool:
        return path.is_dir() and any((path / f).is_file() for f in _TABLE_FILES)

    def load(self, path: Path, context: LoadContext, root: Path) -> Iterator[SourceGraph]:
        known = context.known
        unknown = sorted(p.name for p in path.glob("*.csv") if p.name not in _TABLE_FILES)
        if unknown:
            raise SourceError(
                path / unknown[0],
                f"is not a curated table (expected one of: {', '.join(sorted(_TABLE_FILES))})",
            )
        for table in TABLES:
            file = path / table.file
            if not file.is_file() or context.reuse(file, chained=True):
                continue
            iri = graph_iri(file, root)
            # The themes are checked against their own document once read: held whole.
            source = (
                SourceGraph(iri, file, self.name)
                if table.file == "themes.csv"
                else context.source(iri, file, self.name)
            )
            for row in read_rows(file, table.columns, required=table.required):
                scratch = Triples()
                try:
                    table.read(row, scratch, known)
                except SourceError as error:
                    context.reject(error)
                    known.forget(row)
                    continue
                source.graph += scratch
                source.records += 1
            if table.file == "themes.csv":
                _check_broader(source.graph, file, known)
            yield source


def _check_broader(graph: Triples, file: Path, known: KnownIds) -> None:
    defined = {mint("theme", t) for t in known.ids("theme")}
    for concept, broader in graph.subject_objects(SKOS.broader):
        if broader not in defined:
            raise SourceError(
                file, f"{concept} has an unknown broader theme {broader}", field="broader"
            )
