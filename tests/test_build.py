"""The build: sources into the embedded store, published atomically or not at all."""

from __future__ import annotations

import gc
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from filmgraph.build import FULL_COLLECTION_EVERY, build
from filmgraph.builddir import BuildDir
from filmgraph.errors import SourceError, StoreNotFound
from filmgraph.progress import Progress
from filmgraph.queries import run_named
from filmgraph.store import SelectResult, open_store

from .conftest import FIXTURES

SMALL = FIXTURES / "curated-small"
BROKEN = FIXTURES / "broken-credits"


def film_count(store_dir: Path) -> int:
    with open_store(store_dir) as store:
        result = store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { ?f a <https://w3id.org/filmgraph/ontology#Film> }"
        )
    assert isinstance(result, SelectResult)
    return int(result.rows[0][0])  # type: ignore[arg-type]


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "filmgraph", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def small_build(tmp_path: Path) -> Path:
    store_dir = tmp_path / "build"
    build(store_dir, sources=[SMALL], bundled=False)
    return store_dir


def test_a_build_publishes_a_queryable_store_and_a_trig_dump(small_build: Path) -> None:
    generation = BuildDir(small_build).current()
    assert generation.trig_path.stat().st_size > 0
    assert film_count(small_build) == 3


def test_the_summary_counts_what_the_graph_holds(small_build: Path) -> None:
    counts = BuildDir(small_build).current().summary()["counts"]
    assert counts["films"] == 3
    assert counts["people"] == 3
    assert counts["influence claims"] == 3
    assert counts["sources"] == 11


def test_every_source_gets_prov_metadata(small_build: Path) -> None:
    with open_store(small_build) as store:
        result = run_named(store, "graph-sources")
    assert isinstance(result, SelectResult)
    rows = result.dicts()
    assert {str(r["file"]) for r in rows} >= {
        "curated-small/films.csv",
        "curated-small/credits.csv",
    }
    assert all(len(str(r["checksum"])) == 64 for r in rows)


def test_a_broken_source_fails_with_file_line_and_field(small_build: Path) -> None:
    with pytest.raises(SourceError) as caught:
        build(small_build, sources=[BROKEN], bundled=False)
    assert (caught.value.file.name, caught.value.line, caught.value.field) == (
        "credits.csv",
        3,
        "person",
    )


def test_a_failed_build_leaves_the_previous_graph_untouched(small_build: Path) -> None:
    before = BuildDir(small_build).current().path
    with pytest.raises(SourceError):
        build(small_build, sources=[BROKEN], bundled=False)
    assert BuildDir(small_build).current().path == before
    assert film_count(small_build) == 3
    assert [p.name for p in (small_build / "generations").iterdir()] == [before.name]


def test_the_command_line_exits_2_and_names_the_bad_line(small_build: Path) -> None:
    done = run_cli("build", "--store", small_build, "--no-bundled", "--source", BROKEN, "--quiet")
    assert done.returncode == 2
    assert (
        "credits.csv:3: field 'person': refers to unknown person id 'grigori-aleksandrov'"
        in done.stderr
    )
    assert "Traceback" not in done.stderr
    assert film_count(small_build) == 3


def test_lenient_mode_builds_without_the_bad_record_and_lists_it(tmp_path: Path) -> None:
    done = run_cli(
        "build",
        "--store",
        tmp_path / "b",
        "--no-bundled",
        "--source",
        BROKEN,
        "--lenient",
        "--quiet",
    )
    assert "Skipped 1 bad record(s)" in done.stdout
    assert "credits.csv:3" in done.stdout
    assert film_count(tmp_path / "b") == 2


def test_a_build_killed_half_way_leaves_the_previous_graph(small_build: Path) -> None:
    before = BuildDir(small_build).current().path
    process = subprocess.Popen(
        [sys.executable, "-m", "filmgraph", "build", "--store", str(small_build)],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:  # wait until it is really loading sources
        if "wikidata-events" in line:
            break
    time.sleep(0.5)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert BuildDir(small_build).current().path == before
    assert film_count(small_build) == 3
    leftovers = [p for p in (small_build / "generations").iterdir() if p != before]
    assert leftovers, "the killed build should have left its half-made generation behind"
    build(small_build, sources=[SMALL], bundled=False)
    assert not any(p.exists() for p in leftovers), "the next build cleans up what was left"


def test_reading_before_any_build_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreNotFound, match="filmgraph build"):
        open_store(tmp_path / "nothing-here")


class _CollectorWatch(Progress):
    """Progress lines dropped; the collector's thresholds noted at every line."""

    def __init__(self) -> None:
        super().__init__(io.StringIO())
        self.thresholds: list[tuple[int, int, int]] = []

    def note(self, message: str) -> None:
        self.thresholds.append(gc.get_threshold())


def test_a_build_runs_with_rare_full_collections_and_restores_the_collector(
    tmp_path: Path,
) -> None:
    before = gc.get_threshold()
    watch = _CollectorWatch()
    build(tmp_path / "build", sources=[SMALL], bundled=False, progress=watch)
    assert watch.thresholds
    assert {t[2] for t in watch.thresholds} == {FULL_COLLECTION_EVERY}
    assert gc.get_threshold() == before


def test_a_failed_build_restores_the_collector(small_build: Path) -> None:
    before = gc.get_threshold()
    with pytest.raises(SourceError):
        build(small_build, sources=[BROKEN], bundled=False)
    assert gc.get_threshold() == before
