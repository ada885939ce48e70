"""Query workers: processes that hold one generation of the store open and can be killed.

Why processes: the engine cannot stop a query half-way, so the time limit is real only
if the process running the query can be killed (and a crash in the engine takes down a
worker, not the endpoint).

Why two lanes: one expensive query must not starve the cheap ones. Every query starts in the
*quick lane* (``workers`` processes). A query still running after ``quick_time`` seconds
moves, with its worker, to the *slow lane* (at most ``slow_queries`` at once) and a warm
spare takes the worker's place in the quick lane at once, so lookups keep being answered (on
a busy machine, once its worker has also spent ``quick_time`` of processor time on it, or
after four times ``quick_time``: a cheap query waiting for the processor is not sent to the
lowest priority). A query whose worker spent more than ``costly_time`` of processor time on
it (an aggregate: tens of milliseconds) is remembered as *costly*: next time it waits for
one of ``costly_queries`` places before it takes a quick worker, so a crowd of aggregates
cannot hold every quick worker (and the processor) while lookups wait. The cost is the
worker's processor time, not the time the answer took, so a busy machine does not make cheap
queries look costly. A query that has overrun once is remembered: next time it waits for a
slow-lane place (in a bounded queue, within its time limit) and never takes a quick worker.
A query found expensive while the slow lane is full takes an overflow place (as many again);
past that it is stopped and answered 503 with ``Retry-After``. Queries wait for a quick
worker in a bounded queue (503 with ``Retry-After`` when full). Slow-lane workers run at the
lowest scheduling priority, so the cheap queries get the processor first.

Priorities: query workers run at niceness ``worker_niceness`` (5 by default), so the HTTP
process, which routes every request and answers the bounded lookups, gets the processor
first (measured on 2 cores at 16 clients: lookups +31 to +59 %, aggregates -48 %); page
workers run at ``page_niceness`` (5, beside the query workers): a crowd of HTML pages (seven
queries and a rendering each, about 7 ms) at the HTTP process's priority took the processor
from lookups (16 clients on 2 cores: lookups 33-46 % of Oxigraph's server), while at 10 the
pages starved (64 clients: 16 pages/s, a quarter of what Oxigraph's server answers for the
page's seven queries). At 5 both kept at least half (bench/results/server.md).

Bounded lookups: a ``/sparql`` query that provably cannot run away (one triple pattern,
:mod:`filmgraph.server.bounded`) is answered in the HTTP process, from a read-only store of
the same generation that the quick lane's set holds, without the hop to a worker; so is the
Turtle or N-Triples description of an ``/id/`` resource once its two index ranges are
found to hold at most ``in_process_triples`` triples. Every other query, and every page,
goes to a worker.

Pages: ``/id/`` pages run in a pool of their own (``pages=True``: ``page_workers``
processes, no slow lane, stopped at the time limit), so a burst of pages never takes the
workers lookups are waiting for.

Generations: over a build directory the pool leases the current generation
(:meth:`filmgraph.builddir.BuildDir.hold`) and polls the ``current`` link. After a build
it starts a full set of workers on the new generation and, once every one of them has the
store open, offers it on the endpoint's :class:`~filmgraph.server.board.GenerationBoard`.
The board makes it current once every pool of every HTTP process offers it; each pool reads
the board before it dispatches a request and swaps its sets in one step (no ``await`` in
between): every query dispatched after the flip, in any process, is answered from the new
generation, none from the old. Old workers finish what they run, then stop, and the old
lease is released, so the build may prune it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import multiprocessing
import os
import pickle
import struct
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from filmgraph.builddir import BuildDir, Lease
from filmgraph.errors import FilmgraphError
from filmgraph.server.answers import Job, answer, answer_description, answer_lookup
from filmgraph.server.board import GenerationBoard
from filmgraph.server.bounded import ROWS, bounded_text
from filmgraph.server.formats import Reply
from filmgraph.server.pages import prepare_maps
from filmgraph.server.settings import ServerSettings
from filmgraph.store.oxigraph import OxigraphStore, holds_merge

__all__ = ["WorkerPool", "inherit_forkserver", "is_build_dir", "start_forkserver"]

_CONTEXT = multiprocessing.get_context("forkserver")  # fast, clean forks; no fork of threads
# Workers fork with the query, page and map code imported (seconds of imports, once).
_CONTEXT.set_forkserver_preload(
    [
        "filmgraph.server.answers",
        "filmgraph.store.oxigraph",
        "filmgraph.viz.details",
        "filmgraph.viz.page",
        "filmgraph.viz.selection",
        "filmgraph.analytics.cache",
        "filmgraph.analytics.flags",
    ]
)
_REMEMBERED = 512  # expensive queries remembered


def is_build_dir(store_setting: str) -> bool:
    """True when the store setting is a local build directory (it has generations)."""
    from filmgraph.store import is_endpoint, mirrored_endpoint

    return (
        store_setting != "memory"
        and not is_endpoint(store_setting)
        and mirrored_endpoint(Path(store_setting)) is None
    )


def _work(
    conn: Connection,
    store_setting: str,
    store_path: str | None,
    result_limit: int,
    allow_service: bool,
    pages: bool,
    niceness: int = 0,
) -> None:
    """A worker's life: open the store, then answer jobs until told to stop."""
    from filmgraph.store import backend, open_store

    if niceness:
        os.nice(niceness)

    if store_path is not None:
        store = backend("oxigraph")(Path(store_path), read_only=True)  # type: ignore[call-arg]
    else:
        store = open_store(store_setting)
    if pages and store_path is not None:
        try:
            prepare_maps(store)  # a generation: its film pages' maps are cut from these parts
        except Exception as exc:  # the pages will report it; the queries need none of it
            print(f"filmgraph: page worker could not prepare the maps: {exc}", flush=True)
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        began = time.process_time()
        try:
            reply = answer(store, job, result_limit, allow_service)
        except Exception as exc:  # a bug, not the client's fault: report it, keep serving
            reply = Reply.error(500, f"internal error: {type(exc).__name__}: {exc}")
        reply.cpu = time.process_time() - began
        try:
            conn.send(reply)
        except OSError:  # the endpoint stopped or gave up on this worker: nobody to tell
            return


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    generation: str
    received: bytearray = field(default_factory=bytearray)  # a reply's bytes read so far


@dataclass(eq=False)
class _Set:
    """The workers of one generation, and the store the HTTP process answers bounded
    lookups from (``None`` when it does not: no build directory, or the page lane)."""

    name: str
    lease: Lease | None
    store: OxigraphStore | None = None
    idle: list[_Worker] = field(default_factory=list)
    spares: list[_Worker] = field(default_factory=list)
    alive: int = 0


class _Died(Exception):
    """The worker process ended while it held a job."""


class Busy(Exception):
    """No worker can take the query now; carries the reply (503 with Retry-After)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.body.decode())
        self.reply = reply


class WorkerPool:
    """Worker processes over ``store_setting``, in a quick and a slow lane.

    With ``pages`` the pool is the page lane: ``page_workers`` processes that render the
    ``/id/`` pages (a film's page runs a dozen queries and draws a map: tenths of a second,
    not milliseconds), each page within the time limit and with no slow lane, so pages
    never take a worker a lookup is waiting for.
    """

    def __init__(
        self,
        store_setting: str,
        settings: ServerSettings,
        *,
        pages: bool = False,
        board: GenerationBoard | None = None,
        slot: int = 0,
    ) -> None:
        for option, niceness in (
            ("--worker-niceness", settings.worker_niceness),
            ("--page-niceness", settings.page_niceness),
        ):
            if not 0 <= niceness <= 19:
                raise FilmgraphError(f"{option} must be between 0 and 19, not {niceness}")
        self.store_setting = store_setting
        self.pages = pages
        if pages:
            settings = replace(
                settings,
                workers=settings.page_workers,
                spares=0,
                slow_queries=0,
                quick_time=settings.time_limit,
            )
        self.settings = settings
        self.build_dir = BuildDir(Path(store_setting)) if is_build_dir(store_setting) else None
        self._set: _Set | None = None
        self._sets: dict[str, _Set] = {}
        self._pending: _Set | None = None  # a new generation's set, offered, not yet current
        self.board = board or GenerationBoard(1)
        self.slot = slot
        self._seen = -1  # the board's version this pool last swapped to
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._slow_waiting: deque[asyncio.Future[None]] = deque()
        self._running = {"quick": 0, "slow": 0}
        self._expensive: OrderedDict[str, None] = OrderedDict()
        self._costly: OrderedDict[str, None] = OrderedDict()
        places = settings.costly_queries or max(1, (os.cpu_count() or 2) // 2)
        self._costly_places = asyncio.Semaphore(places)
        self.costly_places = places
        self._costly_running = 0
        self.costly_most = 0  # the most costly queries that have run at once
        self._closed = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None  # the one that may swap sets
        self._workers: set[_Worker] = set()  # every live worker process of this pool
        self._switching = False
        self.stopped = 0  # queries stopped at the time limit
        self.refused = 0  # queries refused because no worker could take them
        self.switches = 0  # generations moved to
        self.answered_here = 0  # bounded lookups answered in the HTTP process
        self.described_here = 0  # /id/ descriptions (Turtle, N-Triples) answered there

    # -- life --------------------------------------------------------------------------------

    async def start(self, wait: float = 300.0) -> None:
        """Start the workers of the current generation; returns once they answer and every
        pool sharing the board holds the same generation (within ``wait`` seconds)."""
        self._loop = asyncio.get_running_loop()
        if self.build_dir is None:
            self._set = await self._start_set("", None)
            self._sets[""] = self._set
            return
        deadline = time.monotonic() + wait
        await self._prepare()
        while not self._sync():  # the other pools are still opening it (or a newer build)
            if time.monotonic() > deadline:
                raise FilmgraphError(
                    f"the endpoint's processes did not agree on a generation within {wait:g} s"
                )
            await asyncio.sleep(0.05)
            name = self.build_dir.current_name()
            if name is not None and self._pending is not None and name != self._pending.name:
                await self._prepare()
        self._spawn_task(self._watch())

    async def close(self) -> None:
        """Stop every worker, busy ones included, and release the leases."""
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for waiter in (*self._waiting, *self._slow_waiting):
            if not waiter.done():
                waiter.cancel()
        for workers in self._sets.values():
            for worker in workers.idle + workers.spares:
                self._stop(worker)
        for worker_set in self._sets.values():
            _retire(worker_set)
        for worker in list(self._workers):
            with contextlib.suppress(OSError):
                worker.process.kill()
            worker.process.join(2)
        self._workers.clear()

    @property
    def generation(self) -> str:
        """The generation new queries are answered from ("" outside a build directory)."""
        self._sync()
        return self._set.name if self._set is not None else ""

    def status(self) -> dict[str, Any]:
        """Counts for ``/health`` and ``/ready``."""
        self._sync()
        current = self._set
        return {
            "generation": self.generation,
            "preparing_generation": self._pending.name if self._pending is not None else "",
            "quick_workers": self.settings.workers,
            "idle_workers": len(current.idle) if current else 0,
            "spare_workers": len(current.spares) if current else 0,
            "slow_queries_running": self._running["slow"],
            "queued": len(self._waiting),
            "queued_slow": len(self._slow_waiting),
            "stopped_queries": self.stopped,
            "refused_queries": self.refused,
            "generation_switches": self.switches,
            "answered_in_process": self.answered_here,
            "described_in_process": self.described_here,
            "costly_places": self.costly_places,
            "costly_remembered": len(self._costly),
            "costly_running": self._costly_running,
            "costly_most_at_once": self.costly_most,
        }

    def ready(self) -> bool:
        """True when a query sent now would be taken (a worker or a queue place is free)."""
        self._sync()
        current = self._set
        return (
            current is not None
            and not self._closed
            and (bool(current.idle) or len(self._waiting) < self.settings.queue_limit)
        )

    # -- answering ---------------------------------------------------------------------------

    async def run(self, job: Job) -> Reply:
        """Answer ``job`` within the time limit, or stop it and say why."""
        self._sync()
        here = self.answer_here(job)
        if here is not None:
            return here
        started = time.monotonic()
        key = _key(job)
        try:
            if key in self._expensive:
                worker = await self._take_slow(started)
                return await self._finish(worker, job, key, started, slow=True)
            if key in self._costly and not self.pages:
                return await self._run_costly(job, key, started)
            worker = await self._take_quick(started)
        except Busy as busy:
            self.refused += 1
            return busy.reply
        return await self._finish(worker, job, key, started, slow=False)

    async def _run_costly(self, job: Job, key: str, started: float) -> Reply:
        """A query known to be costly: one of the costly places first, then a quick worker."""
        remaining = self.settings.time_limit - (time.monotonic() - started)
        try:
            await asyncio.wait_for(self._costly_places.acquire(), max(0.01, remaining))
        except TimeoutError:
            raise Busy(
                _busy_reply(
                    f"this query is costly, and the {self.costly_places} places for costly "
                    "queries stayed taken for the whole time limit",
                    1,
                )
            ) from None
        self._costly_running += 1
        self.costly_most = max(self.costly_most, self._costly_running)
        try:
            worker = await self._take_quick(started)
            return await self._finish(worker, job, key, started, slow=False)
        finally:
            self._costly_running -= 1
            self._costly_places.release()

    def answer_here(self, job: Job) -> Reply | None:
        """The answer to a bounded lookup or a short description, computed here, or
        ``None`` for a worker's job.

        A lookup whose answer is longer than :data:`~filmgraph.server.bounded.ROWS` rows
        (cut here, so found within that many steps) goes to a worker too, which cuts it at
        the result limit and says so, as for any other query; so does the Turtle or
        N-Triples description of an ``/id/`` resource with more than ``in_process_triples``
        triples (found within that many index steps).
        """
        self._sync()
        current = self._set
        if current is None or current.store is None or self._closed:
            return None
        if job.kind == "resource":
            most = self.settings.in_process_triples
            if most <= 0:
                return None
            reply = self._here(current, lambda store: answer_description(store, job, most))
            self.described_here += reply is not None
            return reply
        rows = min(ROWS, self.settings.result_limit)  # a longer answer is cut by a worker
        if job.kind != "sparql" or job.has_dataset:
            return None
        text = bounded_text(job.text, rows)
        if text is None:
            return None
        bounded = replace(job, text=text)
        reply = self._here(current, lambda store: answer_lookup(store, bounded, rows))
        self.answered_here += reply is not None
        return reply

    @staticmethod
    def _here(current: _Set, answer: Callable[[Any], Reply | None]) -> Reply | None:
        """``answer`` over the current store, stamped with its generation (``None``: a
        worker's job after all)."""
        try:
            reply = answer(current.store)
        except Exception as exc:  # a bug, not the client's fault: said as a worker says it
            reply = Reply.error(500, f"internal error: {type(exc).__name__}: {exc}")
        if reply is not None:
            reply.headers.setdefault("X-Filmgraph-Generation", current.name)
        return reply

    async def _finish(
        self, worker: _Worker, job: Job, key: str, started: float, slow: bool
    ) -> Reply:
        limit = self.settings.time_limit
        lane = "slow" if slow else "quick"
        self._running[lane] += 1
        try:
            try:
                cpu_sent = _cpu_seconds(worker)
                _send(worker, job)
                sent = time.monotonic()  # the quick budget counts from here, not the queue
                budget = limit - (sent - started)
                if not slow:
                    budget = min(self.settings.quick_time, budget)
                reply = await self._receive(worker, budget)
                if reply is None and not slow and not self.pages:
                    reply = await self._starved(worker, cpu_sent, sent, started)
                quick_enough = time.monotonic() - sent < self.settings.quick_time
                if reply is not None and slow and quick_enough:
                    self._expensive.pop(key, None)  # cheap after all (it was a busy moment)
                if reply is not None and not self.pages:
                    self._note_cost(key, reply.cpu)
                if reply is None and lane == "quick":
                    self._remember(key)
                    self._replace_quick(worker)  # the quick lane gets a fresh worker now
                    if self.settings.slow_queries == 0:  # no slow lane: stopped at the limit
                        self._lost(worker)
                        self.stopped += 1
                        return _stopped_reply(limit)
                    if self._running["slow"] >= 2 * self.settings.slow_queries:
                        self._lost(worker)
                        self.refused += 1
                        return _busy_reply(
                            f"{self._running['slow']} expensive queries are running already "
                            f"(at most {self.settings.slow_queries} at once); this one ran "
                            f"past {self.settings.quick_time:g} s and was stopped",
                            limit,
                        )
                    self._running["quick"] -= 1
                    lane = "slow"
                    self._running["slow"] += 1
                    _nice(worker, 19)  # the cheap queries get the processor first
                    reply = await self._receive(worker, limit - (time.monotonic() - started))
            except (_Died, OSError):
                self._lost(worker)
                if lane == "quick":
                    self._replace_quick(worker)
                return Reply.error(
                    500, "the query worker died while answering; it is being replaced"
                )
            if reply is None:
                self._lost(worker)
                self.stopped += 1
                return _stopped_reply(limit)
            self._release(worker, lane == "slow")
            reply.headers.setdefault("X-Filmgraph-Generation", worker.generation)
            return reply
        except BaseException:
            self._lost(worker)  # the server is stopping
            raise
        finally:
            self._running[lane] -= 1
            if lane == "slow":
                _wake(self._slow_waiting)

    async def _starved(
        self, worker: _Worker, cpu_sent: float | None, sent: float, started: float
    ) -> Reply | None:
        """Go on waiting in the quick lane for a query that has had ``quick_time`` seconds
        but not ``quick_time`` of processor time: on a busy machine a cheap query waits for
        the processor, and moving it to the slow lane (the lowest priority) would only
        starve it further. Up to four times ``quick_time``, so a quick worker is never held
        long; ``None`` when the query has used its processor time (or that cannot be read)."""
        quick = self.settings.quick_time
        until = min(sent + 4 * quick, started + self.settings.time_limit)
        while True:
            now = time.monotonic()
            used = _cpu_seconds(worker)
            if cpu_sent is None or used is None or used - cpu_sent >= quick or now >= until:
                return None
            reply = await self._receive(worker, min(quick - (used - cpu_sent), until - now))
            if reply is not None:
                return reply

    async def _receive(self, worker: _Worker, timeout: float) -> Reply | None:
        """The worker's reply, or ``None`` when ``timeout`` passes first (what has arrived of
        it is kept, so a query moved to the slow lane goes on being read where it stopped)."""
        try:
            reply: Reply = await asyncio.wait_for(_read_message(worker), max(0.01, timeout))
        except TimeoutError:
            return None
        except (EOFError, OSError) as exc:
            raise _Died from exc
        return reply

    async def _take_quick(self, started: float) -> _Worker:
        current = self._require_set()
        while not current.idle:
            if len(self._waiting) >= self.settings.queue_limit:
                raise Busy(
                    _busy_reply(
                        f"every query worker is busy and {len(self._waiting)} queries are waiting "
                        "already",
                        1,
                    )
                )
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            try:
                remaining = self.settings.time_limit - (time.monotonic() - started)
                await asyncio.wait_for(waiter, max(0.01, remaining))
            except TimeoutError:
                raise Busy(
                    _busy_reply("every query worker stayed busy for the whole time limit", 1)
                ) from None
            finally:
                with contextlib.suppress(ValueError):
                    self._waiting.remove(waiter)
            current = self._require_set()
        return current.idle.pop()

    async def _take_slow(self, started: float) -> _Worker:
        """A spare worker for a query known to be expensive, once the slow lane has room."""
        current = self._require_set()
        while self._running["slow"] >= self.settings.slow_queries or not current.spares:
            if len(self._slow_waiting) >= self.settings.queue_limit:
                raise Busy(
                    _busy_reply(
                        f"this query ran past {self.settings.quick_time:g} s before, and "
                        f"{len(self._slow_waiting)} expensive queries are waiting already",
                        self.settings.time_limit,
                    )
                )
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._slow_waiting.append(waiter)
            try:
                remaining = self.settings.time_limit - (time.monotonic() - started)
                await asyncio.wait_for(waiter, max(0.01, remaining))
            except TimeoutError:
                raise Busy(
                    _busy_reply(
                        f"this query ran past {self.settings.quick_time:g} s before, and the "
                        f"slow lane ({self.settings.slow_queries} at once) stayed full for the "
                        "whole time limit",
                        self.settings.time_limit,
                    )
                ) from None
            finally:
                with contextlib.suppress(ValueError):
                    self._slow_waiting.remove(waiter)
            current = self._require_set()
        worker = current.spares.pop()
        _nice(worker, 19)
        self._spawn_task(self._refill(current))
        return worker

    def _require_set(self) -> _Set:
        if self._set is None or self._closed:
            raise Busy(_busy_reply("the endpoint is not ready", 1))
        return self._set

    def _release(self, worker: _Worker, slow: bool) -> None:
        """A worker finished its query: back to its lane, or retired if its set is old."""
        owner = self._sets.get(worker.generation)
        if owner is None or owner is not self._set:
            self._stop(worker)
            return
        if slow:  # it left the quick lane; it becomes a spare if one is missing
            back = self.settings.worker_niceness
            if len(owner.spares) < self.settings.spares and _nice(worker, back):
                owner.spares.append(worker)
                _wake(self._slow_waiting)
            else:
                self._stop(worker)
            return
        owner.idle.append(worker)
        self._wake()

    def _wake(self) -> None:
        _wake(self._waiting)

    def _replace_quick(self, leaving: _Worker) -> None:
        owner = self._sets.get(leaving.generation)
        if owner is None or owner is not self._set:
            return
        if owner.spares:
            owner.idle.append(owner.spares.pop())
            self._wake()
        else:
            self._spawn_task(self._add_quick(owner))
        self._spawn_task(self._refill(owner))

    def _note_cost(self, key: str, cpu: float) -> None:
        """Remember a query as costly, or forget it, by the processor time it just took."""
        if cpu > self.settings.costly_time:
            self._costly[key] = None
            self._costly.move_to_end(key)
            while len(self._costly) > _REMEMBERED:
                self._costly.popitem(last=False)
        elif cpu < self.settings.costly_time / 2:
            self._costly.pop(key, None)

    def _remember(self, key: str) -> None:
        if self.settings.slow_queries == 0:  # no slow lane to send it to next time
            return
        self._expensive[key] = None
        self._expensive.move_to_end(key)
        while len(self._expensive) > _REMEMBERED:
            self._expensive.popitem(last=False)

    # -- processes -------------------------------------------------------------------------

    async def _spawn(self, worker_set: _Set) -> _Worker:
        here, there = _CONTEXT.Pipe()
        store_path = None
        if worker_set.lease is not None:
            store_path = str(worker_set.lease.generation.store_path)
        process = _CONTEXT.Process(
            target=_work,
            daemon=True,
            name="filmgraph-page-worker" if self.pages else "filmgraph-query-worker",
            args=(
                there,
                self.store_setting,
                store_path,
                self.settings.result_limit,
                self.settings.allow_service,
                self.pages,
                self.settings.page_niceness if self.pages else self.settings.worker_niceness,
            ),
        )
        await asyncio.to_thread(process.start)
        there.close()
        os.set_blocking(here.fileno(), False)  # read by _read_message, never waited on
        worker = _Worker(process, here, worker_set.name)
        self._workers.add(worker)
        ready = await self._receive_ready(worker)
        if not ready:
            self._workers.discard(worker)
            process.kill()
            raise RuntimeError("a query worker failed to open the store")
        worker_set.alive += 1
        return worker

    async def _receive_ready(self, worker: _Worker) -> bool:
        try:
            return bool(await asyncio.wait_for(_read_message(worker), 120) == "ready")
        except (TimeoutError, EOFError, OSError):
            return False

    async def _start_set(self, name: str, lease: Lease | None) -> _Set:
        worker_set = _Set(name, lease)
        try:
            if lease is not None and not self.pages:
                worker_set.store = await asyncio.to_thread(_open_here, lease)
            quick = await asyncio.gather(
                *(self._spawn(worker_set) for _ in range(self.settings.workers))
            )
            spares = await asyncio.gather(
                *(self._spawn(worker_set) for _ in range(self.settings.spares))
            )
        except BaseException:
            for child in worker_set.idle + worker_set.spares:
                self._stop(child)
            _retire(worker_set)
            raise
        worker_set.idle.extend(quick)
        worker_set.spares.extend(spares)
        return worker_set

    async def _add_quick(self, owner: _Set) -> None:
        worker = await self._spawn(owner)
        if owner is self._set and not self._closed:
            owner.idle.append(worker)
            self._wake()
        else:
            self._stop(worker)

    async def _refill(self, owner: _Set) -> None:
        if owner is self._set and len(owner.spares) < self.settings.spares and not self._closed:
            worker = await self._spawn(owner)
            if owner is self._set and len(owner.spares) < self.settings.spares:
                owner.spares.append(worker)
                _wake(self._slow_waiting)
            else:
                self._stop(worker)

    def _lost(self, worker: _Worker) -> None:
        """Kill a worker whose query is stopped (or whose client left)."""
        with contextlib.suppress(OSError):
            worker.process.kill()
        self._stop(worker)

    def _stop(self, worker: _Worker) -> None:
        with contextlib.suppress(OSError):
            if worker.process.is_alive():
                worker.conn.send(None)
        worker.conn.close()
        self._spawn_task(self._reap(worker))

    async def _reap(self, worker: _Worker) -> None:
        await asyncio.to_thread(worker.process.join, 5)
        if worker.process.is_alive():
            worker.process.kill()
            await asyncio.to_thread(worker.process.join, 5)
        self._workers.discard(worker)
        owner = self._sets.get(worker.generation)
        if owner is None:
            return
        owner.alive -= 1
        if owner is not self._set and owner.alive <= 0:
            del self._sets[worker.generation]
            _retire(owner)  # nothing reads it any more: a build may prune it

    def _spawn_task(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- generations ---------------------------------------------------------------------

    async def _watch(self) -> None:
        """Poll the ``current`` link and the board: open a new generation when the link
        changes, move to it when the board says every pool holds it."""
        assert self.build_dir is not None
        while not self._closed:
            await asyncio.sleep(self.settings.poll_interval)
            self._sync()
            name = self.build_dir.current_name()
            held = self._pending or self._set
            if name is None or (held is not None and name == held.name):
                continue
            try:
                await self._prepare()
            except Exception as exc:  # a broken new build: keep serving the old one
                print(f"filmgraph: could not move to generation {name}: {exc}", flush=True)

    async def _prepare(self) -> None:
        """Open a full set of workers on the generation the ``current`` link names, and
        offer it on the board (the board makes it current once every pool offers it)."""
        assert self.build_dir is not None
        self.board.offer(self.slot, "")  # withdrawn first: the board cannot flip to a set
        self._sync()  # this pool is about to let go of (only the flip may come first)
        stale, self._pending = self._pending, None
        if stale is not None and stale is not self._set:
            self._drop(stale)
        lease = self.build_dir.hold()
        name = lease.generation.name
        held = self._sets.get(name)
        if held is not None:  # already open here (the current one)
            lease.release()
            self.board.offer(self.slot, name)
            self._sync()
            return
        fresh = await self._start_set(name, lease)
        if self._closed:
            self._drop(fresh)
            return
        self._sets[name] = fresh
        self._pending = fresh
        self.board.offer(self.slot, name)
        self._sync()

    def _sync(self) -> bool:
        """Swap to the board's current generation if it changed (no ``await``: one step);
        False while this pool does not hold it yet (only while starting).

        Only the pool's event loop swaps: a swap stops workers and starts tasks, which
        another thread (one reading :attr:`generation`, say) cannot do; there it only reads.
        """
        if self._loop is not None and not self._on_loop():
            return self._set is not None
        version = self.board.version
        if version == self._seen:
            return self._set is not None
        version, name = self.board.current()
        target = self._sets.get(name)
        if target is None:
            return False
        self._seen = version
        if target is self._set:
            return True
        old, self._set = self._set, target
        if self._pending is target:
            self._pending = None
        if old is not None:
            self.switches += 1
            self._drop(old)
        for _ in range(len(target.idle)):
            self._wake()
        return True

    def _on_loop(self) -> bool:
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:  # no loop runs in this thread
            return False

    def _drop(self, old: _Set) -> None:
        """Stop a set's idle workers; the busy ones stop when they finish, and the last one
        to stop releases the set's generation (:meth:`_reap`)."""
        for worker in old.idle + old.spares:
            self._stop(worker)
        old.idle, old.spares = [], []
        if old.alive <= 0:
            self._sets.pop(old.name, None)
            _retire(old)


def _open_here(lease: Lease) -> OxigraphStore | None:
    """The generation's store, read-only, for the bounded lookups the HTTP process answers;
    ``None`` when its default graph does not hold the merge (a one-pattern query would
    then read the union of the graphs, which is not one index range)."""
    store = OxigraphStore(lease.generation.store_path, read_only=True)
    return store if holds_merge(store.engine) else None


def _retire(worker_set: _Set) -> None:
    """Close the set's own store, then release its generation (a build may prune it)."""
    worker_set.store = None  # the last reference: pyoxigraph closes the store
    if worker_set.lease is not None:
        worker_set.lease.release()


def _wake(waiting: deque[asyncio.Future[None]]) -> None:
    """Wake the first query still waiting in ``waiting``."""
    for waiter in waiting:
        if not waiter.done():
            waiter.set_result(None)
            return


def start_forkserver() -> None:
    """Start the fork server (it imports the query code once; workers fork from it)."""
    from multiprocessing import forkserver

    forkserver.ensure_running()


def inherit_forkserver() -> None:
    """In an HTTP process forked from the process that started the fork server: start the
    workers from that same server (one set of preloaded imports for the whole endpoint).

    multiprocessing checks that its fork server is alive with ``waitpid``, which only the
    process that started it may call; in a forked process the check fails and no worker
    could start. The starting process outlives its HTTP processes (it waits for them), so
    here the check is left out and only the resource tracker is made sure of.
    """
    from multiprocessing import forkserver, resource_tracker

    server = getattr(forkserver, "_forkserver")  # noqa: B009 - the module's one instance
    server.ensure_running = resource_tracker.ensure_running


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _send(worker: _Worker, job: Job) -> None:
    """Hand ``job`` to an idle worker (which is waiting for it, so the write cannot stall)."""
    fd = worker.conn.fileno()
    os.set_blocking(fd, True)  # a long query text may not fit the pipe's buffer at once
    try:
        worker.conn.send(job)
    finally:
        os.set_blocking(fd, False)


def _framing(received: bytearray) -> tuple[int, int] | None:
    """The head and body lengths of the message ``received`` starts with, once its head is in.

    The framing of :meth:`multiprocessing.connection.Connection.send_bytes`: a 4-byte
    big-endian length, or -1 and an 8-byte length for a message of 2 GiB or more.
    """
    if len(received) < 4:
        return None
    (size,) = struct.unpack("!i", received[:4])
    if size != -1:
        return 4, size
    if len(received) < 12:
        return None
    (size,) = struct.unpack("!Q", received[4:12])
    return 12, size


async def _read_message(worker: _Worker) -> Any:
    """The next object the worker sends, read without blocking the event loop.

    Why not ``Connection.recv``: it reads until the whole message is in, and a large answer
    (hundreds of KB) leaves the worker in pieces; on the endpoint's non-blocking end of the
    pipe the read then fails half-way (``EAGAIN``), and on a blocking one it would stop every
    other request until the worker has written the rest.
    """
    loop = asyncio.get_running_loop()
    fd = worker.conn.fileno()  # OSError once the connection is closed
    received = worker.received
    while True:
        framing = _framing(received)
        if framing is not None and len(received) >= sum(framing):
            head, size = framing
            payload = bytes(received[head : head + size])
            del received[: head + size]
            return pickle.loads(payload)
        if framing is None:
            wanted = (4 if len(received) < 4 else 12) - len(received)
        else:
            wanted = sum(framing) - len(received)
        try:
            chunk = os.read(fd, wanted)
        except BlockingIOError:
            readable: asyncio.Future[None] = loop.create_future()
            loop.add_reader(fd, _resolve, readable)
            try:
                await readable
            finally:
                loop.remove_reader(fd)
            continue
        if not chunk:
            raise EOFError("the worker closed its end")
        received += chunk


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(worker: _Worker) -> float | None:
    """The processor time the worker process has used, or ``None`` where the system does
    not say (read from ``/proc``: Linux)."""
    try:
        stat = Path(f"/proc/{worker.process.pid}/stat").read_bytes()
        fields = stat.rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _nice(worker: _Worker, niceness: int) -> bool:
    """Set a worker's scheduling priority; False where the system does not allow it."""
    pid = worker.process.pid
    if pid is None:
        return False
    try:
        os.setpriority(os.PRIO_PROCESS, pid, niceness)
    except OSError:
        return False
    return True


def _key(job: Job) -> str:
    text = f"{job.kind}\x00{job.text}\x00{job.name}\x00{sorted(job.params.items())}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stopped_reply(limit: float) -> Reply:
    return Reply.error(
        503,
        f"query stopped: it ran past the time limit of {limit:g} s",
        {"Retry-After": str(int(limit) + 1)},
    )


def _busy_reply(reason: str, retry_after: float) -> Reply:
    seconds = max(1, int(retry_after + 0.999))
    return Reply.error(
        503,
        f"the endpoint is busy: {reason}; try again in {seconds} s",
        {"Retry-After": str(seconds)},
    )
