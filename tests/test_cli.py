"""The command line: a thin layer with exit codes as a contract and JSON for machines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from filmgraph.build import build
from filmgraph.cli import main, parser

from .conftest import FIXTURES


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "build"
    build(path, sources=[FIXTURES / "curated-small"], bundled=False)
    return path


def test_every_command_has_help() -> None:
    sub = next(a for a in parser()._actions if a.dest == "command")
    for name, command in sub.choices.items():  # type: ignore[union-attr]
        assert command.format_help(), name
        assert any(a.help for a in sub._choices_actions if a.dest == name), name  # type: ignore[attr-defined]


def test_python_dash_m_runs_the_same_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "filmgraph", "queries"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "film-influences" in done.stdout


def test_a_named_query_prints_a_table(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "query",
            "film-influences",
            "--store",
            str(store),
            "--param",
            "film=film:battleship-potemkin-1925",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "parallel editing" in out and "(2 rows)" in out


def test_json_output_is_sparql_results_json(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(
        [
            "query",
            "film-influences",
            "--store",
            str(store),
            "--format",
            "json",
            "--param",
            "film=film:battleship-potemkin-1925",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert "influencer" in data["head"]["vars"]
    aspects = {b["aspect"]["value"] for b in data["results"]["bindings"]}
    assert aspects == {"parallel editing", "crowd choreography"}
    assert all(b["aspect"]["xml:lang"] == "en" for b in data["results"]["bindings"])


def test_any_sparql_can_be_run(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "query",
            "--store",
            str(store),
            "--format",
            "csv",
            "--sparql",
            "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/filmgraph/ontology#Film> }",
        ]
    )
    assert code == 0
    assert capsys.readouterr().out.splitlines() == ["n", "3"]


def test_typed_sparql_may_use_the_projects_prefixes(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "query",
            "--store",
            str(store),
            "--format",
            "csv",
            "--sparql",
            "SELECT ?f WHERE { ?f a fg:Film ; fg:year ?y } ORDER BY ?y LIMIT 1",
        ]
    )
    assert code == 0
    assert (
        capsys.readouterr().out.splitlines()[1]
        == "https://w3id.org/filmgraph/id/film/intolerance-1916"
    )


def test_columns_choose_what_is_shown(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "query",
            "film-influences",
            "--store",
            str(store),
            "--format",
            "csv",
            "--param",
            "film=film:battleship-potemkin-1925",
            "--columns",
            "influencerLabel,aspect",
        ]
    )
    assert code == 0
    assert capsys.readouterr().out.splitlines() == [
        "influencerLabel,aspect",
        "Intolerance,parallel editing",
        "Strike,crowd choreography",
    ]


def test_an_unknown_column_is_bad_usage(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "query",
            "film-influences",
            "--store",
            str(store),
            "--columns",
            "director",
            "--param",
            "film=film:battleship-potemkin-1925",
        ]
    )
    assert code == 2
    assert "no column director" in capsys.readouterr().err


def test_no_rows_exits_1(store: Path) -> None:
    assert (
        main(
            [
                "query",
                "film-influences",
                "--store",
                str(store),
                "--param",
                "film=film:intolerance-1916",
            ]
        )
        == 1
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "no-such-query"], "no query named"),
        (["query", "film-influences"], "needs --param film"),
        (["query", "film-influences", "--param", "film"], "expects KEY=VALUE"),
        (["query", "--sparql", "SELEC nothing"], "query"),
    ],
)
def test_bad_usage_exits_2_with_a_message(
    store: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--store", str(store)]) == 2
    assert message in capsys.readouterr().err


def test_a_missing_build_exits_2_and_says_how_to_make_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["summary", "--store", str(tmp_path)]) == 2
    assert "filmgraph build" in capsys.readouterr().err


def test_summary_reports_counts_as_json(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", "--store", str(store), "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["counts"]["films"] == 3
    assert summary["conforms"] is True


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_machine_formats_are_exactly_what_results_renders(
    store: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from filmgraph.queries import run_named
    from filmgraph.results import render
    from filmgraph.store import open_store

    params = {"film": "film:battleship-potemkin-1925"}
    main(
        [
            "query",
            "film-influences",
            "--store",
            str(store),
            "--format",
            fmt,
            "--param",
            f"film={params['film']}",
        ]
    )
    with open_store(store) as opened:
        expected = render(run_named(opened, "film-influences", params), fmt)
    assert capsys.readouterr().out == expected


def test_a_table_off_a_terminal_has_no_escape_codes(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(
        [
            "query",
            "film-influences",
            "--store",
            str(store),
            "--param",
            "film=film:battleship-potemkin-1925",
        ]
    )
    assert "\x1b[" not in capsys.readouterr().out


def test_a_reader_that_stops_early_gets_no_traceback(store: Path) -> None:
    # more rows than a pipe holds, so the command is still writing when the reader goes
    everything = "SELECT * WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    command = [
        sys.executable,
        "-m",
        "filmgraph",
        "query",
        "--store",
        str(store),
        "--sparql",
        everything,
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()  # like `| head -1`
        errors = process.stderr.read().decode()
        code = process.wait(timeout=120)
    assert "Traceback" not in errors
    assert code == 141
