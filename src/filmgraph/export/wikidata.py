"""Wikidata-shaped statements (item, property, value, reference) for contributing back.

Which of our properties become which Wikidata properties is read from the ontology's
alignments (``fg:director skos:closeMatch wdt:P57``). Only statements whose subject has a
Wikidata item are written; a value without an item is kept with the status
``value-not-linked`` so a curator sees what is missing. Where a property aligns to several
Wikidata properties equally well (``fg:country``: P495 for works, P17 for places), every
candidate is written with the status ``choose-one``: the ontology does not say which.
Each row also carries a QuickStatements (v1) line, references included.
"""

from __future__ import annotations

import csv
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from filmgraph.export.alignment import load_alignments
from filmgraph.export.base import Exporter, ExportResult
from filmgraph.export.selection import Selected
from filmgraph.namespaces import WD
from filmgraph.queries import run_named
from filmgraph.store.base import SelectResult

__all__ = ["COLUMNS", "WikidataExporter", "qid", "wikidata_value"]

COLUMNS = (
    "item", "property", "value", "status", "subject", "our_property", "our_value", "stated_in",
    "reference_url", "source_graph", "quickstatements",
)


def qid(term: Identifier | None) -> str:
    """``Q42`` from ``http://www.wikidata.org/entity/Q42``; ``""`` otherwise."""
    text = str(term) if term is not None else ""
    return text[len(str(WD)):] if text.startswith(str(WD)) else ""


def wikidata_value(term: Identifier) -> str:
    """A literal in QuickStatements syntax: dates with precision, text with its language.

    >>> from rdflib import Literal
    >>> from rdflib.namespace import XSD
    >>> wikidata_value(Literal("1937", datatype=XSD.gYear))
    '+1937-00-00T00:00:00Z/9'
    >>> wikidata_value(Literal("Шахтёры", lang="ru"))
    'ru:"Шахтёры"'
    """
    assert isinstance(term, Literal)
    text = str(term)
    if term.datatype == XSD.gYear:
        return f"+{text}-00-00T00:00:00Z/9"
    if term.datatype == XSD.gYearMonth:
        return f"+{text}-00T00:00:00Z/10"
    if term.datatype == XSD.date:
        return f"+{text}T00:00:00Z/11"
    if term.datatype in (XSD.integer, XSD.decimal, XSD.double):
        return text
    if term.language:
        return f'{term.language}:"{text}"'
    return '"' + text.replace('"', "'") + '"'


class WikidataExporter(Exporter):
    """A CSV of Wikidata statements with references, one statement and reference a row."""

    name, extension, media_type = "wikidata", "csv", "text/csv"
    description = "Wikidata-shaped statements (item, property, value, reference) as CSV"

    def write(self, selected: Selected, out: Path) -> ExportResult:
        alignments = load_alignments()
        rows: list[dict[str, str]] = []
        for ours in sorted(alignments.terms()):
            properties = alignments.wikidata_properties(ours)
            if not properties:
                continue
            result = run_named(selected.store, "export-wikidata-statements",
                               {"property": f"<{ours}>"})
            assert isinstance(result, SelectResult)
            for found in result.dicts():
                for prop in properties:
                    rows.append(_row(found, ours, prop, len(properties) > 1))
        with out.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        return ExportResult(self.name, out, len(rows), "statements")


def _row(found: dict[str, Identifier], ours: URIRef, prop: str, ambiguous: bool) -> dict[str, str]:
    value = found["value"]
    status = "choose-one" if ambiguous else "ready"
    if isinstance(value, Literal):
        shown = wikidata_value(value)
    else:
        shown = qid(found.get("valueItem"))
        if not shown:
            status = "value-not-linked"
    stated_in = qid(found.get("sourceItem")) or str(found.get("sourceLabel", ""))
    url = str(found.get("sourceUrl", ""))
    item = qid(found["item"])
    statement = [item, prop, shown]
    if qid(found.get("sourceItem")):
        statement += ["S248", qid(found.get("sourceItem"))]
    if url:
        statement += ["S854", f'"{url}"']
    return {
        "item": item,
        "property": prop,
        "value": shown,
        "status": status,
        "subject": str(found["subject"]),
        "our_property": str(ours),
        "our_value": str(value),
        "stated_in": stated_in,
        "reference_url": url,
        "source_graph": str(found.get("file", found["graph"])),
        "quickstatements": "\t".join(statement) if status != "value-not-linked" else "",
    }
