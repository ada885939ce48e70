"""The fast path of an incremental build: the previous store, plus what new documents add.

When every document of the previous generation is unchanged and only new documents come
in, a build need not load, link, reason over and write the whole graph again. The fast
path:

1. starts the new generation's store as a checkpoint of the previous one
   (``Store.backup``: RocksDB hard-links its immutable files, so this costs milliseconds
   whatever the size, and works on a store a server holds open read-only);
2. adds the new documents' graphs (read by their loaders as in a full build, the
   gazetteer of earlier sources restored from the previous generation);
3. links them on indexes (:mod:`filmgraph.linkdelta`), refusing whenever a merge could
   change;
4. validates the focus nodes the change touches (the previous findings stand for the
   rest, as in any incremental build);
5. reasons from the delta only (:func:`filmgraph.reasoning.materialise_delta`);
6. rewrites the build's provenance stamps, adds everything to the merged default graph,
   updates the kept statistics (:func:`filmgraph.statistics.update_statistics`), the
   counts, the link report, the name index and the aggregates from the delta.

Whatever a precondition refuses (:class:`~filmgraph.errors.FastPathRefused`: a changed or
removed document, a possible merge, an axiom, a removed triple that entailed something,
a change touching too many nodes) sends the build down the full path, which says why.
The result is the graph, the findings, the summary and the derived artefacts a full
rebuild gives (``tests/test_build_incremental.py`` compares them). ``graph.trig`` is
written by full builds only: the fast path keeps the dump it started from and the quads it
changed (:mod:`filmgraph.dumpdelta`), from which
:meth:`~filmgraph.builddir.Generation.dump` writes the file for a reader that needs it.
Likewise the influence projection is left for its first reader to bring up to date from
the previous one and keep (:func:`filmgraph.analytics.cache.cached_influence_graph`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib.namespace import RDF, RDFS

from filmgraph.dumpdelta import keep_delta
from filmgraph.errors import FastPathRefused
from filmgraph.linkdelta import link_delta, previous_report
from filmgraph.linking import LINK_INDEX
from filmgraph.provenance import PROVENANCE_GRAPH
from filmgraph.reasoning import INFERRED_GRAPH, materialise_delta, rules_dir
from filmgraph.statistics import has_statistics, statistics_dir, update_statistics

if TYPE_CHECKING:
    from filmgraph.build import _Build
    from filmgraph.builddir import Generation

__all__ = [
    "PROVENANCE_FILE",
    "STATE_FILE",
    "check_ready",
    "fast_inputs",
    "finish",
    "link_or_copy",
]

#: The build's own provenance triples (not linking's), so the next build can replace them.
PROVENANCE_FILE = "provenance.nt"
#: What the fast path needs to know of the previous generation's inputs.
STATE_FILE = "incremental.json"

_PROVENANCE = ox.NamedNode(str(PROVENANCE_GRAPH))
_TYPE = ox.NamedNode(str(RDF.type))
_SUBCLASS = ox.NamedNode(str(RDFS.subClassOf))


def fast_inputs(version: str, validation_inputs: str) -> str:
    """A digest of what the fast path's result depends on besides the data."""
    digest = hashlib.sha256(f"{version} {validation_inputs}".encode())
    for path in [*sorted(rules_dir().glob("*.rq")), *sorted(statistics_dir().glob("*.rq"))]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def check_ready(previous: Generation, inputs: str) -> None:
    """Raise :class:`FastPathRefused` unless ``previous`` keeps what the fast path needs."""
    for name in (STATE_FILE, PROVENANCE_FILE, LINK_INDEX, "validation.json", "linking.json"):
        if not (previous.path / name).is_file():
            raise FastPathRefused(f"the previous generation has no {name}")
    state = json.loads((previous.path / STATE_FILE).read_text(encoding="utf-8"))
    if state.get("inputs") != inputs:
        raise FastPathRefused("the ontology, the shapes, the rules or the version changed")


def _triples(quads: Iterable[ox.Quad | ox.Triple]) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]


def _stated(store: ox.Store, t: ox.Triple) -> bool:
    return any(
        not isinstance(q.graph_name, ox.DefaultGraph)
        for q in store.quads_for_pattern(t.subject, t.predicate, t.object, None)
    )


class _Writer:
    """Adds and removes quads of the named graphs, noting what the rules must see."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.added: list[ox.Quad] = []
        self.removed: list[ox.Quad] = []
        self.novel: list[ox.Triple] = []

    def add(self, quads: Iterable[ox.Quad]) -> None:
        fresh = [q for q in dict.fromkeys(quads) if q not in self.store]
        self.novel += [t for t in _triples(fresh) if not _stated(self.store, t)]
        self.store.extend(fresh)
        self.added += fresh

    def remove(self, quads: Iterable[ox.Quad]) -> None:
        for q in dict.fromkeys(quads):
            if q in self.store:
                self.store.remove(q)
                self.removed.append(q)

    def gone(self) -> list[ox.Triple]:
        """Removed triples no named graph states any more."""
        return [t for t in dict.fromkeys(_triples(self.removed)) if not _stated(self.store, t)]


def finish(build: _Build) -> Any:
    """The rest of a fast-path build, once the new documents are read (see the module)."""
    from filmgraph.build import (
        FOCUS_LIMIT,
        LINKING_FILE,
        VALIDATION_FILE,
        BuildResult,
        _keep_findings,
        _ox_triples,
        _revalidate,
        _touched,
        _verdict,
    )

    progress, generation, previous = build.progress, build.generation, build.previous
    if previous is None:
        raise FastPathRefused("there is no previous generation")
    removed_docs = [g for g in build.old if g not in {str(i) for i in build.order}]
    if removed_docs:
        raise FastPathRefused(f"{len(removed_docs)} document(s) were removed")
    delta_graphs = {str(g) for g in build.changed}
    old_summary = previous.summary()

    with progress.step("starting from the previous store (a checkpoint)") as done:
        before = ox.Store.read_only(str(previous.store_path))
        if not has_statistics(before):
            raise FastPathRefused("the previous store keeps no statistics of this format")
        before.backup(str(generation.store_path))
        store = ox.Store(str(generation.store_path))
        done(f"{len(delta_graphs)} new document(s) on top")
    writer = _Writer(store)
    try:
        with progress.step("adding the new documents and linking them on indexes") as done:
            writer.add(build.store)  # the working store holds the new documents only
            linking, additions, removals = link_delta(
                store,
                delta_graphs,
                previous_report(old_summary),
                previous.path / LINK_INDEX,
                generation.path / LINK_INDEX,
            )
            writer.add(additions)
            writer.remove(removals)
            done(f"{len(additions)} title keys and aliases, {len(removals)} flags settled")

        with progress.step("replacing the build's provenance") as done:
            old = set(
                ox.Quad(t.subject, t.predicate, t.object, _PROVENANCE)
                for t in ox.parse(
                    path=str(previous.path / PROVENANCE_FILE), format=ox.RdfFormat.N_TRIPLES
                )
            )
            new = {
                ox.Quad(t.subject, t.predicate, t.object, _PROVENANCE)
                for t in _ox_triples(build.provenance)
            }
            writer.remove(old - new)
            writer.add(new - old)
            done(f"{len(new - old)} provenance triples rewritten")

        with progress.step("validating the nodes the change touched") as done:
            kept = json.loads((previous.path / VALIDATION_FILE).read_text(encoding="utf-8"))
            merged = json.loads((previous.path / LINKING_FILE).read_text(encoding="utf-8"))
            changed = [e for e in build.entries if e.graph in delta_graphs]
            change = (
                [q for q in writer.added if q.graph_name == _PROVENANCE],
                [q for q in writer.removed if q.graph_name == _PROVENANCE],
            )
            focus = _touched(store, previous, changed, [], merged, linking, change)
            if focus is None or len(focus) > FOCUS_LIMIT:
                raise FastPathRefused("the change touches too many nodes to validate apart")
            report = _revalidate(store, kept, focus)
            done(_verdict(report, f"{len(focus):,} nodes the change touched"))

        with progress.step("reasoning from the delta into graph:inferred") as done:
            stated = _triples(writer.added)
            inferred, left = materialise_delta(store, writer.novel, stated, writer.gone())
            done(f"{len(inferred):,} triples inferred, {len(left):,} now stated")

        with progress.step("updating the merged default graph and the counts") as done:
            default = ox.DefaultGraph()
            store.extend(
                ox.Quad(t.subject, t.predicate, t.object, default)
                for t in dict.fromkeys([*stated, *inferred])
            )
            gone = writer.gone()  # what reasoning did not state again
            for t in gone:
                store.remove(ox.Quad(t.subject, t.predicate, t.object, default))
            delta = [*stated, *gone, *inferred, *left]
            statistics = update_statistics(before, store, delta)
            named = (
                len(writer.added) + len(inferred) - len(writer.removed) - len(left) + statistics.net
            )
            counts = _counts(
                before,
                store,
                old_summary["counts"],
                named,
                len(build.order),
                [*stated, *inferred],
            )
            store.flush()
            done(f"{counts['triples']:,} quads")

        _keep_findings(generation, report)
        shutil.copyfile(previous.path / LINKING_FILE, generation.path / LINKING_FILE)
        summary = build._summary(counts, report, linking)
        generation.summary_path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        with progress.step("updating the name index and aggregates from the delta") as done:
            looked = _derived(previous, generation, store, delta, counts)
            done(f"{looked:,} resources looked up again")
        _keep_projection(previous, generation, store, delta)
        store.flush()
        with progress.step("keeping the change to the previous dump") as done:
            in_inferred = ox.NamedNode(str(INFERRED_GRAPH))
            touched = [
                *writer.added,
                *writer.removed,
                *(ox.Quad(t.subject, t.predicate, t.object, in_inferred) for t in inferred),
                *(ox.Quad(t.subject, t.predicate, t.object, in_inferred) for t in left),
                *statistics.added,
                *statistics.removed,
            ]
            kept_delta = keep_delta(previous, generation, before, store, touched)
            done(
                "graph.trig is written from it when asked for"
                if kept_delta
                else "none kept (a blank node changed, or no dump to start from)"
            )
    finally:
        # pyoxigraph closes the database when the last reference goes
        del writer
        del store
        del before
    build._close()
    return BuildResult(
        generation,
        counts,
        report,
        linking,
        summary["skipped"],
        build.context.notes,
        reused=build.reused,
        validated=len(focus),
    )


def _kinds(store: ox.Store, node: Any, classes: dict[str, set[str]]) -> set[str]:
    """The kinds of graph-summary ``node`` counts as, from its types in every graph."""
    out: set[str] = set()
    for q in store.quads_for_pattern(node, _TYPE, None, ox.DefaultGraph()):
        if isinstance(q.object, ox.NamedNode):
            out |= classes.get(q.object.value, set())
    return out


def _summary_classes(store: ox.Store) -> dict[str, set[str]]:
    """Class IRI -> the graph-summary kinds it counts for (subclasses included)."""
    from filmgraph.queries import get_query
    from filmgraph.resolve import kinds_through_subclasses

    pairs: dict[str, set[str]] = {}
    for kind, cls in re.findall(r'\("([^"]+)" fg:(\w+)\)', get_query("graph-summary").text):
        pairs.setdefault(f"https://w3id.org/filmgraph/ontology#{cls}", set()).add(kind)
    return kinds_through_subclasses(store, pairs)


def _counts(
    before: ox.Store,
    after: ox.Store,
    old: dict[str, int],
    named: int,
    sources: int,
    added: list[ox.Triple],
) -> dict[str, int]:
    """The graph-summary counts, updated for the nodes the change typed."""
    classes = _summary_classes(after)
    counts = dict(old)
    for node in {t.subject for t in added if t.predicate == _TYPE}:
        was, now = _kinds(before, node, classes), _kinds(after, node, classes)
        for kind in was ^ now:
            counts[kind] = counts.get(kind, 0) + (1 if kind in now else -1)
    counts["triples"] = old["triples"] + named
    counts["sources"] = sources
    return {k: v for k, v in sorted(counts.items()) if v or k in ("triples", "sources")}


_FG = "https://w3id.org/filmgraph/ontology#"
_INFLUENCER = ox.NamedNode(_FG + "influencer")
_MOVEMENT = ox.NamedNode(_FG + "partOfMovement")
_FILM = ox.NamedNode(_FG + "Film")
_MOVEMENT_CLASS = ox.NamedNode(_FG + "Movement")


def _is_a(store: ox.Store, node: Any, cls: ox.NamedNode) -> bool:
    return next(iter(store.quads_for_pattern(node, _TYPE, cls, None)), None) is not None


def _derived(
    previous: Generation,
    generation: Generation,
    engine: ox.Store,
    changed: list[ox.Triple],
    counts: dict[str, int],
) -> int:
    """The name index and the aggregates of the new generation, from the previous ones.

    ``changed`` are the triples added to or removed from the graph; the resources they
    are about are looked up again. Returns how many.
    """
    from filmgraph.aggregates import (
        AGGREGATES_NAME,
        compute_aggregates,
        update_aggregates,
        write_aggregates,
    )
    from filmgraph.derived import derived_path
    from filmgraph.resolve import NAME_INDEX, update_name_index, write_name_index
    from filmgraph.store.oxigraph import OxigraphStore

    subjects = {t.subject for t in changed if isinstance(t.subject, ox.NamedNode)}
    store = OxigraphStore.of(engine)
    try:
        old_index = derived_path(previous.path, NAME_INDEX)
        if old_index.is_file():
            update_name_index(store, old_index, generation.path, sorted(s.value for s in subjects))
        else:
            write_name_index(store, generation.path)
        films = {t.object for t in changed if t.predicate == _INFLUENCER}
        movements = {t.object for t in changed if t.predicate == _MOVEMENT}
        for s in subjects:  # a claim names its film; a film its movements
            films |= {q.object for q in engine.quads_for_pattern(s, _INFLUENCER, None, None)}
            movements |= {q.object for q in engine.quads_for_pattern(s, _MOVEMENT, None, None)}
        films |= {s for s in subjects if _is_a(engine, s, _FILM)}
        movements |= {s for s in subjects if _is_a(engine, s, _MOVEMENT_CLASS)}
        aggregates = None
        try:
            old = json.loads(derived_path(previous.path, AGGREGATES_NAME).read_text("utf-8"))
        except (OSError, ValueError):
            old = None
        if old is not None:
            aggregates = update_aggregates(
                store,
                old,
                counts,
                {f.value for f in films if isinstance(f, ox.NamedNode)},
                {m.value for m in movements if isinstance(m, ox.NamedNode)},
            )
        write_aggregates(generation.path, aggregates or compute_aggregates(store))
    finally:
        store.close()
    return len(subjects)


_DIRECTOR = ox.NamedNode(_FG + "director")
_INFLUENCEE = ox.NamedNode(_FG + "influencee")
_CONFIDENCE = ox.NamedNode(_FG + "confidence")


def _keep_projection(
    previous: Generation, generation: Generation, engine: ox.Store, changed: list[ox.Triple]
) -> None:
    """Keep the previous projection with what the delta touched, for its first reader.

    See :mod:`filmgraph.analytics.cache`. Touched: every subject of a changed triple (its
    label, years, kind or movements may have changed), the directors of each (a person's
    movements are their films'), and the claims among them, added or removed, or graded by
    one of them. When the previous generation kept no projection but a base of its own, its
    base is carried on with both deltas; with neither, the reader projects from scratch.
    """
    from filmgraph.derived import (
        PROJECTION_BASE,
        PROJECTION_DELTA,
        PROJECTION_NAME,
        derived_path,
        fingerprint,
    )

    subjects = {t.subject for t in changed if isinstance(t.subject, ox.NamedNode)}
    nodes: set[Any] = set(subjects)
    nodes |= {t.object for t in changed if t.predicate == _DIRECTOR}
    claims: set[Any] = {t.subject for t in changed if t.predicate in (_INFLUENCER, _INFLUENCEE)}
    default = ox.DefaultGraph()
    for s in subjects:
        nodes |= {q.object for q in engine.quads_for_pattern(s, _DIRECTOR, None, default)}
        claims |= {q.subject for q in engine.quads_for_pattern(None, _CONFIDENCE, s, default)}
        if next(iter(engine.quads_for_pattern(s, _INFLUENCER, None, default)), None):
            claims.add(s)
    delta: dict[str, Any] = {
        "nodes": {n.value for n in nodes if isinstance(n, ox.NamedNode)},
        "claims": {c.value for c in claims if isinstance(c, ox.NamedNode)},
    }
    kept = derived_path(previous.path, PROJECTION_NAME)
    if kept.is_file():
        base, delta["base"] = kept, fingerprint(previous.path)
    else:
        try:
            earlier = json.loads((previous.path / PROJECTION_DELTA).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        base, delta["base"] = previous.path / PROJECTION_BASE, earlier["base"]
        delta["nodes"] |= set(earlier["nodes"])
        delta["claims"] |= set(earlier["claims"])
        if not base.is_file():
            return
    link_or_copy(base, generation.path / PROJECTION_BASE)
    delta["nodes"], delta["claims"] = sorted(delta["nodes"]), sorted(delta["claims"])
    (generation.path / PROJECTION_DELTA).write_text(json.dumps(delta) + "\n", encoding="utf-8")


def link_or_copy(source: Path, target: Path) -> None:
    """Hard-link ``source`` to ``target`` (a copy across file systems)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
