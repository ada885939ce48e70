"""Turn what a scholar types into the IRI of a resource.

A film or person can be named on the command line as

* its label, alternative label, original title or native name: ``Battleship Potemkin``;
* that name and a year in brackets: ``The Miners (1937)`` (for people the year of birth);
* its id, prefixed name or full IRI: ``the-miners-1937``, ``film:the-miners-1937``,
  ``<https://w3id.org/filmgraph/id/film/the-miners-1937>`` — also an IRI that a source
  minted for a node linking merged into another (followed along ``dcterms:isReplacedBy``);
* another spelling of a film's title: ``Intouchables`` for ``The Intouchables``, ``Five-Year
  Plan`` for ``5-Year Plan`` (the title keys of :mod:`filmgraph.titles`).

Names are matched without regard to case. A build generation may keep a *name index*
(``names.sqlite``, written by :func:`write_name_index` from the ``name-index`` query): a
name is then found by one index lookup, however large the graph. Without one, the
``name-lookup`` query scans the labels. A name that
fits several resources raises :class:`~filmgraph.errors.AmbiguousName` listing them (the
command line exits with code 2); a name that fits none raises
:class:`~filmgraph.errors.UnknownName`.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef

from filmgraph.derived import derived_path, fingerprint, generation_of
from filmgraph.errors import AmbiguousName, QueryError, UnknownName
from filmgraph.iri import is_slug
from filmgraph.namespaces import ID, PREFIXES
from filmgraph.queries import expand_iri, get_query, select_named
from filmgraph.store.base import SelectResult, Store
from filmgraph.titles import title_keys

__all__ = [
    "NAME_INDEX",
    "Candidate",
    "candidates",
    "kinds_through_subclasses",
    "merged_into",
    "resolve_name",
    "update_name_index",
    "write_name_index",
]

#: File name of the name index beside a generation's store.
NAME_INDEX = "names.sqlite"

#: The kinds of resource the ``name-lookup`` query tells apart.
KINDS = ("film", "person", "movement", "event", "theme", "organisation", "place", "award", "source")
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
    result = select_named(store, "name-lookup", params)
    found = []
    for row in result.dicts():
        year = row.get("year")
        found.append(
            Candidate(
                kind=str(row["kind"]),
                iri=URIRef(str(row["thing"])),
                label=str(row.get("label", row["thing"])),
                year=int(year) if isinstance(year, Literal) else None,
            )
        )
    return sorted(set(found))


def _year_of(term: object) -> int | None:
    return int(term) if isinstance(term, Literal) else None


def _index_rows(store: Store, things: list[str] | None = None) -> list[tuple[Any, ...]]:
    """The ``name-index`` rows of ``store`` (of ``things`` only, when given)."""
    query = get_query("name-index")
    text = query.text
    if things is not None:
        values = " ".join(f"<{thing}>" for thing in things)
        text = text.replace(_INNER, f"{_INNER}\n      VALUES ?thing {{ {values} }}", 1)
    return list(_streamed_index_rows(store, text))


def _streamed_index_rows(store: Store, text: str) -> Iterator[tuple[Any, ...]]:
    """The rows of the ``name-index`` query ``text``, one at a time.

    From an Oxigraph store they come from the engine's lazy answer, never held whole as
    rdflib terms (at 30,000 films 170,000 rows of them took 0.25 GB beside the engine's
    own); other stores give their answer whole. Each row as :func:`_index_rows` gives it.
    """
    from filmgraph.store.oxigraph import OxigraphStore

    if isinstance(store, OxigraphStore):
        yield from _native_index_rows(store, text)
        return
    result = store.query(text)
    if not isinstance(result, SelectResult):
        raise TypeError("name-index is a SELECT query")
    for r in result.dicts():
        yield (
            str(r["text"]).lower(),
            str(r["kind"]),
            str(r["thing"]),
            str(r.get("label", r["thing"])),
            _year_of(r.get("year")),
        )


_STRINGS = (
    "http://www.w3.org/2001/XMLSchema#string",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
)


def _lexical(term: Any, convert: Callable[[Any], object]) -> str:
    """``str()`` of ``term`` as an rdflib term: rdflib writes a typed literal's value in its
    canonical form, so such a literal (a rare label) goes through rdflib."""
    datatype = getattr(term, "datatype", None)
    if datatype is None or datatype.value in _STRINGS:
        return str(term.value)
    return str(convert(term))


def _native_index_rows(store: Any, text: str) -> Iterator[tuple[Any, ...]]:
    """:func:`_streamed_index_rows` from an Oxigraph store's lazy answer."""
    import pyoxigraph as ox

    from filmgraph.store.oxigraph import from_oxigraph

    answer = store.query_native(text)
    if not isinstance(answer, ox.QuerySolutions):
        raise TypeError("name-index is a SELECT query")
    variables = [v.value for v in answer.variables]
    at = {name: variables.index(name) for name in ("text", "kind", "thing", "label", "year")}
    years: dict[Any, int | None] = {}  # a year literal as rdflib reads it, once per value
    try:
        for solution in answer:
            values = list(solution)
            thing, label, year = values[at["thing"]], values[at["label"]], values[at["year"]]
            if year is not None and year not in years:
                years[year] = _year_of(from_oxigraph(year))
            yield (
                values[at["text"]].value.lower(),
                values[at["kind"]].value,
                thing.value,
                thing.value if label is None else _lexical(label, from_oxigraph),
                None if year is None else years[year],
            )
    except RuntimeError as exc:  # an evaluation error found while the answer is read
        raise QueryError(f"query refused: {exc}") from exc


#: Where :func:`update_name_index` binds the resources to look up in ``name-index``.
_INNER = "SELECT DISTINCT ?thing ?kind WHERE {"


def write_name_index(store: Store, generation_dir: Path) -> Path:
    """Keep every name of ``store`` (the ``name-index`` rows) in an index with the generation.

    The build calls this once the generation's store and ``summary.json`` are written;
    returns the index file. Names are keyed in lower case, as ``name-lookup`` compares them.
    """
    from filmgraph.store.oxigraph import OxigraphStore

    text = get_query("name-index").text
    if isinstance(store, OxigraphStore) and _INNER in text:
        return _write_index(generation_dir, None, _pattern_index_rows(store, text), set())
    return _write_index(generation_dir, None, _streamed_index_rows(store, text), set())


def _pattern_index_rows(store: Any, text: str) -> Iterator[tuple[Any, ...]]:
    """The ``name-index`` rows of an Oxigraph store, read resource by resource.

    The query's grouping made the engine hold every name of the graph at once (0.9 GB at
    100,000 films, and growing with the graph); read by pattern, class by class, each
    resource's rows are made from its own statements as :func:`update_name_index` makes
    them, and the memory does not grow with the graph. A resource with several labels
    (whose row takes the query's ``SAMPLE``) is asked of the query, 500 at a time.
    """
    import pyoxigraph as ox

    engine = store.engine
    graph = ox.DefaultGraph() if store.merged else None
    kinds = _kinds_of_classes(engine, text, graph)
    rdf_type = ox.NamedNode(_RDF_TYPE)
    asked: list[str] = []
    for cls in sorted(kinds):
        node = ox.NamedNode(cls)
        last = None
        for q in engine.quads_for_pattern(None, rdf_type, node, graph):
            thing = q.subject
            if not isinstance(thing, ox.NamedNode) or thing == last:
                continue
            last = thing
            # One statement of its type is read: the graphs are many, the rows once.
            first = next(iter(engine.quads_for_pattern(thing, rdf_type, node, graph)))
            if first.graph_name != q.graph_name:
                continue
            types = _types(engine, thing, graph) & kinds.keys()
            if min(types) != cls:  # read under its first class only
                continue
            rows = _thing_rows(engine, thing.value, kinds, graph, types)
            if rows is None:
                asked.append(thing.value)
                if len(asked) == 500:
                    yield from _index_rows(store, asked)
                    asked = []
            else:
                yield from rows
    if asked:
        yield from _index_rows(store, asked)


def _types(engine: Any, thing: Any, graph: Any) -> set[str]:
    """The IRIs of the classes ``thing`` is stated (or inferred) to have in ``graph``."""
    import pyoxigraph as ox

    return {
        q.object.value
        for q in engine.quads_for_pattern(thing, ox.NamedNode(_RDF_TYPE), None, graph)
        if isinstance(q.object, ox.NamedNode)
    }


def update_name_index(
    store: Store, previous: Path, generation_dir: Path, things: list[str]
) -> Path:
    """The name index of ``store`` from a previous generation's index (``previous``), with
    the rows of ``things`` (the resources a change touched) looked up again.

    Gives the index :func:`write_name_index` would write, at the cost of the touched
    resources only (an incremental build's fast path): each one's rows are read from the
    store's merged default graph as ``name-index`` reads them; one with several labels
    (whose row takes a ``SAMPLE``) is asked of the query itself.
    """
    from filmgraph.store.oxigraph import OxigraphStore

    text = get_query("name-index").text
    if not isinstance(store, OxigraphStore) or _INNER not in text:
        return write_name_index(store, generation_dir)
    import pyoxigraph as ox

    graph = ox.DefaultGraph() if store.merged else None
    kinds = _kinds_of_classes(store.engine, text, graph)
    rows: list[tuple[Any, ...]] = []
    asked: list[str] = []
    for thing in things:
        found = _thing_rows(store.engine, thing, kinds, graph)
        if found is None:
            asked.append(thing)
        else:
            rows += found
    for start in range(0, len(asked), 500):
        rows += _index_rows(store, asked[start : start + 500])
    return _write_index(generation_dir, previous, rows, set(things))


_NAME_PROPERTIES = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "https://w3id.org/filmgraph/ontology#originalTitle",
    "https://w3id.org/filmgraph/ontology#nativeName",
    "http://www.w3.org/2004/02/skos/core#hiddenLabel",
)
_YEAR_PROPERTIES = (
    "https://w3id.org/filmgraph/ontology#year",
    "https://w3id.org/filmgraph/ontology#birthDate",
    "https://w3id.org/filmgraph/ontology#startDate",
)
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _kinds_of_classes(engine: Any, text: str, graph: Any) -> dict[str, set[str]]:
    """Class IRI -> the ``name-index`` kinds its instances have (subclasses included)."""
    pairs: dict[str, set[str]] = {}
    for cls, kind in re.findall(r'\(fg:(\w+) "([^"]+)"\)', text):
        pairs.setdefault(f"https://w3id.org/filmgraph/ontology#{cls}", set()).add(kind)
    return kinds_through_subclasses(engine, pairs, union=graph is None)


def kinds_through_subclasses(
    engine: Any, kinds: dict[str, set[str]], *, union: bool = False
) -> dict[str, set[str]]:
    """Class IRI -> the ``kinds`` of its own and of every class above it in ``engine``.

    A query that counts or indexes by class names the classes it knows; an instance of a
    subclass the ontology adds later is of those kinds too, through ``rdfs:subClassOf``.
    The axioms are read from the default graph, or from every graph with ``union`` (a
    store before its merge, which queries the union of its graphs).
    """
    import pyoxigraph as ox

    supers: dict[str, set[str]] = {}
    sub = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    for q in engine.quads_for_pattern(None, sub, None, None if union else ox.DefaultGraph()):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            supers.setdefault(q.subject.value, set()).add(q.object.value)
    out: dict[str, set[str]] = {}
    for cls in supers.keys() | kinds.keys():
        seen, todo = {cls}, [cls]
        while todo:
            for parent in supers.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        found = set().union(*(kinds.get(c, set()) for c in seen))
        if found:
            out[cls] = found
    return out


def _thing_rows(
    engine: Any,
    thing: str,
    kinds_of: dict[str, set[str]],
    graph: Any,
    types: set[str] | None = None,
) -> list[tuple[Any, ...]] | None:
    """The ``name-index`` rows of ``thing`` read from ``graph`` (``None``: every graph, as a
    store before its merge is queried); ``None`` when it has several labels. ``types``, when
    the caller read them already, are its classes."""
    import pyoxigraph as ox

    from filmgraph.store.oxigraph import from_oxigraph

    node = ox.NamedNode(thing)
    kinds: set[str] = set()
    for cls in _types(engine, node, graph) if types is None else types:
        kinds |= kinds_of.get(cls, set())
    if not kinds:
        return []
    labels = {
        q.object
        for q in engine.quads_for_pattern(node, ox.NamedNode(_NAME_PROPERTIES[0]), None, graph)
    }
    if len(labels) > 1:
        return None
    label = _lexical(next(iter(labels)), from_oxigraph) if labels else thing
    years = []
    for prop in _YEAR_PROPERTIES:
        for q in engine.quads_for_pattern(node, ox.NamedNode(prop), None, graph):
            head = q.object.value[:4]
            if _INTEGER.match(head):
                years.append(int(head))
    year = min(years) if years else None
    texts = {
        q.object.value
        for prop in _NAME_PROPERTIES
        for q in engine.quads_for_pattern(node, ox.NamedNode(prop), None, graph)
    }
    return [(text.lower(), kind, thing, label, year) for text in texts for kind in kinds]


def _write_index(
    generation_dir: Path, previous: Path | None, rows: Iterable[tuple[Any, ...]], dropped: set[str]
) -> Path:
    generation = Path(generation_dir)
    path = derived_path(generation, NAME_INDEX)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    if previous is not None:
        shutil.copyfile(previous, tmp)
    with contextlib.closing(sqlite3.connect(tmp)) as db, db:
        if previous is None:
            db.execute("CREATE TABLE generation (fingerprint TEXT)")
            db.execute("INSERT INTO generation VALUES (?)", (fingerprint(generation),))
            db.execute("CREATE TABLE names (key TEXT, kind TEXT, thing TEXT, label TEXT, year INT)")
        else:
            db.execute("UPDATE generation SET fingerprint = ?", (fingerprint(generation),))
            db.execute("CREATE INDEX IF NOT EXISTS names_by_thing ON names (thing)")
            db.executemany("DELETE FROM names WHERE thing = ?", [(t,) for t in sorted(dropped)])
        db.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?)", rows)
        db.execute("CREATE INDEX IF NOT EXISTS names_by_key ON names (key)")
        db.execute("CREATE INDEX IF NOT EXISTS names_by_thing ON names (thing)")
    tmp.chmod(0o644)
    tmp.replace(path)
    return path


def _from_index(store: Store, name: str) -> list[Candidate] | None:
    """Candidates for ``name`` from the generation's name index; ``None`` without one."""
    generation = generation_of(store)
    if generation is None:
        return None
    path = derived_path(generation, NAME_INDEX)
    if not path.is_file():
        return None
    # immutable: read-only, no lock or journal files, so a read-only generation is fine.
    with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True)) as db:
        (stored,) = db.execute("SELECT fingerprint FROM generation").fetchone()
        if stored != fingerprint(generation):
            return None
        found = db.execute(
            "SELECT kind, thing, label, year FROM names WHERE key = ?", (name.lower(),)
        ).fetchall()
    return sorted(
        {Candidate(kind, URIRef(thing), label, year) for kind, thing, label, year in found}
    )


def _named(store: Store, name: str) -> list[Candidate]:
    found = _from_index(store, name)
    return _rows(store, {"name": name}) if found is None else found


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
        return [c for c in _rows(store, {"thing": merged_into(store, iri).n3()}) if c.kind in kinds]
    if is_slug(text):
        by_id = [
            c
            for kind in kinds
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
    found = [c for c in _named(store, name) if c.kind in kinds]
    if found or "film" not in kinds:
        return found
    return sorted(
        {c for key in sorted(title_keys(name)) for c in _named(store, key) if c.kind == "film"}
    )


def merged_into(store: Store, iri: URIRef) -> URIRef:
    """The node ``iri`` became when linking merged it (itself when it was not merged).

    Linking writes ``dcterms:isReplacedBy`` from each merged IRI to the node kept (a chain when a
    node kept by one step was merged by a later one); this follows it to its end.
    """
    seen = {iri}
    while True:
        result = select_named(store, "merged-into", {"node": iri.n3()})
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
        raise UnknownName(
            f"no {' or '.join(kinds)} is called {text!r} "
            "(give a label, 'label (year)', an id or an IRI)"
        )
    iris = sorted({c.iri for c in found})
    if len(iris) > 1:
        raise AmbiguousName(text, [(str(c.iri), c.describe()) for c in found])
    return iris[0]
