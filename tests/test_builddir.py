"""Build directories: one build at a time, readers' leases, clear errors for bad directories.

The behaviours the server and ``filmgraph build`` rely on, tested on real directories,
real ``flock`` locks and (as root) real read-only and full file systems.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from filmgraph.builddir import BuildDir, Generation
from filmgraph.errors import BuildError, StoreNotFound

from .publish_support import PUBLISH

REPO = Path(__file__).resolve().parents[1]


def finished(build_dir: BuildDir) -> Generation:
    """A generation written and published, as a build does it."""
    generation = build_dir.new_generation()
    (generation.path / "summary.json").write_text("{}", encoding="utf-8")
    build_dir.publish(generation)
    return generation


def test_a_second_build_into_the_same_directory_is_refused_naming_the_first(
    tmp_path: Path,
) -> None:
    first = BuildDir(tmp_path)
    in_progress = first.new_generation()
    with pytest.raises(BuildError, match=rf"another build \(pid {os.getpid()}\)"):
        BuildDir(tmp_path).new_generation()
    assert in_progress.path.is_dir()  # the refused build removed nothing
    first.publish(in_progress)
    assert BuildDir(tmp_path).current() == in_progress


def test_the_build_lock_is_free_again_after_publish_or_discard(tmp_path: Path) -> None:
    build_dir = BuildDir(tmp_path)
    build_dir.discard(build_dir.new_generation())
    finished(build_dir)
    finished(BuildDir(tmp_path))


def test_a_killed_build_lets_go_of_the_lock(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; "
            "from filmgraph.builddir import BuildDir; BuildDir(Path(sys.argv[1])).new_generation();"
            " print('held', flush=True); time.sleep(60)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(BuildError, match=f"pid {holder.pid}"):
            BuildDir(tmp_path).new_generation()
    finally:
        holder.kill()
        holder.wait()
    finished(BuildDir(tmp_path))


def test_pruning_keeps_a_generation_a_reader_holds(tmp_path: Path) -> None:
    build_dir = BuildDir(tmp_path)
    old = finished(build_dir)
    lease = build_dir.hold()
    assert lease.generation == old
    newer = finished(build_dir)
    assert old.path.is_dir() and build_dir.current() == newer
    lease.release()
    newest = finished(build_dir)
    assert not old.path.exists() and not newer.path.exists()
    assert build_dir.current() == newest


def test_a_lease_of_a_dead_reader_does_not_hold(tmp_path: Path) -> None:
    build_dir = BuildDir(tmp_path)
    old = finished(build_dir)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; "
            "from filmgraph.builddir import BuildDir; BuildDir(Path(sys.argv[1])).hold()",
            str(tmp_path),
        ],
        check=True,
    )
    finished(build_dir)
    assert not old.path.exists()
    assert list((tmp_path / "leases").iterdir()) == []


def test_holding_an_empty_directory_says_to_build_first(tmp_path: Path) -> None:
    with pytest.raises(StoreNotFound, match="run 'filmgraph build' first"):
        BuildDir(tmp_path).hold()


def _mount(target: Path, options: str) -> Iterator[Path]:
    target.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root (CI runs as root)")
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], check=True)
    try:
        yield target
    finally:
        subprocess.run(["umount", str(target)], check=True)


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    yield from _mount(tmp_path / "ro", "ro,size=1m")


@pytest.fixture
def full_dir(tmp_path: Path) -> Iterator[Path]:
    yield from _mount(tmp_path / "full", "size=64k")


@pytest.mark.parametrize(
    ("kind", "reason"), [("read_only_dir", "read-only"), ("full_dir", "the disk is full")]
)
def test_an_unwritable_store_directory_is_a_clear_error(
    request: pytest.FixtureRequest, kind: str, reason: str
) -> None:
    directory: Path = request.getfixturevalue(kind)
    with pytest.raises(BuildError, match=reason):
        BuildDir(directory / "build").new_generation()


@pytest.mark.parametrize("kind", ["read_only_dir", "full_dir"])
def test_the_build_command_exits_2_without_a_traceback_on_an_unwritable_directory(
    request: pytest.FixtureRequest, kind: str
) -> None:
    directory: Path = request.getfixturevalue(kind)
    done = _build_command(directory / "build", "--no-bundled", "--source", str(PUBLISH / "curated"))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "cannot write the build into" in done.stderr


@pytest.fixture
def small_dir(tmp_path: Path) -> Iterator[Path]:
    """Room to start a build (more than the least it asks for) but not to finish one."""
    yield from _mount(tmp_path / "small", "size=40m")


def test_a_disk_filling_up_during_the_build_exits_2_and_leaves_nothing(small_dir: Path) -> None:
    store = small_dir / "build"
    done = _build_command(store)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "the disk is full" in done.stderr
    assert not BuildDir(store).has_current()
    assert list((store / "generations").iterdir()) == []


def _build_command(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``filmgraph build --store STORE ARGS…`` run as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "filmgraph", "build", "--store", str(store), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
