"""The manifest: which sources a build reads, and with which loader.

``graph/sources/manifest.toml`` lists the bundled sources::

    [[source]]
    path = "curated"            # relative to the manifest's folder
    loader = "curated-tables"   # a name in the loader registry
    description = "..."

Sources given on the command line are added after them, their loader guessed from the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from filmgraph.errors import SourceError
from filmgraph.loaders import Loader, get_loader, guess_loader

__all__ = ["SourceSpec", "read_manifest", "spec_for_path"]


@dataclass(frozen=True)
class SourceSpec:
    """One source of a build: a file or folder, the loader that reads it, its root."""

    path: Path
    loader: Loader
    #: The folder named-graph ids are minted relative to.
    root: Path
    description: str = ""


def read_manifest(path: Path) -> list[SourceSpec]:
    """The sources a manifest lists, in order; every path must exist."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceError(path, f"cannot be read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(path, f"is not valid TOML: {exc}") from exc
    specs = []
    for index, entry in enumerate(data.get("source", []), start=1):
        for field in ("path", "loader"):
            if not isinstance(entry.get(field), str):
                raise SourceError(path, f"[[source]] number {index} needs a {field}", field=field)
        source = path.parent / entry["path"]
        if not source.exists():
            raise SourceError(path, f"lists {entry['path']!r}, which does not exist", field="path")
        specs.append(
            SourceSpec(
                source, get_loader(entry["loader"]), path.parent, entry.get("description", "")
            )
        )
    return specs


def spec_for_path(path: Path) -> SourceSpec:
    """A source given by path alone: its loader guessed, its parent folder as root."""
    if not path.exists():
        raise SourceError(path, "does not exist")
    return SourceSpec(path, guess_loader(path), path.parent)
