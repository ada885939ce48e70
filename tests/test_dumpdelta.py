"""The dump of a fast-path generation: written from the dump its chain started from and the
quads it changed, it holds what the generation's store holds, and whatever it cannot vouch
for (a blank node changed, a removed line the base lacks) is dumped from the store."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filmgraph.build import BuildResult, build
from filmgraph.builddir import BuildDir, Generation
from filmgraph.dumpdelta import DUMP_ADDED, DUMP_BASE, DUMP_REMOVED, compose_dump, keep_delta
from filmgraph.export.kept import write_whole
from filmgraph.store import graphblocks
from filmgraph.store.graphblocks import write_graph_blocks
from filmgraph.store.oxigraph import OxigraphStore

from .conftest import REPO, separate_sources

PAGES = REPO / "graph" / "sources" / "pages"
_BLANK = re.compile(r"_:[0-9a-zA-Z]+")


@pytest.fixture
def sources(tmp_path: Path) -> list[Path]:
    return separate_sources(tmp_path / "src")


def run(store: Path, sources: list[Path]) -> BuildResult:
    return build(store, sources=sources, bundled=False)


def named_quads_of_store(generation: Generation) -> Counter[str]:
    """The quads of the named graphs of the generation's store, blank-node labels left out
    (the store's and the dump's labels differ: the store was bulk-loaded)."""
    store = OxigraphStore(generation.store_path, read_only=True)
    try:
        return Counter(
            _BLANK.sub("_:", str(q))
            for q in store.engine
            if not isinstance(q.graph_name, ox.DefaultGraph)
        )
    finally:
        store.close()


def quads_of_dump(path: Path, fmt: ox.RdfFormat = ox.RdfFormat.TRIG) -> Counter[str]:
    return Counter(_BLANK.sub("_:", str(q)) for q in ox.parse(path=str(path), format=fmt))


GREAT_CITIZEN = ("the-great-citizen-1938.txt", "the-great-citizen-1938.txt")
#: a second source on a known film: statistics and provenance lose triples as well
CHAPAEV_AGAIN = ("chapaev-1934.txt", "chapaev-again-1934.txt")


def after_fast_builds(
    sources: list[Path], store: Path, *pages: tuple[str, str]
) -> tuple[int, Generation]:
    """Build ``sources`` in full, then add each page in turn by the fast path: the inode of
    the full build's dump, and the last generation."""
    run(store, sources)
    dumped = BuildDir(store).current().trig_path.stat().st_ino
    for page, as_name in pages:
        shutil.copy(PAGES / page, sources[2] / as_name)
        assert run(store, sources).fast
    return dumped, BuildDir(store).current()


def test_a_fast_path_build_keeps_the_previous_dump_and_its_change(
    sources: list[Path], tmp_path: Path
) -> None:
    dumped, fast = after_fast_builds(sources, tmp_path / "inc", GREAT_CITIZEN)
    assert not fast.trig_path.exists()
    assert (fast.path / DUMP_BASE).stat().st_ino == dumped  # a link: the earlier one may go
    assert (fast.path / DUMP_ADDED).stat().st_size > 0


def test_the_dump_of_an_added_page_holds_what_the_store_holds(
    sources: list[Path], tmp_path: Path
) -> None:
    _, fast = after_fast_builds(sources, tmp_path / "inc", GREAT_CITIZEN)
    assert fast.dump_from_delta()
    assert quads_of_dump(fast.trig_path) == named_quads_of_store(fast)


def test_the_dump_of_a_page_that_rewrites_statistics_and_provenance_holds_what_the_store_holds(
    sources: list[Path], tmp_path: Path
) -> None:
    _, fast = after_fast_builds(sources, tmp_path / "inc", CHAPAEV_AGAIN)
    assert (fast.path / DUMP_REMOVED).stat().st_size > 0
    assert fast.dump_from_delta()
    assert quads_of_dump(fast.trig_path) == named_quads_of_store(fast)


def test_two_fast_builds_in_a_row_carry_the_first_dump_on(
    sources: list[Path], tmp_path: Path
) -> None:
    dumped, second = after_fast_builds(sources, tmp_path / "inc", GREAT_CITIZEN, CHAPAEV_AGAIN)
    assert (second.path / DUMP_BASE).stat().st_ino == dumped
    assert second.dump_from_delta()
    assert quads_of_dump(second.trig_path) == named_quads_of_store(second)


def test_an_export_after_a_fast_path_build_reads_the_composed_dump(
    sources: list[Path], tmp_path: Path
) -> None:
    _, fast = after_fast_builds(sources, tmp_path / "inc", GREAT_CITIZEN)
    opened = OxigraphStore(fast.store_path, read_only=True)
    try:
        done = write_whole(fast, opened.engine, tmp_path / "all.nq", ox.RdfFormat.N_QUADS)
    finally:
        opened.close()
    assert done is not None
    assert done.route == "dump"
    assert quads_of_dump(tmp_path / "all.nq", ox.RdfFormat.N_QUADS) == named_quads_of_store(fast)


def test_a_delta_the_base_does_not_bear_out_is_dumped_from_the_store(
    sources: list[Path], tmp_path: Path
) -> None:
    _, fast = after_fast_builds(sources, tmp_path / "inc", GREAT_CITIZEN)
    (fast.path / DUMP_REMOVED).write_text(
        "<https://example.org/s> <https://example.org/p> <https://example.org/o> "
        "<https://example.org/g> .\n",
        encoding="utf-8",
    )
    assert not fast.dump_from_delta()
    assert not fast.trig_path.exists()
    assert quads_of_dump(fast.dump()) == named_quads_of_store(fast)


def test_a_change_touching_a_blank_node_keeps_no_delta(tmp_path: Path) -> None:
    previous, generation = _generations(tmp_path, [])
    blank = ox.Quad(ox.BlankNode(), _P, ox.Literal("x"), _GRAPHS[0])
    after = ox.Store()
    after.add(blank)
    assert not keep_delta(previous, generation, ox.Store(), after, [blank])
    assert not (generation.path / DUMP_BASE).exists()


_P = ox.NamedNode("https://example.org/p")
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_DATE_TIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
_GRAPHS = [ox.NamedNode(f"https://example.org/graph/{name}") for name in "bdf"]
_NEW_GRAPHS = [ox.NamedNode(f"https://example.org/graph/{name}") for name in "acg"]
_OBJECTS = st.one_of(
    st.sampled_from([ox.NamedNode(f"https://example.org/o{i}") for i in range(4)]),
    st.text(max_size=6).map(ox.Literal),
    st.sampled_from(["}", "a\nb", 'q"', "é", "_:x", " . "]).map(ox.Literal),
    # values the engine keeps in another form than the text given
    st.sampled_from(["01", "+1", "1"]).map(lambda v: ox.Literal(v, datatype=_INTEGER)),
    st.sampled_from(["2026-12-02T10:00:00+00:00", "2026-12-02T10:00:00Z"]).map(
        lambda v: ox.Literal(v, datatype=_DATE_TIME)
    ),
)
_QUADS = st.builds(
    ox.Quad,
    st.sampled_from([ox.NamedNode(f"https://example.org/s{i}") for i in range(4)]),
    st.just(_P),
    _OBJECTS,
    st.sampled_from(_GRAPHS + _NEW_GRAPHS),
)


def _generations(root: Path, base: list[ox.Quad]) -> tuple[Generation, Generation]:
    previous, generation = Generation(root / "g1"), Generation(root / "g2")
    previous.path.mkdir()
    generation.path.mkdir()
    store = ox.Store()
    store.extend(base)
    write_graph_blocks(store, previous.trig_path)
    return previous, generation


@settings(max_examples=60, deadline=None)
@given(
    base=st.lists(_QUADS, max_size=25),
    added=st.lists(_QUADS, max_size=10),
    removed=st.lists(st.integers(min_value=0, max_value=30), max_size=8),
    run=st.integers(min_value=1, max_value=200),
)
def test_a_composed_dump_holds_the_base_with_the_change(
    base: list[ox.Quad],
    added: list[ox.Quad],
    removed: list[int],
    run: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    base = [q for q in base if q.graph_name in _GRAPHS]
    before = ox.Store()
    before.extend(base)
    after = ox.Store()
    after.extend(before)
    gone = [base[i] for i in removed if i < len(base)]
    for quad in gone:
        after.remove(quad)
    after.extend(added)
    previous, generation = _generations(tmp_path_factory.mktemp("dump"), base)
    assert keep_delta(previous, generation, before, after, [*added, *gone])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(graphblocks, "RUN", run)  # runs cut inside a graph's lines
        assert compose_dump(generation, generation.trig_path, len(after))
    assert set(ox.parse(path=str(generation.trig_path), format=ox.RdfFormat.TRIG)) == set(after)


def test_two_processes_exporting_a_fast_path_generation_at_once_write_the_same_graph(
    sources: list[Path], tmp_path: Path
) -> None:
    _, fast = after_fast_builds(sources, tmp_path / "inc", GREAT_CITIZEN)
    outs = [tmp_path / f"export-{i}.nq" for i in range(2)]
    command = [sys.executable, "-m", "filmgraph", "export", "--format", "nquads"]
    exports = [
        subprocess.Popen(
            [*command, "--out", str(out), "--store", str(tmp_path / "inc")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for out in outs
    ]
    for process in exports:
        _, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors
    expected = named_quads_of_store(fast)
    for out in outs:
        assert quads_of_dump(out, ox.RdfFormat.N_QUADS) == expected
    assert quads_of_dump(fast.trig_path) == expected
    assert not [p.name for p in fast.path.rglob("*.tmp")]
