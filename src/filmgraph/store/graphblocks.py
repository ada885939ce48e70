"""A dump in graph blocks: written by the engine, read and copied as text.

A build writes ``graph.trig`` with :func:`write_graph_blocks`: after its header
(:data:`GRAPH_BLOCKS_HEADER`), one block a named graph, opened by the graph's name and
``{``, closed by ``}``, every line between a triple as the engine writes it. The file is
TriG for any other tool; readers that take it as text (the on-disk store's load file,
:func:`filmgraph.store.oxigraph.dump_for_loading`; whole-graph exports,
:mod:`filmgraph.export.kept`; the dump of a fast-path generation, :mod:`filmgraph.dumpdelta`)
find the blocks with :func:`block_runs` and move bytes with :func:`copy_range` and
:func:`write_all`, never parsing a line.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, BinaryIO, cast

import pyoxigraph as ox

__all__ = [
    "GRAPH_BLOCKS_HEADER",
    "RUN",
    "as_nquads",
    "block_runs",
    "copy_range",
    "in_blocks",
    "line_blocks",
    "write_all",
    "write_graph_blocks",
]

#: Bytes of a dump read at a time.
RUN = 16 * 1024 * 1024
_NEWLINE = ord("\n")


#: The first line of a ``graph.trig`` written by :func:`write_graph_blocks`. A reader that
#: finds it may take the file as text: one block a named graph, opened by the graph's name
#: and `` {`` on a line, closed by ``}`` on a line, holding the engine's N-Triples lines.
GRAPH_BLOCKS_HEADER = b"# filmgraph graph blocks: one block a named graph, N-Triples lines\n"


def write_graph_blocks(
    engine: ox.Store, trig: Path
) -> list[tuple[ox.NamedNode | ox.BlankNode, int, int, bool]]:
    """Write every named graph of ``engine`` to ``trig`` as TriG whose graph blocks hold the
    engine's own N-Triples lines (:data:`GRAPH_BLOCKS_HEADER`); graphs in IRI order.

    Every line is one triple, so readers may copy, filter or dedupe the file as text
    (:mod:`filmgraph.export.kept`) instead of parsing it. Returns, per graph, where its
    lines start and end in the file and whether they may hold a blank node label.
    """
    blocks = []
    with trig.open("wb") as out:
        out.write(GRAPH_BLOCKS_HEADER)
        for graph in sorted(engine.named_graphs(), key=str):
            out.write(f"{graph} {{\n".encode())
            start = out.tell()
            body = _BlankWatch(out)
            # pyoxigraph calls only write() and flush() on the object it is given.
            engine.dump(cast(IO[bytes], body), format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
            blocks.append((graph, start, out.tell(), body.blank))
            out.write(b"}\n")
    return blocks


class _BlankWatch:
    """A binary sink passing what the engine writes on to ``out``, noting whether ``_:``
    (a blank node label, or the same two characters in a literal or an IRI) went through."""

    def __init__(self, out: io.BufferedWriter) -> None:
        self._out = out
        self._last = b""
        self.blank = False

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        if not self.blank and (b"_:" in chunk or (self._last == b"_" and chunk[:1] == b":")):
            self.blank = True
        self._last = chunk[-1:]
        return self._out.write(chunk)

    def flush(self) -> None:
        self._out.flush()


def line_blocks(text: IO[bytes], size: int | None, block: int) -> Iterator[bytes]:
    """The next ``size`` bytes of ``text`` (``None``: up to its end) in blocks of about
    ``block`` bytes, each cut after a line's end; a last line without its end comes last,
    alone."""
    rest = b""
    while size is None or size > 0:
        data = text.read(block if size is None else min(block, size))
        if not data:
            break
        if size is not None:
            size -= len(data)
        data = rest + data
        cut = data.rfind(b"\n") + 1
        if cut:
            yield data[:cut]
        rest = data[cut:]
    if rest:
        yield rest


def in_blocks(path: Path) -> bool:
    """Whether ``path`` is a dump in graph blocks (it opens with their header)."""
    try:
        with path.open("rb") as text:
            return text.readline() == GRAPH_BLOCKS_HEADER
    except OSError:
        return False


def block_runs(path: Path, run: int | None = None) -> Iterator[tuple[bytes, int, bytes]]:
    """(graph name as written, offset in the file, lines) for runs of whole lines of the dump
    in graph blocks at ``path``, in file order, about ``run`` bytes each (:data:`RUN` by
    default); a block longer than a run comes in several, one after the other, under the
    same name.

    A file cut inside a line ends the runs before that line: the reader's count then falls
    short of the store's, which is how readers find such a file.
    """
    name: bytes | None = None
    with path.open("rb") as text:
        text.readline()  # the header
        start = text.tell()
        for data in line_blocks(text, None, run or RUN):
            if not data.endswith(b"\n"):
                break
            at = 0
            while at < len(data):
                if name is None:  # a block opens: "<graph> {"
                    end = data.index(b"\n", at)
                    name = data[at : end - len(b" {")]
                    at = end + 1
                    continue
                close = _closing_line(data, at)
                stop = len(data) if close < 0 else close
                if stop > at:
                    yield name, start + at, data[at:stop]
                if close < 0:
                    break
                name, at = None, close + len(b"}\n")
            start += len(data)


def as_nquads(lines: bytes, name: bytes) -> bytes:
    """Whole lines of the block of the graph ``name`` (as written) as N-Quads lines: each
    line's ``.`` comes after the graph's name."""
    return lines.replace(b" .\n", b" " + name + b" .\n")


def _closing_line(data: bytes, at: int) -> int:
    """Where the first line of ``data`` from ``at`` (a line's start) that is ``}`` begins,
    or -1. Such a line closes a graph block: a triple's line never starts with ``}``, and
    the engine writes a line break inside a literal as an escape, never as the byte."""
    close = data.find(b"}", at)  # one byte: a memchr, where a longer needle scans slower
    while close >= 0 and not (
        (close == at or data[close - 1] == _NEWLINE) and data.startswith(b"\n", close + 1)
    ):
        close = data.find(b"}", close + 1)
    return close


def copy_range(source: BinaryIO, sink: BinaryIO, at: int, size: int) -> None:
    """Append ``size`` bytes of ``source`` from offset ``at`` to ``sink`` (unbuffered): in
    the kernel where it can (a tenth of the CPU of reading and writing them), else through
    memory."""
    try:
        while size > 0:
            done = os.copy_file_range(source.fileno(), sink.fileno(), size, at)
            if not done:
                break
            at, size = at + done, size - done
    except (AttributeError, OSError):  # not Linux, or not between these two files
        pass
    if size > 0:
        source.seek(at)
        write_all(sink, source.read(size))


def write_all(sink: BinaryIO, data: bytes) -> None:
    """Write all of ``data`` to an unbuffered ``sink``, which may take part of it a call."""
    view = memoryview(data)
    while view:
        done = sink.write(view)
        if not done:
            raise OSError(f"nothing could be written to {getattr(sink, 'name', sink)}")
        view = view[done:]
