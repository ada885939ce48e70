"""How the film-page reader copes with the ways people write pages: one behaviour per test.

Each test writes a small page of its own (our prose) and reads it, so what it checks is in
front of the reader. Recall over whole pages is in ``test_loader_filmpage_others.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from filmgraph.errors import SourceError
from filmgraph.iri import mint
from filmgraph.loaders import LoadContext, get_loader
from filmgraph.loaders.pageformat import (
    Line,
    heading_key,
    page_format,
    parse_connection,
    read_page,
    strip_bullet,
)
from filmgraph.loaders.pagegazetteer import Gazetteer
from filmgraph.loaders.pageprose import find_credits, find_weak_signals
from filmgraph.namespaces import FG
from filmgraph.resources import sources_dir

from .conftest import FIXTURES

HEADER = "A Test Film\n\n1950 61 minutes Soviet Union\n\n"


def write(tmp_path: Path, body: str, name: str = "a-test-film-1950.txt") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def load(path: Path) -> tuple[Graph, LoadContext]:
    context = LoadContext(strict=True)
    graph = Graph()
    for source in get_loader("film-page").load(path, context, path.parent):
        graph += source.graph
    return graph, context


@given(
    st.sampled_from(sorted(page_format().sections)),
    st.lists(st.sampled_from(["lower", "upper", "title", "same"]), min_size=1, max_size=1),
    st.integers(min_value=1, max_value=3),
)
def test_a_heading_is_known_whatever_its_case_spacing_and_ampersand(
    heading: str, case: list[str], spaces: int
) -> None:
    written = {"lower": heading.lower(), "upper": heading.upper(), "title": heading.title()}.get(
        case[0], heading
    )
    written = written.replace("&", "and").replace(" ", " " * spaces)
    assert page_format().keys[heading_key(written)] == heading


@pytest.mark.parametrize("marker", ["•", "-", "*", "\u2013", "1.", "2)"])
def test_every_bullet_and_number_marks_an_item(marker: str) -> None:
    assert strip_bullet(f"  {marker} The reel broke twice") == "The reel broke twice"


def test_a_hyphenated_word_at_the_start_of_a_line_is_no_bullet() -> None:
    assert strip_bullet("-ish words are rare") is None


def test_trivia_written_with_hyphens_are_items(tmp_path: Path) -> None:
    graph, _ = load(write(tmp_path, "DID YOU KNOW?\n\n- One\n- Two\n"))
    assert len(set(graph.subjects(RDF.type, FG.TriviaItem))) == 2


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom-1950.txt"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "Plot\n\nA plot.\n").encode("utf-8"))
    assert read_page(path).header.title.text == "A Test Film"


def test_a_latin1_page_is_decoded_and_the_encoding_noted(tmp_path: Path) -> None:
    path = tmp_path / "cafe-1950.txt"
    path.write_bytes(
        ("Café Noir\n\n1950 61 minutes France\n\nPlot\n\nUn café.\n").encode("latin-1")
    )
    page = read_page(path)
    assert page.header.title.text == "Café Noir"
    assert any("not UTF-8" in note for _, note in page.notes)


def test_bytes_no_encoding_reads_are_refused_with_line_byte_and_hint(tmp_path: Path) -> None:
    path = tmp_path / "garbled-1950.txt"
    path.write_bytes(b"Title\n\n1937 89 minutes\n\x00\x01\x02\xff\xfe\x00\x81\x8d")
    with pytest.raises(SourceError) as error:
        read_page(path)
    assert error.value.line == 4
    assert "byte 0xff at byte 4 of the line" in str(error.value)
    assert "save the file as UTF-8" in str(error.value)


def test_a_title_with_no_letter_or_digit_is_refused_naming_line_and_field(
    tmp_path: Path,
) -> None:
    path = tmp_path / "dashes-1950.txt"
    path.write_text("\n-- ?! --\n\n1950 90 minutes France\n", encoding="utf-8")
    with pytest.raises(SourceError) as error:
        read_page(path)
    assert (error.value.line, error.value.field) == (2, "title")


def test_an_unknown_heading_is_kept_as_a_section_and_noted(tmp_path: Path) -> None:
    graph, context = load(write(tmp_path, "Plot\n\nA plot.\n\nCast\n\nAnna Testova as Masha\n"))
    assert Literal("Cast") in set(graph.objects(None, FG.sectionName))
    assert Literal("Anna Testova as Masha", lang="en") in set(graph.objects(None, FG.text))
    assert any("heading 'Cast' is not one of the format's" in n for n in context.notes)


def test_a_sentence_in_the_awards_section_is_not_an_award(tmp_path: Path) -> None:
    graph, context = load(write(tmp_path, "Awards & Recognition\n\nNo awards are known.\n"))
    assert not set(graph.subjects(RDF.type, FG.AwardRecognition))
    assert any("not read as an award" in n for n in context.notes)


def test_a_topic_outside_the_vocabulary_is_a_new_unresolved_concept(tmp_path: Path) -> None:
    graph, context = load(write(tmp_path, "Themes & Topics\n\nmontageReel repair\n"))
    concept = mint("theme", "reel-repair")
    assert (concept, FG.unresolved, Literal(True)) in graph
    assert (URIRef(mint("film", "a-test-film-1950")), FG.hasTheme, concept) in graph
    assert any("'Reel repair'" in n for n in context.notes)


def test_an_uncertain_year_is_kept_with_its_doubt(tmp_path: Path) -> None:
    path = tmp_path / "old-1910.txt"
    path.write_text("Old Reel\n\nc. 1910 8 minutes Russian Empire\n\nPlot\n\nA plot.\n")
    graph, _ = load(path)
    assert Literal("uncertain") in set(graph.objects(None, FG.yearCertainty))


@pytest.mark.parametrize(
    ("sentence", "role", "names"),
    [
        (
            "The directors Grigori Kozintsev and Leonid Trauberg began with comedy.",
            "director",
            ["Grigori Kozintsev", "Leonid Trauberg"],
        ),
        ("Cinematographer Andrei Moskvin lit the set.", "cinematographer", ["Andrei Moskvin"]),
        (
            "Composers Ivan Testov, Pyotr Lensov and Anna Reelova shared the score.",
            "composer",
            ["Ivan Testov", "Pyotr Lensov", "Anna Reelova"],
        ),
        ("The script was written by Yury Tynyanov.", "screenwriter", ["Yury Tynyanov"]),
    ],
)
def test_roles_in_the_plural_and_at_a_sentence_start(
    sentence: str, role: str, names: list[str]
) -> None:
    assert [(f.role, f.name) for f in find_credits(sentence)] == [(role, n) for n in names]


def test_worked_with_is_a_weak_signal_not_a_credit() -> None:
    sentence = "Eisenstein worked with Pyotr Pavlenko on the dialogue."
    assert find_credits(sentence) == []
    assert find_weak_signals(sentence) == ["worked with Pyotr Pavlenko"]


def test_an_event_is_found_in_lower_case_when_asked() -> None:
    graph = Graph()
    event = mint("event", "assassination-of-kirov")
    graph.add((event, RDF.type, FG.HistoricalEvent))
    graph.add(
        (
            event,
            URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
            Literal("Assassination of Sergei Kirov", lang="en"),
        )
    )
    gazetteer = Gazetteer.from_graphs([graph])
    text = "It was made after the assassination of Sergei Kirov."
    assert gazetteer.mentions("event", text, min_words=2) == []
    found = gazetteer.mentions("event", text, min_words=2, any_case=True)
    assert [m.entry.iri for m in found] == [event]


def curated_context() -> LoadContext:
    context = LoadContext(strict=True)
    curated = sources_dir() / "curated"
    for source in get_loader("curated-tables").load(curated, context, curated.parent):
        context.loaded.append(source.graph)
    return context


def test_a_known_person_after_a_role_word_is_found_in_lower_case_or_transliterated(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "About the Production\n\nProduction Lenfilm\n\n"
        "The music is by the composer dmitri shostakovich. "
        "It was photographed by cinematographer Eduard Tisse, "
        "and the director Sergey Eyzenshteyn visited the set.\n",
    )
    context = curated_context()
    graph = Graph()
    for source in get_loader("film-page").load(path, context, path.parent):
        graph += source.graph
    credits = {
        (graph.value(c, FG.creditAgent), graph.value(c, FG.role))
        for c in graph.subjects(RDF.type, FG.Credit)
    }
    assert (mint("person", "dmitri-shostakovich"), FG.ComposerRole) in credits
    assert (mint("person", "eduard-tisse"), FG.CinematographerRole) in credits
    assert (mint("person", "sergei-eisenstein"), FG.DirectorRole) in credits


def test_a_known_place_after_filmed_in_is_a_filming_location(tmp_path: Path) -> None:
    path = write(tmp_path, "Making Of\n\nMost of it was filmed in Odessa in the spring.\n")
    context = curated_context()
    graph = Graph()
    for source in get_loader("film-page").load(path, context, path.parent):
        graph += source.graph
    assert mint("place", "odesa") in set(graph.objects(None, FG.filmingLocation))


def test_a_title_in_cyrillic_is_labelled_in_its_language_with_the_english_title_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "the-overcoat-1926.txt"
    path.write_text("Шинель\n\nThe Overcoat\n\n1926 66 minutes Soviet Union\n\nPlot\n\nA coat.\n")
    graph, _ = load(path)
    labels = set(graph.objects(None, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
    assert Literal("Шинель", lang="ru") in labels
    assert Literal("The Overcoat", lang="en") in set(
        graph.objects(None, URIRef("http://www.w3.org/2004/02/skos/core#altLabel"))
    )


@pytest.mark.parametrize("year", ["(c. 1925)", "(1925?)", "(1925)"])
def test_a_connection_with_an_uncertain_year_keeps_title_year_and_aspect(year: str) -> None:
    page = read_page(FIXTURES / "pages" / "good" / "the-test-reel-1950.txt")
    item = parse_connection(page, Line(1, f"Strike {year} - the crowd as hero"), "Influenced By")
    assert (item.title, item.year, item.aspect) == ("Strike", 1925, "the crowd as hero")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Five-Year Plan (1925) - the plan as hero", ("The Five-Year Plan", 1925)),
        ("Ben-Hur - the plan as hero", ("Ben-Hur", None)),
        ("The Five-Year Plan (1925)- the plan as hero", ("The Five-Year Plan", 1925)),
        ("The Five-Year Plan (1925) \u2013 the plan as hero", ("The Five-Year Plan", 1925)),
    ],
)
def test_a_hyphen_inside_a_title_is_part_of_the_title_not_the_aspect_separator(
    text: str, expected: tuple[str, int | None]
) -> None:
    page = read_page(FIXTURES / "pages" / "good" / "the-test-reel-1950.txt")
    item = parse_connection(page, Line(1, text), "Influenced By")
    assert (item.title, item.year, item.aspect) == (*expected, "the plan as hero")
