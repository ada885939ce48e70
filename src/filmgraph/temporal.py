"""Dates as sources give them: exact, partial ("1936-08") or uncertain ("1934~", "193X").

Values are kept as EDTF (the Library of Congress Extended Date/Time Format) text, the
form a scholar wrote, and widened into the earliest and latest ``xsd:date`` they allow,
so SPARQL can compare them. Parsing is left to the ``edtf`` library.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from edtf import parse_edtf, struct_time_to_date
from rdflib import Literal
from rdflib.namespace import XSD

from filmgraph.namespaces import FG

__all__ = ["EdtfValue", "parse_date", "release_year", "xsd_date"]


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
    years = sorted(str(d)[:4] for d in dates
                   if isinstance(d, Literal) and d.datatype == XSD.date)
    return Literal(years[0], datatype=XSD.gYear) if years else None
