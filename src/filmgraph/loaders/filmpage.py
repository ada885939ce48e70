"""Loader for film pages in the encyclopedia format: one named graph per page.

The page is the cited :class:`fg:SourceDocument` (kind ``film-page``) of everything it says:
header facts (title, year, runtime, country, tagline with its language, key themes), every
titled section kept as text with its name, production facts (release date, companies,
filming locations, box office), qualified influence claims with the aspect and the item
line as evidence, similarity (never influence), awards, listed items (trivia, memorable
scenes, quotations), what became of the film (withdrawal, restoration, the archive that
holds it), people named in prose with their roles and historical events named in prose.

Names are resolved against a gazetteer of what the sources loaded earlier in the build
know (:mod:`filmgraph.loaders.pagegazetteer`); a film, person, place, organisation or award
the graph does not know becomes a node marked ``fg:unresolved true``, never a silent
invention. Parsing is in :mod:`~filmgraph.loaders.pageformat`, run splitting in
:mod:`~filmgraph.loaders.pagesegment`, prose patterns in :mod:`~filmgraph.loaders.pageprose`.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from filmgraph.alignment import alignments
from filmgraph.errors import SourceError
from filmgraph.iri import film_iri, hashed_iri, mint, slug
from filmgraph.loaders import LoadContext, SourceGraph, Triples
from filmgraph.loaders.pageformat import (
    Line,
    Page,
    Section,
    page_format,
    parse_connection,
    read_page,
    strip_bullet,
)
from filmgraph.loaders.pagegazetteer import Entry, Gazetteer, Mention, normalise
from filmgraph.loaders.pageprose import (
    find_archive_names,
    find_credits,
    find_life_events,
    find_weak_signals,
    place_cues,
    role_words,
    sentences,
)
from filmgraph.loaders.pagesegment import segment_run, split_case_run, split_titles
from filmgraph.namespaces import FG
from filmgraph.provenance import graph_iri
from filmgraph.resources import sources_dir
from filmgraph.temporal import parse_date, xsd_date

__all__ = ["FilmPageLoader", "gazetteer_for"]

_DATE_FORMATS = (
    ("%B %d, %Y", "%Y-%m-%d"),
    ("%d %B %Y", "%Y-%m-%d"),
    ("%b %d, %Y", "%Y-%m-%d"),
    ("%Y-%m-%d", "%Y-%m-%d"),
    ("%B %Y", "%Y-%m"),
    ("%b %Y", "%Y-%m"),
    ("%Y", "%Y"),
)
_ATTRIBUTION = re.compile(r"^(?P<text>.*?)\s*\((?P<who>[^()]+)\)\s*$")
_YEAR = re.compile(r"\b(1[89][0-9]{2}|20[0-9]{2})\b")
_RECIPIENT = re.compile(
    r"\b(?:awarded to|given to|presented to|shared by|won by|for)\s+"
    r"(?:(?:the\s+)?(?:director|actor|actress|cinematographer|composer|screenwriter)\s+)?"
    r"(?P<who>[^,;()\u2013\u2014]+?)(?:\s+\(|,|;|\s+and\s|\s+for\s|\s+[-\u2013\u2014]\s|$)"
)
#: "Best Actress - Tatiana Samoilova", "Best Director: Mikhail Kalatozov".
_DASHED_RECIPIENT = re.compile(
    r"(?:\s[-\u2013\u2014]\s|:\s)(?P<who>[A-Z][\w'\u2019.-]+(?:\s+[A-Z][\w'\u2019.-]+){1,3})\s*$"
)
_PERSON_AWARD = re.compile(
    r"\b(actor|actress|director|cinematograph|screenplay|screenwrit|"
    r"composer|score|performance|directing)",
    re.IGNORECASE,
)
_AWARD_END = re.compile(
    r",|\s+\(|\s+awarded\b|\s+nomination\b|\s+for\s(?!Best\b)|\s+at\s|"
    r"\s+[-\u2013\u2014:]\s"
)
#: The festival or body of an award item: ", Cannes Film Festival" or " at the Venice …".
_FESTIVAL = re.compile(
    r"(?:,\s*|\s+at\s+(?:the\s+)?|\s+of\s+the\s+)"
    r"(?P<body>(?:[0-9]{1,2}(?:st|nd|rd|th)\s+)?[A-Z][^,;()\u2013\u2014]*?)(?=\s*\(|,|;|\s+[-\u2013\u2014]\s|"
    r"\s+awarded\b|\s+for\s|\s+nominat|$)"
)
_BODY_WORDS = frozenset(
    {
        "film",
        "festival",
        "international",
        "the",
        "of",
        "du",
        "de",
        "and",
        "awards",
        "award",
        "prize",
        "cinema",
        "mostra",
        "internazionale",
    }
)
_GENERIC_ORG_WORDS = re.compile(r"\b(film\s+)?studios?\b|\bcompany\b", re.IGNORECASE)
_GENERIC_PLACE_WORDS = re.compile(r"\b(region|oblast|province|area)\b", re.IGNORECASE)
_TRUE = Literal(True)
_ROLE_NODES = {
    "director": FG.DirectorRole,
    "screenwriter": FG.ScreenwriterRole,
    "cinematographer": FG.CinematographerRole,
    "composer": FG.ComposerRole,
    "editor": FG.EditorRole,
    "producer": FG.ProducerRole,
    "actor": FG.ActorRole,
}


def gazetteer_for(context: LoadContext) -> Gazetteer:
    """The gazetteer of everything the sources loaded so far in ``context`` name."""
    return context.gazetteer()


def _language(text: str) -> str | None:
    """A language tag guessed from the script (pages give taglines in the original)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    if any("\u0400" <= c <= "\u04ff" for c in letters):
        return "uk" if any(c in "ієїґІЄЇҐ" for c in letters) else "ru"
    if any("\u10a0" <= c <= "\u10ff" for c in letters):
        return "ka"
    if any("\u0530" <= c <= "\u058f" for c in letters):
        return "hy"
    if all(c.isascii() for c in letters):
        return "en"
    return None


def parse_release(text: str) -> str:
    """An EDTF date from the way pages write release dates ("March 15, 1937", "October 1929")."""
    cleaned = re.sub(r"\s+", " ", text.strip().rstrip("."))
    for pattern, edtf in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, pattern).strftime(edtf)
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (e.g. 'March 15, 1937' or 'October 1929')")


class FilmPageLoader:
    """Reads film pages (``*.txt``), a file or a folder of them, one named graph per page."""

    name = "film-page"

    def accepts(self, path: Path) -> bool:
        if path.is_dir():
            return any(path.glob("*.txt"))
        return path.is_file() and path.suffix == ".txt"

    def load(self, path: Path, context: LoadContext, root: Path) -> Iterator[SourceGraph]:
        files = sorted(path.glob("*.txt")) if path.is_dir() else [path]
        gazetteer: Gazetteer | None = None  # built for the first page not replayed
        for file in files:
            if context.reuse(file):
                continue
            if gazetteer is None:
                gazetteer = gazetteer_for(context)
            try:
                page = read_page(file)
            except SourceError as error:
                context.reject(error)
                continue
            source = SourceGraph(graph_iri(file, root), file, self.name)
            _PageReader(page, source, gazetteer, context).read()
            yield source


class _PageReader:
    """Turns one parsed page into the triples of its named graph."""

    def __init__(
        self, page: Page, source: SourceGraph, gazetteer: Gazetteer, context: LoadContext
    ) -> None:
        self.page, self.source, self.gaz, self.context = page, source, gazetteer, context
        self.g: Triples = source.graph
        self.slug = str(source.iri).rsplit("/", 1)[-1]
        self.doc = mint("source", self.slug)
        self.fmt = page_format()
        self.film = URIRef("")

    # -- helpers -------------------------------------------------------------------------

    def note(self, line: Line | None, text: str) -> None:
        where = f"{self.page.path.name}:{line.number}" if line else self.page.path.name
        self.context.notes.append(f"{where}: {text}")

    def reject(self, error: SourceError) -> None:
        self.context.reject(error)

    def new_node(self, kind: str, name: str, classes: tuple[URIRef, ...]) -> URIRef:
        """A node for a name the graph does not know, marked unresolved."""
        try:
            node = mint(kind, slug(name))
        except ValueError:  # a name of signs only ("?"): kept, under an IRI from its text
            node = hashed_iri(kind, name)
        for cls in classes:
            self.g.add((node, RDF.type, cls))
        self.g.add((node, RDFS.label, Literal(name, lang="en")))
        self.g.add((node, FG.unresolved, _TRUE))
        return node

    def resolve(
        self,
        kind: str,
        name: str,
        classes: tuple[URIRef, ...],
        strip: re.Pattern[str] | None = None,
    ) -> URIRef:
        candidates = self.gaz.lookup(kind, name)
        if not candidates and strip is not None:
            shorter = re.sub(r"\s+", " ", strip.sub(" ", re.sub(r"\([^()]*\)", " ", name))).strip()
            if shorter:
                candidates = self.gaz.lookup(kind, shorter)
        if candidates:
            return candidates[0].iri
        return self.new_node("place" if kind == "country" else kind, name, classes)

    def film_ref(self, title: str, year: int | None, line: Line) -> URIRef | None:
        """The film an item names: known, or a new node marked unresolved."""
        candidates = self.gaz.films(title, year)
        if year is None:
            if len(candidates) > 1:
                names = "; ".join(f"{e.label} ({e.year})" for e in candidates)
                self.note(
                    line,
                    f"{title!r} has no year and matches several films ({names}); linked to none",
                )
                return None
            if not candidates:
                self.note(line, f"{title!r} has no year and is not in the graph; linked to none")
                return None
        if candidates:
            return candidates[0].iri
        assert year is not None
        node = film_iri(title, year)
        self.g.add((node, RDF.type, FG.Film))
        self.g.add((node, RDFS.label, Literal(title, lang="en")))
        self.g.add((node, FG.year, Literal(f"{year:04d}", datatype=XSD.gYear)))
        self.g.add((node, FG.unresolved, _TRUE))
        return node

    def part(self, kind: str, number: int) -> URIRef:
        return mint("source", f"{self.slug}-{kind}-{number}")

    # -- the page ------------------------------------------------------------------------

    def read(self) -> None:
        page, g = self.page, self.g
        header = page.header
        g.add((self.doc, RDF.type, FG.SourceDocument))
        g.add(
            (
                self.doc,
                RDFS.label,
                Literal(f"Film page: {header.title.text} ({header.year})", lang="en"),
            )
        )
        g.add((self.doc, FG.sourceKind, Literal("film-page")))
        known = self.gaz.films(header.title.text, header.year)
        exact = [e for e in known if e.year == header.year]
        self.film = exact[0].iri if exact else film_iri(header.title.text, header.year)
        if known and not exact:
            self.note(
                header.year_line,
                f"the page gives {header.year}; the graph has "
                f"{known[0].label} ({known[0].year}): kept apart for linking to decide",
            )
        # What the page says of its film is stated even when the graph knows the film: a
        # second source saying the same corroborates it, a different value is reported.
        g.add((self.film, RDF.type, FG.Film))
        # A title in another script is tagged with its language ("Шинель"@ru), not as English.
        script = _language(header.title.text)
        title_lang = script if script not in (None, "en") else "en"
        g.add((self.film, RDFS.label, Literal(header.title.text, lang=title_lang)))
        g.add((self.film, FG.year, Literal(f"{header.year:04d}", datatype=XSD.gYear)))
        for alternative in header.alternatives:
            g.add(
                (
                    self.film,
                    SKOS.altLabel,
                    Literal(alternative.text, lang=_language(alternative.text)),
                )
            )
        if header.uncertain:
            g.add((self.film, FG.yearCertainty, Literal("uncertain")))
        self.source.records = 1
        for number, note in page.notes:
            self.note(Line(number, "") if number else None, note)
        for number, extra in enumerate(header.extra, start=1):
            self.note(extra, f"header line {extra.text!r} not understood; kept as an item")
            self.item("header-line", FG.PageItem, number, extra.text)
        if header.runtime is not None:
            g.add((self.film, FG.runtime, Literal(header.runtime, datatype=XSD.integer)))
        if header.country:
            country = self.resolve("country", header.country, (FG.Country,))
            g.add((self.film, FG.hasCountry, country))
        if header.tagline is not None:
            g.add(
                (
                    self.film,
                    FG.tagline,
                    Literal(header.tagline.text, lang=_language(header.tagline.text)),
                )
            )
        if header.key_themes is not None:
            vocabulary = self.vocabulary()[0]
            for phrase in split_case_run(header.key_themes.text):
                g.add((self.film, FG.keyTheme, Literal(phrase, lang="en")))
                if phrase.lower() in vocabulary:
                    g.add((self.film, FG.hasTheme, vocabulary[phrase.lower()]))
        for section in page.sections:
            self.section(section)
            reader = getattr(self, "_" + section.kind.replace("-", "_"), None)
            if reader is not None:
                reader(section)
        self.prose_facts()

    def section(self, section: Section) -> None:
        node = self.part("section", section.position)
        self.g.add((node, RDF.type, FG.PageSection))
        self.g.add((node, FG.sectionName, Literal(section.name)))
        if section.written is not None and section.kind != "unknown":
            self.note(section.heading, f"heading {section.written!r} read as {section.name!r}")
        self.g.add((node, FG.position, Literal(section.position, datatype=XSD.integer)))
        self.g.add((node, FG.source, self.doc))
        if section.lines:
            self.g.add((node, FG.text, Literal(section.text, lang="en")))
        self.g.add((self.film, FG.section, node))
        self.source.records += 1

    def vocabulary(self) -> tuple[dict[str, URIRef], set[URIRef]]:
        """Theme labels to concepts: the graph's, then the bundled list (for splitting runs).

        The second part holds the concepts that only the bundled list names: a build without
        the bundled graph does not know them, so they are stated as unresolved.
        """
        known = {name: entries[0].iri for name, entries in self.gaz.names("theme").items()}
        bundled: set[URIRef] = set()
        for name, concept in _bundled_themes().items():
            if name not in known:
                known[name] = concept
                bundled.add(concept)
        return known, bundled - {e.iri for es in self.gaz.names("theme").values() for e in es}

    def item(self, kind: str, cls: URIRef, number: int, text: str) -> URIRef:
        node = self.part(kind, number)
        self.g.add((node, RDF.type, cls))
        self.g.add((node, FG.text, Literal(text, lang="en")))
        self.g.add((node, FG.position, Literal(number, datatype=XSD.integer)))
        self.g.add((node, FG.source, self.doc))
        self.g.add((self.film, FG.item, node))
        self.source.records += 1
        return node

    # -- section readers (by kind, see filmpage.toml) -------------------------------------

    def _production(self, section: Section) -> None:
        keys = self.fmt.production
        for line in section.plain:
            text = line.text.strip()
            key = next(
                (
                    k
                    for k in sorted(keys, key=len, reverse=True)
                    if re.match(re.escape(k) + r"(?:\s*:\s*|\s+|$)", text, re.IGNORECASE)
                ),
                None,
            )
            if key is None:
                break
            value = text[len(key) :].strip().lstrip(":").strip()
            if not value or value.split(" -")[0].strip().lower() in self.fmt.unknown:
                continue
            try:
                getattr(self, "_production_" + keys[key].replace("-", "_"))(line, key, value)
            except SourceError as error:
                self.reject(error)

    def _production_release(self, line: Line, key: str, value: str) -> None:
        try:
            edtf = parse_release(value)
            parsed = parse_date(edtf)
        except ValueError as exc:
            raise self.page.error(line, key, str(exc)) from None
        node = hashed_iri("life-event", str(self.film), "release", edtf, "", str(self.doc))
        self.g.add((node, RDF.type, FG.Release))
        self.g.add((node, FG.ofFilm, self.film))
        self.g.add((node, FG.date, parsed.literal))
        self.g.add((node, FG.startDate, xsd_date(parsed.earliest)))
        self.g.add((node, FG.source, self.doc))
        if parsed.precise:
            self.g.add((self.film, FG.releaseDate, xsd_date(parsed.earliest)))

    def _production_box_office(self, line: Line, key: str, value: str) -> None:
        self.g.add((self.film, FG.boxOffice, Literal(value, lang="en")))

    def _production_companies(self, line: Line, key: str, value: str) -> None:
        for name in _split_list(value):
            org = self.resolve("org", name, (FG.Studio,), _GENERIC_ORG_WORDS)
            self.g.add((self.film, FG.productionCompany, org))

    def _production_locations(self, line: Line, key: str, value: str) -> None:
        for name in _split_list(value):
            place = self.resolve("place", name, (FG.Place,), _GENERIC_PLACE_WORDS)
            self.g.add((self.film, FG.filmingLocation, place))

    def _influenced_by(self, section: Section) -> None:
        self.connections(section, later_is_this=True)

    def _influenced(self, section: Section) -> None:
        self.connections(section, later_is_this=False)

    def connections(self, section: Section, *, later_is_this: bool) -> None:
        for line in section.bullets or section.plain:
            try:
                item = parse_connection(self.page, line, section.name)
            except SourceError as error:
                self.reject(error)
                continue
            other = self.film_ref(item.title, item.year, line)
            if other is None:
                continue
            later, earlier = (self.film, other) if later_is_this else (other, self.film)
            if later == earlier:
                self.reject(self.page.error(line, section.name, "a film cannot influence itself"))
                continue
            claim = hashed_iri(
                "claim", str(self.doc), "inspiration", str(later), str(earlier), item.aspect or ""
            )
            g = self.g
            g.add((claim, RDF.type, FG.InspirationClaim))
            g.add((claim, FG.influencee, later))
            g.add((claim, FG.influencer, earlier))
            g.add((claim, FG.source, self.doc))
            g.add((claim, FG.confidence, FG.MediumConfidence))
            g.add((claim, FG.evidence, Literal(line.text.strip().lstrip("•").strip(), lang="en")))
            if item.aspect:
                g.add((claim, FG.aspect, Literal(item.aspect, lang="en")))
            g.add((later, FG.inspiredBy, earlier))
            self.source.records += 1

    def _similar(self, section: Section) -> None:
        for line in section.lines:
            text = strip_bullet(line.text) or line.text.strip()
            titles, rest = split_titles(text)
            items: list[tuple[str, int | None]] = list(titles)
            if rest:
                items.append((rest, None))
            for title, year in items:
                if not any(c.isalnum() for c in title):
                    self.reject(
                        self.page.error(line, section.name, f"{text!r} has an item without a title")
                    )
                    continue
                other = self.film_ref(title, year, line)
                if other is None or other == self.film:
                    continue
                claim = hashed_iri("claim", str(self.doc), "similar", str(self.film), str(other))
                self.g.add((claim, RDF.type, FG.SimilarityClaim))
                self.g.add((claim, FG.similarFilm, self.film))
                self.g.add((claim, FG.similarFilm, other))
                self.g.add((claim, FG.source, self.doc))
                self.g.add((self.film, FG.similarTo, other))
                self.source.records += 1

    def _awards(self, section: Section) -> None:
        for line in section.bullets:
            self.award(line)
        for line in section.plain:
            text = line.text.strip()
            if text.endswith((".", "!", "?")) or not _YEAR.search(text):
                # A sentence ("No competitive awards are recorded for the film.") is kept in
                # the section's text, not read as an award.
                self.note(line, f"sentence in {section.name!r} not read as an award: {text!r}")
            else:
                self.note(line, f"award item without a bullet read as one: {text!r}")
                self.award(line)

    def award(self, line: Line) -> None:
        """One award item: the award of its festival or body, the recipient, outcome, year."""
        text = line.text.strip()
        name = _AWARD_END.split(text, maxsplit=1)[0].strip() or text
        body_match = _FESTIVAL.search(text, len(name))
        body = body_match.group("body").strip() if body_match else None
        if body and not re.search(
            r"festival|academy|awards?\b|prize|council|union|society|"
            r"critics|federation|circle|guild|state|government|poll",
            body,
            re.IGNORECASE,
        ):
            body = None  # "Best Actress, Tatiana Samoilova": a person, not a body
        award = self.award_node(name, body, line)
        outcome = FG.Nominated if re.search(r"\bnominat", text, re.IGNORECASE) else FG.Won
        recipient = self.recipient(text, name, line)
        bracketed = re.findall(r"\(((?:1[89]|20)[0-9]{2})\)", text)
        years = bracketed or _YEAR.findall(text)
        year = years[-1] if years else ""
        node = hashed_iri(
            "recognition", str(award), str(recipient), year, str(outcome), str(self.doc)
        )
        g = self.g
        g.add((node, RDF.type, FG.AwardRecognition))
        g.add((node, FG.ofAward, award))
        g.add((node, FG.recipient, recipient))
        g.add((node, FG.outcome, outcome))
        g.add((node, FG.source, self.doc))
        g.add((node, FG.evidence, Literal(text, lang="en")))
        if recipient != self.film:
            g.add((node, FG.forFilm, self.film))
        if year:
            g.add((node, FG.year, Literal(year, datatype=XSD.gYear)))
        self.source.records += 1

    def award_node(self, name: str, body: str | None, line: Line) -> URIRef:
        """The award called ``name`` of ``body``: a known one, or a new one of that body.

        "Grand Prix" of Cannes and of Venice are different awards: with a body named, a known
        award matches only if its label names the body too and does not continue the name
        into a longer one ("Grand Prix Spécial du Jury" is not "Grand Prix").
        """
        if body is None:
            candidates = self.gaz.lookup("award", name)
            if candidates:
                return candidates[0].iri
            return self.new_node("award", name, (FG.Award,))
        wanted = normalise(name)
        marks = [w for w in normalise(body).split() if w not in _BODY_WORDS and not w.isdigit()]
        for label, entries in self.gaz.names("award").items():
            at = f" {label} ".find(f" {wanted} ")
            if at < 0:
                continue
            after = label[at + len(wanted) :].split()
            if after and after[0] not in ("du", "de", "of", "at", "for") and after[0] not in marks:
                continue  # the label goes on into a longer name ("Grand Prix Spécial …")
            if marks and all(m in label.split() for m in marks):
                return entries[0].iri
        full = f"{name} ({body})"
        candidates = self.gaz.exact("award", full)
        if candidates:
            return candidates[0].iri
        self.note(line, f"award {name!r} of {body!r} is not in the graph: a new award, unresolved")
        return self.new_node("award", full, (FG.Award,))

    def recipient(self, text: str, name: str, line: Line) -> URIRef:
        """The film, unless the item names a person (or body) the award went to."""
        rest = text[len(name) :]
        who = _RECIPIENT.search(rest) or _DASHED_RECIPIENT.search(rest)
        if who is None:
            return self.film
        person_name = re.sub(
            r"^(?:the\s+)?(?:director|actor|actress)\s+",
            "",
            who.group("who").strip(),
            flags=re.IGNORECASE,
        )
        person_name = re.sub(r"\s*\((?:1[89]|20)[0-9]{2}\)\s*$", "", person_name).strip()
        for kind in ("person", "org"):
            found = self.gaz.lookup(kind, person_name)
            if found:
                return found[0].iri
        looks_personal = re.fullmatch(
            r"[A-Z][\w'\u2019.-]+(?:\s+[A-Z][\w'\u2019.-]+){1,3}", person_name
        )
        if (
            looks_personal
            and normalise(person_name) != normalise(self.page.header.title.text)
            and (_PERSON_AWARD.search(name) or re.search(r"awarded to|given to|presented to", text))
        ):
            self.note(
                line, f"recipient {person_name!r} is not in the graph: a new person, unresolved"
            )
            return self.new_node("person", person_name, (FG.Person,))
        return self.film

    def _lines(self, section: Section) -> None:
        for number, line in enumerate(section.bullets or section.plain, start=1):
            text = line.text.strip()
            match = _ATTRIBUTION.match(text)
            quote = match.group("text") if match and match.group("text") else text
            node = self.item("quote", FG.Quotation, number, quote)
            if match and match.group("text"):
                self.g.add((node, FG.attribution, Literal(match.group("who").strip())))

    def _bullets(self, section: Section) -> None:
        kinds = {
            "Memorable Scenes": ("scene", FG.MemorableScene),
            "Did You Know?": ("trivia", FG.TriviaItem),
        }
        kind, cls = kinds.get(section.name, ("item", FG.PageItem))
        for number, line in enumerate(section.bullets, start=1):
            self.item(kind, cls, number, line.text)
        self.unbulleted(section, kind, cls)

    def unbulleted(self, section: Section, kind: str, cls: URIRef) -> None:
        """Lines of an item list written without a bullet: kept as items, and reported."""
        offset = len(section.bullets)
        for number, line in enumerate(section.plain, start=offset + 1):
            self.note(line, f"line in {section.name!r} has no bullet; kept as an item")
            self.item(kind, cls, number, line.text.strip())

    def _unknown(self, section: Section) -> None:
        kind = "item-" + str(section.position)
        for number, line in enumerate(section.bullets + section.plain, start=1):
            self.item(kind, FG.PageItem, number, line.text.strip())

    def _topics(self, section: Section) -> None:
        vocabulary, only_bundled = self.vocabulary()
        for line in section.bullets + section.plain:
            result = segment_run(line.text.strip(), vocabulary)
            for label, concept in result.matches:
                if concept in only_bundled:
                    self.new_theme(label, concept)
                self.g.add((self.film, FG.hasTheme, concept))
                self.source.records += 1
            for leftover in result.leftovers:
                try:
                    concept = mint("theme", slug(leftover))
                except ValueError:  # a topic of signs only (":"): kept, under a hashed IRI
                    concept = hashed_iri("theme", leftover)
                self.new_theme(leftover, concept)
                self.g.add((self.film, FG.hasTheme, concept))
                self.source.records += 1
            if result.leftovers:
                self.note(
                    line,
                    "not in the theme vocabulary, kept as new concepts marked "
                    "unresolved: " + "; ".join(repr(t) for t in result.leftovers),
                )

    def new_theme(self, label: str, concept: URIRef) -> None:
        g = self.g
        g.add((concept, RDF.type, FG.Theme))
        g.add((concept, SKOS.prefLabel, Literal(label, lang="en")))
        g.add((concept, RDFS.label, Literal(label, lang="en")))
        g.add((concept, FG.unresolved, _TRUE))

    # -- facts stated only in prose ---------------------------------------------------------

    def prose_sentences(self, role: str) -> Iterator[str]:
        wanted = set(self.fmt.prose.get(role, ()))
        for section in self.page.sections:
            if section.name not in wanted:
                continue
            lines = section.bullets + section.plain
            if section.kind == "production":
                keys = tuple(k + " " for k in self.fmt.production)
                lines = [ln for ln in lines if not ln.text.strip().startswith(keys)]
            for line in lines:
                yield from sentences(strip_bullet(line.text) or line.text)

    def prose_facts(self) -> None:
        for sentence in self.prose_sentences("people"):
            for finding in find_credits(sentence):
                self.credit(finding.role, finding.name, finding.character, sentence)
            self.known_names_after_cues(sentence)
            for weak in find_weak_signals(sentence):
                self.note(None, f"weak signal, not asserted: {weak!r} in {sentence!r}")
        linked: set[URIRef] = set()
        for sentence in self.prose_sentences("context"):
            for mention in self.gaz.mentions("event", sentence, min_words=2, any_case=True):
                if mention.entry.iri not in linked:
                    linked.add(mention.entry.iri)
                    self.context_claim(mention.entry, sentence)
        for role in ("withdrawal", "restoration"):
            for sentence in self.prose_sentences(role):
                for life in find_life_events(
                    sentence, restoration=role == "restoration", withdrawal=role == "withdrawal"
                ):
                    self.life_event(life.kind, life.year, None, sentence)
        for sentence in self.prose_sentences("archive"):
            keepers = [
                m.entry.iri
                for m in self.gaz.mentions("org", sentence)
                if re.search(r"\b(preserved|held|kept|holds)\b", sentence)
            ]
            if not keepers:
                keepers = [
                    self.resolve("org", name, (FG.Archive,))
                    for name in find_archive_names(sentence)
                ]
            for keeper in keepers:
                self.life_event("archived", None, keeper, sentence)

    def known_names_after_cues(self, sentence: str) -> None:
        """Known people after a role word and known places after "filmed in", in any case.

        The patterns of :mod:`~filmgraph.loaders.pageprose` need a capitalised name; a name
        the graph knows is also found when written in lower case or in another
        transliteration the gazetteer holds ("director sergei eisenstein", "Sergej Ejzenštejn").
        """
        for role, end in role_words(sentence):
            mention = self._first_known("person", sentence, end)
            if mention is not None and role in _ROLE_NODES:
                self.credit(role, mention.text, None, sentence, mention.entry.iri)
        for end in place_cues(sentence):
            place = self._first_known("place", sentence, end)
            if place is not None:
                self.g.add((self.film, FG.filmingLocation, place.entry.iri))

    def _first_known(self, kind: str, sentence: str, start: int) -> Mention | None:
        """The known name of ``kind`` right at ``start`` of ``sentence`` (after "the")."""
        rest = sentence[start:]
        skip = len(rest) - len(re.sub(r"^\s*(?:the\s+|is\s+|was\s+|were\s+)?", "", rest))
        found = self.gaz.mentions(kind, rest[skip : skip + 80], any_case=True)
        return found[0] if found and found[0].start == 0 else None

    def credit(
        self,
        role: str,
        name: str,
        character: str | None,
        sentence: str,
        known: URIRef | None = None,
    ) -> None:
        person = known if known is not None else self.resolve("person", name, (FG.Person,))
        role_node = _ROLE_NODES[role]
        credit = hashed_iri("credit", str(self.film), str(person), role, character or "")
        g = self.g
        if (credit, RDF.type, FG.Credit) in g:
            return
        g.add((credit, RDF.type, FG.Credit))
        g.add((credit, FG.creditFilm, self.film))
        g.add((credit, FG.creditAgent, person))
        g.add((credit, FG.role, role_node))
        g.add((credit, FG.source, self.doc))
        g.add((credit, FG.evidence, Literal(sentence, lang="en")))
        if character:
            g.add((credit, FG.character, Literal(character)))
        g.add((self.film, alignments().direct[role_node], person))
        self.source.records += 1

    def context_claim(self, event: Entry, sentence: str) -> None:
        claim = hashed_iri("claim", str(self.doc), "context", str(self.film), str(event.iri))
        g = self.g
        g.add((claim, RDF.type, FG.ContextClaim))
        g.add((claim, FG.contextFilm, self.film))
        g.add((claim, FG.contextEvent, event.iri))
        g.add((claim, FG.source, self.doc))
        g.add((claim, FG.evidence, Literal(sentence, lang="en")))
        g.add((self.film, FG.historicalContext, event.iri))
        self.source.records += 1

    def life_event(self, kind: str, year: int | None, agent: URIRef | None, sentence: str) -> None:
        classes = {
            "withdrawal": FG.Withdrawal,
            "restoration": FG.Restoration,
            "archived": FG.ArchivalHolding,
        }
        date = f"{year:04d}" if year else ""
        node = hashed_iri("life-event", str(self.film), kind, date, str(agent or ""), str(self.doc))
        g = self.g
        if (node, RDF.type, classes[kind]) in g:
            return
        g.add((node, RDF.type, classes[kind]))
        g.add((node, FG.ofFilm, self.film))
        g.add((node, FG.source, self.doc))
        g.add((node, RDFS.comment, Literal(sentence, lang="en")))
        if year:
            parsed = parse_date(date)
            g.add((node, FG.date, parsed.literal))
            g.add((node, FG.startDate, xsd_date(parsed.earliest)))
        if agent is not None:
            g.add((node, FG.carriedOutBy, agent))
            entry = self.gaz.entry(agent)
            is_archive = (agent, RDF.type, FG.Archive) in g or (
                entry is not None and FG.Archive in entry.classes
            )
            if kind == "archived" and is_archive:
                g.add((self.film, FG.heldBy, agent))
        self.source.records += 1


def _split_list(value: str) -> list[str]:
    """Items of a comma-separated value, keeping commas inside brackets."""
    items, depth, current = [], 0, ""
    for char in value:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += char
    items.append(current)
    out: list[str] = []
    for item in items:
        out.extend(part.strip() for part in re.split(r"\s+and\s+", item) if part.strip())
    return out


@cache
def _bundled_themes() -> dict[str, URIRef]:
    """The bundled theme labels (``curated/themes.csv``), to split topic runs without a graph."""
    path = sources_dir() / "curated" / "themes.csv"
    if not path.is_file():
        return {}
    themes: dict[str, URIRef] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            concept = mint("theme", slug(row["id"]))
            for label in [row["label"], *(row.get("alt_labels") or "").split("|")]:
                if label.strip():
                    themes.setdefault(label.strip().lower(), concept)
    return themes
