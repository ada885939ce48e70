"""Tables for people: aligned by width on screen, plain text off a terminal."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Literal
from rich.cells import cell_len

from filmgraph.cli.display import console, print_rows, print_select, progress_for
from filmgraph.progress import Progress
from filmgraph.store.base import SelectResult

ANSI = re.compile(r"\x1b\[")


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def column_starts(line: str, cells: list[str]) -> list[int]:
    """Where each cell begins on screen, in terminal columns."""
    starts, position = [], 0
    for cell in cells:
        index = line.index(cell, position)
        starts.append(cell_len(line[:index]))
        position = index + len(cell)
    return starts


def test_a_cjk_title_keeps_the_columns_aligned() -> None:
    out = io.StringIO()
    rows = [["Гроза", "1934"], ["七人の侍", "1954"], ["The Miners", "1937"]]
    print_rows(("title", "year"), rows, stream=out)
    lines = out.getvalue().splitlines()
    body = lines[2:]
    starts = {tuple(column_starts(line, row)) for line, row in zip(body, rows, strict=True)}
    assert len(starts) == 1, lines
    assert column_starts(lines[0], ["title", "year"]) == list(next(iter(starts)))


@given(
    st.lists(
        st.text(alphabet="七人の侍東京物語abcXYZ ", min_size=1, max_size=12)
        .map(str.strip)
        .filter(bool),
        min_size=1,
        max_size=6,
    )
)
def test_any_mix_of_wide_and_narrow_titles_aligns_the_next_column(titles: list[str]) -> None:
    out = io.StringIO()
    rows = [[title, str(n)] for n, title in enumerate(titles)]
    print_rows(("title", "n"), rows, stream=out)
    body = out.getvalue().splitlines()[2:]
    second = {column_starts(line, row)[1] for line, row in zip(body, rows, strict=True)}
    assert len(second) == 1


def test_no_escape_codes_when_the_output_is_not_a_terminal() -> None:
    out = io.StringIO()
    result = SelectResult(["film"], [(Literal("Battleship Potemkin"),)])
    print_select(result, stream=out)
    assert not ANSI.search(out.getvalue())
    assert out.getvalue().splitlines()[-1] == "(1 row)"


def test_a_terminal_gets_styles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    out = Terminal()
    print_rows(("title",), [["Strike"]], stream=out)
    assert ANSI.search(out.getvalue())


def test_no_color_turns_colour_off_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert console(Terminal()).no_color


def test_long_rows_are_not_wrapped_off_a_terminal() -> None:
    out = io.StringIO()
    print_rows(("a", "b", "c"), [["x" * 55, "y" * 55, "z" * 55]], stream=out)
    assert len(out.getvalue().splitlines()) == 3


def test_progress_off_a_terminal_is_plain_lines() -> None:
    out = io.StringIO()
    progress = progress_for(out)
    assert type(progress) is Progress
    with progress.step("reading") as detail:
        detail("3 tables")
    assert "reading done in" in out.getvalue() and "3 tables" in out.getvalue()


def test_progress_on_a_terminal_ends_each_step_with_its_time() -> None:
    out = Terminal()
    progress = progress_for(out)
    assert type(progress) is not Progress
    progress.note("Building")
    with progress.step("reading") as detail:
        detail("3 tables")
    text = ANSI.sub("", out.getvalue())
    assert "Building" in text and "reading done in" in text and "3 tables" in text
