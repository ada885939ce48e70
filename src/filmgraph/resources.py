"""Where the project's own files live: ontology, shapes, queries, bundled sources, build.

filmgraph runs from a checkout (``pip install -e .``), so these are found next to the
package's source tree rather than copied into it.
"""

from __future__ import annotations

from pathlib import Path

from filmgraph.errors import FilmgraphError

__all__ = [
    "default_store_dir",
    "manifest_path",
    "ontology_path",
    "project_root",
    "queries_dir",
    "shapes_path",
    "sources_dir",
]


def project_root() -> Path:
    """The checkout the package runs from (the folder holding ``ontology/``)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "ontology" / "filmgraph.ttl").is_file():
        raise FilmgraphError(
            f"cannot find the filmgraph checkout above {Path(__file__).parent} "
            "(install with 'pip install -e .' from a clone)"
        )
    return root


def ontology_path() -> Path:
    """The OWL ontology in Turtle."""
    return project_root() / "ontology" / "filmgraph.ttl"


def shapes_path() -> Path:
    """The SHACL shapes."""
    return project_root() / "ontology" / "shapes.ttl"


def queries_dir() -> Path:
    """The named SPARQL queries (``*.rq``)."""
    return project_root() / "queries"


def sources_dir() -> Path:
    """The bundled sources the graph is built from."""
    return project_root() / "graph" / "sources"


def manifest_path() -> Path:
    """The manifest listing the bundled sources and their loaders."""
    return sources_dir() / "manifest.toml"


def default_store_dir() -> Path:
    """Where ``filmgraph build`` puts the graph unless told otherwise."""
    return project_root() / "graph" / "build"
