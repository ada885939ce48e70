"""Loader for the remake list scraped from English Wikipedia ("List of film remakes").

Each row says a later film remakes an earlier one. Both films are minted from title and
year, so they meet the same films from other sources; each row becomes an adaptation claim
citing the list. The scrape attached the original's Wikidata id to remakes that have no
article of their own, so a remake's id is kept only where nothing contradicts it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from filmgraph.errors import SourceError
from filmgraph.iri import film_iri, hashed_iri, mint
from filmgraph.loaders import LoadContext, SourceGraph, Triples
from filmgraph.loaders.csvtable import Row, read_rows
from filmgraph.namespaces import FG, WD
from filmgraph.provenance import graph_iri

__all__ = ["RemakesLoader"]

COLUMNS = (
    "original",
    "original_year",
    "original_url",
    "remake",
    "remake_year",
    "remake_url",
    "original_wikidata_id",
    "remake_wikidata_id",
)
LIST_URL = "https://en.wikipedia.org/wiki/List_of_film_remakes_(A%E2%80%93M)"
_TRAILING_YEAR = re.compile(r"\s*\((?:[0-9]{4})(?: film)?\)$")


def _title(row: Row, field: str) -> str:
    # Remake titles sometimes repeat the year in brackets: "12 Angry Men (1997)".
    return _TRAILING_YEAR.sub("", row.required(field)).strip()


class RemakesLoader:
    """Reads ``remakes.csv`` (the Wikipedia list of film remakes) into adaptation claims."""

    name = "wikipedia-remakes"

    def accepts(self, path: Path) -> bool:
        if path.suffix != ".csv" or not path.is_file():
            return False
        with path.open(encoding="utf-8") as handle:
            return handle.readline().strip().split(",") == list(COLUMNS)

    def load(self, path: Path, context: LoadContext, root: Path) -> Iterator[SourceGraph]:
        if context.reuse(path):
            return
        rows = list(read_rows(path, COLUMNS, required=COLUMNS))
        trusted = _trusted_ids(rows, context)
        source = SourceGraph(graph_iri(path, root), path, self.name)
        cited = mint("source", "wikipedia-list-of-film-remakes")
        g = source.graph
        g.add((cited, RDF.type, FG.SourceDocument))
        g.add(
            (cited, RDFS.label, Literal("Wikipedia contributors, List of film remakes", lang="en"))
        )
        g.add((cited, FG.sourceKind, Literal("web-page")))
        g.add((cited, FG.url, URIRef(LIST_URL)))
        for row in rows:
            scratch = Triples()
            try:
                self._read(row, scratch, cited, trusted)
            except SourceError as error:
                context.reject(error)
                continue
            g += scratch
            source.records += 1
        yield source

    def _read(
        self, row: Row, g: Triples, cited: URIRef, trusted: dict[tuple[str, int], str]
    ) -> None:
        ends = []
        for side in ("original", "remake"):
            title = _title(row, side)
            year = row.year(f"{side}_year")
            if year is None:
                raise row.error(f"{side}_year", "is empty but required")
            try:
                film = film_iri(title, year)
            except ValueError:
                raise row.error(
                    side, f"{title!r} gives an empty identifier (no letter or digit in it)"
                ) from None
            g.add((film, RDF.type, FG.Film))
            g.add((film, RDFS.label, Literal(title, lang="en")))
            g.add((film, FG.year, Literal(f"{year:04d}", datatype=XSD.gYear)))
            url = row.get(f"{side}_url")
            if url and "#" not in url:
                g.add((film, FG.wikipediaArticle, URIRef(url)))
            qid = trusted.get((title, year))
            if qid:
                g.add((film, FG.wikidata, WD[qid]))
            ends.append(film)
        original, remake = ends
        if original == remake:
            raise row.error("remake", "the remake is the original itself (same title and year)")
        claim = hashed_iri("claim", str(cited), "remake", str(remake), str(original))
        g.add((claim, RDF.type, FG.AdaptationClaim))
        g.add((claim, FG.influencee, remake))
        g.add((claim, FG.influencer, original))
        g.add((claim, FG.aspect, Literal("remake", lang="en")))
        g.add(
            (
                claim,
                FG.evidence,
                Literal(
                    f"{row.get('remake')} ({row.get('remake_year')}) is listed as a remake of "
                    f"{row.get('original')} ({row.get('original_year')})",
                    lang="en",
                ),
            )
        )
        g.add((claim, FG.source, cited))
        g.add((claim, FG.confidence, FG.MediumConfidence))
        g.add((remake, FG.remakeOf, original))


def _trusted_ids(rows: list[Row], context: LoadContext) -> dict[tuple[str, int], str]:
    """Wikidata ids that belong to exactly one (title, year) across the whole file."""
    films_by_qid: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for row in rows:
        for side in ("original", "remake"):
            try:
                qid = row.qid(f"{side}_wikidata_id")
                year = row.year(f"{side}_year")
                title = _title(row, side)
            except SourceError:
                continue  # the row itself is rejected (or skipped) when it is read
            if qid and year and "#" not in row.get(f"{side}_url"):
                films_by_qid[qid].add((title, year))
    trusted: dict[tuple[str, int], str] = {}
    for qid, films in sorted(films_by_qid.items()):
        if len(films) == 1:
            trusted[next(iter(films))] = qid
        else:
            names = "; ".join(f"{t} ({y})" for t, y in sorted(films))
            context.notes.append(
                f"remakes.csv: Wikidata {qid} names several films ({names}); not attached to any"
            )
    return trusted
