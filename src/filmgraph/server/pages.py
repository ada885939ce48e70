"""The HTML the endpoint serves: a film's page for people, the property table of any resource,
and the static files of the query page (no CDN, no network).

Pages are Jinja templates in ``templates/`` beside this module (autoescaped: text from the
data is never HTML); scripts, style sheets and the vendored query editor are files in
``static/``. A film's page is built from the named queries (``film-influences``,
``film-people``, ``film-context``, ``film-similar``, ``film-afterlife``, ``resource-page``),
one of its own in ``queries/`` beside this module (``film-drawn-on-by``: the later works
with their labels) and a small influence map from :mod:`filmgraph.viz`::

    from filmgraph.server.pages import film_page
    html = film_page(store, URIRef("https://w3id.org/filmgraph/id/film/the-miners-1937"))
"""

from __future__ import annotations

import itertools
import mimetypes
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Identifier

from filmgraph.namespaces import FG, ID
from filmgraph.queries import NamedQuery, get_query
from filmgraph.results import shorten
from filmgraph.store.base import SelectResult, Store

__all__ = [
    "MAP_SCRIPT",
    "STATIC_FILES",
    "film_map",
    "film_page",
    "local_path",
    "map_path",
    "prepare_maps",
    "resource_page",
    "static_file",
]

_STATIC = Path(str(files("filmgraph.server").joinpath("static")))
#: The queries only the pages ask (``film-drawn-on-by``), beside the project's named ones.
_PAGE_QUERIES = Path(str(files("filmgraph.server").joinpath("queries")))
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


def _media_type(path: Path) -> str:
    return (
        _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )


#: The files ``/static/PATH`` serves (every file under ``static/``, sub-folders included,
#: by path relative to it), with their media types.
STATIC_FILES: dict[str, str] = {
    path.relative_to(_STATIC).as_posix(): _media_type(path)
    for path in sorted(_STATIC.rglob("*"))
    if path.is_file()
}


#: Where the endpoint serves vis-network (from :mod:`filmgraph.viz`'s assets) for the maps on
#: its film pages: loaded once by the browser, not inlined into every page (640 KB).
MAP_SCRIPT = "/static/viz/vis-network.min.js"


def static_file(name: str) -> bytes:
    """The bytes of one of :data:`STATIC_FILES` (``KeyError`` for any other name)."""
    if name not in STATIC_FILES:
        raise KeyError(name)
    return (_STATIC / name).read_bytes()


def local_path(iri: str) -> str | None:
    """The path under which this server shows one of our resources, or ``None``."""
    return "/id/" + iri[len(str(ID)) :] if iri.startswith(str(ID)) else None


@cache
def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("filmgraph.server", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the package's templates do not change under a running server
    )
    env.filters["href"] = lambda iri: local_path(str(iri)) or str(iri)
    env.filters["short"] = lambda term: shorten(term)
    return env


# -- the property table (every resource) ---------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    """One value of the property table: a link (with a label) or a literal."""

    text: str
    href: str | None = None
    lang: str | None = None


def _cell(term: Identifier, label: str | None = None) -> _Cell:
    if isinstance(term, Literal):
        return _Cell(str(term), None, term.language)
    return _Cell(label or shorten(term), local_path(str(term)) or str(term))


@dataclass
class _Statements:
    title: str
    outgoing: list[tuple[_Cell, _Cell, str]] = field(default_factory=list)
    incoming: list[tuple[_Cell, _Cell, str]] = field(default_factory=list)
    types: set[str] = field(default_factory=set)
    values: dict[str, list[Identifier]] = field(default_factory=dict)


def _statements(iri: URIRef, result: SelectResult) -> _Statements:
    labels: dict[str, str] = {}
    rows = result.dicts()
    for row in rows:
        label = row.get("valueLabel")
        if label is not None:
            labels.setdefault(str(row["value"]), str(label))
    found = _Statements(shorten(iri))
    seen: set[tuple[str, ...]] = set()
    for row in rows:
        prop, value, graph = row["property"], row["value"], shorten(row.get("graph"))
        if str(row["direction"]) == "out":
            if prop == RDFS.label and isinstance(value, Literal):
                found.title = str(value)
            if prop == RDF.type:
                found.types.add(str(value))
            found.values.setdefault(str(prop), []).append(value)
            key = ("out", str(prop), str(value), graph)
            if key not in seen:
                seen.add(key)
                found.outgoing.append((_cell(prop), _cell(value, labels.get(str(value))), graph))
        else:
            key = ("in", str(prop), str(value), "")
            if key not in seen:
                seen.add(key)
                found.incoming.append((_cell(value, labels.get(str(value))), _cell(prop), graph))
    return found


def resource_page(iri: URIRef, result: SelectResult) -> str:
    """An HTML page listing what the graph says about ``iri`` and what points at it
    (``result`` is the ``resource-page`` query's answer for ``iri``)."""
    found = _statements(iri, result)
    return (
        _templates()
        .get_template("resource.html")
        .render(iri=str(iri), title=found.title, statements=found)
    )


# -- a film's page -------------------------------------------------------------------------


@cache
def _query(name: str) -> NamedQuery:
    """A named query (the project's, else the pages' own), read once per process: reading
    the catalogue parses every ``.rq`` file, which cost a page more than its queries."""
    if (_PAGE_QUERIES / f"{name}.rq").is_file():
        return get_query(name, _PAGE_QUERIES)
    return get_query(name)


def _select(store: Store, name: str, params: Mapping[str, str]) -> list[dict[str, Identifier]]:
    query = _query(name)
    result = store.query(*query.prepare(params), constants=query.constants)
    if not isinstance(result, SelectResult):  # every film-* query is a SELECT
        raise TypeError(f"named query {name} did not give rows")
    return result.dicts()


def _text(term: Identifier | None) -> str:
    return "" if term is None else str(term)


def _claims(
    rows: Iterable[dict[str, Identifier]], other: str, label: str, year: str
) -> list[dict[str, Any]]:
    """Influence claims grouped by the work on the other end, strongest first within it."""
    grouped: dict[str, dict[str, Any]] = {}
    for row in rows:
        node = str(row[other])
        entry = grouped.setdefault(
            node,
            {
                "iri": node,
                "label": _text(row.get(label)) or shorten(row[other]),
                "year": _text(row.get(year)),
                "claims": [],
            },
        )
        claim = {
            "type": _text(row.get("claimType")),
            "aspect": _text(row.get("aspect")),
            "source": _text(row.get("sourceLabel")) or shorten(row.get("source")),
            "source_iri": _text(row.get("source")),
            "confidence": _text(row.get("confidence")),
            "evidence": _text(row.get("evidence")),
        }
        if claim not in entry["claims"]:
            entry["claims"].append(claim)
    return sorted(grouped.values(), key=lambda e: (e["year"] or "9999", e["label"]))


def _context(
    rows: Iterable[dict[str, Identifier]], source_labels: Mapping[str, str]
) -> list[dict[str, Any]]:
    """One entry per event: its interval, what a source states and what the dates derive."""
    events: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = events.setdefault(
            str(row["event"]),
            {
                "iri": str(row["event"]),
                "label": _text(row.get("eventLabel")),
                "start": _text(row.get("start")),
                "end": _text(row.get("end")),
                "stated": [],
                "derived": [],
            },
        )
        if _text(row.get("how")) == "stated":
            basis = _text(row.get("basis"))
            entry["stated"].append(
                {
                    "source": source_labels.get(basis) or shorten(row["basis"]),
                    "source_iri": _text(row.get("basis")),
                    "evidence": _text(row.get("evidence")),
                }
            )
        else:
            rule = shorten(row.get("basis"))
            if rule not in entry["derived"]:
                entry["derived"].append(rule)
    return sorted(events.values(), key=lambda e: (e["start"] or "9999", e["label"]))


@dataclass(frozen=True)
class _MapParts:
    """What every film's map is cut from: the influence network (flagged claims left out, as
    ``filmgraph viz`` draws it by default) and the movement labels. The details of a map's
    nodes are asked for each map (a few dozen nodes), not kept for the whole graph."""

    influence: Any
    labels: dict[str, str]
    #: each node's influence percentile and position over the whole network (PageRank:
    #: seconds at 100,000 films, so once per worker, not once per map)
    ranks: dict[str, tuple[float, int]]


_map_parts: dict[int, tuple[Store, _MapParts]] = {}


def _parts_for(store: Store) -> _MapParts:
    """The map parts of ``store``, computed once per store.

    Why: :func:`filmgraph.viz.maps.influence_map` reads the projection and runs the
    whole-graph ``viz-*`` queries on every call (about a second on the bundled graph); a
    worker holds one generation, which never changes, so it does that once and each page
    only cuts its neighbourhood out.
    """
    from filmgraph.analytics.cache import cached_influence_graph
    from filmgraph.analytics.flags import unflagged
    from filmgraph.viz.details import load_movements, rank_percentiles

    held = _map_parts.get(id(store))
    if held is not None and held[0] is store:
        return held[1]
    labels = {m: str(info["label"]) for m, info in load_movements(store).items()}
    influence = unflagged(cached_influence_graph(store, include_flagged=True))
    parts = _MapParts(influence, labels, rank_percentiles(influence))
    _map_parts.clear()  # one store per worker; a test process may open several in turn
    _map_parts[id(store)] = (store, parts)
    return parts


def prepare_maps(store: Store) -> None:
    """Compute the map parts of ``store`` now (a worker does it before it takes queries, so
    its first film page is as quick as the others)."""
    _parts_for(store)


def _has_map(store: Store, iri: URIRef) -> bool:
    """True when the film has a map: some claim links it to another work."""
    influence = _parts_for(store).influence
    node = str(iri)
    # what selection.around(influence, node, 1) would find, without its undirected view of
    # the whole network: some neighbour, either way, other than the film itself
    return node in influence and any(
        other != node
        for other in itertools.chain(influence.successors(node), influence.predecessors(node))
    )


def _small_map(store: Store, iri: URIRef, map_script: str | None) -> str | None:
    """The influence map one step around the film (the viz page, compact), or ``None``:
    what ``filmgraph viz --around FILM --depth 1`` draws."""
    from filmgraph.viz import selection
    from filmgraph.viz.details import map_catalogue, map_graph
    from filmgraph.viz.page import render_page

    if not _has_map(store, iri):
        return None
    parts = _parts_for(store)
    chosen = selection.around(parts.influence, str(iri), 1)
    catalogue = map_catalogue(store, parts.influence, chosen.nodes)
    graph = map_graph(parts.influence, chosen, catalogue, ranks=parts.ranks)
    if graph.number_of_nodes() < 2:
        return None
    return render_page(graph, movement_labels=parts.labels, compact=True, vis_src=map_script)


def film_map(store: Store, iri: URIRef, map_script: str | None = None) -> str | None:
    """The small influence map of a film's page as a page of its own, or ``None`` when
    ``iri`` is no film with a map (the endpoint serves it at :func:`map_path`)."""
    return _small_map(store, iri, map_script)


def map_path(iri: str) -> str | None:
    """Where this server shows the small map of one of our films, or ``None``."""
    local = local_path(iri)
    return None if local is None else "/map" + local.removeprefix("/id")


def film_page(
    store: Store,
    iri: URIRef,
    *,
    with_map: bool = True,
    map_script: str | None = None,
    map_src: str | None = None,
    about: SelectResult | None = None,
) -> str | None:
    """A film's page for people, or ``None`` when ``iri`` is not a film.

    Title and year; the people and their roles; what the film drew on and what drew on it,
    each claim with its aspect, source and confidence; its historical context, stated by a
    source or derived from dates (marked); films a source calls similar; awards and what
    happened to it after release; a small influence map (``with_map``); and, below, the
    full property table a linked-data reader expects.

    The map is inlined (``srcdoc``) and inlines vis-network, unless ``map_script`` gives the
    address to load vis-network from, or ``map_src`` the address of the map itself (the
    endpoint passes :func:`map_path`: the page then draws no map, the browser fetches it
    beside the page, and both are kept per generation). ``about`` is the ``resource-page``
    answer for ``iri`` when the caller has asked it already (it is not asked twice).
    """
    result = about or store.query(_query("resource-page").text, {"resource": iri})
    if not isinstance(result, SelectResult) or not result.rows:
        return None
    found = _statements(iri, result)
    if str(FG.Film) not in found.types:
        return None
    film = {"film": str(iri)}
    years = found.values.get(str(FG.year), [])
    original = [v for v in found.values.get(str(FG.originalTitle), []) if isinstance(v, Literal)]
    people = _select(store, "film-people", film)
    later_rows = _select(store, "film-drawn-on-by", {"influencer": str(iri)})
    earlier_rows = _select(store, "film-influences", film)
    source_labels = {
        str(r["source"]): str(r["sourceLabel"])
        for r in [*earlier_rows, *later_rows]
        if "sourceLabel" in r
    }
    similar_rows = _select(store, "film-similar", film)
    context_rows = _select(store, "film-context", film)
    for source in {_text(r.get("source")) for r in similar_rows} | {
        _text(r.get("basis")) for r in context_rows if _text(r.get("how")) == "stated"
    }:
        if source and source not in source_labels:  # a source no influence claim here names
            for r in _select(store, "name-lookup", {"thing": source}):
                source_labels[source] = _text(r.get("label")) or shorten(URIRef(source))
    afterlife = _select(store, "film-afterlife", film)
    awards = [r for r in afterlife if _text(r.get("kind")) in ("won", "nominated")]
    events = [r for r in afterlife if r not in awards]
    page = {
        "iri": str(iri),
        "title": found.title,
        "original": [(str(o), o.language) for o in original],
        "year": _text(years[0]) if years else "",
        "people": [
            {
                "iri": str(r["person"]),
                "label": _text(r.get("personLabel")),
                "role": _text(r.get("role")),
                "character": _text(r.get("character")),
                "other": int(str(r.get("otherFilms", 0))),
            }
            for r in people
        ],
        "drew_on": _claims(earlier_rows, "influencer", "influencerLabel", "influencerYear"),
        "drawn_on_by": _claims(later_rows, "film", "filmLabel", "filmYear"),
        "context": _context(context_rows, source_labels),
        "similar": [
            {
                "iri": str(r["similar"]),
                "label": _text(r.get("similarLabel")),
                "year": _text(r.get("year")),
                "source": source_labels.get(_text(r.get("source"))) or shorten(r.get("source")),
                "also_influence": _text(r.get("alsoInfluence")) == "true",
            }
            for r in similar_rows
        ],
        "awards": [
            {
                "date": _text(r.get("date")),
                "outcome": _text(r.get("kind")),
                "award": _text(r.get("whatLabel")) or shorten(r.get("what")),
                "award_iri": _text(r.get("what")),
                "agent": _text(r.get("agentLabel")),
                "agent_iri": _text(r.get("agent")),
                "note": _text(r.get("note")),
            }
            for r in awards
        ],
        "afterlife": [
            {
                "date": _text(r.get("date")),
                "kind": _text(r.get("kind")),
                "agent": _text(r.get("agentLabel")),
                "agent_iri": _text(r.get("agent")),
                "note": _text(r.get("note")),
            }
            for r in events
        ],
        "map": _small_map(store, iri, map_script) if with_map and not map_src else None,
        "map_src": map_src if with_map and map_src and _has_map(store, iri) else None,
    }
    return (
        _templates()
        .get_template("film.html")
        .render(page=page, iri=str(iri), title=found.title, statements=found)
    )
