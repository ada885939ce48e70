"""The notebooks in ``notebooks/`` run top to bottom on a built graph, and are committed clean.

Each notebook is executed by nbclient in a real Jupyter kernel against the bundled graph
(built once per session, pointed at with ``FILMGRAPH_STORE``): a failing cell fails its test.
Committed notebooks hold no outputs and no execution counts, so a diff shows prose and code,
never stale results.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from filmgraph.build import BuildResult

from .conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
#: A script or style sheet fetched from the network: an offline page has none.
REMOTE = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""",
    re.IGNORECASE,
)


def test_there_are_at_least_four_notebooks() -> None:
    assert len(NOTEBOOKS) >= 4


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_committed_notebook_holds_no_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a cell keeps its outputs"
            assert cell.execution_count is None, f"{path.name}: a cell keeps its count"


@pytest.fixture(scope="module")
def executed(bundled_build: BuildResult) -> Iterator[dict[Path, Any]]:
    """Every notebook, executed once in a fresh kernel with the bundled graph as its store."""
    store = bundled_build.generation.path.parent.parent
    previous = os.environ.get("FILMGRAPH_STORE")
    os.environ["FILMGRAPH_STORE"] = str(store)  # the kernel inherits the environment
    results: dict[Path, Any] = {}
    try:
        for path in NOTEBOOKS:
            notebook = nbformat.read(path, as_version=4)
            client = NotebookClient(
                notebook,
                timeout=240,
                kernel_name="python3",
                resources={"metadata": {"path": str(path.parent)}},
            )
            try:
                client.execute()
            except Exception as error:  # CellExecutionError names the cell and its traceback
                results[path] = error
            else:
                results[path] = notebook
        yield results
    finally:
        if previous is None:
            os.environ.pop("FILMGRAPH_STORE", None)
        else:
            os.environ["FILMGRAPH_STORE"] = previous


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebook_runs_top_to_bottom(executed: dict[Path, Any], path: Path) -> None:
    outcome = executed[path]
    if isinstance(outcome, Exception):
        pytest.fail(f"{path.name} failed:\n{outcome}")
    errors = [
        o
        for c in outcome.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert errors == []


def _outputs(notebook: Any, mime: str) -> list[str]:
    return [
        str(o.data[mime])
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type in ("display_data", "execute_result") and mime in o.data
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebook_draws_its_main_figure(executed: dict[Path, Any], path: Path) -> None:
    outcome = executed[path]
    if isinstance(outcome, Exception):
        pytest.fail(f"{path.name} failed:\n{outcome}")
    tagged = [c for c in outcome.cells if "main-figure" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert any("image/png" in o.get("data", {}) for o in tagged[0].outputs)


def test_the_montage_notebook_embeds_an_interactive_map_that_needs_no_network(
    executed: dict[Path, Any],
) -> None:
    path = next(p for p in NOTEBOOKS if "montage" in p.stem)
    outcome = executed[path]
    if isinstance(outcome, Exception):
        pytest.fail(f"{path.name} failed:\n{outcome}")
    maps = [h for h in _outputs(outcome, "text/html") if "srcdoc=" in h]
    assert len(maps) == 1
    page = html.unescape(maps[0].split('srcdoc="', 1)[1])  # the map page inside the iframe
    assert "new vis.Network" in page and 'id="fg-network"' in page
    assert REMOTE.search(page) is None
