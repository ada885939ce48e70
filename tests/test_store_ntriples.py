"""A loader's triples reach the store as N-Triples read by the engine's parser: every term
arrives as the pyoxigraph term it stands for, and a blank node handed over in two parts
stays one node.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.term import Node

from filmgraph.store.oxigraph import add_ntriples, ntriples, to_oxigraph

EX = "http://example.org/"
GRAPH = ox.NamedNode(f"{EX}graph")

#: Any text a table cell may hold (no lone surrogates: no reader gives them).
texts = st.text(st.characters(exclude_categories=["Cs"]))
literals = st.one_of(
    texts.map(Literal),
    st.tuples(texts, st.sampled_from(["en", "fr-CA", "de-1901"])).map(
        lambda pair: Literal(pair[0], lang=pair[1])
    ),
    st.tuples(texts, st.sampled_from([XSD.date, XSD.gYear, XSD.integer, URIRef(f"{EX}kind")])).map(
        lambda pair: Literal(pair[0], datatype=pair[1])
    ),
)


@given(literals)
def test_a_literal_is_read_back_as_the_term_it_stands_for(literal: Literal) -> None:
    triple = (URIRef(f"{EX}s"), URIRef(f"{EX}p"), literal)
    [quad] = ox.parse(ntriples([triple]), format=ox.RdfFormat.N_TRIPLES)
    assert (quad.subject, quad.predicate, quad.object) == tuple(map(to_oxigraph, triple))


resources = st.one_of(
    st.sampled_from([URIRef(f"{EX}a"), URIRef(f"{EX}b"), URIRef(f"{EX}p")]),
    st.sampled_from([BNode("a"), BNode("b")]),
)
predicates = st.sampled_from([URIRef(f"{EX}p"), URIRef(f"{EX}q")])
triple_lists = st.lists(st.tuples(resources, predicates, literals | resources))


@given(triple_lists)
def test_the_text_is_the_one_rdflib_writes(triples: list[tuple[Node, Node, Node]]) -> None:
    # a term written once a call is reused: an IRI and a blank node of the same name, or a
    # resource met again, must still come out as rdflib's N-Triples writer writes them
    assert ntriples(triples) == "".join(map(_nt_row, triples)).encode("utf-8")


@pytest.mark.parametrize("bulk", [False, True], ids=["in memory", "bulk on disk"])
def test_a_blank_node_handed_over_in_two_parts_stays_one_node(bulk: bool, tmp_path: Path) -> None:
    store = ox.Store(str(tmp_path / "store")) if bulk else ox.Store()
    node = BNode("b1")
    add_ntriples(store, ntriples([(node, URIRef(f"{EX}p"), Literal("a"))]), GRAPH, bulk=bulk)
    add_ntriples(store, ntriples([(node, URIRef(f"{EX}p"), Literal("b"))]), GRAPH, bulk=bulk)
    assert len({q.subject for q in store.quads_for_pattern(None, None, None, GRAPH)}) == 1


@pytest.mark.parametrize("bulk", [False, True], ids=["in memory", "bulk on disk"])
def test_triples_without_blank_nodes_are_added_to_the_graph(bulk: bool, tmp_path: Path) -> None:
    store = ox.Store(str(tmp_path / "store")) if bulk else ox.Store()
    triples = [(URIRef(f"{EX}s{n}"), URIRef(f"{EX}p"), Literal(n)) for n in range(3)]
    add_ntriples(store, ntriples(triples), GRAPH, bulk=bulk)
    held = {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None)}
    assert held == {tuple(map(to_oxigraph, t)) for t in triples}
    assert all(q.graph_name == GRAPH for q in store)
