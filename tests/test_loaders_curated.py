"""The curated-tables loader: our own CSV template into claims, credits and named graphs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Literal
from rdflib.namespace import RDF, SKOS, XSD

from filmgraph.errors import SourceError
from filmgraph.iri import mint
from filmgraph.loaders import LoadContext, get_loader
from filmgraph.namespaces import FG

from .conftest import FIXTURES

SMALL = FIXTURES / "curated-small"
POTEMKIN = mint("film", "battleship-potemkin-1925")
INTOLERANCE = mint("film", "intolerance-1916")


def load(folder: Path, *, strict: bool = True) -> tuple[Dataset, LoadContext]:
    context = LoadContext(strict=strict)
    dataset = Dataset(default_union=True)
    for source in get_loader("curated-tables").load(folder, context, folder.parent):
        dataset.graph(source.iri).__iadd__(source.graph)
    return dataset, context


def test_each_table_becomes_its_own_named_graph() -> None:
    dataset, _ = load(SMALL)
    graphs = {str(g.identifier).rsplit("/", 1)[-1] for g in dataset.graphs() if len(g)}
    assert {"curated-small-films-csv", "curated-small-influences-csv"} <= graphs


def test_a_film_gets_title_original_title_and_year() -> None:
    dataset, _ = load(SMALL)
    assert (POTEMKIN, FG.year, Literal("1925", datatype=XSD.gYear)) in dataset
    assert (POTEMKIN, FG.originalTitle, Literal("Броненосец «Потёмкин»", lang="ru")) in dataset


def test_an_influence_row_gives_a_qualified_claim_and_a_direct_edge() -> None:
    dataset, _ = load(SMALL)
    claims = set(dataset.subjects(FG.influencer, INTOLERANCE))
    assert len(claims) == 1
    claim = claims.pop()
    assert (claim, RDF.type, FG.InspirationClaim) in dataset
    assert (claim, FG.influencee, POTEMKIN) in dataset
    assert (claim, FG.aspect, Literal("parallel editing", lang="en")) in dataset
    assert (claim, FG.source, mint("source", "test-notes")) in dataset
    assert (claim, FG.confidence, FG.MediumConfidence) in dataset
    assert (POTEMKIN, FG.inspiredBy, INTOLERANCE) in dataset


def test_the_inverse_of_influence_is_never_written() -> None:
    dataset, _ = load(SMALL)
    for inverse in (FG.inspired, FG.influenced, FG.leftMarkOn, FG.hasAdaptation):
        assert not list(dataset.triples((None, inverse, None)))


def test_a_credit_keeps_its_role_beside_the_direct_edge() -> None:
    dataset, _ = load(SMALL)
    tisse = mint("person", "eduard-tisse")
    assert (POTEMKIN, FG.cinematographer, tisse) in dataset
    credit = next(dataset.subjects(FG.creditAgent, tisse))
    assert (credit, FG.role, FG.CinematographerRole) in dataset


def test_themes_form_a_skos_hierarchy() -> None:
    dataset, _ = load(SMALL)
    assert (mint("theme", "mutiny"), SKOS.broader, mint("theme", "revolution")) in dataset


def test_an_unknown_reference_names_file_line_and_field() -> None:
    with pytest.raises(SourceError) as caught:
        load(FIXTURES / "broken-credits")
    error = caught.value
    assert (error.file.name, error.line, error.field) == ("credits.csv", 3, "person")
    assert "grigori-aleksandrov" in str(error)


def test_lenient_mode_skips_the_bad_row_and_keeps_the_rest() -> None:
    dataset, context = load(FIXTURES / "broken-credits", strict=False)
    assert [e.line for e in context.skipped] == [3]
    assert (
        mint("film", "strike-1925"),
        FG.director,
        mint("person", "sergei-eisenstein"),
    ) in dataset


@pytest.mark.parametrize(
    ("table", "content", "line", "field"),
    [
        ("films.csv", "id,title,year\nx-1925,X,19 25\n", 2, "year"),
        ("films.csv", "id,title,yeer\n", 1, "yeer"),
        ("films.csv", "id,title,year\nX Film,X,1925\n", 2, "id"),
        ("films.csv", "id,title,year,wikidata\nx-1925,X,1925,42\n", 2, "wikidata"),
        ("films.csv", "id,title,year\nx-1925,X,1925\nx-1925,X,1925\n", 3, "id"),
        ("events.csv", "id,name,kind,start\nwar,War,event,c. 1941\n", 2, "start"),
        ("events.csv", "id,name,kind,start\nwar,War,battle,1941\n", 2, "kind"),
        ("films.csv", "id,title,year\n\nx-1925,,1925\n", 3, "title"),
    ],
)
def test_bad_cells_are_reported_precisely(
    tmp_path: Path, table: str, content: str, line: int, field: str
) -> None:
    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / table).write_text(content, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load(folder)
    assert (caught.value.file.name, caught.value.line, caught.value.field) == (table, line, field)


def test_a_csv_file_that_is_not_a_curated_table_is_refused(tmp_path: Path) -> None:
    shutil.copytree(SMALL, tmp_path / "tables")
    (tmp_path / "tables" / "film.csv").write_text("id\n", encoding="utf-8")
    with pytest.raises(SourceError, match="not a curated table"):
        load(tmp_path / "tables")
