"""The real remake list (``../shared/data/wikipedia-film-remakes/remakes.csv``), described by
CSVW metadata as an edge table keyed by Wikidata ids, is judged by the checks exactly as a
few lines of csv-module code count it independently: forward-in-time edges, cycles,
self-loops, films dated twice, and rows whose ids are empty (skipped and listed, so nothing
dangles).

Skips when ``../shared`` is absent; fails instead under ``CI=true``.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections import defaultdict
from pathlib import Path

import networkx as nx
import pytest

from filmgraph.build import build
from filmgraph.checks import check_build
from filmgraph.cli import main

from .conftest import FIXTURES, SHARED

TABLE = SHARED / "data" / "wikipedia-film-remakes" / "remakes.csv"
METADATA = FIXTURES / "remakes-csvw" / "remakes.csv-metadata.json"
WD = "http://www.wikidata.org/entity/"


@pytest.fixture(scope="module")
def table() -> Path:
    if not TABLE.is_file():
        message = f"{TABLE} is missing (the shared data folder beside the checkout)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return TABLE


class Counted:
    """What the table holds, counted with the csv module alone."""

    def __init__(self, path: Path) -> None:
        rows: list[dict[str, str]] = []
        starts: list[int] = []  # the line each record starts on (a cell may hold a newline)
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            end = 1
            for row in reader:
                rows.append(row)
                starts.append(end + 1)
                end = reader.line_num
        self.empty_id_lines = [
            n
            for n, r in zip(starts, rows, strict=True)
            if not r["original_wikidata_id"] or not r["remake_wikidata_id"]
        ]
        kept = [r for r in rows if r["original_wikidata_id"] and r["remake_wikidata_id"]]
        self.years: dict[str, set[int]] = defaultdict(set)
        for r in kept:
            self.years[r["original_wikidata_id"]].add(int(r["original_year"]))
            self.years[r["remake_wikidata_id"]].add(int(r["remake_year"]))
        edges = {(r["original_wikidata_id"], r["remake_wikidata_id"]) for r in kept}
        self.self_loops = {a for a, b in edges if a == b}
        self.forward = {
            (a, b) for a, b in edges if a != b and min(self.years[a]) > max(self.years[b])
        }
        graph = nx.DiGraph(list(edges))
        self.on_cycles = {
            n for c in nx.strongly_connected_components(graph) if len(c) > 1 for n in c
        } | self.self_loops
        self.dated_twice = {q for q, ys in self.years.items() if len(ys) > 1}


@pytest.fixture(scope="module")
def built(table: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("remakes")
    shutil.copy(table, folder / "remakes.csv")
    shutil.copy(METADATA, folder / METADATA.name)
    store = folder / "build"
    result = build(store, sources=[folder / METADATA.name], bundled=False, strict=False)
    return store, result.skipped


@pytest.fixture(scope="module")
def counted(table: Path) -> Counted:
    return Counted(table)


@pytest.fixture(scope="module")
def failed(built: tuple[Path, list[str]]) -> dict[str, list[dict[str, str]]]:
    report = check_build(built[0]).to_json()
    return {c["name"]: c["rows"] for c in report["checks"]}


def short(qid: str) -> str:
    return f"wd:{qid}"


def test_rows_with_an_empty_id_are_skipped_and_listed(
    built: tuple[Path, list[str]], counted: Counted
) -> None:
    lines = sorted(int(s.split(":")[1]) for s in built[1] if "empty identifier" in s)
    assert lines == counted.empty_id_lines
    assert len(lines) == 3


def test_nothing_dangles(failed: dict[str, list[dict[str, str]]]) -> None:
    assert failed["dangling-link-violation"] == []


def test_forward_in_time_edges_are_those_counted(
    failed: dict[str, list[dict[str, str]]], counted: Counted
) -> None:
    found = {(r["influencer"], r["influencee"]) for r in failed["forward-influence-violation"]}
    assert found == {(short(a), short(b)) for a, b in counted.forward}


def test_self_loops_are_those_counted(
    failed: dict[str, list[dict[str, str]]], counted: Counted
) -> None:
    found = {r["thing"] for r in failed["self-influence-violation"]}
    assert found == {short(q) for q in counted.self_loops}
    assert len(found) == 16  # 18 rows (SOURCE.md), two films listed twice


def test_works_on_a_cycle_are_those_counted(
    failed: dict[str, list[dict[str, str]]], counted: Counted
) -> None:
    found = {r["work"] for r in failed["influence-cycle-violation"]}
    assert found == {short(q) for q in counted.on_cycles}


def test_films_dated_twice_are_those_counted(
    failed: dict[str, list[dict[str, str]]], counted: Counted
) -> None:
    found = {r["film"] for r in failed["film-year-conflict-violation"]}
    assert found == {short(q) for q in counted.dated_twice}
    assert len(found) == 39


def test_contested_finds_the_same(
    built: tuple[Path, list[str]], counted: Counted, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["contested", "--store", str(built[0]), "--format", "json"])
    found = json.loads(capsys.readouterr().out)["contested"]
    by_kind: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for c in found:
        by_kind[c["kind"]].add(tuple(node["id"] for node in c["nodes"]))
    assert by_kind["forward in time"] == {(short(a), short(b)) for a, b in counted.forward}
    assert by_kind["year conflict"] == {(short(q),) for q in counted.dated_twice}
    assert by_kind["cycle"] == set()
    assert by_kind["self-influence"] == {(short(q),) for q in counted.self_loops}
