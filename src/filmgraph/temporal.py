"""Dates as sources give them: exact, partial ("1936-08") or uncertain ("1934~", "193X").

Values are kept as EDTF (the Library of Congress Extended Date/Time Format) text, the
form a scholar wrote, and widened into the earliest and latest ``xsd:date`` they allow,
so SPARQL can compare them. The common forms (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, also
marked uncertain or approximate as a whole: ``1934~``) are read by a fast path; everything
else (and every form the fast path cannot settle, such as a day that does not exist) goes to
the ``edtf`` library's grammar, which is about a thousand times slower. Both give the same
values and the same errors (``tests/test_temporal_fast.py``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from edtf import parse_edtf, struct_time_to_date
from rdflib import Literal
from rdflib.namespace import XSD

from filmgraph.namespaces import FG

__all__ = [
    "EdtfValue",
    "parse_date",
    "parse_date_grammar",
    "parse_year",
    "release_year",
    "xsd_date",
    "year_literal",
]

_COMMON = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?([?~%]?)")
#: A span of years as tables write it: "1961-1964", "1961/1964", with an en or em dash too.
_YEAR_RANGE = re.compile(r"([0-9]{4})\s*[-\u2013\u2014/]\s*([0-9]{4})([?~%]?)")
#: "c. 1934", "ca 1934", "circa 1934": approximate, EDTF "1934~".
_CIRCA = re.compile(r"(?:c|ca|circa)\.?\s*([0-9]{4})", re.IGNORECASE)
_YEAR = re.compile(r"([0-9]{4})([?~%]?)")


@dataclass(frozen=True)
class EdtfValue:
    """A parsed EDTF value: its text and the widest span of days it may mean."""

    text: str
    earliest: dt.date
    latest: dt.date
    #: True when the source marked the value uncertain or approximate (``?``, ``~``, ``%``).
    uncertain: bool

    @property
    def literal(self) -> Literal:
        """The value as written, typed ``fg:EDTF``."""
        return Literal(self.text, datatype=FG.EDTF)

    @property
    def xsd(self) -> Literal:
        """The value as the finest XSD type that holds it: date, gYearMonth or gYear.

        A value that is uncertain, or spans more than one year, keeps only its earliest
        year: XSD has no way to say "about" (the EDTF text keeps it where the property allows).
        """
        first, last = self.earliest, self.latest
        if not self.uncertain and first == last:
            return Literal(first.isoformat(), datatype=XSD.date)
        if not self.uncertain and (first.year, first.month) == (last.year, last.month):
            return Literal(f"{first.year:04d}-{first.month:02d}", datatype=XSD.gYearMonth)
        return Literal(f"{first.year:04d}", datatype=XSD.gYear)

    @property
    def precise(self) -> bool:
        """True when the value names one exact day."""
        return self.earliest == self.latest and not self.uncertain


def parse_date(text: str) -> EdtfValue:
    """Parse an EDTF date or interval; :class:`ValueError` says why a text is not one.

    >>> v = parse_date("1936-08")
    >>> v.earliest, v.latest
    (datetime.date(1936, 8, 1), datetime.date(1936, 8, 31))
    >>> parse_date("1934~").uncertain
    True
    """
    text = text.strip()
    return _parse_common(text) or parse_date_grammar(text)


def parse_year(text: str) -> EdtfValue:
    """Parse a year cell into EDTF; :class:`ValueError` says why a text is not a year.

    The one year parser of every loader: a year (``1942``), a year marked uncertain or
    approximate (``1934?``, ``1934~``, ``c. 1934``) or a span of years (``1961-1964``,
    ``1961/1964``). Anything else is refused whole, never cut down to its first four digits.

    >>> parse_year("1961-1964").text, parse_year("c. 1934").text, parse_year("1934?").text
    ('1961/1964', '1934~', '1934?')
    >>> parse_year("19428")
    Traceback (most recent call last):
    ...
    ValueError: '19428' is not a year (e.g. 1942, 1934?, c. 1934, 1961-1964)
    """
    stripped = text.strip()
    edtf: str | None = None
    if match := _YEAR.fullmatch(stripped):
        edtf = stripped
    elif match := _CIRCA.fullmatch(stripped):
        edtf = f"{match.group(1)}~"
    elif match := _YEAR_RANGE.fullmatch(stripped):
        first, last, mark = match.groups()
        if int(last) < int(first):
            raise ValueError(f"{text!r} is a span of years that ends before it starts")
        edtf = f"{first}{mark}/{last}{mark}" if first != last else f"{first}{mark}"
    if edtf is None:
        raise ValueError(f"{text!r} is not a year (e.g. 1942, 1934?, c. 1934, 1961-1964)")
    value = parse_date(edtf)
    if value.earliest.year < 1000:
        raise ValueError(f"{text!r} is not a year of film history")
    return value


def year_literal(value: EdtfValue) -> Literal:
    """The ``xsd:gYear`` of a parsed year: its earliest (the EDTF text keeps the rest)."""
    return Literal(f"{value.earliest.year:04d}", datatype=XSD.gYear)


def _parse_common(text: str) -> EdtfValue | None:
    """A year, year-month or full date in the common form, perhaps marked ``?``, ``~`` or
    ``%`` as a whole; ``None`` for anything else."""
    match = _COMMON.fullmatch(text)
    if match is None:
        return None
    year_text, month_text, day_text, mark = match.groups()
    uncertain = bool(mark)
    year = int(year_text)
    if year < 1:
        return None  # the grammar says why (Python dates start at year 1)
    try:
        if month_text is None:
            return EdtfValue(text, dt.date(year, 1, 1), dt.date(year, 12, 31), uncertain)
        month = int(month_text)
        if day_text is None:
            last = calendar.monthrange(year, month)[1]
            return EdtfValue(text, dt.date(year, month, 1), dt.date(year, month, last), uncertain)
        day = dt.date(year, month, int(day_text))
    except (ValueError, calendar.IllegalMonthError):
        return None  # an impossible month or day: the grammar gives its error
    return EdtfValue(text, day, day, uncertain)


@lru_cache(maxsize=4096)
def parse_date_grammar(text: str) -> EdtfValue:
    """Parse ``text`` (already stripped) with the full EDTF grammar of the ``edtf`` library."""
    try:
        value = parse_edtf(text)
        earliest = struct_time_to_date(value.lower_strict())
        latest = struct_time_to_date(value.upper_strict())
    except Exception as exc:  # edtf raises its own parse errors and ValueError alike
        raise ValueError(
            f"{text!r} is not an EDTF date (e.g. 1925, 1936-08, 1934~): {exc}"
        ) from exc
    uncertain = any(mark in text for mark in "?~%")
    return EdtfValue(text, earliest, latest, uncertain)


def xsd_date(day: dt.date) -> Literal:
    """An ``xsd:date`` literal."""
    return Literal(day.isoformat(), datatype=XSD.date)


def release_year(dates: Iterable[object]) -> Literal | None:
    """The ``xsd:gYear`` of the earliest of a film's release dates, or None without one.

    A film's year is the year of its first release: a loader that reads several release
    dates and no year gives the film one year, never one per date.
    """
    years = sorted(str(d)[:4] for d in dates if isinstance(d, Literal) and d.datatype == XSD.date)
    return Literal(years[0], datatype=XSD.gYear) if years else None
