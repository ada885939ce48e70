"""``filmgraph build`` and ``filmgraph summary``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filmgraph.builddir import BuildDir
from filmgraph.cli.options import add_format, add_store, store_dir

if TYPE_CHECKING:
    from filmgraph.build import BuildResult

__all__ = ["register"]

#: Notes printed after a build; the rest are in summary.json (the data steward's list).
NOTES_SHOWN = 8


def register(sub: Any) -> None:
    p = sub.add_parser("build", help="build the graph from the sources into the embedded store")
    add_store(p)
    p.add_argument(
        "--source",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="another source file or folder, on top of the bundled ones (repeatable)",
    )
    p.add_argument("--no-bundled", action="store_true", help="leave out the bundled sources")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--strict",
        dest="strict",
        action="store_true",
        default=True,
        help="fail on the first bad record (the default)",
    )
    mode.add_argument(
        "--lenient",
        dest="strict",
        action="store_false",
        help="skip bad records, keep the rest and list what was skipped",
    )
    p.add_argument(
        "--full",
        action="store_true",
        help="read every source again, even those unchanged since the last build",
    )
    p.add_argument(
        "--working-store",
        choices=("auto", "memory", "disk"),  # filmgraph.build.WORKING_STORES, not imported here
        default="auto",
        help="where a full build keeps its working graph: in memory (fastest), on disk (for "
        "graphs larger than the memory), or auto: on disk when the sources would not fit",
    )
    p.add_argument(
        "--wait",
        action="store_true",
        help="if another build is writing into the store, wait for it, then build on its "
        "graph (without: stop with an error naming it)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    add_format(p, ("text", "json"), "text")
    p.set_defaults(run=run_build)

    p = sub.add_parser("summary", help="counts and validation outcome of the built graph")
    add_store(p)
    add_format(p, ("text", "json"), "text")
    p.set_defaults(run=run_summary)


def _print_counts(counts: dict[str, int]) -> None:
    for kind in sorted(k for k in counts if k not in ("triples", "sources")):
        print(f"  {kind:<20} {counts[kind]:>7,}")


def _print_build(result: BuildResult) -> None:
    counts = result.counts
    print(
        f"Built {counts['triples']:,} triples from {counts['sources']} sources "
        f"in {result.seconds:.1f} s into {result.generation.path.parent.parent}"
        + (f" ({result.reused} unchanged documents replayed)" if result.reused else "")
    )
    _print_counts(counts)
    v = result.validation
    print(
        f"Validation: {'conforms' if v.conforms else 'DOES NOT CONFORM'} "
        f"({v.count('Violation')} violations, {v.count('Warning')} warnings; "
        f"report in {result.generation.validation_path})"
    )
    lines = result.linking.lines()
    print(f"Entity resolution: {lines[0]}; {lines[1]}; {lines[2]}")
    for line in lines[3:]:
        print(f"  {line}")
    notes = result.notes
    if notes:
        print(f"Notes ({len(notes)}):")
        for line in notes[:NOTES_SHOWN]:
            print(f"  {line}")
        if len(notes) > NOTES_SHOWN:
            print(
                f"  ... and {len(notes) - NOTES_SHOWN} more in "
                f"{result.generation.summary_path} ('notes')"
            )
    if result.skipped:
        print(f"Skipped {len(result.skipped)} bad record(s):")
        for line in result.skipped:
            print(f"  {line}")


def run_build(args: argparse.Namespace) -> int:
    # Imported here, so that 'filmgraph summary' does not load the build pipeline.
    from filmgraph.build import build
    from filmgraph.cli.display import progress_for
    from filmgraph.progress import silent

    progress = silent if args.quiet or args.format == "json" else progress_for()
    result = build(
        store_dir(args),
        sources=args.source,
        bundled=not args.no_bundled,
        strict=args.strict,
        full=args.full,
        working_store=args.working_store,
        wait=args.wait,
        progress=progress,
    )
    if args.format == "json":
        print(json.dumps(result.generation.summary(), indent=2))
    else:
        _print_build(result)
    return 0 if result.validation.conforms else 1


def run_summary(args: argparse.Namespace) -> int:
    generation = BuildDir(store_dir(args)).current()
    summary = generation.summary()
    if args.format == "json":
        print(json.dumps(summary, indent=2))
    else:
        print(f"Built {summary['built']} in {generation.path}")
        _print_counts(summary["counts"])
        print(f"  {'triples':<20} {summary['counts']['triples']:>7,}")
        print(
            f"Validation: {'conforms' if summary['conforms'] else 'does not conform'} "
            f"({summary['violations']} violations, {summary['warnings']} warnings)"
        )
    return 0 if summary["conforms"] else 1
