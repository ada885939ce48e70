"""Publishing a build to a remote server, atomically, and never leaving staging graphs behind.

1. Publishes killed earlier (their process is gone, or their heartbeat is older than the
   lease) are cleaned up: their staging graphs dropped, their registry entry removed. A
   publish still alive makes this one stop with a clear message instead.
2. This publish registers itself and the staging graphs it will write, in one request that
   succeeds only when no other publish is registered.
3. Each graph is written into its staging graph (Graph Store Protocol, or batched updates),
   and the build record into one more.
4. One SPARQL Update request moves every staging graph onto its target, drops the graphs
   the new build no longer has, moves the record into place and removes the registry
   entry. SPARQL 1.1 Update asks servers to run a request atomically; Virtuoso 7.2 and
   Oxigraph's server do (a reader polling during the swap of the bundled graph saw only
   the old or only the new graphs), so a reader sees all the new build or none of it.

A failure before the swap drops this publish's staging graphs; a kill leaves them for the
next publish to drop.

A server whose default graph is the union of all its graphs would show staging graphs to
readers. Where such a server runs each update request as one transaction (Oxigraph's, see
``servers.toml``), the whole publish is one request instead: drop the old graphs, insert
the new ones and the record; nothing is staged, so a kill leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib.query import Result

from filmgraph.builddir import Generation
from filmgraph.errors import FilmgraphError
from filmgraph.progress import Progress, silent
from filmgraph.store.base import BuildRecord
from filmgraph.store.sparql.record import (
    PUBLISHING_GRAPH,
    RECORD_GRAPH,
    STORE,
    TERMS,
    publication,
    record_triples,
    staging_graph,
)

if TYPE_CHECKING:
    from filmgraph.store.sparql import SparqlStore

__all__ = [
    "LEASE",
    "PublishBusy",
    "clean_abandoned",
    "publish",
    "publish_remote",
    "staging_graphs",
]

#: Seconds without a heartbeat after which a publish on another machine counts as dead.
LEASE = 600.0
_HEARTBEAT_EVERY = 30.0
_TOKEN = re.compile(r"[A-Za-z0-9._-]+")
_RESULTS_JSON = "application/sparql-results+json"


class PublishBusy(FilmgraphError):
    """Another publish to the same server is in progress."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _select(store: SparqlStore, text: str) -> list[dict[str, str]]:
    with store.endpoint.query(text, (), _RESULTS_JSON) as body:
        result = Result.parse(body, format="json")
    return [{str(k): str(v) for k, v in row.asdict().items()} for row in result]  # type: ignore[union-attr]


def staging_graphs(store: SparqlStore) -> list[str]:
    """Staging graphs on the server holding triples (none, unless a publish is under way
    or one died and the next has not yet run)."""
    rows = _select(
        store,
        f"""
        SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
          FILTER (STRSTARTS(STR(?g), "{STORE}staging/")) }}""",
    )
    return sorted(row["g"] for row in rows)


def _dead(entry: dict[str, str], now: float) -> bool:
    """A registered publish whose process is gone (same host) or whose lease ran out."""
    if entry["host"] == socket.gethostname():
        pid = int(entry["pid"])
        if pid == os.getpid() or not _pid_alive(pid):
            return True
    return now - float(entry["beat"]) > LEASE


def clean_abandoned(store: SparqlStore) -> int:
    """Drop the staging graphs of publishes that died; :class:`PublishBusy` if one lives.

    Returns how many dead publishes were cleaned up.
    """
    rows = _select(
        store,
        f"""
        SELECT ?pub ?host ?pid ?beat ?stage WHERE {{ GRAPH <{PUBLISHING_GRAPH}> {{
          ?pub <{TERMS}host> ?host ; <{TERMS}pid> ?pid ; <{TERMS}heartbeat> ?beat .
          OPTIONAL {{ ?pub <{TERMS}stage> ?stage }} }} }}""",
    )
    entries: dict[str, dict[str, str]] = {}
    stages: dict[str, set[str]] = {}
    for row in rows:
        entries[row["pub"]] = row
        if "stage" in row:
            stages.setdefault(row["pub"], set()).add(row["stage"])
    now = time.time()
    for pub, entry in sorted(entries.items()):
        if not _dead(entry, now):
            started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(float(entry["beat"])))
            raise PublishBusy(
                f"another publish to {store.url} is in progress ({pub.rsplit('/', 1)[-1]}, "
                f"process {entry['pid']} on {entry['host']}, last seen {started}); wait for "
                f"it to finish (a publish that died is cleaned up after {LEASE / 60:.0f} "
                "minutes without a heartbeat, at once on its own machine)"
            )
    operations = [
        f"DROP SILENT GRAPH <{g}>" for pub in entries for g in sorted(stages.get(pub, ()))
    ]
    operations += [
        f"DELETE WHERE {{ GRAPH <{PUBLISHING_GRAPH}> {{ <{pub}> ?p ?o }} }}"
        for pub in sorted(entries)
    ]
    if operations:
        store.update(" ;\n".join(operations))
    return len(entries)


def _claim(store: SparqlStore, token: str, stages: list[str]) -> str:
    pub = publication(token)
    listed = f"; <{TERMS}stage> " + ", ".join(f"<{s}>" for s in stages) if stages else ""
    store.update(f"""
        INSERT {{ GRAPH <{PUBLISHING_GRAPH}> {{
          <{pub}> <{TERMS}host> {json.dumps(socket.gethostname())} ;
                  <{TERMS}pid> {os.getpid()} ; <{TERMS}heartbeat> {int(time.time())}
                  {listed} }} }}
        WHERE {{ FILTER NOT EXISTS {{ GRAPH <{PUBLISHING_GRAPH}> {{
          ?other <{TERMS}heartbeat> ?beat }} }} }}""")
    _still_ours(store, pub)
    return pub


def _still_ours(store: SparqlStore, pub: str) -> None:
    text = f"SELECT ?pub WHERE {{ GRAPH <{PUBLISHING_GRAPH}> {{ ?pub <{TERMS}heartbeat> ?b }} }}"
    registered = {row["pub"] for row in _select(store, text)}
    if registered != {pub}:
        raise PublishBusy(f"another publish to {store.url} registered itself first; try again")


def _heartbeat(store: SparqlStore, pub: str) -> None:
    store.update(f"""
        DELETE {{ GRAPH <{PUBLISHING_GRAPH}> {{ <{pub}> <{TERMS}heartbeat> ?beat }} }}
        INSERT {{ GRAPH <{PUBLISHING_GRAPH}> {{ <{pub}> <{TERMS}heartbeat> {int(time.time())} }} }}
        WHERE {{ GRAPH <{PUBLISHING_GRAPH}> {{ <{pub}> <{TERMS}heartbeat> ?beat }} }}""")


def publish(
    store: SparqlStore,
    quads: Iterable[ox.Quad],
    record: BuildRecord,
    progress: Progress = silent,
) -> int:
    """Replace the graphs on the server with ``quads`` and ``record``, atomically.

    Returns the number of quads published. Raises :class:`PublishBusy` when another
    publish is in progress; on any failure the server's graphs stay as they were.
    """
    if not _TOKEN.fullmatch(record.generation):
        raise FilmgraphError(
            f"a generation name must be letters, digits, . _ -: {record.generation!r}"
        )
    by_graph: dict[str, list[ox.Triple]] = {}
    for quad in quads:
        if not isinstance(quad.graph_name, ox.NamedNode):
            raise FilmgraphError("every quad must be in a named graph to go to a remote store")
        by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
    targets = sorted(by_graph)
    stages = {target: staging_graph(record.generation, n) for n, target in enumerate(targets)}
    record_stage = staging_graph(record.generation, len(targets))

    cleaned = clean_abandoned(store)
    if cleaned:
        progress.note(f"  dropped the staging graphs of {cleaned} publish(es) that died")
    kind = store.endpoint.kind
    if kind is not None and not kind.staging:
        _publish_in_one_request(store, by_graph, record, progress)
        return sum(map(len, by_graph.values()))
    pub = _claim(store, record.generation, [*stages.values(), record_stage])
    try:
        beat = time.monotonic()
        with progress.step(f"staging {len(targets)} graphs") as done:
            for target in targets:
                store.write_graph(stages[target], by_graph[target], replace=True)
                if time.monotonic() - beat > _HEARTBEAT_EVERY:
                    _heartbeat(store, pub)
                    beat = time.monotonic()
            # By update, not the Graph Store Protocol: Virtuoso's refuses a document with a
            # literal as long as a validation report ("unsupported type text/plain").
            lines = "\n".join(f"{t} ." for t in record_triples(record, targets))
            store.update(f"INSERT DATA {{ GRAPH <{record_stage}> {{\n{lines}\n}} }}")
            done(f"{sum(map(len, by_graph.values())):,} triples")
        _still_ours(store, pub)
        old = {str(g) for g in store.graphs()}
        operations = [f"MOVE SILENT GRAPH <{stages[t]}> TO GRAPH <{t}>" for t in targets]
        operations += [f"DROP SILENT GRAPH <{g}>" for g in sorted(old - set(targets))]
        operations += [
            f"MOVE SILENT GRAPH <{record_stage}> TO GRAPH <{RECORD_GRAPH}>",
            f"DELETE WHERE {{ GRAPH <{PUBLISHING_GRAPH}> {{ <{pub}> ?p ?o }} }}",
        ]
        with progress.step("swapping the new graphs in (one request)"):
            store.update(" ;\n".join(operations))
    except BaseException:
        drops = [f"DROP SILENT GRAPH <{g}>" for g in [*stages.values(), record_stage]]
        drops.append(f"DELETE WHERE {{ GRAPH <{PUBLISHING_GRAPH}> {{ <{pub}> ?p ?o }} }}")
        store.update(" ;\n".join(drops))
        raise
    return sum(map(len, by_graph.values()))


def _publish_in_one_request(
    store: SparqlStore,
    by_graph: dict[str, list[ox.Triple]],
    record: BuildRecord,
    progress: Progress,
) -> None:
    """The whole publish as one update request: for a server that runs each request as one
    transaction and whose default graph would show staging graphs (Oxigraph's)."""
    pub = _claim(store, record.generation, [])
    try:
        targets = sorted(by_graph)
        old = {str(g) for g in store.graphs()}
        operations = [f"DROP SILENT GRAPH <{g}>" for g in sorted(old | {*targets, RECORD_GRAPH})]
        blocks = [
            f"GRAPH <{t}> {{\n" + "\n".join(f"{x} ." for x in by_graph[t]) + "\n}" for t in targets
        ]
        blocks.append(
            f"GRAPH <{RECORD_GRAPH}> {{\n"
            + "\n".join(f"{x} ." for x in record_triples(record, targets))
            + "\n}"
        )
        operations.append("INSERT DATA {\n" + "\n".join(blocks) + "\n}")
        operations.append(f"DELETE WHERE {{ GRAPH <{PUBLISHING_GRAPH}> {{ <{pub}> ?p ?o }} }}")
        with progress.step(f"replacing {len(targets)} graphs (one request)"):
            store.update(" ;\n".join(operations))
    except BaseException:
        store.update(f"DELETE WHERE {{ GRAPH <{PUBLISHING_GRAPH}> {{ <{pub}> ?p ?o }} }}")
        raise


def _read_record(generation: Generation) -> BuildRecord:
    validation = generation.path / "validation.json"
    text = generation.validation_path
    return BuildRecord(
        generation.path.name,
        generation.summary(),
        json.loads(validation.read_text(encoding="utf-8")) if validation.is_file() else None,
        text.read_text(encoding="utf-8") if text.is_file() else None,
    )


def publish_remote(root: Path, generation: Generation, progress: Progress = silent) -> int:
    """Publish a finished build to the endpoint its build directory mirrors, if any.

    The build calls this before switching its ``current`` link, so a failed upload fails
    the build and leaves both the local record and the server's graphs as they were.
    Returns the number of quads sent (0 when ``root`` is a plain build directory).
    """
    from filmgraph.store import mirrored_endpoint
    from filmgraph.store.sparql import SparqlStore

    endpoint = mirrored_endpoint(root)
    if endpoint is None:
        return 0
    store = SparqlStore.from_url(endpoint)
    try:
        with (
            progress.step(f"publishing to {endpoint}") as done,
            generation.dump().open("rb") as dump,
        ):
            count = publish(
                store, ox.parse(dump, format=ox.RdfFormat.TRIG), _read_record(generation), progress
            )
            done(f"{count:,} quads")
    finally:
        store.close()
    return count
