"""``filmgraph check``: one report combining the SHACL shapes and the violation queries.

The shapes (``ontology/shapes.ttl``) judge each node on its own: a film has one year, a claim
names a source. The violation queries (``queries/*-violation.rq``) judge what only the whole
graph shows: a claim pointing forward in time, a cycle of influence, sources disagreeing on a
year, a link to nothing. A check passes when its query returns no rows; the graph conforms
when the shapes find no violation and every check passes. The warning queries
(``queries/*-warning.rq``: an aspect naming someone else's style, an award dated before it
was first given) list what a scholar should review, with the evidence; they are reported
but do not make the graph fail.

The shapes are costly to run on a large graph, so a build keeps its SHACL findings
(``validation.json``) and :func:`check_build` reuses them; :func:`check_store` runs them.

One check is answered otherwise on an embedded store: ``influence-cycle-violation`` from
the strongly connected components of the influence steps
(:func:`filmgraph.analytics.cycles.cycle_members`), in time linear in the claims, where its
query starts two walks from every step that could close a cycle (68 s of CPU at 100,000
films, against about 1 s). Its rows are the query's (``tests/test_check_computed.py``
compares them on random graphs); a remote store runs the query, which asks the server for
the members alone instead of every step.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal
from rdflib.namespace import XSD

from filmgraph.analytics.cycles import cycle_members
from filmgraph.builddir import BuildDir
from filmgraph.provenance import ONTOLOGY_GRAPH
from filmgraph.queries import NamedQuery, catalogue
from filmgraph.reasoning import INFERRED_GRAPH
from filmgraph.resources import ontology_path, shapes_path
from filmgraph.results import shorten
from filmgraph.store import open_store
from filmgraph.store.base import SelectResult, Store
from filmgraph.store.binding import bind_rows
from filmgraph.validation import ValidationReport, validate_graph

__all__ = [
    "COMPUTED_CHECKS",
    "CheckReport",
    "CheckResult",
    "check_answer",
    "check_build",
    "check_store",
    "stated_data",
    "violation_queries",
    "warning_queries",
]

_SUFFIX = "-violation"
_WARNING_SUFFIX = "-warning"
_STATED = f"""
CONSTRUCT {{ ?s ?p ?o }}
WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER (?g != <{ONTOLOGY_GRAPH}> && ?g != <{INFERRED_GRAPH}>)
}}
"""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one violation query: its rows (none when it passes)."""

    name: str
    summary: str
    variables: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: "violation" (rows make the graph fail) or "warning" (rows are for review).
    severity: str = "violation"

    @property
    def passed(self) -> bool:
        return not self.rows


@dataclass
class CheckReport:
    """SHACL findings and violation-query results: one verdict, one deterministic text."""

    shacl: ValidationReport
    checks: list[CheckResult] = field(default_factory=list)
    #: Where the SHACL findings came from: "stored" (the build's) or "run" (just now).
    shacl_origin: str = "run"

    @property
    def conforms(self) -> bool:
        return self.shacl.conforms and all(
            c.passed for c in self.checks if c.severity == "violation"
        )

    def text(self, limit: int | None = 20) -> str:
        """The report as text: the same graph always gives the same text.

        ``limit`` caps the rows shown per failed check and the SHACL findings shown.
        """
        violations = [c for c in self.checks if c.severity == "violation"]
        failed = [c for c in violations if not c.passed]
        warned = [c for c in self.checks if c.severity == "warning" and not c.passed]
        lines = [
            f"Conforms: {'yes' if self.conforms else 'no'}",
            f"Checks: {len(violations) - len(failed)} of {len(violations)} passed"
            + (f"; {sum(len(c.rows) for c in warned)} warning(s) to review" if warned else ""),
        ]
        for check in self.checks:
            if check.passed:
                lines.append(f"[pass] {check.name}")
                continue
            mark = "FAIL" if check.severity == "violation" else "warn"
            lines.append(f"[{mark}] {check.name}: {len(check.rows)} row(s). {check.summary}")
            for row in check.rows[:limit]:
                cells = [f"{v}={c}" for v, c in zip(check.variables, row, strict=True) if c]
                lines.append("    " + "  ".join(cells))
            if limit is not None and len(check.rows) > limit:
                lines.append(f"    ... and {len(check.rows) - limit} more")
        lines.append(f"SHACL ({self.shacl_origin}):")
        lines += ["    " + line for line in self.shacl.text(limit).rstrip("\n").splitlines()]
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        """The report as plain data, for ``--format json``."""
        return {
            "conforms": self.conforms,
            "checks": [
                {
                    "name": c.name,
                    "summary": c.summary,
                    "severity": c.severity,
                    "passed": c.passed,
                    "rows": [dict(zip(c.variables, row, strict=True)) for row in c.rows],
                }
                for c in self.checks
            ],
            "shacl": {"origin": self.shacl_origin, **self.shacl.to_json()},
        }


def violation_queries(directory: Path | None = None) -> list[NamedQuery]:
    """The ``*-violation`` queries of the catalogue, by name."""
    return [q for name, q in sorted(catalogue(directory).items()) if name.endswith(_SUFFIX)]


def warning_queries(directory: Path | None = None) -> list[NamedQuery]:
    """The ``*-warning`` queries of the catalogue, by name: findings to review, not failures."""
    return [q for name, q in sorted(catalogue(directory).items()) if name.endswith(_WARNING_SUFFIX)]


#: Every step of influence a claim states, as (later, earlier): the two ends read as two
#: scans and hash-joined (as one pattern, Oxigraph looks each claim's other end up).
_STEPS = """
PREFIX fg: <https://w3id.org/filmgraph/ontology#>
SELECT DISTINCT ?later ?earlier
WHERE {
  { SELECT ?claim ?later WHERE { ?claim fg:influencee ?later } }
  { SELECT ?claim ?earlier WHERE { ?claim fg:influencer ?earlier } }
}
"""
#: The rows of influence-cycle-violation for the members found (a VALUES block gives ?work;
#: rdflib answers VALUES followed by nothing but an OPTIONAL with no rows, hence the claim).
_MEMBERS = """
PREFIX fg: <https://w3id.org/filmgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?work ?label
WHERE {
  ?claim fg:influencee|fg:influencer ?work .
  OPTIONAL { ?work rdfs:label ?label }
}
"""


def _influence_cycles(store: Store) -> SelectResult:
    """The rows of ``influence-cycle-violation``, from the components of the steps."""
    steps = store.query(_STEPS)
    if not isinstance(steps, SelectResult):
        raise TypeError("the influence steps must be a SELECT answer")
    members = cycle_members(
        (later, earlier)
        for later, earlier in steps.rows
        if later is not None and earlier is not None
    )
    if not members:
        return SelectResult(["work", "label"], [])
    result = store.query(bind_rows(_MEMBERS, "work", sorted(members)))
    if not isinstance(result, SelectResult):
        raise TypeError("the cycle members must be a SELECT answer")
    return result


#: Checks answered by a function on an embedded store: the same rows as the query.
_COMPUTED: dict[str, Callable[[Store], SelectResult]] = {
    "influence-cycle-violation": _influence_cycles,
}
#: The names of the checks :func:`check_answer` computes instead of running their query.
COMPUTED_CHECKS = frozenset(_COMPUTED)


def check_answer(store: Store, query: NamedQuery) -> SelectResult:
    """The rows of a check (a violation or warning query) on ``store``: its query's answer,
    computed by a faster route for :data:`COMPUTED_CHECKS` unless the store is remote."""
    from filmgraph.store.sparql import SparqlStore  # imported here: only to tell a remote apart

    computed = _COMPUTED.get(query.name)
    if computed is not None and not isinstance(store, SparqlStore):
        return computed(store)
    result = store.query(query.text, query.bindings({}))
    if not isinstance(result, SelectResult):
        raise TypeError(f"{query.path}: a violation query must be a SELECT")
    return result


def _run_checks(store: Store, directory: Path | None) -> list[CheckResult]:
    results = []
    for query in [*violation_queries(directory), *warning_queries(directory)]:
        result = check_answer(store, query)
        rows = sorted(tuple(shorten(t) for t in row) for row in result.rows)
        severity = "warning" if query.name.endswith(_WARNING_SUFFIX) else "violation"
        results.append(
            CheckResult(query.name, query.summary, tuple(result.variables), tuple(rows), severity)
        )
    return results


def stated_data(store: Store) -> Graph:
    """Every triple the sources state: the union of all graphs but the ontology and the
    inferred graph (the shapes judge what sources say, not what the rules add)."""
    result = store.query(_STATED)
    assert isinstance(result, Graph)
    # Engines hand back plain strings typed xsd:string; rdflib (and so pySHACL's sh:in)
    # tells "exact"^^xsd:string from "exact", so they are made plain again, as loaded.
    data = Graph()
    for s, p, o in result:
        if isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))
        data.add((s, p, o))
    return data


def check_store(
    store: Store,
    *,
    shacl: ValidationReport | None = None,
    queries: Path | None = None,
) -> CheckReport:
    """Check a store: run every violation query, and the shapes unless ``shacl`` is given.

    Parameters
    ----------
    store : Store
        The graph to check (a build's store, or any store holding the ontology).
    shacl : ValidationReport, optional
        SHACL findings already made for this data (a build's); run afresh when absent.
    queries : Path, optional
        Another folder of named queries (the project's ``queries/`` by default).
    """
    origin = "stored"
    if shacl is None:
        shacl = validate_graph(stated_data(store), shapes_path(), ontology_path())
        origin = "run"
    return CheckReport(shacl, _run_checks(store, queries), origin)


def check_build(store_dir: Path, *, rerun_shacl: bool = False) -> CheckReport:
    """Check the current generation of a build, reusing its SHACL findings when it kept them."""
    generation = BuildDir(store_dir).current()
    stored = generation.path / "validation.json"
    shacl = None
    if stored.is_file() and not rerun_shacl:
        data: Mapping[str, Any] = json.loads(stored.read_text(encoding="utf-8"))
        shacl = ValidationReport.from_json(dict(data))
    with open_store(store_dir) as store:
        return check_store(store, shacl=shacl)
