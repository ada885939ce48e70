"""The TriG dump of a build is re-read by an independent parser (raptor's rapper)."""

from __future__ import annotations

import subprocess

import pytest

from filmgraph.build import BuildResult, build

from .conftest import FIXTURES, require_program


def rapper_count(path: str) -> int:
    rapper = require_program("rapper")
    done = subprocess.run(
        [rapper, "--input", "trig", "--count", path], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    # rapper reports "rapper: Parsing returned N triples" on stderr
    return int(done.stderr.rsplit("returned", 1)[1].split()[0])


@pytest.mark.integration
def test_rapper_reads_every_quad_of_a_small_build(tmp_path_factory: pytest.TempPathFactory) -> None:
    result = build(
        tmp_path_factory.mktemp("trig") / "b", sources=[FIXTURES / "curated-small"], bundled=False
    )
    assert rapper_count(str(result.generation.trig_path)) == result.counts["triples"]


@pytest.mark.integration
def test_rapper_reads_every_quad_of_the_bundled_build(bundled_build: BuildResult) -> None:
    count = rapper_count(str(bundled_build.generation.trig_path))
    assert count == bundled_build.counts["triples"]
