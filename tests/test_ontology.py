"""The ontology: well-formed, documented, aligned, and in step with the Python vocabulary."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from filmgraph.namespaces import FG
from filmgraph.resources import ontology_path

NS = str(FG._NS)
ALIGNMENTS = (
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
    FG.alignmentNote,
)
CLASS_OR_PROPERTY = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_path(), format="turtle")


def declared_terms(ontology: Graph) -> set[URIRef]:
    return {
        s
        for s in ontology.subjects(RDF.type, None)
        if isinstance(s, URIRef) and str(s).startswith(NS)
    }


def test_the_ontology_has_its_metadata(ontology: Graph) -> None:
    header = URIRef("https://w3id.org/filmgraph/ontology")
    assert (header, RDF.type, OWL.Ontology) in ontology
    for prop in ("title", "description", "license"):
        assert ontology.value(header, URIRef(f"http://purl.org/dc/terms/{prop}")), prop
    assert ontology.value(header, OWL.versionIRI)
    assert (
        str(ontology.value(header, URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")))
        == "fg"
    )


def test_the_python_vocabulary_matches_the_ontology(ontology: Graph) -> None:
    in_python = {FG[name] for name in FG.__annotations__}
    assert in_python == declared_terms(ontology)


@pytest.mark.parametrize(
    "core", ["Film", "Person", "Movement", "HistoricalEvent", "InfluenceClaim"]
)
def test_the_core_classes_exist(ontology: Graph, core: str) -> None:
    assert (FG[core], RDF.type, OWL.Class) in ontology


def test_every_term_has_a_label_a_comment_and_a_home(ontology: Graph) -> None:
    missing = [
        (str(term), what)
        for term in declared_terms(ontology)
        for what, prop in (
            ("label", RDFS.label),
            ("comment", RDFS.comment),
            ("isDefinedBy", RDFS.isDefinedBy),
        )
        if ontology.value(term, prop) is None
    ]
    assert missing == []


def test_every_class_and_property_states_its_counterparts(ontology: Graph) -> None:
    unaligned = [
        str(term)
        for kind in CLASS_OR_PROPERTY
        for term in ontology.subjects(RDF.type, kind)
        if str(term).startswith(NS)
        and not any(ontology.value(term, p) is not None for p in ALIGNMENTS)
    ]
    assert unaligned == []


def test_influence_types_are_kept_apart_from_similarity(ontology: Graph) -> None:
    for sub in (FG.inspiredBy, FG.influencedBy, FG.basedOn):
        assert (sub, RDFS.subPropertyOf, FG.drewOn) in ontology
    assert (FG.similarTo, RDFS.subPropertyOf, FG.drewOn) not in ontology
    assert (FG.InfluenceClaim, OWL.disjointWith, FG.SimilarityClaim) in ontology or (
        FG.SimilarityClaim,
        OWL.disjointWith,
        FG.InfluenceClaim,
    ) in ontology


def test_every_direct_influence_edge_has_a_declared_inverse(ontology: Graph) -> None:
    for edge, inverse in (
        (FG.inspiredBy, FG.inspired),
        (FG.influencedBy, FG.influenced),
        (FG.basedOn, FG.hasAdaptation),
        (FG.drewOn, FG.leftMarkOn),
    ):
        assert (edge, OWL.inverseOf, inverse) in ontology or (
            inverse,
            OWL.inverseOf,
            edge,
        ) in ontology


def test_there_are_no_property_chains(ontology: Graph) -> None:
    assert not list(ontology.triples((None, OWL.propertyChainAxiom, None)))


def test_wikidata_alignments_name_real_wikidata_terms(ontology: Graph) -> None:
    for target in ontology.objects():
        text = str(target)
        if isinstance(target, URIRef) and "wikidata.org" in text:
            assert text.startswith(
                ("http://www.wikidata.org/entity/Q", "http://www.wikidata.org/prop/direct/P")
            ), text


EDTF_PATTERN = "(Y-?[1-9][0-9]{4,}|-?[0-9X]{4}[?~%]?(-[0-9X]{2}[?~%]?){0,2})"


def test_edtf_is_a_defined_datatype_with_the_pattern_the_shapes_check(ontology: Graph) -> None:
    from rdflib.collection import Collection
    from rdflib.namespace import XSD

    definition = ontology.value(FG.EDTF, OWL.equivalentClass)
    assert ontology.value(definition, OWL.onDatatype) == XSD.string
    restrictions = ontology.value(definition, OWL.withRestrictions)
    assert restrictions is not None
    (facet,) = Collection(ontology, restrictions)
    assert str(ontology.value(facet, XSD.pattern)) == EDTF_PATTERN
    shapes = Graph().parse(ontology_path().parent / "shapes.ttl", format="turtle")
    shape_patterns = {
        str(p) for p in shapes.objects(None, URIRef("http://www.w3.org/ns/shacl#pattern"))
    }
    assert f"^{EDTF_PATTERN}$" in shape_patterns


@pytest.mark.parametrize(
    ("text", "is_edtf"),
    [
        ("1925", True),
        ("1936-08", True),
        ("1941-06-22", True),
        ("1934~", True),
        ("193X", True),
        ("-0055-06-10", True),
        ("+1941-06-22T00:00:00Z", False),
        ("1941-06-22T00:00:00Z", False),
        ("about 1930", False),
    ],
)
def test_the_edtf_pattern_accepts_dates_and_refuses_date_times(text: str, is_edtf: bool) -> None:
    import re

    assert bool(re.fullmatch(EDTF_PATTERN, text)) is is_edtf
