"""Disagreement is data: two sources giving a film different release dates, runtimes and
years keep both values with their sources, a warning names them, and the build conforms.

Exit codes (README, "Exit codes"): ``build`` 0 (warnings only); ``check`` 1, because the
year conflict puts the direction of the film's claims in doubt (film-year-conflict-violation).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from filmgraph.build import BuildResult, build
from filmgraph.cli import main
from filmgraph.store import open_store
from filmgraph.store.base import SelectResult

from .conftest import FIXTURES

FOLDER = FIXTURES / "disagreement"
SOURCES = [FOLDER / "premiere.ttl", FOLDER / "general-release.ttl"]
FILM = "https://w3id.org/filmgraph/id/film/the-harvest-1937"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    store = tmp_path_factory.mktemp("disagreement") / "build"
    return store, build(store, sources=SOURCES, bundled=False)


def stated(store: Path, prop: str) -> set[tuple[str, str]]:
    fg = "https://w3id.org/filmgraph/ontology#"
    query = f"SELECT ?g ?v {{ GRAPH ?g {{ <{FILM}> <{fg}{prop}> ?v }} }}"
    with open_store(store) as s:
        result = s.query(query)
        assert isinstance(result, SelectResult)
        return {(str(g).rsplit("/", 1)[-1], str(v)) for g, v in result.rows}


@pytest.mark.parametrize(
    ("prop", "values"),
    [
        ("releaseDate", {("premiere-ttl", "1937-11-07"), ("general-release-ttl", "1938-02-15")}),
        ("runtime", {("premiere-ttl", "84"), ("general-release-ttl", "79")}),
        ("year", {("premiere-ttl", "1937"), ("general-release-ttl", "1938")}),
    ],
)
def test_both_values_are_kept_with_their_sources(
    built: tuple[Path, BuildResult], prop: str, values: set[tuple[str, str]]
) -> None:
    assert stated(built[0], prop) == values


def test_the_build_conforms(built: tuple[Path, BuildResult]) -> None:
    assert built[1].validation.conforms, built[1].validation.text()


@pytest.mark.parametrize("path", ["fg:releaseDate", "fg:year"])
def test_a_shacl_warning_flags_the_film(built: tuple[Path, BuildResult], path: str) -> None:
    (finding,) = [f for f in built[1].validation.findings if f.path == path]
    assert finding.severity == "Warning"
    assert finding.focus == "film:the-harvest-1937"


@pytest.mark.parametrize("prop", ["releaseDate", "runtime", "year"])
def test_the_warning_names_both_sources(built: tuple[Path, BuildResult], prop: str) -> None:
    (line,) = [c for c in built[1].linking.contradictions if f" {prop}: " in c]
    assert "premiere-ttl" in line and "general-release-ttl" in line


def test_build_exits_0_and_check_exits_1(tmp_path: Path) -> None:
    store = tmp_path / "build"
    sources = [a for s in SOURCES for a in ("--source", str(s))]
    assert main(["build", "--quiet", "--no-bundled", "--store", str(store), *sources]) == 0
    assert main(["check", "--store", str(store)]) == 1
