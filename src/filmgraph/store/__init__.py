"""Store backends behind one interface, chosen by a setting rather than a code path.

The setting is ``memory``, the path of a build directory (the embedded Oxigraph store),
or the URL of a remote SPARQL 1.1 endpoint (``http://host:8890/sparql``). Backends are found by
name in the ``filmgraph.stores`` entry-point group, where the built-ins register like any
plugin.

A build into a remote endpoint is made in a *mirror* directory (in the user's cache folder)
whose ``endpoint.url`` names the server, then published to the server with its record
(summary, validation report). Opening that directory opens the server, so ``--store URL``
and ``--store MIRROR`` are the same store. The server's record is the one that counts: the
mirror is brought up to it whenever it is asked for (:func:`mirror_dir`), so a machine that
did not build the graph reads the same summary and report as the one that did.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from importlib.metadata import entry_points
from pathlib import Path

from filmgraph.builddir import BuildDir
from filmgraph.errors import FilmgraphError
from filmgraph.store.base import BuildRecord, QueryResult, SelectResult, Store

__all__ = [
    "BuildRecord",
    "QueryResult",
    "SelectResult",
    "Store",
    "backend",
    "is_endpoint",
    "mirror_dir",
    "mirrored_endpoint",
    "open_store",
    "public_url",
]

_ENDPOINT_FILE = "endpoint.url"
#: In a mirror's generation copied from the server: the server's name for that build.
_FOLLOWED_FILE = "server-generation"


def backend(name: str) -> type[Store]:
    """The store class registered under ``name``."""
    found = entry_points(group="filmgraph.stores", name=name)
    if not found:
        known = sorted(ep.name for ep in entry_points(group="filmgraph.stores"))
        raise FilmgraphError(f"no store backend named {name!r} (known: {', '.join(known)})")
    cls: type[Store] = next(iter(found)).load()
    return cls


def is_endpoint(setting: str | Path) -> bool:
    """True when a store setting is the URL of a SPARQL endpoint."""
    return isinstance(setting, str) and setting.startswith(("http://", "https://"))


def public_url(url: str) -> str:
    """``url`` without the ``user:password@`` part, safe to print or write to disk."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def mirror_dir(url: str, root: Path | None = None) -> Path:
    """The local directory that records builds published to the endpoint ``url``.

    It is ``ROOT/<host-port-path>`` under ``root`` (default: ``$XDG_CACHE_HOME/filmgraph/
    endpoints``, i.e. ``~/.cache/filmgraph/endpoints``), marked with an ``endpoint.url`` file
    holding the URL without credentials (those stay in the environment).
    """
    from filmgraph.iri import slug

    if root is None:
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        root = Path(cache) / "filmgraph" / "endpoints"
    parts = urllib.parse.urlsplit(public_url(url))
    folder = root / slug(f"{parts.hostname}-{parts.port or ''}-{parts.path}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / _ENDPOINT_FILE).write_text(public_url(url) + "\n", encoding="utf-8")
    with open_store(url) as store:
        record = store.build_record()
    if record is not None:
        _follow(BuildDir(folder), record)
    return folder


def _follow(build_dir: BuildDir, record: BuildRecord) -> None:
    """Make the server's build record the mirror's current generation, unless it is."""
    if build_dir.has_current():
        current = build_dir.current().path
        marker = current / _FOLLOWED_FILE
        followed = marker.read_text(encoding="utf-8") if marker.is_file() else current.name
        if followed == record.generation:
            return
    generation = build_dir.new_generation()
    (generation.path / _FOLLOWED_FILE).write_text(record.generation, encoding="utf-8")
    generation.summary_path.write_text(
        json.dumps(dict(record.summary), indent=2) + "\n", encoding="utf-8"
    )
    if record.validation is not None:
        (generation.path / "validation.json").write_text(
            json.dumps(dict(record.validation)), encoding="utf-8"
        )
    if record.validation_text is not None:
        generation.validation_path.write_text(record.validation_text, encoding="utf-8")
    build_dir.publish(generation)


def mirrored_endpoint(directory: Path) -> str | None:
    """The endpoint URL a mirror directory stands for, or ``None`` for a plain build."""
    marker = Path(directory) / _ENDPOINT_FILE
    if marker.is_file():
        return marker.read_text(encoding="utf-8").strip()
    return None


def open_store(setting: str | Path) -> Store:
    """Open the store a setting names, for reading.

    ``"memory"`` gives an empty in-process store; a URL, the SPARQL endpoint there; a
    directory, the current generation of a build there, opened read-only so other readers
    can share it (or, for a mirror directory, the endpoint it mirrors).
    """
    if setting == "memory":
        return backend("memory")()
    if is_endpoint(setting):
        return backend("sparql").from_url(str(setting))  # type: ignore[attr-defined,no-any-return]
    endpoint = mirrored_endpoint(Path(setting))
    if endpoint is not None:
        return backend("sparql").from_url(endpoint)  # type: ignore[attr-defined,no-any-return]
    generation = BuildDir(Path(setting)).current()
    return backend("oxigraph")(generation.store_path, read_only=True)  # type: ignore[call-arg]
