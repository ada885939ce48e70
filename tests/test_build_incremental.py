"""Incremental builds: unchanged documents are replayed, and the graph is the one a full
rebuild gives (compared quad by quad, build timestamps aside, with the summary, the
findings, the aggregates and the name index). Only added documents take the fast path
(the previous store plus the delta); anything else, or a merge the delta could change,
takes the full path and says why."""

from __future__ import annotations

import json
import pickle
import re
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from filmgraph.analytics.cache import CACHE_NAME, cached_influence_graph
from filmgraph.analytics.projection import influence_graph, update_projection
from filmgraph.build import BuildResult, build
from filmgraph.builddir import BuildDir
from filmgraph.derived import PROJECTION_BASE, PROJECTION_DELTA
from filmgraph.statistics import FGSTAT, STATISTICS_GRAPH
from filmgraph.store import open_store
from filmgraph.store.oxigraph import OxigraphStore

from .conftest import FIXTURES, REPO, separate_sources

PAGES = REPO / "graph" / "sources" / "pages"
_BLANK = re.compile(r"_:[0-9a-zA-Z]+")
#: what differs between two builds of the same sources: when they ran
_STAMPED = ("/id/activity/", "XMLSchema#dateTime")


@pytest.fixture
def sources(tmp_path: Path) -> list[Path]:
    return separate_sources(tmp_path / "src")


def run(store: Path, sources: list[Path], *, full: bool = False) -> BuildResult:
    return build(store, sources=sources, bundled=False, full=full)


def quads(store_dir: Path) -> Counter[str]:
    """Every quad as text, blank-node labels and build timestamps left out."""
    store = OxigraphStore(BuildDir(store_dir).current().store_path, read_only=True)
    found = Counter(
        _BLANK.sub("_:", str(q))
        for q in store.engine
        if not any(mark in str(q) for mark in _STAMPED)
    )
    store.close()
    return found


def summary(store_dir: Path) -> dict[str, object]:
    data = BuildDir(store_dir).current().summary()
    return {k: v for k, v in data.items() if k not in ("built", "reused")}


def findings(store_dir: Path) -> str:
    """The validation findings, without the build-stamped provenance nodes."""
    text = (BuildDir(store_dir).current().path / "validation.json").read_text(encoding="utf-8")
    return re.sub(r"activity/build-[0-9a-z]+", "activity/build", text)


def derived(store_dir: Path) -> tuple[object, list[tuple[object, ...]]]:
    """The aggregates and the name index rows, without the generation they are keyed to."""
    path = BuildDir(store_dir).current().path
    aggregates = json.loads((path / "aggregates.json").read_text(encoding="utf-8"))
    aggregates.pop("generation")
    db = sqlite3.connect(path / "names.sqlite")
    try:
        rows = sorted(db.execute("SELECT key, kind, thing, label, year FROM names"))
    finally:
        db.close()
    return aggregates, rows


def same_as_full_rebuild(incremental: Path, sources: list[Path], tmp_path: Path) -> None:
    full = tmp_path / "full"
    run(full, sources, full=True)
    assert quads(incremental) == quads(full)
    assert summary(incremental) == summary(full)
    assert findings(incremental) == findings(full)
    assert derived(incremental) == derived(full)


def test_an_added_page_is_the_only_document_read_again(sources: list[Path], tmp_path: Path) -> None:
    store = tmp_path / "inc"
    first = run(store, sources)
    shutil.copy(PAGES / "the-great-citizen-1938.txt", sources[2])
    again = run(store, sources)
    assert first.reused == 0
    assert again.reused == first.counts["sources"]
    assert again.counts["sources"] == first.counts["sources"] + 1
    assert again.fast
    same_as_full_rebuild(store, sources, tmp_path)


def test_a_second_page_about_a_known_film_takes_the_fast_path(
    sources: list[Path], tmp_path: Path
) -> None:
    # the same film, its people and its claims from a second source: no merge, claims
    # corroborated, contradictions and aliases updated from the delta
    store = tmp_path / "inc"
    run(store, sources)
    shutil.copy(PAGES / "chapaev-1934.txt", sources[2] / "chapaev-again-1934.txt")
    assert run(store, sources).fast
    same_as_full_rebuild(store, sources, tmp_path)


def test_a_close_title_that_one_table_gives_too_does_not_stop_the_fast_path(
    sources: list[Path], tmp_path: Path
) -> None:
    # two films of one table never merge, however close their titles: a page about one
    # of them changes nothing linking decides
    films = sources[0] / "films.csv"
    films.write_text(
        films.read_text(encoding="utf-8") + "strikes-1925,Strikes,,,1925,exact,SU,,,,\n",
        encoding="utf-8",
    )
    store = tmp_path / "inc"
    run(store, sources)
    text = (PAGES / "the-great-citizen-1938.txt").read_text(encoding="utf-8")
    (sources[2] / "strike-1925.txt").write_text(
        text.replace("The Great Citizen", "Strike").replace("1938", "1925"), encoding="utf-8"
    )
    assert run(store, sources).fast
    same_as_full_rebuild(store, sources, tmp_path)


def test_a_page_whose_film_could_merge_takes_the_full_path(
    sources: list[Path], tmp_path: Path
) -> None:
    store = tmp_path / "inc"
    run(store, sources)
    text = (PAGES / "chapaev-1934.txt").read_text(encoding="utf-8")
    (sources[2] / "chapayev-1934.txt").write_text(
        text.replace("Chapaev", "Chapayev"), encoding="utf-8"
    )
    again = run(store, sources)
    assert not again.fast
    assert again.full_because is not None and "close to" in again.full_because
    same_as_full_rebuild(store, sources, tmp_path)


def test_an_added_page_validates_only_what_it_touches(sources: list[Path], tmp_path: Path) -> None:
    store = tmp_path / "inc"
    first = run(store, sources)
    shutil.copy(PAGES / "the-great-citizen-1938.txt", sources[2])
    again = run(store, sources)
    assert first.validated is None  # nothing to keep: every node is checked
    assert again.validated is not None and 0 < again.validated < first.counts["triples"] // 10


def test_a_changed_table_is_read_again_with_everything_that_depends_on_it(
    sources: list[Path], tmp_path: Path
) -> None:
    store = tmp_path / "inc"
    run(store, sources)
    people = sources[0] / "people.csv"
    people.write_text(
        people.read_text(encoding="utf-8") + "boris-testov,Boris Testov\n", encoding="utf-8"
    )
    again = run(store, sources)
    # sources, countries, places, organisations, movements, events and themes come before
    # people.csv; the tables after it and the later sources may depend on it
    before = [
        p
        for p in (
            "sources",
            "countries",
            "places",
            "organisations",
            "movements",
            "events",
            "themes",
        )
        if (sources[0] / f"{p}.csv").is_file()
    ]
    assert again.reused == len(before)
    assert again.full_because == "curated/people.csv changed"
    same_as_full_rebuild(store, sources, tmp_path)


def with_archive_table(sources: list[Path]) -> list[Path]:
    """``sources`` after a CSVW table of another archive (its metadata beside it), read first
    so that a page added later changes nothing upstream of it."""
    tables = sources[0].parent / "tables"
    tables.mkdir()
    for name in ("archive-films.tsv", "archive-films.tsv-metadata.json"):
        shutil.copy(FIXTURES / "tables" / name, tables / name)
    return [tables / "archive-films.tsv", *sources]


def test_an_unchanged_csvw_table_is_replayed_and_a_page_added_after_it_takes_the_fast_path(
    sources: list[Path], tmp_path: Path
) -> None:
    sources = with_archive_table(sources)
    store = tmp_path / "inc"
    first = run(store, sources)
    shutil.copy(PAGES / "the-great-citizen-1938.txt", sources[3])
    again = run(store, sources)
    assert again.fast
    assert again.reused == first.counts["sources"]
    same_as_full_rebuild(store, sources, tmp_path)


def test_a_csvw_table_whose_metadata_changed_is_read_again(
    sources: list[Path], tmp_path: Path
) -> None:
    sources = with_archive_table(sources)
    store = tmp_path / "inc"
    run(store, sources)
    metadata = sources[0].with_name("archive-films.tsv-metadata.json")
    metadata.write_text(
        metadata.read_text(encoding="utf-8").replace(
            '"propertyUrl": "https://schema.org/sameAs", ', '"suppressOutput": true, '
        ),
        encoding="utf-8",
    )
    again = run(store, sources)
    assert again.full_because == "archive-films.tsv changed"
    assert again.reused == 0  # the sources after the table may depend on it
    assert not any("wikidata.org/entity/Q1056791" in q for q in quads(store))
    same_as_full_rebuild(store, sources, tmp_path)


def two_archives_of_the_same_films(root: Path, films: int) -> list[Path]:
    """Two CSVW tables of two archives listing the same ``films`` films (title and year):
    linking merges each pair."""
    metadata = (FIXTURES / "tables" / "archive-films.tsv-metadata.json").read_text("utf-8")
    rows = "".join(f"f-{i}\tArchive Test Film {i}\t{1900 + i % 100}\t\t\t\n" for i in range(films))
    tables = []
    for archive in ("first", "second"):
        folder = root / archive
        folder.mkdir(parents=True)
        table = folder / f"{archive}-films.tsv"
        table.write_text(
            "film_id\tname\treleased\tmade_in\tdirected_by\tqid\n" + rows, encoding="utf-8"
        )
        table.with_name(f"{table.name}-metadata.json").write_text(
            metadata.replace("archive.example.org", f"{archive}.example.org").replace(
                "archive-films.tsv", table.name
            ),
            encoding="utf-8",
        )
        tables.append(table)
    return tables


def test_a_page_added_to_a_graph_of_many_merges_validates_only_what_it_touches(
    sources: list[Path], tmp_path: Path
) -> None:
    # the merges both builds make change no finding: only the page's nodes are checked
    sources = [*two_archives_of_the_same_films(tmp_path / "archives", 300), *sources]
    store = tmp_path / "inc"
    first = run(store, sources)
    assert len(first.linking.merged) >= 300
    shutil.copy(PAGES / "the-great-citizen-1938.txt", sources[4])
    again = run(store, sources)
    assert again.fast
    assert again.validated is not None and again.validated < 300
    same_as_full_rebuild(store, sources, tmp_path)


def test_a_page_restating_the_type_of_a_node_many_films_point_to_validates_apart(
    tmp_path: Path,
) -> None:
    # an archive's table of 600 Soviet films, and a page: each says the Soviet Union is a
    # country, as the page added says again; the findings of the 600 films cannot change,
    # so they are not checked again
    table = two_archives_of_the_same_films(tmp_path / "archives", 600)[0]
    table.write_text(
        table.read_text(encoding="utf-8").replace("\t\t\t\n", "\tSoviet Union\t\t\n"),
        encoding="utf-8",
    )
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(PAGES / "turksib-1929.txt", pages)
    sources = [table, pages]
    store = tmp_path / "inc"
    run(store, sources)
    shutil.copy(PAGES / "the-great-citizen-1938.txt", pages)
    again = run(store, sources)
    assert again.fast
    assert again.validated is not None and again.validated < 600
    same_as_full_rebuild(store, sources, tmp_path)


def test_a_removed_page_leaves_no_trace(sources: list[Path], tmp_path: Path) -> None:
    store = tmp_path / "inc"
    run(store, sources)
    (sources[2] / "turksib-1929.txt").unlink()
    again = run(store, sources)
    assert again.reused == again.counts["sources"]
    assert again.full_because == "1 document(s) were removed"
    assert not any("turksib-1929" in q for q in quads(store))
    same_as_full_rebuild(store, sources, tmp_path)


def test_full_reads_every_document_again(sources: list[Path], tmp_path: Path) -> None:
    store = tmp_path / "inc"
    run(store, sources)
    assert run(store, sources, full=True).reused == 0


def test_a_rebuild_of_unchanged_sources_checks_only_the_build_record_again(
    sources: list[Path], tmp_path: Path
) -> None:
    store = tmp_path / "inc"
    run(store, sources)
    again = run(store, sources)
    # the provenance of every document differs from the previous build's only by the
    # build's stamps (its activity, its times): just the two activities are checked again
    assert again.validated is not None and again.validated <= 2
    assert again.fast
    same_as_full_rebuild(store, sources, tmp_path)


def test_a_change_touching_many_nodes_is_validated_in_full(
    sources: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "inc"
    run(store, sources)
    monkeypatch.setattr("filmgraph.build.FOCUS_LIMIT", 1)
    shutil.copy(PAGES / "the-great-citizen-1938.txt", sources[2])
    assert run(store, sources).validated is None
    same_as_full_rebuild(store, sources, tmp_path)


def laid_out(graph: nx.DiGraph) -> tuple[list[object], list[object]]:
    """Nodes and edges with their data, in the graph's own order (ties in paths follow it)."""
    return list(graph.nodes(data=True)), list(graph.edges(data=True))


def rebased(store_dir: Path) -> tuple[nx.DiGraph, nx.DiGraph]:
    """The projection kept by the fast path brought up to date, and one from scratch."""
    path = BuildDir(store_dir).current().path
    delta = json.loads((path / PROJECTION_DELTA).read_text(encoding="utf-8"))
    with (path / PROJECTION_BASE).open("rb") as handle:
        base = pickle.load(handle)["graph"]
    store = OxigraphStore(path / "oxigraph", read_only=True)
    try:
        return update_projection(base, store, delta["nodes"], delta["claims"]), influence_graph(
            store
        )
    finally:
        store.close()


def test_the_projection_after_an_added_page_is_the_kept_one_brought_up_to_date(
    sources: list[Path], tmp_path: Path
) -> None:
    store = tmp_path / "inc"
    run(store, sources)
    shutil.copy(PAGES / "the-great-citizen-1938.txt", sources[2])
    assert run(store, sources).fast
    updated, projected = rebased(store)
    assert laid_out(updated) == laid_out(projected)


def test_the_projection_after_a_second_page_about_a_known_film_is_brought_up_to_date(
    sources: list[Path], tmp_path: Path
) -> None:
    store = tmp_path / "inc"
    run(store, sources)
    text = (PAGES / "chapaev-1934.txt").read_text(encoding="utf-8")
    # a second source that dates the release otherwise: the film's years may change
    (sources[2] / "chapaev-again.txt").write_text(
        text.replace("November 5, 1934", "November 5, 1936"), encoding="utf-8"
    )
    assert run(store, sources).fast
    updated, projected = rebased(store)
    assert laid_out(updated) == laid_out(projected)


def test_two_fast_builds_without_a_reader_carry_the_first_projection_on(
    sources: list[Path], tmp_path: Path
) -> None:
    store = tmp_path / "inc"
    run(store, sources)
    shutil.copy(PAGES / "the-great-citizen-1938.txt", sources[2])
    assert run(store, sources).fast
    shutil.copy(PAGES / "chapaev-1934.txt", sources[2] / "chapaev-again-1934.txt")
    assert run(store, sources).fast
    updated, projected = rebased(store)
    assert laid_out(updated) == laid_out(projected)


def test_the_first_reader_after_a_fast_path_build_keeps_the_up_to_date_projection(
    sources: list[Path], tmp_path: Path
) -> None:
    store = tmp_path / "inc"
    run(store, sources)
    shutil.copy(PAGES / "the-great-citizen-1938.txt", sources[2])
    assert run(store, sources).fast
    path = BuildDir(store).current().path
    assert not (path / CACHE_NAME).exists()
    with open_store(store) as opened:
        read = cached_influence_graph(opened, include_flagged=True)
    assert (path / CACHE_NAME).is_file()
    assert laid_out(read) == laid_out(rebased(store)[1])


def kept_statistics(store_dir: Path) -> Counter[str]:
    """The quads of graph:statistics (the aggregate queries' kept statistics), as text."""
    store = OxigraphStore(BuildDir(store_dir).current().store_path, read_only=True)
    graph = ox.NamedNode(str(STATISTICS_GRAPH))
    found = Counter(str(q) for q in store.engine.quads_for_pattern(None, None, None, graph))
    store.close()
    return found


def test_a_fast_path_build_keeps_the_statistics_a_full_rebuild_computes(
    sources: list[Path], tmp_path: Path
) -> None:
    # a second source on a known film: its claims are corroborated (the counts of the
    # first source move), its influencers' scores and ranks grow, its movements' flows too
    store = tmp_path / "inc"
    run(store, sources)
    before = kept_statistics(store)
    shutil.copy(PAGES / "chapaev-1934.txt", sources[2] / "chapaev-again-1934.txt")
    assert run(store, sources).fast
    after = kept_statistics(store)
    full = tmp_path / "full"
    run(full, sources, full=True)
    assert after == kept_statistics(full)
    moved = {q.split(" ")[1] for q in (after - before) + (before - after)}
    assert {
        f"<{FGSTAT}corroboratedClaims>",
        f"<{FGSTAT}influenceScore>",
        f"<{FGSTAT}influenceClaims>",
    } <= moved
