"""The projection kept as mapped arrays answers as the pickled NetworkX graph does.

``path`` reads the mapped form through a lazy graph (:mod:`filmgraph.analytics.lazygraph`),
``lineage`` and ``rank`` through :class:`~filmgraph.analytics.mapped.KeptInfluence`; every
answer must equal the one the plain graph gives: same nodes, edges and attributes in the
same order, same paths, generations, rankings and flagged claims.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from filmgraph.analytics.cache import (
    ARRAYS_NAME,
    CACHE_NAME,
    cached_influence_graph,
    kept_influence,
    lazy_influence_graph,
)
from filmgraph.analytics.flags import flag_edges, flagged_edges, unflagged, whole
from filmgraph.analytics.lazygraph import LazyInfluenceGraph, lazy_graph
from filmgraph.analytics.lineage import lineage
from filmgraph.analytics.mapped import (
    FORMAT_VERSION,
    KeptInfluence,
    MappedProjection,
    open_mapped,
    write_mapped,
)
from filmgraph.analytics.paths import influence_paths
from filmgraph.analytics.projection import influence_graph
from filmgraph.analytics.ranking import centrality, rank_films
from filmgraph.answers import lineage_answer, path_answer, rank_answer
from filmgraph.build import BuildResult, build
from filmgraph.builddir import BuildDir
from filmgraph.derived import fingerprint
from filmgraph.store import open_store
from filmgraph.store.memory import MemoryStore

from .conftest import FIXTURES, REPO, small_build

ID = "https://w3id.org/filmgraph/id/"
NODES = [f"{ID}film/f{i}" for i in range(7)] + [f"{ID}person/p{i}" for i in range(2)]
PAGES = REPO / "graph" / "sources" / "pages"
MOVEMENTS = [f"{ID}movement/m{i}" for i in range(3)]

# ---------------------------------------------------------------------------------------
# random small projections: the lazy graph against the plain one


@st.composite
def projections(draw: st.DrawFn) -> nx.DiGraph:
    """A projection-shaped graph: nodes with label, years, kind and movements; edges with
    claims; flags marked as the projection marks them. Labels and weights repeat, so ties
    in paths and rankings are common."""
    graph = nx.DiGraph()
    for node in draw(st.permutations(NODES)):
        years = tuple(sorted(draw(st.sets(st.integers(1918, 1932), max_size=2))))
        graph.add_node(
            node,
            label=draw(st.sampled_from(["Alpha", "alpha", "Beta", "Ünïcode"])),
            year=years[0] if years else None,
            years=years,
            kind="person" if "/person/" in node else "film",
            movements=tuple(sorted(draw(st.sets(st.sampled_from(MOVEMENTS), max_size=2)))),
        )
    pairs = draw(st.lists(st.tuples(*[st.sampled_from(NODES)] * 2), unique=True, max_size=24))
    for number, (u, v) in enumerate(pairs):
        claims: list[dict[str, Any]] = [
            {
                "claim": f"{ID}claim/c{number}-{k}",
                "type": draw(st.sampled_from(["inspiration claim", "remake claim"])),
                "aspect": draw(st.sampled_from([None, "montage", "light"])),
                "source": draw(st.sampled_from([f"{ID}source/s1", f"{ID}source/s2"])),
                "weight": draw(st.sampled_from([0.5, 0.75, 1.0])),
            }
            for k in range(draw(st.integers(1, 2)))
        ]
        graph.add_edge(
            u,
            v,
            claims=claims,
            types=sorted({c["type"] for c in claims}),
            sources=len({c["source"] for c in claims}),
            weight=max(c["weight"] for c in claims),
        )
    return flag_edges(graph)


def mapped_of(graph: nx.DiGraph, folder: Path) -> MappedProjection:
    path = folder / ARRAYS_NAME
    centralities = {"unflagged": centrality(unflagged(graph)), "whole": centrality(graph)}
    with path.open("wb") as out:
        write_mapped(out, graph, "fingerprint", centralities)
    found = open_mapped(path, "fingerprint")
    assert found is not None
    return found


def laid_out(graph: nx.DiGraph) -> tuple[list[Any], list[Any], list[Any]]:
    """Nodes, out-edges and in-edges with their data, in the graph's own order."""
    return (
        [(n, dict(d)) for n, d in graph.nodes(data=True)],
        [(u, v, dict(d)) for u, v, d in graph.edges(data=True)],
        [(n, list(graph.pred[n])) for n in graph],
    )


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(projections())
def test_the_lazy_graph_lays_out_what_the_plain_graph_does(folder: Path, graph: nx.DiGraph) -> None:
    mapped = mapped_of(graph, folder)
    assert laid_out(lazy_graph(mapped, include_flagged=True)) == laid_out(graph)
    assert laid_out(lazy_graph(mapped, include_flagged=False)) == laid_out(unflagged(graph))


@SETTINGS
@given(projections(), st.booleans())
def test_influence_paths_on_the_lazy_graph_are_the_plain_graphs(
    folder: Path, graph: nx.DiGraph, include_flagged: bool
) -> None:
    lazy = lazy_graph(mapped_of(graph, folder), include_flagged=include_flagged)
    plain = graph if include_flagged else unflagged(graph)
    for source in NODES:
        for target in NODES:
            assert influence_paths(lazy, source, target, limit=4) == influence_paths(
                plain, source, target, limit=4
            )


@SETTINGS
@given(projections(), st.booleans())
def test_lineage_on_the_lazy_graph_is_the_plain_graphs(
    folder: Path, graph: nx.DiGraph, include_flagged: bool
) -> None:
    lazy = lazy_graph(mapped_of(graph, folder), include_flagged=include_flagged)
    plain = graph if include_flagged else unflagged(graph)
    for node in NODES:
        for direction in ("up", "down"):
            for depth in (1, 3):
                assert lineage(lazy, node, depth=depth, direction=direction) == lineage(
                    plain, node, depth=depth, direction=direction
                )


@SETTINGS
@given(projections(), st.booleans())
def test_the_kept_ranking_is_rank_films(
    folder: Path, graph: nx.DiGraph, include_flagged: bool
) -> None:
    mapped = mapped_of(graph, folder)
    plain = graph if include_flagged else unflagged(graph)
    for decade in (None, 1920, 1930):
        for movement in (None, *MOVEMENTS[:2], f"{ID}movement/none"):
            for top in (None, 2):
                assert mapped.ranked(
                    include_flagged=include_flagged, decade=decade, movement=movement, top=top
                ) == rank_films(plain, decade=decade, movement=movement, top=top)


@SETTINGS
@given(projections())
def test_the_kept_flagged_edges_are_the_ones_found_by_walking_the_graph(
    folder: Path, graph: nx.DiGraph
) -> None:
    mapped = mapped_of(graph, folder)
    assert mapped.flagged() == flagged_edges(graph)
    assert whole(lazy_graph(mapped, include_flagged=False)).mapped is mapped


def test_a_node_outside_the_graph_is_not_found(folder: Path) -> None:
    graph = nx.DiGraph()
    graph.add_node(NODES[0], label="A", year=None, years=(), kind="film", movements=())
    graph.add_edge(NODES[0], NODES[0], claims=[])
    lazy = lazy_graph(mapped_of(flag_edges(graph), folder), include_flagged=True)
    assert NODES[0] in lazy
    assert NODES[1] not in lazy
    assert [NODES[0]] not in lazy  # what nx.bfs_layers asks of its sources
    with pytest.raises(KeyError):
        lazy.nodes[NODES[1]]


# ---------------------------------------------------------------------------------------
# the answers of the commands, from built generations


def plain_route(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the answers read the pickled graph, as they did before the mapped form."""
    monkeypatch.setattr("filmgraph.answers.lazy_influence_graph", cached_influence_graph)
    monkeypatch.setattr("filmgraph.answers.kept_influence", cached_influence_graph)


AnswerOf = Callable[[Any], dict[str, Any]]


def both_routes(
    store_dir: Path, answer: AnswerOf, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The answer from the mapped form and from the pickled graph."""
    with open_store(store_dir) as store:
        lazy = answer(store)
        assert isinstance(lazy_influence_graph(store), LazyInfluenceGraph)
        assert isinstance(kept_influence(store), KeptInfluence)
    with monkeypatch.context() as patched:
        plain_route(patched)
        with open_store(store_dir) as store:
            plain = answer(store)
    return lazy, plain


def assert_same(lazy: dict[str, Any], plain: dict[str, Any], label: str) -> None:
    """Equal answers; betweenness to the last bits only, as rustworkx sums it in parallel
    (two computations of one graph may differ in the last place)."""
    between = [[f.pop("betweenness") for f in answer.get("films", [])] for answer in (lazy, plain)]
    assert json.dumps(lazy, sort_keys=True) == json.dumps(plain, sort_keys=True), label
    assert between[0] == pytest.approx(between[1], rel=1e-9), label


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture with a claim pointing forward in time and a year conflict."""
    analytics = FIXTURES / "analytics"
    store_dir = tmp_path_factory.mktemp("planted-lazy") / "build"
    build(
        store_dir, sources=[analytics / "planted", analytics / "planted-archive.ttl"], bundled=False
    )
    return store_dir


def answers(
    path: tuple[str, str], film: str, decade: int, movement: str
) -> list[tuple[str, AnswerOf]]:
    """Every way the commands ask: path, rank (overall, of a decade, of a movement) and
    lineage both ways, with and without flagged claims."""
    found: list[tuple[str, AnswerOf]] = []
    for flagged in (False, True):
        found += [
            (
                f"path {flagged}",
                partial(path_answer, source=path[0], target=path[1], include_flagged=flagged),
            ),
            (f"rank {flagged}", partial(rank_answer, include_flagged=flagged)),
            (
                f"rank {decade}s {flagged}",
                partial(rank_answer, decade=decade, include_flagged=flagged),
            ),
            (
                f"rank {movement} {flagged}",
                partial(rank_answer, movement=movement, include_flagged=flagged),
            ),
        ]
        found += [
            (
                f"lineage {name} {direction} {flagged}",
                partial(lineage_answer, name=name, direction=direction, include_flagged=flagged),
            )
            for direction in ("up", "down")
            for name in (film, *path)
        ]
    return found


@pytest.mark.parametrize(
    ("label", "answer"),
    answers(("Early Film", "Late Film"), "After Film", 1930, "Realist school"),
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_answers_with_flagged_claims_are_the_plain_graphs(
    planted: Path, label: str, answer: AnswerOf, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_same(*both_routes(planted, answer, monkeypatch), label)


def test_answers_on_the_bundled_graph_are_the_plain_graphs(
    bundled_build: BuildResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_dir = bundled_build.generation.path.parents[1]
    cases = answers(
        ("Battleship Potemkin", "The Miners (1937)"), "Strike (1925)", 1930, "Soviet montage"
    )
    for label, answer in cases:
        assert_same(*both_routes(store_dir, answer, monkeypatch), label)
    with open_store(store_dir) as store:  # the bundled graph ranks by exact betweenness
        assert rank_answer(store)["films"][0]["betweenness"] is not None


# ---------------------------------------------------------------------------------------
# where the mapped form is kept, and when it is written again


@pytest.fixture()
def built(tmp_path: Path) -> Path:
    return small_build(tmp_path / "build")


def generation(path: Path) -> Path:
    return BuildDir(path).current().path


def test_the_build_keeps_the_mapped_form_with_the_generation(built: Path) -> None:
    path = generation(built) / ARRAYS_NAME
    assert open_mapped(path, fingerprint(generation(built))) is not None


def test_a_generation_without_the_mapped_form_gets_it_from_its_first_reader(
    built: Path,
) -> None:
    (generation(built) / ARRAYS_NAME).unlink()
    with open_store(built) as store:
        read = lazy_influence_graph(store, include_flagged=True)
        assert isinstance(read, LazyInfluenceGraph)
        assert laid_out(read) == laid_out(cached_influence_graph(store, include_flagged=True))
    assert (generation(built) / ARRAYS_NAME).is_file()


def test_a_mapped_form_of_another_generation_is_ignored_and_rewritten(built: Path) -> None:
    path = generation(built) / ARRAYS_NAME
    stale = path.read_bytes().replace(
        fingerprint(generation(built)).encode(), b"0" * len(fingerprint(generation(built)))
    )
    path.write_bytes(stale)
    with open_store(built) as store:
        read = lazy_influence_graph(store)
    assert isinstance(read, LazyInfluenceGraph) and read.mapped is not None
    assert read.mapped.header["fingerprint"] == fingerprint(generation(built))
    assert path.read_bytes() != stale


def test_a_mapped_form_of_another_format_version_is_ignored(built: Path) -> None:
    path = generation(built) / ARRAYS_NAME
    text = path.read_bytes()
    marker = f'"version": {FORMAT_VERSION},'.encode()
    assert marker in text
    path.write_bytes(
        text.replace(marker, f'"version": {FORMAT_VERSION + 9},'.encode()[: len(marker)])
    )
    assert open_mapped(path, fingerprint(generation(built))) is None


def test_a_read_only_generation_keeps_the_mapped_form_in_the_users_folder(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr("filmgraph.derived.os.access", lambda path, mode: False)
    for name in (ARRAYS_NAME, CACHE_NAME):
        (generation(built) / name).unlink()
    with open_store(built) as store:
        assert isinstance(lazy_influence_graph(store), LazyInfluenceGraph)
    assert not (generation(built) / ARRAYS_NAME).exists()
    assert list((tmp_path / "cache" / "filmgraph").rglob(ARRAYS_NAME))


def test_a_store_that_is_no_generation_is_projected(small_store: MemoryStore) -> None:
    read = lazy_influence_graph(small_store)
    assert not isinstance(read, LazyInfluenceGraph)
    assert laid_out(read) == laid_out(
        unflagged(cached_influence_graph(small_store, include_flagged=True))
    )


def test_the_first_reader_after_a_fast_path_build_keeps_the_mapped_form(
    tmp_path: Path,
) -> None:
    sources = [tmp_path / "curated", tmp_path / "pages"]
    shutil.copytree(FIXTURES / "curated-small", sources[0])
    sources[1].mkdir()
    shutil.copy(PAGES / "chapaev-1934.txt", sources[1])
    store_dir = tmp_path / "inc"
    build(store_dir, sources=sources, bundled=False)
    shutil.copy(PAGES / "the-great-citizen-1938.txt", sources[1])
    assert build(store_dir, sources=sources, bundled=False).fast
    path = generation(store_dir)
    assert not (path / ARRAYS_NAME).exists()
    with open_store(store_dir) as store:
        read = lazy_influence_graph(store, include_flagged=True)
        assert isinstance(read, LazyInfluenceGraph)
        assert laid_out(read) == laid_out(influence_graph(store))
    assert open_mapped(path / ARRAYS_NAME, fingerprint(path)) is not None
