"""Loader for RDF that other archives publish: Turtle, N-Triples, RDF/XML.

The file's triples go into one named graph for the file, unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from rdflib.exceptions import ParserError

from filmgraph.errors import SourceError
from filmgraph.loaders import LoadContext, SourceGraph
from filmgraph.provenance import graph_iri

__all__ = ["RdfLoader"]

FORMATS = {".ttl": "turtle", ".nt": "nt", ".rdf": "xml", ".owl": "xml"}


class RdfLoader:
    """Reads one RDF file into one named graph."""

    name = "rdf"

    def accepts(self, path: Path) -> bool:
        return path.is_file() and path.suffix in FORMATS

    def load(self, path: Path, context: LoadContext, root: Path) -> Iterator[SourceGraph]:
        source = SourceGraph(graph_iri(path, root), path, self.name)
        try:
            source.graph.parse(path, format=FORMATS[path.suffix])
        except (ParserError, SyntaxError, ValueError) as exc:
            # rdflib's messages carry the line ("at line 12 of <>"): pass them on whole.
            raise SourceError(path, f"is not valid {FORMATS[path.suffix]}: {exc}") from exc
        source.records = len(source.graph)
        yield source
