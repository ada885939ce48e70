"""Several HTTP processes on one socket (``filmgraph serve --http-processes``): one generation
for the whole endpoint, one connection cap, one ``/health`` and ``/ready`` for the whole
endpoint, and a clean stop.

The endpoint runs as the command does, in a process of its own with real HTTP processes and
real workers; clients open a fresh connection per request, so the kernel hands them to
either HTTP process.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from filmgraph.build import build
from filmgraph.builddir import BuildDir
from filmgraph.server.board import GenerationBoard, ProcessTable

from .publish_support import PUBLISH

FILMS = (
    "PREFIX fg: <https://w3id.org/filmgraph/ontology#> SELECT ?f WHERE { ?f a fg:Film } ORDER BY ?f"
)
CLIENTS = 6


# -- the board ---------------------------------------------------------------------------------


def test_the_board_makes_a_generation_current_only_once_every_slot_offers_it() -> None:
    board = GenerationBoard(3)
    assert not board.offer(0, "g2")
    assert not board.offer(1, "g2")
    assert board.current() == (0, "")
    assert board.offer(2, "g2")
    assert board.current() == (1, "g2")


def test_a_withdrawn_offer_keeps_the_board_from_flipping_to_it() -> None:
    board = GenerationBoard(2)
    board.offer(0, "g1")
    board.offer(1, "g1")
    board.offer(0, "g2")
    board.offer(0, "")  # the pool in slot 0 gave g2 up (a newer build came)
    assert not board.offer(1, "g2")
    assert board.current() == (1, "g1")


def _offer_later(board: GenerationBoard, slot: int, delay: float) -> None:
    time.sleep(delay)
    board.offer(slot, "g2")


def test_processes_offering_at_different_times_flip_the_board_once_at_the_last_offer() -> None:
    board = GenerationBoard(4)
    for slot in range(4):
        board.offer(slot, "g1")
    context = multiprocessing.get_context("fork")
    offering = [
        context.Process(target=_offer_later, args=(board, slot, 0.1 * slot)) for slot in range(3)
    ]
    for process in offering:
        process.start()
    for process in offering:
        process.join(10)
    assert board.current() == (1, "g1")  # three of four offered: nothing moved
    board.offer(3, "g2")
    assert board.current() == (2, "g2")


# -- the process table ---------------------------------------------------------------------------


def test_the_table_gives_each_process_its_last_report_with_its_age() -> None:
    table = ProcessTable(2, ("ready", "queued"))
    assert table.rows() == [None, None]
    table.publish(1, {"ready": 1, "queued": 3})
    first, second = table.rows()
    assert first is None and second is not None
    assert (second["ready"], second["queued"]) == (1, 3) and 0 <= second["age"] < 5


def test_a_report_written_in_another_process_is_read_here() -> None:
    table = ProcessTable(2, ("queued",))
    child = multiprocessing.get_context("fork").Process(
        target=table.publish, args=(0, {"queued": 7})
    )
    child.start()
    child.join(30)
    row = table.rows()[0]
    assert row is not None and row["queued"] == 7


# -- the endpoint with two HTTP processes ----------------------------------------------------


class Endpoint:
    """``filmgraph serve --http-processes 2`` in a process of its own."""

    def __init__(self, store: Path, *options: str) -> None:
        command = [sys.executable, "-m", "filmgraph", "serve", "--store", str(store)]
        command += ["--port", "0", "--http-processes", "2", "--workers", "1", "--spares", "1"]
        command += ["--page-workers", "1", "--poll-interval", "0.2", *options]
        command += ["--access-log", str(store.parent / "access.log")]
        self.said = store.parent / "serve.err"  # a file, not a pipe nobody reads
        with self.said.open("w") as said:
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=said)
        deadline = time.monotonic() + 120
        found = None
        while found is None:
            assert time.monotonic() < deadline, self.said.read_text()
            assert self.process.poll() is None, self.said.read_text()
            found = re.search(r"http://127\.0\.0\.1:(\d+)/sparql", self.said.read_text())
            time.sleep(0.1)
        self.port = int(found.group(1))
        self.url = f"http://127.0.0.1:{self.port}"
        while len(self.every_health()) < 2:
            assert time.monotonic() < deadline, "the endpoint did not start"
            time.sleep(0.2)

    def every_health(self) -> dict[int, dict[str, Any]]:
        """``/health`` of each HTTP process (asked over fresh connections until both said)."""
        seen: dict[int, dict[str, Any]] = {}
        for _ in range(100):
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=10) as response:
                    health = json.loads(response.read())
            except OSError:
                return seen
            seen[health["http_process"]] = health
            if len(seen) == health["http_processes"]:
                break
        return seen

    def stop(self) -> int:
        self.process.terminate()
        return self.process.wait(30)


@pytest.fixture
def endpoint_store(tmp_path: Path) -> Path:
    store = tmp_path / "build"
    build(store, sources=[PUBLISH / "curated"], bundled=False)
    return store


@pytest.fixture
def endpoint(endpoint_store: Path) -> Iterator[Endpoint]:
    running = Endpoint(endpoint_store)
    yield running
    running.stop()


def test_both_http_processes_answer_from_the_one_generation_they_agreed_on(
    endpoint: Endpoint, endpoint_store: Path
) -> None:
    every = endpoint.every_health()
    assert sorted(every) == [0, 1]
    current = BuildDir(endpoint_store).current_name()
    assert {h["generation"] for h in every.values()} == {current}
    assert {h["board_generation"] for h in every.values()} == {current}


LOOKUP = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    'SELECT ?f WHERE { ?f rdfs:label "Strike"@en }'
)


def _get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_health_from_either_process_describes_both(endpoint: Endpoint) -> None:
    every = endpoint.every_health()
    for health in every.values():
        assert health["ready"] is True and health["ready_processes"] == 2
        rows = health["processes"]
        assert [row["http_process"] for row in rows] == [0, 1]
        assert all(row["reported"] and row["ready"] for row in rows)
        assert len({row["pid"] for row in rows}) == 2
        for name in ("quick_workers", "idle_workers", "page_workers", "answered_in_process"):
            assert health[name] == sum(row[name] for row in rows)
    assert every[0]["processes"][1]["pid"] == every[1]["processes"][1]["pid"]


def test_the_counts_in_health_are_the_whole_endpoints(endpoint: Endpoint) -> None:
    before = _get(endpoint.url + "/health")[1]["answered_in_process"]
    for n in range(1, 13):  # fresh connections: the kernel hands them to either process
        query = f"{LOOKUP} LIMIT {n}"  # twelve texts: none answered from the kept answers
        assert _get(endpoint.url + "/sparql?" + urllib.parse.urlencode({"query": query}))[0] == 200
    deadline = time.monotonic() + 15
    while True:  # each process reports its counts four times a second
        health = _get(endpoint.url + "/health")[1]
        if health["answered_in_process"] == before + 12 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert health["answered_in_process"] == before + 12


def test_an_http_process_that_stops_answering_makes_the_endpoint_not_ready(
    endpoint: Endpoint,
) -> None:
    rows = _get(endpoint.url + "/health")[1]["processes"]
    stopped = rows[1]["pid"]
    os.kill(stopped, signal.SIGSTOP)  # its event loop stands still; the other one answers
    try:
        deadline = time.monotonic() + 30
        status, body = _get(endpoint.url + "/ready")
        while status == 200 and time.monotonic() < deadline:
            time.sleep(0.2)
            status, body = _get(endpoint.url + "/ready")
        assert status == 503 and body["ready"] is False and body["ready_processes"] == 1
        assert [row["ready"] for row in body["processes"]] == [True, False]
        assert body["processes"][1]["seconds_since_report"] > 1
        assert _get(endpoint.url + "/health")[1]["status"] == "ok"  # alive, not ready
    finally:
        os.kill(stopped, signal.SIGCONT)
    deadline = time.monotonic() + 30
    while _get(endpoint.url + "/ready")[0] != 200:
        assert time.monotonic() < deadline, "the endpoint did not become ready again"
        time.sleep(0.2)


def test_a_rebuild_moves_every_http_process_at_once_and_keeps_the_held_graph(
    endpoint: Endpoint, endpoint_store: Path
) -> None:
    first = BuildDir(endpoint_store).current()
    url = endpoint.url + "/sparql?" + urllib.parse.urlencode({"query": FILMS})
    answers: list[list[tuple[float, float, str]]] = [[] for _ in range(CLIENTS)]
    stop = threading.Event()

    def client(seen: list[tuple[float, float, str]]) -> None:
        while not stop.is_set():  # a fresh connection each time: either process takes it
            sent = time.monotonic()
            with urllib.request.urlopen(url, timeout=30) as response:
                response.read()
                seen.append((sent, time.monotonic(), response.headers["X-Filmgraph-Generation"]))

    threads = [threading.Thread(target=client, args=(seen,)) for seen in answers]
    for thread in threads:
        thread.start()
    try:
        second = build(endpoint_store, sources=[PUBLISH / "curated"], bundled=False).generation
        assert first.path.is_dir()  # published over, but still held by the endpoint
        deadline = time.monotonic() + 60
        while {h["generation"] for h in endpoint.every_health().values()} != {second.name}:
            assert time.monotonic() < deadline, "the endpoint never moved to the new build"
            time.sleep(0.1)
        time.sleep(1.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    every = [answer for seen in answers for answer in seen]
    assert {generation for *_, generation in every} == {first.name, second.name}
    first_new = min(received for _, received, g in every if g == second.name)
    late_old = [sent - first_new for sent, _, g in every if g == first.name and sent > first_new]
    assert not late_old, "a request sent after a new answer came was answered from the old graph"
    time.sleep(0.5)  # every process has reported since
    rows = endpoint.every_health()[0]["processes"]  # each process's own numbers
    assert all(r["cache_hits"] + r["cache_misses"] > 0 for r in rows)  # both served
    assert all(r["generation_switches"] == 1 for r in rows)
    deadline = time.monotonic() + 30  # every process's old workers stop and let go of it
    while any(p.name.startswith(first.name) for p in (endpoint_store / "leases").iterdir()):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    build(endpoint_store, sources=[PUBLISH / "curated"], bundled=False)
    assert not first.path.exists()  # released by both processes: pruned by the next build
    assert second.path.is_dir()  # the endpoint still answers from it


def test_the_connection_cap_holds_for_the_endpoint_not_for_each_process(
    endpoint_store: Path,
) -> None:
    running = Endpoint(endpoint_store, "--max-connections", "4", "--header-timeout", "5")
    sockets: list[socket.socket] = []
    try:
        refused = 0
        for _ in range(8):  # idle connections: each process takes some, none sends a request
            sock = socket.create_connection(("127.0.0.1", running.port), timeout=5)
            sockets.append(sock)
            time.sleep(0.05)
        for sock in sockets:
            sock.settimeout(1.0)
            try:
                said = sock.recv(200)
            except TimeoutError:
                continue  # held open: within the cap
            refused += said.startswith(b"HTTP/1.1 503")
        assert refused == 4
    finally:
        for sock in sockets:
            sock.close()
        running.stop()


def test_an_interrupted_endpoint_stops_every_process_and_worker(endpoint_store: Path) -> None:
    running = Endpoint(endpoint_store)
    children = _descendants(running.process.pid)
    assert len(children) >= 4  # two HTTP processes, the fork server and workers
    assert running.stop() == 0
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in children):
        assert time.monotonic() < deadline, "a process of the endpoint outlived it"
        time.sleep(0.2)


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid:
            found.append(int(entry.name))
    return found + [d for child in found for d in _descendants(child)]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:  # gone between the two looks
        return False
    return state != "Z"


def test_an_http_process_that_dies_stops_the_whole_endpoint(endpoint_store: Path) -> None:
    running = Endpoint(endpoint_store)
    own = Path(f"/proc/{running.process.pid}/cmdline").read_bytes()
    http = [
        pid
        for pid in _descendants(running.process.pid)
        if Path(f"/proc/{pid}/cmdline").read_bytes() == own  # forked: the same command
    ]
    assert len(http) == 2
    everything = _descendants(running.process.pid)
    os.kill(http[0], 9)
    code = running.process.wait(60)
    assert code != 0  # a process manager sees the endpoint fail, and restarts all of it
    assert "ended" in running.said.read_text()
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in everything):
        assert time.monotonic() < deadline, "a process of the endpoint outlived it"
        time.sleep(0.2)
