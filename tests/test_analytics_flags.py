"""Claims the checks flag are left out of the analytics by default, and shown when asked.

The planted fixture (``tests/fixtures/analytics/``) holds one claim pointing forward in time:
*Late Film* (1937, 1936 in the archive) drew on *After Film* (1950). It must not make After
Film an ancestor of Late Film, nor give a path from After Film, unless ``--include-flagged``.
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from filmgraph.analytics.cache import cached_influence_graph
from filmgraph.analytics.flags import edge_flags, flagged_edges, unflagged, whole
from filmgraph.analytics.lineage import lineage
from filmgraph.answers import lineage_answer, path_answer, rank_answer
from filmgraph.build import build
from filmgraph.cli import main
from filmgraph.store import open_store
from filmgraph.viz.maps import MapRequest, influence_map

from .conftest import FIXTURES

ANALYTICS = FIXTURES / "analytics"
FILM = "https://w3id.org/filmgraph/id/film/"


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store_dir = tmp_path_factory.mktemp("planted-flags") / "build"
    build(
        store_dir, sources=[ANALYTICS / "planted", ANALYTICS / "planted-archive.ttl"], bundled=False
    )
    return store_dir


def dated(years: dict[str, tuple[int, ...]], edges: list[tuple[str, str]]) -> nx.DiGraph:
    graph = nx.DiGraph()
    for node, ys in years.items():
        graph.add_node(node, label=node, years=ys, year=min(ys) if ys else None)
    graph.add_edges_from(edges, claims=[{"claim": "c", "source": "s"}])
    return graph


def test_a_later_influencer_is_flagged_forward_in_time() -> None:
    graph = dated({"late": (1950,), "early": (1930,)}, [("late", "early")])
    assert edge_flags(graph, "late", "early") == ("forward in time",)


def test_a_work_drawing_on_itself_is_flagged() -> None:
    graph = dated({"a": (1930,)}, [("a", "a")])
    assert edge_flags(graph, "a", "a") == ("self-influence",)


def test_a_year_conflict_that_could_reverse_the_claim_is_flagged() -> None:
    graph = dated({"a": (1935,), "b": (1930, 1940)}, [("a", "b")])
    assert edge_flags(graph, "a", "b") == ("year conflict",)


def test_a_year_conflict_that_keeps_the_direction_is_not_flagged() -> None:
    graph = dated({"a": (1925,), "b": (1936, 1937)}, [("a", "b")])
    assert edge_flags(graph, "a", "b") == ()


@given(
    st.lists(st.integers(1890, 2020), min_size=1, max_size=3),
    st.lists(st.integers(1890, 2020), min_size=1, max_size=3),
)
def test_an_edge_is_sound_exactly_when_every_choice_of_years_keeps_its_direction(
    influencer: list[int], influencee: list[int]
) -> None:
    graph = dated(
        {"u": tuple(sorted(set(influencer))), "v": tuple(sorted(set(influencee)))}, [("u", "v")]
    )
    sound = all(a <= b for a in influencer for b in influencee)
    assert (edge_flags(graph, "u", "v") == ()) == sound


def test_the_view_leaves_out_flagged_edges_and_keeps_every_node() -> None:
    graph = dated(
        {"early": (1925,), "mid": (1930,), "after": (1950,)}, [("early", "mid"), ("after", "mid")]
    )
    view = unflagged(graph)
    assert set(view.edges) == {("early", "mid")}
    assert set(view.nodes) == set(graph.nodes)
    assert whole(view) is graph


def test_the_projection_marks_the_planted_claim_and_only_it(planted: Path) -> None:
    with open_store(planted) as store:
        graph = cached_influence_graph(store, include_flagged=True)
    (edge,) = flagged_edges(graph)
    assert (edge.influencer, edge.influencee) == (f"{FILM}after-1950", f"{FILM}late-1937")
    assert edge.kinds == ("forward in time",)


def test_lineage_leaves_out_the_later_ancestor(planted: Path) -> None:
    with open_store(planted) as store:
        answer = lineage_answer(store, "Late Film", direction="up")
    ancestors = {n["label"] for g in answer["generations"] for n in g}
    assert ancestors == {"Middle Film", "Early Film"}
    assert answer["flagged"]["claims"] == 1 and not answer["flagged"]["included"]


def test_lineage_with_flagged_claims_marks_what_they_add(planted: Path) -> None:
    with open_store(planted) as store:
        answer = lineage_answer(store, "Late Film", direction="up", include_flagged=True)
    marked = {n["label"]: n["flagged"] for n in answer["generations"][0]}
    assert marked == {"Middle Film": False, "After Film": True}


def test_no_path_runs_backwards_in_time_by_default(planted: Path) -> None:
    with open_store(planted) as store:
        assert path_answer(store, "After Film", "Late Film")["paths"] == []
        (path,) = path_answer(store, "After Film", "Late Film", include_flagged=True)["paths"]
    assert path["steps"][0]["flags"] == ["forward in time"]


def test_rank_leaves_the_flagged_claim_out(planted: Path) -> None:
    with open_store(planted) as store:
        default = {f["label"]: f["in_degree"] for f in rank_answer(store, top=20)["films"]}
        included = {
            f["label"]: f["in_degree"]
            for f in rank_answer(store, top=20, include_flagged=True)["films"]
        }
    assert default["After Film"] == 0 and included["After Film"] == 1


def test_the_analytics_see_the_view_as_a_graph_without_the_edge() -> None:
    graph = dated(
        {"early": (1925,), "late": (1937,), "after": (1950,)},
        [("early", "late"), ("after", "late")],
    )
    assert lineage(unflagged(graph), "late", direction="up") == [["early"]]


def test_the_cli_says_on_stderr_what_it_left_out(
    planted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lineage", "Late Film", "--direction", "up", "--store", str(planted)]) == 0
    out, err = capsys.readouterr()
    assert "After Film" not in out
    assert "left out 1 claim(s) the checks flag: After Film (1950) -> Late Film" in err


def test_the_cli_marks_flagged_claims_when_asked(
    planted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["path", "After Film", "Late Film", "--include-flagged", "--store", str(planted)]) == 0
    )
    out, _ = capsys.readouterr()
    assert "[flagged: forward in time]" in out


def test_json_carries_the_flagged_claims(planted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["bridges", "--format", "json", "--store", str(planted)])
    flagged = json.loads(capsys.readouterr().out)["flagged"]
    assert flagged["claims"] == 1
    assert flagged["edges"][0]["kinds"] == ["forward in time"]


def test_maps_leave_the_flagged_claim_out_unless_asked(planted: Path) -> None:
    edge = (f"{FILM}after-1950", f"{FILM}late-1937", "influence")
    with open_store(planted) as store:
        default = influence_map(store, MapRequest(everything=True)).graph
        included = influence_map(store, MapRequest(everything=True, include_flagged=True)).graph
    assert not default.has_edge(*edge)
    assert default.graph["flagged"] == {"included": False, "claims": 1}
    assert included.edges[edge]["flags"] == ["forward in time"]


def test_communities_say_what_they_left_out(
    planted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["communities", "--min-size", "2", "--store", str(planted)])
    assert "left out 1 claim(s) the checks flag" in capsys.readouterr().err
