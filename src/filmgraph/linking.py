"""Entity resolution across sources: the same film, person or event becomes one node.

Loaders mint IRIs deterministically (a film is ``film:{title-slug}-{year}``), so most nodes
from different sources meet by construction. This step merges what they could not agree on
by IRI, in order of trust:

1. authority ids: nodes with the same Wikidata id become one, unless their years are more
   than one apart (release years differ between sources; decades do not);
2. names: a film with a title key in common (:mod:`filmgraph.titles`: leading articles,
   bracketed translations, "aka", numerals as words, punctuation and diacritics aside; or
   a part of one title, such as the title before a subtitle, that is the other's whole
   title) and a year within one of another's; a film whose title holds another's as whole
   words ("La Femme Nikita", "Nikita"), of the same year and with a director in common; a
   person, organisation, place, award or event
   with the same normalised name or alias. Two nodes with different authority ids never
   merge by name, nor does a film without a year whose director differs: the conflict is
   reported;
3. fuzzy names: the same, with rapidfuzz similarity at or above :data:`FUZZY_THRESHOLD`.

Everything runs on the build's pyoxigraph store, on indexes: candidates are found by
authority id, by exact normalised name, and (for fuzzy names) only among the names of nodes
that could merge at all: films of a year within one of each other, and nodes no source
describes together with the one looked up (blocking). Merges rewrite the store's quads.

Two nodes that one source document describes side by side are never merged: that source
says they are different. The node kept is ours (``https://w3id.org/filmgraph/id/``) before
an outside IRI, a described node before a placeholder, then the shortest IRI (a curated
``event/battle-on-the-ice`` before a minted ``event/battle-of-the-ice-q14689``): never
the order of reading, so the same sources give the same graph however they are batched.
Every merge is reported (nodes, rule, evidence) and written into the provenance graph as
``dcterms:isReplacedBy`` from the merged IRI to the node kept (not ``owl:sameAs``, whose
OWL RL meaning would copy every fact of the node back onto the merged IRI), so an IRI a
source minted still
answers; a film's title keys go there as ``skos:hiddenLabel`` (name look-ups use them), and
a film with several titles gets each as ``skos:altLabel`` in the graph of the source that
gives it, as does each title inside one ("X (Y)", "X aka Y").

After merging, a node a loader marked ``fg:unresolved true`` that another source describes
is resolved (its flag dropped); the rest are listed. Claims two sources make alike are
counted as corroborated (both kept), and single-valued facts on which sources disagree
(years, dates, runtimes) are reported, with both values kept side by side.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rapidfuzz import fuzz, process
from rdflib import Dataset, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from filmgraph.errors import QueryError
from filmgraph.loaders.pagegazetteer import KIND_OF_CLASS, normalise
from filmgraph.namespaces import FG, ID
from filmgraph.provenance import PROVENANCE_GRAPH
from filmgraph.queries import get_query
from filmgraph.store.oxigraph import dataset_quads, from_oxigraph
from filmgraph.titles import alternative_titles, partial_keys, title_keys

__all__ = [
    "FUZZY_THRESHOLD",
    "LINK_INDEX",
    "LinkReport",
    "Merge",
    "merge_by_authority",
    "resolve_entities",
]

#: The file beside a generation that keeps what linking read, for the next build's delta
#: (see :mod:`filmgraph.linkdelta`).
LINK_INDEX = "linking.sqlite"

#: rapidfuzz ratio at or above which two names (of the same kind) are the same entity.
FUZZY_THRESHOLD = 92.0

_NAMES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, FG.originalTitle, FG.nativeName)
_SINGLE_VALUED = (FG.year, FG.releaseDate, FG.runtime, FG.birthDate, FG.deathDate)
_MERGED_KINDS = ("film", "person", "org", "place", "event", "award")
#: Events are matched by exact name only: thousands of dated events from Wikidata differ
#: by one word ("First/Second Battle of …") far more often than sources misspell them.
_FUZZY_KINDS = ("film", "person", "org", "place", "award")


@dataclass(frozen=True)
class Merge:
    """One merge: the node that went, the node it became, the rule and its evidence."""

    merged: str
    into: str
    rule: str
    evidence: str

    def as_dict(self) -> dict[str, str]:
        """For the build summary."""
        return {
            "merged": self.merged,
            "into": self.into,
            "rule": self.rule,
            "evidence": self.evidence,
        }


@dataclass
class LinkReport:
    """What linking did: merged nodes, what stays unresolved, agreements and disagreements."""

    #: merged node -> the node it became
    merged: dict[URIRef, URIRef] = field(default_factory=dict)
    #: merged node -> why ("authority id", "title and year", "name", "fuzzy name")
    reasons: dict[URIRef, str] = field(default_factory=dict)
    #: authority-id merges refused, and why
    conflicts: list[str] = field(default_factory=list)
    #: nodes still marked unresolved: (node, kind, label)
    unresolved: list[tuple[URIRef, str, str]] = field(default_factory=list)
    #: placeholders another source turned out to describe
    resolved: int = 0
    #: claims another source also makes
    corroborated: int = 0
    #: single-valued facts on which sources disagree
    contradictions: list[str] = field(default_factory=list)
    #: every merge, with its rule and evidence, in the order made
    merges: list[Merge] = field(default_factory=list)

    def record(self, node: str, into: str, rule: str, evidence: str) -> None:
        """Note one merge (the graph gets ``dcterms:isReplacedBy`` for it when the step ends)."""
        self.merged[URIRef(node)] = URIRef(into)
        self.reasons[URIRef(node)] = rule
        self.merges.append(Merge(node, into, rule, evidence))

    def counts(self) -> dict[str, int]:
        """Merges by reason, and the other totals, for the build summary."""
        out: dict[str, int] = defaultdict(int)
        for reason in self.reasons.values():
            out[f"merged by {reason}"] += 1
        out["merged"] = len(self.merged)
        out["unresolved"] = len(self.unresolved)
        out["placeholders resolved"] = self.resolved
        out["corroborated claims"] = self.corroborated
        out["contradictions"] = len(self.contradictions)
        return dict(out)

    def lines(self) -> list[str]:
        """A deterministic text report: totals, then every unresolved node and contradiction."""
        c = self.counts()
        reasons = ", ".join(
            f"{v} {k.removeprefix('merged ')}"
            for k, v in sorted(c.items())
            if k.startswith("merged by ")
        )
        out = [
            f"{c['merged']} nodes merged" + (f" ({reasons})" if reasons else ""),
            f"{c['placeholders resolved']} placeholders resolved by another source, "
            f"{c['unresolved']} unresolved",
            f"{c['corroborated claims']} claims corroborated by another source, "
            f"{c['contradictions']} contradictions",
        ]
        out += [f"unresolved {kind}: {label} <{node}>" for node, kind, label in self.unresolved]
        out += [f"contradiction: {text}" for text in self.contradictions]
        out += [f"conflict: {text}" for text in self.conflicts]
        return out

    def merge_records(self) -> list[dict[str, str]]:
        """Every merge (node, node kept, rule, evidence), for the build summary."""
        return [m.as_dict() for m in self.merges]


def _n(term: URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(term))


_TYPE, _WIKIDATA, _YEAR, _UNRESOLVED = _n(RDF.type), _n(FG.wikidata), _n(FG.year), _n(FG.unresolved)
_LABEL, _DIRECTOR, _SAME = _n(RDFS.label), _n(FG.director), _n(DCTERMS.isReplacedBy)
_ALT, _HIDDEN = _n(SKOS.altLabel), _n(SKOS.hiddenLabel)
_TRUE = ox.Literal("true", datatype=_n(XSD.boolean))
_TYPE_IRI, _WIKIDATA_IRI, _DIRECTOR_IRI = str(RDF.type), str(FG.wikidata), str(FG.director)
_YEAR_IRI, _UNRESOLVED_IRI = str(FG.year), str(FG.unresolved)
_SPAN_IRIS = frozenset((str(FG.startDate), str(FG.endDate)))
_ORIGINAL_TITLE = _n(FG.originalTitle)
#: quads written at a time while linking reads the store
_BATCH = 100_000
_CLAIM_KEYS = {
    FG.InspirationClaim: ("influence", FG.influencee, FG.influencer),
    FG.AdaptationClaim: ("influence", FG.influencee, FG.influencer),
    FG.PersonInfluenceClaim: ("influence", FG.influencee, FG.influencer),
    FG.ContextClaim: ("context", FG.contextFilm, FG.contextEvent),
    FG.SimilarityClaim: ("similar", FG.similarFilm, FG.similarFilm),
}
_CLAIM_CLASSES = list(_CLAIM_KEYS)
_CLAIM_ORDER = {str(cls): i for i, cls in enumerate(_CLAIM_CLASSES)}


def _quads(
    store: ox.Store,
    s: ox.NamedNode | ox.BlankNode | None,
    p: ox.NamedNode | None,
    o: ox.NamedNode | ox.Literal | None = None,
) -> Iterator[ox.Quad]:
    return iter(store.quads_for_pattern(s, p, o, None))


def _text(term: object) -> str:
    """The IRI, blank-node id or lexical form of a pyoxigraph term."""
    if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return term.value
    return str(term)


def _graph_of(q: ox.Quad) -> str:
    return q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""


def _year(store: ox.Store, node: str) -> int | None:
    for q in _quads(store, ox.NamedNode(node), _YEAR):
        return int(_text(q.object)[:4])
    return None


def merge_by_authority(store: ox.Store, source_order: Sequence[URIRef]) -> LinkReport:
    """Merge nodes that share a Wikidata id, in ``store``; return what was merged."""
    holders: dict[str, set[str]] = defaultdict(set)
    for q in _quads(store, None, _WIKIDATA):
        s, authority = q.subject, q.object
        if isinstance(s, ox.NamedNode) and isinstance(authority, ox.NamedNode):
            holders[authority.value].add(s.value)
    report = LinkReport()
    mapping: dict[str, str] = {}
    for qid, nodes in sorted(holders.items()):
        if len(nodes) < 2:
            continue
        ordered = sorted(nodes, key=_keep_first)
        canonical = ordered[0]
        years = {n: _year(store, n) for n in ordered}
        for node in ordered[1:]:
            a, b = years[canonical], years[node]
            if a is not None and b is not None and abs(a - b) > 1:
                report.conflicts.append(
                    f"{qid} is given to {canonical} ({a}) and {node} ({b}); not merged"
                )
                continue
            mapping[node] = canonical
            report.record(node, canonical, "authority id", f"both link to {qid}")
    if mapping:
        _rewrite(store, mapping)
    return report


def _ours(node: str) -> bool:
    return node.startswith(str(ID))


def _keep_first(node: str) -> tuple[bool, int, str]:
    """Which of several nodes is kept: ours before an outside IRI, then the shortest IRI
    (a curated ``event/battle-on-the-ice`` before a minted ``battle-of-the-ice-q14689``),
    then the IRI's order.

    Never the order of reading, so that one set of sources gives one graph however it is
    batched or ordered on the command line.
    """
    return (not _ours(node), len(node), node)


# Slots and sorted tuples: the nodes of a kind are held at once (1.27 million people at
# 500,000 films), and a frozen set costs 216 bytes however few names it holds.
@dataclass(slots=True)
class _Node:
    iri: str
    kind: str
    rank: int
    graphs: frozenset[str] = frozenset()
    names: tuple[str, ...] = ()
    year: int | None = None
    #: first and last year of an event, from fg:startDate / fg:endDate
    span: tuple[int, int] | None = None
    #: a film's keys of part of a title (see :func:`filmgraph.titles.partial_keys`)
    partials: tuple[str, ...] = ()
    #: authority ids (Wikidata IRIs) and directors, to refuse merges they contradict
    authorities: tuple[str, ...] = ()
    directors: tuple[str, ...] = ()


def _joined(a: tuple[str, ...], b: Iterable[str]) -> tuple[str, ...]:
    """The sorted union of ``a`` and ``b``, as a node keeps its names and ids."""
    more = set(b)
    return a if more.issubset(a) else tuple(sorted(more.union(a)))


def _merged_kind(cls: str) -> str | None:
    """The kind linking merges nodes of ``cls`` as (``None``: it does not merge them)."""
    kind = KIND_OF_CLASS.get(URIRef(cls))
    kind = "place" if kind == "country" else kind
    return kind if kind in _MERGED_KINDS else None


_KIND_ORDER = {str(cls): i for i, cls in enumerate(KIND_OF_CLASS)}
_NAME_IRIS = frozenset(str(p) for p in _NAMES)


def _nodes(store: ox.Store, rank: dict[str, int], kind: str) -> dict[str, _Node]:
    """Every node of ``kind`` as linking reads it, before any merge.

    One kind at a time, so that the people and the films of a large graph are never held
    together; a node typed with classes of several kinds is of the first in
    :data:`~filmgraph.loaders.pagegazetteer.KIND_OF_CLASS`.
    """
    nodes: dict[str, _Node] = {}
    # Most nodes are described by the same few sources, most films by a few directors:
    # one object each.
    shared: dict[frozenset[str], frozenset[str]] = {}
    strings: dict[str, str] = {}
    for cls in KIND_OF_CLASS:
        if _merged_kind(str(cls)) != kind:
            continue
        for q in _quads(store, None, _TYPE, _n(cls)):
            s = q.subject
            if isinstance(s, ox.NamedNode) and s.value not in nodes:
                node = _read_node(store, s, rank, shared, strings)
                if node is not None and node.kind == kind:
                    nodes[node.iri] = node
    return nodes


def _read_node(
    store: ox.Store,
    subject: ox.NamedNode,
    rank: dict[str, int],
    shared: dict[frozenset[str], frozenset[str]],
    strings: dict[str, str],
) -> _Node | None:
    """What linking reads of one node: every quad about it, in one look-up."""
    typed: list[tuple[int, str, str]] = []  # (order of the class, its kind, graph)
    flagged: set[str] = set()
    names: set[str] = set()
    authorities: set[str] = set()
    directors: set[str] = set()
    years: list[int] = []
    span: list[int] = []
    for q in store.quads_for_pattern(subject, None, None, None):
        p, o, g = q.predicate.value, q.object, q.graph_name
        if p == _TYPE_IRI:
            kind = _merged_kind(o.value) if isinstance(o, ox.NamedNode) else None
            if kind is not None and isinstance(g, ox.NamedNode):
                typed.append((_KIND_ORDER[_text(o)], kind, g.value))
        elif p in _NAME_IRIS:
            names.add(_text(o))
        elif p == _WIKIDATA_IRI:
            authorities.add(_text(o))
        elif p == _DIRECTOR_IRI:
            directors.add(_text(o))
        elif p == _YEAR_IRI:
            years.append(int(_text(o)[:4]))
        elif p in _SPAN_IRIS and _text(o)[:4].isdigit():
            span.append(int(_text(o)[:4]))
        elif p == _UNRESOLVED_IRI and o == _TRUE and isinstance(g, ox.NamedNode):
            flagged.add(g.value)
    if not typed:
        return None
    iri = subject.value
    graphs = frozenset(g for _, _, g in typed if g not in flagged)
    node = _Node(
        iri,
        min(typed)[1],
        min(rank.get(g, len(rank)) for _, _, g in typed),
        shared.setdefault(graphs, graphs),
        year=min(years) if years else None,
        span=(min(span), max(span)) if span else None,
        authorities=_joined((), (strings.setdefault(a, a) for a in authorities)),
        directors=_joined((), (strings.setdefault(d, d) for d in directors)),
    )
    node.names, node.partials = _name_keys(node.kind, names)
    return node


def _name_keys(kind: str, said: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The name keys and title-part keys linking compares, of the names a node is given
    (a film's titles through :mod:`filmgraph.titles`; other names normalised)."""
    if kind != "film":
        return _joined((), filter(None, map(normalise, said))), ()
    titles = list(said)
    return (
        _joined((), (key for name in titles for key in title_keys(name))),
        _joined((), (key for name in titles for key in partial_keys(name))),
    )


def _conflict(a: _Node, b: _Node) -> str | None:
    """Why two nodes whose names agree are still not one, or None."""
    if a.authorities and b.authorities and set(a.authorities).isdisjoint(b.authorities):
        return (
            f"<{a.iri}> and <{b.iri}> share a name but link to different authority ids "
            f"({', '.join(_joined(a.authorities, b.authorities))}); not merged"
        )
    if (
        a.kind == "film"
        and (a.year is None or b.year is None)
        and a.directors
        and b.directors
        and set(a.directors).isdisjoint(b.directors)
    ):
        return (
            f"<{a.iri}> and <{b.iri}> share a title, one has no year, and their directors "
            f"differ ({', '.join(_joined(a.directors, b.directors))}); not merged"
        )
    return None


def _compatible(a: _Node, b: _Node) -> bool:
    if a.kind != b.kind or a.graphs & b.graphs:
        return False
    if a.kind == "film":
        return a.year is None or b.year is None or abs(a.year - b.year) <= 1
    if a.kind == "event" and a.span and b.span:
        # the same name decades apart is two events, or one source's mistake: not merged
        return a.span[0] - 1 <= b.span[1] and b.span[0] - 1 <= a.span[1]
    return True


class _Blocks:
    """Names of the nodes indexed so far, by block, for fuzzy look-ups.

    A film's block is its year; other kinds have one block. Inside a block names are
    grouped by the source graphs that describe their node, so a look-up never scores the
    names of nodes that cannot merge with the node looked up (another year, or a source
    that describes both). A group's graphs may lag behind a node that grew by merging:
    that only lets a few more candidates through, which :func:`_compatible` then refuses.
    """

    def __init__(self) -> None:
        self.blocks: dict[int | None, dict[frozenset[str], dict[str, None]]] = {}
        self.order: dict[str, int] = {}

    def add(self, name: str, node: _Node) -> None:
        self.order.setdefault(name, len(self.order))
        block = self.blocks.setdefault(node.year if node.kind == "film" else None, {})
        block.setdefault(frozenset(node.graphs), {})[name] = None

    def candidates(self, node: _Node) -> list[str]:
        if node.kind == "film" and node.year is not None:
            keys: list[int | None] = [node.year - 1, node.year, node.year + 1, None]
        else:
            keys = list(self.blocks)
        found: set[str] = set()
        for key in keys:
            for graphs, names in self.blocks.get(key, {}).items():
                if not graphs & node.graphs:
                    found.update(names)
        return sorted(found, key=self.order.__getitem__)


def merge_by_name(
    store: ox.Store,
    source_order: Sequence[URIRef],
    report: LinkReport,
    keep: Callable[[dict[str, _Node]], None] | None = None,
) -> None:
    """Merge films by title and year, and other kinds by name, exactly then fuzzily.

    ``keep`` is given the nodes of each kind as read, before any merge (the build keeps
    them in its link index, see :func:`write_link_index`). Kinds never merge with each
    other, so each is read, merged and let go before the next.
    """
    rank = {str(g): i for i, g in enumerate(source_order)}
    mapping: dict[str, str] = {}
    for kind in _MERGED_KINDS:
        nodes = _nodes(store, rank, kind)
        if keep is not None:
            keep(nodes)
        # Described nodes before placeholders, then by IRI: never by reading order.
        ordered = sorted(
            nodes.values(), key=lambda n: (not _ours(n.iri), not n.graphs, len(n.iri), n.iri)
        )
        del nodes
        index: dict[str, list[_Node]] = defaultdict(list)
        parts: dict[str, list[_Node]] = defaultdict(list)
        directed: dict[str, list[tuple[str, _Node]]] = defaultdict(list)
        blocks = _Blocks()
        for node in ordered:
            target, reason, evidence = _find(node, index, parts, directed, blocks, report)
            if target is None:
                _index(node, node, index, parts, directed, blocks)
                continue
            mapping[node.iri] = target.iri
            report.record(node.iri, target.iri, reason, evidence)
            target.graphs |= node.graphs
            target.authorities = _joined(target.authorities, node.authorities)
            target.directors = _joined(target.directors, node.directors)
            if target.year is None:
                target.year = node.year
            _index(node, target, index, parts, directed, blocks)
    if mapping:
        _rewrite(store, mapping)


def _index(
    node: _Node,
    target: _Node,
    index: dict[str, list[_Node]],
    parts: dict[str, list[_Node]],
    directed: dict[str, list[tuple[str, _Node]]],
    blocks: _Blocks,
) -> None:
    for name in node.names:
        index[name].append(target)
        blocks.add(name, target)
        for director in node.directors:
            directed[director].append((name, target))
    for part in node.partials:
        parts[part].append(target)


def _years(a: _Node, b: _Node) -> str:
    return f"years {a.year if a.year is not None else '?'}/{b.year if b.year is not None else '?'}"


def _find(
    node: _Node,
    index: dict[str, list[_Node]],
    parts: dict[str, list[_Node]],
    directed: dict[str, list[tuple[str, _Node]]],
    blocks: _Blocks,
    report: LinkReport,
) -> tuple[_Node | None, str, str]:
    exact = "title and year" if node.kind == "film" else "name"
    # (name looked up, index, rule): whole keys against whole keys, then a part of one
    # title against the whole of the other, both ways (see filmgraph.titles)
    lookups = [(name, index, exact) for name in node.names]
    if node.kind == "film":
        lookups += [(part, index, "part of title and year") for part in node.partials]
        lookups += [(name, parts, "part of title and year") for name in node.names]
    for name, where, rule in lookups:
        for other in where.get(name, []):
            if not _compatible(node, other):
                continue
            conflict = _conflict(node, other)
            if conflict is not None:
                if conflict not in report.conflicts:
                    report.conflicts.append(conflict)
                continue
            evidence = f"name key {name!r}"
            if node.kind == "film":
                evidence += f", {_years(node, other)}"
            return other, rule, evidence
    if node.kind == "film" and node.directors and node.year is not None:
        found = _contained(node, directed)
        if found is not None:
            return found
    if node.kind not in _FUZZY_KINDS:
        return None, "", ""
    keys: list[str] | None = None
    for name in node.names:
        if len(name) < 5:
            continue
        if keys is None:
            keys = blocks.candidates(node)
        if not keys:
            break
        for hit, score, _ in process.extract(
            name, keys, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD, limit=5
        ):
            for other in index[hit]:
                if _compatible(node, other) and _conflict(node, other) is None:
                    evidence = f"{name!r} ~ {hit!r} ({score:.0f})"
                    if node.kind == "film":
                        evidence += f", {_years(node, other)}"
                    return other, "fuzzy name", evidence
    return None, "", ""


def _words_within(short: str, long: str) -> bool:
    """Whether the words of ``short`` stand together, whole, inside ``long`` ("nikita" in
    "femme nikita"; never "down" in "downtown")."""
    return short != long and f" {short} " in f" {long} "


def _contained(
    node: _Node, directed: dict[str, list[tuple[str, _Node]]]
) -> tuple[_Node, str, str] | None:
    """A film whose title holds this one's (or is held in it) as whole words, of the same
    year and with a director in common ("La Femme Nikita" and "Nikita", 1990, Luc Besson).

    A title inside another of the same year is as often another film ("Down" and "Lay It
    Down", 2001) as a release title: the shared director decides, so films without one
    never merge this way. Candidates are the films indexed under one of the node's
    directors, so the look-up costs what a director's films number.
    """
    for director in node.directors:
        for hit, other in directed.get(director, []):
            if (
                other.year != node.year
                or not _compatible(node, other)
                or _conflict(node, other) is not None
            ):
                continue
            for name in node.names:
                if _words_within(name, hit) or _words_within(hit, name):
                    evidence = (
                        f"name key {name!r} within {hit!r}, {_years(node, other)}, "
                        f"director {director}"
                    )
                    return other, "title within title, year and director", evidence
    return None


def resolve_entities(
    store: ox.Store | Dataset, source_order: Sequence[URIRef], *, index: Path | None = None
) -> LinkReport:
    """Run every step of entity resolution on ``store``, in place, and report.

    ``store`` holds one named graph per source; ``source_order`` lists them in the order
    they were read (earlier sources win ties). The build passes its pyoxigraph store; data
    held in an rdflib :class:`~rdflib.Dataset` (notebooks, benchmarks) is resolved in a
    scratch pyoxigraph store and written back. With ``index``, what linking read (every
    node's names, year, authority ids, directors, and the placeholders) is kept there for
    the next build's delta (:func:`write_link_index`).
    """
    if isinstance(store, Dataset):
        return _resolve_dataset(store, source_order)
    if index is not None:
        write_link_index(index, (), _holders(store), ())  # before any merge renames one
    report = merge_by_authority(store, source_order)
    merge_by_name(
        store,
        source_order,
        report,
        None if index is None else lambda nodes: write_link_index(index, nodes.values(), {}, ()),
    )
    _record(store, report)
    flagged = _settle_placeholders(store, report)
    if index is not None:
        write_link_index(index, (), {}, flagged)
    _corroboration(store, report)
    _contradictions(store, report)
    return report


def _resolve_dataset(dataset: Dataset, source_order: Sequence[URIRef]) -> LinkReport:
    scratch = ox.Store()
    scratch.extend(dataset_quads(dataset))
    report = resolve_entities(scratch, source_order)
    for quad in list(dataset.quads((None, None, None, None))):
        dataset.remove(quad)  # type: ignore[arg-type]
    for q in scratch:
        dataset.graph(URIRef(_text(q.graph_name))).add(
            (from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object))
        )
    return report


def _record(store: ox.Store, report: LinkReport) -> None:
    """Write what linking decided into the graph.

    In the provenance graph: ``dcterms:isReplacedBy`` from every merged IRI to the node kept
    (so an IRI a source minted still answers), and each film's title keys as
    ``skos:hiddenLabel`` (so a name lookup finds "The X" for a film labelled "X"). In each
    source's own graph: every title it gives a film that is not the film's only title, as
    ``skos:altLabel`` — an alias, with its source. Film by film, written as made: the
    engine reads a snapshot, so what is written does not come back to be read.
    """
    provenance = ox.NamedNode(str(PROVENANCE_GRAPH))
    store.extend(
        ox.Quad(ox.NamedNode(m.merged), _SAME, ox.NamedNode(m.into), provenance)
        for m in report.merges
    )
    batch: list[ox.Quad] = []
    for typed in _quads(store, None, _TYPE, _n(FG.Film)):
        film = typed.subject
        if not isinstance(film, ox.NamedNode):
            continue
        # a film typed in several graphs is recorded for each: the store keeps a quad once
        said = [
            q
            for prop in (_LABEL, _ORIGINAL_TITLE)
            for q in _quads(store, film, prop)
            if isinstance(q.object, ox.Literal)
        ]
        if said:
            batch += _title_records(film, said, provenance)
        if len(batch) >= _BATCH:
            store.extend(batch)
            batch = []
    store.extend(batch)


def _title_records(node: ox.NamedNode, said: list[ox.Quad], provenance: Any) -> list[ox.Quad]:
    """What linking records of a film's titles ``said`` (its labels and original titles).

    Its title keys as ``skos:hiddenLabel`` in ``provenance``; when the sources give it more
    than one title, each label as ``skos:altLabel`` in its source's graph; and the titles a
    label holds ("X (Y)", "X aka Y") as aliases by that source.
    """
    keys: set[str] = set()
    for q in said:
        keys |= title_keys(q.object.value)  # type: ignore[union-attr]
    out = [ox.Quad(node, _HIDDEN, ox.Literal(key), provenance) for key in sorted(keys)]
    if len({_text(q.object) for q in said}) > 1:
        out += [ox.Quad(node, _ALT, q.object, q.graph_name) for q in said if q.predicate == _LABEL]
    for q in said:
        out += [
            ox.Quad(node, _ALT, ox.Literal(alias), q.graph_name)
            for alias in alternative_titles(_text(q.object))
        ]
    return out


def _settle_placeholders(store: ox.Store, report: LinkReport) -> list[str]:
    """Drop the flag of placeholders another source describes; list the rest.

    Returns every node flagged unresolved, resolved or not.
    """
    flagged = sorted(
        {
            _text(q.subject)
            for q in _quads(store, None, _UNRESOLVED, _TRUE)
            if isinstance(q.subject, ox.NamedNode)
        }
    )
    for iri in flagged:
        node = ox.NamedNode(iri)
        described = any(
            ox.Quad(node, _UNRESOLVED, _TRUE, q.graph_name) not in store
            for q in _quads(store, node, _TYPE)
        )
        if described:
            for quad in list(_quads(store, node, _UNRESOLVED)):
                store.remove(quad)
            report.resolved += 1
            continue
        kinds = sorted(
            KIND_OF_CLASS.get(URIRef(_text(q.object)), "thing")
            for q in _quads(store, node, _TYPE)
            if isinstance(q.object, ox.NamedNode)
        )
        label = next((_text(q.object) for q in _quads(store, node, _LABEL)), iri)
        report.unresolved.append((URIRef(iri), kinds[0] if kinds else "thing", label))
    return flagged


def _corroboration(store: ox.Store, report: LinkReport) -> None:
    """Count the claims whose statement (kind and ends) another source also makes.

    Claim by claim: what is held is one entry per statement, with the IRIs of its ends
    shared, never every claim's quads.
    """
    strings: dict[str, str] = {}
    shared: dict[frozenset[str], frozenset[str]] = {}
    statements: dict[tuple[str, ...], tuple[frozenset[str], int]] = {}

    def said(claim: ox.NamedNode | ox.BlankNode, prop: URIRef) -> list[str]:
        values = (_text(q.object) for q in _quads(store, claim, _n(prop)))
        return [strings.setdefault(value, value) for value in values]

    for cls in _CLAIM_KEYS:
        for q in _quads(store, None, _TYPE, _n(cls)):
            claim = q.subject
            if not isinstance(claim, (ox.NamedNode, ox.BlankNode)):
                continue
            typed = sorted(
                (_CLAIM_ORDER[_text(t.object)], str(t.graph_name))
                for t in _quads(store, claim, _TYPE)
                if _text(t.object) in _CLAIM_ORDER
            )
            sources = frozenset(said(claim, FG.source))
            # once per claim (at its first class and graph), and only with a source
            if typed[0] != (_CLAIM_ORDER[str(cls)], str(q.graph_name)) or not sources:
                continue
            keys: set[tuple[str, ...]] = set()
            for order in {order for order, _ in typed}:
                kind, first, second = _CLAIM_KEYS[_CLAIM_CLASSES[order]]
                if kind == "similar":
                    keys.add(("similar", *sorted(said(claim, first))))
                else:
                    keys.add((kind, *(next(iter(said(claim, p)), "") for p in (first, second))))
            for key in keys:
                told, claims = statements.get(key, (frozenset(), 0))
                told |= sources
                statements[key] = (shared.setdefault(told, told), claims + 1)
    report.corroborated = sum(claims for told, claims in statements.values() if len(told) > 1)


def _contradictions(store: ox.Store, report: LinkReport) -> None:
    """Report every single-valued fact on which sources disagree, with every value given."""
    query = get_query("several-values").text
    for prop in _SINGLE_VALUED:
        found = store.query(query, substitutions={ox.Variable("property"): _n(prop)})
        if not isinstance(found, ox.QuerySolutions):
            raise QueryError("several-values gave no rows")
        subjects = [row["subject"] for row in found]
        quads = (q for s in subjects for q in _quads(store, s, _n(prop)))
        report.contradictions += [line for _, line in _contradiction_lines(prop, quads)]


def _contradiction_lines(prop: URIRef, quads: Iterable[ox.Quad]) -> list[tuple[str, str]]:
    """(subject, report line) for every subject the ``prop`` quads give several values."""
    values: dict[str, dict[object, set[str]]] = defaultdict(lambda: defaultdict(set))
    for q in quads:
        values[_text(q.subject)][q.object].add(_graph_of(q).rsplit("/", 1)[-1])
    out = []
    for subject, by_value in sorted(values.items()):
        if len(by_value) > 1:
            told = "; ".join(
                f"{value} ({', '.join(sorted(graphs))})"
                for value, graphs in sorted(
                    ((from_oxigraph(v), g) for v, g in by_value.items()), key=str
                )
            )
            name = prop.split("#")[-1]
            out.append((subject, f"<{subject}> {name}: {told}"))
    return out


def _rewrite(store: ox.Store, mapping: dict[str, str]) -> None:
    """Rename merged nodes in every quad that names them, in ``store``."""

    def swap(term: Any) -> Any:
        if isinstance(term, ox.NamedNode) and term.value in mapping:
            return ox.NamedNode(mapping[term.value])
        return term

    changes: set[ox.Quad] = set()
    for iri in mapping:
        node = ox.NamedNode(iri)
        changes.update(store.quads_for_pattern(node, None, None, None))
        changes.update(store.quads_for_pattern(None, None, node, None))
    renamed = []
    for q in changes:
        store.remove(q)
        # An authority link stays what it is, even when it also names a merged node.
        obj = q.object if q.predicate == _WIKIDATA else swap(q.object)
        renamed.append(ox.Quad(swap(q.subject), q.predicate, obj, q.graph_name))
    store.extend(renamed)


def _holders(store: ox.Store) -> dict[str, set[str]]:
    """Authority id -> every node stating it, before any merge."""
    holders: dict[str, set[str]] = defaultdict(set)
    for q in _quads(store, None, _WIKIDATA):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            holders[q.object.value].add(q.subject.value)
    return holders


_SCHEMA = """
CREATE TABLE IF NOT EXISTS nodes (node TEXT PRIMARY KEY, kind TEXT, year INT);
CREATE TABLE IF NOT EXISTS names (key TEXT, kind TEXT, node TEXT, year INT, part INT);
CREATE TABLE IF NOT EXISTS directors (node TEXT, director TEXT);
CREATE TABLE IF NOT EXISTS authorities (qid TEXT, node TEXT);
CREATE TABLE IF NOT EXISTS flagged (node TEXT PRIMARY KEY);
CREATE INDEX IF NOT EXISTS names_by_key ON names (key);
CREATE INDEX IF NOT EXISTS names_by_kind_year ON names (kind, year);
CREATE INDEX IF NOT EXISTS directors_by_director ON directors (director);
CREATE INDEX IF NOT EXISTS authorities_by_qid ON authorities (qid);
"""


def write_link_index(
    path: Path,
    nodes: Iterator[_Node] | Sequence[_Node] | Any,
    holders: dict[str, set[str]],
    flagged: Sequence[str] | Any,
) -> None:
    """Add to the link index at ``path`` (created when missing) what linking read.

    The index holds every node of a merged kind as linking read it before merging (names,
    title parts, year, directors), every authority id with its holders, and every node a
    source marked unresolved: what the next build needs to tell, without reading every
    source again, whether a new document's nodes could merge with anything
    (:mod:`filmgraph.linkdelta`).
    """
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.executescript(_SCHEMA)
        # Rows go to SQLite as they are made: a list of them was a row per name of the graph.
        every = nodes if isinstance(nodes, Collection) else list(nodes)
        db.executemany(
            "INSERT OR REPLACE INTO nodes VALUES (?, ?, ?)",
            ((node.iri, node.kind, node.year) for node in every),
        )
        db.executemany(
            "INSERT INTO names VALUES (?, ?, ?, ?, ?)",
            (
                (k, node.kind, node.iri, node.year, partial)
                for node in every
                for partial, keys in ((0, node.names), (1, node.partials))
                for k in keys
            ),
        )
        db.executemany(
            "INSERT INTO directors VALUES (?, ?)",
            ((node.iri, d) for node in every for d in node.directors),
        )
        db.executemany(
            "INSERT INTO authorities VALUES (?, ?)",
            [(qid, node) for qid, held in holders.items() for node in held],
        )
        db.executemany("INSERT OR IGNORE INTO flagged VALUES (?)", [(n,) for n in flagged])
