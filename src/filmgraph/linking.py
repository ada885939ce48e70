"""Entity resolution across sources: the same film, person or event becomes one node.

Loaders mint IRIs deterministically (a film is ``film:{title-slug}-{year}``), so most nodes
from different sources meet by construction. This step merges what they could not agree on
by IRI, in order of trust:

1. authority ids: nodes with the same Wikidata id become one, unless their years are more
   than one apart (release years differ between sources; decades do not);
2. names: a film with the same normalised title (or alias, original title, transliteration)
   and a year within one of another's; a person, organisation, place, award or event with
   the same normalised name or alias;
3. fuzzy names: the same, with rapidfuzz similarity at or above :data:`FUZZY_THRESHOLD`.

Two nodes that one source document describes side by side are never merged: that source
says they are different. The node kept is ours (``https://w3id.org/filmgraph/id/``) before
an outside IRI, then the one from the earliest source. After merging, a node a loader
marked ``fg:unresolved true`` that another source describes is resolved (its flag dropped);
the rest are listed. Claims two sources make alike are counted as corroborated (both kept),
and single-valued facts on which sources disagree (years, dates, runtimes) are reported,
with both values kept side by side.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from filmgraph.loaders.pagegazetteer import KIND_OF_CLASS, normalise
from filmgraph.namespaces import FG, ID

__all__ = ["FUZZY_THRESHOLD", "LinkReport", "merge_by_authority", "resolve_entities"]

#: rapidfuzz ratio at or above which two names (of the same kind) are the same entity.
FUZZY_THRESHOLD = 92.0

_NAMES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, FG.originalTitle, FG.nativeName)
_SINGLE_VALUED = (FG.year, FG.releaseDate, FG.runtime, FG.birthDate, FG.deathDate)
_MERGED_KINDS = ("film", "person", "org", "place", "event", "award")
#: Events are matched by exact name only: thousands of dated events from Wikidata differ
#: by one word ("First/Second Battle of …") far more often than sources misspell them.
_FUZZY_KINDS = ("film", "person", "org", "place", "award")


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
        reasons = ", ".join(f"{v} {k.removeprefix('merged ')}" for k, v in sorted(c.items())
                            if k.startswith("merged by "))
        out = [f"{c['merged']} nodes merged" + (f" ({reasons})" if reasons else ""),
               f"{c['placeholders resolved']} placeholders resolved by another source, "
               f"{c['unresolved']} unresolved",
               f"{c['corroborated claims']} claims corroborated by another source, "
               f"{c['contradictions']} contradictions"]
        out += [f"unresolved {kind}: {label} <{node}>" for node, kind, label in self.unresolved]
        out += [f"contradiction: {text}" for text in self.contradictions]
        out += [f"conflict: {text}" for text in self.conflicts]
        return out


def _year(dataset: Dataset, node: URIRef) -> int | None:
    for year in dataset.objects(node, FG.year):
        return int(str(year)[:4])
    return None


def merge_by_authority(dataset: Dataset, source_order: list[URIRef]) -> LinkReport:
    """Merge nodes that share a Wikidata id, in place; return what was merged."""
    rank = {g: i for i, g in enumerate(source_order)}
    first_seen: dict[URIRef, int] = {}
    holders: dict[URIRef, set[URIRef]] = defaultdict(set)
    for s, _, qid, g in dataset.quads((None, FG.wikidata, None, None)):
        if isinstance(s, URIRef) and isinstance(qid, URIRef) and s != qid:
            holders[qid].add(s)
            first_seen[s] = min(first_seen.get(s, len(rank)), rank.get(_iri(g), len(rank)))
    for s, _, qid, g in dataset.quads((None, FG.wikidata, None, None)):
        if s == qid and isinstance(s, URIRef):  # an outside node named by its Wikidata IRI
            holders[s].add(s)
            first_seen[s] = min(first_seen.get(s, len(rank)), rank.get(_iri(g), len(rank)))
    report = LinkReport()
    for qid, nodes in sorted(holders.items()):
        if len(nodes) < 2:
            continue
        ordered = sorted(nodes, key=lambda n: (not _ours(n), first_seen[n], str(n)))
        canonical = ordered[0]
        years = {n: _year(dataset, n) for n in ordered}
        for node in ordered[1:]:
            a, b = years[canonical], years[node]
            if a is not None and b is not None and abs(a - b) > 1:
                report.conflicts.append(
                    f"{qid} is given to {canonical} ({a}) and {node} ({b}); not merged"
                )
                continue
            report.merged[node] = canonical
            report.reasons[node] = "authority id"
    if report.merged:
        _rewrite(dataset, report.merged)
    return report


def _iri(node: object) -> URIRef:
    return node if isinstance(node, URIRef) else URIRef("")


def _ours(node: URIRef) -> bool:
    return str(node).startswith(str(ID))


@dataclass
class _Node:
    iri: URIRef
    kind: str
    rank: int
    graphs: set[URIRef] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    label: str = ""
    year: int | None = None
    #: first and last year of an event, from fg:startDate / fg:endDate
    span: tuple[int, int] | None = None


def _nodes(dataset: Dataset, rank: dict[URIRef, int]) -> dict[URIRef, _Node]:
    nodes: dict[URIRef, _Node] = {}
    for s, _, cls, g in dataset.quads((None, RDF.type, None, None)):
        kind = KIND_OF_CLASS.get(cls) if isinstance(cls, URIRef) else None
        if kind is None or not isinstance(s, URIRef) or not isinstance(g, URIRef):
            continue
        kind = "place" if kind == "country" else kind
        if kind not in _MERGED_KINDS:
            continue
        node = nodes.setdefault(s, _Node(s, kind, rank.get(g, len(rank))))
        node.rank = min(node.rank, rank.get(g, len(rank)))
        if (s, FG.unresolved, Literal(True), g) not in dataset:
            node.graphs.add(g)
    for node in nodes.values():
        for prop in _NAMES:
            for name in dataset.objects(node.iri, prop):
                key = normalise(str(name))
                if key:
                    node.names.add(key)
                    if prop == RDFS.label and not node.label:
                        node.label = str(name)
        node.year = _year(dataset, node.iri)
        years = [int(str(d)[:4]) for p in (FG.startDate, FG.endDate)
                 for d in dataset.objects(node.iri, p) if str(d)[:4].isdigit()]
        if years:
            node.span = (min(years), max(years))
    return nodes


def _compatible(a: _Node, b: _Node) -> bool:
    if a.kind != b.kind or a.graphs & b.graphs:
        return False
    if a.kind == "film":
        return a.year is None or b.year is None or abs(a.year - b.year) <= 1
    if a.kind == "event" and a.span and b.span:
        # the same name decades apart is two events, or one source's mistake: not merged
        return a.span[0] - 1 <= b.span[1] and b.span[0] - 1 <= a.span[1]
    return True


def merge_by_name(dataset: Dataset, source_order: list[URIRef], report: LinkReport) -> None:
    """Merge films by title and year, and other kinds by name, exactly then fuzzily."""
    rank = {g: i for i, g in enumerate(source_order)}
    nodes = _nodes(dataset, rank)
    mapping: dict[URIRef, URIRef] = {}
    for kind in _MERGED_KINDS:
        ordered = sorted((n for n in nodes.values() if n.kind == kind),
                         key=lambda n: (not _ours(n.iri), n.rank, str(n.iri)))
        index: dict[str, list[_Node]] = defaultdict(list)
        for node in ordered:
            target, reason = _find(node, index)
            if target is None:
                for name in node.names:
                    index[name].append(node)
                continue
            mapping[node.iri] = target.iri
            report.merged[node.iri] = target.iri
            report.reasons[node.iri] = reason
            target.graphs |= node.graphs
            for name in node.names:
                index[name].append(target)
    if mapping:
        _rewrite(dataset, mapping)


def _find(node: _Node, index: dict[str, list[_Node]]) -> tuple[_Node | None, str]:
    exact = "title and year" if node.kind == "film" else "name"
    for name in sorted(node.names):
        for other in index.get(name, []):
            if _compatible(node, other):
                return other, exact
    keys = list(index) if node.kind in _FUZZY_KINDS else []
    for name in sorted(node.names):
        if len(name) < 5 or not keys:
            continue
        for hit, _score, _ in process.extract(name, keys, scorer=fuzz.ratio,
                                              score_cutoff=FUZZY_THRESHOLD, limit=5):
            for other in index[hit]:
                if _compatible(node, other):
                    return other, "fuzzy name"
    return None, ""


def resolve_entities(dataset: Dataset, source_order: list[URIRef]) -> LinkReport:
    """Run every step of entity resolution on ``dataset``, in place, and report."""
    union = dataset.default_union
    dataset.default_union = True  # triple look-ups below read across all named graphs
    try:
        report = merge_by_authority(dataset, source_order)
        merge_by_name(dataset, source_order, report)
        _settle_placeholders(dataset, report)
        _corroboration(dataset, report)
        _contradictions(dataset, report)
    finally:
        dataset.default_union = union
    return report


def _settle_placeholders(dataset: Dataset, report: LinkReport) -> None:
    flagged = {s for s, _, o, _ in dataset.quads((None, FG.unresolved, None, None))
               if o == Literal(True) and isinstance(s, URIRef)}
    for node in sorted(flagged):
        described = any(
            (node, FG.unresolved, Literal(True), g) not in dataset
            for _, _, _, g in dataset.quads((node, RDF.type, None, None))
        )
        if described:
            for quad in list(dataset.quads((node, FG.unresolved, None, None))):
                dataset.remove(quad)  # type: ignore[arg-type]
            report.resolved += 1
            continue
        kinds = sorted(KIND_OF_CLASS.get(c, "thing") for c in dataset.objects(node, RDF.type)
                       if isinstance(c, URIRef))
        label = next((str(v) for v in dataset.objects(node, RDFS.label)), str(node))
        report.unresolved.append((node, kinds[0] if kinds else "thing", label))


def _corroboration(dataset: Dataset, report: LinkReport) -> None:
    keys: dict[tuple[object, ...], set[Node]] = defaultdict(set)
    for claim, _, source in dataset.triples((None, FG.source, None)):
        if (claim, RDF.type, FG.InspirationClaim) in dataset or (
                claim, RDF.type, FG.AdaptationClaim) in dataset or (
                claim, RDF.type, FG.PersonInfluenceClaim) in dataset:
            key: tuple[object, ...] = ("influence", dataset.value(claim, FG.influencee),
                                     dataset.value(claim, FG.influencer))
        elif (claim, RDF.type, FG.ContextClaim) in dataset:
            key = ("context", dataset.value(claim, FG.contextFilm),
                   dataset.value(claim, FG.contextEvent))
        elif (claim, RDF.type, FG.SimilarityClaim) in dataset:
            key = ("similar", *sorted(map(str, dataset.objects(claim, FG.similarFilm))))
        else:
            continue
        keys[(*key, claim)].add(source)
    by_statement: dict[tuple[object, ...], set[Node]] = defaultdict(set)
    claims_of: dict[tuple[object, ...], list[object]] = defaultdict(list)
    for key, sources in keys.items():
        by_statement[key[:-1]] |= sources
        claims_of[key[:-1]].append(key[-1])
    report.corroborated = sum(len(claims_of[k]) for k, s in by_statement.items() if len(s) > 1)


def _contradictions(dataset: Dataset, report: LinkReport) -> None:
    for prop in _SINGLE_VALUED:
        values: dict[Node, dict[Node, set[str]]] = defaultdict(lambda: defaultdict(set))
        for s, _, o, g in dataset.quads((None, prop, None, None)):
            values[s][o].add(str(g).rsplit("/", 1)[-1])
        for subject, by_value in sorted(values.items(), key=lambda kv: str(kv[0])):
            if len(by_value) > 1:
                told = "; ".join(f"{value} ({', '.join(sorted(graphs))})"
                                 for value, graphs in sorted(by_value.items(), key=str))
                name = prop.split("#")[-1]
                report.contradictions.append(f"<{subject}> {name}: {told}")


def _rewrite(dataset: Dataset, mapping: dict[URIRef, URIRef]) -> None:
    def swap(term: Node) -> Node:
        return mapping.get(term, term) if isinstance(term, URIRef) else term

    changes = [
        (s, p, o, g)
        for s, p, o, g in dataset.quads((None, None, None, None))
        if s in mapping or o in mapping
    ]
    for s, p, o, g in changes:
        dataset.remove((s, p, o, g))  # type: ignore[arg-type]
        if p == FG.unresolved:
            continue  # a merged placeholder is resolved by the node it became
        # An authority link stays what it is, even when it also names a merged node.
        dataset.add((swap(s), p, o if p == FG.wikidata else swap(o), g))  # type: ignore[arg-type]
