"""The SHACL shapes: broken data is a violation, incomplete data only a warning."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from filmgraph.build import BuildResult
from filmgraph.resources import ontology_path, shapes_path
from filmgraph.validation import ValidationReport, validate_graph

from .conftest import FIXTURES

SHAPES = FIXTURES / "shapes"


def check(name: str) -> ValidationReport:
    data = Graph().parse(SHAPES / name, format="turtle")
    return validate_graph(data, shapes_path(), ontology_path())


def test_a_complete_film_conforms_without_warnings() -> None:
    report = check("complete-film.ttl")
    assert report.conforms
    assert report.count("Violation") == report.count("Warning") == 0


def test_a_film_without_a_director_is_incomplete_not_wrong() -> None:
    report = check("film-without-director.ttl")
    assert report.conforms
    warnings = [f for f in report.findings if f.severity == "Warning"]
    assert [(f.focus, f.path) for f in warnings] == [("film:earth-1930", "fg:director")]


@pytest.mark.parametrize(
    ("fixture", "focus", "path"),
    [
        ("film-without-year.ttl", "film:earth", "fg:year"),
        ("year-not-a-gyear.ttl", "film:earth-1930", "fg:year"),
        ("claim-without-source.ttl", "claim:x", "fg:source"),
        ("claim-between-person-and-film.ttl", "claim:x", "fg:influencer"),
    ],
)
def test_broken_data_is_a_violation_naming_node_and_property(
    fixture: str, focus: str, path: str
) -> None:
    report = check(fixture)
    assert not report.conforms
    violations = {(f.focus, f.path) for f in report.findings if f.severity == "Violation"}
    assert (focus, path) in violations


def test_an_interval_that_ends_before_it_starts_is_reported() -> None:
    # Across merged sources this is a disagreement (a warning); within one source the
    # interval-order-violation query makes it a violation.
    report = check("event-ends-before-it-starts.ttl")
    warnings = {(f.focus, f.path) for f in report.findings if f.severity == "Warning"}
    assert ("event:great-purge", "fg:startDate") in warnings


def test_the_text_report_is_deterministic() -> None:
    assert check("film-without-year.ttl").text() == check("film-without-year.ttl").text()


def test_the_bundled_graph_conforms(bundled_build: BuildResult) -> None:
    report = bundled_build.validation
    assert report.conforms, report.text(limit=20)


def test_every_fixture_is_exercised() -> None:
    used = {p.name for p in Path(SHAPES).glob("*.ttl")}
    assert used == {
        "complete-film.ttl",
        "film-without-director.ttl",
        "film-without-year.ttl",
        "year-not-a-gyear.ttl",
        "claim-without-source.ttl",
        "claim-between-person-and-film.ttl",
        "event-ends-before-it-starts.ttl",
    }
