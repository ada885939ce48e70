"""The projection and the name index read their rows one at a time from the engine.

A build writes both from the finished store; reading the whole answer as rdflib terms first
was most of their memory. Read row by row, they hold what reading the whole answer gives.
The name index is read resource by resource (the query's grouping held every name in the
engine at once) and holds the query's rows, before the store's merge and after.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx
import pyoxigraph as ox
import pytest
from rdflib import Literal

from filmgraph.analytics.projection import from_rows, influence_graph
from filmgraph.builddir import BuildDir
from filmgraph.queries import get_query, select_named
from filmgraph.resolve import _pattern_index_rows, _streamed_index_rows
from filmgraph.store.base import SelectResult
from filmgraph.store.oxigraph import OxigraphStore

from .conftest import small_build


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    built = small_build(tmp_path_factory.mktemp("streamed") / "build")
    return OxigraphStore(BuildDir(built).current().store_path, read_only=True)


def layout(graph: nx.DiGraph) -> tuple[list[object], list[object], list[object]]:
    """Nodes, edges (with their attributes) and in-edges, in the graph's own order."""
    return (
        list(graph.nodes(data=True)),
        list(graph.edges(data=True)),
        [list(graph.pred[n]) for n in graph],
    )


def test_the_projection_read_row_by_row_is_the_projection_of_the_whole_answer(
    store: OxigraphStore,
) -> None:
    whole = from_rows(select_named(store, "influence-edges").dicts())
    assert whole.number_of_edges() > 0
    assert layout(influence_graph(store)) == layout(whole)


def test_the_projection_keeps_each_recurring_text_once(store: OxigraphStore) -> None:
    graph = influence_graph(store)
    sources = [c["source"] for _, _, d in graph.edges(data=True) for c in d["claims"]]
    assert max(Counter(sources).values()) > 1  # the fixture has a source behind two claims
    assert len({id(s) for s in sources}) == len(set(sources))
    keys = {id(n) for n in graph}
    assert all(id(v) in keys for u in graph for v in graph.succ[u])
    assert all(id(u) in keys for v in graph for u in graph.pred[v])


def whole_answer_rows(store: OxigraphStore) -> list[tuple[object, ...]]:
    """The ``name-index`` rows as read from the whole answer in rdflib terms."""
    answer = store.query(get_query("name-index").text)
    assert isinstance(answer, SelectResult)
    return [
        (
            str(r["text"]).lower(),
            str(r["kind"]),
            str(r["thing"]),
            str(r.get("label", r["thing"])),
            int(r["year"]) if isinstance(r.get("year"), Literal) else None,
        )
        for r in answer.dicts()
    ]


def test_the_name_index_read_row_by_row_holds_the_rows_of_the_whole_answer(
    store: OxigraphStore,
) -> None:
    expected = whole_answer_rows(store)
    assert any(row[4] is not None for row in expected)
    assert list(_streamed_index_rows(store, get_query("name-index").text)) == expected


@pytest.mark.parametrize(
    "label", ['"1.0E0"^^xsd:double', '"0042"^^xsd:integer', '"Zemlya"@ru', '"Earth"']
)
def test_a_label_of_any_datatype_reads_as_from_the_whole_answer(label: str) -> None:
    store = OxigraphStore()
    store.engine.update(
        "PREFIX fg: <https://w3id.org/filmgraph/ontology#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
        f"INSERT DATA {{ <https://example.org/f> a fg:Film ; rdfs:label {label} ; "
        'fg:year "1999" . }'
    )
    rows = list(_streamed_index_rows(store, get_query("name-index").text))
    assert len(rows) == 1
    assert rows == whole_answer_rows(store)
    assert list(_pattern_index_rows(store, get_query("name-index").text)) == rows


def test_the_name_index_read_by_pattern_holds_the_rows_of_the_query(
    store: OxigraphStore,
) -> None:
    assert store.merged
    expected = whole_answer_rows(store)
    assert sorted(_pattern_index_rows(store, get_query("name-index").text)) == sorted(expected)


def test_the_name_index_read_by_pattern_before_the_merge_holds_the_rows_of_the_query(
    store: OxigraphStore,
) -> None:
    unmerged = OxigraphStore()
    unmerged.engine.extend(q for q in store.engine if not isinstance(q.graph_name, ox.DefaultGraph))
    assert not unmerged.merged
    expected = whole_answer_rows(unmerged)
    assert expected
    assert sorted(_pattern_index_rows(unmerged, get_query("name-index").text)) == sorted(expected)


def test_a_resource_with_two_labels_is_read_by_pattern_as_the_query_reads_it() -> None:
    store = OxigraphStore()
    store.engine.update(
        "PREFIX fg: <https://w3id.org/filmgraph/ontology#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "INSERT DATA { GRAPH <https://example.org/a> { <https://example.org/f> a fg:Film ; "
        'rdfs:label "Earth" ; fg:year "1930" } '
        "GRAPH <https://example.org/b> { <https://example.org/f> a fg:Film ; "
        'rdfs:label "Zemlya" ; fg:year "1930" } }'
    )
    rows = sorted(_pattern_index_rows(store, get_query("name-index").text))
    assert [row[0] for row in rows] == ["earth", "zemlya"]
    assert rows == sorted(whole_answer_rows(store))
