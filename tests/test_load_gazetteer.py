"""The gazetteer a build reads from its store knows what the loaders' own graphs name; the
compact one the build makes (a tuple per resource, numbers in the name tables) answers as
the plain one does, and is kept and read back unchanged."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import URIRef

from filmgraph.gazetteercache import CachedGazetteer, load_gazetteer, save_gazetteer
from filmgraph.loaders import LoadContext, SourceGraph, Triples, get_loader
from filmgraph.loaders.pagegazetteer import _NAME_PROPS as NAME_PROPS
from filmgraph.loaders.pagegazetteer import KIND_OF_CLASS, Gazetteer
from filmgraph.namespaces import FG
from filmgraph.store.oxigraph import to_oxigraph

from .conftest import FIXTURES

KINDS = ("film", "person", "org", "place", "country", "event", "award", "theme")
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_YEAR = ox.NamedNode(str(FG.year))
_UNRESOLVED = ox.NamedNode(str(FG.unresolved))


def curated_small() -> tuple[list[SourceGraph], ox.Store]:
    """The small curated tables as loaded, and a store with a named graph for each."""
    folder = FIXTURES / "curated-small"
    sources = list(get_loader("curated-tables").load(folder, LoadContext(), folder.parent))
    store = ox.Store()
    for source in sources:
        graph = ox.NamedNode(str(source.iri))
        store.extend(
            ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph)  # type: ignore[arg-type]
            for s, p, o in source.graph
        )
    return sources, store


def test_the_store_gives_the_names_the_source_graphs_give() -> None:
    sources, store = curated_small()
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


KIND_CLASSES = sorted(KIND_OF_CLASS, key=str)
NAMES = ["Zemlya", "Earth", "The Earth (1930)", "Boris Barnet", "Boris Barnett", "earth"]
NODES = [f"https://example.org/n{i}" for i in range(6)]


@st.composite
def described_graphs(draw: st.DrawFn) -> list[ox.Quad]:
    """Nodes typed, named and dated in a few graphs, some of them placeholders."""
    found: list[ox.Quad] = []
    for g in range(draw(st.integers(1, 3))):
        graph = ox.NamedNode(f"https://example.org/graph/{g}")
        for node in draw(st.sets(st.sampled_from(NODES), max_size=4)):
            s = ox.NamedNode(node)
            for cls in draw(st.sets(st.sampled_from(KIND_CLASSES), min_size=1, max_size=2)):
                found.append(ox.Quad(s, _TYPE, ox.NamedNode(str(cls)), graph))
            for prop in draw(st.sets(st.sampled_from(NAME_PROPS), max_size=2)):
                for name in draw(st.sets(st.sampled_from(NAMES), max_size=2)):
                    found.append(ox.Quad(s, ox.NamedNode(str(prop)), ox.Literal(name), graph))
            for year in draw(st.sets(st.sampled_from(["1930", "1931-05"]), max_size=2)):
                found.append(ox.Quad(s, _YEAR, ox.Literal(year), graph))
            if draw(st.booleans()) and draw(st.booleans()):
                found.append(ox.Quad(s, _UNRESOLVED, ox.Literal("true"), graph))
    return found


@settings(max_examples=120, deadline=None)
@given(described_graphs())
def test_the_compact_gazetteer_answers_as_the_plain_one(quads: list[ox.Quad]) -> None:
    store = ox.Store()
    store.extend(quads)
    graphs = sorted({URIRef(q.graph_name.value) for q in quads if hasattr(q.graph_name, "value")})
    plain = Gazetteer.from_store(store, graphs)
    compact = CachedGazetteer.from_store(store, graphs)
    assert len(compact) == len(plain)
    for kind in KINDS:
        assert dict(compact.names(kind).items()) == plain.names(kind), kind
        for name in NAMES:
            assert compact.lookup(kind, name) == plain.lookup(kind, name), (kind, name)
    for node in NODES:
        assert compact.entry(URIRef(node)) == plain.entry(URIRef(node))


def test_the_compact_gazetteer_is_kept_and_read_back_as_it_was(tmp_path: Path) -> None:
    sources, store = curated_small()
    compact = CachedGazetteer.from_store(store, [s.iri for s in sources])
    save_gazetteer(compact, tmp_path / "kept.marshal")
    again = load_gazetteer(tmp_path / "kept.marshal")
    assert again is not None and len(again) == len(compact) > 0
    for kind in KINDS:
        assert dict(again.names(kind).items()) == dict(compact.names(kind).items()), kind
