"""Error types that carry enough context for a curator to fix the input.

Every error a user can cause derives from :class:`FilmgraphError`, so the command line can
turn it into a clear message and an exit code instead of a traceback.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "AmbiguousName",
    "BuildError",
    "FastPathRefused",
    "FilmgraphError",
    "ParameterError",
    "QueryError",
    "SourceError",
    "StoreNotFound",
    "UnknownName",
    "UnknownQuery",
]


class FilmgraphError(Exception):
    """Base class of every error caused by input, settings or data rather than by a bug."""

    #: Exit code the command line uses for this kind of error (2: bad usage or input).
    exit_code = 2


class SourceError(FilmgraphError):
    """A source document is malformed: names the file, the line and the field at fault."""

    def __init__(
        self,
        file: Path | str,
        reason: str,
        *,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = Path(file)
        self.line = line
        self.field = field
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f":{self.line}"
        what = f" field '{self.field}':" if self.field else ""
        return f"{where}:{what} {self.reason}"


class FastPathRefused(Exception):
    """An incremental build cannot take its fast path: it takes the full path instead.

    Raised where a precondition of the fast path fails (a removed or changed document, a
    merge linking would make, a rule that would need retracting); the build catches it,
    says why, and never lets it reach the user.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class BuildError(FilmgraphError):
    """The build could not complete; the previous graph was left as it was."""


class StoreNotFound(FilmgraphError):
    """No built graph where one was expected (run ``filmgraph build`` first)."""


class UnknownQuery(FilmgraphError):
    """A named query that is not in the catalogue."""


class ParameterError(FilmgraphError):
    """A query parameter is missing, unknown or of the wrong type."""


class QueryError(FilmgraphError):
    """The SPARQL engine rejected a query (syntax error or unsupported feature)."""


class AmbiguousName(FilmgraphError):
    """A name matches several resources; the candidates are listed so the user can choose."""

    def __init__(self, name: str, candidates: list[tuple[str, str]]) -> None:
        self.name = name
        self.candidates = candidates
        lines = "\n".join(f"  {iri}  {label}" for iri, label in candidates)
        super().__init__(f"'{name}' matches several resources:\n{lines}")


class UnknownName(FilmgraphError):
    """A name given on the command line matches no film, person or other resource."""
