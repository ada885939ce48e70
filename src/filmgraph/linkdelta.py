"""Entity resolution for an incremental build: only what new documents bring, on indexes.

A full build links every node of every source (:func:`filmgraph.linking.resolve_entities`).
When an incremental build only *adds* documents, the merges are those of the previous
build, unchanged, as long as no node a new document describes or names could merge with
any other node: linking is greedy and order-dependent, but a node with no *partner*
(another node sharing a name key, a title part, a fuzzily similar name, a contained title
with a director in common, or an authority id) can neither be merged nor change what any
other node merges with. This module checks that on the previous build's link index
(``linking.sqlite``, written by :func:`filmgraph.linking.write_link_index`) and on the
store, over-approximating partners (a name the graph gained through linking counts too),
and refuses (:class:`~filmgraph.errors.FastPathRefused`) otherwise: the build then links
everything again.

Then it does for the new documents what the rest of linking does for every node: title
keys and aliases (``skos:hiddenLabel``, ``skos:altLabel``), placeholders another source
now describes, corroborated claims and contradictions; the report is the previous one
updated by the delta, as a full rebuild would write it.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rapidfuzz import fuzz, process
from rdflib import URIRef
from rdflib.namespace import RDF

from filmgraph.errors import FastPathRefused
from filmgraph.linking import (
    _CLAIM_KEYS,
    _FUZZY_KINDS,
    _LABEL,
    _NAMES,
    _SINGLE_VALUED,
    _TRUE,
    _UNRESOLVED,
    _WIKIDATA,
    FUZZY_THRESHOLD,
    LinkReport,
    _contradiction_lines,
    _joined,
    _merged_kind,
    _n,
    _name_keys,
    _Node,
    _text,
    _title_records,
    _words_within,
    write_link_index,
)
from filmgraph.loaders.pagegazetteer import KIND_OF_CLASS
from filmgraph.namespaces import FG
from filmgraph.provenance import ONTOLOGY_GRAPH, PROVENANCE_GRAPH
from filmgraph.reasoning import INFERRED_GRAPH

__all__ = ["link_delta", "previous_report"]

_TYPE = _n(RDF.type)
_NOT_SOURCES = {str(ONTOLOGY_GRAPH), str(PROVENANCE_GRAPH), str(INFERRED_GRAPH)}
_PROVENANCE = ox.NamedNode(str(PROVENANCE_GRAPH))
_ORIGINAL = _n(FG.originalTitle)
_DIRECTOR = _n(FG.director)
_YEAR = _n(FG.year)
_RECORD_PREDICATES = {
    _TYPE,
    _WIKIDATA,
    _DIRECTOR,
    _YEAR,
    _n(FG.startDate),
    _n(FG.endDate),
    *(_n(p) for p in _NAMES),
}


def previous_report(summary: dict[str, Any]) -> LinkReport:
    """The link report a previous build wrote into its ``summary.json``."""
    report = LinkReport()
    for m in summary.get("merges", []):
        report.record(m["merged"], m["into"], m["rule"], m["evidence"])
    report.conflicts = list(summary.get("link_conflicts", []))
    report.unresolved = [
        (URIRef(u["node"]), u["kind"], u["label"]) for u in summary.get("unresolved", [])
    ]
    counts = summary.get("linking", {})
    report.resolved = int(counts.get("placeholders resolved", 0))
    report.corroborated = int(counts.get("corroborated claims", 0))
    report.contradictions = list(summary.get("contradictions", []))
    return report


def _source(q: ox.Quad) -> bool:
    g = q.graph_name
    return isinstance(g, ox.NamedNode) and g.value not in _NOT_SOURCES


class _View:
    """The store's source graphs, with or without the new documents' graphs."""

    def __init__(self, store: ox.Store, delta: Collection[str], with_delta: bool) -> None:
        self.store, self.delta, self.with_delta = store, delta, with_delta

    def quads(self, s: Any = None, p: Any = None, o: Any = None) -> list[ox.Quad]:
        return [
            q
            for q in self.store.quads_for_pattern(s, p, o, None)
            if _source(q) and (self.with_delta or _text(q.graph_name) not in self.delta)
        ]


def link_delta(
    store: ox.Store,
    delta: Collection[str],
    previous: LinkReport,
    old_index: Path,
    new_index: Path,
) -> tuple[LinkReport, list[ox.Quad], list[ox.Quad]]:
    """Link what the graphs ``delta`` of ``store`` add to a graph linked by the previous build.

    ``store`` already holds the new graphs beside the previous build's (linked) ones.
    Returns the updated report, the quads to add and the quads to remove (placeholder
    flags another source now settles); writes ``new_index`` (the previous index and what
    the new documents add). Raises :class:`FastPathRefused` when a merge could change.
    """
    after = _View(store, delta, True)
    before = _View(store, delta, False)
    added = [q for g in sorted(delta) for q in store.quads_for_pattern(None, None, None, _g(g))]
    merged = {str(k) for k in previous.merged}
    for q in added:
        for term in (q.subject, q.object):
            if isinstance(term, ox.NamedNode) and term.value in merged:
                raise FastPathRefused(
                    f"a new document names <{term.value}>, which linking merged into "
                    f"<{previous.merged[URIRef(term.value)]}>"
                )
    affected = sorted(
        {
            q.subject.value
            for q in added
            if q.predicate in _RECORD_PREDICATES and isinstance(q.subject, ox.NamedNode)
        }
    )
    with contextlib.closing(sqlite3.connect(f"{old_index.as_uri()}?immutable=1", uri=True)) as db:
        records = [r for r in (_record_of(after, db, iri) for iri in affected) if r is not None]
        unsettled = merged | {str(v) for v in previous.merged.values()}

        def apart(record: _Node, other: str) -> bool:
            """Whether a source describes ``record`` and ``other`` together (as read)."""
            if {record.iri, other} & unsettled or _flagged(db, record.iri) or _flagged(db, other):
                return False  # their graphs in the store are not the ones linking read
            return bool(record.graphs & _graphs(after, other))

        _refuse_partners(db, records, apart)
        holders = _authorities(after, affected)
        for qid, nodes in holders.items():
            others = {
                row[0] for row in db.execute("SELECT node FROM authorities WHERE qid = ?", (qid,))
            }
            if len(nodes | others) > 1:
                raise FastPathRefused(f"authority id {qid} is held by several nodes")
        flagged_before = {
            row[0]
            for row in db.execute(
                "SELECT node FROM flagged WHERE node IN (SELECT value FROM json_each(?))",
                (
                    _json(
                        affected + [_text(q.subject) for q in added if q.predicate == _UNRESOLVED]
                    ),
                ),
            )
        }
    report = LinkReport(
        merged=dict(previous.merged),
        reasons=dict(previous.reasons),
        conflicts=list(previous.conflicts),
        unresolved=list(previous.unresolved),
        resolved=previous.resolved,
        corroborated=previous.corroborated,
        contradictions=list(previous.contradictions),
        merges=list(previous.merges),
    )
    additions = _titles(store, after, added)
    removals, flagged_now = _settle(store, after, added, flagged_before, report)
    _corroboration(before, after, added, report)
    _contradictions(after, added, report)
    shutil.copyfile(old_index, new_index)
    write_link_index(new_index, records, holders, flagged_now)
    return report, additions, removals


def _g(graph: str) -> ox.NamedNode:
    return ox.NamedNode(graph)


def _json(values: Iterable[str]) -> str:
    import json

    return json.dumps(sorted(set(values)))


def _flagged(db: sqlite3.Connection, iri: str) -> bool:
    """Whether some source marked ``iri`` a placeholder (its flags may be settled since)."""
    return db.execute("SELECT 1 FROM flagged WHERE node = ?", (iri,)).fetchone() is not None


def _graphs(view: _View, iri: str) -> set[str]:
    """The source graphs describing ``iri`` as linking reads them (typed, not flagged)."""
    node = ox.NamedNode(iri)
    return {
        _text(q.graph_name)
        for q in view.quads(node, _TYPE)
        if _merged_kind(_text(q.object))
        and ox.Quad(node, _UNRESOLVED, _TRUE, q.graph_name) not in view.store
    }


def _record_of(view: _View, db: sqlite3.Connection, iri: str) -> _Node | None:
    """What a full build's linking would read of ``iri`` (names a superset of it)."""
    node = ox.NamedNode(iri)
    kinds = set()
    graphs: set[str] = set()
    for q in view.quads(node, _TYPE):
        kind = _merged_kind(_text(q.object))
        if kind is not None:
            kinds.add(kind)
            if ox.Quad(node, _UNRESOLVED, _TRUE, q.graph_name) not in view.store:
                graphs.add(q.graph_name.value)  # type: ignore[union-attr]
    row = db.execute("SELECT kind FROM nodes WHERE node = ?", (iri,)).fetchone()
    if row is not None:
        kinds.add(row[0])
    if not kinds:
        return None
    if len(kinds) > 1:
        raise FastPathRefused(f"<{iri}> is of several kinds ({', '.join(sorted(kinds))})")
    record = _Node(iri, kinds.pop(), 0, frozenset(graphs))
    said = [_text(q.object) for prop in _NAMES for q in view.quads(node, _n(prop))]
    record.names, record.partials = _name_keys(record.kind, said)
    record.authorities = _joined((), (_text(q.object) for q in view.quads(node, _WIKIDATA)))
    record.directors = _joined((), (_text(q.object) for q in view.quads(node, _DIRECTOR)))
    years = sorted({int(_text(q.object)[:4]) for q in view.quads(node, _YEAR)})
    record.year = years[0] if years else None
    record.span = (years[0], years[-1]) if years else None  # kept for the fuzzy blocks
    return record


def _refuse_partners(
    db: sqlite3.Connection, records: list[_Node], apart: Callable[[_Node, str], bool]
) -> None:
    """Raise when a node of ``records`` has a partner it could merge with.

    A partner is another node sharing a name key or a title part, of a fuzzily similar
    name, or a film's whose title holds this one's with a director in common. One that a
    source describes together with the node (``apart``) never merges with it, however the
    two grow by merging, and is invisible to every other node's look-ups through it.
    """
    pool: dict[str, list[tuple[str, str]]] = {}
    by_iri = {r.iri: r for r in records}

    def partner(record: _Node, other: str) -> bool:
        if other == record.iri:
            return False
        found = by_iri.get(other)
        if found is not None:
            return not record.graphs & found.graphs
        return not apart(record, other)

    for record in records:
        keys = [*record.names, *record.partials]
        for key, other in db.execute(
            "SELECT key, node FROM names WHERE kind = ? AND key IN (SELECT value FROM json_each(?))"
            " AND (part = 0 OR key IN (SELECT value FROM json_each(?)))",
            (record.kind, _json(keys), _json(record.names)),
        ):
            if partner(record, other):
                raise FastPathRefused(f"<{record.iri}> shares the name {key!r} with <{other}>")
        for other in records:
            if partner(record, other.iri) and other.kind == record.kind:
                mine = {*record.names, *record.partials}
                shared = mine.intersection(other.names) or set(record.names) & set(other.partials)
                if shared:
                    raise FastPathRefused(f"<{record.iri}> and <{other.iri}> share a name")
        if record.kind == "film" and record.directors:
            for director in record.directors:
                for other, key in db.execute(
                    "SELECT n.node, n.key FROM directors d JOIN names n ON n.node = d.node "
                    "WHERE d.director = ? AND n.part = 0",
                    (director,),
                ):
                    if partner(record, other) and any(
                        _words_within(name, key) or _words_within(key, name)
                        for name in record.names
                    ):
                        raise FastPathRefused(f"<{record.iri}> has a title within <{other}>'s")
        if record.kind not in _FUZZY_KINDS:
            continue
        names = [n for n in record.names if len(n) >= 5]
        if not names:
            continue
        candidates = _fuzzy_pool(db, record, pool)
        candidates += [
            (name, other.iri)
            for other in records
            if other.iri != record.iri and other.kind == record.kind
            for name in other.names
        ]
        keys = [c[0] for c in candidates]
        for name in names:
            for _hit, _score, index in process.extract(
                name, keys, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD, limit=None
            ):
                other = candidates[index][1]
                if partner(record, other):
                    raise FastPathRefused(f"<{record.iri}>'s name {name!r} is close to <{other}>'s")


def _fuzzy_pool(
    db: sqlite3.Connection, record: _Node, pool: dict[str, list[tuple[str, str]]]
) -> list[tuple[str, str]]:
    """The names linking would score ``record``'s against (a superset of its block)."""
    if record.kind == "film" and record.span is not None:
        low, high = record.span[0] - 1, record.span[1] + 1
        return list(
            db.execute(
                "SELECT key, node FROM names WHERE kind = 'film' AND part = 0 AND "
                "(year IS NULL OR year BETWEEN ? AND ?)",
                (low, high),
            )
        )
    if record.kind not in pool:
        pool[record.kind] = list(
            db.execute("SELECT key, node FROM names WHERE kind = ? AND part = 0", (record.kind,))
        )
    return pool[record.kind]


def _authorities(view: _View, nodes: Iterable[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for iri in nodes:
        for q in view.quads(ox.NamedNode(iri), _WIKIDATA):
            found[_text(q.object)].add(iri)
    return found


def _titles(store: ox.Store, view: _View, added: list[ox.Quad]) -> list[ox.Quad]:
    """Title keys and aliases of the films the new documents name (as linking's ``_record``)."""
    films = sorted(
        {
            q.subject.value
            for q in added
            if q.predicate in (_LABEL, _ORIGINAL) and isinstance(q.subject, ox.NamedNode)
        }
    )
    out: list[ox.Quad] = []
    film_class = _n(FG.Film)
    for film in films:
        node = ox.NamedNode(film)
        if not view.quads(node, _TYPE, film_class):
            continue
        said = [q for q in view.quads(node, _LABEL) + view.quads(node, _ORIGINAL)]
        said = [q for q in said if isinstance(q.object, ox.Literal)]
        out += _title_records(node, said, _PROVENANCE)
    return [q for q in dict.fromkeys(out) if q not in store]


def _settle(
    store: ox.Store,
    view: _View,
    added: list[ox.Quad],
    flagged_before: set[str],
    report: LinkReport,
) -> tuple[list[ox.Quad], list[str]]:
    """Placeholders: flags another source settles (removed), and the unresolved list."""
    flagged_now = sorted(
        {
            q.subject.value
            for q in added
            if q.predicate == _UNRESOLVED
            and q.object == _TRUE
            and isinstance(q.subject, ox.NamedNode)
        }
    )
    typed = {_text(q.subject) for q in added if q.predicate == _TYPE}
    unresolved = {str(n): (n, k, label) for n, k, label in report.unresolved}
    candidates = sorted(set(flagged_now) | (typed & flagged_before))
    removals: list[ox.Quad] = []
    for iri in candidates:
        node = ox.NamedNode(iri)
        flags = [q for q in view.quads(node, _UNRESOLVED) if q.object == _TRUE]
        if not flags:
            continue
        described = any(
            ox.Quad(node, _UNRESOLVED, _TRUE, q.graph_name) not in store
            for q in view.quads(node, _TYPE)
        )
        if described:
            removals += view.quads(node, _UNRESOLVED)
            if iri not in flagged_before or iri in unresolved:
                report.resolved += 1
            unresolved.pop(iri, None)
            continue
        kinds = sorted(
            KIND_OF_CLASS.get(URIRef(_text(q.object)), "thing")
            for q in view.quads(node, _TYPE)
            if isinstance(q.object, ox.NamedNode)
        )
        labels = view.quads(node, _LABEL)
        label = _text(labels[0].object) if labels else iri
        unresolved[iri] = (URIRef(iri), kinds[0] if kinds else "thing", label)
    report.unresolved = [unresolved[k] for k in sorted(unresolved)]
    return removals, flagged_now


def _claim_keys(view: _View, claim: ox.NamedNode) -> set[tuple[str, ...]]:
    if not view.quads(claim, _n(FG.source)):
        return set()
    keys: set[tuple[str, ...]] = set()
    classes = {_text(q.object) for q in view.quads(claim, _TYPE)}
    for cls, (kind, first, second) in _CLAIM_KEYS.items():
        if str(cls) not in classes:
            continue
        if kind == "similar":
            keys.add(("similar", *sorted(_text(q.object) for q in view.quads(claim, _n(first)))))
            continue
        ends = []
        for p in (first, second):
            values = sorted({_text(q.object) for q in view.quads(claim, _n(p))})
            if len(values) > 1:
                raise FastPathRefused(f"claim <{claim.value}> has several values of {p}")
            ends.append(values[0] if values else "")
        keys.add((kind, *ends))
    return keys


def _sources(view: _View, claim: ox.NamedNode) -> set[str]:
    return {_text(q.object) for q in view.quads(claim, _n(FG.source))}


def _claims_with(view: _View, key: tuple[str, ...]) -> list[ox.NamedNode]:
    kind = key[0]
    first = next(f for k, f, _ in _CLAIM_KEYS.values() if k == kind)
    if len(key) < 2 or not key[1]:
        raise FastPathRefused(f"a claim without its {first}")
    found = {
        q.subject.value
        for q in view.quads(None, _n(first), ox.NamedNode(key[1]))
        if isinstance(q.subject, ox.NamedNode)
    }
    return [ox.NamedNode(c) for c in sorted(found)]


def _contribution(view: _View, key: tuple[str, ...]) -> int:
    told: set[str] = set()
    claims = 0
    for claim in _claims_with(view, key):
        if key in _claim_keys(view, claim):
            told |= _sources(view, claim)
            claims += 1
    return claims if len(told) > 1 else 0


def _corroboration(before: _View, after: _View, added: list[ox.Quad], report: LinkReport) -> None:
    """Claims another source also makes, updated for the claims the new documents touch."""
    claims = {q.subject.value for q in added if isinstance(q.subject, ox.NamedNode)}
    keys: set[tuple[str, ...]] = set()
    for claim in claims:
        node = ox.NamedNode(claim)
        keys |= _claim_keys(before, node) | _claim_keys(after, node)
    for key in keys:
        report.corroborated += _contribution(after, key) - _contribution(before, key)


def _contradictions(view: _View, added: list[ox.Quad], report: LinkReport) -> None:
    """Single-valued facts on which sources disagree, again for the subjects touched."""
    names = [p.split("#")[-1] for p in _SINGLE_VALUED]
    current: dict[tuple[int, str], str] = {}
    for line in report.contradictions:
        subject, rest = line[1:].split("> ", 1)
        current[(names.index(rest.split(":", 1)[0]), subject)] = line
    for index, prop in enumerate(_SINGLE_VALUED):
        subjects = sorted({_text(q.subject) for q in added if q.predicate == _n(prop)})
        for subject in subjects:
            current.pop((index, subject), None)
            quads = view.quads(ox.NamedNode(subject), _n(prop))
            for found, line in _contradiction_lines(prop, quads):
                current[(index, found)] = line
    report.contradictions = [current[k] for k in sorted(current)]
