"""The on-disk layout of a built graph: generations, the atomic swap, builders and readers.

A build directory holds generations; ``current`` is a symbolic link to the one in use::

    graph/build/
        current -> generations/20261127T101500-4242
        generations/20261127T101500-4242/
            oxigraph/       the embedded store
            graph.trig      every quad, for other tools (a fast-path build keeps instead
                            graph-base.trig, the dump it started from, and the quads
                            added and removed since: graph-added.nq, graph-removed.nq)
            summary.json    counts and the validation outcome
            validation.txt  the validation report
        .build.lock         held (flock) by the one build writing here, with its pid
        .leases.lock        taken for a moment to grant a lease or to prune
        leases/GENERATION.PID.N   one per reader holding a generation (flock while held)

A build writes a fresh generation and only then replaces the link, with one atomic rename.
A build that fails or is killed half-way leaves ``current`` pointing at the previous graph.

Two builds never share a directory: :meth:`BuildDir.new_generation` takes the build lock and
refuses a second build with a message naming the first one's pid. Readers (the server's
query workers) *lease* the generation they answer from (:meth:`BuildDir.hold`); pruning
deletes an old generation only once no live reader holds it. Locks are ``flock`` locks, so a
killed process lets go of them by itself; a stale lease file is removed by the next prune.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import itertools
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from filmgraph.errors import BuildError, StoreNotFound

__all__ = ["BuildDir", "Generation", "Lease"]

_COUNTER = itertools.count()
#: A build refuses to start with less free space than this in the store directory.
MIN_FREE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Generation:
    """One complete build: its store, its dump and its summary."""

    path: Path

    @property
    def name(self) -> str:
        """The generation's folder name (a timestamp, the builder's pid and a counter)."""
        return self.path.name

    @property
    def store_path(self) -> Path:
        return self.path / "oxigraph"

    @property
    def trig_path(self) -> Path:
        return self.path / "graph.trig"

    def dump(self) -> Path:
        """``graph.trig``, written first when the build did not write it.

        A full build writes the dump; the incremental fast path does not (rewriting every
        quad would cost more than the build), so whoever needs the file (publishing to a
        remote store, a tool reading TriG, a whole-graph export) asks for it here. It is
        written from the dump the fast path started from and its change
        (:meth:`dump_from_delta`), else from the store. Written atomically.
        """
        path = self.trig_path
        if self.dump_from_delta():
            return path
        from filmgraph.store.graphblocks import write_graph_blocks
        from filmgraph.store.oxigraph import OxigraphStore

        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        store = OxigraphStore(self.store_path, read_only=True)
        try:
            write_graph_blocks(store.engine, tmp)
        finally:
            store.close()
        tmp.replace(path)
        return path

    def dump_from_delta(self) -> bool:
        """Whether ``graph.trig`` is there, written now if need be from the previous dump and
        the change the fast path kept (:mod:`filmgraph.dumpdelta`): at the disk's speed,
        where dumping the store decodes every quad. ``False`` when the generation keeps no
        such change, the result fails its check, or the folder cannot be written to."""
        path = self.trig_path
        if path.is_file():
            return True
        from filmgraph.dumpdelta import DUMP_BASE, compose_dump

        if not (self.path / DUMP_BASE).is_file():
            return False
        try:
            expected = self.summary()["counts"]["triples"]
        except (OSError, ValueError, KeyError, TypeError):
            return False
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            if compose_dump(self, tmp, expected):
                tmp.replace(path)
                return True
        except OSError:
            pass
        tmp.unlink(missing_ok=True)
        return False

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


@dataclass(eq=False)
class Lease:
    """A reader's hold on one generation: it is not deleted until :meth:`release`.

    The lease is an open, ``flock``-ed file; a reader that dies lets go of it by itself.
    A lease on a read-only build directory is a no-op (``fd`` is ``None``): nothing can
    build, and so nothing can prune, there.
    """

    generation: Generation
    path: Path | None = None
    fd: int | None = field(default=None, repr=False)

    def release(self) -> None:
        """Let go of the generation (idempotent)."""
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            if self.path is not None:
                self.path.unlink()
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> Lease:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _unwritable(root: Path, error: OSError) -> BuildError:
    if error.errno == errno.ENOSPC:
        reason = "the disk is full"
    elif error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        reason = "the directory is read-only"
    else:
        reason = error.strerror or str(error)
    return BuildError(
        f"cannot write the build into {root}: {reason} "
        f"({type(error).__name__}: {error.strerror or error}); "
        "choose a writable --store directory with free space"
    )


class BuildDir:
    """A directory of build generations with one ``current`` link."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._build_fd: int | None = None

    @property
    def _link(self) -> Path:
        return self.root / "current"

    @property
    def _generations(self) -> Path:
        return self.root / "generations"

    @property
    def _leases(self) -> Path:
        return self.root / "leases"

    # -- reading ----------------------------------------------------------------------------

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

    def current_name(self) -> str | None:
        """The name of the current generation, read without touching it (cheap to poll)."""
        try:
            return self._link.readlink().name
        except OSError:
            return None

    def hold(self) -> Lease:
        """Lease the current generation, so no build deletes it while it is read."""
        try:
            with self._leases_locked():
                generation = self.current()
                self._leases.mkdir(exist_ok=True)
                path = self._leases / f"{generation.name}.{os.getpid()}.{next(_COUNTER)}"
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
                fcntl.flock(fd, fcntl.LOCK_EX)
                os.write(fd, f"{os.getpid()}\n".encode())
                return Lease(generation, path, fd)
        except OSError as error:
            if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                return Lease(self.current())
            raise

    # -- building ---------------------------------------------------------------------------

    def new_generation(self, *, wait: Callable[[str], None] | None = None) -> Generation:
        """A fresh, empty generation directory, not yet in use.

        Takes the build lock for this directory until :meth:`publish` or :meth:`discard`.
        If another build holds it: with ``wait``, calls it once with the other build's pid
        and blocks until that build lets go; without, raises
        :class:`~filmgraph.errors.BuildError`. Also raises it if the directory cannot be
        written (read-only, full).
        """
        try:
            self._generations.mkdir(parents=True, exist_ok=True)
            self._lock_build(wait)
            if shutil.disk_usage(self.root).free < MIN_FREE_BYTES:
                raise OSError(errno.ENOSPC, "no space left on device")
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
            path = self._generations / f"{stamp}-{os.getpid()}-{time.time_ns() % 10**9:09d}"
            path.mkdir()
        except OSError as error:
            self._unlock_build()
            raise _unwritable(self.root, error) from None
        return Generation(path)

    def out_of_room(self, error: BaseException) -> BuildError | None:
        """The clear error for a build that ``error`` stopped because this directory ran out
        of room or became read-only (``None`` when it stopped for another reason).

        Asked before the failed generation is removed: the engine's, SQLite's and Python's
        writes each say a full disk in their own words (RocksDB: an ``OSError`` without an
        errno; SQLite: "database or disk is full"), so the room left is asked too.
        """
        errno_of = error.errno if isinstance(error, OSError) else None
        text = str(error).lower()
        if (
            errno_of in (errno.ENOSPC, errno.EDQUOT)
            or "no space left" in text
            or "disk is full" in text
        ):
            return _unwritable(self.root, OSError(errno.ENOSPC, "no space left on device"))
        if errno_of == errno.EROFS or "read-only file system" in text:
            return _unwritable(self.root, OSError(errno.EROFS, "read-only file system"))
        try:
            left = shutil.disk_usage(self.root).free
        except OSError:
            return None
        if left < MIN_FREE_BYTES:
            return _unwritable(self.root, OSError(errno.ENOSPC, "no space left on device"))
        return None

    def publish(self, generation: Generation) -> None:
        """Make ``generation`` current in one atomic rename, then drop unheld older ones."""
        try:
            tmp_link = self.root / f".current-{os.getpid()}"
            if tmp_link.is_symlink():
                tmp_link.unlink()
            tmp_link.symlink_to(generation.path.relative_to(self.root))
            tmp_link.replace(self._link)
            self.prune(keep=generation)  # under the build lock: no other build is running
        except OSError as error:
            raise _unwritable(self.root, error) from None
        finally:
            self._unlock_build()

    def discard(self, generation: Generation) -> None:
        """Remove a generation that failed; the current one is untouched."""
        try:
            shutil.rmtree(generation.path, ignore_errors=True)
        finally:
            self._unlock_build()

    def prune(self, keep: Generation) -> None:
        """Delete every generation but ``keep`` and the current one that no reader holds.

        Called under the build lock (by :meth:`publish`), so no other build is writing a
        generation here: the rest are older builds and leftovers of killed ones. A
        generation a live reader leases stays until a later prune.
        """
        doomed: list[Path] = []
        with self._leases_locked():
            held = self._held()
            current = self.current_name()
            for path in self._generations.iterdir():
                if path.name not in (keep.name, current) and path.name not in held:
                    trash = self.root / f".trash-{path.name}"
                    path.rename(trash)  # out of readers' reach before the slow delete
                    doomed.append(trash)
        for trash in doomed:
            shutil.rmtree(trash, ignore_errors=True)

    # -- locks --------------------------------------------------------------------------------

    def _held(self) -> set[str]:
        """Generations some live reader leases; stale lease files are removed."""
        held: set[str] = set()
        if not self._leases.is_dir():
            return held
        for lease in self._leases.iterdir():
            try:
                fd = os.open(lease, os.O_RDWR)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                held.add(lease.name.split(".")[0])
                continue
            finally:
                os.close(fd)
            lease.unlink(missing_ok=True)  # its reader is gone
        return held

    @contextlib.contextmanager
    def _leases_locked(self) -> Any:
        fd = os.open(self.root / ".leases.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _lock_build(self, wait: Callable[[str], None] | None = None) -> None:
        if self._build_fd is not None:
            return
        path = self.root / ".build.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            if wait is None:
                os.close(fd)
                raise BuildError(
                    f"another build (pid {holder}) is writing into {self.root}; wait for it "
                    "to finish (or build with --wait), or stop it, then build again (its work "
                    "and the current graph are left as they are)"
                ) from None
            wait(holder)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except BaseException:
                os.close(fd)
                raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._build_fd = fd

    def _unlock_build(self) -> None:
        if self._build_fd is not None:
            os.close(self._build_fd)
            self._build_fd = None
