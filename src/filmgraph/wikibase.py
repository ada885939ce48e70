"""Wikidata values, typed by their property's datatype, both ways.

Wikidata-shaped rows (QuickStatements v1 syntax, the value cell of ``QID  PID  value``) write
a value as its property's datatype asks: an item as ``Q42``; a time with its precision
(``+1941-06-22T00:00:00Z/11`` for a day, ``+1941-00-00T00:00:00Z/9`` for a year, 10 for a
month, 8 a decade, 7 a century); a quantity with its unit (``95U7727``, 95 minutes);
monolingual text with its language (``ru:"Чапаев"``); a string in quotes.

:func:`time_of` reads our literals (``xsd:gYear``, ``xsd:gYearMonth``, ``xsd:date``,
``fg:EDTF``) as a time with the precision they have, never finer; :meth:`TimeValue.literal`
writes a time back as the literal a property's range can hold at that precision, so a
year-precision end time stays a year. An approximate (``1934~``) or uncertain (``1934?``)
EDTF value is written with the Wikidata qualifier for it (``P1480`` sourcing
circumstances: circa, presumably) and read back from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from filmgraph.namespaces import FG

__all__ = [
    "CIRCA",
    "PRESUMABLY",
    "SOURCING_CIRCUMSTANCES",
    "BadValue",
    "Quantity",
    "Text",
    "TimeValue",
    "parse_quantity",
    "parse_text",
    "parse_time",
    "time_of",
]

#: P1480 (sourcing circumstances), the qualifier Wikidata uses for doubtful dates
SOURCING_CIRCUMSTANCES = "P1480"
#: circa: EDTF ``~`` (approximate)
CIRCA = "Q5727902"
#: presumably: EDTF ``?`` (uncertain)
PRESUMABLY = "Q18122778"
_MARKS = {"~": CIRCA, "?": PRESUMABLY}

PRECISION_NAMES = {7: "century", 8: "decade", 9: "year", 10: "month", 11: "day"}
_TIME = re.compile(
    r"^(?P<sign>[+-]?)(?P<y>[0-9]{1,16})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})"
    r"T00:00:00Z(?:/(?P<p>[0-9]{1,2}))?$"
)
_EDTF = re.compile(r"^(?P<y>-?[0-9]{4})(?:-(?P<m>[0-9]{2})(?:-(?P<d>[0-9]{2}))?)?(?P<q>[?~%])?$")
_EDTF_UNSPECIFIED = re.compile(r"^(?P<y>[0-9]{2,3})(?P<x>X{1,2})(?P<q>[?~%])?$")
_QUANTITY = re.compile(r"^(?P<amount>[+-]?[0-9]+(?:\.[0-9]+)?)(?:U(?P<unit>[1-9][0-9]*))?$")
_MONOLINGUAL = re.compile(r'^(?P<lang>[a-z]{2,3}(?:-[a-zA-Z0-9]+)*):"(?P<text>.*)"$', re.DOTALL)


class BadValue(ValueError):
    """A value that is not of its property's datatype; the message says which and why."""


@dataclass(frozen=True)
class TimeValue:
    """A Wikidata time: a date and how much of it is known."""

    year: int
    month: int
    day: int
    #: 7 century, 8 decade, 9 year, 10 month, 11 day
    precision: int
    #: EDTF's qualifier: ``~`` approximate, ``?`` uncertain, ``%`` both, ``""`` neither
    qualifier: str = ""

    def quickstatements(self) -> str:
        """``+1941-06-22T00:00:00Z/11``: the parts finer than the precision are zero (a
        decade or century is written as its first year, as EDTF's ``193X`` and ``19XX``)."""
        month = self.month if self.precision >= 10 else 0
        day = self.day if self.precision >= 11 else 0
        sign = "-" if self.year < 0 else "+"
        year = abs(self.year)
        year -= year % {7: 100, 8: 10}.get(self.precision, 1)
        return f"{sign}{year:04d}-{month:02d}-{day:02d}T00:00:00Z/{self.precision}"

    def qualifiers(self) -> list[tuple[str, str]]:
        """The P1480 qualifiers that say the date is approximate or uncertain."""
        return [
            (SOURCING_CIRCUMSTANCES, _MARKS[mark])
            for mark in "~?"
            if mark in self.qualifier or self.qualifier == "%"
        ]

    def edtf(self) -> str:
        """The time as EDTF text (``1941``, ``1941-06-22``, ``193X``, ``1934~``)."""
        sign = "-" if self.year < 0 else ""
        year = f"{abs(self.year):04d}"
        if self.precision == 7:
            text = year[:2] + "XX"
        elif self.precision == 8:
            text = year[:3] + "X"
        elif self.precision == 9:
            text = year
        elif self.precision == 10:
            text = f"{year}-{self.month:02d}"
        else:
            text = f"{year}-{self.month:02d}-{self.day:02d}"
        return sign + text + self.qualifier

    def literal(self, datatype: URIRef | None) -> Literal | None:
        """The time as a literal of ``datatype`` at its own precision, or None if it cannot be.

        ``fg:EDTF`` holds any precision and the qualifiers; ``xsd:date`` only a day,
        ``xsd:gYearMonth`` a month, ``xsd:gYear`` a year, each without a qualifier.
        """
        if datatype == FG.EDTF:
            return Literal(self.edtf(), datatype=FG.EDTF)
        if self.qualifier or self.year < 1:
            return None
        exact = {11: XSD.date, 10: XSD.gYearMonth, 9: XSD.gYear}.get(self.precision)
        if exact is None or datatype not in (exact, None):
            return None
        text = self.edtf()
        return Literal(text, datatype=exact)


def time_of(value: Identifier) -> TimeValue | None:
    """The time an ``xsd:date``/``gYearMonth``/``gYear`` or ``fg:EDTF`` literal states.

    None for anything else, and for EDTF Wikidata cannot express (seasons, intervals).

    >>> from rdflib import Literal
    >>> from rdflib.namespace import XSD
    >>> time_of(Literal("1937", datatype=XSD.gYear)).quickstatements()
    '+1937-00-00T00:00:00Z/9'
    """
    if not isinstance(value, Literal):
        return None
    text = str(value)
    if value.datatype in (XSD.date, XSD.gYearMonth, XSD.gYear, FG.EDTF):
        match = _EDTF.match(text)
        if match and (value.datatype == FG.EDTF or not match.group("q")):
            year, month, day = match.group("y", "m", "d")
            precision = 11 if day else 10 if month else 9
            return TimeValue(
                int(year), int(month or 0), int(day or 0), precision, match.group("q") or ""
            )
        unspecified = _EDTF_UNSPECIFIED.match(text)
        if (
            unspecified
            and value.datatype == FG.EDTF
            and len(unspecified.group("y")) + len(unspecified.group("x")) == 4
        ):
            digits = unspecified.group("y")
            return TimeValue(
                int(digits.ljust(4, "0")), 0, 0, 5 + len(digits), unspecified.group("q") or ""
            )
    return None


def parse_time(text: str, qualifiers: list[tuple[str, str]] | None = None) -> TimeValue:
    """A time cell: ``+1941-06-22T00:00:00Z/11``; without ``/precision`` the zeros say it.

    ``qualifiers`` (property, value) pairs of the row may mark it approximate or uncertain.
    """
    match = _TIME.match(text.strip())
    if not match:
        raise BadValue(
            f"{text!r} is not a Wikidata time (e.g. +1941-06-22T00:00:00Z/11 "
            "or +1941-00-00T00:00:00Z/9)"
        )
    year = int(match.group("y")) * (-1 if match.group("sign") == "-" else 1)
    month, day = int(match.group("m")), int(match.group("d"))
    if match.group("p") is not None:
        precision = int(match.group("p"))
    else:
        precision = 9 if month == 0 else 10 if day == 0 else 11
    if precision not in PRECISION_NAMES:
        raise BadValue(f"{text!r} has precision {precision}; only 7 (century) to 11 (day) are read")
    if (precision >= 10 and not 1 <= month <= 12) or (precision == 11 and not 1 <= day <= 31):
        raise BadValue(
            f"{text!r} is known to the {PRECISION_NAMES[precision]} but its month or day is zero"
        )
    marks = {value for prop, value in qualifiers or [] if prop == SOURCING_CIRCUMSTANCES}
    qualifier = (
        "%"
        if {CIRCA, PRESUMABLY} <= marks
        else "~"
        if CIRCA in marks
        else "?"
        if PRESUMABLY in marks
        else ""
    )
    return TimeValue(year, month, day, precision, qualifier)


@dataclass(frozen=True)
class Quantity:
    """An amount, with the Wikidata item of its unit when it has one."""

    amount: Decimal
    unit: str | None

    def quickstatements(self) -> str:
        """``95U7727``; a plain amount for a quantity without a unit."""
        return f"{self.amount}" + (f"U{self.unit}" if self.unit else "")


def parse_quantity(text: str) -> Quantity:
    """A quantity cell: ``95``, ``+95`` or ``95U7727`` (95 of the unit item Q7727)."""
    match = _QUANTITY.match(text.strip())
    if not match:
        raise BadValue(f"{text!r} is not a Wikidata quantity (e.g. 95 or 95U7727)")
    try:
        amount = Decimal(match.group("amount"))
    except InvalidOperation as exc:  # unreachable for the pattern above; kept explicit
        raise BadValue(f"{text!r} is not a number") from exc
    unit = match.group("unit")
    return Quantity(amount, f"Q{unit}" if unit else None)


@dataclass(frozen=True)
class Text:
    """A string, or monolingual text with its language."""

    text: str
    language: str | None = None

    def quickstatements(self) -> str:
        """``ru:"…"`` for monolingual text, ``"…"`` for a string (inner quotes become ')."""
        quoted = '"' + self.text.replace('"', "'") + '"'
        return f"{self.language}:{quoted}" if self.language else quoted


def parse_text(text: str, monolingual: bool) -> Text:
    """A text cell: ``ru:"…"`` for monolingual text; a string quoted or bare."""
    cell = text.strip()
    match = _MONOLINGUAL.match(cell)
    if match:
        return Text(match.group("text"), match.group("lang"))
    if monolingual:
        raise BadValue(
            f'{text!r} has no language; monolingual text is written lang:"text" (e.g. ru:"Чапаев")'
        )
    if len(cell) >= 2 and cell[0] == cell[-1] == '"':
        cell = cell[1:-1]
    return Text(cell)
