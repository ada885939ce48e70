"""Every named query has a case (data, parameters, expected rows) and passes it on every backend.

A case is a folder ``tests/queries/NAME/`` holding ``data.trig``, optionally
``params.json``, and ``expected.csv``. The ontology and the kept statistics
(``graph:statistics``) are added to the data, as a build does.
A query without a case fails the suite.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from rdflib import Dataset

from filmgraph.errors import ParameterError, QueryError, SourceError, UnknownQuery
from filmgraph.provenance import ONTOLOGY_GRAPH
from filmgraph.queries import PAGING, NamedQuery, catalogue, get_query, parse_query_file, run_named
from filmgraph.resources import ontology_path
from filmgraph.results import render
from filmgraph.statistics import add_statistics
from filmgraph.store import Store, backend

CASES = Path(__file__).parent / "queries"
QUERIES = catalogue()
BACKENDS = ["memory", "oxigraph"]


def open_case_store(name: str, kind: str) -> Store:
    dataset = Dataset()
    dataset.parse(CASES / name / "data.trig", format="trig")
    dataset.graph(ONTOLOGY_GRAPH).parse(ontology_path(), format="turtle")
    add_statistics(dataset)
    store = backend(kind)()
    store.add_dataset(dataset)
    return store


def normalised(rows: list[list[str]]) -> list[list[str | float]]:
    """Cells as text, numbers as numbers: engines write 1.0 and 1 for the same decimal."""

    def cell(text: str) -> str | float:
        try:
            return float(text)
        except ValueError:
            return text

    return [[cell(c) for c in row] for row in rows]


def as_promised(name: str, rows: list[list[str]]) -> list[list[str]]:
    """``rows`` (a header, then the solutions) in the order the query promises: a query
    without ORDER BY promises none, so its solutions are compared as a multiset."""
    if "ORDER BY" in QUERIES[name].text or not rows:
        return rows
    return [rows[0], *sorted(rows[1:])]


def test_every_query_has_a_case() -> None:
    assert sorted(QUERIES) == sorted(p.name for p in CASES.iterdir() if p.is_dir())


@pytest.mark.parametrize("kind", BACKENDS)
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_gives_the_expected_rows(name: str, kind: str) -> None:
    case = CASES / name
    params_file = case / "params.json"
    params = json.loads(params_file.read_text()) if params_file.exists() else {}
    with open_case_store(name, kind) as store:
        result = run_named(store, name, params)
    got = list(csv.reader(render(result, "csv").splitlines()))
    with (case / "expected.csv").open(encoding="utf-8", newline="") as handle:
        expected = list(csv.reader(handle))
    assert normalised(as_promised(name, got)) == normalised(as_promised(name, expected))


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_documents_itself(name: str) -> None:
    query = QUERIES[name]
    assert query.summary and query.question
    for parameter in query.parameters:
        used = parameter.name.upper() if parameter.name in PAGING else f"?{parameter.name}"
        assert used in query.text, f"{parameter.name} is never used"


def test_a_required_parameter_cannot_be_left_out() -> None:
    with pytest.raises(ParameterError, match="needs --param film"):
        get_query("film-influences").bindings({})


def test_an_unknown_parameter_is_refused() -> None:
    with pytest.raises(ParameterError, match="has no parameter 'movie'"):
        get_query("film-influences").bindings({"film": "film:x", "movie": "y"})


def test_an_iri_parameter_takes_prefixed_names_and_full_iris() -> None:
    query = get_query("film-influences")
    short = query.bindings({"film": "film:the-miners-1937"})
    full = query.bindings({"film": "<https://w3id.org/filmgraph/id/film/the-miners-1937>"})
    assert short == full


def test_an_iri_parameter_refuses_plain_words() -> None:
    with pytest.raises(ParameterError, match="not an IRI"):
        get_query("film-influences").bindings({"film": "The Miners"})


def test_an_unknown_query_lists_the_known_ones() -> None:
    with pytest.raises(UnknownQuery, match="film-influences"):
        get_query("no-such-query")


def test_asking_one_query_reads_only_its_own_file(tmp_path: Path) -> None:
    (tmp_path / "good.rq").write_text("# name: good\n# summary: s\n# question: q\nASK {}\n")
    (tmp_path / "broken.rq").write_text("# name: not-broken\nASK {}\n")
    assert get_query("good", tmp_path).name == "good"
    with pytest.raises(SourceError):  # the whole catalogue still reads (and refuses) it
        catalogue(tmp_path)


def test_a_query_name_is_never_read_as_a_path(tmp_path: Path) -> None:
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "good.rq").write_text(
        "# name: good\n# summary: s\n# question: q\nASK {}\n"
    )
    with pytest.raises(UnknownQuery):
        get_query("inner/good", tmp_path)


def test_a_malformed_header_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.rq"
    path.write_text(
        "# name: bad\n# summary: s\n# question: q\n# param: film -- no type\nSELECT * {}\n"
    )
    with pytest.raises(SourceError) as caught:
        parse_query_file(path)
    assert (caught.value.line, caught.value.field) == (4, "param")


PAGED = """\
# name: paged
# summary: A ranked list.
# question: Which are the first?
# param: limit integer default=2 -- at most this many; 0 for all
# param: offset integer default=0 -- skip this many
SELECT ?x WHERE { { SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x LIMIT 2 OFFSET 0 } }
"""


def paged(tmp_path: Path, text: str = PAGED) -> NamedQuery:
    path = tmp_path / "paged.rq"
    path.write_text(text, encoding="utf-8")
    return parse_query_file(path)


def test_limit_and_offset_set_the_paging_clause_and_are_not_bound(tmp_path: Path) -> None:
    text, bindings = paged(tmp_path).prepare({"limit": "5", "offset": "10"})
    assert "LIMIT 5 OFFSET 10" in text
    assert bindings == {}


def test_the_default_page_is_the_text_as_written(tmp_path: Path) -> None:
    query = paged(tmp_path)
    assert query.prepare({})[0] == query.text


def test_limit_zero_gives_every_row(tmp_path: Path) -> None:
    text, _ = paged(tmp_path).prepare({"limit": "0", "offset": "3"})
    assert "LIMIT" not in text.split("\n", 5)[-1]
    assert "OFFSET 3" in text


@pytest.mark.parametrize("value", ["-1", "ten", "1.5"])
def test_a_page_parameter_must_be_a_whole_number(tmp_path: Path, value: str) -> None:
    with pytest.raises(ParameterError, match="expected 0 or more"):
        paged(tmp_path).prepare({"limit": value})


def test_a_limit_parameter_needs_one_limit_clause(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="one LIMIT clause"):
        paged(tmp_path, PAGED.replace(" LIMIT 2", ""))


PAGE_END = """\
# name: paged
# summary: A ranked list that learns where its page ends.
# question: Which are the first?
# param: limit integer default=2 -- at most this many; 0 for all
# param: offset integer default=1 -- skip this many
SELECT ?x WHERE {
  ?x ?p ?o
  { SELECT (MIN(?y) AS ?last) WHERE { { SELECT ?y WHERE { ?y ?q ?v } ORDER BY ?y LIMIT 3 } } }
} ORDER BY ?x LIMIT 2 OFFSET 1
"""


def test_an_earlier_limit_clause_is_set_to_the_end_of_the_page(tmp_path: Path) -> None:
    text, _ = paged(tmp_path, PAGE_END).prepare({"limit": "5", "offset": "10"})
    assert "ORDER BY ?y LIMIT 15 }" in text and "ORDER BY ?x LIMIT 5 OFFSET 10" in text


def test_limit_zero_removes_the_end_of_the_page_too(tmp_path: Path) -> None:
    text, _ = paged(tmp_path, PAGE_END).prepare({"limit": "0", "offset": "4"})
    assert "LIMIT" not in text.split("\n", 5)[-1] and "OFFSET 4" in text


def test_an_end_of_page_clause_must_say_where_the_first_page_ends(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"the value 3 \(limit \+ offset\)"):
        paged(tmp_path, PAGE_END.replace("ORDER BY ?y LIMIT 3", "ORDER BY ?y LIMIT 2"))


def test_a_named_query_is_run_one_page_at_a_time() -> None:
    params = {"film": "film:a-1920"}  # shares themes with two films of the case
    with open_case_store("shared-themes", "oxigraph") as store:
        every = run_named(store, "shared-themes", {**params, "limit": "0"})
        pages = [
            run_named(store, "shared-themes", {**params, "limit": "1", "offset": str(n)})
            for n in range(len(every.rows))  # type: ignore[union-attr]
        ]
    assert [row for page in pages for row in page.rows] == every.rows  # type: ignore[union-attr]
    assert len(every.rows) >= 2  # type: ignore[union-attr]


def test_a_graph_without_kept_statistics_is_told_to_build_again() -> None:
    dataset = Dataset()
    dataset.parse(CASES / "source-contributions" / "data.trig", format="trig")
    with backend("oxigraph")() as store:
        store.add_dataset(dataset)
        with pytest.raises(QueryError, match="build it again"):
            run_named(store, "source-contributions")
