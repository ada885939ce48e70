"""The examples in the analytics docstrings run, so the documentation cannot drift."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["paths", "lineage", "ranking", "bridges", "communities", "contested"]


@pytest.mark.parametrize("name", MODULES)
def test_the_docstring_examples_hold(name: str) -> None:
    module = importlib.import_module(f"filmgraph.analytics.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{module.__name__} has no examples"
    assert result.failed == 0
