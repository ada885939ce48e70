"""``filmgraph check`` and ``filmgraph contested`` find the problems planted in a fixture.

The fixture (``tests/fixtures/analytics/``) holds a claim pointing forward in time, a cycle
of three claims and a year on which two sources disagree, and nothing else wrong in its
influence claims.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from filmgraph.build import build
from filmgraph.checks import check_build, check_store, violation_queries, warning_queries
from filmgraph.cli import main
from filmgraph.store import open_store

from .conftest import FIXTURES

ANALYTICS = FIXTURES / "analytics"


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store_dir = tmp_path_factory.mktemp("planted") / "build"
    build(
        store_dir, sources=[ANALYTICS / "planted", ANALYTICS / "planted-archive.ttl"], bundled=False
    )
    return store_dir


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store_dir = tmp_path_factory.mktemp("sound") / "build"
    build(store_dir, sources=[FIXTURES / "curated-small"], bundled=False)
    return store_dir


def failed(store_dir: Path) -> dict[str, list[dict[str, str]]]:
    report = check_build(store_dir).to_json()
    return {c["name"]: c["rows"] for c in report["checks"] if not c["passed"]}


def test_every_violation_and_warning_query_is_checked(planted: Path) -> None:
    names = {c["name"] for c in check_build(planted).to_json()["checks"]}
    assert names == {q.name for q in [*violation_queries(), *warning_queries()]}
    assert {
        "forward-influence-violation",
        "influence-cycle-violation",
        "film-year-conflict-violation",
        "claim-without-source-violation",
        "unresolved-reference-violation",
        "dangling-link-violation",
    } <= names


def test_the_forward_in_time_claim_is_found(planted: Path) -> None:
    rows = failed(planted)["forward-influence-violation"]
    assert [(r["influencer"], r["influencee"]) for r in rows] == [
        ("film:after-1950", "film:late-1937")
    ]


def test_the_cycle_is_found(planted: Path) -> None:
    rows = failed(planted)["influence-cycle-violation"]
    assert [r["work"] for r in rows] == ["film:ring-a-1931", "film:ring-b-1931", "film:ring-c-1931"]


def test_the_year_conflict_is_found(planted: Path) -> None:
    (row,) = failed(planted)["film-year-conflict-violation"]
    assert (row["film"], row["earliest"], row["latest"]) == ("film:late-1937", "1936", "1937")


def test_nothing_but_the_planted_problems_fails(planted: Path) -> None:
    assert set(failed(planted)) == {
        "forward-influence-violation",
        "influence-cycle-violation",
        "film-year-conflict-violation",
    }


def test_the_report_combines_shacl_with_the_checks(planted: Path) -> None:
    report = check_build(planted)
    assert not report.conforms
    assert report.shacl_origin == "stored"
    assert any(f.focus == "film:late-1937" and f.path == "fg:year" for f in report.shacl.findings)


def test_the_text_report_is_deterministic(planted: Path) -> None:
    assert check_build(planted).text() == check_build(planted).text()


def test_stored_and_fresh_shacl_findings_agree(planted: Path) -> None:
    stored = check_build(planted)
    with open_store(planted) as store:
        fresh = check_store(store)
    assert fresh.shacl_origin == "run"
    assert fresh.shacl.findings == stored.shacl.findings


def test_check_exits_1_when_the_graph_does_not_conform(
    planted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--store", str(planted)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Conforms: no\n")
    assert "[FAIL] influence-cycle-violation: 3 row(s)" in out


def test_check_json_is_for_machines(planted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--store", str(planted), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data["conforms"] is False
    assert {"conforms", "findings", "origin"} <= set(data["shacl"])


def test_check_exits_0_when_the_graph_conforms(sound: Path) -> None:
    report = check_build(sound)
    assert report.conforms, report.text()
    assert main(["check", "--store", str(sound)]) == 0


def test_check_exits_2_without_a_build(tmp_path: Path) -> None:
    assert main(["check", "--store", str(tmp_path / "nothing")]) == 2


def test_contested_finds_every_planted_problem(
    planted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["contested", "--store", str(planted), "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)["contested"]
    summary = sorted((c["kind"], tuple(n["id"] for n in c["nodes"])) for c in found)
    assert summary == [
        ("cycle", ("film:ring-a-1931", "film:ring-c-1931", "film:ring-b-1931")),
        ("forward in time", ("film:after-1950", "film:late-1937")),
        ("year conflict", ("film:late-1937",)),
    ]


def test_contested_exits_1_when_nothing_is_contested(sound: Path) -> None:
    assert main(["contested", "--store", str(sound)]) == 1


def test_path_follows_the_sound_chain(planted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["path", "Early Film", "Late Film", "--store", str(planted)]) == 0
    out = capsys.readouterr().out
    assert "1. [2 step(s)] Early Film (1925) -> Middle Film (1930) -> Late Film (1936)" in out
    assert "industrial imagery" in out


def test_path_exits_1_when_influence_never_flows_that_way(planted: Path) -> None:
    assert main(["path", "Late Film", "Early Film", "--store", str(planted)]) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["lineage", "Early Film", "--depth", "2"],
        ["rank", "--top", "3"],
        ["bridges"],
        ["communities", "--min-size", "2"],
    ],
)
def test_every_analytics_command_speaks_json(
    planted: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--store", str(planted), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)


def test_warnings_are_listed_but_do_not_make_the_graph_fail(tmp_path: Path) -> None:
    (tmp_path / "early-award.ttl").write_text(EARLY_AWARD, encoding="utf-8")
    build(
        tmp_path / "build",
        sources=[FIXTURES / "curated-small", tmp_path / "early-award.ttl"],
        bundled=False,
    )
    report = check_build(tmp_path / "build")
    warned = {c.name for c in report.checks if not c.passed}
    assert warned == {"award-before-inception-warning"}
    assert report.conforms
    assert "[warn] award-before-inception-warning: 1 row(s)" in report.text()
    assert "1 warning(s) to review" in report.text()


EARLY_AWARD = """
@prefix fg: <https://w3id.org/filmgraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix award: <https://w3id.org/filmgraph/id/award/> .
@prefix source: <https://w3id.org/filmgraph/id/source/> .
@prefix person: <https://w3id.org/filmgraph/id/person/> .
@prefix recognition: <https://w3id.org/filmgraph/id/recognition/> .
award:test-prize a fg:Award ; rdfs:label "Test Prize"@en ; fg:firstAwarded "1941"^^xsd:gYear .
source:test-notes a fg:SourceDocument ; rdfs:label "Test notes" .
recognition:test a fg:AwardRecognition ; fg:ofAward award:test-prize ;
    fg:recipient person:test-director ; fg:outcome fg:Nominated ;
    fg:year "1938"^^xsd:gYear ; fg:source source:test-notes .
person:test-director a fg:Person ; rdfs:label "Test Director"@en .
"""
