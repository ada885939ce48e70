"""Reasoning: what the ontology entails, and historical context derived from dates.

Two routes give the same entailments on the predicates the ontology needs:

* :func:`owl_rl_closure` — the full OWL 2 RL closure computed by ``owlrl`` on an rdflib graph.
  Complete, but slow: minutes at ten thousand films (``shared/notes/engines.md``).
* :func:`materialise_store` — the targeted materialisation the build uses: the rules in
  ``ontology/rules/*.rq`` (sub-class, sub-property, inverse, symmetric, transitive, domain,
  range, and two date rules for historical context), each a SPARQL ``CONSTRUCT``, run to a
  fixpoint inside the build's own pyoxigraph store. Seconds at that size.
  :func:`materialise` does the same for data held in rdflib (tests, notebooks).

Everything inferred goes into one named graph, :data:`INFERRED_GRAPH`, so an export can
include or leave it out, and a scholar can always tell stated from derived. Derived
historical context (``fg:derivedContext``) also gets a qualified ``fg:ContextDerivation``
node naming the rule that made it. Influence ancestry is not materialised: queries follow
``fg:drewOn+`` at query time.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from filmgraph.errors import FastPathRefused, SourceError
from filmgraph.namespaces import FG, ID
from filmgraph.resources import project_root
from filmgraph.store.oxigraph import from_oxigraph

__all__ = [
    "CONTEXT_RULES",
    "INFERRED_GRAPH",
    "Rule",
    "comparable",
    "load_rules",
    "materialise",
    "materialise_delta",
    "materialise_store",
    "owl_rl_closure",
    "rules_dir",
]

#: The named graph that holds every inferred triple.
INFERRED_GRAPH = ID["graph/inferred"]
#: The rules that derive historical context from dates (owlrl knows nothing of them).
CONTEXT_RULES = ("context-year-within-event", "context-release-within-event")
#: A guard against a rule set that never settles (each round must add something).
MAX_ROUNDS = 50

#: The order rules run in (others after them, by name): property hierarchy and inverses
#: first, then the typing they feed, the date rules last (they read the types).
_ORDER = (
    "sub-property-of",
    "inverse-of",
    "symmetric",
    "transitive",
    "domain",
    "range",
    "sub-class-of",
    "context-release-within-event",
    "context-year-within-event",
)
_HEADER = re.compile(r"^#\s*(rule|summary|delta)\s*:\s*(.*)$")
_DATA = str(ID)


@dataclass(frozen=True)
class Rule:
    """One inference rule: a SPARQL ``CONSTRUCT`` whose template is its conclusion."""

    name: str
    summary: str
    text: str
    path: Path
    #: ``# delta: yes``: one pattern reads the data, the others only the ontology's axioms,
    #: so a later round may run it on what was inferred since it last ran
    delta: bool = False


def rules_dir() -> Path:
    """Where the rule files live (``ontology/rules``)."""
    return project_root() / "ontology" / "rules"


def load_rules(directory: Path | None = None, names: Iterable[str] | None = None) -> list[Rule]:
    """The rules in ``directory`` (default :func:`rules_dir`), optionally only ``names``."""
    folder = directory if directory is not None else rules_dir()
    found = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        fields = {}
        for line in text.splitlines():
            match = _HEADER.match(line)
            if match:
                fields[match[1]] = match[2].strip()
        if fields.get("rule") != path.stem or not fields.get("summary"):
            raise SourceError(
                path,
                "needs '# rule: NAME' (the file name) and '# summary: …'",
                line=1,
                field="rule",
            )
        found.append(
            Rule(path.stem, fields["summary"], text, path, delta=fields.get("delta") == "yes")
        )
    if names is not None:
        wanted = set(names)
        unknown = wanted - {r.name for r in found}
        if unknown:
            raise ValueError(f"no such rules: {', '.join(sorted(unknown))}")
        found = [r for r in found if r.name in wanted]
    return found


def _to_rdflib(graph: Graph, triples: Iterable[ox.Triple | ox.Quad]) -> None:
    for t in triples:
        graph.add((from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object)))


def materialise_store(
    store: ox.Store, rules: Sequence[Rule] | None = None, *, naive: bool = False
) -> int:
    """Run the rules inside ``store`` until they settle, writing :data:`INFERRED_GRAPH`.

    The rules read the union of every named graph of ``store`` (the ontology included, as
    the named graph ``graph:ontology``) and what earlier rounds inferred; each conclusion
    that is not yet in :data:`INFERRED_GRAPH` is added there. Returns how many triples were
    inferred.

    Rounds are semi-naive: after its first run, a rule marked ``# delta: yes`` (one pattern
    on the data, the rest on the vocabulary) reads only what was inferred since it last ran,
    together with the vocabulary, in a scratch store; any other rule runs again in full,
    and only when something was added since its last run. The date rules are joined in
    Python (see :data:`_JOINS`). ``naive`` runs every rule as SPARQL over the whole store
    each round: the reference route the benchmark and the tests compare with.
    """
    chosen = sorted(list(rules) if rules is not None else load_rules(), key=_rule_rank)
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    #: every triple inferred so far, in order; a rule read the ones before its mark
    added: list[ox.Triple] = []
    marks: dict[str, int] = {}
    vocabulary = _vocabulary(store)
    for _ in range(MAX_ROUNDS):
        before = len(added)
        for rule in chosen:
            mark = marks.get(rule.name)
            if mark == len(added):
                continue  # nothing new since it last ran: it would add nothing
            if naive or mark is None or not rule.delta or _touches_vocabulary(added[mark:]):
                candidates = _run_full(store, rule, naive)
                fresh = {
                    t
                    for t in candidates
                    if ox.Quad(t.subject, t.predicate, t.object, inferred) not in store
                }
            else:
                candidates = _run_on(rule, vocabulary + added[mark:])
                fresh = {t for t in candidates if not _stated(store, t)}
            if fresh:
                store.extend(ox.Quad(t.subject, t.predicate, t.object, inferred) for t in fresh)
                added.extend(fresh)
                if _touches_vocabulary(fresh):
                    vocabulary = _vocabulary(store)
            marks[rule.name] = len(added)
        if len(added) == before:
            return len(added)
    raise RuntimeError(f"the rules did not settle after {MAX_ROUNDS} rounds")


def _run_full(store: ox.Store, rule: Rule, naive: bool) -> Iterable[ox.Triple]:
    """What ``rule`` concludes from the whole store."""
    join = None if naive else _JOINS.get(rule.name)
    if join is not None:
        try:
            return join(store)
        except _Unreadable:
            pass  # a value the join does not read: the SPARQL text decides
    triples = store.query(rule.text, use_default_graph_as_union=True)
    if not isinstance(triples, ox.QueryTriples):
        raise SourceError(rule.path, "a rule must be a CONSTRUCT query", field="rule")
    return list(triples)


def _run_on(rule: Rule, triples: list[ox.Triple]) -> list[ox.Triple]:
    """What ``rule`` concludes from ``triples`` alone (the vocabulary and a delta)."""
    scratch = ox.Store()
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    result = scratch.query(rule.text)
    if not isinstance(result, ox.QueryTriples):
        raise SourceError(rule.path, "a rule must be a CONSTRUCT query", field="rule")
    return list(result)


def _stated(store: ox.Store, triple: ox.Triple) -> bool:
    """True when some graph of ``store`` holds ``triple``."""
    found = store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)
    return next(iter(found), None) is not None


#: What the ``# delta`` rules read besides their one data pattern: the ontology's axioms.
_AXIOMS = tuple(
    ox.NamedNode(str(p))
    for p in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.inverseOf, RDFS.domain, RDFS.range)
)
_AXIOM_CLASSES = tuple(
    ox.NamedNode(str(c)) for c in (OWL.Class, OWL.SymmetricProperty, OWL.TransitiveProperty)
)
_TYPE = ox.NamedNode(str(RDF.type))


def _vocabulary(store: ox.Store) -> list[ox.Triple]:
    """Every axiom the ``# delta`` rules join their data pattern with, from every graph."""
    found = {
        ox.Triple(q.subject, q.predicate, q.object)
        for p in _AXIOMS
        for q in store.quads_for_pattern(None, p, None, None)
    }
    found.update(
        ox.Triple(q.subject, q.predicate, q.object)
        for c in _AXIOM_CLASSES
        for q in store.quads_for_pattern(None, _TYPE, c, None)
    )
    return list(found)


def _touches_vocabulary(triples: Iterable[ox.Triple]) -> bool:
    """True when an inferred triple is an axiom: the delta rules must then read everything."""
    return any(
        t.predicate in _AXIOMS or (t.predicate == _TYPE and t.object in _AXIOM_CLASSES)
        for t in triples
    )


def materialise_delta(
    store: ox.Store,
    novel: Sequence[ox.Triple],
    stated: Sequence[ox.Triple],
    removed: Sequence[ox.Triple],
    rules: Sequence[Rule] | None = None,
) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """Bring :data:`INFERRED_GRAPH` of ``store`` up to date after triples were added.

    ``store`` holds what :func:`materialise_store` inferred from the previous data, and the
    new data already: ``novel`` are the added triples no graph held before, ``stated`` every
    triple now stated (an inferred triple that a source now states leaves the inferred
    graph: a full build infers only what is not stated), ``removed`` the triples no graph
    states any more. The rules are forward rules, so what the new triples entail is found
    from them alone, semi-naively: each rule marked ``# delta: yes`` reads the vocabulary and
    the triples new since the last round, the transitive rule joins them with the store,
    and the date rules run again when a film, release or event changed.

    Returns (triples inferred, triples that left the inferred graph). Raises
    :class:`~filmgraph.errors.FastPathRefused` where the delta would not give the full
    closure: the vocabulary changed, a removed triple entailed something, or a country was
    added to a film or event with derived context (the date rules read countries
    negatively).
    """
    chosen = sorted(list(rules) if rules is not None else load_rules(), key=_rule_rank)
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    vocabulary = _vocabulary(store)
    if _touches_vocabulary([*novel, *removed]):
        raise FastPathRefused("the change states or removes ontology axioms")
    transitive = {q.subject for q in store.quads_for_pattern(None, _TYPE, _AXIOM_CLASSES[2], None)}
    delta_rules = [r for r in chosen if r.delta]
    others = {r.name for r in chosen if not r.delta} - {"transitive", *CONTEXT_RULES}
    if others:
        raise FastPathRefused(f"rules without a delta form: {', '.join(sorted(others))}")
    if removed:
        if any(t.predicate in transitive or t.predicate in _CONTEXT_PREDICATES for t in removed):
            raise FastPathRefused("a removed triple may have entailed derived context or a chain")
        for rule in delta_rules:
            for t in _run_on(rule, vocabulary + list(removed)):
                if ox.Quad(t.subject, t.predicate, t.object, inferred) in store:
                    raise FastPathRefused(f"a removed triple entailed {t} ({rule.name})")
    left = [t for t in dict.fromkeys(stated) if ox.Quad(*_spo(t), inferred) in store]
    for t in left:
        store.remove(ox.Quad(*_spo(t), inferred))
    added: list[ox.Triple] = []
    frontier = list(dict.fromkeys(novel))
    for _ in range(MAX_ROUNDS):
        if not frontier:
            return added, left
        for t in frontier:
            if t.predicate == _COUNTRY and _has_derivations(store, t.subject):
                raise FastPathRefused(
                    f"a country was added to {t.subject}, which has derived context"
                )
        candidates: list[ox.Triple] = []
        for rule in delta_rules:
            candidates += _run_on(rule, vocabulary + frontier)
        candidates += _transitive_delta(store, frontier, transitive)
        candidates += _context_delta(store, frontier, chosen)
        fresh = [t for t in dict.fromkeys(candidates) if not _stated_named(store, t)]
        store.extend(ox.Quad(*_spo(t), inferred) for t in fresh)
        added += fresh
        frontier = fresh
    raise RuntimeError(f"the rules did not settle after {MAX_ROUNDS} rounds")


def _spo(t: ox.Triple) -> tuple[Any, Any, Any]:
    return t.subject, t.predicate, t.object


def _stated_named(store: ox.Store, triple: ox.Triple) -> bool:
    """True when a named graph of ``store`` holds ``triple`` (the merged default aside)."""
    return any(
        not isinstance(q.graph_name, ox.DefaultGraph)
        for q in store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)
    )


def _has_derivations(store: ox.Store, node: Any) -> bool:
    for p in ("derivedFilm", "derivedEvent"):
        if next(iter(store.quads_for_pattern(None, ox.NamedNode(_FG + p), node, None)), None):
            return True
    return False


def _transitive_delta(
    store: ox.Store, frontier: Sequence[ox.Triple], transitive: set[Any]
) -> list[ox.Triple]:
    """What the transitive rule concludes with at least one premise in ``frontier``."""
    out: list[ox.Triple] = []
    for t in frontier:
        if t.predicate not in transitive or isinstance(t.object, ox.Literal):
            continue
        for q in store.quads_for_pattern(t.object, t.predicate, None, None):
            if q.object != t.subject:
                out.append(ox.Triple(t.subject, t.predicate, q.object))
        for q in store.quads_for_pattern(None, t.predicate, t.subject, None):
            if q.subject != t.object:
                out.append(ox.Triple(q.subject, t.predicate, t.object))
    return out


# -- the date rules, joined in Python -----------------------------------------------------
#
# The two context rules compare every event with every film (or release): the engine runs
# them as a nested loop (20 s a run at 10,000 films). The same conclusions come from two
# sorted lists read from the store, events by interval and films by year (releases by day),
# joined by bisection. The ``.rq`` files stay the definition: when a value is of a form the
# join does not read (a bound that is not a plain ``xsd:date``, a year of other than four
# digits), the rule runs as SPARQL instead, so the conclusions are the same either way.

_FG = "https://w3id.org/filmgraph/ontology#"
_XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
_PLAIN_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_PLAIN_YEAR = re.compile(r"^[0-9]{4}$")
_DERIVED = "https://w3id.org/filmgraph/id/claim/derived-"
#: What the date rules read: a change to one of these runs them again.
_CONTEXT_PREDICATES = frozenset(
    ox.NamedNode(_FG + p)
    for p in ("year", "hasCountry", "ofFilm", "date", "startDate", "endDate", "start", "end")
)
_CONTEXT_CLASSES = frozenset(ox.NamedNode(_FG + c) for c in ("Film", "Release", "HistoricalEvent"))
_COUNTRY = ox.NamedNode(_FG + "hasCountry")
_EVENT = ox.NamedNode(_FG + "HistoricalEvent")
_RELEASE = ox.NamedNode(_FG + "Release")
_FILM_CLASS = ox.NamedNode(_FG + "Film")
_OF_FILM = ox.NamedNode(_FG + "ofFilm")
_YEAR_P = ox.NamedNode(_FG + "year")
_DATE = ox.NamedNode(_FG + "date")
_START_DATE = ox.NamedNode(_FG + "startDate")


class _Unreadable(Exception):
    """A value the Python join does not read: the rule runs as SPARQL instead."""


def _rows(store: ox.Store, sparql: str, union: bool = True) -> list[list[Any]]:
    result = store.query(f"PREFIX fg: <{_FG}>\n" + sparql, use_default_graph_as_union=union)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("expected a SELECT")
    names = [v.value for v in result.variables]
    return [[row[n] for n in names] for row in result]


def _day(term: Any) -> str:
    """An ``xsd:date`` literal as its ISO text, comparable as a string (years 0000 to 9999)."""
    if (
        not isinstance(term, ox.Literal)
        or term.datatype.value != _XSD_DATE
        or not _PLAIN_DATE.match(term.value)
    ):
        raise _Unreadable
    try:
        dt.date.fromisoformat(term.value)
    except ValueError:
        raise _Unreadable from None
    return term.value


def _events(store: ox.Store, union: bool = True) -> list[tuple[ox.NamedNode, str, str]]:
    """Every event lasting from one day to another, with its widest bounds (each pair).

    Without ``union`` they are read from the default graph alone: a built store keeps the
    merge of its named graphs there (reading the union would repeat each match once per
    combination of graphs stating its parts).
    """
    rows = _rows(
        store,
        """SELECT DISTINCT ?event ?from ?to WHERE {
        ?event fg:start ?start ; fg:end ?end ; fg:startDate ?from ; fg:endDate ?to .
        FILTER (STR(?start) != STR(?end))
        ?event a fg:HistoricalEvent . }""",
        union,
    )
    return [(event, _day(start), _day(end)) for event, start, end in rows]


def _countries(store: ox.Store) -> dict[Any, set[Any]]:
    found: dict[Any, set[Any]] = {}
    for thing, country in _rows(store, "SELECT ?s ?c WHERE { ?s fg:hasCountry ?c }"):
        found.setdefault(thing, set()).add(country)
    return found


def _shares_country(countries: dict[Any, set[Any]], event: Any, film: Any) -> bool:
    ours, theirs = countries.get(event), countries.get(film)
    return not ours or not theirs or not ours.isdisjoint(theirs)


def _context(film: Any, event: Any, rule: str, tag: str) -> list[ox.Triple]:
    digest = hashlib.md5(f"{film.value} {event.value} {tag}".encode()).hexdigest()
    node = ox.NamedNode(_DERIVED + digest)
    fg = _FG
    return [
        ox.Triple(film, ox.NamedNode(fg + "derivedContext"), event),
        ox.Triple(node, _TYPE, ox.NamedNode(fg + "ContextDerivation")),
        ox.Triple(node, ox.NamedNode(fg + "derivedFilm"), film),
        ox.Triple(node, ox.NamedNode(fg + "derivedEvent"), event),
        ox.Triple(node, ox.NamedNode(fg + "rule"), ox.NamedNode(fg + rule)),
    ]


def _node(triples: list[ox.Triple]) -> str:
    """The IRI of the derivation node among a derivation's triples (see :func:`_context`)."""
    return str(triples[1].subject)[1:-1]


def _derived_already(store: ox.Store, rule: str) -> set[str]:
    return {
        q.subject.value
        for q in store.quads_for_pattern(None, ox.NamedNode(_FG + "rule"), ox.NamedNode(_FG + rule))
        if isinstance(q.subject, ox.NamedNode)
    }


def _year_within_event(store: ox.Store) -> list[ox.Triple]:
    """``context-year-within-event``: films whose whole year lies inside an event."""
    events = _events(store)
    by_year: dict[int, list[Any]] = {}
    for film, year in _rows(store, "SELECT ?f ?y WHERE { ?f a fg:Film ; fg:year ?y }"):
        text = year.value if isinstance(year, ox.Literal) else ""
        if not _PLAIN_YEAR.match(text):
            raise _Unreadable
        by_year.setdefault(int(text), []).append(film)
    if not events or not by_year:
        return []
    countries = _countries(store)
    done = _derived_already(store, "FilmYearWithinEvent")
    out: list[ox.Triple] = []
    for event, start, end in events:
        first = int(start[:4]) + (start[5:] != "01-01")  # the first year wholly inside
        last = int(end[:4]) - (end[5:] != "12-31")
        for year in range(max(first, min(by_year)), min(last, max(by_year)) + 1):
            for film in by_year.get(year, ()):
                if not _shares_country(countries, event, film):
                    continue
                triples = _context(film, event, "FilmYearWithinEvent", "film-year-within-event")
                if _node(triples) not in done:
                    out.extend(triples)
    return out


def _release_within_event(store: ox.Store) -> list[ox.Triple]:
    """``context-release-within-event``: releases known to the day inside an event."""
    events = _events(store)
    releases: list[tuple[str, Any]] = []
    for film, date, day in _rows(
        store,
        """SELECT ?film ?date ?day WHERE {
            ?release a fg:Release ; fg:ofFilm ?film ; fg:date ?date ; fg:startDate ?day . }""",
    ):
        if isinstance(date, ox.Literal) and _PLAIN_DATE.match(date.value):
            releases.append((_day(day), film))
    if not events or not releases:
        return []
    releases.sort(key=lambda r: r[0])
    days = [r[0] for r in releases]
    countries = _countries(store)
    done = _derived_already(store, "ReleaseWithinEvent")
    out: list[ox.Triple] = []
    for event, start, end in events:
        for index in range(bisect.bisect_left(days, start), bisect.bisect_right(days, end)):
            film = releases[index][1]
            if not _shares_country(countries, event, film):
                continue
            triples = _context(film, event, "ReleaseWithinEvent", "release-within-event")
            if _node(triples) not in done:
                out.extend(triples)
    return out


def _context_delta(
    store: ox.Store, frontier: Sequence[ox.Triple], rules: Sequence[Rule]
) -> list[ox.Triple]:
    """What the date rules conclude that ``frontier`` may have made true.

    A change to a film (its type, year or countries) or to a release is joined with every
    event, by the same Python joins restricted to the films touched; a change to an event
    runs the rules over everything.
    """
    touched = [
        t
        for t in frontier
        if t.predicate in _CONTEXT_PREDICATES
        or (t.predicate == _TYPE and t.object in _CONTEXT_CLASSES)
    ]
    if not touched:
        return []
    films: set[Any] = set()
    for t in touched:
        classes = {q.object for q in store.quads_for_pattern(t.subject, _TYPE, None, None)}
        if _EVENT in classes:
            out: list[ox.Triple] = []
            for name in CONTEXT_RULES:
                out += _run_full(store, next(r for r in rules if r.name == name), naive=False)
            return out
        if _RELEASE in classes:
            films |= {q.object for q in store.quads_for_pattern(t.subject, _OF_FILM, None, None)}
        if t.predicate == _OF_FILM:
            films.add(t.object)
        if _FILM_CLASS in classes:
            films.add(t.subject)
    if not films:
        return []
    try:
        return _films_within_events(store, films)
    except _Unreadable:
        raise FastPathRefused(
            "a film or release has a date the date rules read as SPARQL"
        ) from None


def _films_within_events(store: ox.Store, films: set[Any]) -> list[ox.Triple]:
    """Both date rules for ``films`` only (see :func:`_year_within_event`)."""
    merged = next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None)
    events = _events(store, union=merged is None)
    if not events:
        return []
    countries: dict[Any, set[Any]] = {}
    for node in {e for e, _, _ in events} | films:
        found = {q.object for q in store.quads_for_pattern(node, _COUNTRY, None, None)}
        if found:
            countries[node] = found
    out: list[ox.Triple] = []
    for film in sorted(films, key=str):
        if not any(True for _ in store.quads_for_pattern(film, _TYPE, _FILM_CLASS, None)):
            continue
        for year in {q.object for q in store.quads_for_pattern(film, _YEAR_P, None, None)}:
            text = year.value if isinstance(year, ox.Literal) else ""
            if not _PLAIN_YEAR.match(text):
                raise _Unreadable
            for event, start, end in events:
                first = int(start[:4]) + (start[5:] != "01-01")
                last = int(end[:4]) - (end[5:] != "12-31")
                if first <= int(text) <= last and _shares_country(countries, event, film):
                    triples = _context(film, event, "FilmYearWithinEvent", "film-year-within-event")
                    if not _derived_by(store, triples):
                        out.extend(triples)
        for q in store.quads_for_pattern(None, _OF_FILM, film, None):
            release = q.subject
            if not any(True for _ in store.quads_for_pattern(release, _TYPE, _RELEASE, None)):
                continue
            dates = [r.object for r in store.quads_for_pattern(release, _DATE, None, None)]
            if not any(isinstance(d, ox.Literal) and _PLAIN_DATE.match(d.value) for d in dates):
                continue
            for r in store.quads_for_pattern(release, _START_DATE, None, None):
                day = _day(r.object)
                for event, start, end in events:
                    if start <= day <= end and _shares_country(countries, event, film):
                        triples = _context(
                            film, event, "ReleaseWithinEvent", "release-within-event"
                        )
                        if not _derived_by(store, triples):
                            out.extend(triples)
    return list(dict.fromkeys(out))


def _derived_by(store: ox.Store, triples: list[ox.Triple]) -> bool:
    """True when the derivation node of ``triples`` (see :func:`_context`) has its rule."""
    rule = triples[4]
    found = store.quads_for_pattern(rule.subject, rule.predicate, rule.object, None)
    return next(iter(found), None) is not None


#: Rules with a Python join giving the same conclusions as their SPARQL text.
_JOINS = {
    "context-year-within-event": _year_within_event,
    "context-release-within-event": _release_within_event,
}


def _rule_rank(rule: Rule) -> tuple[int, str]:
    """Rules whose conclusions others read run first, so one round does most of the work."""
    return (_ORDER.index(rule.name) if rule.name in _ORDER else len(_ORDER), rule.name)


def materialise(
    data: Dataset | Graph,
    rules: Sequence[Rule] | None = None,
) -> Graph:
    """The triples the rules infer from ``data``, none of which ``data`` already states.

    Parameters
    ----------
    data : rdflib.Dataset or rdflib.Graph
        Everything stated, the ontology included (as a build holds it: the ontology is the
        named graph ``graph:ontology``). Named graphs are read as their union.
    rules : sequence of Rule, optional
        The rules to run (default: every rule of :func:`load_rules`).

    Returns
    -------
    rdflib.Graph
        The inferred triples, ready to be added as :data:`INFERRED_GRAPH`.

    Notes
    -----
    For data held in rdflib: it is copied once into an in-memory pyoxigraph store and
    :func:`materialise_store` runs there. The build calls :func:`materialise_store` on its
    own store directly.
    """
    scratch = ox.Store()
    buffer = io.BytesIO()
    if isinstance(data, Dataset):
        data.serialize(destination=buffer, format="nquads")
        scratch.bulk_load(buffer.getvalue(), format=ox.RdfFormat.N_QUADS)
    else:
        data.serialize(destination=buffer, format="nt", encoding="utf-8")
        scratch.bulk_load(
            buffer.getvalue(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph()
        )
    materialise_store(scratch, rules)
    result = Graph()
    _to_rdflib(
        result, scratch.quads_for_pattern(None, None, None, ox.NamedNode(str(INFERRED_GRAPH)))
    )
    return result


def owl_rl_closure(data: Graph) -> Graph:
    """The triples the OWL 2 RL closure (``owlrl``) adds to ``data``.

    ``data`` is left as it was. The closure includes much that the targeted rules leave out
    on purpose (axiomatic triples, ``owl:sameAs`` reflexivity, typing of the vocabulary
    itself); :func:`comparable` picks the part both routes are meant to agree on.
    """
    import owlrl  # deferred: owlrl is slow to import and only this route needs it

    closure = Graph()
    for triple in data:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    inferred = Graph()
    for triple in closure:
        if triple not in data:
            inferred.add(triple)
    return inferred


def comparable(triples: Iterable[tuple[object, object, object]]) -> set[tuple[object, ...]]:
    """The triples about the data that both reasoning routes must agree on.

    Kept: statements whose subject is one of our resources (``https://w3id.org/filmgraph/id/``)
    and whose predicate is ``rdf:type`` with one of our classes as value, or one of our object
    properties with a resource as value. Everything else (axioms, literals, blank nodes,
    ``owl:sameAs``, types from other vocabularies) is left out.
    """
    fg = str(FG._NS)
    kept: set[tuple[object, ...]] = set()
    for s, p, o in triples:
        if not (isinstance(s, URIRef) and str(s).startswith(_DATA)):
            continue
        if isinstance(o, (Literal, BNode)) or p == OWL.sameAs:
            continue
        if p == RDF.type:
            if str(o).startswith(fg):
                kept.add((s, p, o))
        elif str(p).startswith(fg):
            kept.add((s, p, o))
    return kept
