"""Reading a dump in graph blocks as text, and copying it from file to file.

A build writes ``graph.trig`` with :func:`filmgraph.store.oxigraph.write_graph_blocks`: after
its header, one block a named graph, opened by the graph's name and ``{``, closed by ``}``,
every line between a triple as the engine writes it. Readers that take such a file as text
(whole-graph exports, :mod:`filmgraph.export.kept`; the dump of a fast-path generation,
:mod:`filmgraph.dumpdelta`) find the blocks with :func:`block_runs` and move bytes with
:func:`copy_range` and :func:`write_all`, never parsing a line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from filmgraph.store.oxigraph import GRAPH_BLOCKS_HEADER, line_blocks

__all__ = ["RUN", "block_runs", "copy_range", "in_blocks", "write_all"]

#: Bytes of a dump read at a time.
RUN = 16 * 1024 * 1024
_NEWLINE = ord("\n")


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
