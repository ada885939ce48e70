"""The one interface every store backend implements.

Results come back as rdflib terms whatever the engine, so the code above the store never
sees which backend answered.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from rdflib import Dataset, Graph
from rdflib.term import Identifier, Node

__all__ = ["BuildRecord", "QueryResult", "SelectResult", "Store"]


@dataclass(frozen=True)
class SelectResult:
    """The rows of a SELECT query: variable names and one tuple of terms per row.

    An unbound variable is ``None`` in its row.
    """

    variables: Sequence[str]
    rows: Sequence[tuple[Identifier | None, ...]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[Identifier | None, ...]]:
        return iter(self.rows)

    def project(self, names: Sequence[str]) -> SelectResult:
        """The same rows with only the variables ``names``, in that order."""
        missing = [n for n in names if n not in self.variables]
        if missing:
            raise KeyError(f"no column {', '.join(missing)} (columns: {', '.join(self.variables)})")
        index = [list(self.variables).index(n) for n in names]
        return SelectResult(list(names), [tuple(row[i] for i in index) for row in self.rows])

    def dicts(self) -> list[dict[str, Identifier]]:
        """Rows as dictionaries keyed by variable name, unbound variables left out."""
        return [
            {v: t for v, t in zip(self.variables, row, strict=True) if t is not None}
            for row in self.rows
        ]


@dataclass(frozen=True)
class BuildRecord:
    """What a build recorded beside the graph: the files ``summary`` and ``check`` read.

    A build directory keeps them as files; a remote store keeps them on the server, so a
    machine that did not build the graph can still read them.
    """

    #: the build's generation (its directory name; the publish token on a server)
    generation: str
    #: ``summary.json``
    summary: Mapping[str, Any]
    #: ``validation.json``, the SHACL findings (``None`` when the build kept none)
    validation: Mapping[str, Any] | None = None
    #: ``validation.txt``
    validation_text: str | None = None


#: SELECT gives rows, ASK a boolean, CONSTRUCT and DESCRIBE a graph.
QueryResult = SelectResult | bool | Graph


class Store(ABC):
    """A quad store: named graphs per source, the union as the default graph for queries."""

    #: Name the backend is registered under (``memory``, ``oxigraph`` …).
    name: str = ""

    @abstractmethod
    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        constants: bool = False,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query over the RDF merge of all graphs: each triple once.

        A triple two sources state is matched once by a pattern outside ``GRAPH``, and
        once per source inside ``GRAPH ?g``. ``memory``: rdflib's union default graph is
        a merge. ``oxigraph``: the build keeps the merge in the default graph
        (:func:`filmgraph.store.oxigraph.write_merge`), since pyoxigraph's union repeats a
        triple per graph. ``sparql``: the server decides; SPARQL 1.1 Protocol
        ``default-graph-uri`` (sent to Virtuoso) asks for the merge of the graphs named,
        and Fuseki's ``unionDefaultGraph`` is a merge too (documented, not measured here).

        ``bindings`` pre-binds variables at run time (the query text is never templated).
        ``constants`` says the query is planned better with the bound values written into
        its patterns (a named query's ``binding: constants``); an engine that substitutes the
        bindings everywhere itself (``oxigraph``) does so
        (:func:`~filmgraph.store.binding.bind_constants`), the others ignore it.
        """

    @abstractmethod
    def add_dataset(self, dataset: Dataset) -> None:
        """Add every quad of ``dataset``, keeping its named graphs."""

    @abstractmethod
    def dump(self, path: Path, fmt: str = "trig") -> None:
        """Write every quad to ``path`` (``trig`` or ``nquads``)."""

    @abstractmethod
    def quad_count(self) -> int:
        """How many quads the store holds (all graphs)."""

    def build_record(self) -> BuildRecord | None:
        """The record of the build this store holds, when the store itself keeps one.

        ``None`` here: an embedded store's record is in its build directory. A remote
        store reads it from the server.
        """
        return None

    def close(self) -> None:  # noqa: B027 - most backends hold nothing to release
        """Release files or connections the backend holds."""

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
