"""A gazetteer of the names the graph already knows, for resolving what pages mention.

It is built from the graphs of the sources loaded before the pages in the same build
(:attr:`filmgraph.loaders.LoadContext.loaded`): every film, person, organisation, place,
event, award and theme with its labels, aliases, native names and their transliterations.
Look-ups go from exact (normalised) names to fuzzy ones (rapidfuzz, under a threshold);
what is not found is left to the caller to mark as new, never invented silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox
from rapidfuzz import fuzz, process
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from filmgraph.iri import fold, mint, slug
from filmgraph.loaders import Triples
from filmgraph.namespaces import FG

__all__ = [
    "FUZZY_THRESHOLD",
    "KIND_OF_CLASS",
    "Entry",
    "Gazetteer",
    "Mention",
    "normalise",
    "resolve_or_mark",
]

#: rapidfuzz ratio (0 to 100) at or above which two names are taken to be the same.
FUZZY_THRESHOLD = 90.0

KIND_OF_CLASS = {
    FG.Film: "film",
    FG.Person: "person",
    FG.Organization: "org",
    FG.Studio: "org",
    FG.Archive: "org",
    FG.StateBody: "org",
    FG.Place: "place",
    FG.Country: "country",
    FG.HistoricalEvent: "event",
    FG.HistoricalPeriod: "event",
    FG.Award: "award",
    FG.Theme: "theme",
}
_NAME_PROPS = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, FG.nativeName, FG.originalTitle)
_PUNCT = re.compile(r"[^\w\s]+")
_SPACE = re.compile(r"\s+")
_BRACKETED = re.compile(r"\s*\([^()]*\)\s*")
_OX_TYPE = ox.NamedNode(str(RDF.type))
_OX_YEAR = ox.NamedNode(str(FG.year))
_OX_UNRESOLVED = ox.NamedNode(str(FG.unresolved))
_WORD = re.compile(r"[\w'\u2019.-]+")


def normalise(name: str) -> str:
    """A name reduced for comparison: transliterated, casefolded, without punctuation.

    >>> normalise("Шахтёры")
    'shakhtery'
    >>> normalise("Palme d'Or")
    'palme dor'
    """
    return _SPACE.sub(" ", _PUNCT.sub(" ", fold(name))).strip()


@dataclass
class _Described:
    """What one source graph says of one node: its kind classes, names by property, year."""

    classes: list[URIRef] = field(default_factory=list)
    names: dict[URIRef, list[str]] = field(default_factory=dict)
    year: str | None = None


def _placeholders(store: ox.Store) -> set[tuple[str, str]]:
    """(graph, node) of every node a graph of ``store`` marks ``fg:unresolved``."""
    return {
        (q.graph_name.value, q.subject.value)
        for q in store.quads_for_pattern(None, _OX_UNRESOLVED, None, None)
        if isinstance(q.graph_name, ox.NamedNode)
        and isinstance(q.subject, ox.NamedNode)
        and isinstance(q.object, ox.Literal)
        and q.object.value == "true"
    }


def _described_in(described: dict[str, dict[str, _Described]], q: ox.Quad) -> _Described | None:
    g, s = q.graph_name, q.subject
    if isinstance(g, ox.NamedNode) and isinstance(s, ox.NamedNode):
        return described.get(g.value, {}).get(s.value)
    return None


@dataclass(frozen=True)
class Entry:
    """A resource the graph knows: its IRI, kind, main label, year (films) and classes."""

    iri: URIRef
    kind: str
    label: str
    year: int | None
    classes: frozenset[URIRef]
    #: Order in which its source was loaded: earlier sources win ties.
    rank: int


@dataclass(frozen=True)
class Mention:
    """A known name found in a text: where, and which resource."""

    start: int
    end: int
    text: str
    entry: Entry


@dataclass
class Gazetteer:
    """Names by kind, normalised, each pointing at the resources that carry it."""

    _names: dict[str, dict[str, list[Entry]]] = field(default_factory=dict)
    _entries: dict[URIRef, Entry] = field(default_factory=dict)
    _graphs: int = 0

    @classmethod
    def from_graphs(cls, graphs: Iterable[Graph | Triples]) -> Gazetteer:
        """A gazetteer of everything named in ``graphs``, in load order."""
        gazetteer = cls()
        for graph in graphs:
            gazetteer.add_graph(graph)
        return gazetteer

    @classmethod
    def from_store(cls, store: ox.Store, graphs: Sequence[URIRef]) -> Gazetteer:
        """A gazetteer of everything named in the named graphs ``graphs`` of ``store``.

        The graphs are read in the order given (earlier ones win ties), as
        :meth:`from_graphs` reads rdflib graphs; ``Entry.classes`` holds the classes of
        :data:`KIND_OF_CLASS` the node has there. A node a graph marks ``fg:unresolved``
        (a placeholder a page wrote for a name it did not know) is not a name the graph
        knows: a later source writes its own placeholder in its own graph, as it would if
        it came in the same folder, and linking merges the two.
        """
        rank = {str(g): i for i, g in enumerate(graphs)}
        described: dict[str, dict[str, _Described]] = {str(g): {} for g in graphs}
        placeholders = _placeholders(store)
        for cls_iri in KIND_OF_CLASS:
            for q in store.quads_for_pattern(None, _OX_TYPE, ox.NamedNode(str(cls_iri)), None):
                g = q.graph_name
                if (
                    isinstance(g, ox.NamedNode)
                    and g.value in rank
                    and isinstance(q.subject, ox.NamedNode)
                    and (g.value, q.subject.value) not in placeholders
                ):
                    described[g.value].setdefault(q.subject.value, _Described()).classes.append(
                        cls_iri
                    )
        for prop in _NAME_PROPS:
            for q in store.quads_for_pattern(None, ox.NamedNode(str(prop)), None, None):
                named = _described_in(described, q)
                if named is not None and isinstance(q.object, ox.Literal):
                    named.names.setdefault(prop, []).append(q.object.value)
        for q in store.quads_for_pattern(None, _OX_YEAR, None, None):
            dated = _described_in(described, q)
            if dated is not None and isinstance(q.object, ox.Literal) and dated.year is None:
                dated.year = q.object.value
        gazetteer = cls()
        for graph in sorted(described, key=rank.__getitem__):
            gazetteer._add_described(
                {URIRef(node): d for node, d in sorted(described[graph].items())}
            )
        return gazetteer

    def add_graph(self, graph: Graph | Triples) -> None:
        """Add the named resources of one source graph (not its placeholders: see
        :meth:`from_store`)."""
        described: dict[URIRef, _Described] = {}
        for node, cls in graph.subject_objects(RDF.type):
            if (
                isinstance(node, URIRef)
                and isinstance(cls, URIRef)
                and cls in KIND_OF_CLASS
                and (node, FG.unresolved, Literal(True)) not in graph
            ):
                found = described.setdefault(node, _Described())
                found.classes.append(cls)
                if len(found.classes) == 1:
                    for prop in _NAME_PROPS:
                        names = [str(o) for o in graph.objects(node, prop)]
                        if names:
                            found.names[prop] = names
                    year = graph.value(node, FG.year)
                    found.year = str(year) if year is not None else None
        self._add_described(described)

    def _add_described(self, described: dict[URIRef, _Described]) -> None:
        """Add the resources one source graph describes (one rank for all of them)."""
        rank = self._graphs
        self._graphs += 1
        for node, found in described.items():
            names = [name for prop in _NAME_PROPS for name in found.names.get(prop, ())]
            if not names:
                continue
            year = int(found.year[:4]) if found.year is not None else None
            for cls in found.classes:
                kind = KIND_OF_CLASS[cls]
                kinds = {kind, "place"} if kind == "country" else {kind}
                old = self._entries.get(node)
                entry = Entry(
                    node,
                    kind,
                    old.label if old else names[0],
                    year or (old.year if old else None),
                    frozenset(found.classes) | (old.classes if old else frozenset()),
                    old.rank if old else rank,
                )
                self._entries[node] = entry
                for k in kinds:
                    table = self._names.setdefault(k, {})
                    for name in names:
                        for variant in _variants(name):
                            bucket = table.setdefault(variant, [])
                            bucket[:] = [e for e in bucket if e.iri != node] + [entry]

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, iri: URIRef) -> Entry | None:
        """What the gazetteer knows about ``iri``."""
        return self._entries.get(iri)

    def names(self, kind: str) -> dict[str, list[Entry]]:
        """Every normalised name of ``kind`` with its resources."""
        return self._names.get(kind, {})

    def exact(self, kind: str, name: str) -> list[Entry]:
        """Resources of ``kind`` one of whose names is ``name`` once normalised."""
        found: list[Entry] = []
        for variant in _variants(name):
            for entry in self.names(kind).get(variant, []):
                if entry not in found:
                    found.append(entry)
        return sorted(found, key=lambda e: (e.rank, str(e.iri)))

    def fuzzy(self, kind: str, name: str, threshold: float = FUZZY_THRESHOLD) -> list[Entry]:
        """Resources of ``kind`` whose name is at least ``threshold`` similar to ``name``."""
        table = self.names(kind)
        key = normalise(name)
        if not table or not key:
            return []
        hits = process.extract(key, list(table), scorer=fuzz.ratio, score_cutoff=threshold, limit=5)
        found: list[Entry] = []
        for hit, _score, _ in hits:
            for entry in table[hit]:
                if entry not in found:
                    found.append(entry)
        return sorted(found, key=lambda e: (e.rank, str(e.iri)))

    def lookup(self, kind: str, name: str) -> list[Entry]:
        """Exact names first, then fuzzy ones; empty when nothing is close enough.

        A person matches fuzzily only on a name with the same surname: "Sergey Urusevsky" is
        "Sergei Urusevsky", but "Boris Chirskov" (a screenwriter) is not "Boris Chirkov"
        (an actor), however close the spellings.
        """
        exact = self.exact(kind, name)
        if exact:
            return exact
        found = self.fuzzy(kind, name)
        if kind == "person":
            surname = normalise(name).split()[-1:]
            found = [
                e
                for e in found
                if any(v.split()[-1:] == surname for v in _variants(e.label))
                or self._surname_known(e, surname)
            ]
        return found

    def _surname_known(self, entry: Entry, surname: list[str]) -> bool:
        """Whether one of the names ``entry`` is known by ends in ``surname``."""
        return any(
            entry in entries and key.split()[-1:] == surname
            for key, entries in self.names(entry.kind).items()
        )

    def films(self, title: str, year: int | None) -> list[Entry]:
        """Films called ``title`` (exactly, then fuzzily) within a year either side of ``year``.

        Release years differ between sources by one, rarely more; a film named without a
        year matches by title alone (several matches are for the caller to report).
        """
        for candidates in (self.exact("film", title), self.fuzzy("film", title)):
            if year is None:
                if candidates:
                    return candidates
                continue
            close = [e for e in candidates if e.year is None or abs(e.year - year) <= 1]
            if close:
                return sorted(close, key=lambda e: (e.year != year, e.rank, str(e.iri)))
        return []

    def mentions(
        self, kind: str, text: str, *, min_words: int = 1, any_case: bool = False
    ) -> list[Mention]:
        """Known names of ``kind`` in ``text``: longest first, non-overlapping, left to right.

        A name must start at a word boundary with the capital letter a proper name has
        in running text (or match a name written in lowercase), and have ``min_words`` words.
        With ``any_case``, a name of two words or more matches whatever the case of its first
        letter ("the assassination of Sergei Kirov"): a run of words that long names the
        thing it names in either case.
        """
        table = self.names(kind)
        words = list(_words(text))
        found: list[Mention] = []
        i = 0
        longest = 8
        while i < len(words):
            hit: Mention | None = None
            for n in range(min(longest, len(words) - i), min_words - 1, -1):
                if n == 0:
                    break
                start, end = words[i][0], words[i + n - 1][1]
                span = text[start:end]
                entries = table.get(normalise(span))
                if entries and (
                    span[0].isupper()
                    or not span[0].isalpha()
                    or (any_case and n >= 2)
                    or any(e.label[:1].islower() for e in entries)
                ):
                    best = sorted(entries, key=lambda e: (e.rank, str(e.iri)))[0]
                    hit = Mention(start, end, span, best)
                    break
            if hit is not None:
                found.append(hit)
                i += len(list(_words(hit.text)))
            else:
                i += 1
        return found


def _words(text: str) -> Iterator[tuple[int, int]]:
    for match in _WORD.finditer(text):
        word = match.group(0).rstrip(".'\u2019")
        if word:
            yield match.start(), match.start() + len(word)


def _variants(name: str) -> set[str]:
    """The normalised forms a name is known by: itself, and without a bracketed part."""
    variants = {normalise(name)}
    short = _BRACKETED.sub(" ", name).strip()
    if short and short != name:
        variants.add(normalise(short))
    return {v for v in variants if v}


def resolve_or_mark(
    gazetteer: Gazetteer, graph: Graph | Triples, kind: str, name: str, classes: tuple[URIRef, ...]
) -> URIRef:
    """The known resource of ``kind`` called ``name``, or a new node marked unresolved.

    The new node is minted from the name (so two sources naming the same unknown person
    meet on one node), typed with ``classes``, labelled, and flagged ``fg:unresolved true``.
    """
    found = gazetteer.lookup(kind, name)
    if found:
        return found[0].iri
    node = mint("place" if kind == "country" else kind, slug(name))
    for cls in classes:
        graph.add((node, RDF.type, cls))
    graph.add((node, RDFS.label, Literal(name, lang="en")))
    graph.add((node, FG.unresolved, Literal(True)))
    return node
