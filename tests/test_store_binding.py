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

from filmgraph.queries import catalogue, run_named
from filmgraph.results import render
from filmgraph.store import binding
from filmgraph.store import oxigraph as oxigraph_module
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


@pytest.mark.parametrize("name", _CASES_WITH_PARAMETERS)
def test_every_named_query_answers_the_same_with_its_parameters_as_constants(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = json.loads((CASES / name / "params.json").read_text(encoding="utf-8"))

    def answer() -> list[list[str]]:
        with open_case_store(name, "oxigraph") as store:
            return list(csv.reader(render(run_named(store, name, params), "csv").splitlines()))

    with_constants = answer()
    monkeypatch.setattr(oxigraph_module, "bind_constants", lambda text, _: text)
    assert with_constants == answer()


def test_the_case_queries_are_the_ones_checked() -> None:
    assert len(_CASES_WITH_PARAMETERS) >= 10
    assert Path(CASES / "film-descendants" / "params.json").exists()
