"""The ids a build has defined so far, so that references can be checked as they are read."""

from __future__ import annotations

from rdflib import URIRef

from filmgraph.iri import mint
from filmgraph.loaders.csvtable import Row

__all__ = ["KnownIds"]


class KnownIds:
    """Ids defined so far in a build, by kind, so references can be checked as they are read."""

    def __init__(self) -> None:
        self._ids: dict[str, set[str]] = {}
        self.country_iris: dict[str, URIRef] = {}

    def define(self, row: Row, kind: str, identifier: str, field: str = "id") -> URIRef:
        ids = self._ids.setdefault(kind, set())
        if identifier in ids:
            raise row.error(field, f"{kind} id {identifier!r} is defined twice")
        ids.add(identifier)
        return mint(kind, identifier)

    def ids(self, kind: str) -> frozenset[str]:
        """Every id of ``kind`` defined so far."""
        return frozenset(self._ids.get(kind, set()))

    def ref(self, row: Row, kind: str, identifier: str, field: str) -> URIRef:
        if identifier not in self._ids.get(kind, set()):
            raise row.error(field, f"refers to unknown {kind} id {identifier!r}")
        return mint(kind, identifier)

    def country(self, row: Row, code: str, field: str) -> URIRef:
        try:
            return self.country_iris[code]
        except KeyError:
            raise row.error(field, f"refers to unknown country code {code!r}") from None
