"""Reading CSV tables row by row, so every error can name its file, line and column."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from filmgraph.errors import SourceError
from filmgraph.iri import is_slug, slug
from filmgraph.temporal import EdtfValue, parse_year

__all__ = ["Row", "read_rows"]

_QID = re.compile(r"^Q[1-9][0-9]*$")


@dataclass(frozen=True)
class Row:
    """One data row: its cells by column name and the line it starts on."""

    path: Path
    line: int
    cells: dict[str, str]

    def error(self, field: str | None, reason: str) -> SourceError:
        """A :class:`SourceError` pointing at this row and ``field``."""
        return SourceError(self.path, reason, line=self.line, field=field)

    def get(self, field: str) -> str:
        """The cell, stripped; empty when the cell is empty (an unknown value)."""
        return self.cells.get(field, "").strip()

    def required(self, field: str) -> str:
        """The cell, which must not be empty."""
        value = self.get(field)
        if not value:
            raise self.error(field, "is empty but required")
        return value

    def values(self, field: str) -> list[str]:
        """The ``|``-separated values of a cell, in order, empty ones dropped."""
        return [v.strip() for v in self.get(field).split("|") if v.strip()]

    def slug(self, field: str) -> str:
        """A required id cell, which must be a slug."""
        value = self.required(field)
        if not is_slug(value):
            raise self.error(field, f"{value!r} is not an id (lowercase letters, digits, hyphens)")
        return value

    def edtf_year(self, field: str, *, required: bool = True) -> EdtfValue | None:
        """A year as :func:`filmgraph.temporal.parse_year` reads it (``1942``, ``1934?``,
        ``1961-1964`` …), as EDTF; a malformed year is an error naming this row and field."""
        value = self.required(field) if required else self.get(field)
        if not value:
            return None
        try:
            return parse_year(value)
        except ValueError as exc:
            raise self.error(field, str(exc)) from None

    def year(self, field: str, *, required: bool = True) -> int | None:
        """The (earliest) year of :meth:`edtf_year`, or ``None`` when the cell is empty."""
        value = self.edtf_year(field, required=required)
        return None if value is None else value.earliest.year

    def slug_of(self, field: str, text: str) -> str:
        """The slug of a name in ``field``: an error naming this row when nothing is left
        of the name (``"---"``), so lenient mode can skip the row."""
        try:
            return slug(text)
        except ValueError:
            raise self.error(
                field, f"{text!r} gives an empty identifier (no letter or digit in it)"
            ) from None

    def choice(self, field: str, allowed: Sequence[str], *, required: bool = True) -> str:
        """A cell whose value must be one of ``allowed``."""
        value = self.required(field) if required else self.get(field)
        if value and value not in allowed:
            raise self.error(field, f"{value!r} is not one of: {', '.join(allowed)}")
        return value

    def qid(self, field: str = "wikidata") -> str | None:
        """A Wikidata item id (``Q42``), or ``None`` when the cell is empty."""
        value = self.get(field)
        if value and not _QID.match(value):
            raise self.error(field, f"{value!r} is not a Wikidata item id (Q followed by digits)")
        return value or None


def read_rows(path: Path, columns: Sequence[str], *, required: Sequence[str] = ()) -> Iterator[Row]:
    """Yield the rows of a UTF-8 CSV file whose header must hold ``required`` columns.

    Unknown columns are an error too: a misspelt header would otherwise drop a whole column
    silently. Line numbers count the header as line 1, as an editor shows them.
    """
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise SourceError(path, f"cannot be read: {exc.strerror}") from exc
    with handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise SourceError(path, "is empty: a header row is expected", line=1) from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise SourceError(path, f"is not UTF-8 CSV: {exc}", line=1) from exc
        for name in header:
            if name not in columns:
                raise SourceError(
                    path, f"is not a known column (known: {', '.join(columns)})", line=1, field=name
                )
        for name in required:
            if name not in header:
                raise SourceError(path, "is missing from the header", line=1, field=name)
        line = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                raise SourceError(path, f"is not valid CSV: {exc}", line=line) from exc
            if any(c.strip() for c in cells):
                if len(cells) > len(header):
                    raise SourceError(
                        path, f"has {len(cells)} cells but the header has {len(header)}", line=line
                    )
                yield Row(path, line, dict(zip(header, cells, strict=False)))
            line = reader.line_num + 1
