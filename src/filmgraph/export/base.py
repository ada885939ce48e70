"""What every exporter is: a name, a media type and a ``write`` from a selection to a path."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from filmgraph.export.selection import Selected

__all__ = ["DEFAULT_ENDPOINT", "ExportResult", "Exporter"]

#: The endpoint a dataset description names unless told otherwise (``filmgraph serve``).
DEFAULT_ENDPOINT = "http://localhost:8000/sparql"


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: where, in which format, and how much."""

    format: str
    path: Path
    #: triples, quads, rows or statements written, as ``unit`` says
    count: int
    unit: str
    #: what was left out and why, one line each (e.g. statements whose schema.org property
    #: is not defined for the resource's type)
    notes: tuple[str, ...] = ()


class Exporter(ABC):
    """One output format. Built-ins register in ``filmgraph.exporters`` like any plugin."""

    #: the ``--format`` name
    name: str = ""
    #: what the format is for, one line (shown by ``filmgraph export --list``)
    description: str = ""
    media_type: str = "application/octet-stream"
    #: the file name extension, or ``""`` for exporters that write a folder
    extension: str = ""

    def __init__(self, *, endpoint: str = DEFAULT_ENDPOINT) -> None:
        #: the public SPARQL endpoint, for formats that name it (the dataset description)
        self.endpoint = endpoint

    @abstractmethod
    def write(self, selected: Selected, out: Path) -> ExportResult:
        """Write ``selected`` to ``out`` (a file, or a folder when ``extension`` is empty)."""
