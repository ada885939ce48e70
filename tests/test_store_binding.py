"""Parameters written as constants where only their value can stand (store.binding).

``bind_constants`` serves an engine that also substitutes the parameters itself (Oxigraph):
the text must ask the same question, so a variable is replaced only where it can mean
nothing but its value, and kept wherever it could stand for something else.
"""

from __future__ import annotations

import csv
import doctest
import json
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from filmgraph.errors import SourceError
from filmgraph.queries import catalogue, get_query, parse_query_file
from filmgraph.results import render
from filmgraph.store import Store, binding
from filmgraph.store.binding import bind_constants

from .test_queries import CASES, open_case_store

A = URIRef("urn:a")


def test_a_variable_in_a_pattern_becomes_its_value() -> None:
    assert bind_constants("SELECT ?x WHERE { ?x ?p ?o }", {"x": A}) == (
        "SELECT ?x WHERE { <urn:a> ?p ?o }"
    )


def test_the_projection_and_the_modifiers_keep_the_variable() -> None:
    text = "SELECT ?x (COUNT(?o) AS ?n) WHERE { ?x ?p ?o } GROUP BY ?x ORDER BY ?x"
    assert bind_constants(text, {"x": A}) == text.replace("{ ?x", "{ <urn:a>")


def test_a_variable_in_an_expression_becomes_its_value() -> None:
    four = Literal(4)
    assert bind_constants("ASK { ?s ?p ?d FILTER (?d <= ?max) }", {"max": four}) == (
        f"ASK {{ ?s ?p ?d FILTER (?d <= {four.n3()}) }}"
    )


def test_optional_union_and_exists_blocks_are_replaced_in() -> None:
    text = (
        "SELECT * WHERE { { ?x ?p ?o } UNION"
        " { OPTIONAL { ?x ?q ?v } FILTER NOT EXISTS { ?x ?r ?w } } }"
    )
    assert "?x" not in bind_constants(text, {"x": A}).split("WHERE")[1]


def test_a_minus_block_keeps_the_variable() -> None:
    text = "SELECT * WHERE { ?x ?p ?o MINUS { ?x ?q ?o } }"
    assert bind_constants(text, {"x": A}) == "SELECT * WHERE { <urn:a> ?p ?o MINUS { ?x ?q ?o } }"


def test_a_service_block_keeps_the_variable() -> None:
    text = "SELECT * WHERE { ?x ?p ?o SERVICE <urn:s> { ?x ?q ?o } }"
    assert bind_constants(text, {"x": A}).endswith("SERVICE <urn:s> { ?x ?q ?o } }")


def test_a_values_block_keeps_its_variables() -> None:
    text = "SELECT * WHERE { VALUES ?x { <urn:b> } ?x ?p ?o }"
    assert bind_constants(text, {"x": A}) == (
        "SELECT * WHERE { VALUES ?x { <urn:b> } <urn:a> ?p ?o }"
    )


def test_a_subquery_that_does_not_project_the_variable_keeps_it() -> None:
    text = "SELECT ?x ?n WHERE { ?x ?p ?o { SELECT (COUNT(?x) AS ?n) WHERE { ?x ?q ?v } } }"
    assert bind_constants(text, {"x": A}) == text.replace("{ ?x ?p", "{ <urn:a> ?p", 1)


def test_a_subquery_that_projects_the_variable_is_replaced_in_but_not_its_clauses() -> None:
    text = "SELECT ?x WHERE { { SELECT ?x (COUNT(?v) AS ?n) WHERE { ?x ?q ?v } GROUP BY ?x } }"
    assert bind_constants(text, {"x": A}) == text.replace("{ ?x ?q", "{ <urn:a> ?q")


def test_a_variable_the_query_assigns_is_never_replaced() -> None:
    text = "SELECT ?x WHERE { ?s ?p ?x BIND (?s AS ?x) }"
    assert bind_constants(text, {"x": A}) == text


def test_the_argument_of_bound_keeps_the_variable() -> None:
    text = "SELECT * WHERE { ?x ?p ?o FILTER (BOUND(?x)) }"
    assert bind_constants(text, {"x": A}) == ("SELECT * WHERE { <urn:a> ?p ?o FILTER (BOUND(?x)) }")


def test_a_blank_node_is_not_written_as_a_constant() -> None:
    text = "SELECT ?x WHERE { ?x ?p ?o }"
    assert bind_constants(text, {"x": BNode()}) == text


def test_an_iri_that_cannot_be_written_between_brackets_is_not_written() -> None:
    text = "SELECT ?x WHERE { ?x ?p ?o }"
    assert bind_constants(text, {"x": URIRef("urn:a> . ?s ?p <urn:b")}) == text


def test_a_literal_is_written_with_its_datatype_and_escapes() -> None:
    value = Literal('say "no"\n', datatype=XSD.string)
    assert bind_constants("ASK { ?s ?p ?v }", {"v": value}) == f"ASK {{ ?s ?p {value.n3()} }}"


def test_comments_strings_and_iris_that_look_like_the_variable_are_left() -> None:
    text = 'SELECT * WHERE { # ?x here\n ?s <urn:?x> "?x" }'
    assert bind_constants(text, {"x": A}) == text


def test_the_module_examples_hold() -> None:
    failures, _ = doctest.testmod(binding)
    assert failures == 0


_CASES_WITH_PARAMETERS = sorted(
    name for name in catalogue() if (CASES / name / "params.json").exists()
)


def test_the_queries_checked_include_those_bound_as_constants() -> None:
    chosen = {name for name, query in catalogue().items() if query.constants}
    assert "shared-themes" in chosen
    assert chosen <= set(_CASES_WITH_PARAMETERS)


@pytest.mark.parametrize("name", _CASES_WITH_PARAMETERS)
def test_every_named_query_answers_the_same_with_its_parameters_as_constants(name: str) -> None:
    """Whether or not the query asks for it: the rewrite must hold for any of them."""
    params = json.loads((CASES / name / "params.json").read_text(encoding="utf-8"))
    text, bindings = get_query(name).prepare(params)

    def answer(store: Store, constants: bool) -> list[list[str]]:
        result = store.query(text, bindings, constants=constants)
        return list(csv.reader(render(result, "csv").splitlines()))

    with open_case_store(name, "oxigraph") as store:
        assert answer(store, True) == answer(store, False)


def _header(tmp_path: Path, binding: str) -> Path:
    path = tmp_path / "bound.rq"
    path.write_text(
        f"# name: bound\n# summary: s\n# question: q\n# param: x iri required -- x\n"
        f"{binding}SELECT ?x WHERE {{ ?x ?p ?o }}\n",
        encoding="utf-8",
    )
    return path


def test_a_query_asks_for_constants_in_its_header(tmp_path: Path) -> None:
    assert parse_query_file(_header(tmp_path, "# binding: constants\n")).constants


def test_a_query_is_bound_by_values_alone_unless_it_asks(tmp_path: Path) -> None:
    assert not parse_query_file(_header(tmp_path, "")).constants
    assert not parse_query_file(_header(tmp_path, "# binding: values\n")).constants


def test_an_unknown_binding_names_the_line_and_field(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        parse_query_file(_header(tmp_path, "# binding: templates\n"))
    assert (caught.value.line, caught.value.field) == (5, "binding")
