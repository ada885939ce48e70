"""Mutated and random pages and tables: the only outcomes are a correct load or a clear error."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal
from rdflib.namespace import RDF, SKOS, XSD

from filmgraph.errors import SourceError
from filmgraph.loaders import LoadContext, SourceGraph, get_loader
from filmgraph.namespaces import FG

from .conftest import FIXTURES

PAGE = (FIXTURES / "pages" / "good" / "the-test-reel-1950.txt").read_text(encoding="utf-8")
LINES = PAGE.splitlines()
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def outcome(loader: str, path: Path) -> list[SourceGraph] | SourceError:
    try:
        return list(get_loader(loader).load(path, LoadContext(), path.parent))
    except SourceError as error:
        return error


def assert_clear(error: SourceError, path: Path) -> None:
    assert error.file.name == path.name
    assert error.reason
    assert error.line is None or error.line >= 1


def check_page(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.txt"
        path.write_text(text, encoding="utf-8")
        result = outcome("film-page", path)
        if isinstance(result, SourceError):
            assert_clear(result, path)
            return
        (source,) = result
        films = set(source.graph.subjects(FG.section, None)) | set(
            source.graph.subjects(RDF.type, FG.Film)
        )
        assert films, "a page that loads describes at least its film"


edit = st.tuples(
    st.sampled_from(["delete", "duplicate", "replace", "swap"]),
    st.integers(0, len(LINES) - 1),
    st.integers(0, len(LINES) - 1),
    st.text(max_size=40),
)


@FUZZ
@given(st.lists(edit, max_size=6))
def test_a_mutated_page_loads_or_fails_clearly(edits: list[tuple[str, int, int, str]]) -> None:
    lines = list(LINES)
    for kind, i, j, text in edits:
        if not lines:
            break
        i, j = i % len(lines), j % len(lines)
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(j, lines[i])
        elif kind == "replace":
            lines[i] = text
        else:
            lines[i], lines[j] = lines[j], lines[i]
    check_page("\n".join(lines))


@FUZZ
@given(st.text(max_size=400))
def test_random_text_as_a_page_loads_or_fails_clearly(text: str) -> None:
    check_page(text)


@FUZZ
@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=12)), max_size=5))
def test_a_table_with_random_cells_loads_or_fails_clearly(rows: list[tuple[str, str]]) -> None:
    metadata = (FIXTURES / "tables" / "bad-years.csv-metadata.json").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        table = Path(folder) / "bad-years.csv"
        lines = ["ref,title,year"] + [
            f'r{i},"{t.replace(chr(34), "")}","{y.replace(chr(34), "")}"'
            for i, (t, y) in enumerate(rows)
        ]
        table.write_text("\n".join(lines) + "\n", encoding="utf-8")
        meta = Path(folder) / "bad-years.csv-metadata.json"
        meta.write_text(metadata, encoding="utf-8")
        result = outcome("table", meta)
        if isinstance(result, SourceError):
            assert_clear(result, table if result.file.name == table.name else meta)
            return
        (source,) = result
        for year in source.graph.objects(None, FG.year):
            assert isinstance(year, Literal) and year.datatype == XSD.gYear


def test_a_topic_of_signs_only_is_kept_as_a_theme_and_reported() -> None:
    lines = list(LINES)
    topics = next(i for i, line in enumerate(lines) if line.startswith("Themes"))
    lines.insert(topics + 1, ":")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        context = LoadContext()
        (source,) = get_loader("film-page").load(path, context, path.parent)
    labels = {str(o) for o in source.graph.objects(None, SKOS.prefLabel)}
    assert ":" in labels
    assert any("':'" in note for note in context.notes)
