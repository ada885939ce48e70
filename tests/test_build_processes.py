"""Two ``filmgraph build`` processes on one store directory: the second is refused with a
message naming the first, or with ``--wait`` builds once the first is done, on its graph.
Real processes, a real lock: a holder process takes the build lock as a build does."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from filmgraph.builddir import BuildDir

from .conftest import separate_sources

BUILD = [sys.executable, "-m", "filmgraph", "build", "--no-bundled"]
#: The exit codes of a build that published its graph (1: with violations, as these
#: sources have).
BUILT = (0, 1)

#: Takes the build lock of the directory in argv[1] as a build does, says so, and lets go
#: (discarding its generation) when a line arrives on its input.
HOLDER = (
    "import sys; from pathlib import Path; from filmgraph.builddir import BuildDir; "
    "d = BuildDir(Path(sys.argv[1])); g = d.new_generation(); print('held', flush=True); "
    "sys.stdin.readline(); d.discard(g)"
)


@pytest.fixture
def sources(tmp_path: Path) -> list[str]:
    return [arg for s in separate_sources(tmp_path / "src") for arg in ("--source", str(s))]


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "store")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    if process.stdout is None or process.stdout.readline().strip() != "held":
        process.kill()
        pytest.fail("the holder never took the build lock")
    yield process
    process.kill()
    process.wait()


def summary(store: Path) -> dict[str, object]:
    """The current generation's summary without what says how it was built."""
    found = BuildDir(store).current().summary()
    return {k: v for k, v in found.items() if k not in ("built", "generation", "reused")}


def test_a_build_while_another_writes_exits_2_naming_it_and_leaves_the_store(
    sources: list[str], tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    done = subprocess.run(
        [*BUILD, *sources, "--store", str(tmp_path / "store")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    assert f"another build (pid {holder.pid})" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "store" / "current").exists()


def test_a_build_with_wait_builds_once_the_other_lets_go(
    sources: list[str], tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    waiting = subprocess.Popen(
        [*BUILD, *sources, "--wait", "--store", str(tmp_path / "store")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert waiting.stderr is not None
    first = waiting.stderr.readline()
    assert f"waiting for another build (pid {holder.pid}) to finish" in first
    assert waiting.poll() is None
    assert holder.stdin is not None
    holder.stdin.write("done\n")
    holder.stdin.flush()
    _, rest = waiting.communicate(timeout=300)
    assert waiting.returncode in BUILT, rest
    assert (tmp_path / "store" / "current").is_symlink()


def test_two_builds_started_at_once_with_wait_both_land_the_graph_one_build_makes(
    sources: list[str], tmp_path: Path
) -> None:
    builds = [
        subprocess.Popen(
            [*BUILD, *sources, "--wait", "--quiet", "--store", str(tmp_path / "store")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for process in builds:
        _, errors = process.communicate(timeout=300)
        assert process.returncode in BUILT, errors
    alone = subprocess.run([*BUILD, *sources, "--quiet", "--store", str(tmp_path / "alone")])
    assert alone.returncode in BUILT
    assert summary(tmp_path / "store") == summary(tmp_path / "alone")
    # the later of the two read what the first published and replayed its documents
    assert BuildDir(tmp_path / "store").current().summary()["reused"] > 0
