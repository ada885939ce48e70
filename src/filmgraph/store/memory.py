"""In-process store on an rdflib Dataset: for tests and small graphs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.query import Result
from rdflib.term import Identifier, Node, Variable

from filmgraph.errors import QueryError
from filmgraph.store.base import QueryResult, SelectResult, Store

__all__ = ["MemoryStore"]


class MemoryStore(Store):
    """Every quad in an rdflib :class:`~rdflib.Dataset`; queries see the union of graphs."""

    name = "memory"

    def __init__(self, dataset: Dataset | None = None) -> None:
        self.dataset = Dataset(default_union=True)
        if dataset is not None:
            self.add_dataset(dataset)

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        constants: bool = False,  # rdflib joins its bindings: constants are for Oxigraph
    ) -> QueryResult:
        try:
            parseQuery(sparql)
            result: Result = self.dataset.query(
                sparql,
                initBindings={
                    Variable(k): v for k, v in (bindings or {}).items() if isinstance(v, Identifier)
                },
            )
        except Exception as exc:  # rdflib raises pyparsing and plain exceptions alike
            raise QueryError(f"query failed: {exc}") from exc
        if result.type == "ASK":
            return bool(result.askAnswer)
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            graph = Graph()
            for triple in result:
                graph.add(triple)  # type: ignore[arg-type]
            return graph
        variables = [str(v) for v in result.vars or []]
        rows = [tuple(row) for row in result]  # type: ignore[arg-type]
        return SelectResult(variables, rows)  # type: ignore[arg-type]

    def add_dataset(self, dataset: Dataset) -> None:
        for s, p, o, g in dataset.quads((None, None, None, None)):
            self.dataset.graph(g).add((s, p, o))

    def dump(self, path: Path, fmt: str = "trig") -> None:
        self.dataset.serialize(destination=str(path), format=fmt)

    def quad_count(self) -> int:
        return sum(1 for _ in self.dataset.quads((None, None, None, None)))
