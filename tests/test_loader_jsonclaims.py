"""The JSON-claims loader: the recipe's notes become qualified claims; a bad claim names
the file, its line and its place in the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from filmgraph.errors import SourceError
from filmgraph.iri import mint
from filmgraph.loaders import LoadContext, guess_loader
from filmgraph.namespaces import FG

from .conftest import REPO, load_source

NOTES = REPO / "docs" / "recipes" / "foreign-tables" / "notes.claims.json"
FILM = "https://archive.example.org/film/"


def test_a_claims_file_is_recognised_by_its_name() -> None:
    assert guess_loader(NOTES).name == "json-claims"


def test_each_claim_becomes_a_qualified_claim_citing_the_files_source() -> None:
    graph, _ = load_source("json-claims", NOTES)
    (claim,) = graph.subjects(FG.influencer, URIRef(FILM + "a-104"))
    assert (claim, RDF.type, FG.InspirationClaim) in graph
    assert (claim, FG.influencee, URIRef(FILM + "a-105")) in graph
    assert (claim, FG.source, mint("source", "film-society-notes")) in graph
    assert (claim, FG.aspect, Literal("sound recorded on location", lang="en")) in graph
    assert (URIRef(FILM + "a-105"), FG.inspiredBy, URIRef(FILM + "a-104")) in graph


def test_a_bad_claim_names_its_line_and_field(tmp_path: Path) -> None:
    text = NOTES.read_text(encoding="utf-8").replace('"low"', '"very low"')
    path = tmp_path / "notes.claims.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_source("json-claims", path)
    assert caught.value.field == "claims[1].confidence"
    assert caught.value.line == text.splitlines().index("    {", 10) + 1


def test_lenient_loading_keeps_the_good_claims(tmp_path: Path) -> None:
    path = tmp_path / "notes.claims.json"
    path.write_text(NOTES.read_text(encoding="utf-8").replace('"low"', '"very low"'))
    graph, context = load_source("json-claims", path, LoadContext(strict=False))
    assert len(context.skipped) == 1
    assert len(set(graph.subjects(RDF.type, FG.InspirationClaim))) == 1
