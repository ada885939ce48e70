"""Progress for long work: each step says what it does, how much, how long it took, and the
most memory the process held while it ran.

The memory is the resident set size (RSS) read from ``/proc/self`` on Linux: sampled by a
small thread while a step runs, and exact whenever the step raised the process's high-water
mark (``VmHWM``, which the kernel keeps). Elsewhere the lines carry no memory figure.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

__all__ = ["Progress", "peak_rss", "rss", "silent"]

_STATUS = Path("/proc/self/status")
_STATM = Path("/proc/self/statm")
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
#: How often a running step samples the resident set (seconds).
SAMPLE_EVERY = 0.05


def rss() -> int | None:
    """Bytes the process holds in memory now (``None`` where ``/proc`` is not there)."""
    try:
        return int(_STATM.read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return None


def peak_rss() -> int | None:
    """The most bytes the process has held in memory so far (the kernel's ``VmHWM``)."""
    try:
        text = _STATUS.read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


class _Sampler:
    """The largest RSS seen while it runs: a daemon thread reading ``/proc`` now and then."""

    def __init__(self) -> None:
        self.high = rss() or 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY):
            now = rss()
            if now is not None and now > self.high:
                self.high = now

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        now = rss()
        return max(self.high, now or 0)


def _gb(size: int) -> str:
    return f"{size / 1e9:.2f} GB"


class Progress:
    """Writes one line when a step starts and one when it ends, with its duration and (on
    Linux) the peak resident memory while it ran."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr

    def note(self, message: str) -> None:
        """A line on its own."""
        print(message, file=self.stream, flush=True)

    def memory(self, label: str) -> None:
        """A line with the process's peak memory so far (where ``/proc`` tells it)."""
        peak = peak_rss()
        if peak is not None:
            self.note(f"  {label}: peak RSS so far {_gb(peak)}")

    @contextmanager
    def step(self, label: str) -> Iterator[Callable[[str], None]]:
        """Time a step; the yielded function sets the detail printed when it ends."""
        detail: list[str] = []
        self.note(f"  {label} ...")
        before = peak_rss()
        sampler = _Sampler() if before is not None else None
        start = time.perf_counter()
        try:
            yield detail.append
        finally:
            high = sampler.stop() if sampler is not None else None
        elapsed = time.perf_counter() - start
        after = peak_rss()
        if before is not None and after is not None and high is not None:
            # A step that raised the high-water mark peaked exactly there.
            memory = f", peak RSS {_gb(after if after > before else high)}"
        else:
            memory = ""
        suffix = f": {detail[-1]}" if detail else ""
        self.note(f"  {label} done in {elapsed:.1f} s{memory}{suffix}")

    def finished(self, label: str, seconds: float, detail: str = "") -> None:
        """The end line of a step timed by the caller (whose work ran before the label was
        known, such as a loader reading the document it then names)."""
        suffix = f": {detail}" if detail else ""
        self.note(f"  {label} done in {seconds:.1f} s{suffix}")


class _Silent(Progress):
    def note(self, message: str) -> None:
        pass

    def memory(self, label: str) -> None:
        pass

    @contextmanager
    def step(self, label: str) -> Iterator[Callable[[str], None]]:
        yield lambda detail: None


#: Progress that prints nothing (the default for library calls and tests).
silent: Progress = _Silent()
