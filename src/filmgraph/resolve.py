"""Turn what a scholar types into the IRI of a resource.

A film or person can be named on the command line as

* its label, alternative label, original title or native name: ``Battleship Potemkin``;
* that name and a year in brackets: ``The Miners (1937)`` (for people the year of birth);
* its id, prefixed name or full IRI: ``the-miners-1937``, ``film:the-miners-1937``,
  ``<https://w3id.org/filmgraph/id/film/the-miners-1937>`` — also an IRI that a source
  minted for a node linking merged into another (followed along ``owl:sameAs``);
* another spelling of a film's title: ``Intouchables`` for ``The Intouchables``, ``Five-Year
  Plan`` for ``5-Year Plan`` (the title keys of :mod:`filmgraph.titles`).

Names are matched without regard to case, through the ``name-lookup`` query. A name that
fits several resources raises :class:`~filmgraph.errors.AmbiguousName` listing them (the
command line exits with code 2); a name that fits none raises
:class:`~filmgraph.errors.UnknownName`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Literal, URIRef

from filmgraph.errors import AmbiguousName, UnknownName
from filmgraph.iri import is_slug
from filmgraph.namespaces import ID, PREFIXES
from filmgraph.queries import expand_iri, run_named
from filmgraph.store.base import SelectResult, Store
from filmgraph.titles import title_keys

__all__ = ["Candidate", "candidates", "merged_into", "resolve_name"]

#: The kinds of resource the ``name-lookup`` query tells apart.
KINDS = ("film", "person", "movement", "event", "theme", "organisation", "place", "award",
         "source")
_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
_WITH_YEAR = re.compile(r"^(?P<name>.+?)\s*\((?P<year>-?[0-9]{4})\)$")


@dataclass(frozen=True, order=True)
class Candidate:
    """A resource a name may stand for."""

    kind: str
    iri: URIRef
    label: str
    year: int | None

    def describe(self) -> str:
        """``label (year), kind`` — how a person tells two candidates apart."""
        year = f" ({self.year})" if self.year is not None else ""
        return f"{self.label}{year}, {self.kind}"


def _rows(store: Store, params: dict[str, str]) -> list[Candidate]:
    result = run_named(store, "name-lookup", params)
    assert isinstance(result, SelectResult)
    found = []
    for row in result.dicts():
        year = row.get("year")
        found.append(Candidate(
            kind=str(row["kind"]),
            iri=URIRef(str(row["thing"])),
            label=str(row.get("label", row["thing"])),
            year=int(year) if isinstance(year, Literal) else None,
        ))
    return sorted(set(found))


def _as_iri(text: str) -> URIRef | None:
    if text.startswith("<") or text.startswith(("http://", "https://", "urn:")):
        return expand_iri(text)
    prefix, colon, _ = text.partition(":")
    if colon and prefix in PREFIXES:
        return expand_iri(text)
    return None


def candidates(
    store: Store, text: str, kinds: tuple[str, ...] = ("film", "person", "movement")
) -> list[Candidate]:
    """Every resource of one of ``kinds`` that ``text`` may name, sorted by kind and year.

    An IRI or prefixed name gives the resource itself (when it is of one of ``kinds``); a
    bare id gives the resources of those kinds minted with it; otherwise the text is looked
    up as a name, and when nothing is called that, as a name followed by ``(year)``.
    """
    text = text.strip()
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown kinds {unknown} (known: {', '.join(KINDS)})")
    iri = _as_iri(text)
    if iri is not None:
        return [c for c in _rows(store, {"thing": merged_into(store, iri).n3()})
                if c.kind in kinds]
    if is_slug(text):
        by_id = [
            c for kind in kinds
            for c in _rows(store, {"thing": merged_into(store, ID[f"{kind}/{text}"]).n3()})
            if c.kind == kind
        ]
        if by_id:
            return by_id
    found = _by_name(store, text, kinds)
    match = _WITH_YEAR.match(text)
    if not found and match:
        year = int(match["year"])
        found = [c for c in _by_name(store, match["name"], kinds) if c.year == year]
    return found


def _by_name(store: Store, name: str, kinds: tuple[str, ...]) -> list[Candidate]:
    """Things called ``name``; failing that, films with a title key of it."""
    found = [c for c in _rows(store, {"name": name}) if c.kind in kinds]
    if found or "film" not in kinds:
        return found
    return sorted({c for key in sorted(title_keys(name)) for c in _rows(store, {"name": key})
                   if c.kind == "film"})


def merged_into(store: Store, iri: URIRef) -> URIRef:
    """The node ``iri`` became when linking merged it (itself when it was not merged).

    Linking writes ``owl:sameAs`` from each merged IRI to the node kept (a chain when a
    node kept by one step was merged by a later one); this follows it to its end.
    """
    seen = {iri}
    while True:
        result = store.query(f"SELECT ?into {{ GRAPH ?g {{ {iri.n3()} <{_SAME_AS}> ?into }} }}")
        assert isinstance(result, SelectResult)
        into = [row["into"] for row in result.dicts() if isinstance(row.get("into"), URIRef)]
        if not into or into[0] in seen:
            return iri
        iri = URIRef(str(into[0]))
        seen.add(iri)


def resolve_name(
    store: Store, text: str, kinds: tuple[str, ...] = ("film", "person", "movement")
) -> URIRef:
    """The one resource of one of ``kinds`` that ``text`` names.

    Raises :class:`~filmgraph.errors.UnknownName` when nothing fits and
    :class:`~filmgraph.errors.AmbiguousName` (listing the candidates) when several do.
    """
    found = candidates(store, text, kinds)
    if not found:
        raise UnknownName(f"no {' or '.join(kinds)} is called {text!r} "
                          "(give a label, 'label (year)', an id or an IRI)")
    iris = sorted({c.iri for c in found})
    if len(iris) > 1:
        raise AmbiguousName(text, [(str(c.iri), c.describe()) for c in found])
    return iris[0]
