"""Where a build keeps its working graph: in memory, or on disk for a graph larger than the
memory. Both give the same generation, quad for quad (build timestamps aside), with the same
findings, summary and derived files; ``auto`` goes to disk only when the sources would not fit.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

import filmgraph.build as build_module
from filmgraph.build import build, working_store_on_disk
from filmgraph.builddir import BuildDir
from filmgraph.errors import BuildError
from filmgraph.manifest import spec_for_path

from .conftest import REPO, separate_sources
from .test_build_incremental import derived, findings, quads, summary
from .test_build_store import stored

PAGES = REPO / "graph" / "sources" / "pages"


@pytest.fixture
def sources(tmp_path: Path) -> list[Path]:
    return separate_sources(tmp_path / "src")


def test_a_build_on_disk_gives_the_graph_a_build_in_memory_gives(
    sources: list[Path], tmp_path: Path
) -> None:
    build(tmp_path / "memory", sources=sources, bundled=False, working_store="memory")
    build(tmp_path / "disk", sources=sources, bundled=False, working_store="disk")
    assert quads(tmp_path / "disk") == quads(tmp_path / "memory")
    assert summary(tmp_path / "disk") == summary(tmp_path / "memory")
    assert findings(tmp_path / "disk") == findings(tmp_path / "memory")
    assert derived(tmp_path / "disk") == derived(tmp_path / "memory")


def test_a_build_on_disk_keeps_the_merge_and_the_dump_of_its_named_graphs(
    sources: list[Path], tmp_path: Path
) -> None:
    build(tmp_path / "disk", sources=sources, bundled=False, working_store="disk")
    generation = BuildDir(tmp_path / "disk").current()
    named, default = stored(generation)
    # blank nodes included: the store was written in place, so no loader renamed them
    assert default == {q.triple for q in named}
    assert set(ox.parse(path=str(generation.trig_path), format=ox.RdfFormat.TRIG)) == named
    assert len(named) == generation.summary()["counts"]["triples"]


def test_a_page_added_to_a_graph_built_on_disk_gives_what_a_full_rebuild_gives(
    sources: list[Path], tmp_path: Path
) -> None:
    build(tmp_path / "disk", sources=sources, bundled=False, working_store="disk")
    shutil.copy(PAGES / "the-great-citizen-1938.txt", sources[2] / "the-great-citizen-1938.txt")
    added = build(tmp_path / "disk", sources=sources, bundled=False, working_store="disk")
    assert added.fast  # the fast path starts from the generation the disk build wrote
    build(tmp_path / "full", sources=sources, bundled=False, working_store="memory")
    assert quads(tmp_path / "disk") == quads(tmp_path / "full")
    assert findings(tmp_path / "disk") == findings(tmp_path / "full")


def test_a_build_on_disk_failing_at_its_end_leaves_the_previous_graph(
    sources: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_dir = tmp_path / "disk"
    build(store_dir, sources=sources[:1], bundled=False, working_store="disk")
    before = BuildDir(store_dir).current()
    kept = quads(store_dir)

    def broken(store: ox.Store, trig: Path) -> None:
        raise OSError("the disk went away")

    monkeypatch.setattr(build_module, "dump_with_merge", broken)
    with pytest.raises(OSError, match="went away"):
        build(store_dir, sources=sources, bundled=False, working_store="disk", full=True)
    assert BuildDir(store_dir).current() == before
    assert quads(store_dir) == kept
    assert [p.name for p in (store_dir / "generations").iterdir()] == [before.name]


def test_auto_builds_on_disk_only_when_the_sources_would_not_fit(sources: list[Path]) -> None:
    specs = [spec_for_path(p) for p in sources]
    size = sum(f.stat().st_size for p in sources for f in [p, *p.rglob("*")] if f.is_file())
    need = size * build_module.PEAK_PER_SOURCE_BYTE / build_module.MEMORY_SHARE
    assert working_store_on_disk(specs, available=int(need) - 1)
    assert not working_store_on_disk(specs, available=int(need) + 1)


def test_an_unknown_working_store_is_refused(sources: list[Path], tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"working store 'tape'.*auto, memory, disk"):
        build(tmp_path / "x", sources=sources, bundled=False, working_store="tape")


def test_the_command_line_builds_on_disk_when_asked_and_says_so(
    sources: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from filmgraph.cli import main

    argv = ["build", "--no-bundled", "--working-store", "disk", "--store", str(tmp_path / "b")]
    main([*argv, *(a for p in sources for a in ("--source", str(p)))])  # 1: a finding
    out = capsys.readouterr()
    assert "working store: on disk" in out.err
    assert out.out.startswith("Built ")
    assert BuildDir(tmp_path / "b").has_current()
