"""Validation against the SHACL shapes, as one report: a verdict, a graph and a text.

Violations mean the data is wrong; warnings mean it is incomplete (a film with no known
director). Only violations make a graph fail to conform.

The shapes run where the data is: :mod:`filmgraph.shaclsparql` compiles them to SPARQL,
and :func:`validate_store` runs those queries on a pyoxigraph store, so a large graph is
never copied into rdflib. :func:`validate_graph` does the same for an rdflib graph (loaded
into an in-memory store first). :func:`validate_graph_pyshacl` is the reference route,
pySHACL over rdflib, kept for the test and the benchmark that compare the two.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from filmgraph.namespaces import ID, PREFIXES
from filmgraph.provenance import ONTOLOGY_GRAPH
from filmgraph.reasoning import INFERRED_GRAPH
from filmgraph.resources import ontology_path, shapes_path
from filmgraph.shaclsparql import CompiledShape, compile_shapes, subclass_closure

__all__ = [
    "Finding",
    "ValidationReport",
    "validate_graph",
    "validate_graph_pyshacl",
    "validate_store",
]

_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True, order=True)
class Finding:
    """One SHACL result, reduced to what a curator needs to fix it."""

    severity: str
    focus: str
    path: str
    message: str
    shape: str


@dataclass
class ValidationReport:
    """The outcome of validation: ``conforms``, every finding, and the SHACL report graph."""

    conforms: bool
    findings: list[Finding] = field(default_factory=list)
    #: The report graph, or a function that builds it (on first use: it costs more than
    #: the validation itself on a large graph with many findings).
    report_graph: Graph | Callable[[], Graph] = field(
        default_factory=Graph, repr=False, compare=False
    )

    @property
    def graph(self) -> Graph:
        """The SHACL validation report graph (section 3.6 of the recommendation)."""
        if not isinstance(self.report_graph, Graph):
            self.report_graph = self.report_graph()
        return self.report_graph

    def to_json(self) -> dict[str, Any]:
        """The verdict and every finding as plain data (the report graph is left out)."""
        return {"conforms": self.conforms, "findings": [asdict(f) for f in self.findings]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ValidationReport:
        """A report read back from :meth:`to_json` (without its report graph)."""
        return cls(bool(data["conforms"]), sorted(Finding(**f) for f in data["findings"]))

    def count(self, severity: str) -> int:
        """How many findings have this severity (``Violation``, ``Warning``, ``Info``)."""
        return sum(1 for f in self.findings if f.severity == severity)

    def text(self, limit: int | None = None) -> str:
        """A deterministic, sorted text report (the same data always gives the same text)."""
        counts = Counter(f.severity for f in self.findings)
        lines = [
            f"Conforms: {'yes' if self.conforms else 'no'}",
            "Findings: "
            + ", ".join(
                f"{counts.get(s, 0)} {s.lower()}(s)" for s in ("Violation", "Warning", "Info")
            ),
        ]
        ordered = sorted(self.findings, key=lambda f: (_SEVERITY_ORDER.get(f.severity, 9), f))
        for finding in ordered[:limit]:
            lines.append(f"[{finding.severity}] {finding.focus} {finding.path}: {finding.message}")
        if limit is not None and len(ordered) > limit:
            lines.append(f"... and {len(ordered) - limit} more")
        return "\n".join(lines) + "\n"


def _short(term: Node | None) -> str:
    if term is None:
        return "-"
    if isinstance(term, BNode):
        return "[]"  # blank-node ids change from run to run; the report must not
    if isinstance(term, URIRef):
        return _short_iri(str(term))
    return str(term)


@lru_cache(maxsize=65536)
def _short_iri(text: str) -> str:
    for prefix, iri in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(iri) and len(text) > len(iri):
            return f"{prefix}:{text[len(iri) :]}"
    return f"<{text}>"


#: The graph an rdflib graph is loaded into by :func:`validate_graph`.
_DATA_GRAPH = ID["graph/validated-data"]
_SUBCLASS_QUERY = (
    f"SELECT DISTINCT ?sub ?super WHERE {{{{ GRAPH ?g {{{{ ?sub <{RDFS.subClassOf}> ?super }}}}"
    " {outside} }}"
)


def validate_store(
    store: ox.Store,
    *,
    focus: Collection[str] | None = None,
    shapes: Path | None = None,
    ontology: Path | None = None,
    exclude: Collection[str] = (str(ONTOLOGY_GRAPH), str(INFERRED_GRAPH)),
) -> ValidationReport:
    """Validate what the store's named graphs state, inside the store, as SPARQL.

    The data is the union of every named graph except ``exclude`` (the ontology and the
    inferred triples, so the shapes judge what the sources state). Classes follow the
    ``rdfs:subClassOf`` hierarchy of the ontology file, and of the data if it has any.
    With ``focus`` (IRIs) only those focus nodes are validated: an incremental build keeps
    the findings for the rest from the previous build.

    The findings are pySHACL's (a test compares them on every fixture and on the bundled
    graph), with one deliberate difference: a literal whose text is not of its datatype
    (``"x"^^xsd:gYear``) always fails ``sh:datatype``, as SHACL 4.1.2 says; pySHACL lets
    ``xsd:gYear`` and ``xsd:gYearMonth`` pass unless a library (owlrl) has registered
    rdflib parsers for them in the same process.
    """
    outside = ", ".join(f"<{iri}>" for iri in sorted(exclude))
    stated = _SUBCLASS_QUERY.format(outside=f"FILTER(?g NOT IN ({outside}))" if exclude else "")
    stated_pairs = frozenset(
        (_to_rdflib(row["sub"]), _to_rdflib(row["super"])) for row in _select(store, stated)
    )
    compiled = _compiled(
        _Source.of(shapes or shapes_path()), _Source.of(ontology or ontology_path()), stated_pairs
    )
    findings: set[Finding] = set()
    results = _run(store, compiled, exclude, focus) if focus is None or focus else []
    for node, shape, index in results:
        check = shape.checks[index]
        findings.add(
            Finding(
                check.severity, _short(node), _short(check.path), check.message, _short(check.shape)
            )
        )
    conforms = not any(f.severity == "Violation" for f in findings)
    return ValidationReport(conforms, sorted(findings), partial(_report_graph, conforms, results))


def validate_graph(
    data: Graph, shapes: Path, ontology: Path, *, inplace: bool = False
) -> ValidationReport:
    """Validate ``data`` against the shapes, with the ontology's class hierarchy in view.

    The graph is loaded into an in-memory pyoxigraph store and validated there by
    :func:`validate_store`. ``inplace`` is accepted for callers of the pySHACL route; the
    data graph is never changed either way.
    """
    del inplace  # the data is copied into the store in both cases and never changed
    store = ox.Store()
    text = data.serialize(format="nt", encoding="utf-8")
    store.load(text, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(_DATA_GRAPH)))
    return validate_store(store, shapes=shapes, ontology=ontology, exclude=())


def validate_graph_pyshacl(
    data: Graph, shapes: Path, ontology: Path, *, inplace: bool = False
) -> ValidationReport:
    """The reference route: pySHACL over rdflib, with the ontology mixed into the data.

    Slow on large graphs (it walks rdflib objects); kept so a test and the benchmark can
    compare the compiled route with it. With ``inplace`` the ontology's triples are added
    to ``data`` itself rather than to a copy.
    """
    from pyshacl import validate as shacl_validate  # only this route needs pySHACL

    shapes_graph = Graph().parse(shapes, format="turtle")
    ontology_graph = Graph().parse(ontology, format="turtle")
    if inplace:
        data += ontology_graph
    conforms, report_graph, _ = shacl_validate(
        data,
        shacl_graph=shapes_graph,
        ont_graph=None if inplace else ontology_graph,
        inference="none",
        inplace=inplace,
        allow_warnings=True,
        allow_infos=True,
    )
    findings = []
    for result in report_graph.subjects(RDF.type, SH.ValidationResult):
        severity = report_graph.value(result, SH.resultSeverity)
        message = report_graph.value(result, SH.resultMessage)
        findings.append(
            Finding(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus=_short(report_graph.value(result, SH.focusNode)),
                path=_short(report_graph.value(result, SH.resultPath)),
                message=str(message) if isinstance(message, Literal) else "",
                shape=_short(report_graph.value(result, SH.sourceShape)),
            )
        )
    return ValidationReport(bool(conforms), sorted(set(findings)), report_graph)


def _run(
    store: ox.Store,
    compiled: tuple[CompiledShape, ...],
    exclude: Collection[str],
    focus: Collection[str] | None,
) -> list[tuple[Node, CompiledShape, int]]:
    """(focus node, shape, check) for every break: each match runs once, for all shapes."""
    matched: dict[tuple[Node, int], set[Any]] = {}
    found: list[tuple[Any, CompiledShape, int]] = []
    for shape in compiled:
        query = shape.targets_query(exclude=exclude, focus=focus)
        targets = {row["focus"] for row in _select(store, query)}
        if not targets:
            continue
        for match in shape.matches:
            if match.key not in matched:
                rows = _select(store, match.query(exclude=exclude, focus=focus))
                matched[match.key] = {row["focus"] for row in rows}
            found += [(node, shape, match.check) for node in matched[match.key] & targets]
        absences = shape.absences_query(exclude=exclude, focus=focus)
        if absences is not None:
            rows = _select(store, absences)
            found += [(row["focus"], shape, int(row["check"].value)) for row in rows]
    return [(_to_rdflib(node), shape, check) for node, shape, check in found]


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    solutions = store.query(query)
    if not isinstance(solutions, ox.QuerySolutions):
        raise TypeError(f"expected a SELECT query: {query[:80]}")
    return solutions


@dataclass(frozen=True)
class _Source:
    """A Turtle file and its modification time, so a cached compilation notices edits."""

    path: Path
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> _Source:
        return cls(path, path.stat().st_mtime_ns)

    def parse(self) -> Graph:
        return Graph().parse(self.path, format="turtle")


@lru_cache(maxsize=8)
def _compiled(
    shapes: _Source, ontology: _Source, stated_pairs: frozenset[tuple[Node, Node]]
) -> tuple[CompiledShape, ...]:
    """The shapes compiled against the ontology's class hierarchy and the data's own."""
    pairs = [*ontology.parse().subject_objects(RDFS.subClassOf), *stated_pairs]
    return tuple(compile_shapes(shapes.parse(), subclass_closure(pairs)))


def _to_rdflib(term: Any) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        return Literal(term.value)
    raise TypeError(f"unexpected term from the store: {term!r}")


def _report_graph(conforms: bool, results: list[tuple[Node, CompiledShape, int]]) -> Graph:
    """The SHACL validation report graph (section 3.6) of the compiled route's results."""
    graph = Graph()
    graph.bind("sh", SH)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(conforms)))
    ordered = sorted(set(results), key=lambda r: (str(r[0]), str(r[1].shape), r[2]))
    for node, shape, index in ordered:
        check = shape.checks[index]
        result = BNode()
        graph.add((report, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.focusNode, node))
        graph.add((result, SH.resultSeverity, SH[check.severity]))
        graph.add((result, SH.sourceShape, check.shape))
        if check.path is not None:
            graph.add((result, SH.resultPath, check.path))
        if check.message:
            graph.add((result, SH.resultMessage, Literal(check.message)))
    return graph
