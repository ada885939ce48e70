"""Files derived from a build generation and kept beside it: caches that cannot go stale.

A published generation never changes, and a new build is a new generation directory, so
anything computed from a generation's store (the influence projection, the name index, the
dashboard aggregates) can be kept with it and read back by every later command. A file is
kept in the generation directory when that is writable; otherwise under
``$XDG_CACHE_HOME/filmgraph/derived/`` (``~/.cache/filmgraph/derived``), named for the
generation's path and the fingerprint of its ``summary.json``. Either way a file made for
one generation is never found for another.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:  # for annotations only: reading a derived file needs no RDF library
    from filmgraph.store.base import Store

__all__ = [
    "PROJECTION_ARRAYS",
    "PROJECTION_BASE",
    "PROJECTION_DELTA",
    "PROJECTION_NAME",
    "derived_path",
    "fingerprint",
    "generation_of",
    "write_atomically",
]

#: The influence projection kept beside a generation (:mod:`filmgraph.analytics.cache`).
PROJECTION_NAME = "projection.pickle"
#: The same projection as arrays a command maps and reads in part
#: (:mod:`filmgraph.analytics.mapped`).
PROJECTION_ARRAYS = "projection.arrays"
#: A fast-path generation's starting point: the projection of a generation before it ...
PROJECTION_BASE = "projection-base.pickle"
#: ... and what changed since: ``{"base": its fingerprint, "nodes": [...], "claims": [...]}``.
PROJECTION_DELTA = "projection-delta.json"


def generation_of(store: Store) -> Path | None:
    """The build generation directory ``store`` was opened from, or ``None``.

    A generation holds the embedded store in ``oxigraph/`` beside its ``summary.json``; a
    store in memory or at a remote endpoint has none.
    """
    path = getattr(store, "path", None)
    if path is None:
        return None
    parent = Path(path).resolve().parent
    return parent if (parent / "summary.json").is_file() else None


def fingerprint(generation: Path) -> str:
    """A digest of the generation's name and ``summary.json``: no two builds share it.

    The name is part of it because two builds of the same sources within one second write
    the same summary.
    """
    digest = hashlib.sha256(generation.resolve().name.encode() + b"\0")
    digest.update((generation / "summary.json").read_bytes())
    return digest.hexdigest()


def _user_cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "filmgraph" / "derived"


def derived_path(generation: Path, name: str) -> Path:
    """Where the derived file ``name`` of ``generation`` lives.

    In the generation itself when it already holds the file or is writable, else in the
    user's cache folder under a name made of the generation's path and fingerprint.
    """
    inside = generation / name
    if inside.exists() or os.access(generation, os.W_OK):
        return inside
    key = hashlib.sha256(f"{generation.resolve()}\0{fingerprint(generation)}".encode()).hexdigest()[
        :24
    ]
    return _user_cache_dir() / key / name


def write_atomically(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write ``path`` through ``write`` into a temporary file, then rename it into place.

    A reader sees the old file or the whole new one, never half of it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        Path(tmp).chmod(0o644)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
