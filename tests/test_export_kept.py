"""Whole-graph exports kept beside their generation (filmgraph.export.kept).

The first export of a format is written from the generation's ``graph.trig`` (or from the
store when that dump is missing or disagrees with it) and kept; the next ones copy it. Every
route must give what the store holds: re-read by raptor's rapper and compared as graphs.
"""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from multiprocessing import get_context
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph

from filmgraph.build import BuildResult, build
from filmgraph.builddir import Generation
from filmgraph.export import Selection, export, exporters
from filmgraph.export import kept as kept_module
from filmgraph.export.kept import KEPT_DIR, KeptExport, kept_path, write_whole
from filmgraph.namespaces import PREFIXES
from filmgraph.provenance import PROVENANCE_GRAPH
from filmgraph.reasoning import INFERRED_GRAPH
from filmgraph.store import graphblocks
from filmgraph.store.graphblocks import GRAPH_BLOCKS_HEADER, write_graph_blocks
from filmgraph.store.oxigraph import OxigraphStore, from_oxigraph

from .conftest import FIXTURES
from .publish_support import plain, quads_by_graph, rapper_ntriples, same_graph

#: export format -> (rapper's name for it, pyoxigraph's format, whether it keeps graphs)
FORMATS = {
    "ntriples": ("ntriples", ox.RdfFormat.N_TRIPLES, False),
    "turtle": ("turtle", ox.RdfFormat.TURTLE, False),
    "nquads": ("nquads", ox.RdfFormat.N_QUADS, True),
    "trig": ("trig", ox.RdfFormat.TRIG, True),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(
        tmp_path_factory.mktemp("kept") / "b", sources=[FIXTURES / "curated-small"], bundled=False
    )


@pytest.fixture
def generation(built: BuildResult, tmp_path: Path) -> Generation:
    """A private copy of the built generation, so each test starts with nothing kept."""
    copy = tmp_path / "generation"
    shutil.copytree(built.generation.path, copy, ignore=shutil.ignore_patterns(KEPT_DIR))
    return Generation(copy)


def store_graphs(generation: Generation) -> dict[str, Graph]:
    """Every named graph of the generation's store, read from the engine (no exporter)."""
    engine = ox.Store.read_only(str(generation.store_path))
    graphs: dict[str, Graph] = defaultdict(Graph)
    for q in engine.quads_for_pattern(None, None, None, None):
        if isinstance(q.graph_name, ox.NamedNode):
            graphs[q.graph_name.value].add(
                (
                    from_oxigraph(q.subject),
                    from_oxigraph(q.predicate),
                    plain(from_oxigraph(q.object)),
                )
            )
    return dict(graphs)


def merge(graphs: dict[str, Graph]) -> Graph:
    merged = Graph()
    for graph in graphs.values():
        merged += graph
    return merged


def write(
    generation: Generation, fmt: str, out: Path, leave_out: frozenset[str] = frozenset()
) -> KeptExport:
    """The graph of ``generation`` in ``fmt``, as the exporter writes it (``leave_out``: the
    named graphs it leaves out)."""
    _, rdf_format, _ = FORMATS[fmt]
    prefixes = dict(PREFIXES) if fmt in ("turtle", "trig") else None
    store = OxigraphStore(generation.store_path, read_only=True)
    try:
        done = write_whole(generation, store.engine, out, rdf_format, prefixes, leave_out)
    finally:
        store.close()
    assert done is not None, "the dump could not be used for a selection"
    return done


def assert_holds_the_store(
    out: Path, fmt: str, count: int, generation: Generation, leave_out: frozenset[str] = frozenset()
) -> None:
    """``out``, re-read by rapper, is the store: every named graph (but ``leave_out``), or
    their merge."""
    syntax, _, quads = FORMATS[fmt]
    expected = {g: graph for g, graph in store_graphs(generation).items() if g not in leave_out}
    if quads:
        reread = quads_by_graph(rapper_ntriples(out, syntax, "nquads"))
        assert reread.keys() == expected.keys()
        assert all(same_graph(reread[g], expected[g]) for g in expected)
        assert count == sum(len(g) for g in expected.values())
    else:
        triples = quads_by_graph(rapper_ntriples(out, syntax))[""]
        assert count == len(triples) == len(merge(expected))
        assert same_graph(triples, merge(expected))


def tamper(generation: Generation, change: str, layout: str) -> None:
    """Rewrite the generation's ``graph.trig`` so it no longer holds what the store holds:
    ``"drop"`` leaves one quad out; ``"repeat"`` replaces one quad with a copy, in another
    graph, of a triple stated elsewhere (as many quads, one distinct triple fewer). Written
    back in graph blocks (as builds write it) or as the engine writes TriG (older builds)."""
    quads = list(ox.parse(path=str(generation.trig_path), format=ox.RdfFormat.TRIG))
    if change == "drop":
        quads = quads[1:]
    else:
        stated = Counter(q.triple for q in quads)
        first = quads[0]
        other = next(
            q
            for q in quads
            if q.graph_name != first.graph_name
            and stated[q.triple] == 1
            and ox.Quad(first.subject, first.predicate, first.object, q.graph_name) not in quads
        )
        copy = ox.Quad(first.subject, first.predicate, first.object, other.graph_name)
        quads = [q for q in quads if q != other] + [copy]
    rewrite(generation, quads, layout)


def rewrite(generation: Generation, quads: list[ox.Quad], layout: str) -> None:
    """Write ``quads`` as the generation's ``graph.trig`` in ``layout``."""
    if layout == "blocks":
        store = ox.Store()
        store.extend(quads)
        write_graph_blocks(store, generation.trig_path)
    else:
        ox.serialize(quads, str(generation.trig_path), ox.RdfFormat.TRIG)


@pytest.mark.integration
@pytest.mark.parametrize("fmt", ["ntriples", "nquads", "trig"])
def test_the_first_export_is_written_from_the_dump_and_holds_the_store(
    fmt: str, generation: Generation, tmp_path: Path
) -> None:
    out = tmp_path / f"first.{fmt}"
    done = write(generation, fmt, out)
    assert done.route == "dump"
    assert_holds_the_store(out, fmt, done.count, generation)


@pytest.mark.integration
def test_a_first_turtle_export_keeps_the_merge_written_from_the_dump_first(
    generation: Generation, tmp_path: Path
) -> None:
    done = write(generation, "turtle", tmp_path / "first.ttl")
    assert done.route == "kept merge"
    assert_holds_the_store(tmp_path / "first.ttl", "turtle", done.count, generation)
    again = write(generation, "ntriples", tmp_path / "merge.nt")
    assert again.route == "kept" and again.count == done.count
    assert_holds_the_store(tmp_path / "merge.nt", "ntriples", again.count, generation)


@pytest.mark.integration
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_later_export_is_the_kept_file_and_holds_the_store(
    fmt: str, generation: Generation, tmp_path: Path
) -> None:
    first = write(generation, fmt, tmp_path / "first")
    done = write(generation, fmt, tmp_path / "again")
    assert done.route == "kept" and done.kept == first.kept
    assert (tmp_path / "again").read_bytes() == (tmp_path / "first").read_bytes()
    assert_holds_the_store(tmp_path / "again", fmt, done.count, generation)


def test_the_export_is_kept_inside_the_generation(generation: Generation, tmp_path: Path) -> None:
    done = write(generation, "ntriples", tmp_path / "out.nt")
    assert done.kept == kept_path(generation, ox.RdfFormat.N_TRIPLES, None)
    assert done.kept.parent == generation.path / KEPT_DIR
    assert sorted(p.name for p in done.kept.parent.iterdir()) == sorted(
        [done.kept.name, done.kept.name + ".json"]
    )


def test_a_kept_file_is_readable_by_other_users(generation: Generation, tmp_path: Path) -> None:
    done = write(generation, "nquads", tmp_path / "out.nq")
    assert done.kept is not None
    assert done.kept.stat().st_mode & 0o777 == 0o644


@pytest.mark.integration
def test_turtle_starts_from_the_kept_merge(generation: Generation, tmp_path: Path) -> None:
    write(generation, "ntriples", tmp_path / "merge.nt")
    done = write(generation, "turtle", tmp_path / "out.ttl")
    assert done.route == "kept merge"
    assert_holds_the_store(tmp_path / "out.ttl", "turtle", done.count, generation)


@pytest.mark.integration
@pytest.mark.parametrize("fmt", ["ntriples", "nquads"])
def test_without_a_dump_the_store_is_read(fmt: str, generation: Generation, tmp_path: Path) -> None:
    generation.trig_path.unlink()
    done = write(generation, fmt, tmp_path / "out")
    assert done.route == "store"
    assert_holds_the_store(tmp_path / "out", fmt, done.count, generation)


@pytest.mark.integration
@pytest.mark.parametrize("layout", ["blocks", "trig"])
@pytest.mark.parametrize(
    ("change", "fmt"), [("drop", "nquads"), ("drop", "ntriples"), ("repeat", "ntriples")]
)
def test_a_dump_that_disagrees_with_the_store_is_not_used(
    change: str, fmt: str, layout: str, generation: Generation, tmp_path: Path
) -> None:
    tamper(generation, change, layout)
    done = write(generation, fmt, tmp_path / "out")
    assert done.route == "store"
    assert_holds_the_store(tmp_path / "out", fmt, done.count, generation)


def test_a_generation_that_cannot_be_written_is_exported_without_keeping(
    generation: Generation, tmp_path: Path
) -> None:
    (generation.path / KEPT_DIR).write_text("not a folder", encoding="utf-8")
    done = write(generation, "ntriples", tmp_path / "out.nt")
    assert done.kept is None and done.route == "dump"
    assert write(generation, "ntriples", tmp_path / "again.nt").route == "dump"
    assert (tmp_path / "out.nt").read_bytes() == (tmp_path / "again.nt").read_bytes()


def test_a_kept_file_without_its_record_is_written_again(
    generation: Generation, tmp_path: Path
) -> None:
    first = write(generation, "nquads", tmp_path / "first.nq")
    assert first.kept is not None
    first.kept.with_name(first.kept.name + ".json").unlink()
    first.kept.write_text("half a file", encoding="utf-8")
    again = write(generation, "nquads", tmp_path / "again.nq")
    assert again.route == "dump"
    assert (tmp_path / "again.nq").read_bytes() == (tmp_path / "first.nq").read_bytes()


def test_other_prefixes_are_kept_apart(generation: Generation) -> None:
    fmt = ox.RdfFormat.TURTLE
    assert kept_path(generation, fmt, {"fg": "x:"}) != kept_path(generation, fmt, None)


@pytest.mark.integration
def test_the_export_function_keeps_the_whole_graph_of_a_build(
    built: BuildResult, tmp_path: Path
) -> None:
    from filmgraph.store import open_store

    with open_store(built.generation.path.parent.parent) as store:
        first = export(store, "turtle", tmp_path / "first.ttl")
        again = export(store, "turtle", tmp_path / "again.ttl")
    kept = kept_path(built.generation, ox.RdfFormat.TURTLE, dict(PREFIXES))
    assert kept.is_file()
    assert first.count == again.count
    assert exporters()["turtle"].extension == "ttl"
    assert (tmp_path / "again.ttl").read_bytes() == kept.read_bytes()


WITHOUT_INFERRED = frozenset({str(INFERRED_GRAPH)})


@pytest.mark.integration
@pytest.mark.parametrize("fmt", ["ntriples", "nquads"])
def test_a_graph_left_out_is_written_from_the_dump_without_it(
    fmt: str, generation: Generation, tmp_path: Path
) -> None:
    done = write(generation, fmt, tmp_path / "out", WITHOUT_INFERRED)
    assert done.route == "dump"
    assert_holds_the_store(tmp_path / "out", fmt, done.count, generation, WITHOUT_INFERRED)


def test_a_selection_is_kept_apart_from_the_whole_graph(
    generation: Generation, tmp_path: Path
) -> None:
    whole = write(generation, "nquads", tmp_path / "whole.nq")
    part = write(generation, "nquads", tmp_path / "part.nq", frozenset({str(PROVENANCE_GRAPH)}))
    assert whole.kept != part.kept and part.count < whole.count
    again = write(generation, "nquads", tmp_path / "again.nq", frozenset({str(PROVENANCE_GRAPH)}))
    assert again.route == "kept" and again.count == part.count


@pytest.mark.integration
@pytest.mark.parametrize("fmt", ["ntriples", "nquads"])
def test_a_selection_the_dump_disagrees_with_is_copied_from_the_store(
    fmt: str, generation: Generation, tmp_path: Path
) -> None:
    tamper(generation, "drop", "blocks")
    store = OxigraphStore(generation.store_path, read_only=True)
    try:
        result = export(store, fmt, tmp_path / "out", Selection(inferred=False))
    finally:
        store.close()
    assert list(generation.path.glob(f"{KEPT_DIR}/*")) == []  # nothing kept
    assert_holds_the_store(tmp_path / "out", fmt, result.count, generation, WITHOUT_INFERRED)


@pytest.mark.integration
@pytest.mark.parametrize("fmt", ["ntriples", "nquads"])
def test_a_dump_as_older_builds_wrote_it_is_still_read(
    fmt: str, generation: Generation, tmp_path: Path
) -> None:
    quads = list(ox.parse(path=str(generation.trig_path), format=ox.RdfFormat.TRIG))
    rewrite(generation, quads, "trig")
    done = write(generation, fmt, tmp_path / "out")
    assert done.route == "dump"
    assert_holds_the_store(tmp_path / "out", fmt, done.count, generation)


def test_a_build_writes_its_dump_in_graph_blocks(generation: Generation) -> None:
    with generation.trig_path.open("rb") as text:
        assert text.readline() == GRAPH_BLOCKS_HEADER


@pytest.mark.parametrize("fmt", ["ntriples", "nquads"])
def test_the_dump_read_as_text_gives_the_lines_the_parsed_dump_gives(
    fmt: str, generation: Generation, tmp_path: Path
) -> None:
    as_text = write(generation, fmt, tmp_path / "text").kept
    assert as_text is not None
    shutil.rmtree(generation.path / KEPT_DIR)
    quads = list(ox.parse(path=str(generation.trig_path), format=ox.RdfFormat.TRIG))
    rewrite(generation, quads, "trig")
    parsed = write(generation, fmt, tmp_path / "parsed").kept
    assert parsed is not None
    lines = (tmp_path / "text").read_bytes().splitlines()
    assert sorted(lines) == sorted((tmp_path / "parsed").read_bytes().splitlines())


@pytest.mark.integration
@pytest.mark.parametrize("fmt", ["ntriples", "nquads"])
def test_a_dump_cut_inside_a_line_is_not_used(
    fmt: str, generation: Generation, tmp_path: Path
) -> None:
    text = generation.trig_path.read_bytes()
    generation.trig_path.write_bytes(text[: text.rindex(b" .\n")])  # the last line cut
    done = write(generation, fmt, tmp_path / "out")
    assert done.route == "store"
    assert_holds_the_store(tmp_path / "out", fmt, done.count, generation)


@pytest.mark.integration
def test_lines_that_share_a_hash_leave_the_merge_to_the_store(
    generation: Generation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kept_module, "hash", lambda line: len(line) % 7, raising=False)
    done = write(generation, "ntriples", tmp_path / "out")
    assert done.route == "store"
    assert_holds_the_store(tmp_path / "out", "ntriples", done.count, generation)


_TERMS = st.sampled_from(
    [ox.NamedNode(f"https://example.org/n{i}") for i in range(4)] + [ox.BlankNode("b0")]
)
#: Literals that look like the end of a graph block, or hold a line break.
_LITERALS = st.sampled_from(
    [ox.Literal(text) for text in ("plain", "}", "a\n}\n", "}\n<x> {", "\n")]
)
_STATED = st.lists(
    st.builds(
        ox.Quad,
        _TERMS,
        st.sampled_from([ox.NamedNode(f"https://example.org/p{i}") for i in range(2)]),
        _TERMS | _LITERALS,
        st.sampled_from([ox.NamedNode(f"https://example.org/g{i}") for i in range(3)]),
    ),
    max_size=40,
)


@settings(max_examples=80, deadline=None)
@given(quads=_STATED, run=st.integers(min_value=1, max_value=300))
def test_the_merge_read_as_text_holds_each_triple_of_the_dump_once(
    quads: list[ox.Quad], run: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    store = ox.Store()
    store.extend(quads)
    folder = tmp_path_factory.mktemp("merge")
    write_graph_blocks(store, folder / "graph.trig")
    dump = kept_module._Dump(folder / "graph.trig", frozenset())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(graphblocks, "RUN", run)  # runs cut inside a graph's lines
        dump.write_text(folder / "merge.nt", merged=True)
    lines = (folder / "merge.nt").read_bytes().splitlines(keepends=True)
    triples = {q.triple for q in store}
    expected = {ox.serialize([t], format=ox.RdfFormat.N_TRIPLES) for t in triples}
    assert len(lines) == len(set(lines)) == dump.written == len(triples)
    assert set(lines) == expected
    assert dump.read == len(store)


class _Trickle:
    """A sink that takes at most a few bytes a write, as a raw file may."""

    def __init__(self) -> None:
        self.taken = bytearray()

    def write(self, data: bytes | memoryview) -> int:
        part = bytes(memoryview(data)[:7])
        self.taken += part
        return len(part)


def test_a_sink_that_takes_part_of_each_write_still_gets_the_whole_merge(tmp_path: Path) -> None:
    node, said = ox.NamedNode("https://example.org/film"), ox.NamedNode("https://example.org/p")
    store = ox.Store()
    for graph, numbers in (("g0", range(30)), ("g1", range(25, 40))):  # 25-29 in both
        for i in numbers:
            store.add(ox.Quad(node, said, ox.Literal(str(i)), ox.NamedNode(f"urn:{graph}")))
    write_graph_blocks(store, tmp_path / "graph.trig")
    dump = kept_module._Dump(tmp_path / "graph.trig", frozenset())
    dump.write_text(tmp_path / "merge.nt", merged=True)
    sink = _Trickle()
    dump._write_merge(sink)  # type: ignore[arg-type]
    assert bytes(sink.taken) == (tmp_path / "merge.nt").read_bytes()
    assert dump.written == 40


def _export_after(barrier: Barrier, generation: str, fmt: str, out: str) -> None:
    """One process's export of ``generation``, started when the other's starts."""
    barrier.wait()
    done = write(Generation(Path(generation)), fmt, Path(out))
    Path(out + ".done").write_text(f"{done.count} {done.route}", encoding="utf-8")


@pytest.mark.integration
@pytest.mark.parametrize("fmt", ["ntriples", "turtle"])
def test_two_processes_exporting_one_generation_at_once_each_get_the_whole_graph(
    fmt: str, generation: Generation, tmp_path: Path
) -> None:
    context = get_context("spawn")
    barrier = context.Barrier(2)
    outs = [tmp_path / f"out-{i}" for i in range(2)]
    processes = [
        context.Process(target=_export_after, args=(barrier, str(generation.path), fmt, str(out)))
        for out in outs
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    counts = {Path(f"{out}.done").read_text(encoding="utf-8").split()[0] for out in outs}
    assert len(counts) == 1
    for out in outs:
        assert_holds_the_store(out, fmt, int(*counts), generation)
    kept = sorted(p.name for p in (generation.path / KEPT_DIR).iterdir())
    assert not [name for name in kept if name.endswith(".tmp")]  # no half-written file left
    assert len(kept) == (2 if fmt == "ntriples" else 4)  # each file and its record
