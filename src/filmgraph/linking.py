"""Entity resolution across sources: one node per film, person or event.

Sources that mint the same film from the same title and year already agree. This step
merges what they could not agree on by name but share an authority id for: nodes with the
same Wikidata id become the node of the earliest source in the build, unless their years
are more than one apart (release years differ between sources; decades do not).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Dataset, URIRef
from rdflib.term import Node

from filmgraph.namespaces import FG

__all__ = ["LinkReport", "merge_by_authority"]


@dataclass
class LinkReport:
    """What linking did: merged nodes and the conflicts it refused to merge."""

    #: merged node -> the node it became
    merged: dict[URIRef, URIRef] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)


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
        if isinstance(s, URIRef) and isinstance(qid, URIRef):
            holders[qid].add(s)
            first_seen[s] = min(first_seen.get(s, len(rank)), rank.get(g, len(rank)))  # type: ignore[arg-type]
    report = LinkReport()
    for qid, nodes in sorted(holders.items()):
        if len(nodes) < 2:
            continue
        ordered = sorted(nodes, key=lambda n: (first_seen[n], str(n)))
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
    if report.merged:
        _rewrite(dataset, report.merged)
    return report


def _rewrite(dataset: Dataset, mapping: dict[URIRef, URIRef]) -> None:
    def swap(term: Node) -> Node:
        return mapping.get(term, term) if isinstance(term, URIRef) else term

    changes = [
        (s, p, o, g)
        for s, p, o, g in dataset.quads((None, None, None, None))
        if s in mapping or o in mapping
    ]
    for s, p, o, g in changes:
        dataset.remove((s, p, o, g))
        dataset.add((swap(s), p, swap(o), g))
