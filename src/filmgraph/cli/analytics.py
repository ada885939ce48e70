"""``filmgraph path``, ``lineage``, ``rank``, ``bridges``, ``communities``, ``contested``.

Influence analytics on the projected NetworkX graph. Films and people are named by label
("Battleship Potemkin"), label and year ("The Miners (1937)"), id or IRI; an ambiguous name
lists the candidates and exits with code 2. Every command exits 1 when it finds nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from filmgraph.answers import (
    bridges_answer,
    communities_answer,
    contested_answer,
    lineage_answer,
    path_answer,
    rank_answer,
)
from filmgraph.cli.display import print_rows
from filmgraph.cli.options import add_format, add_store, open_store_from

__all__ = ["register"]


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _common(p: argparse.ArgumentParser, run: Any) -> None:
    add_store(p)
    add_format(p, ("text", "json"), "text")
    p.set_defaults(run=run)


def _flaggable(p: argparse.ArgumentParser, run: Any) -> None:
    _common(p, run)
    p.add_argument(
        "--include-flagged",
        action="store_true",
        help="use the claims the checks flag (forward in time, self-influence, "
        "year conflict), marked; by default they are left out",
    )


#: Flagged claims named on the stderr line before "... more".
_NAMED_FLAGS = 5


def _report_flagged(answer: dict[str, Any]) -> None:
    """One line on stderr: how many flagged claims were left out (or used), and which."""
    flagged = answer["flagged"]
    if not flagged["claims"]:
        return
    edges = flagged["edges"]
    named = "; ".join(
        f"{e['from']['title']} -> {e['to']['title']} ({', '.join(e['kinds'])})"
        for e in edges[:_NAMED_FLAGS]
    )
    more = f"; ... {len(edges) - _NAMED_FLAGS} more" if len(edges) > _NAMED_FLAGS else ""
    if flagged["included"]:
        print(
            f"included {flagged['claims']} claim(s) the checks flag, marked [flagged]: "
            f"{named}{more}",
            file=sys.stderr,
        )
    else:
        print(
            f"left out {flagged['claims']} claim(s) the checks flag: {named}{more} "
            "(--include-flagged uses them)",
            file=sys.stderr,
        )


def register(sub: Any) -> None:
    p = sub.add_parser("path", help="how influence flows from one film or person to another")
    p.add_argument("source", metavar="A", help="the earlier, influencing film or person")
    p.add_argument("target", metavar="B", help="the later film or person")
    p.add_argument(
        "--max-length",
        type=_positive,
        default=None,
        metavar="N",
        help="leave out paths of more than N steps",
    )
    p.add_argument(
        "--limit", type=_positive, default=10, metavar="N", help="at most N paths (default: 10)"
    )
    _flaggable(p, run_path)

    p = sub.add_parser("lineage", help="ancestors or descendants of a film or person by generation")
    p.add_argument("name", metavar="X", help="a film or person")
    p.add_argument(
        "--depth", type=_positive, default=3, metavar="N", help="generations to follow (default: 3)"
    )
    p.add_argument(
        "--direction",
        choices=("up", "down"),
        default="down",
        help="up: what X drew on; down: what drew on X (default)",
    )
    _flaggable(p, run_lineage)

    p = sub.add_parser(
        "rank", help="the most influential films (PageRank), with in-degree and betweenness"
    )
    p.add_argument("--decade", type=int, default=None, metavar="D", help="only films of decade D")
    p.add_argument("--movement", default=None, metavar="M", help="only films of movement M")
    p.add_argument(
        "--top", type=_positive, default=10, metavar="N", help="at most N films (default: 10)"
    )
    p.add_argument(
        "--betweenness-samples",
        type=_positive,
        default=None,
        metavar="K",
        help="estimate betweenness from K sampled films (exact betweenness is "
        "left out above 20,000 nodes)",
    )
    _flaggable(p, run_rank)

    p = sub.add_parser("bridges", help="films and people whose influence crosses movements")
    p.add_argument(
        "--top", type=_positive, default=20, metavar="N", help="at most N bridges (default: 20)"
    )
    _flaggable(p, run_bridges)

    p = sub.add_parser(
        "communities", help="communities of the influence network beside the stated movements"
    )
    p.add_argument(
        "--min-size",
        type=_positive,
        default=3,
        metavar="N",
        help="leave out communities of fewer than N members (default: 3)",
    )
    p.add_argument(
        "--top", type=_positive, default=10, metavar="N", help="show the N largest (default: 10)"
    )
    _flaggable(p, run_communities)

    p = sub.add_parser(
        "contested",
        help="claims of self-influence, contradicted, pointing "
        "forward in time, in a cycle, or resting on a year "
        "conflict",
    )
    p.add_argument(
        "--max-cycle-length",
        type=int,
        default=6,
        metavar="N",
        help="look for cycles of at most N claims (default: 6)",
    )
    _common(p, run_contested)


def _emit(args: argparse.Namespace, answer: dict[str, Any], lines: list[str], found: bool) -> int:
    if args.format == "json":
        print(json.dumps(answer, indent=2, ensure_ascii=False))
    else:
        print("\n".join(lines))
    return 0 if found else 1


def run_path(args: argparse.Namespace) -> int:
    with open_store_from(args) as store:
        answer = path_answer(
            store,
            args.source,
            args.target,
            max_length=args.max_length,
            limit=args.limit,
            include_flagged=args.include_flagged,
        )
    _report_flagged(answer)
    paths = answer["paths"]
    lines = [
        f"{answer['from']['title']} -> {answer['to']['title']}: "
        f"{len(paths)} path(s), shortest first"
    ]
    for number, path in enumerate(paths, start=1):
        lines.append(
            f"{number}. [{path['length']} step(s)] "
            + " -> ".join(n["title"] for n in path["nodes"])
        )
        for step, (earlier, later) in zip(
            path["steps"], zip(path["nodes"], path["nodes"][1:], strict=False), strict=True
        ):
            marked = f" [flagged: {', '.join(step['flags'])}]" if step["flags"] else ""
            lines.append(f"     {later['label']} drew on {earlier['label']}{marked}:")
            for c in step["claims"]:
                aspect = f' "{c["aspect"]}"' if c["aspect"] else ""
                lines.append(f"       {c['type']}{aspect} ({c['source']}, weight {c['weight']})")
    return _emit(args, answer, lines, bool(paths))


def run_lineage(args: argparse.Namespace) -> int:
    with open_store_from(args) as store:
        answer = lineage_answer(
            store,
            args.name,
            depth=args.depth,
            direction=args.direction,
            include_flagged=args.include_flagged,
        )
    _report_flagged(answer)
    what = "Descendants" if args.direction == "down" else "Ancestors"
    generations = answer["generations"]
    lines = [f"{what} of {answer['of']['title']}, {len(generations)} generation(s):"]
    for number, generation in enumerate(generations, start=1):
        lines.append(
            f"  generation {number} ({len(generation)}): "
            + "; ".join(n["title"] + (" [flagged]" if n.get("flagged") else "") for n in generation)
        )
    return _emit(args, answer, lines, bool(generations))


def run_rank(args: argparse.Namespace) -> int:
    with open_store_from(args) as store:
        answer = rank_answer(
            store,
            decade=args.decade,
            movement=args.movement,
            top=args.top,
            include_flagged=args.include_flagged,
            betweenness_samples=args.betweenness_samples,
        )
    _report_flagged(answer)
    scope = " ".join(
        x
        for x in (
            f"of the {args.decade}s" if args.decade else "",
            f"of {answer['movement']}" if answer["movement"] else "",
        )
        if x
    )
    found = bool(answer["films"])
    if args.format == "json":
        return _emit(args, answer, [], found)
    print(f"Most influential films {scope}".rstrip() + " (PageRank weighted by confidence)")
    print_rows(
        ("#", "film", "pagerank", "in-degree", "betweenness"),
        [
            (
                str(number),
                film["title"],
                f"{film['pagerank']:.4f}",
                str(film["in_degree"]),
                "—" if film["betweenness"] is None else f"{film['betweenness']:.5f}",
            )
            for number, film in enumerate(answer["films"], start=1)
        ],
        right=("#", "pagerank", "in-degree", "betweenness"),
    )
    if any(film["betweenness"] is None for film in answer["films"]):
        print(
            "Betweenness left out: the graph is too large for the exact value; "
            "--betweenness-samples K estimates it."
        )
    return 0 if found else 1


def run_bridges(args: argparse.Namespace) -> int:
    with open_store_from(args) as store:
        answer = bridges_answer(store, top=args.top, include_flagged=args.include_flagged)
    _report_flagged(answer)
    lines = ["Films and people whose influence crosses movements:"]
    for b in answer["bridges"]:
        own = ", ".join(b["movements"]) or "no movement"
        lines.append(
            f"  {b['title']} [{own}] touches {len(b['touches'])} movements "
            f"({', '.join(b['touches'])}); {b['crossing_edges']} crossing edge(s)"
        )
    lines.append("Influence between movements (crossing edges):")
    lines += [f"  {f['from']} -> {f['to']}: {f['edges']}" for f in answer["flows"]]
    return _emit(args, answer, lines, bool(answer["bridges"]))


def run_communities(args: argparse.Namespace) -> int:
    with open_store_from(args) as store:
        answer = communities_answer(
            store, min_size=args.min_size, top=args.top, include_flagged=args.include_flagged
        )
    _report_flagged(answer)
    lines = [
        f"{answer['found']} communities of at least {args.min_size} members; "
        f"the {len(answer['communities'])} largest:"
    ]
    for number, c in enumerate(answer["communities"], start=1):
        purity = f"{c['purity']:.0%}" if c["purity"] is not None else "-"
        lines.append(
            f"{number}. {c['size']} members; dominant movement "
            f"{c['dominant'] or '-'} ({purity} of those with one); movements "
            + (", ".join(f"{m} {n}" for m, n in c["movements"].items()) or "none")
        )
        names = [m["title"] for m in c["members"]]
        shown = "; ".join(names[:12]) + (f"; ... {len(names) - 12} more" if len(names) > 12 else "")
        lines.append(f"     {shown}")
    lines.append(
        "Movements over communities: "
        + (", ".join(f"{m} in {n}" for m, n in answer["movement_spread"].items()) or "none")
    )
    return _emit(args, answer, lines, bool(answer["communities"]))


def run_contested(args: argparse.Namespace) -> int:
    with open_store_from(args) as store:
        answer = contested_answer(store, max_cycle_length=args.max_cycle_length)
    contested = answer["contested"]
    lines = [f"{len(contested)} contested finding(s):"]
    for c in contested:
        lines.append(f"[{c['kind']}] {c['detail']}")
        lines.append(
            f"    claims: {', '.join(c['claims']) or '-'}; "
            f"sources: {', '.join(c['sources']) or '-'}"
        )
    return _emit(args, answer, lines, bool(contested))
