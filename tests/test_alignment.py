"""The alignments: one reading for loaders and exporters, and no term ambiguous in a direction."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from filmgraph.alignment import Direction, Kind, alignments, load_alignments
from filmgraph.export.schemavocab import schema_vocabulary
from filmgraph.namespaces import FG, SCHEMA, WD, WDT
from filmgraph.resources import ontology_path

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
PROV = "http://www.w3.org/ns/prov#"


def test_no_two_terms_match_one_external_term_in_one_direction_unless_one_is_preferred() -> None:
    assert alignments().clashes() == []


def test_a_second_term_on_the_same_external_term_is_a_clash() -> None:
    ontology = Graph().parse(ontology_path(), format="turtle")
    ontology.add((FG.screenwriter, SKOS.closeMatch, WDT.P57))
    clashes = load_alignments(ontology).clashes()
    assert [(d, k, e) for d, k, e, _ in clashes] == [
        (Direction.EXPORT, Kind.PROPERTY, WDT.P57),
        (Direction.IMPORT, Kind.PROPERTY, WDT.P57),
    ]


def test_every_wikidata_property_named_is_listed_with_its_datatype() -> None:
    align = alignments()
    named = {m.external for m in align.matches if str(m.external).startswith(str(WDT))}
    assert named and [p for p in named if align.wikidata_property(p) is None] == []


def test_every_schemaorg_term_named_exists_in_schemaorg() -> None:
    vocab = schema_vocabulary()
    named = {m.external for m in alignments().matches if str(m.external).startswith(str(SCHEMA))}
    missing = [t for t in named if not (vocab.is_type(t) or vocab.is_property(t))]
    assert named and missing == []


@pytest.mark.parametrize(
    ("types", "read_as"),
    [
        ({FG.Film}, FG.countryOfOrigin),
        ({FG.Person}, FG.nationality),
        ({FG.HistoricalEvent}, FG.hasCountry),
        ({FG.Organization}, FG.hasCountry),
    ],
)
def test_a_country_is_read_by_the_type_of_its_subject(types: set[URIRef], read_as: URIRef) -> None:
    assert alignments().restrict(FG.hasCountry, types) == read_as


@pytest.mark.parametrize(
    ("ours", "wikidata"),
    [
        (FG.countryOfOrigin, WDT.P495),
        (FG.nationality, WDT.P27),
        (FG.hasCountry, WDT.P17),
    ],
)
def test_each_reading_of_country_has_its_own_wikidata_property(
    ours: URIRef, wikidata: URIRef
) -> None:
    assert alignments().exports(ours, str(WDT)) == (wikidata,)


def test_countryoforigin_is_only_for_films() -> None:
    assert alignments().exports(FG.hasCountry, str(SCHEMA)) == (SCHEMA.location,)
    assert alignments().exports(FG.countryOfOrigin, str(SCHEMA)) == (SCHEMA.countryOfOrigin,)


def test_a_publication_date_is_read_as_a_release_date_before_a_year() -> None:
    assert alignments().imports(WDT.P577, Kind.PROPERTY) == (FG.releaseDate, FG.year)
    assert alignments().preferred_export(WDT.P577) == FG.releaseDate


def test_start_and_end_times_are_the_edtf_statements_not_the_computed_bounds() -> None:
    align = alignments()
    assert align.imports(WDT.P580, Kind.PROPERTY) == (FG.start,)
    assert align.imports(WDT.P582, Kind.PROPERTY) == (FG.end,)
    assert align.exports(FG.startDate, str(WDT)) == ()
    assert align.exports(FG.startDate, CRM) == (URIRef(CRM + "P82a_begin_of_the_begin"),)


def test_a_broader_external_term_is_written_out_but_not_read_in() -> None:
    align = alignments()
    assert align.exports(FG.wikidata, str(SCHEMA)) == (SCHEMA.sameAs,)
    assert align.imports(SCHEMA.sameAs, Kind.PROPERTY) == ()


def test_a_narrower_external_term_is_read_in_but_not_written_out() -> None:
    align = alignments()
    assert align.imports(WDT.P131, Kind.PROPERTY) == (FG.locatedIn,)
    assert align.exports(FG.locatedIn, str(WDT)) == ()
    assert align.imports(WD.Q3024240, Kind.CLASS) == (FG.Country,)  # the Soviet Union's class
    assert WD.Q6256 not in align.exports(FG.Country, str(WD))


def test_a_term_without_a_match_of_its_own_is_written_as_its_super_term() -> None:
    align = alignments()
    assert align.exports(FG.remakeOf, str(WDT)) == (WDT.P144,)
    assert align.exports(FG.Studio, str(SCHEMA)) == (SCHEMA.Organization,)
    assert align.exports(FG.HistoricalPeriod, CRM) == (URIRef(CRM + "E4_Period"),)


def test_events_and_periods_align_to_crm_in_the_order_crm_has_them() -> None:
    """CRM's E5 Event is a sub-class of E4 Period; our period is a sub-class of our event."""
    align = alignments()
    assert align.exports(FG.HistoricalEvent, CRM) == (URIRef(CRM + "E4_Period"),)
    assert align.imports(URIRef(CRM + "E5_Event"), Kind.CLASS) == (FG.HistoricalEvent,)


def test_a_credit_is_a_prov_attribution() -> None:
    assert alignments().exports(FG.Credit, PROV) == (URIRef(PROV + "Attribution"),)
    assert alignments().exports(FG.hasCredit, PROV) == (URIRef(PROV + "qualifiedAttribution"),)


def test_names_map_by_the_same_rules() -> None:
    from rdflib.namespace import RDFS

    align = alignments()
    assert align.imports(SCHEMA.name, Kind.PROPERTY)[0] == RDFS.label
    assert align.exports(RDFS.label, str(SCHEMA)) == (SCHEMA.name,)
