"""The generation every part of the endpoint answers from, shared across its processes.

Why: the endpoint may run several HTTP processes (``--http-processes``), each with its own
query and page workers. After a build each of them opens the new generation on its own
time; if each moved to it as soon as it was ready, two identical queries sent at the same
moment could be answered from two graphs (one process already on the new build, one still
on the old). The board makes the move one step for all of them.

How: the board lives in shared memory, created before the HTTP processes start. Each pool
(the query pool and the page pool of each HTTP process) has a *slot*. A pool that has a
full set of workers open on a new generation (and still the old one) writes the
generation's name into its slot; the write that makes every slot name the same generation
also makes it *current* and bumps a version number, in one step under the board's lock.
Every pool reads the version on each request (one shared integer, no lock) and, when it
changed, takes the current name and swaps to its set of that generation before it
dispatches anything. So once any answer from the new generation has been given, every
request dispatched afterwards, in any process, is answered from the new generation.

A pool that abandons a prepared generation (a newer build appeared first) clears its slot
under the lock before it lets go of the workers, so the board can never make current a
generation that some pool no longer holds.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import time
from typing import Any

from filmgraph.errors import FilmgraphError

__all__ = ["GenerationBoard", "ProcessTable"]

_NAME = 256  # bytes at most in a generation's name (a build names it by time and process)
_CONTEXT = multiprocessing.get_context("fork")


class GenerationBoard:
    """The current generation of every pool of the endpoint, flipped when all are ready.

    Create it before the processes that share it start (it is inherited, or pickled while
    a process is being started); ``slots`` is the number of pools that must agree.
    """

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise FilmgraphError("a generation board needs one slot at least")
        self.slots = slots
        self._lock = _CONTEXT.Lock()
        self._version = _CONTEXT.RawValue(ctypes.c_long, 0)
        self._current = _CONTEXT.RawArray(ctypes.c_char, _NAME)
        self._offered = [_CONTEXT.RawArray(ctypes.c_char, _NAME) for _ in range(slots)]

    @property
    def version(self) -> int:
        """Bumped each time the current generation changes (read without the lock: one
        aligned machine word)."""
        return int(self._version.value)

    def current(self) -> tuple[int, str]:
        """The version and the name of the current generation ("" before the first)."""
        with self._lock:
            return int(self._version.value), self._current.value.decode("utf-8")

    def offer(self, slot: int, name: str) -> bool:
        """Say that the pool in ``slot`` holds ``name`` open ("" withdraws an offer); True
        when this offer made ``name`` current (every slot now offers it)."""
        encoded = name.encode("utf-8")
        if len(encoded) >= _NAME:
            raise FilmgraphError(f"generation name too long for the endpoint: {name!r}")
        if not 0 <= slot < self.slots:
            raise FilmgraphError(f"no slot {slot} on a board of {self.slots}")
        with self._lock:
            self._offered[slot].value = encoded
            agreed = all(offered.value == encoded for offered in self._offered)
            if not encoded or not agreed or self._current.value == encoded:
                return False
            self._current.value = encoded
            self._version.value += 1
            return True

    def status(self) -> dict[str, Any]:
        """The current generation, its version and what each slot offers (for ``/health``)."""
        with self._lock:
            return {
                "board_generation": self._current.value.decode("utf-8"),
                "board_version": int(self._version.value),
                "board_offers": [o.value.decode("utf-8") for o in self._offered],
            }


class ProcessTable:
    """What each HTTP process last reported of itself: its readiness and its counts.

    Why: with several HTTP processes, ``/health`` and ``/ready`` reach whichever process
    the kernel handed the connection to; each process alone knows only its own workers,
    queues and counts. Each process writes its numbers into its row here (a few times a
    second, and whenever it answers ``/health`` or ``/ready``), so any of them can describe
    the whole endpoint. A row carries the time it was written (``time.monotonic``, one
    clock for every process of the machine): a process that stopped writing (its event loop
    held, or gone) is seen as such.

    Create it before the processes that share it start, like :class:`GenerationBoard`.
    """

    def __init__(self, processes: int, fields: tuple[str, ...]) -> None:
        if processes < 1:
            raise FilmgraphError("a process table needs one process at least")
        self.processes = processes
        self.fields = fields
        self._lock = _CONTEXT.Lock()
        width = len(fields) + 1  # the time the row was written, then the fields
        self._rows: Any = _CONTEXT.RawArray(ctypes.c_double, processes * width)

    def publish(self, process: int, values: dict[str, float]) -> None:
        """Write ``process``'s row (fields missing from ``values`` read 0)."""
        if not 0 <= process < self.processes:
            raise FilmgraphError(f"no process {process} in a table of {self.processes}")
        width = len(self.fields) + 1
        row = [time.monotonic(), *(float(values.get(name, 0)) for name in self.fields)]
        with self._lock:
            self._rows[process * width : (process + 1) * width] = row

    def rows(self) -> list[dict[str, float] | None]:
        """Every process's last row with its age in seconds (``age``), ``None`` for a
        process that has not written yet."""
        width = len(self.fields) + 1
        with self._lock:
            every = list(self._rows)
        now = time.monotonic()
        found: list[dict[str, float] | None] = []
        for process in range(self.processes):
            row = every[process * width : (process + 1) * width]
            if row[0] == 0:
                found.append(None)
                continue
            found.append(
                {"age": max(0.0, now - row[0]), **dict(zip(self.fields, row[1:], strict=True))}
            )
        return found
