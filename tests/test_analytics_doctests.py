"""The examples in the analytics docstrings run, so the documentation cannot drift."""

from __future__ import annotations

import doctest
import importlib

import networkx
import pytest

MODULES = ["paths", "lineage", "ranking", "bridges", "communities", "contested", "flags"]


@pytest.mark.parametrize("name", MODULES)
def test_the_docstring_examples_hold(name: str) -> None:
    module = importlib.import_module(f"filmgraph.analytics.{name}")
    # As in NetworkX's own documentation, the examples take `import networkx as nx` as read:
    # the modules a lookup loads import it only where an algorithm runs.
    result = doctest.testmod(
        module, extraglobs={"nx": networkx}, optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 0, f"{module.__name__} has no examples"
    assert result.failed == 0
