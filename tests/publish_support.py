"""Helpers the publishing tests share: the fixture build, graph comparison, rapper."""

from __future__ import annotations

import subprocess
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD
from rdflib.term import Node

from .conftest import FIXTURES, require_program

__all__ = [
    "PUBLISH",
    "numeric_normalised",
    "plain",
    "quads_by_graph",
    "rapper_ntriples",
    "same_graph",
]

PUBLISH = FIXTURES / "publish"


def rapper_ntriples(path: Path, syntax: str, output: str = "ntriples") -> str:
    """``path`` re-read by raptor's rapper and written back as N-Triples (or N-Quads)."""
    rapper = require_program("rapper")
    done = subprocess.run(
        [rapper, "--quiet", "--input", syntax, "--output", output, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def plain(term: Node) -> Node:
    """``"x"^^xsd:string`` as ``"x"``: the same RDF 1.1 literal, spelt two ways by rdflib."""
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def _graph(triples: Iterable[tuple[Node, Node, Node]]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def same_graph(a: Graph, b: Graph) -> bool:
    """Isomorphism, fast where it can be: ground triples compared as sets, the triples
    with blank nodes by rdflib's isomorphism test."""

    def split(g: Graph) -> tuple[set[object], Graph]:
        ground: set[object] = set()
        blank = []
        for t in g:
            if any(isinstance(x, BNode) for x in t):
                blank.append(t)
            else:
                ground.add(t)
        return ground, _graph(blank)

    ground_a, blank_a = split(a)
    ground_b, blank_b = split(b)
    return ground_a == ground_b and isomorphic(blank_a, blank_b)


def quads_by_graph(text: str | bytes, fmt: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> dict[str, Graph]:
    """N-Quads (or TriG) as one rdflib graph per named graph."""
    from filmgraph.store.oxigraph import from_oxigraph

    graphs: dict[str, Graph] = defaultdict(Graph)
    data = text.encode("utf-8") if isinstance(text, str) else text
    for quad in ox.parse(data, format=fmt):
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        graphs[name].add(
            (
                from_oxigraph(quad.subject),
                from_oxigraph(quad.predicate),
                plain(from_oxigraph(quad.object)),
            )
        )
    return dict(graphs)


def numeric_normalised(graph: Graph) -> Graph:
    """Numbers compared by value: some servers rewrite 1.0 (decimal) as 1 (integer)."""
    out = Graph()
    numeric = {XSD.integer, XSD.decimal, XSD.double, XSD.float}
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype in numeric:
            o = Literal(str(Decimal(str(o)).normalize()), datatype=URIRef("urn:number"))
        out.add((s, p, o))
    return out
