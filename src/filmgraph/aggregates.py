"""Statistics a dashboard asks for again and again, computed once per build and kept with it.

Whole-class aggregates (every claim, every film) are where a store is slowest and where a
dashboard is most insistent, so they are computed when a generation is built and written
beside it as ``aggregates.json``; reading them back costs one small file, and since they
are written with the generation they are right the moment a rebuild is published:

* ``most_cited``: the films most often named as an influence (``most-cited-films``), top
  :data:`MOST_CITED_KEPT`;
* ``movement_decades``: films per movement per decade (``films-per-movement-decade``);
* ``counts``: how many things of each kind (``graph-summary``).

The build calls :func:`compute_aggregates` and :func:`write_aggregates`; :func:`read_aggregates`
gives them back (computing and keeping them for a generation built before they existed).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filmgraph.builddir import BuildDir
from filmgraph.derived import derived_path, fingerprint, write_atomically

if TYPE_CHECKING:
    from filmgraph.store.base import Store

__all__ = [
    "AGGREGATES_NAME",
    "MOST_CITED_KEPT",
    "compute_aggregates",
    "read_aggregates",
    "update_aggregates",
    "write_aggregates",
]

#: File name of the aggregates beside a generation's store.
AGGREGATES_NAME = "aggregates.json"
#: How many of the most cited films are kept.
MOST_CITED_KEPT = 100
#: Raised when the shape of the aggregates changes, so files of the old shape are recomputed.
FORMAT_VERSION = 1


def _select(store: Store, name: str, bound: dict[str, str] | None = None) -> list[dict[str, Any]]:
    # Imported here: reading the kept aggregates (every ``filmgraph stats``) needs none of it.
    from rdflib import Literal, URIRef

    from filmgraph.queries import get_query, run_named
    from filmgraph.store.base import SelectResult

    if bound is None:
        result = run_named(store, name)
    else:  # one resource's rows (an incremental build), on no page: limit=0
        bindings = {k: URIRef(v) for k, v in bound.items()}
        query = get_query(name)
        paged = any(p.name == "limit" for p in query.parameters)
        text = query.prepare({"limit": "0"})[0] if paged else query.text
        result = store.query(text, bindings, constants=query.constants)
    if not isinstance(result, SelectResult):
        raise TypeError(f"{name} is not a SELECT query")
    return [
        {
            key: (term.toPython() if isinstance(term, Literal) else str(term))
            for key, term in row.items()
        }
        for row in result.dicts()
    ]


def _int(value: Any) -> int | None:
    try:
        return int(str(value)[:4]) if value is not None else None
    except ValueError:
        return None


def _cited(row: dict[str, Any]) -> dict[str, Any]:
    from rdflib import URIRef

    from filmgraph.results import shorten

    return {
        "film": row["film"],
        "id": shorten(URIRef(row["film"])),
        "label": str(row.get("filmLabel", row["film"])),
        "year": _int(row.get("year")),
        "claims": int(row["claims"]),
        "drawn_on_by": int(row["drawnOnBy"]),
    }


def _decade(row: dict[str, Any]) -> dict[str, Any]:
    from rdflib import URIRef

    from filmgraph.results import shorten

    return {
        "movement": row["movement"],
        "id": shorten(URIRef(row["movement"])),
        "label": str(row.get("movementLabel", row["movement"])),
        "decade": int(row["decade"]),
        "films": int(row["films"]),
    }


def compute_aggregates(store: Store) -> dict[str, Any]:
    """The dashboard's statistics of ``store``, as plain data ready for JSON."""
    most_cited = [_cited(row) for row in _select(store, "most-cited-films")[:MOST_CITED_KEPT]]
    movement_decades = [_decade(row) for row in _select(store, "films-per-movement-decade")]
    counts = {str(row["kind"]): int(row["count"]) for row in _select(store, "graph-summary")}
    return {"most_cited": most_cited, "movement_decades": movement_decades, "counts": counts}


def _rank(row: dict[str, Any]) -> tuple[Any, ...]:
    """``most-cited-films``' order: most claims, most films drawing on it, year, IRI."""
    year = row["year"]
    return (-row["claims"], -row["drawn_on_by"], year is not None, year or 0, row["film"])


def update_aggregates(
    store: Store,
    previous: dict[str, Any],
    counts: dict[str, int],
    films: set[str],
    movements: set[str],
) -> dict[str, Any] | None:
    """The aggregates of ``store`` from those of the graph before data was *added* to it.

    ``films`` are the films whose claims, labels or years changed, ``movements`` those
    whose films (or their years) or labels changed; ``counts`` the graph's new counts.
    Their rows are looked up again, every other row stands. ``None`` when a film of the
    previous top list fell (its place belongs to a film not kept): compute them anew.
    """
    kept = {row["film"]: row for row in previous["most_cited"]}
    fresh = {}
    for film in sorted(films):
        rows = _select(store, "most-cited-films", {"film": film})
        if rows:
            fresh[film] = _cited(rows[0])
    cited = sorted([r for f, r in kept.items() if f not in films] + list(fresh.values()), key=_rank)
    if len(kept) == MOST_CITED_KEPT:
        last = _rank(previous["most_cited"][-1])
        if any(_rank(fresh.get(f, kept[f])) > last for f in films if f in kept):
            return None
    decades = [r for r in previous["movement_decades"] if r["movement"] not in movements]
    for movement in sorted(movements):
        decades += [
            _decade(r) for r in _select(store, "films-per-movement-decade", {"movement": movement})
        ]
    decades.sort(key=lambda r: (r["movement"], r["decade"]))
    return {
        "most_cited": cited[:MOST_CITED_KEPT],
        "movement_decades": decades,
        "counts": {k: v for k, v in counts.items() if k not in ("triples", "sources")},
    }


def write_aggregates(generation_dir: Path, aggregates: dict[str, Any]) -> Path:
    """Keep ``aggregates`` (from :func:`compute_aggregates`) with ``generation_dir``.

    The build calls this once the generation's ``summary.json`` is written (the file
    records its fingerprint); returns the file written.
    """
    generation = Path(generation_dir)
    path = derived_path(generation, AGGREGATES_NAME)
    document = {"version": FORMAT_VERSION, "generation": fingerprint(generation), **aggregates}
    text = json.dumps(document, indent=1, ensure_ascii=False).encode("utf-8")
    write_atomically(path, lambda out: out.write(text))
    return path


def _load(path: Path, generation: Path) -> dict[str, Any] | None:
    try:
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if document.get("version") != FORMAT_VERSION or document.get("generation") != fingerprint(
        generation
    ):
        return None
    return {k: v for k, v in document.items() if k not in ("version", "generation")}


def read_aggregates(build_dir: Path | str) -> dict[str, Any]:
    """The aggregates of the current generation of the build in ``build_dir``.

    A generation built before aggregates were kept has them computed now, and kept.
    Raises :class:`~filmgraph.errors.StoreNotFound` when nothing was built there.
    """
    generation = BuildDir(Path(build_dir)).current()
    found = _load(derived_path(generation.path, AGGREGATES_NAME), generation.path)
    if found is not None:
        return found
    from filmgraph.store import open_store

    with open_store(build_dir) as store:
        aggregates = compute_aggregates(store)
    # A read-only generation and no writable cache folder: answer all the same.
    with contextlib.suppress(OSError):
        write_aggregates(generation.path, aggregates)
    return aggregates
