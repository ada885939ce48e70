"""Reasoning at scale: the build's route against the routes it replaced, step by step.

On a built graph (``filmgraph build --store DIR``; its dump ``graph.trig`` minus
``graph:inferred``, in memory, as the build holds it when it reasons):

* **build**: :func:`filmgraph.reasoning.materialise_store`, every step timed (the fused
  single-premise pass, the transitive rule, each date rule, per round);
* **previous** (``--previous REV``): ``materialise_store`` of ``src/filmgraph/reasoning.py``
  at a git revision, its rounds replayed here with a timer around each rule (the route the
  build used before: one rule at a time, later rounds on a scratch store of what the round
  before inferred);
* **naive**: every rule file as SPARQL over the whole store, round after round
  (``naive=True``), up to ``--naive-max`` films;
* **owlrl**: owlrl's OWL 2 RL closure of the same triples in rdflib, in a subprocess capped
  at ``--owlrl-timeout`` seconds, up to ``--owlrl-max`` films.

Each route runs in a forked child on the same loaded store, so each starts from the same
quads; the inferred graphs are compared by an order-free digest (sum of MD5s) and count.
Wall and CPU time are both reported: the machine is shared, CPU time is the steadier figure.

    .venv/bin/python bench/bench_reasoning.py --store /tmp/g10k/store --previous 2f501cb

Results are appended to ``bench/results/reasoning.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.util
import multiprocessing
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from types import ModuleType
from typing import Any

import pyoxigraph as ox

from filmgraph.builddir import BuildDir
from filmgraph.reasoning import INFERRED_GRAPH, Step, materialise_store

RESULTS = Path(__file__).with_name("results") / "reasoning.md"
REPO = Path(__file__).resolve().parent.parent
INFERRED = ox.NamedNode(str(INFERRED_GRAPH))
FILM = "https://w3id.org/filmgraph/ontology#Film"

#: The store the forked routes read (set in the parent before forking).
_STATED: ox.Store | None = None


def load_stated(store_dir: Path) -> ox.Store:
    """The generation's dump without graph:inferred, in an in-memory store."""
    trig = BuildDir(store_dir).current().trig_path
    store = ox.Store()
    with trig.open("rb") as data:
        store.bulk_extend(
            q for q in ox.parse(data, format=ox.RdfFormat.TRIG) if q.graph_name != INFERRED
        )
    return store


def digest(quads: Iterable[ox.Quad]) -> tuple[int, str]:
    """How many quads, and the sum of their MD5s (the same whatever their order)."""
    count, total = 0, 0
    for quad in quads:
        count += 1
        total = (total + int(hashlib.md5(str(quad).encode()).hexdigest(), 16)) % (1 << 128)
    return count, f"{total:032x}"


def films(store: ox.Store) -> int:
    rows = store.query(
        f"SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE {{ ?f a <{FILM}> }}",
        use_default_graph_as_union=True,
    )
    assert isinstance(rows, ox.QuerySolutions)
    return int(next(iter(rows))[0].value)


# -- the routes (each runs in a forked child on a copy-on-write view of _STATED) ----------


def build_route(store: ox.Store) -> list[Step]:
    steps: list[Step] = []
    materialise_store(store, steps=steps)
    return steps


def naive_route(store: ox.Store) -> list[Step]:
    steps: list[Step] = []
    materialise_store(store, naive=True, steps=steps)
    return steps


def previous_module(revision: str) -> ModuleType:
    """``filmgraph.reasoning`` as it was at ``revision``."""
    text = subprocess.run(
        ["git", "show", f"{revision}:src/filmgraph/reasoning.py"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "previous_reasoning.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("previous_reasoning", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def previous_route(module: ModuleType) -> Callable[[ox.Store], list[Step]]:
    """The rounds of the previous ``materialise_store`` (2f501cb), a timer per rule run."""

    def run(store: ox.Store) -> list[Step]:
        m = module
        chosen = sorted(m.load_rules(), key=m._rule_rank)
        inferred = ox.NamedNode(str(m.INFERRED_GRAPH))
        added: list[ox.Triple] = []
        marks: dict[str, int] = {}
        steps: list[Step] = []
        vocabulary = m._vocabulary(store)
        for number in range(m.MAX_ROUNDS):
            before = len(added)
            for rule in chosen:
                mark = marks.get(rule.name)
                if mark == len(added):
                    continue
                wall, cpu = time.perf_counter(), time.process_time()
                if mark is None or not rule.delta or m._touches_vocabulary(added[mark:]):
                    candidates = list(m._run_full(store, rule, False))
                    fresh = {
                        t
                        for t in candidates
                        if ox.Quad(t.subject, t.predicate, t.object, inferred) not in store
                    }
                    how = "full"
                else:
                    candidates = m._run_on(rule, vocabulary + added[mark:])
                    fresh = {t for t in candidates if not m._stated(store, t)}
                    how = "delta"
                if fresh:
                    store.extend(ox.Quad(t.subject, t.predicate, t.object, inferred) for t in fresh)
                    added.extend(fresh)
                    if m._touches_vocabulary(fresh):
                        vocabulary = m._vocabulary(store)
                marks[rule.name] = len(added)
                steps.append(
                    Step(
                        f"{rule.name} ({how})",
                        number,
                        time.perf_counter() - wall,
                        time.process_time() - cpu,
                        len(candidates),
                        len(fresh),
                    )
                )
            if len(added) == before:
                return steps
        raise RuntimeError("the previous route did not settle")

    return run


def _child(route: Callable[[ox.Store], list[Step]], pipe: Any) -> None:
    assert _STATED is not None
    wall, cpu = time.perf_counter(), time.process_time()
    steps = route(_STATED)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    count, total = digest(_STATED.quads_for_pattern(None, None, None, INFERRED))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    pipe.send(
        {
            "wall": wall,
            "cpu": cpu,
            "count": count,
            "digest": total,
            "peak": peak,
            "steps": [asdict(s) for s in steps],
        }
    )
    pipe.close()


def forked(route: Callable[[ox.Store], list[Step]]) -> dict[str, Any]:
    """``route`` run in a forked child on the loaded store; what it measured."""
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(route, theirs))
    child.start()
    result: dict[str, Any] = ours.recv()
    child.join()
    return result


def owlrl_route(store: ox.Store, timeout: float) -> dict[str, Any]:
    """owlrl's closure of the stated triples, in a subprocess capped at ``timeout`` s."""
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "stated.nt"
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in store)
        ox.serialize(triples, str(data), format=ox.RdfFormat.N_TRIPLES)
        script = (
            "import sys, time, resource\n"
            "from rdflib import Graph\n"
            "from filmgraph.reasoning import owl_rl_closure\n"
            "g = Graph(); g.parse(sys.argv[1], format='nt')\n"
            "w, c = time.perf_counter(), time.process_time()\n"
            "n = len(owl_rl_closure(g))\n"
            "print(time.perf_counter() - w, time.process_time() - c, n,"
            " resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)\n"
        )
        try:
            done = subprocess.run(
                [sys.executable, "-c", script, str(data)],
                check=True,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return {"timeout": timeout}
        wall, cpu, count, peak = done.stdout.split()
        return {"wall": float(wall), "cpu": float(cpu), "count": int(count), "peak": int(peak)}


# -- the report ---------------------------------------------------------------------------


def machine() -> str:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return (
        f"{cpu or platform.machine()}, {os.cpu_count()} cores (shared), "
        f"CPython {platform.python_version()}, pyoxigraph {ox.__version__}"
    )


def gb(size: int) -> str:
    return f"{size / 1e9:.2f} GB"


def section(name: str, stated: int, film_count: int, routes: dict[str, dict[str, Any]]) -> str:
    build = routes["build"]
    lines = [
        f"## {name}: {film_count:,} films, {stated:,} stated quads "
        f"({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"Machine: {machine()}; load average at the end {os.getloadavg()[0]:.1f}.",
        "",
        "| route | wall | CPU | CPU vs build | inferred quads | same as build | peak RSS |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for label, result in routes.items():
        if "timeout" in result:
            lines.append(f"| {label} | > {result['timeout']:.0f} s (cap) | | | | | |")
            continue
        same = (
            "—" if label == "build" else "yes" if result.get("digest") == build["digest"] else "no"
        )
        if label == "owlrl":
            same = "(other entailments)"
        lines.append(
            f"| {label} | {result['wall']:.1f} s | {result['cpu']:.1f} s | "
            f"{result['cpu'] / build['cpu']:.1f}x | {result['count']:,} | {same} | "
            f"{gb(result['peak'])} |"
        )
    for label in ("build", "previous", "naive"):
        if label not in routes or "steps" not in routes[label]:
            continue
        lines += [
            "",
            f"Steps of the {label} route:",
            "",
            "| round | rules | wall | CPU | conclusions | added |",
            "|---:|---|---:|---:|---:|---:|",
        ]
        for step in routes[label]["steps"]:
            if not step["derived"] and step["cpu"] < 0.05:
                continue  # a rule with nothing to do (no transitive data, nothing new)
            lines.append(
                f"| {step['round']} | {step['rules']} | {step['seconds']:.2f} s | "
                f"{step['cpu']:.2f} s | {step['derived']:,} | {step['added']:,} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    global _STATED
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, action="append", required=True)
    parser.add_argument("--previous", help="a git revision whose route to compare with")
    parser.add_argument("--naive-max", type=int, default=10_000, help="films (default 10,000)")
    parser.add_argument("--owlrl-max", type=int, default=3_000, help="films (default 3,000)")
    parser.add_argument("--owlrl-timeout", type=float, default=900.0)
    args = parser.parse_args()
    previous = previous_module(args.previous) if args.previous else None
    for store_dir in args.store:
        _STATED = load_stated(store_dir)
        stated, film_count = len(_STATED), films(_STATED)
        print(f"{store_dir}: {stated:,} stated quads, {film_count:,} films", flush=True)
        routes: dict[str, dict[str, Any]] = {"build": forked(build_route)}
        print(f"  build {routes['build']['cpu']:.1f} s CPU", flush=True)
        if previous is not None:
            routes[f"previous ({args.previous})"] = forked(previous_route(previous))
            routes["previous"] = routes.pop(f"previous ({args.previous})")
            print(f"  previous {routes['previous']['cpu']:.1f} s CPU", flush=True)
        if film_count <= args.naive_max:
            routes["naive"] = forked(naive_route)
            print(f"  naive {routes['naive']['cpu']:.1f} s CPU", flush=True)
        if film_count <= args.owlrl_max:
            routes["owlrl"] = owlrl_route(_STATED, args.owlrl_timeout)
            print(f"  owlrl {routes['owlrl']}", flush=True)
        text = section(
            store_dir.name if store_dir.name != "store" else str(store_dir),
            stated,
            film_count,
            routes,
        )
        if previous is not None:
            text = text.replace("| previous |", f"| previous ({args.previous}) |", 1)
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write("\n" + text)
        print(text)
        _STATED = None


if __name__ == "__main__":
    main()
