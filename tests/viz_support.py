"""The store the influence-map tests draw: ``tests/fixtures/viz/`` (curated tables and a
similarity pair), loaded the way a build loads them."""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef

from filmgraph.store import Store, backend

from .conftest import FIXTURES, load_fixture_dataset

__all__ = ["VIZ", "fixture_sources", "read_json_script", "viz_store"]

VIZ = FIXTURES / "viz"


def viz_store() -> Store:
    """An in-memory Oxigraph store of the viz fixture and the ontology (as fast as a build,
    without building)."""
    dataset = load_fixture_dataset(VIZ / "curated")
    dataset.graph(URIRef("https://w3id.org/filmgraph/id/graph/viz-similarity")).parse(
        VIZ / "similarity.ttl", format="turtle"
    )
    store = backend("oxigraph")()
    store.add_dataset(dataset)
    return store


def read_json_script(html: str, element_id: str) -> str:
    """The text of ``<script type="application/json" id=element_id>`` in a page."""
    start = html.index(f'id="{element_id}">') + len(f'id="{element_id}">')
    return html[start : html.index("</script>", start)]


def fixture_sources() -> list[Path]:
    """What ``filmgraph build --source`` needs to build the same graph on disk."""
    return [VIZ / "curated", VIZ / "similarity.ttl"]
