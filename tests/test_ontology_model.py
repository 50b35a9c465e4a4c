"""Issue 2: the five classification axes, products on them, and contested claims — by SPARQL,
the way a client would ask."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.graph.namespaces import VIRT, VR

PREFIXES = """
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX virt: <https://w3id.org/kgapi/ontology/>
"""

FIVE_AXES = {
    VR["classification-by-virtualized-object"]: {
        VIRT.InfrastructureVirtualization, VIRT.SystemVirtualization,
        VIRT.SoftwareVirtualization, VIRT.DataVirtualization, VIRT.ServiceVirtualization,
    },
    VR["classification-by-software-architecture"]: {
        VIRT.HostedArchitecture, VIRT.BareMetalArchitecture, VIRT.OSLevelArchitecture,
        VIRT.HybridArchitecture,
    },
    VR["classification-by-hypervisor-layer"]: {VIRT.Type1Hypervisor, VIRT.Type2Hypervisor},
    VR["classification-by-implementation-technique"]: {
        VIRT.FullVirtualization, VIRT.Paravirtualization, VIRT.HardwareAssistedVirtualization,
    },
    VR["classification-by-implementation-structure"]: {
        VIRT.HypervisorModelVMM, VIRT.HostedModelVMM, VIRT.HybridModelVMM,
    },
}  # fmt: skip


def test_one_query_lists_the_ways_to_classify_and_what_is_in_each(asserted: Graph) -> None:
    rows = asserted.query(
        PREFIXES
        + """
        SELECT ?scheme ?schemeLabel ?category ?categoryLabel WHERE {
          ?scheme a skos:ConceptScheme ; skos:hasTopConcept ?category ;
                  skos:prefLabel ?schemeLabel .
          ?category skos:prefLabel ?categoryLabel .
          FILTER (LANG(?schemeLabel) = "zh" && LANG(?categoryLabel) = "zh")
        }"""
    )
    found: dict[URIRef, set[URIRef]] = {}
    for row in rows:
        found.setdefault(row.scheme, set()).add(row.category)  # type: ignore[union-attr]
    assert found == FIVE_AXES


def test_every_category_is_both_a_concept_and_an_owl_class(asserted: Graph) -> None:
    categories = set(asserted.subjects(SKOS.inScheme, None))
    assert len(categories) >= 30
    for category in categories:
        assert (category, RDF.type, OWL.Class) in asserted, category
        assert (category, RDF.type, SKOS.Concept) in asserted, category


def test_each_scheme_names_the_property_that_classifies_by_it(asserted: Graph) -> None:
    for scheme in FIVE_AXES:
        prop = asserted.value(scheme, VIRT.classificationProperty)
        assert prop is not None
        assert (prop, URIRef("http://www.w3.org/2000/01/rdf-schema#subPropertyOf"),
                VIRT.classifiedAs) in asserted  # fmt: skip


def test_every_product_is_classified_on_some_axis(asserted: Graph) -> None:
    rows = asserted.query(
        PREFIXES
        + """
        SELECT ?product WHERE {
          ?product a virt:SoftwareProduct .
          FILTER NOT EXISTS { ?product ?axis ?c . ?axis rdfs:subPropertyOf virt:classifiedAs }
        }""",
        initNs={"rdfs": URIRef("http://www.w3.org/2000/01/rdf-schema#")},
    )
    assert list(rows) == []
    assert len(set(asserted.subjects(RDF.type, VIRT.SoftwareProduct))) >= 35


def test_contested_claims_are_listable_with_positions_and_sources(asserted: Graph) -> None:
    rows = list(
        asserted.query(
            PREFIXES
            + """
            SELECT ?claim ?subject ?property (COUNT(DISTINCT ?position) AS ?positions)
                   (COUNT(DISTINCT ?source) AS ?sources) WHERE {
              ?claim a virt:ContestedClaim ; virt:claimSubject ?subject ;
                     virt:claimProperty ?property ; virt:hasPosition ?position .
              ?subject virt:hasContestedClaim ?claim .
              OPTIONAL { ?position dcterms:source ?source }
            } GROUP BY ?claim ?subject ?property"""
        )
    )
    assert len(rows) >= 11
    for row in rows:
        assert int(row.positions) >= 2, row.claim  # type: ignore[union-attr]
        assert int(row.sources) >= 1, row.claim  # type: ignore[union-attr]


def test_kvm_type_is_a_claim_with_the_seed_as_one_position_not_a_fact(asserted: Graph) -> None:
    assert (VR.kvm, VIRT.hypervisorType, None) not in asserted
    assert (VR.kvm, RDF.type, VIRT.Type1Hypervisor) not in asserted
    assert (VR.kvm, RDF.type, VIRT.Type2Hypervisor) not in asserted
    rows = asserted.query(
        PREFIXES
        + """
        SELECT ?value ?source WHERE {
          ?claim virt:claimSubject <https://w3id.org/kgapi/resource/kvm> ;
                 virt:claimProperty virt:hypervisorType ; virt:hasPosition ?position .
          ?position virt:claimedValue|virt:claimedDataValue ?value ; dcterms:source ?source .
        }"""
    )
    by_value: dict[object, set[object]] = {}
    for row in rows:
        by_value.setdefault(row.value, set()).add(row.source)  # type: ignore[union-attr]
    assert VR["source-seed"] in by_value[VIRT.Type2Hypervisor]
    assert VR["source-s12"] in by_value[VIRT.Type1Hypervisor]


def test_every_product_and_concept_is_labelled_in_both_languages(asserted: Graph) -> None:
    targets = set(asserted.subjects(RDF.type, VIRT.SoftwareProduct)) | set(
        asserted.subjects(RDF.type, SKOS.Concept)
    )
    for term in targets:
        for predicate in (SKOS.prefLabel, SKOS.definition):
            languages = {o.language for o in asserted.objects(term, predicate)
                         if isinstance(o, Literal)}  # fmt: skip
            assert {"en", "zh"} <= languages, (term, predicate)


def test_a_name_is_asserted_once_and_its_rdfs_label_derived(
    asserted: Graph, knowledge: KnowledgeGraph
) -> None:
    """skos:prefLabel is asserted, rdfs:label follows (SKOS: prefLabel is a sub-property of it)."""
    kvm_en = Literal("KVM", lang="en")
    assert (VR.kvm, SKOS.prefLabel, kvm_en) in asserted
    assert (VR.kvm, RDFS.label, kvm_en) not in asserted
    assert (VR.kvm, RDFS.label, kvm_en) in knowledge.inferred
    restated = [
        (s, o)
        for s, o in asserted.subject_objects(RDFS.label)
        if (s, SKOS.prefLabel, o) in asserted
    ]
    assert restated == []


def test_alternative_chinese_terms_are_alt_labels(asserted: Graph) -> None:
    alt = {str(o) for o in asserted.objects(VIRT.Paravirtualization, SKOS.altLabel)}
    assert {"半虚拟化", "类虚拟化"} <= alt


def test_licences_are_spdx_iris_and_first_releases_are_typed_dates(asserted: Graph) -> None:
    assert (VR.kvm, VIRT.license, URIRef("http://spdx.org/licenses/GPL-2.0-only")) in asserted
    release = asserted.value(VR.kvm, VIRT.firstRelease)
    assert isinstance(release, Literal)
    assert release.datatype is not None and release.datatype.startswith(
        "http://www.w3.org/2001/XMLSchema#"
    )


def test_ontology_header(asserted: Graph) -> None:
    header = URIRef("https://w3id.org/kgapi/ontology")
    assert (header, RDF.type, OWL.Ontology) in asserted
    assert asserted.value(header, OWL.versionInfo) is not None
    assert asserted.value(header, URIRef("http://purl.org/dc/terms/license")) is not None
