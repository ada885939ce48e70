"""A rebuild under a running endpoint: every worker moves to the new graph at once, and the
old graph is not deleted while the endpoint still reads it.

Clients query without pause while ``build`` publishes a new generation into the directory
the endpoint serves; each answer names its generation (``X-Filmgraph-Generation``).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from filmgraph.build import build
from filmgraph.builddir import BuildDir
from filmgraph.server import ServerSettings, start

from .publish_support import PUBLISH

FILMS = (
    "PREFIX fg: <https://w3id.org/filmgraph/ontology#> SELECT ?f WHERE { ?f a fg:Film } ORDER BY ?f"
)
CLIENTS = 4


def test_a_rebuild_under_load_switches_every_worker_at_once_and_keeps_the_held_graph(
    tmp_path: Path,
) -> None:
    store = tmp_path / "build"
    first = build(store, sources=[PUBLISH / "curated"], bundled=False).generation
    running = start(str(store), ServerSettings(port=0, workers=2, spares=1, poll_interval=0.2))
    url = running.url + "/sparql?" + urllib.parse.urlencode({"query": FILMS})
    answers: list[list[tuple[float, float, int, str]]] = [[] for _ in range(CLIENTS)]
    stop = threading.Event()

    def client(seen: list[tuple[float, float, int, str]]) -> None:
        while not stop.is_set():
            sent = time.monotonic()
            with urllib.request.urlopen(url, timeout=30) as response:
                rows = len(json.loads(response.read())["results"]["bindings"])
                seen.append(
                    (sent, time.monotonic(), rows, response.headers["X-Filmgraph-Generation"])
                )

    threads = [threading.Thread(target=client, args=(seen,)) for seen in answers]
    try:
        for thread in threads:
            thread.start()
        second = build(store, sources=[PUBLISH / "curated"], bundled=False).generation
        assert first.path.is_dir()  # published over, but still held by the endpoint
        deadline = time.monotonic() + 60
        while running.pool.generation != second.name:
            assert time.monotonic() < deadline, "the endpoint never moved to the new build"
            time.sleep(0.1)
        time.sleep(1.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    try:
        every = [answer for seen in answers for answer in seen]
        assert {generation for *_, generation in every} == {first.name, second.name}
        assert {rows for _, _, rows, _ in every} == {3}
        first_new = min(received for _, received, _, g in every if g == second.name)
        assert all(g == second.name for sent, _, _, g in every if sent > first_new)
        for seen in answers:  # no client sees the old graph after the new one
            names = [g for *_, g in seen]
            assert names == sorted(names, key=lambda g: g == second.name)
        deadline = time.monotonic() + 30  # the old workers stop, and let go of the old graph
        while any(p.name.startswith(first.name) for p in (store / "leases").iterdir()):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        third = build(store, sources=[PUBLISH / "curated"], bundled=False).generation
        assert not first.path.exists()  # released: pruned by the next build
        assert second.path.is_dir()  # the endpoint still answers from it
        assert BuildDir(store).current() == third
    finally:
        running.stop()
