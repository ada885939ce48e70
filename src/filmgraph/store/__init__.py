"""Store backends behind one interface, chosen by a setting rather than a code path.

The setting is ``memory``, the path of a build directory (the embedded Oxigraph store), or
later the URL of a remote SPARQL endpoint. Backends are found by name in the
``filmgraph.stores`` entry-point group, where the built-ins register like any plugin.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

from filmgraph.builddir import BuildDir
from filmgraph.errors import FilmgraphError
from filmgraph.store.base import QueryResult, SelectResult, Store

__all__ = ["QueryResult", "SelectResult", "Store", "backend", "open_store"]


def backend(name: str) -> type[Store]:
    """The store class registered under ``name``."""
    found = entry_points(group="filmgraph.stores", name=name)
    if not found:
        known = sorted(ep.name for ep in entry_points(group="filmgraph.stores"))
        raise FilmgraphError(f"no store backend named {name!r} (known: {', '.join(known)})")
    cls: type[Store] = next(iter(found)).load()
    return cls


def open_store(setting: str | Path) -> Store:
    """Open the store a setting names, for reading.

    ``"memory"`` gives an empty in-process store; a directory gives the current generation
    of a build there, opened read-only so other readers can share it.
    """
    if setting == "memory":
        return backend("memory")()
    generation = BuildDir(Path(setting)).current()
    return backend("oxigraph")(generation.store_path, read_only=True)  # type: ignore[call-arg]
