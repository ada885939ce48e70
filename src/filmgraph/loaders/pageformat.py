"""Reading the film-page format into its parts: header, sections, items (no RDF here).

A page is plain text scraped from HTML (see ``/work/shared/design.md``, "Input: the film
page"): an optional ``Also available on:`` line, the title (often twice), a year line
("1937 89 minutes Soviet Union"), an optional tagline in quotes, an optional run of key
themes, then titled sections. The headings and how each section's body is read are data,
in ``filmpage.toml`` beside this module. Every error names the file, the line and the field.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from filmgraph.errors import SourceError
from filmgraph.iri import fold

#: What a title needs for the film to get an IRI (see :func:`filmgraph.iri.slug`).
_NAMEABLE = re.compile(r"[a-z0-9]")

__all__ = [
    "Connection",
    "Line",
    "Page",
    "PageFormat",
    "PageHeader",
    "Section",
    "decode_page",
    "heading_key",
    "page_format",
    "parse_connection",
    "read_page",
    "strip_bullet",
]

_YEAR_LINE = re.compile(
    r"^(?P<circa>(?:c|ca|circa)\.?\s*)?(?P<year>[0-9]{4})(?P<doubt>\?)?(?:\s+(?P<minutes>[0-9]{1,4})\s+min(?:ute)?s?\.?)?(?:\s+(?P<country>\S.*))?$"
)
_QUOTES = "\"'\u201c\u201d\u00ab\u00bb\u201e\u2018\u2019"
#: An item marker: a bullet (bullet, hyphen, asterisk, en or em dash, middle dot) or a number
#: ("1.", "2)").
_BULLET = re.compile(r"^\s*(?:[\u2022\u00b7\u2023\u25e6*\u2013\u2014-]|\(?[0-9]{1,3}[.)])\s+")
#: A line that may be a heading the format does not list: short, capitalised, no sentence
#: punctuation at its end, no year, standing between blank lines.
_HEADING_LIKE = re.compile(
    r"^[A-Z\u00c0-\u024f\u0400-\u04ff][^.!;:,\"\u201d\u00bb()0-9]{1,48}"
    r"[^.!;:,\"\u201d\u00bb\s]$"
)
#: "Title (Year) - aspect". The dash before the aspect has a space or the year's bracket
#: beside it: a dash inside a word belongs to the title ("The Five-Year Plan", "Ben-Hur").
_CONNECTION = re.compile(
    r"^(?P<title>.*?)\s*(?:\((?:c|ca|circa)?\.?\s*(?P<year>[0-9]{4})\??\))?\s*"
    r"(?:(?:(?<=[\s)])[-\u2013\u2014]|[-\u2013\u2014](?=\s))\s*(?P<aspect>.*))?$"
)


@dataclass(frozen=True)
class PageFormat:
    """The headings of the format and how their sections are read (``filmpage.toml``)."""

    sections: dict[str, str]
    #: The headings by :func:`heading_key` (case, spacing and "&"/"and" set aside).
    keys: dict[str, str]
    production: dict[str, str]
    prose: dict[str, tuple[str, ...]]
    unknown: frozenset[str]


@cache
def page_format() -> PageFormat:
    """The page format, read once from ``filmpage.toml``."""
    data: dict[str, Any] = tomllib.loads(
        (Path(__file__).with_name("filmpage.toml")).read_text(encoding="utf-8")
    )
    return PageFormat(
        sections=dict(data["sections"]),
        keys={heading_key(name): name for name in data["sections"]},
        production=dict(data["production"]),
        prose={k: tuple(v) for k, v in data["prose"].items()},
        unknown=frozenset(v.lower() for v in data["unknown"]["values"]),
    )


def heading_key(text: str) -> str:
    """A heading reduced for comparison: case, spacing, "&"/"and" and end marks set aside.

    >>> heading_key("INFLUENCED  BY") == heading_key("Influenced by")
    True
    >>> heading_key("Themes and Topics") == heading_key("Themes & Topics")
    True
    """
    text = unicodedata.normalize("NFKC", text).casefold().replace("&", " and ")
    return " ".join(re.sub(r"[^\w\s?]", " ", text).split()).rstrip("?").strip()


def strip_bullet(text: str) -> str | None:
    """The text of an item without its bullet or number; ``None`` for a line without one."""
    match = _BULLET.match(text)
    return text[match.end() :].strip() if match else None


@dataclass(frozen=True)
class Line:
    """A non-blank line of the page with its 1-based line number."""

    number: int
    text: str


@dataclass
class PageHeader:
    """What the lines above the first section say."""

    title: Line
    year: int
    year_line: Line
    runtime: int | None = None
    country: str | None = None
    tagline: Line | None = None
    key_themes: Line | None = None
    #: "c. 1925" or "1925?": the year is not certain.
    uncertain: bool = False
    #: Other titles written between the title and the year line ("Шинель" then "The Overcoat").
    alternatives: list[Line] = field(default_factory=list)
    #: Lines of the header that are none of the above, kept for the reader to report.
    extra: list[Line] = field(default_factory=list)


@dataclass
class Section:
    """A titled section: its heading, how it is read, and its non-blank body lines."""

    name: str
    kind: str
    heading: Line
    position: int
    lines: list[Line] = field(default_factory=list)

    #: The heading as the page writes it, when it differs from the format's name.
    written: str | None = None

    @property
    def bullets(self) -> list[Line]:
        """The items (a bullet, hyphen, asterisk, dash or a number "1."), without their marker."""
        out = []
        for ln in self.lines:
            item = strip_bullet(ln.text)
            if item is not None:
                out.append(Line(ln.number, item))
        return out

    @property
    def plain(self) -> list[Line]:
        """The lines that are not items (paragraphs, sentences, runs)."""
        return [ln for ln in self.lines if strip_bullet(ln.text) is None]

    @property
    def text(self) -> str:
        """The body as text, one line per paragraph or item."""
        return "\n".join(ln.text.strip() for ln in self.lines)


@dataclass
class Page:
    """A parsed page."""

    path: Path
    header: PageHeader
    sections: list[Section]
    #: What the reader did not take as written (another encoding, unknown headings), by line.
    notes: list[tuple[int | None, str]] = field(default_factory=list)

    def section(self, name: str) -> Section | None:
        """The first section called ``name``, if the page has one."""
        return next((s for s in self.sections if s.name == name), None)

    def error(self, line: Line | int | None, fld: str, reason: str) -> SourceError:
        """A :class:`SourceError` at ``line`` of this page."""
        number = line.number if isinstance(line, Line) else line
        return SourceError(self.path, reason, line=number, field=fld)


@dataclass(frozen=True)
class Connection:
    """One item of a connection list: "Title (Year) - aspect"."""

    title: str
    year: int | None
    aspect: str | None
    line: Line


def parse_connection(page: Page, line: Line, fld: str) -> Connection:
    """Read a connection item; one without a title is malformed."""
    match = _CONNECTION.match(line.text.strip())
    assert match is not None  # every part of the pattern is optional
    title = match.group("title").strip().strip(_QUOTES).strip()
    if not title or not any(c.isalnum() for c in title):
        raise page.error(line, fld, f"connection item {line.text.strip()!r} has no title")
    year = int(match.group("year")) if match.group("year") else None
    aspect = (match.group("aspect") or "").strip() or None
    return Connection(title, year, aspect, line)


#: Legacy encodings in the order they are assumed when the detector cannot tell them apart.
_PREFERRED = (
    "cp1252",
    "latin_1",
    "iso8859_15",
    "cp1251",
    "koi8_r",
    "koi8_u",
    "cp1250",
    "iso8859_2",
    "mac_roman",
)


def decode_page(path: Path, raw: bytes) -> tuple[str, str | None]:
    """The text of a page and the encoding it was decoded from when that was not UTF-8.

    UTF-8 (with or without a byte-order mark) is read as is. Other bytes are given to
    charset-normalizer; when it finds no encoding that reads them coherently, the error names
    the line and byte where UTF-8 decoding failed and asks for the file saved as UTF-8.
    """
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        failure = exc
    matches = list(from_bytes(raw))
    best = matches[0] if matches else None
    if best is not None and best.encoding not in ("utf_8", "ascii"):
        # On a short page several code pages often read equally well (cp1250 and cp1252
        # differ in a handful of bytes): among those the detector ties, the commonest
        # legacy encodings of film pages are preferred and the others named in the note.
        tied = [
            m for m in matches if m.chaos <= best.chaos and m.coherence >= best.coherence - 0.01
        ]
        chosen = min(
            tied,
            key=lambda m: (
                _PREFERRED.index(m.encoding) if m.encoding in _PREFERRED else len(_PREFERRED)
            ),
        )
        text = str(chosen)
        others = sorted({m.encoding for m in tied if m is not chosen and str(m) != text})
        return text, chosen.encoding + (
            f" (also readable as {', '.join(others)}: check the special characters)"
            if others
            else ""
        )
    line = raw.count(b"\n", 0, failure.start) + 1
    column = failure.start - (raw.rfind(b"\n", 0, failure.start) + 1) + 1
    raise SourceError(
        path,
        f"is not UTF-8 text ({failure.reason}: byte "
        f"0x{raw[failure.start]:02x} at byte {column} of the line) and its "
        "encoding cannot be told; save the file as UTF-8",
        line=line,
        field="encoding",
    )


def read_page(path: Path) -> Page:
    """Parse the page at ``path``; :class:`SourceError` says what is wrong and where.

    Headings are recognised whatever their case, spacing or "&"/"and"; a short capitalised
    line between blank lines that is no heading of the format starts a section of its own,
    kept with its text and noted (``Page.notes``), so nothing the page says is dropped.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"cannot be read: {exc.strerror}") from exc
    text, encoding = decode_page(path, raw)
    fmt = page_format()
    lines = [Line(i, t.rstrip()) for i, t in enumerate(text.splitlines(), start=1)]
    first_heading = next(
        (i for i, ln in enumerate(lines) if heading_key(ln.text) in fmt.keys), len(lines)
    )
    page = Page(path, _read_header(path, lines[:first_heading]), [])
    if encoding is not None:
        page.notes.append(
            (
                None,
                f"not UTF-8: decoded by charset-normalizer as {encoding}; "
                "save it as UTF-8 to be sure",
            )
        )
    current: Section | None = None
    body = lines[first_heading:]
    for i, ln in enumerate(body):
        stripped = ln.text.strip()
        if not stripped:
            continue
        name = fmt.keys.get(heading_key(stripped))
        if name is None and _unknown_heading(body, i, current):
            page.notes.append(
                (
                    ln.number,
                    f"heading {stripped!r} is not one of the format's; "
                    "kept as a section of its own, its lines as items",
                )
            )
            name = stripped
            kind = "unknown"
        elif name is not None:
            kind = fmt.sections[name]
        if name is not None:
            current = Section(
                name,
                kind,
                ln,
                len(page.sections) + 1,
                written=stripped if stripped != name else None,
            )
            page.sections.append(current)
        elif current is not None:
            current.lines.append(ln)
    return page


def _unknown_heading(body: list[Line], i: int, current: Section | None) -> bool:
    """Whether ``body[i]`` reads as a heading the format does not list."""
    text = body[i].text.strip()
    if current is not None and current.kind in ("lines", "similar", "topics"):
        return False
    keys = page_format().production
    if any(heading_key(text).startswith(heading_key(k)) for k in keys):
        return False
    if not _HEADING_LIKE.match(text) or strip_bullet(text) is not None or len(text.split()) > 6:
        return False
    if current is not None and not current.lines:
        return False  # a heading has a body: this line is the body of the one above
    if not any(ln.text.strip() for ln in body[i + 1 :]):
        return False  # nothing follows: the last line of the page is no heading
    before = i == 0 or not body[i - 1].text.strip()
    after = i + 1 >= len(body) or not body[i + 1].text.strip()
    return before and after


def _read_header(path: Path, lines: list[Line]) -> PageHeader:
    content = [
        ln
        for ln in lines
        if ln.text.strip() and not ln.text.strip().lower().startswith("also available on")
    ]
    if not content:
        raise SourceError(
            path, "the page has no header: a title line is expected", line=1, field="title"
        )
    title = Line(content[0].number, content[0].text.strip())
    if _YEAR_LINE.match(title.text):
        raise SourceError(
            path, "the header has no title before the year line", line=title.number, field="title"
        )
    if not _NAMEABLE.search(fold(title.text)):
        raise SourceError(
            path,
            f"the title {title.text!r} has no letter or digit to name the film by",
            line=title.number,
            field="title",
        )
    rest = [ln for ln in content[1:] if ln.text.strip() != title.text]
    year_at = next((i for i, ln in enumerate(rest) if _YEAR_LINE.match(ln.text.strip())), None)
    if year_at is None:
        raise SourceError(
            path,
            "the header has no year line (e.g. '1937 89 minutes Soviet Union')",
            line=title.number,
            field="year",
        )
    alternatives = [Line(ln.number, ln.text.strip()) for ln in rest[:year_at]]
    if len(alternatives) > 2:
        raise SourceError(
            path,
            f"unexpected line {rest[0].text.strip()!r} between title and year",
            line=rest[0].number,
            field="year",
        )
    rest = rest[year_at:]
    year_line = rest[0]
    match = _YEAR_LINE.match(year_line.text.strip())
    assert match is not None
    year = int(match.group("year"))
    if not 1870 <= year <= 2100:
        raise SourceError(
            path, f"{year} is not a plausible year for a film", line=year_line.number, field="year"
        )
    header = PageHeader(
        title,
        year,
        year_line,
        runtime=int(match.group("minutes")) if match.group("minutes") else None,
        country=(match.group("country") or "").strip() or None,
        uncertain=bool(match.group("circa") or match.group("doubt")),
    )
    header.alternatives = alternatives
    for ln in rest[1:]:
        text = ln.text.strip()
        if len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES and header.tagline is None:
            header.tagline = Line(ln.number, text[1:-1].strip())
        elif header.key_themes is None:
            header.key_themes = Line(ln.number, text)
        else:
            header.extra.append(Line(ln.number, text))
    return header
