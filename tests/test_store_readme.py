"""The README's Virtuoso recipe, run as written: the block a reader pastes, on free ports.

The block after ``<!-- virtuoso-recipe`` in README.md is read from the README itself and run
by bash, with only what must differ on a test machine changed: the install line is left out
(``.ci/run`` installs Virtuoso), the ports are free ones, the folder is temporary,
``.venv/bin/filmgraph`` is the Python running the tests, and the build reads the small
curated fixture instead of the bundled sources (minutes instead of seconds).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDFS, Graph, Literal, URIRef

from .conftest import REPO, require_program
from .publish_support import PUBLISH
from .virtuoso import _free_port

pytestmark = pytest.mark.integration

MARKER = "<!-- virtuoso-recipe"
POTEMKIN = URIRef("https://w3id.org/filmgraph/id/film/battleship-potemkin-1925")


def recipe() -> str:
    """The shell block that follows the recipe marker in README.md."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    after = text[text.index(MARKER) :]
    found = re.search(r"```sh\n(.*?)```", after, re.DOTALL)
    assert found is not None, "the README's Virtuoso recipe has no ```sh block"
    return found.group(1)


def on_this_machine(block: str, folder: Path, sql: int, http: int) -> str:
    """The recipe with ports, folder, program and sources a test machine can use."""
    lines = [line for line in block.splitlines() if not line.startswith("sudo ")]
    script = "\n".join(lines)
    script = script.replace("~/filmgraph-virtuoso", str(folder))
    script = script.replace("127.0.0.1:1111", f"127.0.0.1:{sql}")
    script = script.replace("isql-vt 1111 ", f"isql-vt {sql} ")
    script = script.replace("127.0.0.1:8890", f"127.0.0.1:{http}")
    script = script.replace(".venv/bin/filmgraph", f"{sys.executable} -m filmgraph")
    script = re.sub(
        r"(-m filmgraph build --store \S+)",
        rf"\1 --no-bundled --source {PUBLISH / 'curated'} --quiet",
        script,
    )
    return "set -euo pipefail\n" + script


def test_the_readme_virtuoso_recipe_runs_as_written(tmp_path: Path) -> None:
    require_program("virtuoso-t")
    require_program("isql-vt")
    block = recipe()
    assert "apt-get install -y virtuoso-opensource" in block
    folder = tmp_path / "filmgraph-virtuoso"
    sql, http = _free_port(), _free_port()
    script = on_this_machine(block, folder, sql, http)
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    try:
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=REPO,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        stopped = _stop(folder, sql)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "Error" not in output, output[-4000:]  # isql-vt goes on after a failed statement
    assert "Strike" in done.stdout  # the query's answer
    assert "Conforms: yes" in done.stdout  # check's report
    around = Graph().parse(folder / "potemkin.ttl", format="turtle")
    assert (POTEMKIN, RDFS.label, Literal("Battleship Potemkin", lang="en")) in around
    assert stopped, "the README's stop command (with the dba password it set) failed"


def _stop(folder: Path, sql: int) -> bool:
    """Stop the recipe's Virtuoso as the README says (whether that worked); by its pid
    if that fails."""
    stopped = subprocess.run(
        ["isql-vt", str(sql), "dba", "change-this-too", "-K"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    lock = folder / "virtuoso.lck"
    if lock.is_file():
        found = re.search(r"VIRT_PID=(\d+)", lock.read_text(errors="replace"))
        if found:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(found.group(1)), signal.SIGKILL)
    return stopped.returncode == 0
