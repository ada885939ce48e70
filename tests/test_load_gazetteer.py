"""The gazetteer a build reads from its store knows what the loaders' own graphs name."""

from __future__ import annotations

import pyoxigraph as ox

from filmgraph.loaders import LoadContext, Triples, get_loader
from filmgraph.loaders.pagegazetteer import Gazetteer
from filmgraph.store.oxigraph import to_oxigraph

from .conftest import FIXTURES

KINDS = ("film", "person", "org", "place", "country", "event", "award", "theme")


def test_the_store_gives_the_names_the_source_graphs_give() -> None:
    folder = FIXTURES / "curated-small"
    sources = list(get_loader("curated-tables").load(folder, LoadContext(), folder.parent))
    store = ox.Store()
    for source in sources:
        graph = ox.NamedNode(str(source.iri))
        store.extend(
            ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph)  # type: ignore[arg-type]
            for s, p, o in source.graph
        )
    from_store = Gazetteer.from_store(store, [s.iri for s in sources])
    from_graphs = Gazetteer.from_graphs(s.graph for s in sources)
    for kind in KINDS:
        assert {
            name: [e.iri for e in entries] for name, entries in from_store.names(kind).items()
        } == {
            name: [e.iri for e in entries] for name, entries in from_graphs.names(kind).items()
        }, kind
    assert len(from_store) == len(from_graphs) > 0


def test_triples_keep_the_first_of_repeated_statements_once() -> None:
    buffer = Triples()
    sources = list(
        get_loader("curated-tables").load(FIXTURES / "curated-small", LoadContext(), FIXTURES)
    )
    first = next(iter(sources[0].graph))
    buffer.add(first)
    buffer += [first, first]
    assert len(buffer) == 1 and first in buffer
    assert len(buffer.graph()) == 1
