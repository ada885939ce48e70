"""`filmgraph build --source` with new pages: merged with what else is built, report printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from filmgraph.cli import main

from .conftest import FIXTURES

CURATED = FIXTURES / "curated-small"
PAGES = FIXTURES / "pages"


def build(tmp_path: Path, *args: str) -> int:
    return main(
        [
            "build",
            "--store",
            str(tmp_path / "build"),
            "--no-bundled",
            "--quiet",
            "--source",
            str(CURATED),
            *args,
        ]
    )


def test_a_folder_of_new_pages_merges_with_the_other_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build(tmp_path, "--source", str(PAGES / "good"), "--format", "json") in (0, 1)
    summary = json.loads(capsys.readouterr().out)
    assert summary["counts"]["sources"] > 1
    # Strike is named by the page and described by the curated tables: one node, resolved
    labels = [u["label"] for u in summary["unresolved"]]
    assert "Strike" not in labels
    assert "Ivan Testov" in labels


def test_a_page_read_before_the_tables_that_describe_its_films_is_resolved_by_linking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "build",
            "--store",
            str(tmp_path / "build"),
            "--no-bundled",
            "--quiet",
            "--format",
            "json",
            "--source",
            str(PAGES / "good"),
            "--source",
            str(CURATED),
        ]
    )
    assert code in (0, 1)
    summary = json.loads(capsys.readouterr().out)
    assert summary["linking"]["placeholders resolved"] >= 1
    assert "Strike" not in [u["label"] for u in summary["unresolved"]]


def test_the_build_prints_the_resolution_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build(tmp_path, "--source", str(PAGES / "good"))
    out = capsys.readouterr().out
    assert "Entity resolution:" in out
    assert "unresolved person: Ivan Testov" in out


def test_strict_fails_atomically_on_a_bad_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build(tmp_path, "--source", str(PAGES / "good")) in (0, 1)
    current = (tmp_path / "build" / "current").resolve()
    assert build(tmp_path, "--source", str(PAGES / "bad")) == 2
    assert "connection-without-title.txt:16: field 'Influenced By'" in capsys.readouterr().err
    assert (tmp_path / "build" / "current").resolve() == current


def test_lenient_skips_bad_pages_and_lists_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build(tmp_path, "--lenient", "--source", str(PAGES / "bad")) in (0, 1)
    out = capsys.readouterr().out
    assert "Skipped 3 bad record(s)" in out
    assert "no-year.txt" in out
