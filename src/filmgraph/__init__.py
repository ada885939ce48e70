"""filmgraph: a knowledge graph of film influences and historical context.

The names a notebook needs::

    from filmgraph import build, open_store, run_named

    build()                                   # bundled sources -> graph/build
    store = open_store("graph/build")
    run_named(store, "film-influences", {"film": "film:the-miners-1937"})
    read_aggregates("graph/build")            # most cited, films per movement per decade
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "FG",
    "build",
    "catalogue",
    "open_store",
    "read_aggregates",
    "render",
    "run_named",
    "validate_graph",
]

_LAZY = {
    "FG": "filmgraph.namespaces",
    "build": "filmgraph.build",
    "catalogue": "filmgraph.queries",
    "open_store": "filmgraph.store",
    "read_aggregates": "filmgraph.aggregates",
    "render": "filmgraph.results",
    "run_named": "filmgraph.queries",
    "validate_graph": "filmgraph.validation",
}

if TYPE_CHECKING:
    from filmgraph.aggregates import read_aggregates
    from filmgraph.build import build
    from filmgraph.namespaces import FG
    from filmgraph.queries import catalogue, run_named
    from filmgraph.results import render
    from filmgraph.store import open_store
    from filmgraph.validation import validate_graph


def __getattr__(name: str) -> Any:
    # Imports are deferred so that importing filmgraph does no work (rdflib is slow to load).
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'filmgraph' has no attribute {name!r}")
