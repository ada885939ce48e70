"""Validation against the SHACL shapes, as one report: a verdict, a graph and a text.

Violations mean the data is wrong; warnings mean it is incomplete (a film with no known
director). Only violations make a graph fail to conform.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from filmgraph.namespaces import PREFIXES

__all__ = ["Finding", "ValidationReport", "validate_graph"]

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
    graph: Graph = field(default_factory=Graph)

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
            "Findings: " + ", ".join(
                f"{counts.get(s, 0)} {s.lower()}(s)" for s in ("Violation", "Warning", "Info")
            ),
        ]
        ordered = sorted(self.findings, key=lambda f: (_SEVERITY_ORDER.get(f.severity, 9), f))
        for finding in ordered[:limit]:
            lines.append(
                f"[{finding.severity}] {finding.focus} {finding.path}: {finding.message}"
            )
        if limit is not None and len(ordered) > limit:
            lines.append(f"... and {len(ordered) - limit} more")
        return "\n".join(lines) + "\n"


def _short(term: Node | None) -> str:
    if term is None:
        return "-"
    if isinstance(term, BNode):
        return "[]"  # blank-node ids change from run to run; the report must not
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, iri in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if text.startswith(iri) and len(text) > len(iri):
                return f"{prefix}:{text[len(iri):]}"
        return f"<{text}>"
    return str(term)


def validate_graph(
    data: Graph, shapes: Path, ontology: Path, *, inplace: bool = False
) -> ValidationReport:
    """Validate ``data`` against the shapes, with the ontology's class hierarchy in view.

    With ``inplace`` the ontology's triples are added to ``data`` itself rather than to a
    copy, which saves copying a large graph (a fifth of the validation time of the bundled
    graph); the build passes a graph it throws away afterwards.
    """
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
