"""Exports other archives and tools can ingest, one module per family of formats.

Exporters are found by name in the ``filmgraph.exporters`` entry-point group, where the
built-ins register like any plugin::

    from filmgraph.export import Selection, export
    export(store, "turtle", Path("graph.ttl"), Selection(provenance=False))

Every export starts from the same selection of quads (:mod:`filmgraph.export.selection`):
all of them, or without inferred triples, without provenance, or a subgraph around a film
or a movement.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

from filmgraph.errors import ParameterError
from filmgraph.export.base import DEFAULT_ENDPOINT, Exporter, ExportResult
from filmgraph.export.selection import Selected, Selection, select
from filmgraph.store.base import Store

__all__ = [
    "ExportResult",
    "Exporter",
    "Selected",
    "Selection",
    "export",
    "exporter",
    "exporters",
    "select",
]


def exporters() -> dict[str, type[Exporter]]:
    """Every registered exporter class, by format name."""
    found: dict[str, type[Exporter]] = {}
    for point in entry_points(group="filmgraph.exporters"):
        found[point.name] = point.load()
    return dict(sorted(found.items()))


def exporter(name: str) -> type[Exporter]:
    """The exporter class registered as ``name``; the error lists the known formats."""
    known = exporters()
    if name not in known:
        raise ParameterError(f"no export format {name!r} (known: {', '.join(known)})")
    return known[name]


def export(
    store: Store,
    fmt: str,
    out: Path,
    selection: Selection | None = None,
    *,
    endpoint: str = DEFAULT_ENDPOINT,
) -> ExportResult:
    """Write the selected part of ``store`` to ``out`` in format ``fmt``."""
    writer = exporter(fmt)(endpoint=endpoint)
    if writer.extension and out.is_dir():
        raise ParameterError(f"{out} is a folder; {fmt} writes one file")
    if out.parent and not out.parent.is_dir():
        raise ParameterError(f"no folder {out.parent} to write {out.name} into")
    with select(store, selection or Selection()) as selected:
        return writer.write(selected, out)
