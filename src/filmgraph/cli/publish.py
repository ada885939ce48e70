"""``filmgraph export``, ``filmgraph docs`` and ``filmgraph serve``: the graph leaves the project.

``export --format`` names the export format (``turtle``, ``schemaorg`` …), as the issue and
other RDF tools spell it; how the command reports what it wrote is ``--report text|json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from filmgraph.cli.options import add_store, open_store_from, store_setting
from filmgraph.errors import ParameterError
from filmgraph.export import Selection, export, exporters
from filmgraph.export.base import DEFAULT_ENDPOINT
from filmgraph.export.docs import write_ontology_docs
from filmgraph.queries import expand_iri

__all__ = ["register"]


def register(sub: Any) -> None:
    formats = list(exporters())
    p = sub.add_parser("export", help="write the graph in a format other archives can ingest")
    add_store(p)
    p.add_argument(
        "--format",
        dest="export_format",
        choices=formats,
        default="turtle",
        help="export format (default: turtle): " + ", ".join(formats),
    )
    p.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="file to write (a folder for csv); default: stdout for one-file formats",
    )
    p.add_argument(
        "--no-inferred",
        dest="inferred",
        action="store_false",
        help="leave out the triples the reasoner inferred (graph:inferred)",
    )
    p.add_argument(
        "--no-provenance",
        dest="provenance",
        action="store_false",
        help="leave out the provenance graph (graph:provenance)",
    )
    p.add_argument(
        "--around",
        metavar="IRI",
        help="only the subgraph around a film or movement (e.g. film:the-miners-1937)",
    )
    p.add_argument(
        "--depth",
        type=int,
        default=2,
        metavar="N",
        help="with --around: how many links away from it (default: 2)",
    )
    p.add_argument(
        "--endpoint",
        default=DEFAULT_ENDPOINT,
        metavar="URL",
        help=f"the public SPARQL endpoint a void description names ({DEFAULT_ENDPOINT})",
    )
    p.add_argument("--list", action="store_true", help="list the export formats and exit")
    p.add_argument(
        "--report",
        choices=("text", "json"),
        default="text",
        help="how to report what was written (default: text)",
    )
    p.set_defaults(run=run_export)

    p = sub.add_parser(
        "docs", help="generate the ontology's HTML documentation and JSON-LD context"
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder to write into (default: docs/ontology in the checkout)",
    )
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    p.set_defaults(run=run_docs)

    from filmgraph.server.settings import add_arguments

    p = sub.add_parser(
        "serve", help="a read-only SPARQL 1.1 endpoint, resource pages, a query page"
    )
    add_store(p)
    add_arguments(p)
    p.set_defaults(run=run_serve)


def run_export(args: argparse.Namespace) -> int:
    if args.list:
        known = exporters()
        if args.report == "json":
            print(json.dumps({n: c.description for n, c in known.items()}, indent=2))
        else:
            for name, cls in known.items():
                print(f"{name:<10} {cls.description}")
        return 0
    fmt = exporters()[args.export_format]
    if args.depth != 2 and args.around is None:
        raise ParameterError("--depth only applies with --around")
    around = None
    if args.around is not None:
        try:
            around = expand_iri(args.around)
        except ValueError as exc:
            raise ParameterError(f"--around {args.around!r}: {exc}") from None
    selection = Selection(
        inferred=args.inferred, provenance=args.provenance, around=around, depth=args.depth
    )
    out = args.out
    if out is None and not fmt.extension:
        raise ParameterError(f"--format {args.export_format} writes a folder: give --out DIR")
    with open_store_from(args) as store:
        if out is None:
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                target = Path(tmp) / f"export.{fmt.extension}"
                export(store, args.export_format, target, selection, endpoint=args.endpoint)
                sys.stdout.write(target.read_text(encoding="utf-8"))
            return 0
        result = export(store, args.export_format, out, selection, endpoint=args.endpoint)
    if args.report == "json":
        print(
            json.dumps(
                {
                    "format": result.format,
                    "path": str(result.path),
                    "count": result.count,
                    "unit": result.unit,
                }
            )
        )
    else:
        print(f"Wrote {result.count:,} {result.unit} as {result.format} to {result.path}")
    return 0


def run_docs(args: argparse.Namespace) -> int:
    from filmgraph.resources import project_root

    out = args.out if args.out is not None else project_root() / "docs" / "ontology"
    docs = write_ontology_docs(out)
    if args.format == "json":
        print(json.dumps({"html": str(docs.html), "context": str(docs.context)}))
    else:
        print(f"Wrote {docs.html} and {docs.context}")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from filmgraph.server import serve
    from filmgraph.server.settings import settings_from

    serve(store_setting(args), settings_from(args))
    return 0
