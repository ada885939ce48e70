"""The on-disk layout of a built graph, and the atomic swap that publishes a new one.

A build directory holds generations; ``current`` is a symbolic link to the one in use::

    graph/build/
        current -> generations/20261127T101500-4242
        generations/20261127T101500-4242/
            oxigraph/       the embedded store
            graph.trig      every quad, for other tools
            summary.json    counts and the validation outcome
            validation.txt  the validation report

A build writes a fresh generation and only then replaces the link, with one atomic rename.
A build that fails or is killed half-way leaves ``current`` pointing at the previous graph.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filmgraph.errors import StoreNotFound

__all__ = ["BuildDir", "Generation"]


@dataclass(frozen=True)
class Generation:
    """One complete build: its store, its dump and its summary."""

    path: Path

    @property
    def store_path(self) -> Path:
        return self.path / "oxigraph"

    @property
    def trig_path(self) -> Path:
        return self.path / "graph.trig"

    @property
    def summary_path(self) -> Path:
        return self.path / "summary.json"

    @property
    def validation_path(self) -> Path:
        return self.path / "validation.txt"

    def summary(self) -> dict[str, Any]:
        """The summary the build wrote."""
        data: dict[str, Any] = json.loads(self.summary_path.read_text(encoding="utf-8"))
        return data


class BuildDir:
    """A directory of build generations with one ``current`` link."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def _link(self) -> Path:
        return self.root / "current"

    @property
    def _generations(self) -> Path:
        return self.root / "generations"

    def current(self) -> Generation:
        """The generation in use; :class:`StoreNotFound` when nothing was built here yet."""
        if not self._link.is_symlink() or not self._link.resolve().is_dir():
            raise StoreNotFound(
                f"no built graph in {self.root} (run 'filmgraph build' first, "
                "or pass --store DIR of a finished build)"
            )
        return Generation(self._link.resolve())

    def has_current(self) -> bool:
        """True when a finished build is in place."""
        return self._link.is_symlink() and self._link.resolve().is_dir()

    def new_generation(self) -> Generation:
        """A fresh, empty generation directory, not yet in use."""
        self._generations.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        path = self._generations / f"{stamp}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
        path.mkdir()
        return Generation(path)

    def publish(self, generation: Generation) -> None:
        """Make ``generation`` current in one atomic rename, then drop older generations."""
        tmp_link = self.root / f".current-{os.getpid()}"
        if tmp_link.is_symlink():
            tmp_link.unlink()
        tmp_link.symlink_to(generation.path.relative_to(self.root))
        tmp_link.replace(self._link)
        self.prune(keep=generation)

    def discard(self, generation: Generation) -> None:
        """Remove a generation that failed; the current one is untouched."""
        shutil.rmtree(generation.path, ignore_errors=True)

    def prune(self, keep: Generation) -> None:
        """Delete generations older than ``keep``, leftovers of killed builds included.

        Newer ones are left alone: they may belong to a build still running.
        """
        for path in self._generations.iterdir():
            if path.name < keep.path.name:
                shutil.rmtree(path, ignore_errors=True)
