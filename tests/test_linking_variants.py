"""Precision and recall of entity resolution on real title variants (tests/fixtures/title-variants).

Each labelled pair becomes two film records in two sources (title, year, and the Wikidata id
when the remake list gives one); :func:`filmgraph.linking.resolve_entities` decides whether
they are one film. Before title keys (main at c617b8f): precision 1.00, recall 0.34; now
precision 1.00, recall 0.90 (28 of 31 pairs of one film, none of 353 pairs of two films
merged).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from filmgraph.iri import mint
from filmgraph.linking import resolve_entities
from filmgraph.namespaces import FG, WD

VARIANTS = Path(__file__).parent / "fixtures" / "title-variants"
A, B = mint("graph", "source-a"), mint("graph", "source-b")


def _pairs() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for name in ("hand.csv", "remakes.csv"):
        with (VARIANTS / name).open(encoding="utf-8", newline="") as handle:
            rows += csv.DictReader(handle)
    return rows


def _record(dataset: Dataset, graph: URIRef, node: URIRef, title: str, year: str, qid: str) -> None:
    g = dataset.graph(graph)
    g.add((node, RDF.type, FG.Film))
    g.add((node, RDFS.label, Literal(title)))
    g.add((node, FG.year, Literal(year, datatype=XSD.gYear)))
    if qid:
        g.add((node, FG.wikidata, WD[qid]))


def _linked(row: dict[str, str], use_ids: bool) -> bool:
    dataset = Dataset()
    first, second = URIRef("https://a.example.org/1"), URIRef("https://b.example.org/1")
    _record(dataset, A, first, row["title_a"], row["year_a"], row["id_a"] if use_ids else "")
    _record(dataset, B, second, row["title_b"], row["year_b"], row["id_b"] if use_ids else "")
    return bool(resolve_entities(dataset, [A, B]).merged)


@cache
def _measure(use_ids: bool) -> tuple[float, float]:
    rows = _pairs()
    decided = [(_linked(row, use_ids), row["same"] == "1") for row in rows]
    true_pos = sum(1 for got, want in decided if got and want)
    precision = true_pos / max(1, sum(1 for got, _ in decided if got))
    recall = true_pos / sum(1 for _, want in decided if want)
    missed = [
        f"{r['title_a']} | {r['title_b']}"
        for r, (got, want) in zip(rows, decided, strict=True)
        if want and not got
    ]
    wrong = [
        f"{r['title_a']} ({r['year_a']}) | {r['title_b']} ({r['year_b']})"
        for r, (got, want) in zip(rows, decided, strict=True)
        if got and not want
    ]
    print(
        f"resolution on {len(rows)} labelled pairs "
        f"(authority ids {'used' if use_ids else 'withheld'}):"
        f" precision {precision:.2f}, recall {recall:.2f}; missed {missed}; wrongly merged {wrong}"
    )
    return precision, recall


def test_precision_on_real_title_variants_is_at_least_099() -> None:
    precision, _ = _measure(use_ids=True)
    assert precision >= 0.99


def test_recall_on_real_title_variants_reaches_the_target() -> None:
    # 28 of 31 (0.90). Missed: "13 Tzameti"/"Tzameti", "La Femme Nikita"/"Nikita" (a title
    # inside another of the same year needs a shared director, which these records do not
    # give: see test_linking_conflicts.py) and "Ringu"/"Ring" (a transliteration no rule
    # joins without also joining "Aina"/"Aaina", two films of 1977)
    _, recall = _measure(use_ids=True)
    assert recall >= 0.90


def test_without_authority_ids_a_remake_a_year_later_is_taken_for_the_original() -> None:
    # "Classmates" (2006) and its remake "Classmates" (2007): only their ids tell them apart
    precision, _ = _measure(use_ids=False)
    assert precision < 0.99
