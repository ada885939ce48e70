"""What filmgraph keeps on a remote server besides the graph: the record and the registry.

The **record** graph (``https://w3id.org/filmgraph/store/record``) is the version pointer:
it names the graphs of the published build (readers query exactly those) and holds the
build's summary and validation report, so ``summary`` and ``check`` work from any machine.
A publish replaces it in the same request that swaps the data graphs in.

The **publishing** graph registers each publish in progress (its host, process and
heartbeat, and the staging graphs it writes), so a publish that was killed is cleaned up by
the next one and two publishes never run at once.

Neither graph, nor any staging graph, is under the prefix of our data graphs, so listings,
counts, dumps and queries never see them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox

from filmgraph.store.base import BuildRecord

__all__ = [
    "PUBLISHING_GRAPH",
    "RECORD_GRAPH",
    "STORE",
    "TERMS",
    "publication",
    "read_record",
    "record_triples",
    "staging_graph",
]

#: Everything filmgraph keeps on a server besides the data lives under this IRI.
STORE = "https://w3id.org/filmgraph/store/"
#: Terms of the record and the registry.
TERMS = STORE + "terms#"
RECORD_GRAPH = STORE + "record"
PUBLISHING_GRAPH = STORE + "publishing"


def staging_graph(token: str, number: int) -> str:
    """The IRI of a publish's ``number``-th staging graph."""
    return f"{STORE}staging/{token}/{number}"


def publication(token: str) -> str:
    """The IRI that stands for one publish in the registry."""
    return f"{STORE}publication/{token}"


def _term(name: str) -> ox.NamedNode:
    return ox.NamedNode(TERMS + name)


def record_triples(record: BuildRecord, graphs: Iterable[str]) -> list[ox.Triple]:
    """The record graph's triples: the generation, its graphs, its summary and report."""
    subject = ox.NamedNode(RECORD_GRAPH)
    triples = [
        ox.Triple(subject, _term("generation"), ox.Literal(record.generation)),
        ox.Triple(subject, _term("summary"), ox.Literal(json.dumps(dict(record.summary)))),
    ]
    if record.validation is not None:
        triples.append(
            ox.Triple(subject, _term("validation"), ox.Literal(json.dumps(dict(record.validation))))
        )
    if record.validation_text is not None:
        triples.append(
            ox.Triple(subject, _term("validationText"), ox.Literal(record.validation_text))
        )
    triples += [ox.Triple(subject, _term("graph"), ox.NamedNode(g)) for g in sorted(graphs)]
    return triples


def read_record(pairs: Iterable[tuple[str, str]]) -> tuple[BuildRecord | None, list[str]]:
    """The record and the list of graphs from the record graph's (predicate, value) pairs.

    The record is ``None`` when the graph holds no build (a store filled by hand keeps only
    a list of graphs, or nothing).
    """
    values: dict[str, str] = {}
    graphs: list[str] = []
    for predicate, value in pairs:
        name = predicate.removeprefix(TERMS)
        if name == "graph":
            graphs.append(value)
        else:
            values[name] = value
    if "generation" not in values or "summary" not in values:
        return None, sorted(graphs)
    validation: Mapping[str, Any] | None = (
        json.loads(values["validation"]) if "validation" in values else None
    )
    record = BuildRecord(
        values["generation"],
        json.loads(values["summary"]),
        validation,
        values.get("validationText"),
    )
    return record, sorted(graphs)
