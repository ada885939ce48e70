"""Statistics the whole-graph queries read instead of recomputing: kept in ``graph:statistics``.

Ranking every film by influence, counting every source's claims, every pair of movements
influence flows between or every contested claim means reading every claim: seconds at
100,000 films however the query is written. The build computes these statistics once,
with the queries of ``queries/statistics/`` (one ``CONSTRUCT`` each, with a comment
header), and keeps them in the named graph :data:`STATISTICS_GRAPH` of the store, in the
``fgstat:`` vocabulary (:data:`FGSTAT`, described in ``queries/statistics/vocabulary.ttl``).
They are ordinary triples, so ``filmgraph query``, the library, the HTTP endpoint and a
remote store all see them, and the named queries (``source-contributions``,
``movement-influences``, ``movement-bridges``, ``contested-claims``,
``influential-films``) read them instead of every claim. No rank is kept: a film's place in the
ranking is an ``ORDER BY`` over the kept scores at query time, because one film added
moves the place of thousands of others (rewriting those ranks was 3.2 s of a one-page
incremental build at 100,000 films).

They are never stale:

* a full build computes them over the whole graph (:func:`materialise_statistics`) before
  the store is written, so they are published with it, atomically;
* the incremental fast path updates them from the delta (:func:`update_statistics`): each
  statistic's header names its *keys* (``# key: VARIABLE KIND``, the kind one of ``film``,
  ``movement``, ``source`` or ``claim``); the resources of those kinds a change touches are found,
  the statistic's query is run with the key bound to each of them on the previous store
  and on the new one, and the difference is applied.

``tests/test_build_incremental.py`` checks that a fast-path build keeps the statistics a
full rebuild computes, and ``tests/test_queries_rewrites.py`` that every query reading
them answers what its plain formulation over the claims answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from filmgraph.errors import QueryError, SourceError
from filmgraph.namespaces import ID
from filmgraph.resources import queries_dir

if TYPE_CHECKING:
    from rdflib import Dataset

__all__ = [
    "FGSTAT",
    "FORMAT",
    "STATISTICS_GRAPH",
    "Statistic",
    "StatisticsChange",
    "add_statistics",
    "has_statistics",
    "load_statistics",
    "materialise_statistics",
    "statistics_dir",
    "update_statistics",
]

#: The named graph that holds the kept statistics.
STATISTICS_GRAPH = ID["graph/statistics"]
#: The vocabulary of the statistics.
FGSTAT = "https://w3id.org/filmgraph/statistics#"
#: Raised when what the statistics hold changes: a store keeping another format is not
#: updated from a delta (the fast path refuses, a full build computes them anew).
FORMAT = 2

_FG = "https://w3id.org/filmgraph/ontology#"
_GRAPH = ox.NamedNode(str(STATISTICS_GRAPH))
_FORMAT = ox.NamedNode(FGSTAT + "format")
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_FILM = ox.NamedNode(_FG + "Film")
_INFLUENCER = ox.NamedNode(_FG + "influencer")
_INFLUENCEE = ox.NamedNode(_FG + "influencee")
_SOURCE = ox.NamedNode(_FG + "source")
_MOVEMENT = ox.NamedNode(_FG + "partOfMovement")
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_KINDS = ("film", "movement", "source", "claim")
_KEY = re.compile(r"^#\s*key:\s*(?P<variable>[A-Za-z_]\w*)\s+(?P<kind>\w+)\s*$")


@dataclass(frozen=True)
class Statistic:
    """One kept statistic: a ``CONSTRUCT`` query and the variables it can be keyed by."""

    name: str
    #: (variable, kind): binding the variable to one resource of that kind gives exactly
    #: the statistic's triples that depend on that resource.
    keys: tuple[tuple[str, str], ...]
    text: str


def statistics_dir() -> Path:
    """The folder of the statistics' queries (``queries/statistics/``)."""
    return queries_dir() / "statistics"


@lru_cache(maxsize=1)
def load_statistics() -> tuple[Statistic, ...]:
    """Every statistic of :func:`statistics_dir`, by name."""
    found = []
    for path in sorted(statistics_dir().glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        keys = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.startswith("#"):
                break
            if line.startswith("# key:"):
                match = _KEY.match(line)
                if match is None or match["kind"] not in _KINDS:
                    raise SourceError(
                        path,
                        f"expected '# key: VARIABLE KIND' with KIND one of {', '.join(_KINDS)}",
                        line=number,
                        field="key",
                    )
                keys.append((match["variable"], match["kind"]))
        if not keys:
            raise SourceError(path, "names no key to update the statistic by", field="key")
        found.append(Statistic(path.stem, tuple(keys), text))
    return tuple(found)


def _merged(store: ox.Store) -> bool:
    from filmgraph.store.oxigraph import holds_merge

    return holds_merge(store)


def _construct(
    store: ox.Store, statistic: Statistic, key: tuple[str, ox.NamedNode] | None, union: bool
) -> set[ox.Triple]:
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = (
        {} if key is None else {ox.Variable(key[0]): key[1]}
    )
    result = store.query(
        statistic.text, use_default_graph_as_union=union, substitutions=substitutions
    )
    if not isinstance(result, ox.QueryTriples):
        raise QueryError(f"statistic {statistic.name} is not a CONSTRUCT query")
    return set(result)


def _graphs(store: ox.Store) -> list[ox.NamedNode | ox.DefaultGraph]:
    """Where a statistic is written: its graph, and the merged default graph if kept."""
    return [_GRAPH, ox.DefaultGraph()] if _merged(store) else [_GRAPH]


@dataclass(frozen=True)
class StatisticsChange:
    """The quads of :data:`STATISTICS_GRAPH` an update removed and added (those of the
    merged default graph left out)."""

    removed: list[ox.Quad]
    added: list[ox.Quad]

    @property
    def net(self) -> int:
        """How many triples the statistics graph gained (negative: lost)."""
        return len(self.added) - len(self.removed)


def _apply(
    store: ox.Store, removed: Iterable[ox.Triple], added: Iterable[ox.Triple]
) -> StatisticsChange:
    """Remove and add statistics' triples in every graph they are kept in."""
    from filmgraph.store.oxigraph import extend_in_batches

    graphs = _graphs(store)
    gone: list[ox.Quad] = []
    for t in removed:
        for g in graphs:
            quad = ox.Quad(t.subject, t.predicate, t.object, g)
            if quad in store:
                store.remove(quad)
                if g == _GRAPH:
                    gone.append(quad)
    fresh = [
        ox.Quad(t.subject, t.predicate, t.object, g)
        for t in dict.fromkeys(added)
        for g in graphs
        if ox.Quad(t.subject, t.predicate, t.object, g) not in store
    ]
    extend_in_batches(store, fresh)
    return StatisticsChange(gone, [q for q in fresh if q.graph_name == _GRAPH])


def _marker() -> ox.Triple:
    return ox.Triple(_GRAPH, _FORMAT, ox.Literal(str(FORMAT), datatype=_INTEGER))


def has_statistics(store: ox.Store) -> bool:
    """True when ``store`` keeps statistics of the current :data:`FORMAT`."""
    t = _marker()
    return ox.Quad(t.subject, t.predicate, t.object, _GRAPH) in store


def materialise_statistics(store: ox.Store) -> int:
    """Compute every statistic over the whole of ``store`` into :data:`STATISTICS_GRAPH`.

    The build calls this once the graph is reasoned, before the store is written. Queries
    read the union of the named graphs, or the merged default graph where ``store`` keeps
    one (then the statistics are added to it too). Returns how many triples were kept.
    """
    union = not _merged(store)
    triples: dict[ox.Triple, None] = {_marker(): None}
    for statistic in load_statistics():
        triples.update(dict.fromkeys(_construct(store, statistic, None, union)))
    return _apply(store, [], triples).net


def _holds(store: ox.Store, s: object, p: ox.NamedNode, o: object) -> bool:
    return next(iter(store.quads_for_pattern(s, p, o, None)), None) is not None  # type: ignore[arg-type]


def _touched(store: ox.Store, changed: Iterable[ox.Triple]) -> dict[str, set[Any]]:
    """The films, movements and sources whose statistics ``changed`` triples may move.

    A film is touched when a triple about it changed or a claim naming it did; a source
    when it is the source of a touched claim or of any claim on the same pair of films
    (corroboration); a movement when a touched film is part of it; a claim when it names
    a touched film.
    """
    subjects = {t.subject for t in changed if isinstance(t.subject, ox.NamedNode)}
    claims = {s for s in subjects if _holds(store, s, _INFLUENCER, None)}
    films: set[ox.NamedNode] = set()
    sources: set[ox.NamedNode] = set()
    for t in changed:
        if t.predicate in (_INFLUENCER, _INFLUENCEE) and isinstance(t.object, ox.NamedNode):
            films.add(t.object)
            if isinstance(t.subject, ox.NamedNode):
                claims.add(t.subject)
        if t.predicate == _SOURCE and isinstance(t.object, ox.NamedNode):
            sources.add(t.object)
    films |= {s for s in subjects if _holds(store, s, _TYPE, _FILM)}
    for claim in claims:
        ends = [
            [q.object for q in store.quads_for_pattern(claim, p, None, None)]
            for p in (_INFLUENCER, _INFLUENCEE)
        ]
        films |= {f for end in ends for f in end if isinstance(f, ox.NamedNode)}
        for a in ends[0]:
            for b in ends[1]:
                for q in store.quads_for_pattern(None, _INFLUENCEE, b, None):
                    if _holds(store, q.subject, _INFLUENCER, a):
                        sources |= {
                            s.object
                            for s in store.quads_for_pattern(q.subject, _SOURCE, None, None)
                            if isinstance(s.object, ox.NamedNode)
                        }
    sources |= {
        q.object
        for s in subjects
        for q in store.quads_for_pattern(s, _SOURCE, None, None)
        if isinstance(q.object, ox.NamedNode)
    }
    movements = {
        q.object
        for f in films
        for q in store.quads_for_pattern(f, _MOVEMENT, None, None)
        if isinstance(q.object, ox.NamedNode)
    }
    movements |= {
        t.object for t in changed if t.predicate == _MOVEMENT and isinstance(t.object, ox.NamedNode)
    }
    claims |= {
        q.subject
        for f in films
        for p in (_INFLUENCER, _INFLUENCEE)
        for q in store.quads_for_pattern(None, p, f, None)
        if isinstance(q.subject, ox.NamedNode)
    }
    return {"film": films, "movement": movements, "source": sources, "claim": claims}


def update_statistics(
    before: ox.Store, after: ox.Store, changed: Iterable[ox.Triple]
) -> StatisticsChange:
    """Bring the statistics of ``after`` up to date with the ``changed`` triples.

    ``after`` is a copy of ``before`` (the previous generation's store, which keeps
    statistics of the current format) with ``changed`` added or removed, its merged
    default graph already updated. Each statistic is recomputed for the resources the
    change touches only, on both stores, and the difference applied.
    Returns the quads of :data:`STATISTICS_GRAPH` removed and added.
    """
    changed = list(changed)
    touched = _touched(after, changed)
    union_before, union_after = not _merged(before), not _merged(after)
    old: set[ox.Triple] = set()
    new: set[ox.Triple] = set()
    for statistic in load_statistics():
        for variable, kind in statistic.keys:
            for node in sorted(touched[kind], key=str):
                old |= _construct(before, statistic, (variable, node), union_before)
                new |= _construct(after, statistic, (variable, node), union_after)
    return _apply(after, old - new, new - old)


def add_statistics(dataset: Dataset) -> None:
    """Add the statistics of an rdflib ``dataset`` to it, as a build keeps them.

    For graphs not built by ``filmgraph build`` (the query cases of the tests, a notebook's
    own data): the same :func:`materialise_statistics`, run on a copy in pyoxigraph.
    """
    from filmgraph.store.oxigraph import dataset_quads, from_oxigraph

    engine = ox.Store()
    engine.extend(dataset_quads(dataset))
    materialise_statistics(engine)
    graph = dataset.graph(STATISTICS_GRAPH)
    for q in engine.quads_for_pattern(None, None, None, _GRAPH):
        graph.add((from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object)))
