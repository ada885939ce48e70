"""The build: sources → loaders → linking → validation → the embedded store, atomically.

Everything is built into a fresh generation of the build directory and published with one
atomic rename at the very end, so a broken source or a killed build leaves the previous
graph exactly as it was (see :mod:`filmgraph.builddir`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef

from filmgraph.builddir import BuildDir, Generation
from filmgraph.errors import BuildError
from filmgraph.iri import mint
from filmgraph.linking import LinkReport, resolve_entities
from filmgraph.loaders import LoadContext
from filmgraph.manifest import SourceSpec, read_manifest, spec_for_path
from filmgraph.namespaces import bind_prefixes
from filmgraph.progress import Progress, silent
from filmgraph.provenance import (
    ONTOLOGY_GRAPH,
    PROVENANCE_GRAPH,
    describe_build,
    describe_source,
)
from filmgraph.queries import run_named
from filmgraph.reasoning import INFERRED_GRAPH, materialise
from filmgraph.resources import default_store_dir, manifest_path, ontology_path
from filmgraph.store.base import SelectResult
from filmgraph.store.oxigraph import OxigraphStore
from filmgraph.store.sparql import publish_remote
from filmgraph.validation import ValidationReport, validate_store

__all__ = ["BuildResult", "build"]

VERSION = "0.1.0"


@dataclass
class BuildResult:
    """What a finished build produced and found."""

    generation: Generation
    #: Counts of the graph by kind ("films", "people" …), plus "triples" and "sources".
    counts: dict[str, int]
    validation: ValidationReport
    linking: LinkReport
    #: Records skipped in lenient mode, as "file:line: field: reason" texts.
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def build(
    store_dir: Path | None = None,
    *,
    sources: Sequence[Path] = (),
    bundled: bool = True,
    strict: bool = True,
    progress: Progress = silent,
) -> BuildResult:
    """Build the graph from the bundled sources (unless ``bundled`` is false) and ``sources``.

    The result is published in ``store_dir`` (default ``graph/build``) only when every step
    succeeded. In ``strict`` mode (the default) the first bad record fails the build with a
    :class:`~filmgraph.errors.SourceError` naming file, line and field; otherwise bad
    records are skipped and listed in the result.
    """
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    build_dir = BuildDir(store_dir if store_dir is not None else default_store_dir())
    specs = (read_manifest(manifest_path()) if bundled else []) + [
        spec_for_path(Path(p)) for p in sources
    ]
    if not specs:
        raise BuildError("nothing to build: no bundled sources and no --source given")
    generation = build_dir.new_generation()
    try:
        result = _build_into(generation, specs, strict, progress, started)
        publish_remote(build_dir.root, generation, progress)  # a no-op unless --store is a URL
    except BaseException:
        build_dir.discard(generation)
        raise
    build_dir.publish(generation)
    result.seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
    return result


def _build_into(
    generation: Generation,
    specs: list[SourceSpec],
    strict: bool,
    progress: Progress,
    started: dt.datetime,
) -> BuildResult:
    dataset = Dataset()
    context = LoadContext(strict=strict)
    provenance = bind_prefixes(Graph())
    activity = mint("activity", "build-" + started.strftime("%Y%m%dT%H%M%SZ").lower())
    describe_build(provenance, activity, started, VERSION)
    order: list[URIRef] = []

    progress.note(f"Reading {len(specs)} source(s)")
    for spec in specs:
        for source in spec.loader.load(spec.path, context, spec.root):
            if source.iri in order:
                raise BuildError(f"two sources map to the same graph {source.iri}: rename one")
            shown = _display(source.path, spec.root)
            with progress.step(f"{spec.loader.name}: {shown}") as done:
                named = dataset.graph(source.iri)
                named += source.graph
                describe_source(provenance, source, activity, started, shown)
                done(f"{source.records:,} records, {len(source.graph):,} triples")
            order.append(source.iri)
            context.loaded.append(source.graph)

    with progress.step("resolving entities across sources") as done:
        linking = resolve_entities(dataset, order)
        done(f"{len(linking.merged)} merged, {len(linking.unresolved)} unresolved, "
             f"{len(linking.conflicts)} conflicts")

    ontology = dataset.graph(ONTOLOGY_GRAPH)
    ontology.parse(ontology_path(), format="turtle")
    dataset.graph(PROVENANCE_GRAPH).__iadd__(provenance)

    with progress.step("validating against the SHACL shapes") as done:
        # The shapes run as SPARQL in a throwaway in-memory store (graph:ontology is left out).
        checked = ox.Store()
        checked.bulk_load(dataset.serialize(format="nquads", encoding="utf-8"),
                          format=ox.RdfFormat.N_QUADS)
        report = validate_store(checked)
        del checked
        generation.validation_path.write_text(report.text(), encoding="utf-8")
        # The findings as data, so 'filmgraph check' need not run the shapes again.
        (generation.path / "validation.json").write_text(
            json.dumps(report.to_json()), encoding="utf-8")
        done(f"conforms: {'yes' if report.conforms else 'no'} "
             f"({report.count('Violation')} violations, {report.count('Warning')} warnings)")

    # Reasoning comes after validation, so the shapes judge what sources state, not what
    # the rules add (a range axiom would otherwise hide a director who is not a person).
    with progress.step("reasoning: targeted materialisation into graph:inferred") as done:
        inferred = materialise(dataset)
        dataset.graph(INFERRED_GRAPH).__iadd__(inferred)
        done(f"{len(inferred):,} triples inferred")

    with progress.step("writing the embedded store") as done:
        store = OxigraphStore(generation.store_path)
        store.add_dataset(dataset)
        store.dump(generation.trig_path, "trig")
        counts = _counts(store, len(order))
        store.close()
        done(f"{counts['triples']:,} quads")

    skipped = [str(e) for e in context.skipped]
    summary = {
        "built": started.isoformat(),
        "counts": counts,
        "conforms": report.conforms,
        "violations": report.count("Violation"),
        "warnings": report.count("Warning"),
        "merged": len(linking.merged),
        "link_conflicts": linking.conflicts,
        "linking": linking.counts(),
        "unresolved": [{"node": str(n), "kind": k, "label": label}
                       for n, k, label in linking.unresolved],
        "contradictions": linking.contradictions,
        "skipped": skipped,
        "notes": context.notes,
    }
    generation.summary_path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return BuildResult(generation, counts, report, linking, skipped, context.notes)


def _counts(store: OxigraphStore, sources: int) -> dict[str, int]:
    result = run_named(store, "graph-summary")
    assert isinstance(result, SelectResult)
    counts = {str(kind): int(count) for kind, count in result.rows if isinstance(count, Literal)}
    counts["triples"] = store.quad_count()
    counts["sources"] = sources
    return counts


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name
