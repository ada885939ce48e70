"""Re-loading a source: unchanged changes nothing, changed replaces its graph, never duplicates."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from rdflib import Dataset

from filmgraph.iri import mint
from filmgraph.loaders import LoadContext, get_loader
from filmgraph.namespaces import FG
from filmgraph.provenance import PROVENANCE_GRAPH, apply_source

from .conftest import FIXTURES

PAGE = FIXTURES / "pages" / "good" / "the-test-reel-1950.txt"
ACTIVITY = mint("activity", "test")


def load_into(dataset: Dataset, page: Path, when: dt.datetime) -> str:
    (source,) = get_loader("film-page").load(page, LoadContext(), page.parent)
    return apply_source(dataset, source, ACTIVITY, when, page.name)


def quads(dataset: Dataset) -> set[tuple[object, ...]]:
    return set(dataset.quads((None, None, None, None)))


def test_reloading_an_unchanged_page_changes_nothing(tmp_path: Path) -> None:
    page = tmp_path / PAGE.name
    shutil.copy(PAGE, page)
    dataset = Dataset()
    assert load_into(dataset, page, dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) == "added"
    before = quads(dataset)
    assert load_into(dataset, page, dt.datetime(2026, 1, 2, tzinfo=dt.UTC)) == "unchanged"
    assert quads(dataset) == before


def test_reloading_a_changed_page_replaces_its_graph(tmp_path: Path) -> None:
    page = tmp_path / PAGE.name
    shutil.copy(PAGE, page)
    dataset = Dataset()
    load_into(dataset, page, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    page.write_text(
        PAGE.read_text(encoding="utf-8").replace("61 minutes", "64 minutes"), encoding="utf-8"
    )
    assert load_into(dataset, page, dt.datetime(2026, 1, 2, tzinfo=dt.UTC)) == "replaced"
    runtimes = {str(q[2]) for q in dataset.quads((None, FG.runtime, None, None))}
    assert runtimes == {"64"}
    provenance = dataset.graph(PROVENANCE_GRAPH)
    assert len(set(provenance.objects(None, FG.checksum))) == 1


def test_the_same_page_always_gives_the_same_triples() -> None:
    first = Dataset()
    second = Dataset()
    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    load_into(first, PAGE, when)
    load_into(second, PAGE, when)
    assert quads(first) == quads(second)
