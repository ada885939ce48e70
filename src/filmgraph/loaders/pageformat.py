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
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from filmgraph.errors import SourceError

__all__ = [
    "Connection",
    "Line",
    "Page",
    "PageFormat",
    "PageHeader",
    "Section",
    "page_format",
    "parse_connection",
    "read_page",
]

_YEAR_LINE = re.compile(
    r"^(?P<year>[0-9]{4})(?:\s+(?P<minutes>[0-9]{1,4})\s+min(?:ute)?s?\.?)?(?:\s+(?P<country>\S.*))?$"
)
_QUOTES = "\"'\u201c\u201d\u00ab\u00bb\u201e\u2018\u2019"
_BULLET = "•"
_CONNECTION = re.compile(
    r"^(?P<title>.*?)\s*(?:\((?P<year>[0-9]{4})\))?\s*(?:[-\u2013\u2014]\s*(?P<aspect>.*))?$"
)


@dataclass(frozen=True)
class PageFormat:
    """The headings of the format and how their sections are read (``filmpage.toml``)."""

    sections: dict[str, str]
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
        production=dict(data["production"]),
        prose={k: tuple(v) for k, v in data["prose"].items()},
        unknown=frozenset(v.lower() for v in data["unknown"]["values"]),
    )


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


@dataclass
class Section:
    """A titled section: its heading, how it is read, and its non-blank body lines."""

    name: str
    kind: str
    heading: Line
    position: int
    lines: list[Line] = field(default_factory=list)

    @property
    def bullets(self) -> list[Line]:
        """The "•" items, without the bullet."""
        return [Line(ln.number, ln.text.lstrip()[1:].strip())
                for ln in self.lines if ln.text.lstrip().startswith(_BULLET)]

    @property
    def plain(self) -> list[Line]:
        """The lines that are not bullets (paragraphs, sentences, runs)."""
        return [ln for ln in self.lines if not ln.text.lstrip().startswith(_BULLET)]

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


def read_page(path: Path) -> Page:
    """Parse the page at ``path``; :class:`SourceError` says what is wrong and where."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"is not UTF-8 text: {exc.reason}") from exc
    except OSError as exc:
        raise SourceError(path, f"cannot be read: {exc.strerror}") from exc
    fmt = page_format()
    lines = [Line(i, text.rstrip()) for i, text in enumerate(raw.splitlines(), start=1)]
    first_heading = next(
        (i for i, ln in enumerate(lines) if ln.text.strip() in fmt.sections), len(lines)
    )
    page = Page(path, _read_header(path, lines[:first_heading]), [])
    current: Section | None = None
    for ln in lines[first_heading:]:
        stripped = ln.text.strip()
        if not stripped:
            continue
        if stripped in fmt.sections:
            current = Section(stripped, fmt.sections[stripped], ln, len(page.sections) + 1)
            page.sections.append(current)
        elif current is not None:
            current.lines.append(ln)
    return page


def _read_header(path: Path, lines: list[Line]) -> PageHeader:
    content = [ln for ln in lines if ln.text.strip()
               and not ln.text.strip().lower().startswith("also available on")]
    if not content:
        raise SourceError(path, "the page has no header: a title line is expected",
                          line=1, field="title")
    title = Line(content[0].number, content[0].text.strip())
    if _YEAR_LINE.match(title.text):
        raise SourceError(path, "the header has no title before the year line",
                          line=title.number, field="title")
    rest = [ln for ln in content[1:] if ln.text.strip() != title.text]
    year_at = next((i for i, ln in enumerate(rest) if _YEAR_LINE.match(ln.text.strip())), None)
    if year_at is None:
        raise SourceError(path, "the header has no year line (e.g. '1937 89 minutes Soviet Union')",
                          line=title.number, field="year")
    if year_at > 0:
        raise SourceError(path, f"unexpected line {rest[0].text.strip()!r} between title and year",
                          line=rest[0].number, field="year")
    year_line = rest[0]
    match = _YEAR_LINE.match(year_line.text.strip())
    assert match is not None
    year = int(match.group("year"))
    if not 1870 <= year <= 2100:
        raise SourceError(path, f"{year} is not a plausible year for a film",
                          line=year_line.number, field="year")
    header = PageHeader(
        title, year, year_line,
        runtime=int(match.group("minutes")) if match.group("minutes") else None,
        country=(match.group("country") or "").strip() or None,
    )
    for ln in rest[1:]:
        text = ln.text.strip()
        if len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES and header.tagline is None:
            header.tagline = Line(ln.number, text[1:-1].strip())
        elif header.key_themes is None:
            header.key_themes = Line(ln.number, text)
        else:
            raise SourceError(path, f"unexpected line {text!r} in the header",
                              line=ln.number, field="header")
    return header
