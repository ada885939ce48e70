"""Identity that does not depend on the order of loading: merges recorded, old IRIs answer."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from filmgraph.build import build
from filmgraph.resolve import resolve_name
from filmgraph.store import open_store

from .conftest import FIXTURES

CATALOGUES = sorted((FIXTURES / "identity" / "catalogues").glob("*.ttl"))
_KEPT = ("http://www.w3.org/2002/07/owl#sameAs", "http://www.w3.org/2004/02/skos/core#")


def _built(store: Path, sources: list[Path]) -> tuple[frozenset[str], dict[str, object]]:
    build(store, sources=sources, bundled=False)
    current = store / "current"
    summary = json.loads((current / "summary.json").read_text(encoding="utf-8"))
    dump = ox.Store()
    dump.load(path=str(next(current.glob("*.trig"))), format=ox.RdfFormat.TRIG)
    # the provenance graph dates the build: of it, keep what linking wrote
    # blank nodes are compared by shape: each quad with its blank nodes renamed to "_"
    quads = frozenset(
        " ".join("_" if isinstance(t, ox.BlankNode) else str(t) for t in q) for q in dump
        if not str(q.graph_name).endswith("/graph/provenance>")
        or str(q.predicate.value).startswith(_KEPT))
    return quads, summary


@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.permutations(CATALOGUES))
def test_sources_in_any_order_give_the_same_graph(tmp_path: Path, order: list[Path]) -> None:
    reference, _ = _built(tmp_path / "sorted", CATALOGUES)
    shuffled, _ = _built(tmp_path / "shuffled", order)
    assert shuffled == reference


def test_every_merge_is_in_the_summary_with_its_rule_and_evidence(tmp_path: Path) -> None:
    _, summary = _built(tmp_path / "b", CATALOGUES)
    merges = summary["merges"]
    assert isinstance(merges, list)
    assert {(m["merged"], m["into"], m["rule"]) for m in merges} == {
        ("https://archive-b.example.org/item/9", "https://archive-a.example.org/film/17",
         "title and year"),
        ("https://archive-c.example.org/f/pyatiletka", "https://archive-a.example.org/film/17",
         "title and year"),
    }
    assert all("years" in m["evidence"] for m in merges)


def test_an_iri_a_source_minted_still_answers_after_a_merge(tmp_path: Path) -> None:
    _built(tmp_path / "b", CATALOGUES)
    with open_store(tmp_path / "b") as store:
        kept = resolve_name(store, "<https://archive-c.example.org/f/pyatiletka>", ("film",))
    assert str(kept) == "https://archive-a.example.org/film/17"


def test_another_spelling_of_a_title_names_the_film(tmp_path: Path) -> None:
    _built(tmp_path / "b", CATALOGUES)
    with open_store(tmp_path / "b") as store:
        for spelling in ("The Five-Year Plan", "Five Year Plan", "5-Year Plan", "Pyatiletka",
                         "Пятилетка"):
            found = resolve_name(store, spelling, ("film",))
            assert str(found) == "https://archive-a.example.org/film/17", spelling
