"""The worked recipe ``docs/recipes/foreign-tables.md`` runs as written: its files, its
commands, and the three problems it says the checks find."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from filmgraph.checks import check_build
from filmgraph.cli import main

from .conftest import REPO

RECIPE = REPO / "docs" / "recipes" / "foreign-tables.md"
FOLDER = RECIPE.with_suffix("")
ARCHIVE = "https://archive.example.org/film/"


def commands() -> list[list[str]]:
    """The recipe's shell commands, each as arguments of ``filmgraph``."""
    blocks = re.findall(r"```sh\n(.*?)```", RECIPE.read_text(encoding="utf-8"), re.DOTALL)
    text = "\n".join(blocks).replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        words = shlex.split(line)
        if words and words[0].endswith("/filmgraph"):
            found.append(words[1:])
    return found


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("recipe") / "foreign"
    build_args = next(c for c in commands() if c[0] == "build")
    args = [str(target) if a == "/tmp/foreign" else a for a in build_args]
    args = [str(REPO / a) if a.startswith("docs/") else a for a in args]
    assert main([*args, "--quiet"]) == 1  # the recipe says why: the edge to a-199
    return target


def test_the_recipe_names_exactly_the_files_of_its_folder() -> None:
    named = {Path(a).name for c in commands() for a in c if a.startswith("docs/")}
    tables = {p.name for p in FOLDER.iterdir() if not p.name.endswith(".csv")}
    assert named == tables
    assert {p.name for p in FOLDER.iterdir()} == named | {"films.csv", "edges.csv"}


def test_the_recipe_builds_checks_and_lists_the_contested(store: Path) -> None:
    expected = {"check": 1, "contested": 0}  # check fails; contested found something
    for args in commands()[1:]:
        run = [str(store) if a == "/tmp/foreign" else a for a in args]
        assert main(run) == expected[run[0]]


def failed_rows(store: Path) -> dict[str, list[dict[str, str]]]:
    report = check_build(store).to_json()
    return {c["name"]: c["rows"] for c in report["checks"] if not c["passed"]}


def test_the_film_missing_from_the_catalogue_is_dangling(store: Path) -> None:
    rows = failed_rows(store)["dangling-link-violation"]
    assert {r["target"] for r in rows} == {ARCHIVE + "a-199"}
    assert {r["property"] for r in rows} == {"fg:influencer", "fg:inspiredBy"}


def test_the_notes_claim_pointing_forward_in_time_is_flagged(store: Path) -> None:
    (row,) = failed_rows(store)["forward-influence-violation"]
    assert (row["influencer"], row["influencee"]) == (ARCHIVE + "a-106", ARCHIVE + "a-102")
    assert row["source"] == "source:film-society-notes"


def test_the_remake_and_the_notes_run_in_a_circle(store: Path) -> None:
    rows = failed_rows(store)["influence-cycle-violation"]
    assert [r["work"] for r in rows] == [ARCHIVE + "a-102", ARCHIVE + "a-106"]


def test_nothing_else_fails_but_the_unresolved_names(store: Path) -> None:
    assert set(failed_rows(store)) == {
        "dangling-link-violation",
        "forward-influence-violation",
        "influence-cycle-violation",
        "unresolved-reference-violation",
    }
