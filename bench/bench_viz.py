"""How fast an influence map is drawn and settled in a real browser, ours against pyvis's defaults.

Run by ``make bench`` (or ``.venv/bin/python bench/bench_viz.py [SIZES…]``); writes
``bench/results/viz.md``. For synthetic influence graphs of 100, 1,000 and 5,000 nodes
(about two claims per node, years 1900-2020, a dozen movements), each page is opened in
Debian's headless Chromium (Playwright, every non-local request recorded and aborted) and
timed from navigation start until the network is drawn and still:

- ours, ``timeline``: positions precomputed, physics off; still = the page's ready flag
  (first frame drawn);
- ours, ``force``: vis-network settles the layout once (300 iterations), then physics is
  switched off; still = the page's ready flag;
- pyvis defaults: ``Network(directed=True)`` with ``add_node``/``add_edge`` and pyvis's own
  options (Barnes-Hut physics, dynamic smooth edges, 1,000 stabilisation iterations), made
  with ``cdn_resources="in_line"`` because pyvis's default ``local`` mode loads vis-network
  itself from a CDN and never draws offline (measured below at 100 nodes); still = vis-network's
  physics has finished stabilising and stopped simulating.

In every case the time is taken two animation frames after "still", so a frame has been
painted. Then a one-second zoom animation is run and its frames counted (frames per second and
the longest frame): whether the page stays responsive once drawn. Each measurement is bounded
by a timeout and a timeout is reported as such.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
from pyvis.network import Network

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from tests.viz_browser import chromium, open_page  # noqa: E402

from filmgraph.viz.details import Catalogue, map_graph  # noqa: E402
from filmgraph.viz.page import write_page  # noqa: E402
from filmgraph.viz.selection import everything  # noqa: E402

RESULTS = ROOT / "results" / "viz.md"
SIZES = (100, 1000, 5000)
REPEAT = {100: 3, 1000: 3, 5000: 1}
TIMEOUT_S = 150.0
MOVEMENTS = [f"https://w3id.org/filmgraph/id/movement/m{i}" for i in range(12)]
TYPES = ("inspiration claim", "adaptation claim", "person influence claim")


def synthetic(n: int, seed: int = 1937) -> nx.DiGraph:
    """An influence graph shaped like ours: later works draw on 1 to 3 earlier ones, chosen with
    a preference for what is already influential; a tenth of the nodes are people."""
    rng = random.Random(seed)
    graph = nx.DiGraph()
    years = sorted(rng.randint(1900, 2020) for _ in range(n))
    for i, year in enumerate(years):
        person = rng.random() < 0.1
        kind = "person" if person else "film"
        movements = (rng.choice(MOVEMENTS),) if rng.random() < 0.35 else ()
        graph.add_node(
            f"https://w3id.org/filmgraph/id/{kind}/n{i}",
            label=f"Work {i} ({year})",
            year=year,
            kind=kind,
            movements=movements,
        )
    nodes = list(graph)
    popularity = [1] * n
    for i in range(1, n):
        for _ in range(rng.choice((1, 2, 2, 3))):
            j = rng.choices(range(i), weights=popularity[:i])[0]
            a, b = nodes[j], nodes[i]
            if graph.has_edge(a, b):
                continue
            kind = (
                "person influence claim"
                if graph.nodes[b]["kind"] == "person"
                else rng.choice(TYPES[:2] * 3 + TYPES[:1])
            )
            weight = rng.choice((1.0, 0.6, 0.3))
            claim = {
                "claim": f"urn:claim:{i}-{j}",
                "type": kind,
                "aspect": "style",
                "source": "urn:source:bench",
                "weight": weight,
            }
            graph.add_edge(a, b, claims=[claim], types=[kind], sources=1, weight=weight)
            popularity[j] += 1
    return graph


def ours(graph: nx.DiGraph, path: Path, layout: str) -> Path:
    empty = Catalogue(nodes={}, claims={}, movements={}, similar={}, context={})
    mapped = map_graph(graph, everything(graph), empty)
    return write_page(path, mapped, layout=layout)


def pyvis_default(graph: nx.DiGraph, path: Path, cdn_resources: str = "in_line") -> Path:
    net = Network(directed=True, cdn_resources=cdn_resources)
    for node, data in graph.nodes(data=True):
        net.add_node(node, label=data["label"])
    for a, b in graph.edges:
        net.add_edge(a, b)
    net.write_html(str(path))
    return path


OUR_STILL = "() => window.filmgraph !== undefined && window.filmgraph.state.ready"
PYVIS_FIRST = "() => typeof network !== 'undefined' && network.physics.ready === true"
PYVIS_STILL = (
    "() => typeof network !== 'undefined' && network.physics.ready === true"
    " && network.physics.viewFunction === undefined"
)
PAINTED = (
    "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame("
    "() => r(performance.now()))))"
)
ZOOM = """(net) => new Promise(resolve => {
    const frames = []; const start = performance.now(); let last = start;
    net.moveTo({scale: net.getScale() * 2, animation: {duration: 1000, easingFunction: 'linear'}});
    function tick(now) {
        frames.push(now - last); last = now;
        if (now - start < 1000) { requestAnimationFrame(tick); }
        else { resolve({fps: frames.length / ((now - start) / 1000), worst: Math.max(...frames)}); }
    }
    requestAnimationFrame(tick);
})"""


@dataclass
class Measure:
    first: float | None  # first drawn in its final place (pyvis: stabilisation iterations done)
    seconds: float | None  # drawn and still; None: timed out
    fps: float | None
    worst_frame_ms: float | None
    blocked: int


def measure(browser: Any, page: Path, first: str, still: str, network: str) -> Measure:
    with open_page(browser, page, wait_ready=False, timeout_ms=TIMEOUT_S * 1000) as record:
        times: list[float | None] = []
        for predicate in (first, still):
            try:
                record.page.wait_for_function(predicate, polling="raf", timeout=TIMEOUT_S * 1000)
            except Exception as error:  # playwright's TimeoutError
                if "Timeout" not in str(error):
                    raise
                return Measure(*[*times, None, None][:2], None, None, len(record.network_requests))
            times.append(float(record.evaluate(PAINTED)) / 1000)
        zoom = record.page.evaluate(f"() => ({ZOOM})({network})")
        assert not record.page_errors, record.page_errors
        return Measure(times[0], times[1], zoom["fps"], zoom["worst"], len(record.network_requests))


def measure_offline_default(browser: Any, page: Path) -> Measure:
    """pyvis's default page: does vis-network ever get loaded and draw? (10 s bound)"""
    with open_page(browser, page, wait_ready=False) as record:
        try:
            record.page.wait_for_function(PYVIS_STILL, polling="raf", timeout=10_000)
            seconds: float | None = float(record.evaluate(PAINTED)) / 1000
        except Exception as error:
            if "Timeout" not in str(error):
                raise
            seconds = None
        return Measure(seconds, seconds, None, None, len(record.network_requests))


def median_of(runs: list[Measure]) -> Measure:
    if any(r.seconds is None for r in runs):
        return next(r for r in runs if r.seconds is None)

    def med(values: list[float | None]) -> float:
        return statistics.median(v for v in values if v is not None)

    return Measure(
        med([r.first for r in runs]),
        med([r.seconds for r in runs]),
        med([r.fps for r in runs]),
        med([r.worst_frame_ms for r in runs]),
        runs[0].blocked,
    )


def timed(make: Callable[[], Path]) -> tuple[Path, float]:
    start = time.perf_counter()
    path = make()
    return path, time.perf_counter() - start


def fmt(value: float | None, pattern: str, timeout: str = f"timeout (> {TIMEOUT_S:.0f} s)") -> str:
    return timeout if value is None else pattern.format(value)


def main(sizes: tuple[int, ...] = SIZES) -> str:
    rows = []
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        folder = Path(tmp)
        # pyvis's default mode: vis-network from a CDN, so offline it never draws
        small = synthetic(100)
        local_dir = folder / "local"
        local_dir.mkdir()
        cwd = Path.cwd()
        try:  # write_html copies its lib/ folder into the working directory
            os.chdir(local_dir)
            local_page = pyvis_default(small, local_dir / "pyvis-local.html", "local")
        finally:
            os.chdir(cwd)
        local = measure_offline_default(browser, local_page)
        for n in sizes:
            graph = synthetic(n)
            edges = graph.number_of_edges()
            made = {
                "ours, timeline": timed(
                    lambda g=graph, n=n: ours(g, folder / f"t{n}.html", "timeline")
                ),
                "ours, force": timed(lambda g=graph, n=n: ours(g, folder / f"f{n}.html", "force")),
                "pyvis defaults": timed(
                    lambda g=graph, n=n: pyvis_default(g, folder / f"p{n}.html")
                ),
            }
            results: dict[str, Measure] = {}
            for name, (page, _) in made.items():
                first, still, net = (
                    (PYVIS_FIRST, PYVIS_STILL, "network")
                    if name.startswith("pyvis")
                    else (OUR_STILL, OUR_STILL, "filmgraph.network")
                )
                runs = []
                for _ in range(REPEAT.get(n, 1)):
                    runs.append(measure(browser, page, first, still, net))
                    if runs[-1].seconds is None:
                        break
                results[name] = median_of(runs)
                print(
                    f"{n:>5} nodes  {name:<15} {fmt(results[name].seconds, '{:.2f} s')}", flush=True
                )
            base = results["pyvis defaults"].seconds
            for name, result in results.items():
                ratio = (
                    "—"
                    if name.startswith("pyvis")
                    else f"more than {TIMEOUT_S / result.seconds:.0f} times faster (pyvis "
                    "timed out)"
                    if base is None and result.seconds is not None
                    else "—"
                    if result.seconds is None or base is None
                    else f"{base / result.seconds:.1f} times faster"
                )
                rows.append(
                    f"| {n:,} | {edges:,} | {name} | {made[name][1]:.2f} s | "
                    f"{fmt(result.first, '{:.2f} s')} | {fmt(result.seconds, '{:.2f} s')} | "
                    f"{ratio} | "
                    f"{fmt(result.fps, '{:.0f}', '—')} | "
                    f"{fmt(result.worst_frame_ms, '{:.0f} ms', '—')} | "
                    f"{result.blocked} |"
                )
    text = "\n".join(
        [
            "# Influence maps in the browser: ours against pyvis's defaults",
            "",
            "Written by `bench/bench_viz.py` (run by `make bench`). Synthetic influence graphs, "
            "Debian's headless Chromium via Playwright, software rendering, every non-local "
            "request aborted. *Drawn and still*: from navigation start until the network has "
            "stopped moving and a frame is painted (median of "
            f"{REPEAT[100]} runs below 5,000 nodes, one run at 5,000; timeout {TIMEOUT_S:.0f} s). "
            "*Zoom*: frames per second and longest frame during a one-second zoom animation "
            "once still. *First drawn*: pyvis draws once its 1,000 stabilisation iterations "
            "are done, then keeps simulating; ours are drawn in place and still at once. "
            "*Blocked*: requests to the network the page tried (all aborted).",
            "",
            "| nodes | edges | page | page written in | first drawn | drawn and still "
            "| vs pyvis | zoom fps | longest frame | blocked |",
            "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
            'pyvis in its default `cdn_resources="local"` mode (100 nodes): '
            + (
                "never drawn offline: "
                if local.seconds is None
                else f"drawn in {local.seconds:.2f} s, "
            )
            + f"{local.blocked} network requests blocked (vis-network and its style sheet from "
            "cdnjs, Bootstrap from jsDelivr). In `in_line` mode, used above, it still asks "
            "jsDelivr for Bootstrap twice.",
            "",
        ]
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    return text


if __name__ == "__main__":
    print(main(tuple(int(a) for a in sys.argv[1:]) or SIZES))
