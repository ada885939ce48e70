"""Whole-graph exports of a built generation, written once and kept beside it.

A generation never changes once published (:mod:`filmgraph.builddir`), so the export of its
whole graph in one format is a pure function of it. Reading the on-disk store is what made
such an export slow: the engine decodes every term of every quad through RocksDB's
id-to-string table (about 9 µs a triple at 10,000 films, ``bench/results/exports.md``). The
build already keeps every quad of the named graphs as text in ``graph.trig``; the engine
parses that at about a million quads a second. So the whole graph is exported:

* **first time, from ``graph.trig``**: a build writes it in graph blocks, each line a
  triple as the engine writes it, so N-Quads is its lines given their graph's name, and
  N-Triples their RDF merge: every line but the repeats of one written before, found from
  the lines' hashes (:meth:`_Dump.write_text`). Other quad formats (TriG, JSON-LD) stream
  the parsed quads into pyoxigraph's serialiser. Each is checked against the store before
  it is kept: as many quads as the build counted, as many distinct triples as the store's
  default graph holds (the merge the build wrote; counted by the engine on another thread
  meanwhile). A fast-path generation writes its ``graph.trig`` first from the dump it
  started from and the change it kept (:mod:`filmgraph.dumpdelta`). A generation without
  either, or one that fails a check, is dumped from the store instead (the route every
  export took before);
* a triple format other than N-Triples is parsed from the kept N-Triples of the merge,
  which its first export keeps first when the dump is in graph blocks (a dump in the
  older layout is parsed, and its repeats dropped by a set of the triples' hashes);
* **kept**: the file is written under ``GENERATION/exports/`` (a temporary name, then one
  rename, so concurrent exports never see half a file), with a small record of its count;
* **every later time**: the kept file is copied, at the disk's speed.

The same holds for the graph without some named graphs (``--no-inferred``,
``--no-provenance``): written from ``graph.trig`` without them, checked against a
``SELECT DISTINCT`` count of the graphs kept, and kept under a name of its own; when the
dump cannot be used, the caller copies the selection out of the store
(:func:`filmgraph.export.selection.select`). A generation folder the exporter cannot write
to is exported the same way, only not kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Collection, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import BinaryIO, Generic, TypeVar

import numpy as np
import pyoxigraph as ox

from filmgraph.builddir import Generation
from filmgraph.store.graphblocks import (
    as_nquads,
    block_runs,
    copy_range,
    in_blocks,
    write_all,
)

__all__ = [
    "KEPT_DIR",
    "TRIPLE_FORMATS",
    "Counted",
    "KeptExport",
    "dump_store",
    "generation_of",
    "kept_path",
    "write_whole",
]

_T = TypeVar("_T")

#: Formats written from a dump in graph blocks as text, without parsing it.
_TEXT_FORMATS = frozenset({ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS})

#: The folder of a generation where its whole-graph exports are kept.
KEPT_DIR = "exports"
#: Kept files are readable by every user who may read the generation.
_MODE = 0o644
#: Bumped when what a kept file holds for the same format and prefixes changes.
_LAYOUT = 1
#: Formats that write one graph (the merge); the others write every named graph.
TRIPLE_FORMATS = frozenset(
    {ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML, ox.RdfFormat.N3}
)


@dataclass(frozen=True)
class KeptExport:
    """What :func:`write_whole` did: how many triples (or quads), and where they came from.

    ``route`` is ``"kept"`` (copied from the kept file), ``"kept merge"`` (a triple format
    parsed from the kept N-Triples), ``"dump"`` (parsed from the generation's ``graph.trig``)
    or ``"store"`` (read from the on-disk store).
    """

    count: int
    route: str
    kept: Path | None


def generation_of(store_path: Path | None) -> Generation | None:
    """The generation whose on-disk store is at ``store_path``, or ``None`` (another store)."""
    if store_path is None:
        return None
    generation = Generation(Path(store_path).parent)
    if generation.store_path != Path(store_path) or not generation.summary_path.is_file():
        return None
    return generation


def kept_path(
    generation: Generation,
    fmt: ox.RdfFormat,
    prefixes: Mapping[str, str] | None,
    leave_out: Collection[str] = (),
) -> Path:
    """Where the graph of ``generation`` in ``fmt`` (with ``prefixes``, without the named
    graphs ``leave_out``) is kept."""
    key = json.dumps(
        [
            _LAYOUT,
            fmt.media_type,
            sorted((prefixes or {}).items()),
            sorted(leave_out),
            metadata.version("pyoxigraph"),
        ]
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return generation.path / KEPT_DIR / f"whole-{digest}.{fmt.file_extension}"


def write_whole(
    generation: Generation,
    engine: ox.Store,
    out: Path,
    fmt: ox.RdfFormat,
    prefixes: Mapping[str, str] | None = None,
    leave_out: Collection[str] = (),
) -> KeptExport | None:
    """Write the graph of ``generation`` (whose store ``engine`` is) to ``out``, every named
    graph but those in ``leave_out``.

    A triple format gets the RDF merge of the named graphs, a quad format every named graph.
    Copied from the kept file when there is one; otherwise written (from ``graph.trig`` when
    it passes the checks of the module's docstring, else from the store) and kept. ``None``
    when graphs are left out and ``graph.trig`` cannot be used: the store cannot dump such a
    selection by itself, the caller copies it out (:func:`filmgraph.export.selection.select`).
    """
    leave_out = frozenset(leave_out)
    kept = kept_path(generation, fmt, prefixes, leave_out)
    record = kept.with_name(kept.name + ".json")
    count = _kept_count(kept, record)
    if count is not None:
        try:
            shutil.copyfile(kept, out)
            return KeptExport(count, "kept", kept)
        except PermissionError:  # kept by another user who left it unreadable: write anew
            pass
    partial = _partial(kept)
    if partial is None:  # a generation folder we may not write to: export, keep nothing
        written = _write(generation, engine, out, fmt, prefixes, leave_out)
        return None if written is None else KeptExport(*written, None)
    done = _keep(generation, engine, fmt, prefixes, leave_out, partial)
    if done is not None and done.kept is not None:
        shutil.copyfile(done.kept, out)
    return done


def _keep_merge(generation: Generation, engine: ox.Store, leave_out: frozenset[str]) -> int | None:
    """Keep the N-Triples of the merge, written from a dump in graph blocks as text, for
    another triple format to be parsed from: cheaper than parsing the dump, and the repeats
    are dropped without a set of every triple's hash. Its count, or ``None`` when it could
    not be kept."""
    merge = kept_path(generation, ox.RdfFormat.N_TRIPLES, None, leave_out)
    partial = _partial(merge)
    if partial is None:
        return None
    done = _keep(generation, engine, ox.RdfFormat.N_TRIPLES, None, leave_out, partial)
    return None if done is None else done.count


def _keep(
    generation: Generation,
    engine: ox.Store,
    fmt: ox.RdfFormat,
    prefixes: Mapping[str, str] | None,
    leave_out: frozenset[str],
    partial: Path,
) -> KeptExport | None:
    """Write the export to ``partial``, then keep it (rename, then its record)."""
    kept = kept_path(generation, fmt, prefixes, leave_out)
    try:
        written = _write(generation, engine, partial, fmt, prefixes, leave_out)
        if written is None:
            return None
        count, route = written
        partial.replace(kept)
        _write_record(kept.with_name(kept.name + ".json"), count, route)
    finally:
        partial.unlink(missing_ok=True)
    return KeptExport(count, route, kept)


def _partial(kept: Path) -> Path | None:
    """A fresh file beside ``kept`` to write into, or ``None`` when its folder is not ours."""
    try:
        kept.parent.mkdir(exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{kept.name}.", suffix=".tmp", dir=kept.parent)
    except OSError:
        return None
    os.close(handle)
    partial = Path(name)
    partial.chmod(_MODE)  # readable like any file written here (mkstemp makes it private)
    return partial


def _kept_count(kept: Path, record: Path) -> int | None:
    """The count of a kept export, or ``None`` when there is none (the record comes last)."""
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    count = data.get("count") if isinstance(data, dict) else None
    if not isinstance(count, int) or not kept.is_file():
        return None
    return count


def _write_record(record: Path, count: int, route: str) -> None:
    partial = _partial(record)
    if partial is None:
        return
    partial.write_text(json.dumps({"count": count, "route": route}) + "\n", encoding="utf-8")
    partial.replace(record)


def _write(
    generation: Generation,
    engine: ox.Store,
    out: Path,
    fmt: ox.RdfFormat,
    prefixes: Mapping[str, str] | None,
    leave_out: frozenset[str],
) -> tuple[int, str] | None:
    """Write ``out`` from ``graph.trig`` when it holds what the store holds, else from the
    store (``None`` if graphs are left out: see :func:`write_whole`); the count and the
    route taken. A fast-path generation's ``graph.trig`` is written first from the dump it
    started from (:meth:`~filmgraph.builddir.Generation.dump_from_delta`)."""
    generation.dump_from_delta()
    prefix_map = dict(prefixes) if prefixes else None
    if fmt in TRIPLE_FORMATS and fmt != ox.RdfFormat.N_TRIPLES:
        merge = kept_path(generation, ox.RdfFormat.N_TRIPLES, None, leave_out)
        known = _kept_count(merge, merge.with_name(merge.name + ".json"))
        if known is None and _Dump(generation.trig_path, leave_out).in_blocks():
            known = _keep_merge(generation, engine, leave_out)
        if known is not None:  # the merge is kept already: no repeats to drop
            triples = Counted(ox.parse(path=str(merge), format=ox.RdfFormat.N_TRIPLES))
            ox.serialize(triples, str(out), fmt, prefixes=prefix_map)
            if triples.count == known:
                return known, "kept merge"
    expected = _counted_quads(generation)
    if expected is not None:
        dump = _Dump(generation.trig_path, leave_out)
        if fmt in _TEXT_FORMATS and dump.in_blocks():
            merged = fmt == ox.RdfFormat.N_TRIPLES
            size = _merge_size_meanwhile(engine, leave_out) if merged else None
            dump.write_text(out, merged=merged)
            if dump.read == expected and (size is None or dump.written == size.result()):
                return dump.written, "dump"
        elif fmt in TRIPLE_FORMATS:
            size = _merge_size_meanwhile(engine, leave_out)
            ox.serialize(dump.triples(), str(out), fmt, prefixes=prefix_map)
            if dump.read == expected and dump.written == size.result():
                return dump.written, "dump"
        else:
            ox.serialize(dump.quads(), str(out), fmt, prefixes=prefix_map)
            if dump.read == expected:
                return dump.written, "dump"
    if leave_out:
        return None
    return dump_store(engine, out, fmt, prefix_map), "store"


def dump_store(
    engine: ox.Store, out: Path, fmt: ox.RdfFormat, prefixes: dict[str, str] | None
) -> int:
    """Write the whole graph of ``engine`` to ``out``, read from the store itself.

    The route every export took before the dump was used, and still the one for a generation
    without ``graph.trig``: every term is decoded through the store (the slow part).
    Returns how many triples (or quads) were written.
    """
    if fmt in TRIPLE_FORMATS:
        engine.dump(str(out), fmt, from_graph=ox.DefaultGraph(), prefixes=prefixes)
        return _merge_size(engine)
    quads = Counted(
        q
        for graph in sorted(
            (g for g in engine.named_graphs() if isinstance(g, ox.NamedNode)), key=str
        )
        for q in engine.quads_for_pattern(None, None, None, graph)
    )
    ox.serialize(quads, str(out), fmt, prefixes=prefixes)
    return quads.count


def _counted_quads(generation: Generation) -> int | None:
    """How many quads the build counted in the named graphs, when it kept ``graph.trig``."""
    if not generation.trig_path.is_file():
        return None
    try:
        counts = generation.summary().get("counts", {})
    except (OSError, ValueError):
        return None
    triples = counts.get("triples") if isinstance(counts, dict) else None
    return triples if isinstance(triples, int) else None


def _merge_size(engine: ox.Store, leave_out: Collection[str] = ()) -> int:
    """How many distinct triples the merge of the named graphs (but ``leave_out``) holds,
    counted by the engine over its encoded indexes (nothing is decoded): the default graph,
    which holds the merge of every named graph, or a DISTINCT over the graphs kept."""
    if not leave_out:
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    else:
        names = ", ".join(f"<{g}>" for g in sorted(leave_out))
        query = (
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE "
            f"{{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g NOT IN ({names})) }} }}"
        )
    result = engine.query(query)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("a SELECT query gave no rows")
    count = next(iter(result))["n"]
    return int(count.value) if isinstance(count, ox.Literal) else 0


def _merge_size_meanwhile(engine: ox.Store, leave_out: Collection[str]) -> Future[int]:
    """:func:`_merge_size`, counted on a thread of its own while this one reads the dump:
    the engine lets the GIL go while it counts (1.5 s of CPU at 30,000 films)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="filmgraph-merge-size")
    try:
        return pool.submit(_merge_size, engine, leave_out)
    finally:
        pool.shutdown(wait=False)


class Counted(Generic[_T]):
    """An iterator (of quads or triples) that counts what went through it."""

    def __init__(self, items: Iterator[_T]) -> None:
        self._items = items
        self.count = 0

    def __iter__(self) -> Iterator[_T]:
        for item in self._items:
            self.count += 1
            yield item


class _Dump:
    """The quads of a generation's ``graph.trig`` but those of the graphs ``leave_out``:
    as text (:meth:`write_text`, a dump in graph blocks), as they come (:meth:`quads`) or
    as their RDF merge (:meth:`triples`).

    Once a stream is read, ``read`` is how many quads were read and ``written`` how many
    quads or triples were let through. :meth:`triples` lets a triple through when its hash
    was not seen: two equal triples have equal hashes, so no triple comes twice; a
    collision between two different triples would drop the second, which :func:`_write`
    detects by comparing the count with the store's.
    """

    def __init__(self, path: Path, leave_out: frozenset[str]) -> None:
        self._path = path
        self._leave_out = leave_out
        self.read = 0
        self.written = 0

    def in_blocks(self) -> bool:
        """Whether the dump is in graph blocks: each line a triple of the engine's N-Triples
        (:func:`filmgraph.store.graphblocks.write_graph_blocks`), so it can be read as text."""
        return in_blocks(self._path)

    def write_text(self, out: Path, *, merged: bool) -> None:
        """Write ``out`` from a dump in graph blocks as text: N-Quads (each line given its
        graph's name) or, ``merged``, N-Triples of the RDF merge (:meth:`_write_merge`)."""
        leave_out, read, written = self._leave_out, 0, 0
        try:
            with out.open("wb", buffering=0) as sink:
                if merged:
                    read, written = self._write_merge(sink)
                    return
                for name, _, lines in block_runs(self._path):
                    count = lines.count(b"\n")
                    read += count
                    if leave_out and _block_graph(name) in leave_out:
                        continue
                    write_all(sink, as_nquads(lines, name))
                    written += count
        finally:
            self.read, self.written = read, written

    def _write_merge(self, sink: BinaryIO) -> tuple[int, int]:
        """Write the RDF merge of the dump's graphs to ``sink`` (unbuffered); how many lines
        were read and written.

        The engine writes a triple as one line, always the same, and a graph's lines are
        distinct, so the merge is every line but the repeats of a line written before: of
        the lines that share a hash, the first is kept. The dump is read twice. First each
        line's hash is kept (8 bytes a line: a set of the hashes held about 80, which
        500,000 films would not fit in 4 GB), and the hashes met more than once are found
        by sorting them. Then a run of lines that repeats none written before (almost
        every run: repeats are the few triples two sources both state) is copied from file
        to file by the kernel, and only the other runs are split into lines. Two different
        lines that shared a hash would leave one out; the count against the store's merge
        (:func:`_write`) finds that.
        """
        leave_out, read = self._leave_out, 0
        runs: list[tuple[int, int, np.ndarray]] = []
        for name, at, lines in block_runs(self._path):
            if leave_out and _block_graph(name) in leave_out:
                read += lines.count(b"\n")
                continue
            keys = np.fromiter(map(hash, lines.split(b"\n")), np.int64)[:-1]
            read += len(keys)
            runs.append((at, len(lines), keys))
        repeated = _repeated([keys for _, _, keys in runs])
        written = 0
        met: set[int] = set()
        with self._path.open("rb") as text:  # buffered: an unbuffered read may come short
            for at, size, keys in runs:
                at_hits = _hits(repeated, keys)
                hits = keys[at_hits].tolist()
                dropped = [i for i, key in zip(at_hits.tolist(), hits, strict=True) if key in met]
                met.update(hits)
                written += len(keys) - len(dropped)
                if not dropped:
                    copy_range(text, sink, at, size)
                    continue
                text.seek(at)
                parts = text.read(size).split(b"\n")
                for index in reversed(dropped):
                    del parts[index]
                write_all(sink, b"\n".join(parts))
        return read, written

    def _parsed(self) -> Iterator[ox.Quad]:
        return ox.parse(path=str(self._path), format=ox.RdfFormat.TRIG)

    def quads(self) -> Iterator[ox.Quad]:
        leave_out, read, written = self._leave_out, 0, 0
        try:
            for quad in self._parsed():
                read += 1
                if leave_out and _graph_name(quad) in leave_out:
                    continue
                written += 1
                yield quad
        finally:
            self.read, self.written = read, written

    def triples(self) -> Iterator[ox.Triple]:
        leave_out, read, written = self._leave_out, 0, 0
        seen: set[int] = set()
        remember = seen.add
        try:
            for quad in self._parsed():
                read += 1
                if leave_out and _graph_name(quad) in leave_out:
                    continue
                triple = quad.triple
                key = hash(triple)
                if key in seen:
                    continue
                remember(key)
                written += 1
                yield triple
        finally:
            self.read, self.written = read, written


def _repeated(keys: list[np.ndarray]) -> np.ndarray:
    """The values found more than once in ``keys`` together, sorted."""
    if not keys:
        return np.empty(0, np.int64)
    every = np.concatenate(keys)
    every.sort()
    return np.unique(every[1:][every[1:] == every[:-1]])


def _hits(repeated: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """The positions in ``keys`` of the values in ``repeated`` (sorted)."""
    if not len(repeated) or not len(keys):
        return np.empty(0, np.intp)
    at = np.minimum(np.searchsorted(repeated, keys), len(repeated) - 1)
    return np.flatnonzero(repeated[at] == keys)


def _block_graph(name: bytes) -> str:
    """The IRI a graph block's opening line names, ``""`` for a blank node (as
    :func:`_graph_name`)."""
    return name[1:-1].decode("utf-8") if name.startswith(b"<") else ""


def _graph_name(quad: ox.Quad) -> str:
    return quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
