"""The influence projection is kept with the generation it was projected from."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import networkx as nx
import pytest

from filmgraph.analytics.cache import (
    CACHE_NAME,
    cached_influence_graph,
    write_projection_cache,
)
from filmgraph.analytics.projection import influence_graph
from filmgraph.analytics.ranking import CENTRALITY, rank_films
from filmgraph.build import build
from filmgraph.builddir import BuildDir
from filmgraph.store import open_store

from .conftest import FIXTURES, small_build

NEW_CLAIM = "strike-1925,intolerance-1916,inspiration,parallel editing,test-notes,low,\n"


def same_graph(a: nx.DiGraph, b: nx.DiGraph) -> bool:
    return dict(a.nodes(data=True)) == dict(b.nodes(data=True)) and {
        (u, v): d["claims"] for u, v, d in a.edges(data=True)
    } == {(u, v): d["claims"] for u, v, d in b.edges(data=True)}


@pytest.fixture()
def built(tmp_path: Path) -> Path:
    return small_build(tmp_path / "build")


def generation(path: Path) -> Path:
    return BuildDir(path).current().path


def forget_cache(path: Path) -> None:
    """Drop the projection the build kept, as for a generation built before it kept one."""
    (generation(path) / CACHE_NAME).unlink()


def test_the_build_keeps_the_projection_with_the_generation(built: Path) -> None:
    assert (generation(built) / CACHE_NAME).is_file()


def test_the_cached_graph_is_the_projection(built: Path) -> None:
    with open_store(built) as store:
        cached = cached_influence_graph(store)
        fresh = influence_graph(store)
    assert (generation(built) / CACHE_NAME).is_file()
    assert same_graph(cached, fresh)


def test_a_reader_takes_the_graph_from_the_cache(built: Path) -> None:
    path = write_projection_cache(open_store(built), generation(built))
    payload = pickle.loads(path.read_bytes())
    payload["graph"].add_node("planted-by-the-test")
    path.write_bytes(pickle.dumps(payload))
    with open_store(built) as store:
        assert "planted-by-the-test" in cached_influence_graph(store)


def test_a_cache_from_another_generation_is_ignored(built: Path, tmp_path: Path) -> None:
    with open_store(built) as store:
        old = cached_influence_graph(store)
    old_cache = generation(built) / CACHE_NAME
    kept = tmp_path / "old.pickle"
    shutil.copy(old_cache, kept)
    sources = tmp_path / "curated"
    shutil.copytree(FIXTURES / "curated-small", sources)
    with (sources / "influences.csv").open("a", encoding="utf-8") as handle:
        handle.write(NEW_CLAIM)
    build(built, sources=[sources], bundled=False)
    shutil.copy(kept, generation(built) / CACHE_NAME)  # a stale cache where the new one goes
    with open_store(built) as store:
        new = cached_influence_graph(store)
        assert same_graph(new, influence_graph(store))
    assert new.number_of_edges() == old.number_of_edges() + 1


def test_a_read_only_generation_is_cached_in_the_users_folder(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    # The generation says it is not writable (as it is for another user than the builder).
    monkeypatch.setattr("filmgraph.derived.os.access", lambda path, mode: False)
    forget_cache(built)
    with open_store(built) as store:
        cached_influence_graph(store)
    assert not (generation(built) / CACHE_NAME).exists()
    assert list((tmp_path / "cache" / "filmgraph").rglob(CACHE_NAME))


def test_ranking_a_cached_graph_gives_what_ranking_the_projection_gives(built: Path) -> None:
    with open_store(built) as store:
        cached = cached_influence_graph(store, with_centrality=True)
        fresh = influence_graph(store)
    assert CENTRALITY in cached.graph and CENTRALITY not in fresh.graph
    assert rank_films(cached, top=None) == rank_films(fresh, top=None)


def test_only_ranking_pays_for_centrality_and_keeps_it(built: Path) -> None:
    forget_cache(built)
    with open_store(built) as store:
        assert CENTRALITY not in cached_influence_graph(store).graph
        cached_influence_graph(store, with_centrality=True)
        assert CENTRALITY in cached_influence_graph(store).graph


def test_the_build_time_cache_carries_centrality(built: Path) -> None:
    with open_store(built) as store:
        write_projection_cache(store, generation(built))
        assert CENTRALITY in cached_influence_graph(store).graph
