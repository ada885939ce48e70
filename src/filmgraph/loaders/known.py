"""The ids a build has defined so far, so that references can be checked as they are read."""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef

from filmgraph.iri import mint
from filmgraph.loaders.csvtable import Row

__all__ = ["KnownIds"]


class KnownIds:
    """Ids defined so far in a build, by kind, so references can be checked as they are read."""

    def __init__(self) -> None:
        self._ids: dict[str, set[str]] = {}
        #: (kind, id) -> its IRI, for ids referred to: a table refers to each film and
        #: person many times, and minting checks the id and the IRI every time
        self._iris: dict[tuple[str, str], URIRef] = {}
        self.country_iris: dict[str, URIRef] = {}
        #: file -> kind -> ids it defined, in order (what an incremental build replays)
        self._by_file: dict[Path, dict[str, list[str]]] = {}
        self._countries_by_file: dict[Path, dict[str, URIRef]] = {}
        self._resolved: dict[Path, Path] = {}
        #: (file, line) -> the ids that row defined, so a skipped row can take them back
        self._by_row: dict[tuple[Path, int], list[tuple[str, str]]] = {}
        #: (kind, id) -> "file:line" of the skipped row that would have defined it
        self._skipped: dict[tuple[str, str], str] = {}
        #: IRIs (of tables from elsewhere) whose describing row was skipped -> "file:line"
        self._skipped_iris: dict[URIRef, str] = {}

    def _file(self, path: Path) -> Path:
        found = self._resolved.get(path)
        if found is None:
            found = self._resolved[path] = path.resolve()
        return found

    def define(self, row: Row, kind: str, identifier: str, field: str = "id") -> URIRef:
        ids = self._ids.setdefault(kind, set())
        if identifier in ids:
            raise row.error(field, f"{kind} id {identifier!r} is defined twice")
        ids.add(identifier)
        self._by_row.setdefault((row.path, row.line), []).append((kind, identifier))
        self._by_file.setdefault(self._file(row.path), {}).setdefault(kind, []).append(identifier)
        return mint(kind, identifier)

    def forget(self, row: Row) -> None:
        """Take back the ids ``row`` defined: the row was skipped (lenient mode), so rows
        that refer to them are skipped too, naming it, instead of loading and dangling."""
        for kind, identifier in self._by_row.pop((row.path, row.line), []):
            self._ids.get(kind, set()).discard(identifier)
            self._iris.pop((kind, identifier), None)
            by_kind = self._by_file.get(self._file(row.path), {}).get(kind, [])
            if identifier in by_kind:
                by_kind.remove(identifier)
            self._skipped[(kind, identifier)] = f"{row.path.name}:{row.line}"

    def forget_iri(self, iri: URIRef, where: str) -> None:
        """Record that the row at ``where`` ("file:line"), which would have described
        ``iri``, was skipped: rows of later tables that link to it are skipped too."""
        self._skipped_iris[iri] = where

    def described_iri(self, iri: URIRef) -> None:
        """A loaded row describes ``iri`` after all: links to it no longer dangle."""
        self._skipped_iris.pop(iri, None)

    def skipped_row_of(self, iri: URIRef) -> str | None:
        """The "file:line" of the skipped row that would have described ``iri``, if any."""
        return self._skipped_iris.get(iri)

    def define_country(self, row: Row, code: str, iri: URIRef) -> None:
        """Record the place a country code stands for."""
        self.country_iris[code] = iri
        self._countries_by_file.setdefault(self._file(row.path), {})[code] = iri

    def restore(self, kind: str, ids: list[str]) -> None:
        """Define ``ids`` again, as a document replayed from an earlier build defined them."""
        self._ids.setdefault(kind, set()).update(ids)

    def defined_by(self, file: Path) -> dict[str, list[str]]:
        """The ids ``file`` defined, by kind."""
        return {kind: list(ids) for kind, ids in self._by_file.get(file.resolve(), {}).items()}

    def countries_by(self, file: Path) -> dict[str, URIRef]:
        """The country codes ``file`` defined."""
        return dict(self._countries_by_file.get(file.resolve(), {}))

    def ids(self, kind: str) -> frozenset[str]:
        """Every id of ``kind`` defined so far."""
        return frozenset(self._ids.get(kind, set()))

    def ref(self, row: Row, kind: str, identifier: str, field: str) -> URIRef:
        """The IRI of the ``kind`` id ``identifier`` that ``row`` refers to in ``field``;
        an id no row defined (or whose row was skipped) is an error naming the row."""
        found = self._iris.get((kind, identifier))
        if found is not None:
            return found
        if identifier not in self._ids.get(kind, set()):
            skipped = self._skipped.get((kind, identifier))
            if skipped is not None:
                raise row.error(
                    field,
                    f"refers to {kind} id {identifier!r}, whose row "
                    f"({skipped}) was skipped: left dangling, so skipped too",
                )
            raise row.error(field, f"refers to unknown {kind} id {identifier!r}")
        found = self._iris[(kind, identifier)] = mint(kind, identifier)
        return found

    def country(self, row: Row, code: str, field: str) -> URIRef:
        try:
            return self.country_iris[code]
        except KeyError:
            raise row.error(field, f"refers to unknown country code {code!r}") from None
