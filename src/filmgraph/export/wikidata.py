"""Wikidata-shaped statements (item, property, value, reference) for contributing back.

Which of our properties become which Wikidata properties is read from the ontology's
alignments (:mod:`filmgraph.alignment`): ``fg:director skos:closeMatch wdt:P57``. A statement
is read through the restriction its subject calls for (a film's ``fg:hasCountry`` is its
``fg:countryOfOrigin``, P495; a person's is their ``fg:nationality``, P27; an event's stays
P17), and where two of our properties match one Wikidata property the preferred one wins
(a release date, not the year, for P577; the year fills in only where no date is known).

Each value is written as its property's datatype asks (:mod:`filmgraph.wikibase`): items as
QIDs, times with the precision they have (a year is ``/9``, never a day), approximate dates
with the P1480 qualifier, quantities with their unit, monolingual text with its language.
Only statements whose subject has a Wikidata item are written. A row's ``status`` is
``ready``, ``value-not-linked`` (the value has no item yet, so a curator sees what is
missing) or ``not-expressible`` (the value cannot be written in the property's datatype, such
as text without a language); only ``ready`` rows carry a QuickStatements (v1) line.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Identifier

from filmgraph.alignment import Alignments, Kind, WikidataProperty, alignments
from filmgraph.export.base import Exporter, ExportResult
from filmgraph.export.selection import INFERRED_GRAPH, Selected
from filmgraph.namespaces import FG, WD, WDT
from filmgraph.queries import run_named
from filmgraph.store.base import SelectResult
from filmgraph.wikibase import Quantity, Text, time_of

__all__ = ["COLUMNS", "WikidataExporter", "qid", "statement_rows", "wikidata_value"]

COLUMNS = (
    "item",
    "property",
    "value",
    "datatype",
    "status",
    "subject",
    "our_property",
    "our_value",
    "stated_in",
    "reference_url",
    "source_graph",
    "quickstatements",
)


def qid(term: Identifier | None) -> str:
    """``Q42`` from ``http://www.wikidata.org/entity/Q42``; ``""`` otherwise."""
    text = str(term) if term is not None else ""
    return text[len(str(WD)) :] if text.startswith(str(WD)) else ""


def wikidata_value(
    prop: WikidataProperty, value: Identifier, value_item: str = "", unit: URIRef | None = None
) -> tuple[str, list[tuple[str, str]], str]:
    """``value`` in the syntax of ``prop``'s datatype: (value, qualifiers, status).

    >>> from rdflib import Literal
    >>> from rdflib.namespace import XSD
    >>> P577 = WikidataProperty("P577", "Time", "publication date")
    >>> wikidata_value(P577, Literal("1937", datatype=XSD.gYear))
    ('+1937-00-00T00:00:00Z/9', [], 'ready')
    >>> P1476 = WikidataProperty("P1476", "Monolingualtext", "title")
    >>> wikidata_value(P1476, Literal("Шахтёры", lang="ru"))[0]
    'ru:"Шахтёры"'
    """
    kind = prop.datatype
    if kind == "WikibaseItem":
        if not isinstance(value, URIRef):
            return "", [], "not-expressible"
        return value_item, [], "ready" if value_item else "value-not-linked"
    if kind == "Time":
        time = time_of(value)
        if time is None:
            return "", [], "not-expressible"
        return time.quickstatements(), time.qualifiers(), "ready"
    if kind == "Quantity":
        if not isinstance(value, Literal) or not isinstance(value.toPython(), int | Decimal):
            return "", [], "not-expressible"
        amount = Decimal(str(value.toPython()))
        return Quantity(amount, qid(unit) or None).quickstatements(), [], "ready"
    if kind == "Monolingualtext":
        if not isinstance(value, Literal) or not value.language:
            return "", [], "not-expressible"
        return Text(str(value), value.language).quickstatements(), [], "ready"
    if kind == "CommonsMedia":
        name = unquote(str(value).rstrip("/").rsplit("/", 1)[-1]).replace("_", " ")
        return Text(name).quickstatements(), [], "ready"
    return Text(str(value)).quickstatements(), [], "ready"


class WikidataExporter(Exporter):
    """A CSV of Wikidata statements with references, one statement and reference a row."""

    name, extension, media_type = "wikidata", "csv", "text/csv"
    description = "Wikidata-shaped statements (item, property, value, reference) as CSV"

    def write(self, selected: Selected, out: Path) -> ExportResult:
        rows = statement_rows(selected, alignments())
        with out.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        return ExportResult(self.name, out, len(rows), "statements")


def statement_rows(selected: Selected, align: Alignments) -> list[dict[str, str]]:
    """The Wikidata statements of ``selected``, one row per statement and reference."""
    types = _types(selected)
    rows: list[dict[str, str]] = []
    for ours in _exported_properties(align):
        result = run_named(selected.store, "export-wikidata-statements", {"property": f"<{ours}>"})
        if not isinstance(result, SelectResult):  # a named SELECT always gives rows
            raise TypeError("export-wikidata-statements must be a SELECT query")
        for found in result.dicts():
            effective = align.restrict(ours, types.get(found["subject"], ()))
            for target in align.exports(effective, str(WDT)):
                prop = align.wikidata_property(target)
                if prop is not None:
                    rows.append(_row(found, effective, prop, align))
    return _deduplicated(_preferred_only(rows, align))


def _types(selected: Selected) -> dict[Identifier, set[URIRef]]:
    types: dict[Identifier, set[URIRef]] = defaultdict(set)
    for t in selected.triples(RDF.type):
        if isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode):
            types[URIRef(t.subject.value)].add(URIRef(t.object.value))
    return types


def _exported_properties(align: Alignments) -> list[URIRef]:
    """Our properties with a Wikidata counterpart, themselves or through a restriction."""
    ns = str(FG._NS)
    return sorted(
        term
        for term, kind in align.kinds.items()
        if kind is Kind.PROPERTY
        and str(term).startswith(ns)
        and any(
            align.exports(t, str(WDT))
            for t in [term, *(r for r, _ in align.restrictions.get(term, ()))]
        )
    )


def _row(
    found: dict[str, Identifier], ours: URIRef, prop: WikidataProperty, align: Alignments
) -> dict[str, str]:
    value = found["value"]
    shown, qualifiers, status = wikidata_value(
        prop, value, qid(found.get("valueItem")), align.units.get(ours)
    )
    stated_in = qid(found.get("sourceItem")) or str(found.get("sourceLabel", ""))
    url = str(found.get("sourceUrl", ""))
    item = qid(found["item"])
    statement = [item, prop.pid, shown]
    for qualifier in qualifiers:
        statement += qualifier
    if qid(found.get("sourceItem")):
        statement += ["S248", qid(found.get("sourceItem"))]
    if url:
        statement += ["S854", f'"{url}"']
    return {
        "item": item,
        "property": prop.pid,
        "value": shown,
        "datatype": prop.datatype,
        "status": status,
        "subject": str(found["subject"]),
        "our_property": str(ours),
        "our_value": str(value),
        "stated_in": stated_in,
        "reference_url": url,
        "source_graph": str(found.get("file", found["graph"])),
        "quickstatements": "\t".join(statement) if status == "ready" else "",
    }


def _preferred_only(rows: list[dict[str, str]], align: Alignments) -> list[dict[str, str]]:
    """Drop a row of a non-preferred property where the item has the preferred one."""
    has: set[tuple[str, str, str]] = {
        (r["subject"], r["property"], r["our_property"]) for r in rows
    }
    kept = []
    for r in rows:
        preferred = align.preferred_export(WDT[r["property"]])
        if (
            preferred is not None
            and r["our_property"] != str(preferred)
            and (r["subject"], r["property"], str(preferred)) in has
        ):
            continue
        kept.append(r)
    return kept


def _deduplicated(rows: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """One row per statement, reference and source graph; an inferred row that repeats a
    stated one (``fg:basedOn`` beside the ``fg:remakeOf`` it was inferred from) is dropped."""
    inferred = str(INFERRED_GRAPH)
    stated: set[tuple[str, ...]] = set()
    kept: list[dict[str, str]] = []
    seen: set[tuple[str, ...]] = set()
    ordered = sorted(
        rows,
        key=lambda r: (
            r["source_graph"] == inferred,
            r["item"],
            r["property"],
            r["value"],
            r["source_graph"],
        ),
    )
    for r in ordered:
        statement = (
            r["item"],
            r["property"],
            r["value"],
            r["quickstatements"],
            r["our_value"],
            r["stated_in"],
            r["reference_url"],
        )
        key = (*statement, r["source_graph"])
        if key in seen or (r["source_graph"] == inferred and statement in stated):
            continue
        seen.add(key)
        stated.add(statement)
        kept.append(r)
    return sorted(
        kept,
        key=lambda r: (r["item"], r["property"], r["value"], r["source_graph"], r["stated_in"]),
    )
