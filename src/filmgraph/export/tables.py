"""CSV tables for scholars who work in spreadsheets: films, people and influence claims.

Each table is a named query (``queries/table-*.rq``), so the same rows are one
``filmgraph query table-films`` away; this exporter writes the three into one folder.
"""

from __future__ import annotations

from pathlib import Path

from filmgraph.export.base import Exporter, ExportResult
from filmgraph.export.selection import Selected
from filmgraph.queries import run_named
from filmgraph.results import render

__all__ = ["TABLES", "TablesExporter"]

#: file name -> named query
TABLES = {
    "films.csv": "table-films",
    "people.csv": "table-people",
    "influences.csv": "table-influences",
}


class TablesExporter(Exporter):
    """A folder of CSV files, one per table, UTF-8 with a header row."""

    name, extension, media_type = "csv", "", "text/csv"
    description = "CSV tables (a folder): films.csv, people.csv, influences.csv"

    def write(self, selected: Selected, out: Path) -> ExportResult:
        out.mkdir(parents=True, exist_ok=True)
        rows = 0
        for filename, query in TABLES.items():
            text = render(run_named(selected.store, query), "csv")
            (out / filename).write_text(text, encoding="utf-8")
            rows += max(0, text.count("\n") - 1)
        return ExportResult(self.name, out, rows, "rows")
