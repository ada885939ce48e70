"""Interactive influence maps (pyvis, vis-network) and static figures (matplotlib).

A map is one self-contained HTML page: no CDN, no network request at all. Build one with
:func:`filmgraph.viz.maps.write_map` (what ``filmgraph viz`` calls), or step by step:
:mod:`~filmgraph.viz.selection` picks the nodes, :mod:`~filmgraph.viz.details` adds what the
side panel shows, :mod:`~filmgraph.viz.layout` places them and :mod:`~filmgraph.viz.page`
writes the page. :mod:`~filmgraph.viz.static` draws figures for print.
"""

from __future__ import annotations

__all__: list[str] = []
