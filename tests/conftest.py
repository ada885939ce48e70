"""Shared fixtures: small graphs built from the fixtures beside the tests, and the bundled one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from filmgraph.build import BuildResult, build
from filmgraph.loaders import LoadContext, get_loader
from filmgraph.provenance import ONTOLOGY_GRAPH
from filmgraph.resources import ontology_path
from filmgraph.store.memory import MemoryStore

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
REPO = TESTS.parent
#: The read-only shared folder beside the checkout; absent outside the workplace.
SHARED = REPO.parent / "shared"


def require_shared(relative: str) -> Path:
    """A file of the read-only ``../shared`` folder; skip without it, but fail under CI=true.

    CI checks out ``../shared`` beside the clone, so a missing file there is a failure, not
    a reason to skip the tests that read it.
    """
    path = SHARED / relative
    if not path.exists():
        message = f"{path} is not here: ../shared is absent"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def separate_sources(root: Path) -> list[Path]:
    """A curated folder, a remake list and a folder of two pages, copied under ``root`` as
    three sources (what incremental builds change one at a time)."""
    shutil.copytree(FIXTURES / "curated-small", root / "curated")
    shutil.copytree(FIXTURES / "remakes-small", root / "remakes")
    (root / "pages").mkdir()
    for name in ("chapaev-1934.txt", "turksib-1929.txt"):
        shutil.copy(REPO / "graph" / "sources" / "pages" / name, root / "pages" / name)
    return [root / "curated", root / "remakes" / "remakes.csv", root / "pages"]


def small_build(store_dir: Path) -> Path:
    """``store_dir`` holding a build of the small curated tables alone."""
    build(store_dir, sources=[FIXTURES / "curated-small"], bundled=False)
    return store_dir


def require_program(name: str) -> str:
    """The path of an external program; skip without it, but fail under CI=true."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (.ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def load_source(
    loader: str, path: Path, context: LoadContext | None = None
) -> tuple[Graph, LoadContext]:
    """Everything one loader reads from ``path``, as one graph, and the context it used."""
    context = context or LoadContext()
    graph = Graph()
    for source in get_loader(loader).load(path, context, path.parent):
        graph += source.graph
    return graph, context


def load_fixture_dataset(folder: Path) -> Dataset:
    """The quads a folder of curated tables gives, plus the ontology, as a build would."""
    dataset = Dataset()
    loader = get_loader("curated-tables")
    for source in loader.load(folder, LoadContext(), folder.parent):
        dataset.graph(source.iri).__iadd__(source.graph)
    dataset.graph(ONTOLOGY_GRAPH).parse(ontology_path(), format="turtle")
    return dataset


@pytest.fixture(scope="session")
def small_store() -> MemoryStore:
    """An in-memory store holding the ``curated-small`` fixture and the ontology."""
    return MemoryStore(load_fixture_dataset(FIXTURES / "curated-small"))


@pytest.fixture(scope="session")
def bundled_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The bundled graph, built once for the whole session into a temporary directory."""
    return build(tmp_path_factory.mktemp("bundled") / "build")
