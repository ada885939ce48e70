"""Terminal output for people, drawn with rich: tables, progress, colour only on a terminal.

Tables measure cells by their width on screen, not by their number of characters, so a
title in Chinese or Japanese (two columns a character) keeps the columns aligned. Colour and
styles are used only when the output is a terminal and ``NO_COLOR`` is not set; piped or
redirected output is plain text with no escape codes, and is never wrapped to a terminal's
width. The machine formats (``--format json|csv``) do not come through here
(:mod:`filmgraph.results`).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from filmgraph.progress import Progress
from filmgraph.results import shorten
from filmgraph.store.base import SelectResult

__all__ = ["MAX_CELL", "RichProgress", "console", "print_rows", "print_select", "progress_for"]

#: Cells wider than this (in terminal columns) are cut with an ellipsis.
MAX_CELL = 60
#: Width given to output that is not a terminal: wide enough never to wrap a table.
_UNBOUNDED = 10_000


def console(stream: TextIO | None = None) -> Console:
    """A console writing to ``stream`` (default stdout): styled on a terminal only.

    Off a terminal there are no escape codes and no wrapping; ``NO_COLOR`` (any value)
    turns colour off on a terminal too.
    """
    stream = stream if stream is not None else sys.stdout
    terminal = stream.isatty()
    return Console(
        file=stream,
        force_terminal=terminal,
        no_color=bool(os.environ.get("NO_COLOR")) or not terminal,
        color_system="auto" if terminal else None,
        width=None if terminal else _UNBOUNDED,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=not terminal,
    )


def _table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[str] = ()
) -> Table:
    table = Table(
        box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold", expand=False
    )
    for name in columns:
        table.add_column(
            name,
            justify="right" if name in right else "left",
            max_width=MAX_CELL,
            no_wrap=True,
            overflow="ellipsis",
        )
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    return table


def _print(out: Console, renderable: Table | str) -> None:
    if out.is_terminal:
        out.print(renderable)
        return
    # Off a terminal: plain lines without the padding that trails the last column.
    with out.capture() as captured:
        out.print(renderable)
    out.file.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


def print_rows(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: Sequence[str] = (),
    stream: TextIO | None = None,
) -> None:
    """Print rows of text as an aligned table (``right``: the columns aligned right)."""
    _print(console(stream), _table(columns, rows, right))


def print_select(result: SelectResult, stream: TextIO | None = None) -> None:
    """Print a SELECT result as an aligned table followed by its row count."""
    cells = [[shorten(term) for term in row] for row in result.rows]
    out = console(stream)
    _print(out, _table(list(result.variables), cells))
    _print(out, f"({len(cells)} row{'s' if len(cells) != 1 else ''})")


class RichProgress(Progress):
    """Progress drawn by rich on a terminal: a spinner while a step runs, then its time."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self._console = console(self.stream)

    def note(self, message: str) -> None:
        self._console.print(message)

    @contextmanager
    def step(self, label: str) -> Iterator[Callable[[str], None]]:
        detail: list[str] = []
        start = time.perf_counter()
        with self._console.status(f"{label} ...", spinner="dots"):
            yield detail.append
        elapsed = time.perf_counter() - start
        suffix = f": {detail[-1]}" if detail else ""
        self._console.print(f"  {label} done in {elapsed:.1f} s{suffix}")


def progress_for(stream: TextIO | None = None) -> Progress:
    """Progress for long work on ``stream`` (default stderr): rich on a terminal, lines off it."""
    stream = stream if stream is not None else sys.stderr
    return RichProgress(stream) if stream.isatty() else Progress(stream)
