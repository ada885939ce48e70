"""Loader for dated historical events exported from Wikidata (a JSON array of SPARQL rows).

Each object has ``event`` (the Wikidata entity), ``date``, ``label`` and optionally
``image`` and ``article``. Wikidata writes a date known only to the year as ``YYYY-01-01``,
so such dates are read as the whole year rather than as the first of January (an event
that really happened on 1 January loses its day: the file cannot tell the two apart).
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from filmgraph.errors import SourceError
from filmgraph.iri import mint, slug
from filmgraph.loaders import LoadContext, SourceGraph, Triples
from filmgraph.namespaces import FG, WD
from filmgraph.provenance import graph_iri

__all__ = ["WikidataEventsLoader"]

_ENTITY = re.compile(r"^http://www\.wikidata\.org/entity/(Q[1-9][0-9]*)$")
_DATE = re.compile(r"^(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})T")


def _open(path: Path) -> Any:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


class WikidataEventsLoader:
    """Reads ``historicEvents.json(.gz)`` into :class:`fg:HistoricalEvent` nodes."""

    name = "wikidata-events"

    def accepts(self, path: Path) -> bool:
        return path.is_file() and path.name.endswith((".json", ".json.gz"))

    def load(self, path: Path, context: LoadContext, root: Path) -> Iterator[SourceGraph]:
        if context.reuse(path):
            return
        try:
            items = _open(path)
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise SourceError(path, f"cannot be read: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise SourceError(path, f"is not valid JSON: {exc.msg}", line=exc.lineno) from exc
        if not isinstance(items, list):
            raise SourceError(path, "must hold a JSON array of events")
        source = SourceGraph(graph_iri(path, root), path, self.name)
        for index, item in enumerate(items):
            scratch = Triples()
            try:
                self._read(path, index, item, scratch)
            except SourceError as error:
                context.reject(error)
                continue
            source.graph += scratch
            source.records += 1
        yield source

    def _read(self, path: Path, index: int, item: object, g: Triples) -> None:
        def error(field: str, reason: str) -> SourceError:
            # A JSON array has no useful line numbers once compressed; the item number is.
            return SourceError(path, f"item {index}: {reason}", field=field)

        if not isinstance(item, dict):
            raise error("event", "is not an object")
        match = _ENTITY.match(str(item.get("event", "")))
        if not match:
            raise error("event", f"{item.get('event')!r} is not a Wikidata entity IRI")
        qid = match.group(1)
        label = str(item.get("label", "")).strip()
        if not label:
            raise error("label", "is empty")
        date = _DATE.match(str(item.get("date", "")))
        if not date:
            raise error("date", f"{item.get('date')!r} is not an xsd:dateTime")
        year, month, day = date.groups()
        event = mint("event", f"{slug(label)}-{qid.lower()}")
        g.add((event, RDF.type, FG.HistoricalEvent))
        g.add((event, RDFS.label, Literal(label, lang="en")))
        g.add((event, FG.wikidata, WD[qid]))
        if (month, day) == ("01", "01"):
            start, end = f"{year}-01-01", f"{year}-12-31"
            edtf = year
        else:
            start = end = edtf = f"{year}-{month}-{day}"
        g.add((event, FG.start, Literal(edtf, datatype=FG.EDTF)))
        g.add((event, FG.end, Literal(edtf, datatype=FG.EDTF)))
        if not year.startswith("-"):
            # Years before the common era stay EDTF only: xsd:date tools disagree on year 0.
            g.add((event, FG.startDate, Literal(start, datatype=XSD.date)))
            g.add((event, FG.endDate, Literal(end, datatype=XSD.date)))
        if item.get("article"):
            g.add((event, FG.wikipediaArticle, URIRef(str(item["article"]))))
        if item.get("image"):
            g.add((event, FG.image, URIRef(str(item["image"]))))
