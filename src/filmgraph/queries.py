"""The catalogue of named SPARQL queries: ``queries/*.rq`` files with a comment header.

A header names the query, says what it answers and declares its parameters::

    # name: film-influences
    # summary: Films that influenced a film, with aspect, source and confidence.
    # question: CQ1. Which films influenced a given film, in what respect, per which source?
    # param: film iri required -- the influenced film, e.g. film:the-miners-1937
    # param: limit integer default=100 -- at most this many rows

Parameters are SPARQL variables of the same name, bound at run time by the engine; the
query text is never templated. Unbound optional parameters leave the variable free.

Two parameter names page a ranked list instead: ``limit`` and ``offset`` (integers) set
the query's one ``LIMIT`` and ``OFFSET`` clause, which SPARQL does not let a variable
fill. The query's text holds the clause with its default values, so the text alone is the
first page; :meth:`NamedQuery.prepare` writes the values asked for into that clause (the
only change to the text, and only ever a non-negative integer), ``limit=0`` removing the
clause: every row. The clause may sit in a subquery, so that a query ranks and cuts
before it looks labels up for the rows returned.

A query may hold more ``LIMIT`` clauses before the page's own (the last one): each stands
for the end of the page, ``offset + limit`` (its value as written is the sum of the two
defaults), and goes with the page's when ``limit=0``. A query uses one to learn how far
down the ranking the page reaches (the least score on it) and to sort only the rows that
can reach the page by the keys that are costly to compare, such as labels.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pygments.lexers import SparqlLexer
from pygments.token import Keyword, Number
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from filmgraph.errors import ParameterError, QueryError, SourceError, UnknownQuery
from filmgraph.namespaces import PREFIXES
from filmgraph.resources import queries_dir
from filmgraph.store.base import QueryResult, SelectResult, Store
from filmgraph.store.binding import bind_rows

__all__ = [
    "PAGING",
    "NamedQuery",
    "Parameter",
    "catalogue",
    "expand_iri",
    "get_query",
    "parse_query_file",
    "require_statistics",
    "run_named",
    "select_named",
]

#: Parameters that page a ranked list: they set the query's LIMIT and OFFSET clause.
PAGING = ("limit", "offset")
PARAMETER_TYPES = ("iri", "string", "integer", "decimal", "year", "date", "boolean")
#: How a query's parameters reach an engine (the ``binding`` header line): a ``VALUES``
#: block and the engine's own substitution, or also as constants in the text.
BINDINGS = ("values", "constants")
_HEADER = re.compile(r"^#\s*(name|summary|question|param|binding)\s*:\s*(.*)$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>\w+)"
    r"(?:\s+(?P<required>required)|\s+default=(?P<default>\S+))?"
    r"\s+--\s+(?P<description>.+)$"
)


@dataclass(frozen=True)
class Parameter:
    """A query parameter: a variable the caller may bind, with its type."""

    name: str
    type: str
    description: str
    required: bool = False
    default: str | None = None

    def term(self, value: str) -> Node:
        """Convert a value given as text (on the command line, in a URL) to an RDF term."""
        try:
            if self.type == "iri":
                return expand_iri(value)
            if self.type == "integer":
                return Literal(int(value), datatype=XSD.integer)
            if self.type == "decimal":
                return Literal(str(float(value)), datatype=XSD.decimal)
            if self.type == "year":
                if not re.fullmatch(r"-?[0-9]{4}", value):
                    raise ValueError("expected a four-digit year")
                return Literal(value, datatype=XSD.gYear)
            if self.type == "date":
                if not re.fullmatch(r"-?[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
                    raise ValueError("expected YYYY-MM-DD")
                return Literal(value, datatype=XSD.date)
            if self.type == "boolean":
                if value not in ("true", "false"):
                    raise ValueError("expected true or false")
                return Literal(value == "true")
        except ValueError as exc:
            raise ParameterError(f"parameter {self.name} ({self.type}): {value!r}: {exc}") from None
        return Literal(value)


@dataclass(frozen=True)
class NamedQuery:
    """One query of the catalogue."""

    name: str
    summary: str
    question: str
    parameters: tuple[Parameter, ...]
    text: str
    path: Path
    #: ``binding: constants`` in the header: planned better with the parameters written in
    #: as constants (see :meth:`filmgraph.store.base.Store.query`)
    constants: bool = False

    @property
    def reads_statistics(self) -> bool:
        """True when the query reads the kept statistics (the ``fgstat:`` namespace)."""
        return _FGSTAT in self.text

    def prepare(self, values: Mapping[str, str]) -> tuple[str, dict[str, Node]]:
        """The text to run and its bindings for ``values`` (what :func:`run_named` runs).

        The paging parameters (:data:`PAGING`) are written into the text's ``LIMIT`` and
        ``OFFSET`` clause; every other parameter is a binding.
        """
        bound = self.bindings(values)
        paging = {
            p.name: _count(p.name, given)
            for p in self.parameters
            if p.name in PAGING and (given := values.get(p.name, p.default)) is not None
        }
        return _paged(self.text, paging) if paging else self.text, bound

    def bindings(self, values: Mapping[str, str]) -> dict[str, Node]:
        """Typed bindings for ``values``, defaults filled in; unknown or missing ones refused.

        The paging parameters are checked (a non-negative integer) but not bound: the text
        of :meth:`prepare` holds their values; an engine never sees them.
        """
        known = {p.name: p for p in self.parameters}
        for name in values:
            if name not in known:
                raise ParameterError(
                    f"query {self.name} has no parameter {name!r} "
                    f"(it has: {', '.join(known) or 'none'})"
                )
        bound: dict[str, Node] = {}
        for p in self.parameters:
            if p.name in PAGING:
                _count(p.name, values.get(p.name, p.default or "0"))
            elif p.name in values:
                bound[p.name] = p.term(values[p.name])
            elif p.default is not None:
                bound[p.name] = p.term(p.default)
            elif p.required:
                raise ParameterError(
                    f"query {self.name} needs --param {p.name}=… ({p.description})"
                )
        return bound


def _count(name: str, value: str) -> int:
    """A paging parameter's value: a whole number, 0 or more."""
    if not re.fullmatch(r"[0-9]+", value.strip()):
        raise ParameterError(f"parameter {name} (integer): {value!r}: expected 0 or more")
    return int(value)


_LIMIT_WORD = re.compile(r"\blimit\b", re.IGNORECASE)


@lru_cache(maxsize=256)
def _clause(text: str, name: str) -> tuple[tuple[int, int, int], ...]:
    """Where the ``LIMIT`` (or ``OFFSET``) clauses of ``text`` are: (start, value start, end).

    Kept per text: every run of a paged query asks, and lexing it costs milliseconds.
    """
    keyword = name.upper()
    tokens = list(SparqlLexer().get_tokens_unprocessed(text))
    found = []
    for i, (position, kind, value) in enumerate(tokens):
        if kind in Keyword and value.upper() == keyword:
            rest = [t for t in tokens[i + 1 : i + 3] if t[2].strip()]
            if rest and rest[0][1] in Number:
                start = rest[0][0]
                found.append((position, start, start + len(rest[0][2])))
    return tuple(found)


def _paged(text: str, paging: Mapping[str, int]) -> str:
    """``text`` with its page's ``LIMIT`` and ``OFFSET`` clauses set (``limit=0``: removed),
    and every earlier ``LIMIT`` clause set to the page's end (offset + limit)."""
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), in any order
    if "offset" in paging:
        (_, at, end), *_ = _clause(text, "offset")
        edits.append((at, end, str(paging["offset"])))
    if "limit" in paging:
        limit = paging["limit"]
        *earlier, page = _clause(text, "limit")
        for start, at, end in [*earlier, page]:
            value = limit if (start, at, end) == page else limit + paging.get("offset", 0)
            edits.append((start, end, "") if limit == 0 else (at, end, str(value)))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def expand_iri(value: str) -> URIRef:
    """An IRI from ``<…>``, a full ``http(s)`` IRI or a prefixed name such as ``film:x``."""
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if value.startswith(("http://", "https://", "urn:")):
        return URIRef(value)
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES:
        return URIRef(PREFIXES[prefix] + local)
    raise ValueError(
        f"not an IRI or a prefixed name with a known prefix ({', '.join(sorted(PREFIXES))})"
    )


def parse_query_file(path: Path) -> NamedQuery:
    """Read one ``.rq`` file and its header."""
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    params = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match.groups()
        if key == "param":
            p = _PARAM.match(value.strip())
            if not p or p["type"] not in PARAMETER_TYPES:
                raise SourceError(
                    path,
                    "expected 'NAME TYPE [required|default=VALUE] -- description' with TYPE "
                    f"one of {', '.join(PARAMETER_TYPES)}",
                    line=number,
                    field="param",
                )
            params.append(
                Parameter(
                    p["name"],
                    p["type"],
                    p["description"].strip(),
                    p["required"] is not None,
                    p["default"],
                )
            )
        elif key == "binding" and value.strip() not in BINDINGS:
            raise SourceError(
                path,
                f"expected one of {', '.join(BINDINGS)}, got {value.strip()!r}",
                line=number,
                field="binding",
            )
        else:
            fields[key] = value.strip()
    for key in ("name", "summary", "question"):
        if not fields.get(key):
            raise SourceError(path, "is missing from the comment header", line=1, field=key)
    for parameter in params:
        name = parameter.name
        if name not in PAGING:
            continue
        clauses = _clause(text, name)
        if parameter.type != "integer" or not clauses or (name == "offset" and len(clauses) > 1):
            raise SourceError(
                path,
                f"a {name} parameter is an integer, and the query holds one "
                f"{name.upper()} clause with its default value for it to set (the page's; "
                "a LIMIT clause before it stands for the end of the page)",
                field="param",
            )
    _check_page_ends(path, text, {p.name: p.default for p in params if p.name in PAGING})
    if fields["name"] != path.stem:
        raise SourceError(path, f"name {fields['name']!r} differs from the file name", field="name")
    return NamedQuery(
        fields["name"],
        fields["summary"],
        fields["question"],
        tuple(params),
        text,
        path,
        constants=fields.get("binding") == "constants",
    )


def _check_page_ends(path: Path, text: str, defaults: Mapping[str, str | None]) -> None:
    """Refuse a LIMIT clause before the page's that does not say where the first page ends."""
    code = (line for line in text.splitlines() if not line.lstrip().startswith("#"))
    if sum(len(_LIMIT_WORD.findall(line)) for line in code) < 2:
        return  # one LIMIT clause at most, found without lexing (30 ms of a lookup command)
    *earlier, _ = _clause(text, "limit") or [(0, 0, 0)]
    if not earlier:
        return
    end = int(defaults.get("limit") or 0) + int(defaults.get("offset") or 0)
    for _, at, stop in earlier:
        if "limit" not in defaults or int(text[at:stop]) != end:
            raise SourceError(
                path,
                "a LIMIT clause before the page's stands for the end of the page: it needs a "
                f"limit parameter with a default, and the value {end} (limit + offset)",
                field="param",
            )


def catalogue(directory: Path | None = None) -> dict[str, NamedQuery]:
    """Every named query in ``directory`` (default: the project's ``queries/``), by name.

    Checks (``*-violation.rq``) are part of the catalogue too.
    """
    folder = directory if directory is not None else queries_dir()
    return {q.name: q for q in map(_parsed, sorted(folder.glob("*.rq")))}


_PARSED: dict[tuple[str, int, int], NamedQuery] = {}


def _parsed(path: Path) -> NamedQuery:
    """``path`` parsed once while it stays the same file (a lookup asks for its query each
    time: parsing the whole catalogue again cost 2.5 ms of a 20 ms resource page)."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    found = _PARSED.get(key)
    if found is None:
        found = _PARSED[key] = parse_query_file(path)
    return found


def get_query(name: str, directory: Path | None = None) -> NamedQuery:
    """One named query; :class:`UnknownQuery` lists the names there are.

    A query's file is named for it (:func:`parse_query_file` checks), so only that file is
    read: a command asking one query does not parse the other fifty (0.05 s of start-up).
    """
    folder = directory if directory is not None else queries_dir()
    path = folder / f"{name}.rq"
    if "/" not in name and path.is_file():
        return _parsed(path)
    queries = catalogue(directory)
    if name not in queries:
        raise UnknownQuery(f"no query named {name!r} (known: {', '.join(sorted(queries))})")
    return queries[name]


def run_named(
    store: Store,
    name: str,
    params: Mapping[str, str] | None = None,
    directory: Path | None = None,
    *,
    among: tuple[str, Collection[Node]] | None = None,
) -> QueryResult:
    """Run a named query on ``store`` with parameters given as text.

    ``among`` is ``(variable, terms)``: only the rows whose ``?variable`` is one of ``terms``
    (:func:`~filmgraph.store.binding.bind_rows`), for callers that need a few nodes of a
    query written for the whole graph.
    """
    query = get_query(name, directory)
    text, bindings = query.prepare(params or {})
    if among is not None:
        text = bind_rows(text, *among)
    if query.reads_statistics:
        require_statistics(store, query.name)
    return store.query(text, bindings, constants=query.constants)


#: The statistics a build keeps (:mod:`filmgraph.statistics`); a query naming this
#: namespace reads them.
_FGSTAT = "https://w3id.org/filmgraph/statistics#"
_KEPT = f"ASK {{ <https://w3id.org/filmgraph/id/graph/statistics> <{_FGSTAT}format> ?format }}"


def require_statistics(store: Store, name: str) -> None:
    """Raise :class:`QueryError` unless ``store`` keeps the statistics query ``name`` reads.

    A graph built before the statistics were kept would otherwise answer such a query
    with no rows, silently.
    """
    if store.query(_KEPT) is not True:
        raise QueryError(
            f"query {name} reads the statistics a build keeps in graph:statistics, and this "
            "graph has none: build it again (filmgraph build --full), or add them to your "
            "own data with filmgraph.statistics.add_statistics"
        )


def select_named(
    store: Store,
    name: str,
    params: Mapping[str, str] | None = None,
    directory: Path | None = None,
    *,
    among: tuple[str, Collection[Node]] | None = None,
) -> SelectResult:
    """Run a named SELECT query; :class:`QueryError` when ``name`` is not a SELECT query."""
    result = run_named(store, name, params, directory, among=among)
    if not isinstance(result, SelectResult):
        raise QueryError(f"the named query {name!r} is not a SELECT query")
    return result
