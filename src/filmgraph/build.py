"""The build: sources → loaders → the embedded store → linking, validation, reasoning.

Everything happens inside one pyoxigraph store: each loader's document is written there as
soon as it is read (never collected in an rdflib graph), entity resolution rewrites quads
in place, the rules write ``graph:inferred`` there. The working store is held in memory
when it fits (linking, validation and the rules run two to three times faster there than
on RocksDB, see ``bench/results/scale-disk.md``; it costs 350-475 bytes a quad). Once
finished, the derived files are computed from it, it is dumped (``graph.trig``, and the
file the store is loaded from) and dropped, and only then is the generation's on-disk store
bulk-loaded from the dump: the loader's own memory (1.6 GB at 30,000 films) never adds to
the working store's. A graph too large for the machine's memory is built on disk instead
(:data:`WORKING_STORES`): the working store is then the generation's own on-disk store,
written in place, and the build's memory is what its steps hold beside it. The generation is
published with one atomic rename at the very end, so a broken source or a killed build
leaves the previous graph exactly as it was (see :mod:`filmgraph.builddir`).

Builds are incremental. Each document's output (before linking) is kept in the generation as
N-Triples with a key: the hash of its content, its loader, the mode, and the keys of every
document read before it that it may depend on. The next build asks the previous
generation before reading a document; an unchanged document is replayed from that file (at
the engine's parsing speed) instead of being read, parsed and resolved again. Linking and
reasoning then run on the whole store; validation checks again only the nodes a changed
document touches and keeps the previous findings for the rest. When documents were only
added, the build takes its fast path instead (:mod:`filmgraph.incremental`): the previous
store plus the delta, linked, validated and reasoned from the delta alone; it falls back
to this full path, and says why, whenever a precondition fails. Either way the result is
the same graph and the same findings a full rebuild gives
(``tests/test_build_incremental.py``).

The on-disk store also holds the RDF merge of its named graphs in its default graph, so a
query sees each triple once (see :func:`filmgraph.store.oxigraph.write_merge` and
:func:`~filmgraph.store.oxigraph.dump_for_loading`).
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from filmgraph.builddir import BuildDir, Generation
from filmgraph.errors import BuildError, FastPathRefused
from filmgraph.gazetteercache import CachedGazetteer, load_gazetteer, save_gazetteer
from filmgraph.incremental import (
    PROVENANCE_FILE,
    STATE_FILE,
    check_ready,
    fast_inputs,
    link_or_copy,
)
from filmgraph.iri import mint
from filmgraph.linking import LINK_INDEX, LinkReport, resolve_entities
from filmgraph.loaders import LoadContext, SourceGraph, Triple, TripleSink
from filmgraph.loaders.pagegazetteer import Gazetteer
from filmgraph.manifest import SourceSpec, read_manifest, spec_for_path
from filmgraph.namespaces import ID, bind_prefixes
from filmgraph.progress import Progress, silent
from filmgraph.provenance import (
    ONTOLOGY_GRAPH,
    PROVENANCE_GRAPH,
    describe_build,
    describe_source,
    file_checksum,
    graph_iri,
)
from filmgraph.queries import run_named
from filmgraph.reasoning import INFERRED_GRAPH, materialise_store
from filmgraph.resources import default_store_dir, manifest_path, ontology_path, shapes_path
from filmgraph.statistics import materialise_statistics
from filmgraph.store import mirrored_endpoint
from filmgraph.store.base import SelectResult
from filmgraph.store.oxigraph import (
    OxigraphStore,
    add_ntriples,
    bulk_load_in_blocks,
    dump_for_loading,
    dump_with_merge,
    graph_size,
    load_dumped,
    ntriples,
    release_memory,
    to_oxigraph,
)
from filmgraph.store.sparql import publish_remote
from filmgraph.validation import ValidationReport, validate_store
from filmgraph.validation import _short as short_name  # the findings' own node names

__all__ = ["WORKING_STORES", "BuildResult", "build", "working_store_on_disk"]

VERSION = "0.1.0"
#: Where a generation keeps each document's output, for the next build to replay.
CACHE_DIR = "sources"
_INDEX = "index.json"
#: The validation findings as data, and the merges linking made, for the next build.
VALIDATION_FILE = "validation.json"
LINKING_FILE = "linking.json"
#: The gazetteer each source's loaders read (the names of the sources before it), kept so
#: that the fast path can read a new document without loading every earlier one.
GAZETTEER_DIR = "gazetteers"
#: What the on-disk store is bulk-loaded from: the named graphs' quads and, for the
#: default graph, their triples (see store.oxigraph.dump_for_loading); removed once loaded.
_LOAD_FILE = ".load.nq"
#: Above this many focus nodes validation checks everything instead: the shapes' queries
#: restricted to a list of nodes cost more per node as the list grows (300 nodes take a
#: tenth of a full check at 10,000 films, 3,000 nodes longer than the full check).
FOCUS_LIMIT = 500
#: Where the build keeps its working graph: ``memory`` (fastest), ``disk`` (the generation's
#: on-disk store, written in place: for graphs larger than the memory), or ``auto``.
WORKING_STORES = ("auto", "memory", "disk")
#: ``auto``'s estimate of a build's peak memory, in bytes per byte of source files: 57 for
#: the synthetic tables at 100,000 and 300,000 films (6.2 GB from 109 MB, 18.6 GB from
#: 325 MB; bench/results/scale-300k.md), rounded up.
PEAK_PER_SOURCE_BYTE = 64
#: ``auto`` builds in memory while that estimate stays under this share of the memory
#: the system reports available.
MEMORY_SHARE = 0.6


@dataclass
class BuildResult:
    """What a finished build produced and found."""

    generation: Generation
    #: Counts of the graph by kind ("films", "people" …), plus "triples" and "sources".
    counts: dict[str, int]
    validation: ValidationReport
    linking: LinkReport
    #: Records skipped in lenient mode, as "file:line: field: reason" texts.
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: Documents replayed from the previous generation instead of being read again.
    reused: int = 0
    #: How many focus nodes validation checked again (``None``: all of them, a full check).
    validated: int | None = None
    #: True when the incremental fast path built it (see :mod:`filmgraph.incremental`).
    fast: bool = False
    #: Why an incremental build took the full path (``None``: it did not, or no previous).
    full_because: str | None = None


def build(
    store_dir: Path | None = None,
    *,
    sources: Sequence[Path] = (),
    bundled: bool = True,
    strict: bool = True,
    full: bool = False,
    working_store: str = "auto",
    wait: bool = False,
    progress: Progress = silent,
) -> BuildResult:
    """Build the graph from the bundled sources (unless ``bundled`` is false) and ``sources``.

    The result is published in ``store_dir`` (default ``graph/build``) only when every step
    succeeded. In ``strict`` mode (the default) the first bad record fails the build with a
    :class:`~filmgraph.errors.SourceError` naming file, line and field; otherwise bad
    records are skipped and listed in the result. Documents unchanged since the current
    generation are replayed from it, unless ``full`` asks to read everything again.
    ``working_store`` (one of :data:`WORKING_STORES`) says where a full build keeps its
    working graph; ``auto`` decides by :func:`working_store_on_disk`. Another build writing
    into ``store_dir`` is a :class:`~filmgraph.errors.BuildError`, or with ``wait`` a wait
    until it is done: this build then starts from the graph that one published.
    """
    with _rare_full_collections():
        return _build(store_dir, sources, bundled, strict, full, working_store, wait, progress)


def _waiting(progress: Progress) -> Callable[[str], None]:
    """What a build says while it waits for another to finish."""
    return lambda pid: progress.note(f"waiting for another build (pid {pid}) to finish")


#: How many collections of the middle generation Python lets pass before a full collection
#: while a build runs (its default is 10).
FULL_COLLECTION_EVERY = 1000


@contextmanager
def _rare_full_collections() -> Iterator[None]:
    """Python's full cyclic collections made a hundred times rarer while a build runs.

    A build holds millions of tuples and terms until its stage ends, and every full
    collection walks all of them: a build of 10,000 films ran 36 full collections that took
    7.6 s of its 65-75 s of CPU (none with this setting, and the same peak memory). The
    younger generations are still collected as often as before, so the short-lived cycles
    libraries leave are freed as they were.
    """
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], FULL_COLLECTION_EVERY)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _build(
    store_dir: Path | None,
    sources: Sequence[Path],
    bundled: bool,
    strict: bool,
    full: bool,
    working_store: str,
    wait: bool,
    progress: Progress,
) -> BuildResult:
    if working_store not in WORKING_STORES:
        raise BuildError(
            f"unknown working store {working_store!r}: choose one of {', '.join(WORKING_STORES)}"
        )
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    build_dir = BuildDir(store_dir if store_dir is not None else default_store_dir())
    specs = (read_manifest(manifest_path()) if bundled else []) + [
        spec_for_path(Path(p)) for p in sources
    ]
    if not specs:
        raise BuildError("nothing to build: no bundled sources and no --source given")
    generation = build_dir.new_generation(wait=_waiting(progress) if wait else None)
    previous = None if full or not build_dir.has_current() else build_dir.current()
    try:
        result = None
        why = _no_fast_path(build_dir, previous)
        if why is None and previous is not None:
            try:
                result = _Build(generation, strict, progress, started, previous, fast=True).run(
                    specs
                )
                result.fast = True
                progress.note("incremental build: the fast path (new documents only)")
            except FastPathRefused as refused:
                why = refused.reason
            if result is None:
                # Outside the handler: the refusal's traceback, whose frames may hold the
                # fast path's on-disk store, is gone, so RocksDB is closed (its background
                # compaction done) before its files are removed.
                _empty(generation)
        if result is None:
            if why is not None:
                progress.note(f"incremental build: the full path, because {why}")
            on_disk = working_store == "disk" or (
                working_store == "auto" and working_store_on_disk(specs)
            )
            if on_disk:
                progress.note("working store: on disk (the generation's own store)")
            result = _Build(generation, strict, progress, started, previous, on_disk=on_disk).run(
                specs
            )
            result.full_because = why
        publish_remote(build_dir.root, generation, progress)  # a no-op unless --store is a URL
    except BaseException as error:
        out_of_room = build_dir.out_of_room(error)  # asked while the generation holds its room
        build_dir.discard(generation)
        if out_of_room is not None:
            raise out_of_room from error
        raise
    build_dir.publish(generation)
    result.seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
    return result


def working_store_on_disk(specs: Sequence[SourceSpec], available: int | None = None) -> bool:
    """Whether ``auto`` builds ``specs`` on disk: when the build's estimated peak in memory
    (:data:`PEAK_PER_SOURCE_BYTE` times the bytes of the source files) would pass
    :data:`MEMORY_SHARE` of ``available`` (default: what the system reports available).

    A machine that reports no figure builds in memory.
    """
    if available is None:
        available = _available_memory()
        if available is None:
            return False
    size = sum(_bytes_under(spec.path) for spec in specs)
    return size * PEAK_PER_SOURCE_BYTE > available * MEMORY_SHARE


def _bytes_under(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _available_memory() -> int | None:
    """``MemAvailable`` of ``/proc/meminfo`` in bytes, else free pages, else ``None``."""
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _no_fast_path(build_dir: BuildDir, previous: Generation | None) -> str | None:
    """Why an incremental build cannot try its fast path (``None``: it can)."""
    if previous is None:
        return None  # a full build, nothing to say
    if mirrored_endpoint(build_dir.root) is not None:
        return "the build is published to a remote store (which reads the whole dump)"
    try:
        check_ready(previous, fast_inputs(VERSION, _validation_inputs()))
    except FastPathRefused as refused:
        return refused.reason
    return None


def _empty(generation: Generation) -> None:
    """Remove what a refused fast path left in ``generation``, keeping the folder."""
    for child in generation.path.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()


@dataclass
class _Cached:
    """One document's output as a generation keeps it for the next build."""

    graph: str
    path: str
    display: str
    loader: str
    key: str
    checksum: str
    records: int
    triples: int
    #: ids the document defined, by kind, and the country codes it defined
    known: dict[str, list[str]]
    countries: dict[str, str]
    notes: list[str]
    skipped: list[str]

    @property
    def file(self) -> str:
        return _file_of(self.graph)


def _file_of(graph: str) -> str:
    """The name of the N-Triples file that keeps the named graph ``graph`` of a document."""
    return graph.rsplit("/", 1)[-1] + ".nt"


class _Build:
    """One build into one generation."""

    def __init__(
        self,
        generation: Generation,
        strict: bool,
        progress: Progress,
        started: dt.datetime,
        previous: Generation | None,
        fast: bool = False,
        on_disk: bool = False,
    ) -> None:
        self.generation, self.strict, self.progress, self.started = (
            generation,
            strict,
            progress,
            started,
        )
        # See the module's docstring; the fast path always starts in memory.
        self.on_disk = on_disk and not fast
        self.wrapper = OxigraphStore(generation.store_path if self.on_disk else None)
        self.store = self.wrapper.engine
        self.cache = generation.path / CACHE_DIR
        self.cache.mkdir()
        self.previous = previous
        self.old = _read_index(previous) if previous is not None else {}
        self.entries: list[_Cached] = []
        self.context = LoadContext(strict=strict)
        # A loader's gazetteer holds what the sources before its own give, never documents
        # of its own source (a full build writes those only after the loader started).
        self.context.names = self._gazetteer
        #: the fast path: only new documents are loaded (see filmgraph.incremental)
        self.fast = fast
        self.gazetteer_keys: list[str] = []
        self.context.reuser = self._reuse
        self.context.sinks = self._sink
        self.order: list[URIRef] = []
        self.before_spec: list[URIRef] = []
        self.provenance = bind_prefixes(Graph())
        self.activity = mint("activity", "build-" + started.strftime("%Y%m%dT%H%M%SZ").lower())
        self.replayed_skips: list[tuple[int, str]] = []
        self.reused = 0
        self.changed: set[URIRef] = set()
        #: keys of every document read so far: of earlier specs, and of the current one
        self.upstream = hashlib.sha256(f"{VERSION} {strict}".encode())
        self.spec_upstream = self.upstream.copy()
        self.spec: SourceSpec | None = None
        self.mark = (0, 0)
        #: what loaders said of the documents they asked about (see LoadContext.reuse)
        self.chained: dict[Path, bool] = {}

    # -- reading ----------------------------------------------------------------------

    def run(self, specs: list[SourceSpec]) -> BuildResult:
        describe_build(self.provenance, self.activity, self.started, VERSION)
        self.progress.note(f"Reading {len(specs)} source(s)")
        for spec in specs:
            self._read_spec(spec)
        self.progress.memory("sources read")
        self._write_index()
        self._keep_gazetteers()
        ox.serialize(
            _ox_triples(self.provenance),
            output=str(self.generation.path / PROVENANCE_FILE),
            format=ox.RdfFormat.N_TRIPLES,
        )
        (self.generation.path / STATE_FILE).write_text(
            json.dumps({"inputs": fast_inputs(VERSION, _validation_inputs())}) + "\n",
            encoding="utf-8",
        )
        if self.fast:
            from filmgraph.incremental import finish

            result: BuildResult = finish(self)
            return result
        return self._finish()

    def _read_spec(self, spec: SourceSpec) -> None:
        self.spec = spec
        self.before_spec = list(self.order)
        self.gazetteer_keys.append(
            hashlib.sha256(f"{spec.loader.name} {self.upstream.hexdigest()}".encode()).hexdigest()
        )
        self.spec_upstream = self.upstream.copy()
        self.mark = (len(self.context.notes), len(self.context.skipped))
        documents = spec.loader.load(spec.path, self.context, spec.root)
        while True:
            start = time.perf_counter()
            source = next(documents, None)  # the loader reads the document here
            if source is None:
                break
            self._write(spec, source, start)
            self.mark = (len(self.context.notes), len(self.context.skipped))
        self.upstream = self.spec_upstream

    def _gazetteer(self) -> Gazetteer:
        """The names of the sources before the current one, for its loader.

        A full build reads them from its store and keeps them in the generation; the fast
        path (whose store holds only new documents) reads them back from the previous one,
        kept under the same key: the keys of every document read before.
        """
        key = self.gazetteer_keys[-1]
        kept = self.generation.path / GAZETTEER_DIR / f"{key}.marshal"
        if kept.is_file():
            found = load_gazetteer(kept)
            if found is not None:
                return found
        if self.fast:
            old = None if self.previous is None else self.previous.path / GAZETTEER_DIR
            if old is None or not (old / kept.name).is_file():
                raise FastPathRefused("the previous generation keeps no gazetteer for a source")
            kept.parent.mkdir(exist_ok=True)
            link_or_copy(old / kept.name, kept)
            restored = load_gazetteer(kept)
            if restored is None:
                raise FastPathRefused("the previous generation's gazetteer is of another layout")
            return restored
        gazetteer = CachedGazetteer.from_store(self.store, self.before_spec)
        kept.parent.mkdir(exist_ok=True)
        save_gazetteer(gazetteer, kept)
        return gazetteer

    def _keep_gazetteers(self) -> None:
        """Carry the previous generation's gazetteers that still hold over to this one."""
        if self.previous is None:
            return
        old = self.previous.path / GAZETTEER_DIR
        for key in self.gazetteer_keys:
            target = self.generation.path / GAZETTEER_DIR / f"{key}.marshal"
            if (old / target.name).is_file() and not target.is_file():
                target.parent.mkdir(exist_ok=True)
                link_or_copy(old / target.name, target)

    def _key(self, loader: str, checksum: str, chained: bool, read_with: tuple[Path, ...]) -> str:
        upstream = self.spec_upstream if chained else self.upstream
        # A document read with no other file keeps the key it had before read_with existed.
        content = " ".join([checksum, *(file_checksum(path) for path in read_with)])
        return hashlib.sha256(f"{loader} {content} {upstream.hexdigest()}".encode()).hexdigest()

    def _claim(self, iri: URIRef) -> None:
        if iri in self.order:
            raise BuildError(f"two sources map to the same graph {iri}: rename one")
        self.order.append(iri)

    def _write(self, spec: SourceSpec, source: SourceGraph, start: float) -> None:
        if self.fast and str(source.iri) in self.old:
            raise FastPathRefused(f"{_display(source.path, spec.root)} changed")
        self._claim(source.iri)
        self.changed.add(source.iri)
        shown = _display(source.path, spec.root)
        checksum = file_checksum(source.path)
        chained = self.chained.get(source.path, False)
        key = self._key(spec.loader.name, checksum, chained, source.read_with)
        self.spec_upstream.update(key.encode())
        notes = self.context.notes[self.mark[0] :]
        skipped = [str(e) for e in self.context.skipped[self.mark[1] :]]
        path = self.cache / _file_of(str(source.iri))
        buffer = source.graph
        if buffer.spills:
            buffer.spill()
            # Repeats were dropped within each hand-over only: the store holds the count.
            triples = graph_size(self.store, str(source.iri))
        else:
            path.write_bytes(ntriples(buffer))
            self._load_file(path, source.iri)
            triples = len(buffer)
        entry = _Cached(
            str(source.iri),
            str(source.path.resolve()),
            shown,
            spec.loader.name,
            key,
            checksum,
            source.records,
            triples,
            {},
            {},
            notes,
            skipped,
        )
        self.entries.append(entry)
        describe_source(
            self.provenance, source, self.activity, self.started, shown, checksum, triples=triples
        )
        self.progress.finished(
            f"{spec.loader.name}: {shown}",
            time.perf_counter() - start,
            f"{source.records:,} records, {entry.triples:,} triples",
        )

    def _sink(self, iri: URIRef) -> TripleSink:
        """Where a document's buffer hands its triples as it fills: the store and the
        document's N-Triples file.

        Written to the store in the hand-over's own bulk write rather than by loading the
        file at the end: the engine's loader holds 1.2 GB or more for a large file, a bulk
        write of one hand-over 0.3 GB (see
        :func:`~filmgraph.store.oxigraph.bulk_extend_in_batches`).
        """
        path = self.cache / _file_of(str(iri))
        graph = ox.NamedNode(str(iri))

        def append(triples: Iterable[Triple]) -> None:
            data = ntriples(triples)
            with path.open("ab") as out:
                out.write(data)
            add_ntriples(self.store, data, graph, bulk=self.on_disk)

        return append

    def _load_file(self, path: Path, graph: URIRef) -> None:
        """Adds a document's N-Triples file to its graph (blank nodes named afresh, once per
        file, as when the previous generation's file is replayed)."""
        to_graph = ox.NamedNode(str(graph))
        if self.on_disk:
            bulk_load_in_blocks(self.store, path, ox.RdfFormat.N_TRIPLES, to_graph)
        else:
            self.store.load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=to_graph)

    def _reuse(self, path: Path, chained: bool, read_with: tuple[Path, ...]) -> bool:
        """Replay ``path`` from the previous generation when its key is unchanged."""
        spec = self.spec
        self.chained[path] = chained
        self.mark = (len(self.context.notes), len(self.context.skipped))
        if spec is None or self.previous is None:
            return False
        start = time.perf_counter()
        iri = graph_iri(path, spec.root)
        old = self.old.get(str(iri))
        if old is None or old.loader != spec.loader.name:
            return False
        checksum = file_checksum(path)
        key = self._key(spec.loader.name, checksum, chained, read_with)
        if key != old.key:
            return False
        self._claim(iri)
        self.spec_upstream.update(key.encode())
        target = self.cache / old.file
        link_or_copy(self.previous.path / CACHE_DIR / old.file, target)
        if not self.fast:  # the fast path starts from the previous store, which holds it
            self._load_file(target, iri)
        for kind, ids in old.known.items():
            self.context.known.restore(kind, ids)
        for code, country in old.countries.items():
            self.context.known.country_iris[code] = URIRef(country)
        self.context.notes.extend(old.notes)
        self.replayed_skips.extend((len(self.context.skipped), s) for s in old.skipped)
        self.entries.append(old)
        source = SourceGraph(iri, path, old.loader, records=old.records)
        describe_source(
            self.provenance,
            source,
            self.activity,
            self.started,
            old.display,
            checksum,
            triples=old.triples,
        )
        self.reused += 1
        self.mark = (len(self.context.notes), len(self.context.skipped))
        self.progress.finished(
            f"{spec.loader.name}: {old.display} (unchanged, replayed)",
            time.perf_counter() - start,
            f"{old.records:,} records, {old.triples:,} triples",
        )
        return True

    def _write_index(self) -> None:
        known_after = self.context.known
        # The ids each document defined are what it added to the known ids: recomputed
        # from its own output would be slower; the loaders record them as they define.
        for entry in self.entries:
            if not entry.known:
                entry.known = known_after.defined_by(Path(entry.path))
                entry.countries = {
                    code: str(iri)
                    for code, iri in known_after.countries_by(Path(entry.path)).items()
                }
        data = [entry.__dict__ for entry in self.entries]
        (self.cache / _INDEX).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")

    # -- after reading ------------------------------------------------------------------

    @contextmanager
    def _stage(self, label: str) -> Iterator[Callable[[str], None]]:
        """A step of the build's end, after which the memory it freed is handed back.

        The C library keeps freed memory in its arenas otherwise, so each step's peak would
        carry what the steps before it freed.
        """
        with self.progress.step(label) as done:
            yield done
        release_memory()

    def _finish(self) -> BuildResult:
        store, generation = self.store, self.generation
        with self._stage("resolving entities across sources") as done:
            linking = resolve_entities(store, self.order, index=generation.path / LINK_INDEX)
            done(
                f"{len(linking.merged)} merged, {len(linking.unresolved)} unresolved, "
                f"{len(linking.conflicts)} conflicts"
            )

        with self._stage("adding the ontology and the provenance") as done:
            store.load(
                path=str(ontology_path()),
                format=ox.RdfFormat.TURTLE,
                to_graph=ox.NamedNode(str(ONTOLOGY_GRAPH)),
            )
            provenance = ox.NamedNode(str(PROVENANCE_GRAPH))
            store.extend(
                ox.Quad(t.subject, t.predicate, t.object, provenance)
                for t in _ox_triples(self.provenance)
            )
            done(f"{len(self.provenance):,} provenance triples")

        with self._stage("validating against the SHACL shapes") as done:
            report, focus = self._validate(linking)
            _keep_findings(generation, report)
            (generation.path / LINKING_FILE).write_text(
                json.dumps({str(k): str(v) for k, v in linking.merged.items()}), encoding="utf-8"
            )
            done(
                _verdict(
                    report, "every node" if focus is None else f"{focus:,} nodes the change touched"
                )
            )

        # Reasoning comes after validation, so the shapes judge what sources state, not what
        # the rules add (a range axiom would otherwise hide a director who is not a person).
        with self._stage("reasoning: targeted materialisation into graph:inferred") as done:
            inferred = materialise_store(store)
            done(f"{inferred:,} triples inferred")

        with self._stage("keeping the statistics the aggregate queries read") as done:
            done(f"{materialise_statistics(store):,} triples in graph:statistics")

        # From the working store while it is still in memory; the on-disk store is written
        # after it is dropped, so the bulk loader's own memory never adds to the store's.
        with self._stage("keeping the projection, name index and aggregates") as done:
            counts = _counts(self.wrapper, len(self.order))
            summary = self._summary(counts, report, linking)
            generation.summary_path.write_text(
                json.dumps(summary, indent=2) + "\n", encoding="utf-8"
            )
            _write_derived(generation, self.wrapper)
            done("beside the store")

        with self._stage("writing the dump and the on-disk store") as done:
            parts = ""
            if self.on_disk:
                # The working store is the generation's: dumped, given its merge, compacted.
                clock = time.perf_counter()
                dump_with_merge(store, generation.trig_path)
                store.flush()
                merged = time.perf_counter()
                store.optimize()
                parts = (
                    f" (dump and merge {merged - clock:.1f} s, "
                    f"compaction {time.perf_counter() - merged:.1f} s)"
                )
                del store
                self._close()
            else:
                load = generation.path / _LOAD_FILE
                dump_for_loading(store, generation.trig_path, load)
                del store
                self._close()
                load_dumped(generation.store_path, load)
                load.unlink()
            done(f"{counts['triples']:,} quads{parts}")
        return BuildResult(
            generation,
            counts,
            report,
            linking,
            summary["skipped"],
            self.context.notes,
            reused=self.reused,
            validated=focus,
        )

    def _summary(
        self, counts: dict[str, int], report: ValidationReport, linking: LinkReport
    ) -> dict[str, Any]:
        """What ``summary.json`` holds."""
        return {
            "built": self.started.isoformat(),
            "counts": counts,
            "conforms": report.conforms,
            "violations": report.count("Violation"),
            "warnings": report.count("Warning"),
            "merged": len(linking.merged),
            "link_conflicts": linking.conflicts,
            "merges": linking.merge_records(),
            "linking": linking.counts(),
            "unresolved": [
                {"node": str(n), "kind": k, "label": label} for n, k, label in linking.unresolved
            ],
            "contradictions": linking.contradictions,
            "skipped": self._skipped(),
            "notes": self.context.notes,
            "reused": self.reused,
        }

    def _validate(self, linking: LinkReport) -> tuple[ValidationReport, int | None]:
        """The findings of this build, and how many focus nodes were checked again.

        After an incremental build only the nodes the change may affect are validated again
        (:func:`_touched`); the previous generation's findings stand for every other node.
        Everything is checked when there is no previous generation, when the shapes or the
        ontology changed, when a changed document states a class hierarchy or blank
        nodes (their findings cannot be told apart), or when the change touches more than
        :data:`FOCUS_LIMIT` nodes (a full check is then the faster one).
        """
        previous = self.previous
        if previous is None:
            return _validate(self.store, None), None
        try:
            kept = json.loads((previous.path / VALIDATION_FILE).read_text(encoding="utf-8"))
            merged = json.loads((previous.path / LINKING_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return _validate(self.store, None), None
        if kept.get("inputs") != _validation_inputs():
            return _validate(self.store, None), None
        removed = [e for graph, e in self.old.items() if URIRef(graph) not in self.order]
        changed = [e for e in self.entries if URIRef(e.graph) in self.changed]
        focus = _touched(self.store, previous, changed, removed, merged, linking)
        if focus is None or len(focus) > FOCUS_LIMIT:
            return _validate(self.store, None), None
        return _revalidate(self.store, kept, focus), len(focus)

    def _close(self) -> None:
        """Release the store (pyoxigraph frees it when the last reference goes) and hand
        the memory back (:func:`~filmgraph.store.oxigraph.release_memory`)."""
        self.context.names = None
        self.context.reuser = None
        del self.store
        self.wrapper.close()
        release_memory()

    def _skipped(self) -> list[str]:
        """Skipped records in reading order, replayed ones where their document stood."""
        read = [str(e) for e in self.context.skipped]
        out: list[str] = []
        replayed = iter(self.replayed_skips)
        pending = next(replayed, None)
        for index in range(len(read) + 1):
            while pending is not None and pending[0] == index:
                out.append(pending[1])
                pending = next(replayed, None)
            if index < len(read):
                out.append(read[index])
        return out


def _write_derived(generation: Generation, store: OxigraphStore) -> None:
    """Derived artefacts of the finished store, written into the generation directory.

    The one place for what is computed from the built graph and cached beside it, so a
    reader never sees it stale: it is published with the store, atomically. The influence
    projection (for ``path``, ``lineage``, ``rank``), the name index and the dashboard
    aggregates; each is keyed to ``summary.json``, which must not change afterwards.
    """
    from filmgraph.aggregates import compute_aggregates, write_aggregates
    from filmgraph.analytics.cache import write_projection_cache
    from filmgraph.resolve import write_name_index

    write_projection_cache(store, generation.path)
    write_name_index(store, generation.path)
    write_aggregates(generation.path, compute_aggregates(store))


def _validate(store: ox.Store, focus: Collection[str] | None) -> ValidationReport:
    """The data graphs of ``store`` checked against the shapes, inside the store.

    The shapes run as SPARQL (:func:`filmgraph.validation.validate_store`) over every named
    graph but the ontology and the inferred one, restricted to ``focus`` when given.
    """
    return validate_store(store, focus=focus)


def _revalidate(store: ox.Store, kept: dict[str, Any], focus: Collection[str]) -> ValidationReport:
    """The findings for ``focus`` checked again, the ``kept`` ones (as JSON) for the rest."""
    fresh = _validate(store, focus)
    names = {short_name(URIRef(iri)) for iri in focus}
    findings = [f for f in ValidationReport.from_json(kept).findings if f.focus not in names]
    findings = sorted(set(findings) | set(fresh.findings))
    conforms = not any(f.severity == "Violation" for f in findings)
    return ValidationReport(conforms, findings)


def _keep_findings(generation: Generation, report: ValidationReport) -> None:
    """The findings as text and as data, so 'filmgraph check' need not run the shapes again,
    with what they were computed from, so the next build may keep them."""
    generation.validation_path.write_text(report.text(), encoding="utf-8")
    data = report.to_json() | {"inputs": _validation_inputs()}
    (generation.path / VALIDATION_FILE).write_text(json.dumps(data), encoding="utf-8")


def _verdict(report: ValidationReport, scope: str) -> str:
    """The validation step's progress line."""
    return (
        f"conforms: {'yes' if report.conforms else 'no'} "
        f"({report.count('Violation')} violations, {report.count('Warning')} warnings;"
        f" checked {scope})"
    )


def _validation_inputs() -> str:
    """What the findings depend on besides the data: the shapes, the ontology, the version."""
    digest = hashlib.sha256(VERSION.encode())
    for path in (shapes_path(), ontology_path()):
        digest.update(path.read_bytes())
    return digest.hexdigest()


_TYPE = ox.NamedNode(str(RDF.type))
_SUBCLASS = ox.NamedNode(str(RDFS.subClassOf))
_UNCHECKED = (
    ox.NamedNode(str(ONTOLOGY_GRAPH)),
    ox.NamedNode(str(INFERRED_GRAPH)),
    ox.DefaultGraph(),  # the merge of the named graphs, in a built store
)


def _touched(
    store: ox.Store,
    previous: Generation,
    changed: list[_Cached],
    removed: list[_Cached],
    merged: dict[str, str],
    linking: LinkReport,
    provenance_change: tuple[list[ox.Quad], list[ox.Quad]] | None = None,
) -> set[str] | None:
    """The focus nodes whose findings a change may alter (``None``: validate everything).

    The shapes judge a node by what is stated about it and, through ``sh:class``, by the
    types of its values. So: every node a changed document states something about or
    points to, now and in its previous version (mapped through the previous build's
    merges); every node whose merge differs between the two builds (a merge both builds
    made changes nothing the shapes see: a corpus with thousands of merges would otherwise
    never be validated apart); and every node pointing to a node whose types a changed
    document states, when those types differ between the two builds (a page restating
    that the Soviet Union is a country changes no finding of the thousands of films made
    there). ``provenance_change`` (quads added, quads removed) spares
    comparing the provenance graph with the previous build's when the caller knows it.
    """
    nodes: set[str] = set()
    typed: set[str] = set()

    def note(quads: Iterator[ox.Quad] | Iterator[ox.Triple], mapping: dict[str, str]) -> bool:
        for q in quads:
            if q.predicate == _SUBCLASS:
                return False
            for term in (q.subject, q.object):
                if isinstance(term, ox.BlankNode):
                    return False
                if isinstance(term, ox.NamedNode):
                    nodes.add(mapping.get(term.value, term.value))
            if q.predicate == _TYPE and isinstance(q.subject, ox.NamedNode):
                typed.add(mapping.get(q.subject.value, q.subject.value))
        return True

    for entry in changed:
        if not note(store.quads_for_pattern(None, None, None, ox.NamedNode(entry.graph)), {}):
            return None
    for entry in [*changed, *removed]:
        old = previous.path / CACHE_DIR / entry.file
        if old.is_file() and not note(
            ox.parse(path=str(old), format=ox.RdfFormat.N_TRIPLES), merged
        ):
            return None
    # The provenance graph is written anew by every build, but only what differs in it
    # beyond the build's own stamps (its activity, its times) can change a finding.
    provenance = ox.NamedNode(str(PROVENANCE_GRAPH))
    if provenance_change is not None:
        now, then = provenance_change
    else:
        now = list(store.quads_for_pattern(None, None, None, provenance))
        before = ox.Store.read_only(str(previous.store_path))
        try:
            then = list(before.quads_for_pattern(None, None, None, provenance))
        finally:
            del before
    now_keys = {_unstamped(q) for q in now}
    then_keys = {_unstamped(q) for q in then}
    if not note((q for q in now if _unstamped(q) not in then_keys), {}):
        return None
    if not note((q for q in then if _unstamped(q) not in now_keys), {}):
        return None
    now_merged = {str(k): str(v) for k, v in linking.merged.items()}
    for node in merged.keys() | now_merged.keys():
        then_into, now_into = merged.get(node), now_merged.get(node)
        if then_into != now_into:
            nodes.update(n for n in (node, then_into, now_into) if n is not None)
    if typed:
        before = ox.Store.read_only(str(previous.store_path))
        try:
            typed = {node for node in typed if _types(store, node) != _types(before, node)}
        finally:
            del before
    for node in typed:
        for q in store.quads_for_pattern(None, None, ox.NamedNode(node), None):
            if q.graph_name in _UNCHECKED:
                continue
            if isinstance(q.subject, ox.BlankNode):
                return None
            if isinstance(q.subject, ox.NamedNode):
                nodes.add(q.subject.value)
    return nodes


def _types(store: ox.Store, node: str) -> set[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]:
    """The types of ``node`` the shapes see: those the checked graphs state."""
    return {
        q.object
        for q in store.quads_for_pattern(ox.NamedNode(node), _TYPE, None, None)
        if q.graph_name not in _UNCHECKED
    }


_ACTIVITY = str(ID["activity/build-"])
_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"


def _unstamped(quad: ox.Quad) -> tuple[str, str, str]:
    """A provenance quad as text with the build's stamps (activity IRI, times) blanked out.

    Two builds describe an unchanged document with the same triples but for these stamps,
    and the shapes judge the stamps by their form alone (an IRI, a ``xsd:dateTime``), which
    every build writes the same way.
    """

    def text(term: object) -> str:
        if isinstance(term, ox.NamedNode) and term.value.startswith(_ACTIVITY):
            return "<activity>"
        if isinstance(term, ox.Literal) and term.datatype.value == _DATETIME:
            return '"time"'
        return str(term)

    return text(quad.subject), text(quad.predicate), text(quad.object)


def _ox_triples(triples: Any) -> Iterator[ox.Triple]:
    """pyoxigraph triples for rdflib-term triples, converting each distinct IRI once."""
    named: dict[Node, ox.NamedNode | ox.BlankNode | ox.Literal] = {}

    def term(node: Node) -> Any:
        if isinstance(node, URIRef):
            found = named.get(node)
            if found is None:
                found = named[node] = ox.NamedNode(node)
            return found
        return to_oxigraph(node)

    for s, p, o in triples:
        yield ox.Triple(term(s), term(p), term(o))


def _read_index(generation: Generation) -> dict[str, _Cached]:
    """The documents a generation kept, by graph IRI (none for a generation without them)."""
    path = generation.path / CACHE_DIR / _INDEX
    if not path.is_file():
        return {}
    entries = [_Cached(**data) for data in json.loads(path.read_text(encoding="utf-8"))]
    return {e.graph: e for e in entries}


def _counts(store: OxigraphStore, sources: int) -> dict[str, int]:
    result = run_named(store, "graph-summary")
    if not isinstance(result, SelectResult):
        raise BuildError("the graph-summary query must be a SELECT")
    counts = {str(kind): int(count) for kind, count in result.rows if isinstance(count, Literal)}
    counts["triples"] = store.quad_count()
    counts["sources"] = sources
    return counts


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name
