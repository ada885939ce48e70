"""Progress for long work: each step says what it does, how much, and how long it took."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["Progress", "silent"]


class Progress:
    """Writes one line when a step starts and one when it ends, with its duration."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr

    def note(self, message: str) -> None:
        """A line on its own."""
        print(message, file=self.stream, flush=True)

    @contextmanager
    def step(self, label: str) -> Iterator[Callable[[str], None]]:
        """Time a step; the yielded function sets the detail printed when it ends."""
        detail: list[str] = []
        self.note(f"  {label} ...")
        start = time.perf_counter()
        yield detail.append
        elapsed = time.perf_counter() - start
        suffix = f": {detail[-1]}" if detail else ""
        self.note(f"  {label} done in {elapsed:.1f} s{suffix}")

    def finished(self, label: str, seconds: float, detail: str = "") -> None:
        """The end line of a step timed by the caller (whose work ran before the label was
        known, such as a loader reading the document it then names)."""
        suffix = f": {detail}" if detail else ""
        self.note(f"  {label} done in {seconds:.1f} s{suffix}")


class _Silent(Progress):
    def note(self, message: str) -> None:
        pass


#: Progress that prints nothing (the default for library calls and tests).
silent: Progress = _Silent()
