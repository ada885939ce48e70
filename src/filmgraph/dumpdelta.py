"""The dump of a fast-path generation, kept as the dump it started from and a change to it.

A full build writes every quad of the named graphs to ``graph.trig``
(:func:`filmgraph.store.graphblocks.write_graph_blocks`); the incremental fast path
(:mod:`filmgraph.incremental`) changes a few thousand quads of millions, and rewriting the
file would cost more than the build. Before this module, a fast-path generation kept no dump,
and the first reader that wanted one (a whole-graph export, publishing to a remote store)
decoded every quad out of the on-disk store: 146 s at 100,000 films. Instead the fast path
keeps, beside its store:

* :data:`DUMP_BASE`: a hard link to the ``graph.trig`` of the full build its chain of
  fast-path builds started from (no copy: the link costs nothing, and keeps the file when
  that generation is collected);
* :data:`DUMP_ADDED` and :data:`DUMP_REMOVED`: the quads of the named graphs the chain added
  to and removed from it (N-Quads, written by the engine).

:func:`compose_dump` writes ``graph.trig`` from them at the disk's speed: the base's graph
blocks copied by the kernel, the few blocks with removed lines filtered, the added lines
appended to their blocks, new graphs' blocks placed in order. The result is checked: every
removed line must be found and the count must be the one the build made, else nothing is
kept and the caller dumps the store as before.

Blank nodes are the exception: the on-disk store of a full build is bulk-loaded, which names
its blank nodes afresh, so a blank node of the store and the same node in the base carry
different labels. A change that touches a blank node keeps no delta (:func:`keep_delta`
returns ``False``), and that generation's dump is written from its store.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from filmgraph.store.graphblocks import (
    GRAPH_BLOCKS_HEADER,
    block_runs,
    copy_range,
    in_blocks,
    write_all,
)

if TYPE_CHECKING:
    from filmgraph.builddir import Generation

__all__ = ["DUMP_ADDED", "DUMP_BASE", "DUMP_REMOVED", "compose_dump", "keep_delta"]

#: The dump of the full build a chain of fast-path builds started from (a hard link).
DUMP_BASE = "graph-base.trig"
#: Quads of the named graphs the chain added to the base.
DUMP_ADDED = "graph-added.nq"
#: Quads of the named graphs the chain removed from the base.
DUMP_REMOVED = "graph-removed.nq"


def keep_delta(
    previous: Generation,
    generation: Generation,
    before: ox.Store,
    after: ox.Store,
    touched: Iterable[ox.Quad],
) -> bool:
    """Keep what the named graphs of ``generation`` (store ``after``) differ by from the
    dump its chain started from; whether a delta was kept.

    ``touched`` are the quads of the named graphs the fast path added or removed, in any
    order and with repeats: which of them the build added and which it removed is read
    from ``before`` (the previous generation's store) and ``after``, so a quad added and
    removed again is neither. The previous generation's own dump is the base when it has
    one; else its base, with its delta folded into this one.
    """
    added, removed = set(), set()
    for quad in dict.fromkeys(touched):
        if isinstance(quad.graph_name, ox.DefaultGraph):
            continue
        if _has_blank(quad):
            return False
        now, then = quad in after, quad in before
        if now and not then:
            added.add(quad)
        elif then and not now:
            removed.add(quad)
    added, removed = _as_stored(added), _as_stored(removed)
    if previous.trig_path.is_file():
        base = previous.trig_path
    else:
        base = previous.path / DUMP_BASE
        if not base.is_file():
            return False
        earlier_added = _read(previous.path / DUMP_ADDED)
        earlier_removed = _read(previous.path / DUMP_REMOVED)
        if earlier_added is None or earlier_removed is None:
            return False
        # A quad this build re-adds that the chain had removed is in the base again, and a
        # quad it removes that the chain had added never was.
        added, removed = (
            (earlier_added - removed) | (added - earlier_removed),
            (earlier_removed - added) | (removed - earlier_added),
        )
    if not in_blocks(base):
        return False
    try:
        os.link(base, generation.path / DUMP_BASE)
    except OSError:  # a file system without hard links: copying gigabytes is not worth it
        return False
    _write(generation.path / DUMP_ADDED, added)
    _write(generation.path / DUMP_REMOVED, removed)
    return True


def compose_dump(generation: Generation, out: Path, expected: int) -> bool:
    """Write to ``out`` the dump of ``generation`` in graph blocks from its base and delta;
    whether it holds the ``expected`` quads (the count its build made) and every removed
    quad was found. ``False`` also when the generation keeps no delta; ``out`` is then
    left unspecified for the caller to remove or overwrite."""
    base = generation.path / DUMP_BASE
    added_quads = _read(generation.path / DUMP_ADDED)
    removed_quads = _read(generation.path / DUMP_REMOVED)
    if added_quads is None or removed_quads is None or not in_blocks(base):
        return False
    added: dict[bytes, list[bytes]] = defaultdict(list)
    for quad in sorted(added_quads, key=str):
        added[str(quad.graph_name).encode()].append(_line(quad))
    removed: dict[bytes, set[bytes]] = defaultdict(set)
    for quad in removed_quads:
        removed[str(quad.graph_name).encode()].add(_line(quad).rstrip(b"\n"))
    waiting = sorted(added)  # graphs with added lines whose block is not written yet
    written = found = 0
    with base.open("rb") as text, out.open("wb", buffering=0) as sink:

        def block(name: bytes, body: bytes = b"") -> None:
            nonlocal written
            lines = added.pop(name, [])
            write_all(sink, body + b"".join(lines) + b"}\n")
            written += len(lines)

        def blocks_before(name: bytes | None) -> None:
            while waiting and (name is None or waiting[0] <= name):
                new = waiting.pop(0)
                if new != name:
                    block(new, new + b" {\n")

        write_all(sink, GRAPH_BLOCKS_HEADER)
        current: bytes | None = None
        for name, at, lines in block_runs(base):
            if name != current:
                if current is not None:
                    block(current)
                blocks_before(name)
                write_all(sink, name + b" {\n")
                current = name
            count = lines.count(b"\n")
            gone = removed.get(name)
            if not gone:
                copy_range(text, sink, at, len(lines))
                written += count
                continue
            kept = [line for line in lines.split(b"\n")[:-1] if line not in gone]
            write_all(sink, b"".join(line + b"\n" for line in kept))
            written += len(kept)
            found += count - len(kept)
        if current is not None:
            block(current)
        blocks_before(None)
    return found == len(removed_quads) and written == expected


def _has_blank(quad: ox.Quad) -> bool:
    terms = (quad.subject, quad.object, quad.graph_name)
    return any(isinstance(t, (ox.BlankNode, ox.Triple)) for t in terms)


def _as_stored(quads: set[ox.Quad]) -> set[ox.Quad]:
    """``quads`` with each literal in the form the engine writes it: it stores the value of
    a literal of a known datatype, not its text ("...T10:00:00+00:00" and "...T10:00:00Z"
    are one ``xsd:dateTime``, written back as the latter)."""
    store = ox.Store()
    store.extend(quads)
    return set(store)


def _line(quad: ox.Quad) -> bytes:
    """The quad's triple as the engine writes it in a graph block."""
    return ox.serialize([quad.triple], format=ox.RdfFormat.N_TRIPLES) or b""


def _read(path: Path) -> set[ox.Quad] | None:
    try:
        return set(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
    except (OSError, SyntaxError, ValueError):
        return None


def _write(path: Path, quads: set[ox.Quad]) -> None:
    ox.serialize(sorted(quads, key=str), str(path), format=ox.RdfFormat.N_QUADS)
