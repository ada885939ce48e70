"""Influence analytics on a NetworkX graph projected from the store.

:func:`~filmgraph.analytics.projection.influence_graph` runs one query and builds the
graph; every other function here is a pure function of that graph (no SPARQL, no I/O).
"""
