"""The command line starts without loading what the command run does not need."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from filmgraph.cli import COMMANDS, parser

from .conftest import small_build

#: Libraries no command needs before it runs: validation, analytics, maps, figures, reasoning.
HEAVY = ("pyshacl", "networkx", "pyvis", "matplotlib", "owlrl", "scipy")


def loaded_after(code: str) -> set[str]:
    """The heavy modules ``code`` leaves in ``sys.modules``, run in a fresh interpreter."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    modules = json.loads(done.stdout.splitlines()[-1])
    return {m for m in modules if m.split(".")[0] in HEAVY}


def test_importing_the_command_line_loads_no_heavy_library() -> None:
    assert loaded_after("import filmgraph.cli") == set()


def test_importing_the_package_does_no_work() -> None:
    assert loaded_after("import filmgraph") == set()


def test_help_loads_no_command_module() -> None:
    code = (
        "import contextlib, io, sys\n"
        "from filmgraph.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        "assert not any(m.startswith('filmgraph.cli.') for m in sys.modules), sys.modules\n"
    )
    assert loaded_after(code) == set()


@pytest.mark.parametrize("command", ["query", "queries", "summary", "stats"])
def test_a_lookup_command_loads_no_heavy_library(command: str) -> None:
    code = f"from filmgraph.cli import parser_for\nparser_for([{command!r}])\n"
    assert loaded_after(code) == set()


def test_help_lists_every_command_in_the_table_order(capsys: pytest.CaptureFixture[str]) -> None:
    from filmgraph.cli import main

    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    positions = [out.index(f"    {c.name} ") for c in COMMANDS]
    assert positions == sorted(positions)


def test_the_table_gives_each_command_the_help_its_module_registers() -> None:
    full = parser()
    sub = next(a for a in full._actions if a.dest == "command")
    registered = {a.dest: a.help for a in sub._choices_actions}  # type: ignore[attr-defined]
    assert registered == {c.name: c.help for c in COMMANDS}


def test_a_command_parses_the_same_when_only_its_module_is_loaded() -> None:
    from filmgraph.cli import parser_for

    argv = ["path", "Strike", "The Miners", "--max-length", "3", "--format", "json"]
    assert vars(parser_for(argv).parse_args(argv)) == vars(parser().parse_args(argv))


def test_a_query_on_the_embedded_store_builds_no_sparql_grammar_of_rdflib() -> None:
    code = (
        "from rdflib import URIRef\n"
        "from filmgraph.store.oxigraph import OxigraphStore\n"
        "store = OxigraphStore()\n"
        "store.query('SELECT ?s WHERE { ?s ?p ?o }', {'s': URIRef('urn:x')})\n"
        "assert 'rdflib.plugins.sparql.parser' not in sys.modules\n"
    )
    probe = f"import sys\n{code}"
    subprocess.run([sys.executable, "-c", probe], check=True)


def test_a_lineage_and_a_rank_on_a_build_load_no_networkx(tmp_path: Path) -> None:
    store_dir = small_build(tmp_path / "build")
    code = (
        "from filmgraph.answers import lineage_answer, rank_answer\n"
        "from filmgraph.store import open_store\n"
        f"with open_store({str(store_dir)!r}) as store:\n"
        "    assert lineage_answer(store, 'film:intolerance-1916')['generations']\n"
        "    assert rank_answer(store)['films']\n"
    )
    assert loaded_after(code) == set()
