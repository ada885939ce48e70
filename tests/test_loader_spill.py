"""A table of millions of rows is never held whole: in a build, the buffer a loader fills
hands its triples to the store every ``SPILL_AT`` triples. The graph is the one a build
holding every document whole gives, triple counts included, and a buffer that handed
triples on refuses the look-ups that would now see only part of its document.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import URIRef

import filmgraph.loaders as loaders
from filmgraph.build import build
from filmgraph.builddir import BuildDir
from filmgraph.errors import FilmgraphError
from filmgraph.loaders import LoadContext, Triple, Triples

from .conftest import FIXTURES
from .test_build_incremental import derived, findings, quads, summary

EX = "http://example.org/"


def triple(n: int) -> Triple:
    return URIRef(f"{EX}s{n}"), URIRef(f"{EX}p"), URIRef(f"{EX}o{n}")


def spilling(spill_at: int) -> tuple[Triples, list[list[Triple]]]:
    """A buffer handing its triples to a list of hand-overs."""
    handed: list[list[Triple]] = []
    return Triples(sink=lambda ts: handed.append(list(ts)), spill_at=spill_at), handed


def test_a_buffer_with_a_sink_hands_its_triples_on_every_spill_at_triples() -> None:
    buffer, handed = spilling(3)
    for n in range(7):
        buffer.add(triple(n))
    assert handed == [[triple(0), triple(1), triple(2)], [triple(3), triple(4), triple(5)]]
    assert len(buffer) == 1
    buffer.spill()
    assert handed[-1] == [triple(6)]
    assert (buffer.handed, buffer.spills) == (7, 3)


def test_a_buffer_refuses_look_ups_once_it_has_handed_triples_on() -> None:
    buffer, _ = spilling(2)
    buffer += [triple(0), triple(1)]
    with pytest.raises(FilmgraphError, match="handed to the store"):
        buffer.value(triple(0)[0], triple(0)[1])


def test_a_buffer_without_a_sink_holds_everything_and_refuses_to_spill() -> None:
    buffer = Triples([triple(n) for n in range(5)], spill_at=2)
    assert len(buffer) == 5
    with pytest.raises(FilmgraphError, match="nowhere"):
        buffer.spill()


@given(st.lists(st.integers(0, 12), max_size=60), st.integers(1, 6))
def test_what_a_buffer_hands_on_is_every_triple_added_each_once_per_hand_over(
    added: list[int], spill_at: int
) -> None:
    buffer, handed = spilling(spill_at)
    for n in added:
        buffer.add(triple(n))
    buffer.spill()
    assert {t for chunk in handed for t in chunk} == {triple(n) for n in added}
    assert all(len(chunk) == len(set(chunk)) for chunk in handed)
    assert buffer.handed == sum(map(len, handed))


def test_outside_a_build_a_loader_s_source_holds_its_whole_document() -> None:
    source = LoadContext().source(URIRef(f"{EX}graph"), Path("table.csv"), "test")
    source.graph += [triple(n) for n in range(loaders.SPILL_AT + 1)]
    assert source.graph.spills == 0


@pytest.fixture
def sources(tmp_path: Path) -> list[Path]:
    shutil.copytree(FIXTURES / "curated-small", tmp_path / "src" / "curated")
    shutil.copytree(FIXTURES / "tables", tmp_path / "src" / "tables")
    return [
        tmp_path / "src" / "curated",
        tmp_path / "src" / "tables" / "archive-films.tsv-metadata.json",
        tmp_path / "src" / "tables" / "one-director.tsv-metadata.json",
    ]


def test_a_build_whose_tables_spill_gives_the_graph_of_one_holding_them_whole(
    sources: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(tmp_path / "whole", sources=sources, bundled=False)
    monkeypatch.setattr(loaders, "SPILL_AT", 5)
    build(tmp_path / "spilled", sources=sources, bundled=False)
    # the provenance's triple counts are among the quads compared
    assert quads(tmp_path / "spilled") == quads(tmp_path / "whole")
    assert summary(tmp_path / "spilled") == summary(tmp_path / "whole")
    assert findings(tmp_path / "spilled") == findings(tmp_path / "whole")
    assert derived(tmp_path / "spilled") == derived(tmp_path / "whole")


def test_a_spilled_document_is_counted_once_per_distinct_triple(
    sources: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loaders, "SPILL_AT", 2)
    build(tmp_path / "spilled", sources=sources, bundled=False)
    generation = BuildDir(tmp_path / "spilled").current()
    kept = {
        p.name: p.read_text(encoding="utf-8").splitlines()
        for p in generation.path.glob("sources/*.nt")
    }
    repeated = {name for name, lines in kept.items() if len(lines) > len(set(lines))}
    assert repeated, "no document repeats a triple across hand-overs: the test proves nothing"
    index = json.loads((generation.path / "sources" / "index.json").read_text(encoding="utf-8"))
    counts = {entry["graph"].rsplit("/", 1)[-1] + ".nt": entry["triples"] for entry in index}
    for name in repeated:
        assert counts[name] == len(set(kept[name]))
