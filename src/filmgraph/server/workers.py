"""Query workers: separate processes that hold the store open and can be killed.

The time limit has to be real: a runaway query in a thread cannot be stopped, a process
can. Each worker opens the store once and answers :class:`~filmgraph.server.answers.Job`\\s
over a pipe. When a job outlives the time limit, the worker is killed and a fresh one is
started in the background, while the other workers keep answering.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from filmgraph.server.answers import Job, answer
from filmgraph.server.formats import Reply

__all__ = ["WorkerPool"]

_CONTEXT = multiprocessing.get_context("spawn")  # no fork from a threaded server


def _work(conn: Connection, store_setting: str, result_limit: int, allow_service: bool) -> None:
    """A worker's life: open the store, then answer jobs until told to stop."""
    from filmgraph.store import open_store

    store = open_store(store_setting)
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            reply = answer(store, job, result_limit, allow_service)
        except Exception as exc:  # a bug, not the client's fault: report it, keep serving
            reply = Reply.error(500, f"internal error: {type(exc).__name__}: {exc}")
        conn.send(reply)


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection


class WorkerPool:
    """``size`` worker processes over the store ``store_setting``."""

    def __init__(self, store_setting: str, size: int, time_limit: float, result_limit: int,
                 allow_service: bool) -> None:
        self.store_setting = store_setting
        self.size = size
        self.time_limit = time_limit
        self.result_limit = result_limit
        self.allow_service = allow_service
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.stopped = 0  # queries stopped at the time limit, for /health
        self.ready = threading.Event()

    def start(self, wait: float = 120.0) -> None:
        """Start every worker and wait until at least one has the store open."""
        for _ in range(self.size):
            threading.Thread(target=self._replace, daemon=True).start()
        if not self.ready.wait(wait):
            raise RuntimeError(f"no query worker opened the store within {wait:.0f} s")

    def _spawn(self) -> _Worker:
        here, there = _CONTEXT.Pipe()
        process = _CONTEXT.Process(
            target=_work, args=(there, self.store_setting, self.result_limit, self.allow_service),
            daemon=True, name="filmgraph-query-worker",
        )
        process.start()
        there.close()
        if not here.poll(120) or here.recv() != "ready":
            process.kill()
            raise RuntimeError("a query worker failed to open the store")
        return _Worker(process, here)

    def _replace(self) -> None:
        if self._closed:
            return
        worker = self._spawn()
        with self._lock:
            self._all.add(worker)
        self._idle.put(worker)
        self.ready.set()

    def run(self, job: Job) -> Reply:
        """Answer ``job`` within the time limit, or stop it and say so."""
        started = time.monotonic()
        try:
            worker = self._idle.get(timeout=self.time_limit)
        except queue.Empty:
            return Reply.error(503, f"every query worker is busy; try again in a moment "
                                    f"(time limit {self.time_limit:g} s)")
        remaining = max(0.1, self.time_limit - (time.monotonic() - started))
        try:
            worker.conn.send(job)
            if worker.conn.poll(remaining):
                reply: Reply = worker.conn.recv()
                self._idle.put(worker)
                return reply
        except (EOFError, OSError):
            self._discard(worker)
            return Reply.error(500, "the query worker died; it is being replaced")
        self._discard(worker)
        self.stopped += 1
        return Reply.error(503, f"query stopped: it ran past the time limit of "
                                f"{self.time_limit:g} s")

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        threading.Thread(target=self._replace, daemon=True).start()

    def close(self) -> None:
        """Stop every worker, busy ones included."""
        self._closed = True
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in workers:
            worker.process.join(2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(2)
