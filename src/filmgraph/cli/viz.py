"""``filmgraph viz`` (an interactive influence map) and ``filmgraph figure`` (a static one)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from filmgraph.cli.options import add_format, add_store, open_store_from
from filmgraph.viz.layout import LAYOUTS
from filmgraph.viz.maps import FIGURES, MapRequest, write_figure, write_map

__all__ = ["register"]


def register(sub: Any) -> None:
    p = sub.add_parser("viz", help="write an interactive influence map: one offline HTML page")
    add_store(p)
    p.add_argument("--out", type=Path, required=True, metavar="FILE.html", help="page to write")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--around",
        metavar="NAME",
        help="the neighbourhood of a film, person or movement (a name, "
        "'Name (year)', an id or an IRI)",
    )
    what.add_argument(
        "--path",
        nargs=2,
        metavar=("FROM", "TO"),
        help="the influence paths from an earlier work or person to a later one",
    )
    what.add_argument("--movement", metavar="NAME", help="a movement, its films and their links")
    what.add_argument(
        "--all", dest="everything", action="store_true", help="the whole influence network"
    )
    p.add_argument(
        "--depth",
        type=int,
        default=2,
        metavar="N",
        help="with --around: how many influence steps away (default: 2)",
    )
    p.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="timeline",
        help="timeline: x is the year (default); force: settled once by forces",
    )
    p.add_argument(
        "--similarity",
        action="store_true",
        help="show similarity links when the page opens (they are off otherwise)",
    )
    p.add_argument(
        "--context",
        action="store_true",
        help="add the historical events sources name as the films' context",
    )
    p.add_argument(
        "--include-flagged",
        action="store_true",
        help="draw the claims the checks flag, marked; by default they are left out",
    )
    add_format(p, ("text", "json"), "text")
    p.set_defaults(run=run_viz)

    p = sub.add_parser("figure", help="draw a static figure (PNG, SVG or PDF) with matplotlib")
    add_store(p)
    p.add_argument(
        "kind",
        choices=FIGURES,
        help="timeline: influence around a film on a year axis; distribution: "
        "how influence is spread over the network",
    )
    p.add_argument("--out", type=Path, required=True, metavar="FILE.png", help="file to write")
    p.add_argument("--around", metavar="NAME", help="with timeline: the film or person")
    p.add_argument(
        "--depth",
        type=int,
        default=1,
        metavar="N",
        help="with timeline: how many influence steps away (default: 1)",
    )
    add_format(p, ("text", "json"), "text")
    p.set_defaults(run=run_figure)


def run_viz(args: argparse.Namespace) -> int:
    request = MapRequest(
        around=args.around,
        depth=args.depth,
        path=tuple(args.path) if args.path else None,
        movement=args.movement,
        everything=args.everything,
        context=args.context,
        include_flagged=args.include_flagged,
    )
    with open_store_from(args) as store:
        result = write_map(store, request, args.out, layout=args.layout, similarity=args.similarity)
    summary = result.summary()
    flagged = result.graph.graph.get("flagged", {"claims": 0, "included": False})
    summary["flagged"] = flagged
    if flagged["claims"] and not flagged["included"]:
        print(
            f"left out {flagged['claims']} claim(s) the checks flag "
            "(filmgraph contested lists them; --include-flagged draws them)",
            file=sys.stderr,
        )
    written = summary["nodes"] > 0
    summary["out"] = str(args.out) if written else None
    if args.format == "json":
        print(json.dumps(summary, indent=2))
    elif written:
        print(
            f"Wrote {args.out}: {summary['title']} — {summary['nodes']} nodes, "
            f"{summary['edges']} links"
        )
    else:
        print(f"Nothing to draw: {summary['title']} has no node; no page written")
    return 0 if written else 1


def run_figure(args: argparse.Namespace) -> int:
    with open_store_from(args) as store:
        summary = write_figure(store, args.kind, args.out, around=args.around, depth=args.depth)
    if args.format == "json":
        print(json.dumps(summary, indent=2))
    elif summary["out"]:
        print(f"Wrote {args.out}: {args.kind} figure of {summary['nodes']} nodes")
    else:
        print(f"Nothing to draw around {args.around}; no figure written")
    return 0 if summary["out"] else 1
