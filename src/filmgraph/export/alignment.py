"""The ontology's alignments, read as the export mapping to schema.org and Wikidata.

Every class and property of ``ontology/filmgraph.ttl`` says what it corresponds to with
``skos:exactMatch``, ``closeMatch``, ``broadMatch`` (the external term is more general) or
``relatedMatch``. Exporters translate a term only where the match is exact, close or broad:
a broader external term is still true of our data, a merely related one is not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from filmgraph.namespaces import SCHEMA, WDT
from filmgraph.resources import ontology_path

__all__ = ["MATCH_RANK", "Alignments", "load_alignments"]

#: The matches an exporter may follow, best first.
MATCH_RANK = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch)


@dataclass(frozen=True)
class Alignments:
    """For each of our terms, its external counterparts by namespace, best match first."""

    #: our term -> [(match property, external term)], in :data:`MATCH_RANK` order
    matches: dict[URIRef, list[tuple[URIRef, URIRef]]] = field(default_factory=dict)

    def targets(self, term: URIRef, namespace: str) -> list[URIRef]:
        """External terms in ``namespace`` that ``term`` maps to, best match first.

        Only the best rank present is returned: a close match hides broader ones.
        """
        found = [(rank, t) for rank, t in self._ranked(term) if str(t).startswith(namespace)]
        if not found:
            return []
        best = min(rank for rank, _ in found)
        return [t for rank, t in found if rank == best]

    def schema(self, term: URIRef) -> list[URIRef]:
        """The schema.org terms for ``term``."""
        return self.targets(term, str(SCHEMA))

    def wikidata_properties(self, term: URIRef) -> list[str]:
        """The Wikidata property ids (``P57`` …) for ``term``."""
        return [str(t)[len(str(WDT)):] for t in self.targets(term, str(WDT))]

    def terms(self) -> Iterable[URIRef]:
        """Every term that has at least one usable match."""
        return self.matches.keys()

    def _ranked(self, term: URIRef) -> list[tuple[int, URIRef]]:
        return [(MATCH_RANK.index(m), t) for m, t in self.matches.get(term, [])]


def load_alignments(ontology: Graph | Path | None = None) -> Alignments:
    """The alignments of ``ontology`` (default: the project's ontology file).

    The small file ``alignments-extra.ttl`` beside this module adds the names of the
    general terms we use for labels (``rdfs:label`` is ``schema:name``).
    """
    graph = Graph()
    if isinstance(ontology, Graph):
        graph += ontology
    else:
        graph.parse(ontology if ontology is not None else ontology_path(), format="turtle")
    graph.parse(data=files("filmgraph.export").joinpath("alignments-extra.ttl").read_text(
        encoding="utf-8"), format="turtle")
    matches: dict[URIRef, list[tuple[URIRef, URIRef]]] = {}
    for match in MATCH_RANK:
        for subject, target in sorted(graph.subject_objects(match)):
            if isinstance(subject, URIRef) and isinstance(target, URIRef):
                matches.setdefault(subject, []).append((match, target))
    return Alignments(matches)
