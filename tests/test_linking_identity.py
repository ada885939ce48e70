"""Identity that does not depend on the order of loading: merges recorded, old IRIs answer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from filmgraph.build import build
from filmgraph.builddir import BuildDir
from filmgraph.resolve import resolve_name
from filmgraph.server.answers import Job, answer
from filmgraph.store import open_store

from .conftest import FIXTURES

CATALOGUES = sorted((FIXTURES / "identity" / "catalogues").glob("*.ttl"))
KEPT = "https://archive-b.example.org/item/9"
_HASHED = re.compile(r"/id/([a-z-]+)/[0-9a-f]{20}")
_KEPT = ("http://purl.org/dc/terms/isReplacedBy", "http://www.w3.org/2004/02/skos/core#")


def _built(
    store: Path, sources: list[Path], folder: str = "", union: bool = False
) -> tuple[frozenset[str], dict[str, object]]:
    """The quads of a build, as text; ``folder``: a folder's name, taken out of the IRIs
    of the graphs and source documents it gave (the build names those by the path from
    the folder given, so a page's graph is ``pages-x-txt`` or ``x-txt``); ``union``: the
    triples without the graphs that state them."""
    build(store, sources=sources, bundled=False)
    current = store / "current"
    summary = json.loads((current / "summary.json").read_text(encoding="utf-8"))
    dump = ox.Store()
    dump.load(path=str(BuildDir(store).current().dump()), format=ox.RdfFormat.TRIG)

    # the provenance graph dates the build: of it, keep what linking wrote
    # blank nodes are compared by shape: each quad with its blank nodes renamed to "_"
    def text(term: object) -> str:
        if isinstance(term, ox.BlankNode):
            return "_"
        shown = str(term)
        if folder:
            for kind in ("graph", "source"):
                shown = shown.replace(f"/id/{kind}/{folder}-", f"/id/{kind}/")
        # claims, credits, awards … are named by a hash of where they were read: compared
        # by shape, like blank nodes
        return _HASHED.sub(r"/id/\1/#", shown)

    quads = frozenset(
        " ".join(text(t) for t in (q.triple if union else q))
        for q in dump
        if not str(q.graph_name).endswith("/graph/provenance>")
        or str(q.predicate.value).startswith(_KEPT)
    )
    return quads, summary


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.permutations(CATALOGUES))
def test_sources_in_any_order_give_the_same_graph(tmp_path: Path, order: list[Path]) -> None:
    reference, _ = _built(tmp_path / "sorted", CATALOGUES)
    shuffled, _ = _built(tmp_path / "shuffled", order)
    assert shuffled == reference


def test_every_merge_is_in_the_summary_with_its_rule_and_evidence(tmp_path: Path) -> None:
    _, summary = _built(tmp_path / "b", CATALOGUES)
    merges = summary["merges"]
    assert isinstance(merges, list)
    # the shortest IRI is kept, whatever the order of the sources
    assert {(m["merged"], m["into"], m["rule"]) for m in merges} == {
        ("https://archive-a.example.org/film/17", KEPT, "title and year"),
        ("https://archive-c.example.org/f/pyatiletka", KEPT, "title and year"),
    }
    assert all("years" in m["evidence"] for m in merges)


def test_an_iri_a_source_minted_still_answers_after_a_merge(tmp_path: Path) -> None:
    _built(tmp_path / "b", CATALOGUES)
    with open_store(tmp_path / "b") as store:
        kept = resolve_name(store, "<https://archive-c.example.org/f/pyatiletka>", ("film",))
    assert str(kept) == KEPT


def test_another_spelling_of_a_title_names_the_film(tmp_path: Path) -> None:
    _built(tmp_path / "b", CATALOGUES)
    with open_store(tmp_path / "b") as store:
        for spelling in (
            "The Five-Year Plan",
            "Five Year Plan",
            "5-Year Plan",
            "Pyatiletka",
            "Пятилетка",
        ):
            found = resolve_name(store, spelling, ("film",))
            assert str(found) == KEPT, spelling


PAGES = FIXTURES / "identity" / "pages"
PAGE_FILES = sorted(PAGES.glob("*.txt"))
PLAN = "https://w3id.org/filmgraph/id/film/5-year-plan-1925"


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.permutations(PAGE_FILES))
def test_pages_in_one_folder_or_given_one_by_one_give_the_same_graph(
    tmp_path: Path, order: list[Path]
) -> None:
    # "The Five Year Plan (1925)" on one page, "5 Year Plan (1925)" on the other: graph by
    # graph, each page states the same triples however the pages are batched (a page read
    # after another writes its own placeholders, never names the other's), and the merges
    # are the same
    folder, folder_summary = _built(tmp_path / "folder", [PAGES], folder="pages")
    one_by_one, summary = _built(tmp_path / "files", order)
    assert one_by_one == folder
    merges = summary["merges"]
    assert isinstance(merges, list)
    assert merges == folder_summary["merges"]
    assert [m["into"] for m in merges] == [PLAN]


def test_two_placeholders_merged_stay_unresolved(tmp_path: Path) -> None:
    _, summary = _built(tmp_path / "b", [PAGES])
    unresolved = summary["unresolved"]
    assert isinstance(unresolved, list)
    assert PLAN in [u["node"] for u in unresolved]


def test_every_title_a_page_gives_is_an_alias_with_its_source(tmp_path: Path) -> None:
    _built(tmp_path / "b", [PAGES])
    with open_store(tmp_path / "b") as store:
        result = store.query(
            f"SELECT ?title ?g {{ GRAPH ?g {{ <{PLAN}> <{SKOS.altLabel}> ?title }} }}"
        )
        rows = sorted((str(r["title"]), str(r["g"]).rsplit("/", 1)[-1]) for r in result.dicts())  # type: ignore[union-attr]
        assert rows == [
            ("5 Year Plan", "pages-the-second-reel-1951-txt"),
            ("The Five Year Plan", "pages-the-first-reel-1950-txt"),
        ]
        assert resolve_name(store, "The Five Year Plan", ("film",)) == URIRef(PLAN)


def test_the_resource_of_a_merged_iri_is_the_node_it_became(tmp_path: Path) -> None:
    _built(tmp_path / "b", [PAGES])
    merged = "https://w3id.org/filmgraph/id/film/the-five-year-plan-1925"
    with open_store(tmp_path / "b") as store:
        reply = answer(store, Job("resource", name=merged, accept="text/turtle"), 1000, False)
    assert reply.status == 200
    turtle = Graph().parse(data=reply.body.decode("utf-8"), format="turtle")
    assert (URIRef(PLAN), RDFS.label, Literal("5 Year Plan", lang="en")) in turtle


def test_a_title_in_brackets_is_kept_as_an_alias_of_the_source_that_gives_it(
    tmp_path: Path,
) -> None:
    _built(tmp_path / "b", CATALOGUES)
    with open_store(tmp_path / "b") as store:
        result = store.query(
            f"SELECT ?title ?g {{ GRAPH ?g {{ <{KEPT}> <{SKOS.altLabel}> ?title }} }}"
        )
        rows = {(str(r["title"]), str(r["g"]).rsplit("/", 1)[-1]) for r in result.dicts()}  # type: ignore[union-attr]
    assert ("Pyatiletka", "archive-b-ttl") in rows
    assert ("5-Year Plan", "archive-b-ttl") in rows
