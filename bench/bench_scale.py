"""Scale benchmark: filmgraph at 10^4-10^5+ films, beside the naive route and the engine's limit.

For each size N a synthetic graph is generated (``bench/generate_graph.py``) and run through
the real commands, each in a subprocess with a time cap (a step that misses its cap is
reported as "> cap", never waited for):

* ``filmgraph build`` (wall time, peak RSS of the build process, store size on disk, stage
  times from its progress lines, time-stamped as they arrive), then the same build after one
  more film page is added (the incremental step);
* every competency query of the README's CQ table, in the library (one subprocess per query,
  median of ``--repeat`` runs after one warm-up), and ``filmgraph path``, ``lineage``,
  ``rank``, ``check``, ``export`` (N-Triples, JSON-LD) and ``viz`` as commands (wall time,
  start-up included);
* the naive route in the same run: ``rdflib.Graph().parse()`` of the build's N-Triples,
  rdflib's SPARQL for the same queries (over the N-Quads, since some queries name graphs),
  owlrl's OWL 2 RL closure of the whole graph, pySHACL over it, the rdflib -> NetworkX route
  for path, lineage and rank, rdflib's serialisers, and pyvis with its defaults for the map;
* the limit: pyoxigraph parsing the same N-Triples on one core, and
  ``pyoxigraph.Store(path).bulk_load`` of the build's N-Quads.

With ``../shared/data`` present, the 81,741 films of the CMU Movie Summary Corpus
(``bench/data/cmu/``: CSVW metadata for the table loader) with the Wikipedia remake list and
the Wikidata historical events are built through the real loaders as well.

Results: ``bench/results/scale.md``, ``scale.json`` (with the machine's description and the
commit measured) and ``scale-growth.png``. Usage::

    .venv/bin/python bench/bench_scale.py --sizes 10000,100000 [--cap-build 1800]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import json
import math
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SHARED = ROOT.parent / "shared" / "data"
CMU_METADATA = ROOT / "bench" / "data" / "cmu" / "movie.metadata.tsv-metadata.json"
FG = "https://w3id.org/filmgraph/ontology#"
ID = "https://w3id.org/filmgraph/id/"
#: Direct influence edges (later -> earlier) that the rdflib -> NetworkX route projects.
INFLUENCE_PREDICATES = ("inspiredBy", "influencedBy", "basedOn", "remakeOf")
LIBRARIES = (
    "filmgraph",
    "rdflib",
    "pyoxigraph",
    "pyshacl",
    "owlrl",
    "networkx",
    "pyvis",
    "matplotlib",
    "edtf",
    "csvw",
    "scipy",
)


# ---------------------------------------------------------------------------------------
# Measuring a subprocess: wall time, peak RSS (wait4), time-stamped output, a hard cap
# ---------------------------------------------------------------------------------------
@dataclass
class Measure:
    """One step: how long it took, its peak memory, and whether it finished."""

    status: str  # "ok", "timeout", "error", "skipped"
    seconds: float | None = None
    peak_mb: float | None = None
    cap: float | None = None
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def run_measured(
    command: list[str], cap: float, *, cwd: Path | None = None, log: Path | None = None
) -> tuple[Measure, list[tuple[float, str]]]:
    """Run ``command`` with a time cap; wall time, peak RSS of it and its children, output.

    The process gets its own session so that a miss kills everything it started. Peak RSS is
    the ``ru_maxrss`` that ``wait4`` reports for this child alone (the largest of the
    process and its waited-for descendants), so steps never mix their memory.
    """
    lines: list[tuple[float, str]] = []
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )

    def read() -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            lines.append((time.monotonic() - started, raw.decode("utf-8", "replace").rstrip()))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    timed_out = False
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - started > cap:
            timed_out = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.02)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    reader.join(timeout=5)
    if log is not None:
        log.write_text("\n".join(f"{t:9.2f} {text}" for t, text in lines) + "\n", encoding="utf-8")
    peak = usage.ru_maxrss / 1024  # kilobytes on Linux
    if timed_out:
        return Measure("timeout", None, peak, cap, f"> {cap:.0f} s"), lines
    if process.returncode != 0:
        tail = " | ".join(text for _, text in lines[-3:])[-400:]
        return Measure("error", seconds, peak, cap, f"exit {process.returncode}: {tail}"), lines
    return Measure("ok", seconds, peak, cap), lines


def cli(*args: str) -> list[str]:
    """The ``filmgraph`` command of this interpreter's environment."""
    return [sys.executable, "-m", "filmgraph", *args]


def worker(step: str, /, **kwargs: Any) -> list[str]:
    """A step of this script run in its own process (see :func:`run_worker`)."""
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        step,
        "--worker-args",
        json.dumps(kwargs),
    ]


def run_step(command: list[str], cap: float, **kw: Any) -> Measure:
    """Run a worker or command; a worker's last output line is JSON merged into ``data``."""
    measure, lines = run_measured(command, cap, **kw)
    for _, text in reversed(lines):
        if text.startswith("{"):
            with contextlib.suppress(json.JSONDecodeError):
                measure.data = json.loads(text)
                break
    if measure.ok and measure.data.get("error"):
        measure.status, measure.detail = "error", str(measure.data["error"])[:400]
    return measure


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


# ---------------------------------------------------------------------------------------
# Workers: run in a child process, print one JSON line
# ---------------------------------------------------------------------------------------
class CapReached(Exception):
    """Raised by the SIGALRM handler inside a worker (pure-Python code only)."""


@contextlib.contextmanager
def alarm(seconds: float) -> Iterator[None]:
    def fire(signum: int, frame: Any) -> None:
        raise CapReached

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, max(0.01, seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def _rows(result: Any) -> int:
    try:
        return len(result)
    except TypeError:
        return -1


def w_query_ours(
    store: str, name: str, params: dict[str, str], repeat: int, cap: float
) -> dict[str, Any]:
    """Median of ``repeat`` runs after a warm-up; a query too slow to repeat within the cap
    is reported from its first run (``runs`` says how many runs the figure rests on)."""
    from filmgraph.queries import run_named
    from filmgraph.store import open_store

    open_s, handle = timed(lambda: open_store(store))
    with handle as opened:
        first, result = timed(lambda: run_named(opened, name, params))
        if first * (repeat + 1) > cap:
            return {"seconds": first, "rows": _rows(result), "open_seconds": open_s, "runs": 1}
        times = []
        for _ in range(repeat):
            seconds, result = timed(lambda: run_named(opened, name, params))
            times.append(seconds)
    return {
        "seconds": statistics.median(times),
        "rows": _rows(result),
        "open_seconds": open_s,
        "runs": repeat,
    }


def w_queries_rdflib(
    nquads: str, queries: list[list[Any]], repeat: int, cap: float
) -> dict[str, Any]:
    from rdflib import Dataset, Variable
    from rdflib.term import Identifier

    from filmgraph.queries import get_query

    dataset = Dataset(default_union=True)
    parse_s, _ = timed(lambda: dataset.parse(nquads, format="nquads"))
    out: dict[str, Any] = {"parse_seconds": parse_s, "queries": {}}
    for key, name, params in queries:
        query = get_query(name)
        bindings = {
            Variable(k): v for k, v in query.bindings(params).items() if isinstance(v, Identifier)
        }

        def run(q: Any = query, b: Any = bindings) -> int:
            return len(list(dataset.query(q.text, initBindings=b)))

        try:
            with alarm(cap):
                first_s, rows = timed(run)
            times = [first_s]
            # Repeat only what is quick: the naive route is measured, not waited for.
            for _ in range(repeat - 1 if first_s * repeat < cap else 0):
                with alarm(cap):
                    times.append(timed(run)[0])
            out["queries"][key] = {
                "seconds": statistics.median(times),
                "rows": rows,
                "runs": len(times),
            }
        except CapReached:
            out["queries"][key] = {"timeout": cap}
        except Exception as exc:  # rdflib's own errors: reported, not hidden
            out["queries"][key] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    return out


def _rdflib_graph(ntriples: str) -> tuple[float, Any]:
    from rdflib import Graph

    graph = Graph()
    seconds, _ = timed(lambda: graph.parse(ntriples, format="nt"))
    return seconds, graph


def w_rdflib_parse(ntriples: str) -> dict[str, Any]:
    seconds, graph = _rdflib_graph(ntriples)
    return {"seconds": seconds, "triples": len(graph)}


def w_owlrl(ntriples: str, cap: float) -> dict[str, Any]:
    import owlrl

    parse_s, graph = _rdflib_graph(ntriples)
    before = len(graph)
    try:
        with alarm(cap):
            seconds, _ = timed(lambda: owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph))
    except CapReached:
        return {"parse_seconds": parse_s, "timeout": cap, "triples": before}
    return {
        "parse_seconds": parse_s,
        "seconds": seconds,
        "triples": before,
        "inferred": len(graph) - before,
    }


def w_pyshacl(ntriples: str, shapes: str, cap: float) -> dict[str, Any]:
    import pyshacl
    from rdflib import Graph

    parse_s, graph = _rdflib_graph(ntriples)
    shapes_graph = Graph().parse(shapes, format="turtle")
    try:
        with alarm(cap):
            seconds, result = timed(lambda: pyshacl.validate(graph, shacl_graph=shapes_graph))
    except CapReached:
        return {"parse_seconds": parse_s, "timeout": cap}
    return {"parse_seconds": parse_s, "seconds": seconds, "conforms": bool(result[0])}


def w_rdflib_serialise(ntriples: str, out: str, cap: float) -> dict[str, Any]:
    parse_s, graph = _rdflib_graph(ntriples)
    result: dict[str, Any] = {"parse_seconds": parse_s, "triples": len(graph)}
    for fmt, suffix in (("nt", "nt"), ("json-ld", "jsonld")):
        try:
            with alarm(cap):
                started = time.perf_counter()
                graph.serialize(f"{out}.{suffix}", format=fmt)
                result[f"{suffix}_seconds"] = time.perf_counter() - started
        except CapReached:
            result[f"{suffix}_timeout"] = cap
    return result


def _naive_projection(graph: Any) -> Any:
    """The rdflib -> NetworkX route: walk the direct influence edges into a DiGraph."""
    import networkx as nx
    from rdflib import URIRef

    projected = nx.DiGraph()
    for name in INFLUENCE_PREDICATES:
        for later, earlier in graph.subject_objects(URIRef(FG + name)):
            projected.add_edge(str(earlier), str(later))
    return projected


def w_rdflib_networkx(
    ntriples: str, source: str, target: str, hub: str, html: str, cap: float
) -> dict[str, Any]:
    import networkx as nx

    parse_s, graph = _rdflib_graph(ntriples)
    project_s, projected = timed(lambda: _naive_projection(graph))
    graph = None  # the naive route keeps only the projection from here on
    out: dict[str, Any] = {
        "parse_seconds": parse_s,
        "project_seconds": project_s,
        "nodes": projected.number_of_nodes(),
        "edges": projected.number_of_edges(),
    }

    def paths() -> int:
        if source not in projected or target not in projected:
            return 0
        found = nx.shortest_simple_paths(projected, source, target)
        count = 0
        with contextlib.suppress(nx.NetworkXNoPath):
            for count, _ in enumerate(found, start=1):
                if count >= 10:
                    break
        return count

    def lineage() -> int:
        if hub not in projected:
            return 0
        return len(nx.single_source_shortest_path_length(projected, hub, cutoff=3))

    def around() -> Any:
        undirected = projected.to_undirected(as_view=True)
        return nx.ego_graph(undirected, hub, radius=2) if hub in projected else nx.Graph()

    def pyvis_map(sub: Any) -> int:
        from pyvis.network import Network

        os.chdir(Path(html).parent)  # pyvis writes its lib/ folder into the working folder
        net = Network()  # pyvis defaults, as a newcomer would write it
        net.from_nx(sub)
        net.write_html(html)
        return int(sub.number_of_nodes())

    steps: list[tuple[str, Callable[[], Any]]] = [
        ("path", paths),
        ("lineage", lineage),
        ("rank", lambda: len(nx.pagerank(projected))),
        ("pyvis_around", lambda: pyvis_map(around())),
        ("pyvis_all", lambda: pyvis_map(projected)),
    ]
    for key, function in steps:
        try:
            with alarm(cap):
                out[f"{key}_seconds"], out[f"{key}_result"] = timed(function)
        except CapReached:
            out[f"{key}_timeout"] = cap
    return out


def w_ox_parse(path: str, fmt: str) -> dict[str, Any]:
    import pyoxigraph

    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    rdf_format = {"nt": pyoxigraph.RdfFormat.N_TRIPLES, "nq": pyoxigraph.RdfFormat.N_QUADS}[fmt]
    seconds, count = timed(lambda: sum(1 for _ in pyoxigraph.parse(path=path, format=rdf_format)))
    return {"seconds": seconds, "triples": count}


def w_ox_bulk(nquads: str, store: str) -> dict[str, Any]:
    import pyoxigraph

    target = pyoxigraph.Store(store)
    seconds, _ = timed(lambda: target.bulk_load(path=nquads, format=pyoxigraph.RdfFormat.N_QUADS))
    target.flush()
    return {"seconds": seconds, "bytes": dir_size(Path(store))}


def w_analytics_ours(store: str, source: str, target: str, hub: str) -> dict[str, Any]:
    from filmgraph.analytics.lineage import lineage
    from filmgraph.analytics.paths import influence_paths
    from filmgraph.analytics.projection import influence_graph
    from filmgraph.analytics.ranking import rank_films
    from filmgraph.store import open_store

    with open_store(store) as opened:
        project_s, graph = timed(lambda: influence_graph(opened))
    out: dict[str, Any] = {
        "project_seconds": project_s,
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
    }
    for key, function in (
        ("path", lambda: influence_paths(graph, source, target)),
        ("lineage", lambda: lineage(graph, hub, depth=3)),
        ("rank", lambda: rank_films(graph, top=10)),
    ):
        out[f"{key}_seconds"], result = timed(function)
        out[f"{key}_result"] = _rows(result)
    return out


WORKERS: dict[str, Callable[..., dict[str, Any]]] = {
    "query-ours": w_query_ours,
    "queries-rdflib": w_queries_rdflib,
    "rdflib-parse": w_rdflib_parse,
    "owlrl": w_owlrl,
    "pyshacl": w_pyshacl,
    "rdflib-serialise": w_rdflib_serialise,
    "rdflib-networkx": w_rdflib_networkx,
    "ox-parse": w_ox_parse,
    "ox-bulk": w_ox_bulk,
    "analytics-ours": w_analytics_ours,
}


#: The workers that hold the whole graph in rdflib; ``--cap-memory`` bounds their address space
#: so that a size too large for rdflib fails as that step's MemoryError, not as the kernel's
#: out-of-memory kill of whatever else runs on the machine.
NAIVE_WORKERS = frozenset(
    {"rdflib-parse", "owlrl", "pyshacl", "rdflib-serialise", "rdflib-networkx", "queries-rdflib"}
)


def run_worker(name: str, args: str) -> int:
    cap = os.environ.get("FILMGRAPH_BENCH_MEMORY_CAP_GB")
    if cap and name in NAIVE_WORKERS:
        limit = int(float(cap) * 1024**3)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        result = WORKERS[name](**json.loads(args))
    except Exception as exc:  # reported to the parent as the step's error
        result = {"error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(result), flush=True)
    return 0


# ---------------------------------------------------------------------------------------
# The plan for one dataset
# ---------------------------------------------------------------------------------------
def competency_queries(picks: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    """(key, named query, parameters) for every query of the README's CQ table."""
    film = f"film:{picks['film_with_influences']}"
    hub = f"film:{picks['hub_film']}"
    return [
        ("CQ1 film-influences", "film-influences", {"film": film}),
        ("CQ2 film-descendants", "film-descendants", {"film": hub}),
        (
            "CQ3 influence-paths",
            "influence-paths",
            {"from": f"film:{picks['path_from']}", "to": f"film:{picks['path_to']}"},
        ),
        ("CQ4 films-during-event", "films-during-event", {"event": f"event:{picks['event']}"}),
        ("CQ5 film-context", "film-context", {"film": f"film:{picks['film_with_context']}"}),
        ("CQ6 film-people", "film-people", {"film": film}),
        ("CQ6 person-films", "person-films", {"person": f"person:{picks['person']}"}),
        ("CQ7 movement-films", "movement-films", {"movement": f"movement:{picks['movement']}"}),
        ("CQ7 movement-bridges", "movement-bridges", {}),
        ("CQ7 movement-influences", "movement-influences", {}),
        ("CQ8 influential-films", "influential-films", {}),
        ("CQ8 influential-films (decade)", "influential-films", {"decade": str(picks["decade"])}),
        ("CQ9 contested-claims", "contested-claims", {}),
        ("CQ10 film-themes", "film-themes", {"film": film}),
        ("CQ10 shared-themes", "shared-themes", {"film": film}),
        ("CQ11 source-contributions", "source-contributions", {}),
        (
            "CQ12 film-afterlife",
            "film-afterlife",
            {"film": f"film:{picks.get('film_with_afterlife', picks['film_with_influences'])}"},
        ),
    ]


#: Queries that need no parameter: the only ones run on the CMU graph (no picks there).
UNPARAMETERISED = (
    "movement-influences",
    "influential-films",
    "contested-claims",
    "source-contributions",
    "movement-bridges",
)


@dataclass
class Dataset:
    label: str
    films: int
    sources: list[Path]
    picks: dict[str, Any] | None = None
    extra_page: Path | None = None
    pages_dir: Path | None = None
    generate_seconds: float | None = None
    note: str = ""


@dataclass
class Caps:
    build: float
    step: float
    naive: float
    query: float


class SizeRun:
    """Every step for one dataset; results kept as :class:`Measure` by step name."""

    def __init__(
        self, data: Dataset, work: Path, caps: Caps, repeat: int, working_store: str = "auto"
    ) -> None:
        self.d, self.work, self.caps, self.repeat = data, work, caps, repeat
        self.working_store = working_store
        self.steps: dict[str, Measure] = {}
        self.build_dir = work / "build"
        self.nt = work / "graph.nt"
        self.nq = work / "graph.nq"

    def record(self, name: str, measure: Measure) -> Measure:
        self.steps[name] = measure
        shown = f"{measure.seconds:.2f} s" if measure.seconds is not None else measure.detail
        peak = f", {measure.peak_mb:,.0f} MB" if measure.peak_mb else ""
        print(f"  [{self.d.label}] {name}: {measure.status} {shown}{peak}", flush=True)
        return measure

    def report_lines(self) -> list[str]:
        """Lines a dataset adds to its section of the report (none by default)."""
        return []

    def skip(self, name: str, why: str) -> None:
        self.record(name, Measure("skipped", detail=why))

    def build_command(self) -> list[str]:
        command = cli("build", "--no-bundled", "--store", str(self.build_dir))
        command += ["--working-store", self.working_store]
        for source in self.d.sources:
            command += ["--source", str(source)]
        return command

    def measure_build(self, name: str) -> Measure:
        """One build, timed with its stages and store size, not yet recorded."""
        measure, lines = run_measured(
            self.build_command(), self.caps.build, log=self.work / f"{name}.log"
        )
        end = measure.seconds if measure.seconds is not None else measure.cap
        measure.data["stages"] = stage_times(lines, end)
        measure.data["stage_peaks_mb"] = stage_peaks(lines)
        # which route an incremental build took: its fast path, or the full path and why
        measure.data["path"] = next(
            (text.strip() for _, text in lines if text.strip().startswith("incremental build:")),
            None,
        )
        measure.data["stopped_in_stage"] = measure.status == "timeout"
        measure.data["store_bytes"] = dir_size(self.build_dir)
        return measure

    def build(self, name: str) -> Measure:
        return self.record(name, self.measure_build(name))

    def run(self) -> None:
        full = self.build("build")
        if not full.ok:
            for name in ("incremental build", "export ntriples", "export jsonld"):
                self.skip(name, "the full build did not finish")
            return
        if self.d.extra_page is not None and self.d.pages_dir is not None:
            shutil.copy(self.d.extra_page, self.d.pages_dir / self.d.extra_page.name)
            self.build("incremental build")
        store = str(self.build_dir)
        for fmt, path in (
            ("ntriples", self.nt),
            ("jsonld", self.work / "graph.jsonld"),
            ("nquads", self.nq),
        ):
            measure = run_step(
                cli("export", "--store", store, "--format", fmt, "--out", str(path)), self.caps.step
            )
            measure.data["bytes"] = path.stat().st_size if path.exists() else 0
            measure.data["lines"] = count_lines(path) if fmt != "jsonld" and path.exists() else 0
            self.record(f"export {fmt}", measure)
        self.limits()
        self.queries(store)
        self.commands(store)
        self.naive()

    def limits(self) -> None:
        if self.nt.exists():
            self.record(
                "limit: pyoxigraph parse N-Triples (1 core)",
                run_step(worker("ox-parse", path=str(self.nt), fmt="nt"), self.caps.step),
            )
            self.record(
                "naive: rdflib Graph().parse N-Triples",
                run_step(worker("rdflib-parse", ntriples=str(self.nt)), self.caps.naive),
            )
        if self.nq.exists():
            self.record(
                "limit: pyoxigraph bulk_load N-Quads",
                run_step(
                    worker("ox-bulk", nquads=str(self.nq), store=str(self.work / "bulk")),
                    self.caps.step,
                ),
            )

    def query_plan(self) -> list[tuple[str, str, dict[str, str]]]:
        if self.d.picks is None:
            return [(f"{name}", name, {}) for name in UNPARAMETERISED]
        return competency_queries(self.d.picks)

    def queries(self, store: str) -> None:
        for key, name, params in self.query_plan():
            self.record(
                f"query {key}",
                run_step(
                    worker(
                        "query-ours",
                        store=store,
                        name=name,
                        params=params,
                        repeat=self.repeat,
                        cap=self.caps.query,
                    ),
                    self.caps.query * 2 + 60,
                ),
            )
        if self.nq.exists():
            plan = [[key, name, params] for key, name, params in self.query_plan()]
            budget = self.caps.naive + self.caps.query * len(plan) * 2
            self.record(
                "naive: rdflib SPARQL (all queries)",
                run_step(
                    worker(
                        "queries-rdflib",
                        nquads=str(self.nq),
                        queries=plan,
                        repeat=max(1, self.repeat // 2),
                        cap=self.caps.query,
                    ),
                    budget,
                ),
            )

    def commands(self, store: str) -> None:
        picks = self.d.picks
        if picks is not None:
            hub, src, dst = (f"film:{picks[k]}" for k in ("hub_film", "path_from", "path_to"))
            self.record(
                "filmgraph path", run_step(cli("path", src, dst, "--store", store), self.caps.step)
            )
            self.record(
                "filmgraph lineage",
                run_step(cli("lineage", hub, "--depth", "3", "--store", store), self.caps.step),
            )
        self.record("filmgraph --help", run_step(cli("--help"), self.caps.step))
        if picks is not None:
            self.record(
                "filmgraph query film-influences (one film)",
                run_step(
                    cli(
                        "query",
                        "film-influences",
                        "--store",
                        store,
                        "--param",
                        f"film=film:{picks['film_with_influences']}",
                    ),
                    self.caps.step,
                ),
            )
        self.record("filmgraph rank", run_step(cli("rank", "--store", store), self.caps.step))
        check = run_step(cli("check", "--store", store), self.caps.step)
        if check.status == "error" and check.detail.startswith("exit 1"):
            check.status, check.detail = "ok", "exit 1: the checks found problems"
        self.record("filmgraph check", check)
        if picks is not None:
            self.record(
                "filmgraph viz --around (depth 2)",
                run_step(
                    cli(
                        "viz",
                        "--store",
                        store,
                        "--around",
                        hub,
                        "--out",
                        str(self.work / "around.html"),
                    ),
                    self.caps.step,
                ),
            )
            self.record(
                "library: projection, path, lineage, rank",
                run_step(
                    worker(
                        "analytics-ours",
                        store=store,
                        source=ID + "film/" + picks["path_from"],
                        target=ID + "film/" + picks["path_to"],
                        hub=ID + "film/" + picks["hub_film"],
                    ),
                    self.caps.step,
                ),
            )
        self.record(
            "filmgraph viz --all",
            run_step(
                cli("viz", "--store", store, "--all", "--out", str(self.work / "all.html")),
                self.caps.step,
            ),
        )

    def naive(self) -> None:
        if not self.nt.exists():
            return
        nt, cap = str(self.nt), self.caps.naive
        shapes = str(ROOT / "ontology" / "shapes.ttl")
        self.record(
            "naive: owlrl OWL 2 RL closure",
            run_step(worker("owlrl", ntriples=nt, cap=cap), 3 * cap),
        )
        self.record(
            "naive: pySHACL over the whole graph",
            run_step(worker("pyshacl", ntriples=nt, shapes=shapes, cap=cap), 3 * cap),
        )
        self.record(
            "naive: rdflib serialise N-Triples, JSON-LD",
            run_step(
                worker("rdflib-serialise", ntriples=nt, out=str(self.work / "rdflib"), cap=cap),
                4 * cap,
            ),
        )
        if self.d.picks is not None:
            p = self.d.picks
            self.record(
                "naive: rdflib -> NetworkX (path, lineage, rank, pyvis)",
                run_step(
                    worker(
                        "rdflib-networkx",
                        ntriples=nt,
                        source=ID + "film/" + p["path_from"],
                        target=ID + "film/" + p["path_to"],
                        hub=ID + "film/" + p["hub_film"],
                        html=str(self.work / "pyvis.html"),
                        cap=cap,
                    ),
                    7 * cap,
                ),
            )


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


_STAGE = re.compile(r"^\s*([a-z].*?) \.\.\.$")


def _loader_names() -> tuple[str, ...]:
    return tuple(e.name for e in metadata.entry_points(group="filmgraph.loaders"))


_STAGE_PEAK = re.compile(r"^\s*([a-z].*?) done in [\d.]+ s, peak RSS ([\d.]+) GB")
_READ_PEAK = re.compile(r"^\s*sources read: peak RSS so far ([\d.]+) GB")


def stage_peaks(lines: list[tuple[float, str]]) -> dict[str, float]:
    """Peak resident memory (MB) per build stage, from the progress lines' "peak RSS".

    The build prints each stage's peak when it ends (``filmgraph.progress``) and the peak
    of the whole reading once every source is read (the "loading sources" stage here).
    """
    loaders = _loader_names()
    peaks: dict[str, float] = {}
    for _, text in lines:
        read = _READ_PEAK.match(text)
        if read:
            peaks["loading sources"] = float(read.group(1)) * 1000
            continue
        match = _STAGE_PEAK.match(text)
        if match and match.group(1).split(":")[0] not in loaders:
            peaks[match.group(1)] = float(match.group(2)) * 1000
    return peaks


def stage_times(lines: list[tuple[float, str]], end: float | None = None) -> dict[str, float]:
    """Seconds per build stage, from when each "stage ..." line arrived to the next one.

    Loading is everything before the first stage line that is not a source being read, so
    it includes reading the files whatever the progress lines claim. ``end`` is when the
    build ended (or was stopped at its cap); by default, when its last line arrived.
    """
    loaders = _loader_names()
    marks: list[tuple[str, float]] = []
    for at, text in lines:
        match = _STAGE.match(text)
        if match and match.group(1).split(":")[0] not in loaders:
            marks.append((match.group(1), at))
    if not lines:
        return {}
    stages: dict[str, float] = {}
    end = lines[-1][0] if end is None else end
    stages["loading sources"] = marks[0][1] if marks else end
    for (name, at), nxt in zip(marks, [*marks[1:], ("end", end)], strict=True):
        stages[name] = nxt[1] - at
    return stages


# ---------------------------------------------------------------------------------------
# Datasets: synthetic sizes, CMU
# ---------------------------------------------------------------------------------------
def synthetic(films: int, seed: int, work: Path, cap: float) -> Dataset:
    out = work / "data"
    measure = run_step(
        [
            sys.executable,
            str(ROOT / "bench" / "generate_graph.py"),
            "--films",
            str(films),
            "--seed",
            str(seed),
            "--out",
            str(out),
        ],
        cap,
    )
    if not measure.ok:
        raise RuntimeError(f"generating {films} films failed: {measure.detail}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    extra = next((out / "extra-page").glob("*.txt"))
    return Dataset(
        f"{films:,} films",
        films,
        [out / "curated", out / "pages"],
        manifest["picks"],
        extra,
        out / "pages",
        measure.seconds,
    )


def cmu(work: Path) -> Dataset | None:
    """The CMU corpus's 81,741 films (decompressed beside the benchmark's CSVW metadata), the
    Wikipedia remake list and the Wikidata historical events, as the real loaders read them."""
    source = SHARED / "cmu-movie-metadata" / "movie.metadata.tsv.gz"
    if not source.is_file():
        print(f"skipping the CMU corpus: {source} is not there (../shared is missing)")
        return None
    folder = work / "cmu"
    folder.mkdir(parents=True, exist_ok=True)
    table = folder / "movie.metadata.tsv"
    with gzip.open(source, "rb") as packed, table.open("wb") as plain:
        shutil.copyfileobj(packed, plain)
    shutil.copy(CMU_METADATA, folder / CMU_METADATA.name)
    sources = [
        table,  # the table loader finds the metadata beside it
        SHARED / "wikipedia-film-remakes" / "remakes.csv",
        SHARED / "wikidata-historic-events" / "historicEvents.json.gz",
    ]
    missing = [s for s in sources if not s.exists()]
    if missing:
        print(f"skipping the CMU corpus: {', '.join(map(str, missing))} not there")
        return None
    return Dataset(
        f"CMU {count_lines(table):,} films + remakes + events",
        count_lines(table),
        sources,
        note=(
            "Sources: `movie.metadata.tsv` (decompressed from `../shared/data/cmu-movie-metadata`) "
            f"through `bench/data/cmu/{CMU_METADATA.name}` (table loader), `remakes.csv` "
            "(wikipedia-remakes loader) and `historicEvents.json.gz` (wikidata-events loader), "
            "read in strict mode as `filmgraph build --no-bundled --source ...` reads them. "
            "What the CSVW metadata maps and what it leaves out: `bench/data/cmu/README.md`. "
            "No person, movement or influence between CMU films exists in these sources, so "
            "only the queries without parameters run, and the commands that need a film pick "
            "(path, lineage, viz --around) are left out."
        ),
    )


class CmuRun(SizeRun):
    """The CMU corpus's run: its build publishes a graph that does not conform (films the
    corpus gives no date, so no year: the shapes require one), which exits 1 by contract;
    that is a finding, not a failed step. What the loaders and the build reported (skipped
    records, notes, validation, entity resolution) is read back from ``summary.json``."""

    def build(self, name: str) -> Measure:
        measure = self.measure_build(name)
        measure.data["oxigraph_bytes"] = dir_size(self.build_dir / "current" / "oxigraph")
        summary = self.build_dir / "current" / "summary.json"
        if measure.status == "error" and measure.detail.startswith("exit 1") and summary.is_file():
            report = json.loads(summary.read_text(encoding="utf-8"))
            if not report.get("conforms", True):
                measure.status = "ok"
                measure.detail = f"exit 1: does not conform ({report['violations']:,} violations)"
        if summary.is_file():
            measure.data["summary"] = _loader_report(summary)
        return self.record(name, measure)

    def report_lines(self) -> list[str]:
        build = self.steps.get("build")
        report = build.data.get("summary") if build else None
        if not report:
            return []
        counts = ", ".join(f"{k} {v:,}" for k, v in report["counts"].items())
        linking = ", ".join(f"{k} {v:,}" for k, v in report["linking"].items() if v)
        out = [
            f"What the build reported (`summary.json`): {counts}; "
            f"conforms: {'yes' if report['conforms'] else 'no'} "
            f"({report['violations']:,} violations, {report['warnings']:,} warnings"
            f"{', most common: ' + report['top_violations'] if report['top_violations'] else ''}"
            f"); entity resolution: {linking}. Oxigraph store "
            f"{build.data.get('oxigraph_bytes', 0) / 1e6:,.0f} MB of the "
            f"{build.data.get('store_bytes', 0) / 1e6:,.0f} MB generation (which also keeps "
            "the TriG dump, the validation report and the name index).",
            "",
            f"Loaders: {report['skipped_count']:,} record(s) skipped"
            + (" (first: " + "; ".join(report["skipped"]) + ")" if report["skipped"] else "")
            + f"; {len(report['notes']):,} note(s):",
            "",
        ]
        out += [f"- {note}" for note in report["notes"]]
        return [*out, ""]


def _loader_report(summary: Path) -> dict[str, Any]:
    """The parts of a build's ``summary.json`` the report shows (notes in full, skipped
    records counted with the first few, the most frequent violation messages)."""
    report = json.loads(summary.read_text(encoding="utf-8"))
    validation = summary.parent / "validation.txt"
    messages: dict[str, int] = {}
    if validation.is_file():
        with validation.open(encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("[Violation]"):
                    message = line.split("> ", 1)[-1].strip()
                    messages[message] = messages.get(message, 0) + 1
    top = sorted(messages.items(), key=lambda item: -item[1])[:3]
    return {
        "counts": report.get("counts", {}),
        "conforms": report.get("conforms"),
        "violations": report.get("violations", 0),
        "warnings": report.get("warnings", 0),
        "top_violations": "; ".join(f"{n:,} x {m!r}" for m, n in top),
        "linking": report.get("linking", {}),
        "skipped_count": len(report.get("skipped", [])),
        "skipped": report.get("skipped", [])[:3],
        "notes": [n for n in report.get("notes", []) if n],
    }


# ---------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    """bench_exports' description of the machine, with the cores this process may use."""
    from bench_exports import machine as described

    info = described(LIBRARIES)
    info["load_average_start"] = info.pop("load_average")
    info["cores_usable"] = (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    )
    return info


def commit() -> dict[str, Any]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    return {
        "commit": git("rev-parse", "HEAD"),
        "branch": git("rev-parse", "--abbrev-ref", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
    }


def fmt_s(m: Measure | None, *, ms: bool = False) -> str:
    if m is None:
        return "—"
    if m.status == "timeout":
        return f"> {m.cap:.0f} s (cap)"
    if m.status == "skipped":
        return "skipped"
    if m.seconds is None:
        return m.status
    text = f"{m.seconds * 1000:,.0f} ms" if ms and m.seconds < 10 else f"{m.seconds:,.1f} s"
    return text if m.ok else f"{text} ({m.status})"


def fmt_secs(seconds: float | None, *, timeout: float | None = None) -> str:
    if seconds is None:
        return f"> {timeout:.0f} s (cap)" if timeout else "—"
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def ratio(slow: float | None, fast: float | None, *, slow_cap: float | None = None) -> str:
    if fast is None or fast <= 0:
        return "—"
    if slow is None:
        return f"> {slow_cap / fast:,.0f}x" if slow_cap else "—"
    return f"{slow / fast:,.1f}x"


def dataset_report(run: SizeRun) -> list[str]:
    s = run.steps
    out = [f"### {run.d.label}", ""]
    if run.d.note:
        out += [run.d.note, ""]
    out += run.report_lines()
    build = s.get("build")
    nt = s.get("export ntriples")
    triples = nt.data.get("lines") if nt and nt.ok else None
    quads = s.get("export nquads")
    nquads = quads.data.get("lines") if quads and quads.ok else None
    if run.d.generate_seconds is not None:
        out.append(f"Generated in {run.d.generate_seconds:.1f} s.")
    if triples:
        out.append(f"The build holds {triples:,} triples ({nquads or 0:,} quads).")
    out.append("")
    bulk = s.get("limit: pyoxigraph bulk_load N-Quads")
    parse = s.get("limit: pyoxigraph parse N-Triples (1 core)")
    rdf = s.get("naive: rdflib Graph().parse N-Triples")

    def secs(m: Measure | None) -> float | None:
        if m is None or not m.ok:
            return None
        return m.data.get("seconds", m.seconds) if m.data else m.seconds

    bulk_s, parse_s, rdf_s = secs(bulk), secs(parse), secs(rdf)
    build_s = build.seconds if build and build.ok else None
    build_cap = build.cap if build and build.status == "timeout" else None
    out += [
        "| step | ours | peak RSS | naive route | limit | ours vs naive | ours vs limit |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    if build:
        store = build.data.get("store_bytes", 0) / 1e6
        out.append(
            f"| full build (store {store:,.0f} MB on disk) | {fmt_s(build)} | "
            f"{build.peak_mb or 0:,.0f} MB | rdflib parse {fmt_secs(rdf_s)} "
            f"({rdf.peak_mb or 0:,.0f} MB) | bulk_load {fmt_secs(bulk_s)}; parse "
            f"{fmt_secs(parse_s)} | {_speedup(rdf_s, build_s, build_cap)} | "
            f"{ratio(build_s, bulk_s, slow_cap=build_cap)} of bulk_load, "
            f"{ratio(build_s, parse_s, slow_cap=build_cap)} of parse |"
            if rdf
            else f"| full build | {fmt_s(build)} | {build.peak_mb or 0:,.0f} MB | — | — | — | — |"
        )
    for name in ("incremental build", "export ntriples", "export jsonld"):
        m = s.get(name)
        if m is not None and m.status == "skipped":
            out.append(f"| {name} | skipped: {m.detail} | — | — | — | — | — |")
    inc = s.get("incremental build")
    if inc and inc.status != "skipped":
        out.append(
            f"| incremental build (+1 page) | {fmt_s(inc)} | {inc.peak_mb or 0:,.0f} MB "
            f"| full build {fmt_s(build)} | — | "
            f"{_speedup(build_s, inc.seconds if inc.ok else None, None)} | — |"
        )
        if inc.data.get("path"):
            out.append(f"| ↳ route | {inc.data['path']} | — | — | — | — | — |")
    ser = s.get("naive: rdflib serialise N-Triples, JSON-LD")
    for fmt, key in (("ntriples", "nt"), ("jsonld", "jsonld")):
        m = s.get(f"export {fmt}")
        if m is None or m.status == "skipped":
            continue
        naive_s = ser.data.get(f"{key}_seconds") if ser and ser.data else None
        naive_cap = ser.data.get(f"{key}_timeout") if ser and ser.data else None
        rate = (
            f", {triples / m.seconds / 1e3:,.0f} k triples/s wall"
            if triples and m.ok and m.seconds
            else ""
        )
        out.append(
            f"| export {fmt} (command{rate}) | {fmt_s(m)} | {m.peak_mb or 0:,.0f} MB | "
            f"rdflib serialize {fmt_secs(naive_s, timeout=naive_cap)} | — | "
            f"{_speedup(naive_s, m.seconds if m.ok else None, naive_cap)} | — |"
        )
    owl = s.get("naive: owlrl OWL 2 RL closure")
    if owl:
        reasoning = stage(build, "reasoning")
        owl_s = owl.data.get("seconds") if owl.data else None
        out.append(
            f"| reasoning (build stage) | {fmt_secs(reasoning)} | — | owlrl closure "
            f"{fmt_secs(owl_s, timeout=owl.data.get('timeout') if owl.data else None)}"
            f"{'' if owl.ok else ' (' + owl.status + ')'} | — | "
            f"{_speedup(owl_s, reasoning, owl.data.get('timeout') if owl.data else None)}"
            " | — |"
        )
    shacl = s.get("naive: pySHACL over the whole graph")
    validating = stage(build, "validating")
    if shacl:
        shacl_s = shacl.data.get("seconds") if shacl.data else None
        shacl_cap = shacl.data.get("timeout") if shacl.data else None
        out.append(
            f"| validation (build stage) | {fmt_secs(validating)} | — | pySHACL over the whole "
            f"graph {fmt_secs(shacl_s, timeout=shacl_cap)} | — | "
            f"{_speedup(shacl_s, validating, shacl_cap)} | — |"
        )
    check = s.get("filmgraph check")
    if check:
        shacl_s = shacl.data.get("seconds") if shacl and shacl.data else None
        shacl_cap = shacl.data.get("timeout") if shacl and shacl.data else None
        out.append(
            f"| `filmgraph check` (command) | {fmt_s(check, ms=True)} | "
            f"{check.peak_mb or 0:,.0f} MB | pySHACL {fmt_secs(shacl_s, timeout=shacl_cap)}"
            f" | — | {_speedup(shacl_s, check.seconds if check.ok else None, shacl_cap)}"
            " | — |"
        )
    nx_run = s.get("naive: rdflib -> NetworkX (path, lineage, rank, pyvis)")
    nxd = nx_run.data if nx_run and nx_run.data else {}
    load = (nxd.get("parse_seconds") or 0) + (nxd.get("project_seconds") or 0)
    for name in ("filmgraph --help", "filmgraph query film-influences (one film)"):
        m = s.get(name)
        if m is not None:
            out.append(
                f"| `{name.split(' (')[0]}` (command, start-up included) | {fmt_s(m, ms=True)} "
                f"| {m.peak_mb or 0:,.0f} MB | — | — | — | — |"
            )
    for command, key in (("path", "path"), ("lineage", "lineage"), ("rank", "rank")):
        m = s.get(f"filmgraph {command}")
        if m is None:
            continue
        op = nxd.get(f"{key}_seconds")
        naive_s = load + op if op is not None and load else None
        out.append(
            f"| `filmgraph {command}` (command) | {fmt_s(m, ms=True)} | "
            f"{m.peak_mb or 0:,.0f} MB | parse + project + networkx "
            f"{fmt_secs(naive_s, timeout=nxd.get(f'{key}_timeout'))} | — | "
            f"{_speedup(naive_s, m.seconds if m.ok else None, None)} | — |"
        )
    for label, name, key in (
        (
            "`filmgraph viz --around` hub, depth 2",
            "filmgraph viz --around (depth 2)",
            "pyvis_around",
        ),
        ("`filmgraph viz --all`", "filmgraph viz --all", "pyvis_all"),
    ):
        m = s.get(name)
        if m is None:
            continue
        op = nxd.get(f"{key}_seconds")
        naive_s = load + op if op is not None and load else None
        out.append(
            f"| {label} | {fmt_s(m, ms=True)} | {m.peak_mb or 0:,.0f} MB | parse + "
            f"project + pyvis defaults {fmt_secs(naive_s, timeout=nxd.get(f'{key}_timeout'))}"
            f" | — | {_speedup(naive_s, m.seconds if m.ok else None, None)} | — |"
        )
    out.append("")
    lib = s.get("library: projection, path, lineage, rank")
    if lib and lib.data and not lib.data.get("error"):
        d = lib.data
        out.append(
            f"In the library: projection {fmt_secs(d.get('project_seconds'))} "
            f"({d.get('nodes', 0):,} nodes, {d.get('edges', 0):,} edges), path "
            f"{fmt_secs(d.get('path_seconds'))}, lineage {fmt_secs(d.get('lineage_seconds'))},"
            f" rank {fmt_secs(d.get('rank_seconds'))}. Naive: rdflib parse "
            f"{fmt_secs(nxd.get('parse_seconds'))}, projection by walking rdflib "
            f"{fmt_secs(nxd.get('project_seconds'))}."
        )
        out.append("")
    elif lib:
        out += [f"Library analytics: {lib.status} {lib.detail}", ""]
    if build and build.data.get("stages"):
        peaks: dict[str, float] = build.data.get("stage_peaks_mb", {})
        stages = ", ".join(
            f"{k} {v:,.1f} s" + (f" (peak {peaks[k]:,.0f} MB)" if k in peaks else "")
            for k, v in build.data["stages"].items()
        )
        stopped = " (the last one still running when the cap was reached)"
        out += [
            f"Build stages (time-stamped progress lines): {stages}"
            f"{stopped if build.data.get('stopped_in_stage') else ''}.",
            "",
        ]
    if build is None or build.ok:
        out += query_table(run)
    problems = [(k, m) for k, m in s.items() if m.status in ("error", "timeout")]
    if problems:
        out += ["Steps that missed their cap or failed:", ""]
        out += [f"- {k}: {m.status} {m.detail}" for k, m in problems]
        out.append("")
    return out


def stage(build: Measure | None, prefix: str) -> float | None:
    """Seconds of the build stage whose progress line starts with ``prefix``."""
    stages: dict[str, float] = build.data.get("stages", {}) if build else {}
    return next((v for k, v in stages.items() if k.startswith(prefix)), None)


def _missed(ours: Measure, naive: float | None) -> str:
    """The ratio when our step missed its cap and the naive route finished."""
    if ours.status != "timeout" or not naive or not ours.cap:
        return "—"
    return f"> {ours.cap / naive:,.0f}x slower"


def _speedup(naive: float | None, ours: float | None, naive_cap: float | None) -> str:
    """How many times faster ours is than the naive route (``< 1x`` means slower)."""
    if ours is None or ours <= 0:
        return "—"
    if naive is None:
        return f"> {naive_cap / ours:,.1f}x faster" if naive_cap else "—"
    value = naive / ours
    return f"{value:,.1f}x faster" if value >= 1 else f"{1 / value:,.1f}x slower"


def query_table(run: SizeRun) -> list[str]:
    rd = run.steps.get("naive: rdflib SPARQL (all queries)")
    rdq = rd.data.get("queries", {}) if rd and rd.data else {}
    out = [
        "| query (library, median after a warm-up) | rows | ours | rdflib SPARQL | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, _name, _params in run.query_plan():
        m = run.steps.get(f"query {key}")
        if m is None:
            continue
        ours = m.data.get("seconds") if m.ok else None
        naive = rdq.get(key, {})
        naive_s = naive.get("seconds")
        rows = m.data.get("rows", "") if m.ok else ""
        if naive.get("rows") is not None and rows != "" and naive["rows"] != rows:
            rows = f"{rows} (rdflib {naive['rows']})"
        ours_text = fmt_secs(ours) if m.ok else fmt_s(m)
        if m.ok and m.data.get("runs") == 1:
            ours_text += " (1 run: too slow to repeat)"
        naive_text = (
            fmt_secs(naive_s, timeout=naive.get("timeout")) if "error" not in naive else "error"
        )
        out.append(
            f"| {key} | {rows} | {ours_text} | {naive_text} | "
            f"{_speedup(naive_s, ours, naive.get('timeout')) if ours else _missed(m, naive_s)} |"
        )
    if rd is not None:
        out.append("")
        out.append(
            f"rdflib parsed the N-Quads for its queries in "
            f"{fmt_secs(rd.data.get('parse_seconds') if rd.data else None)} "
            f"({rd.peak_mb or 0:,.0f} MB peak); each rdflib query capped at "
            f"{run.caps.query:.0f} s."
        )
    return [*out, ""]


def slope(xs: list[float], ys: list[float]) -> float | None:
    """Least-squares slope of log y against log x: the exponent of the growth."""
    pairs = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0]
    if len(pairs) < 2:
        return None
    mx = sum(p[0] for p in pairs) / len(pairs)
    my = sum(p[1] for p in pairs) / len(pairs)
    den = sum((p[0] - mx) ** 2 for p in pairs)
    return sum((p[0] - mx) * (p[1] - my) for p in pairs) / den if den else None


def growth(runs: list[SizeRun], info: dict[str, Any]) -> list[str]:
    synthetic_runs = [r for r in runs if r.d.picks is not None]
    sizes = [float(r.d.films) for r in synthetic_runs]
    series: dict[str, tuple[list[float], list[float]]] = {}

    def add(label: str, step: str, value: Callable[[Measure], float | None]) -> None:
        xs, ys = [], []
        for r, n in zip(synthetic_runs, sizes, strict=True):
            m = r.steps.get(step)
            v = value(m) if m is not None and m.ok else None
            if v:
                xs.append(n)
                ys.append(v)
        if xs:
            series[label] = (xs, ys)

    add("build time (s)", "build", lambda m: m.seconds)
    add("build peak RSS (MB)", "build", lambda m: m.peak_mb)
    add("incremental build (s)", "incremental build", lambda m: m.seconds)
    add("store on disk (MB)", "build", lambda m: m.data.get("store_bytes", 0) / 1e6)
    add(
        "rdflib parse (s)", "naive: rdflib Graph().parse N-Triples", lambda m: m.data.get("seconds")
    )
    add("rdflib parse peak RSS (MB)", "naive: rdflib Graph().parse N-Triples", lambda m: m.peak_mb)
    add(
        "pyoxigraph bulk_load (s)",
        "limit: pyoxigraph bulk_load N-Quads",
        lambda m: m.data.get("seconds"),
    )
    add(
        "pyoxigraph parse (s)",
        "limit: pyoxigraph parse N-Triples (1 core)",
        lambda m: m.data.get("seconds"),
    )
    add("triples", "export ntriples", lambda m: float(m.data.get("lines", 0)))
    stage_names: list[str] = []
    for r in synthetic_runs:
        build = r.steps.get("build")
        for name in build.data.get("stages", {}) if build else {}:
            if name not in stage_names:
                stage_names.append(name)

    def stage_of(name: str) -> Callable[[Measure], float | None]:
        def value(m: Measure) -> float | None:
            stages: dict[str, float] = m.data.get("stages", {})
            return stages.get(name)

        return value

    def peak_of(name: str) -> Callable[[Measure], float | None]:
        def value(m: Measure) -> float | None:
            peaks: dict[str, float] = m.data.get("stage_peaks_mb", {})
            return peaks.get(name)

        return value

    for name in stage_names:
        add(f"build stage: {name.split(':')[0]} (s)", "build", stage_of(name))
        add(f"build stage: {name.split(':')[0]}, peak RSS (MB)", "build", peak_of(name))
    info["series"] = series
    out = [
        "## How cost grows with size",
        "",
        "**Measured on the commit named above; to be refreshed when the lead re-runs the "
        "benchmark on the merged build.** Exponents are least-squares slopes of log(cost) "
        "against log(films) over the sizes that finished (1.0 = linear).",
        "",
        "| series | " + " | ".join(f"{int(n):,}" for n in sizes) + " | exponent | at 10x the "
        "largest (extrapolated) |",
        "|---|" + "---:|" * (len(sizes) + 2),
    ]
    largest = max(sizes) if sizes else 0
    projections: dict[str, float] = {}
    for label, (xs, ys) in series.items():
        cells = []
        for n in sizes:
            cells.append(f"{ys[xs.index(n)]:,.1f}" if n in xs else "—")
        k = slope(xs, ys)
        projected = ys[-1] * (10 * largest / xs[-1]) ** k if k is not None else None
        if projected is not None:
            projections[label] = projected
        out.append(
            f"| {label} | " + " | ".join(cells) + f" | {'—' if k is None else f'{k:.2f}'}"
            f" | {'—' if projected is None else f'{projected:,.0f}'} |"
        )
    out += ["", "![growth](scale-growth.png)", ""]
    out += breaks_first(projections, largest, info, runs)
    return out


def breaks_first(
    projections: dict[str, float], largest: float, info: dict[str, Any], runs: list[SizeRun]
) -> list[str]:
    memory_mb = info["machine"]["memory_bytes"] / 1e6
    disk_free = shutil.disk_usage(tempfile.gettempdir()).free / 1e6
    target = 10 * largest
    lines = [f"### What breaks first at {target:,.0f} films (ten times the largest size run)", ""]
    findings: list[tuple[float, str]] = []
    rss = projections.get("build peak RSS (MB)")
    if rss:
        share = rss / memory_mb
        findings.append(
            (
                share,
                f"build memory: about {rss:,.0f} MB extrapolated against "
                f"{memory_mb:,.0f} MB of RAM ({share:.0%} of it)",
            )
        )
    build_s = projections.get("build time (s)")
    if build_s:
        findings.append(
            (
                build_s / (4 * 3600),
                f"build time: about {build_s / 3600:,.1f} h "
                "extrapolated (a working day allows ~4 h)",
            )
        )
    store = projections.get("store on disk (MB)")
    if store:
        findings.append(
            (
                store / disk_free,
                f"store on disk: about {store:,.0f} MB against {disk_free:,.0f} MB free",
            )
        )
    rdf_rss = projections.get("rdflib parse peak RSS (MB)")
    if rdf_rss:
        findings.append(
            (
                rdf_rss / memory_mb,
                f"the naive route's memory (rdflib holds the graph): about {rdf_rss:,.0f} MB",
            )
        )
    timeouts = [
        f"{r.d.label}: {k}" for r in runs for k, m in r.steps.items() if m.status == "timeout"
    ]
    findings.sort(reverse=True)
    if findings:
        lines.append(
            "Ranked by how close each resource comes to this machine's limit "
            "(extrapolated from the exponents above):"
        )
        lines.append("")
        lines += [f"{i}. {text}" for i, (_, text) in enumerate(findings, start=1)]
        lines.append("")
    if timeouts:
        lines += [
            "Already missing their cap in this run: " + "; ".join(timeouts) + ".",
            "",
        ]
    lines += [
        "Beyond one machine the answer is the remote store the README describes: "
        "`filmgraph build --store URL` writes to, and every command reads from, a SPARQL "
        "endpoint such as Virtuoso, so the graph's size is bounded by the server's disk and "
        "memory rather than this process's, aggregates run in the server's engine (the "
        "engine notes measured films per movement per decade at 50 ms in Virtuoso against "
        "390 ms in pyoxigraph at 100,000 films), and several readers share one graph. What "
        "stays on the client is what the build streams (the loaders' working set) and what "
        "a command projects (the influence graph for path, lineage and rank), which is why "
        "both must stay flat in N.",
        "",
    ]
    return lines


def plot(info: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series: dict[str, tuple[list[float], list[float]]] = info.get("series", {})
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    for label, (xs, ys) in series.items():
        if label.startswith("build stage"):
            continue
        if label.endswith("(s)"):
            left.plot(xs, ys, marker="o", label=label[:-4])
        elif "RSS" in label:
            right.plot(xs, ys, marker="o", label=label[:-5])
    for axis, title, unit in (
        (left, "time against size", "seconds"),
        (right, "peak memory against size", "MB (peak RSS)"),
    ):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("films")
        axis.set_ylabel(unit)
        axis.set_title(title)
        axis.grid(True, which="both", alpha=0.3)
        if axis.has_data():
            axis.legend(fontsize=8)
    fig.suptitle(
        f"filmgraph scale benchmark, commit {info['commit']['commit'][:10]} "
        "(to be refreshed on the merged build)"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_results(runs: list[SizeRun], info: dict[str, Any], out: Path, command: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    m = info["machine"]
    c = info["commit"]
    lines = [
        "# Benchmark: scale",
        "",
        f"Measured on commit `{c['commit']}` (branch `{c['branch']}`"
        f"{', with uncommitted changes' if c['dirty'] else ''}) on "
        f"{info['finished']:%Y-%m-%d %H:%M} UTC.",
        "",
        f"Machine: {m['cpu_model']}, {m['cores']} cores ({m['cores_usable']} usable), "
        f"{m['memory_bytes'] / 2**30:.1f} GiB RAM, {m['python']}; load average "
        f"{m['load_average_start'][0]:.1f} at the start and {m['load_average_end'][0]:.1f} at "
        "the end (the machine is shared: read ratios, not absolute times). Libraries: "
        + ", ".join(f"{k} {v}" for k, v in m["libraries"].items())
        + ".",
        "",
        f"Command: `{command}`. Every step runs in its own process with a time cap "
        f"(build {info['caps']['build']:.0f} s, commands {info['caps']['step']:.0f} s, "
        f"naive routes {info['caps']['naive']:.0f} s, each rdflib query "
        f"{info['caps']['query']:.0f} s); peak RSS is that process's `ru_maxrss` "
        '(`wait4`). "x faster" is naive time / ours.',
        "",
        "## Sizes by steps",
        "",
    ]
    for run in runs:
        lines += dataset_report(run)
    if any(r.d.picks is not None for r in runs):
        lines += growth(runs, info)
    else:  # the CMU corpus alone (--cmu only): one size, nothing to grow against
        info["series"] = {}
    (out / "scale.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    serialisable = {
        **{k: v for k, v in info.items() if k not in ("series", "finished")},
        "finished": info["finished"].isoformat(),
        "datasets": [
            {
                "label": r.d.label,
                "films": r.d.films,
                "picks": r.d.picks,
                "generate_seconds": r.d.generate_seconds,
                "note": r.d.note,
                "steps": {k: asdict(v) for k, v in r.steps.items()},
            }
            for r in runs
        ],
        "series": {k: {"films": xs, "values": ys} for k, (xs, ys) in info["series"].items()},
    }
    (out / "scale.json").write_text(
        json.dumps(serialisable, indent=2, default=str) + "\n", encoding="utf-8"
    )
    if info["series"]:
        plot(info, out / "scale-growth.png")
    print(f"wrote {out / 'scale.md'}, scale.json{', scale-growth.png' if info['series'] else ''}")


def load_results(path: Path) -> tuple[list[SizeRun], dict[str, Any], str]:
    """The runs, description and command of an earlier run, from its ``scale.json``."""
    saved = json.loads(path.read_text(encoding="utf-8"))
    caps = Caps(**saved["caps"])
    runs = []
    for entry in saved["datasets"]:
        data = Dataset(
            entry["label"],
            entry["films"],
            [],
            entry["picks"],
            generate_seconds=entry["generate_seconds"],
            note=entry.get("note", ""),
        )
        # the CMU run is the one whose build kept what the loaders reported
        kind = CmuRun if entry["steps"].get("build", {}).get("data", {}).get("summary") else SizeRun
        run = kind(data, Path(tempfile.gettempdir()), caps, saved["repeat"])
        run.steps = {k: Measure(**v) for k, v in entry["steps"].items()}
        runs.append(run)
    info = {k: v for k, v in saved.items() if k not in ("datasets", "series")}
    info["finished"] = dt.datetime.fromisoformat(saved["finished"])
    return runs, info, saved.get("command", "python bench/bench_scale.py")


# ---------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="10000,100000",
        help="comma-separated numbers of films (default: 10000,100000)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (median)")
    parser.add_argument(
        "--cap-build", type=float, default=1800.0, help="seconds a build may take (default: 1800)"
    )
    parser.add_argument(
        "--cap-step",
        type=float,
        default=600.0,
        help="seconds any other step may take (default: 600)",
    )
    parser.add_argument(
        "--cap-naive",
        type=float,
        default=600.0,
        help="seconds a naive route (owlrl, pySHACL, ...) may take (default: 600)",
    )
    parser.add_argument(
        "--cap-query", type=float, default=60.0, help="seconds one query may take (default: 60)"
    )
    parser.add_argument(
        "--cmu",
        choices=("auto", "yes", "no", "only"),
        default="auto",
        help=(
            "also build the CMU corpus when ../shared is there (default: auto); yes: fail "
            "when it is missing; only: the CMU corpus alone, no synthetic size"
        ),
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="working folder (default: a temporary one, removed at the end)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--report-from",
        type=Path,
        metavar="JSON",
        help="only write scale.md and the plot again from a scale.json of an earlier run",
    )
    parser.add_argument(
        "--cap-memory",
        type=float,
        default=None,
        metavar="GB",
        help="address space each naive rdflib route may use (default: no cap)",
    )
    parser.add_argument(
        "--working-store",
        choices=("auto", "memory", "disk"),
        default="auto",
        help="where the builds keep their working graph (filmgraph build --working-store)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--worker-args", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return run_worker(args.worker, args.worker_args or "{}")
    if args.report_from:
        saved_runs, saved_info, saved_command = load_results(args.report_from)
        write_results(saved_runs, saved_info, args.out, saved_command)
        return 0
    if args.cap_memory:
        os.environ["FILMGRAPH_BENCH_MEMORY_CAP_GB"] = str(args.cap_memory)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.cmu == "only":
        sizes = []
    caps = Caps(args.cap_build, args.cap_step, args.cap_naive, args.cap_query)
    work = args.work or Path(tempfile.mkdtemp(prefix="filmgraph-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    info: dict[str, Any] = {
        "machine": machine(),
        "commit": commit(),
        "caps": asdict(caps),
        "sizes": sizes,
        "seed": args.seed,
        "repeat": args.repeat,
        "working_store": args.working_store,
    }
    command = "python bench/bench_scale.py " + " ".join(argv if argv is not None else sys.argv[1:])
    info["command"] = command
    runs: list[SizeRun] = []
    try:
        missed = False
        for films in sorted(sizes):
            folder = work / f"n{films}"
            if missed:
                print(f"skipping {films:,} films: a smaller build already missed its cap")
                data = Dataset(f"{films:,} films", films, [])
                run = SizeRun(data, folder, caps, args.repeat)
                run.skip("build", "a smaller size already missed the build cap")
                runs.append(run)
                continue
            print(f"== {films:,} films", flush=True)
            folder.mkdir(parents=True, exist_ok=True)
            data = synthetic(films, args.seed, folder, caps.step)
            run = SizeRun(data, folder, caps, args.repeat, args.working_store)
            runs.append(run)
            run.run()
            missed = run.steps["build"].status == "timeout"
            shutil.rmtree(folder / "bulk", ignore_errors=True)
        if args.cmu != "no":
            real = cmu(work)
            if real is None and args.cmu in ("yes", "only"):
                return 2
            if real is not None:
                print(f"== {real.label}", flush=True)
                run = CmuRun(real, work / "cmu-run", caps, args.repeat)
                run.work.mkdir(parents=True, exist_ok=True)
                runs.append(run)
                run.run()
    finally:
        info["machine"]["load_average_end"] = os.getloadavg()
        info["finished"] = dt.datetime.now(dt.UTC)
        if runs:
            write_results(runs, info, args.out, command)
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
