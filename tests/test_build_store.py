"""The generation's on-disk store: the dump's quads in their named graphs, their merge in the
default graph, written only after the in-memory working store is dropped, atomically."""

from __future__ import annotations

import errno
import io
import re
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

import filmgraph.build as build_module
from filmgraph.build import build
from filmgraph.builddir import BuildDir, Generation
from filmgraph.errors import BuildError
from filmgraph.progress import SAMPLE_EVERY, Progress, peak_rss
from filmgraph.store import oxigraph
from filmgraph.store.oxigraph import dump_for_loading, load_dumped

from .conftest import FIXTURES

SMALL = FIXTURES / "curated-small"
PAGES = FIXTURES / "pages" / "good"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Generation:
    store_dir = tmp_path_factory.mktemp("store") / "build"
    build(store_dir, sources=[SMALL, PAGES], bundled=False)
    return BuildDir(store_dir).current()


def stored(generation: Generation | Path) -> tuple[set[ox.Quad], set[ox.Triple]]:
    """The quads of the store's named graphs, and the triples of its default graph."""
    path = generation if isinstance(generation, Path) else generation.store_path
    store = ox.Store.read_only(str(path))
    try:
        named = {q for q in store if not isinstance(q.graph_name, ox.DefaultGraph)}
        default = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    finally:
        del store
    return named, default


def _canonical(quads: set[ox.Quad]) -> set[ox.Quad]:
    """The quads with their blank nodes named by content (the bulk loader renames them)."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def test_the_store_holds_exactly_the_quads_of_the_dump(built: Generation) -> None:
    dumped = set(ox.parse(path=str(built.trig_path), format=ox.RdfFormat.TRIG))
    named, _ = stored(built)
    assert any(isinstance(q.subject, ox.BlankNode) for q in named)  # the ontology's lists
    assert _canonical(named) == _canonical(dumped)
    assert len(named) == built.summary()["counts"]["triples"]


def test_the_default_graph_holds_the_merge_of_the_named_graphs(built: Generation) -> None:
    # blank nodes included: the merge names each blank node as its named graph does
    named, default = stored(built)
    assert default == {q.triple for q in named}


def test_a_load_cut_into_small_blocks_keeps_each_blank_node_one_node(
    built: Generation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every block is a call of the bulk loader, which names blank nodes afresh per call.
    load = tmp_path / "load.nq"
    store = ox.Store()
    store.bulk_load(path=str(built.trig_path), format=ox.RdfFormat.TRIG)
    dump_for_loading(store, tmp_path / "graph.trig", load)
    monkeypatch.setattr(oxigraph, "LOAD_BLOCK", 512)
    load_dumped(tmp_path / "store", load)
    named, default = stored(tmp_path / "store")
    assert default == {q.triple for q in named}
    assert _canonical(named) == _canonical(stored(built)[0])


def test_no_file_of_the_loading_is_left_in_the_generation(built: Generation) -> None:
    assert not (built.path / build_module._LOAD_FILE).exists()
    assert not list(built.path.glob(".*"))


def test_a_build_failing_while_loading_the_store_leaves_the_previous_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_dir = tmp_path / "build"
    build(store_dir, sources=[SMALL], bundled=False)
    before = BuildDir(store_dir).current()
    real = load_dumped

    def disk_full(path: Path, load: Path) -> None:
        real(path, load)
        raise OSError(errno.ENOSPC, "no space left on device")

    monkeypatch.setattr("filmgraph.build.load_dumped", disk_full)
    with pytest.raises(BuildError, match="the disk is full"):
        build(store_dir, sources=[SMALL, PAGES], bundled=False, full=True)
    assert BuildDir(store_dir).current() == before
    assert [p.name for p in (store_dir / "generations").iterdir()] == [before.name]


@pytest.mark.skipif(peak_rss() is None, reason="memory is read from Linux's /proc")
def test_every_stage_line_of_a_build_names_its_peak_memory(tmp_path: Path) -> None:
    out = io.StringIO()
    build(tmp_path / "build", sources=[SMALL], bundled=False, progress=Progress(out))
    ends = [line for line in out.getvalue().splitlines() if " done in " in line]
    stages = [line for line in ends if not re.match(r"\s+[a-z-]+: \S+ done in", line)]
    assert len(stages) >= 5
    assert all(re.search(r"done in [\d.]+ s, peak RSS \d+\.\d\d GB", line) for line in stages)
    assert "sources read: peak RSS so far" in out.getvalue()


@pytest.mark.skipif(peak_rss() is None, reason="memory is read from Linux's /proc")
def test_a_step_that_allocates_reports_at_least_what_it_held() -> None:
    out = io.StringIO()
    held = 300_000_000
    with Progress(out).step("allocating"):
        block = bytearray(held)
        block[::4096] = b"x" * len(block[::4096])  # touch every page: resident, not reserved
        # held past a few samples: when an earlier test raised the process's high-water
        # mark, only the sampler can see this step's peak
        time.sleep(5 * SAMPLE_EVERY)
        del block
    found = re.search(r"peak RSS (\d+\.\d\d) GB", out.getvalue())
    assert found is not None
    assert float(found.group(1)) * 1e9 >= held
