"""The served OWL 2 RL closure (kgapi's engine, filtered), held to owlrl's on a small fixture."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, Namespace

from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.reasoning.closure import (
    VOCABULARY_NAMESPACES,
    is_trivial,
    materialize,
    normalize,
    reference_closure,
)
from kgapi.reasoning.explanation import explain
from kgapi.reasoning.inference import derive

DATA = Path(__file__).parent / "data" / "reasoning"
VIRT = Namespace("https://w3id.org/kgapi/ontology/")
VR = Namespace("https://w3id.org/kgapi/resource/")
SPDX = Namespace("http://spdx.org/licenses/")


def load(directory: Path) -> Graph:
    graph = Graph()
    files = sorted(directory.glob("*.ttl"))
    assert files, f"no Turtle files in {directory}"
    for path in files:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def small_asserted() -> Graph:
    """The small reasoning fixture's asserted triples (not the session's bundled graph)."""
    return load(DATA)


@pytest.fixture(scope="module")
def inferred(small_asserted: Graph) -> Graph:
    graph = materialize(small_asserted)
    assert len(graph) > 20
    return graph


def test_materialize_returns_only_inferences(small_asserted: Graph, inferred: Graph) -> None:
    assert not any(triple in small_asserted for triple in inferred)


def test_materialize_leaves_the_asserted_graph_alone(small_asserted: Graph) -> None:
    before = len(small_asserted)
    materialize(small_asserted)
    assert len(small_asserted) == before


def test_materialize_drops_trivia(inferred: Graph) -> None:
    for s, p, o in inferred:
        assert not isinstance(s, Literal | BNode) and not isinstance(o, BNode)
        assert not str(s).startswith(VOCABULARY_NAMESPACES)
        assert not (s == o and p in (OWL.sameAs, RDFS.subClassOf, OWL.equivalentClass))
        assert o not in (OWL.Thing, RDFS.Resource)


def test_include_trivia_keeps_what_the_filter_drops(small_asserted: Graph, inferred: Graph) -> None:
    everything = materialize(small_asserted, include_trivia=True)
    assert set(inferred) < {normalize(t) for t in everything}
    # e.g. membership of the anonymous restrictions behind the defined classes
    assert any(s == VR.xen and isinstance(o, BNode) for s, _, o in everything)


def test_served_triples_round_trip_through_ntriples(inferred: Graph) -> None:
    text = inferred.serialize(format="nt")
    again = Graph().parse(data=text, format="nt")
    assert set(again) == set(inferred)


def test_served_literals_are_plain_not_xsd_string(inferred: Graph) -> None:
    literals = [o for o in inferred.objects() if isinstance(o, Literal)]
    assert Literal("Xen hypervisor") in literals  # found its input: prp-spo1 on a literal
    assert all(o.datatype != XSD.string for o in literals)


def test_normalize_turns_xsd_string_into_plain_literal() -> None:
    triple = (VR.x, VIRT.note, Literal("a", datatype=XSD.string))
    assert normalize(triple) == (VR.x, VIRT.note, Literal("a"))
    assert is_trivial((Literal("a"), RDF.type, XSD.string))


def test_owlrl_reports_no_errors_on_a_consistent_graph(small_asserted: Graph) -> None:
    assert reference_closure(small_asserted).messages == ()


# --- one test per OWL 2 RL rule the ontology relies on -----------------------------------------


def test_cax_sco_hybrid_model_is_type_1(inferred: Graph) -> None:
    assert (VR.xen, RDF.type, VIRT.Type1Hypervisor) in inferred


def test_cls_hv2_and_cax_eqc2_property_form_gives_class(inferred: Graph) -> None:
    assert (VR.xen, RDF.type, VIRT.Paravirtualization) in inferred


def test_cls_hv1_class_gives_property_form(inferred: Graph) -> None:
    assert (VR.xen, VIRT.softwareArchitecture, VIRT.BareMetalArchitecture) in inferred


def test_prp_spo2_vmm_structure_follows_based_on(inferred: Graph) -> None:
    assert (VR.xenserver, VIRT.vmmStructure, VIRT.HybridModelVMM) in inferred
    assert (VR.xenserver, VIRT.implementationTechnique, VIRT.Paravirtualization) in inferred


def test_prp_trp_based_on_is_transitive(inferred: Graph) -> None:
    assert (VR["xcp-ng"], VIRT.basedOn, VR.xen) in inferred


def test_prp_inv1_component_of(inferred: Graph) -> None:
    assert (VR["xen-store"], VIRT.componentOf, VR.xen) in inferred


def test_prp_symp_shares_technology_with(inferred: Graph) -> None:
    assert (VR.kvm, VIRT.sharesTechnologyWith, VR["xcp-ng"]) in inferred


def test_prp_spo1_original_developer_is_developer(inferred: Graph) -> None:
    assert (VR.xen, VIRT.developer, VR["university-of-cambridge"]) in inferred


def test_prp_dom_based_on_subject_is_software_product(inferred: Graph) -> None:
    assert (VR["xcp-ng"], RDF.type, VIRT.SoftwareProduct) in inferred


def test_prp_rng_developer_is_organisation(inferred: Graph) -> None:
    assert (VR["university-of-cambridge"], RDF.type, VIRT.Organisation) in inferred


def test_cls_svf1_open_source_licence_makes_open_source_software(inferred: Graph) -> None:
    assert (VR.xen, RDF.type, VIRT.OpenSourceSoftware) in inferred


def test_cls_int1_intersection_open_source_hypervisor(inferred: Graph) -> None:
    assert (VR.xen, RDF.type, VIRT.OpenSourceHypervisor) in inferred
    # XenServer has no licence in the fixture, so it is not in the intersection.
    assert (VR.xenserver, RDF.type, VIRT.OpenSourceHypervisor) not in inferred


def test_scm_sco_subclass_is_transitive(inferred: Graph) -> None:
    assert (VIRT.HybridModelVMM, RDFS.subClassOf, VIRT.Hypervisor) in inferred


def test_scm_rng2_sub_property_inherits_range(inferred: Graph) -> None:
    assert (VIRT.hypervisorType, RDFS.range, VIRT.Category) in inferred


def test_cax_sco_hosted_model_is_type_2(inferred: Graph) -> None:
    assert (VR.kvm, RDF.type, VIRT.Type2Hypervisor) in inferred
    assert (VR.kvm, VIRT.hypervisorType, VIRT.Type2Hypervisor) in inferred


# --- the engine agrees with owlrl, the reference ------------------------------------------------


def reference(asserted: Graph) -> set[tuple[object, object, object]]:
    return set(reference_closure(asserted).inferred)


def test_engine_derives_exactly_the_reference_closure(
    small_asserted: Graph, inferred: Graph
) -> None:
    assert set(inferred) == reference(small_asserted)


def test_engine_proofs_are_well_founded(small_asserted: Graph) -> None:
    derived = derive(small_asserted)
    assert derived.first
    for derivation in derived.first.values():
        for premise in derivation.premises:
            earlier = derived.derivation_of(premise)
            assert premise in small_asserted or (
                earlier is not None and earlier.round < derivation.round
            )


def test_every_inferred_triple_of_the_bundled_graph_is_explained_down_to_asserted_triples(
    knowledge: KnowledgeGraph,
) -> None:
    assert knowledge.inferred_count > 1000
    for triple in knowledge.inferred:
        explanation = explain(knowledge, triple)
        assert explanation.status == "inferred", triple
        assert explanation.proof is not None
        pending = [explanation.proof]
        while pending:  # every leaf of the proof is an asserted triple
            node = pending.pop()
            if node.premises:
                pending.extend(node.premises)
            else:
                assert node.status == "asserted" or node.repeated, node.text


def test_eq_rep_s_same_as_copies_statements() -> None:
    graph = Graph()
    graph.add((VR.a, OWL.sameAs, VR.b))
    graph.add((VR.a, VIRT.developer, VR.org))
    assert (VR.b, VIRT.developer, VR.org) in materialize(graph)
    assert (VR.b, VIRT.developer, VR.org) in reference(graph)


def test_prp_fp_functional_property_makes_values_same() -> None:
    graph = Graph()
    graph.add((VIRT.p, RDF.type, OWL.FunctionalProperty))
    graph.add((VR.a, VIRT.p, VR.b))
    graph.add((VR.a, VIRT.p, VR.c))
    assert (VR.b, OWL.sameAs, VR.c) in materialize(graph)
    assert reference(graph) == set(materialize(graph))


def test_cls_uni_and_cls_avf() -> None:
    graph = Graph().parse(
        format="turtle",
        data="""
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix virt: <https://w3id.org/kgapi/ontology/> .
        @prefix vr: <https://w3id.org/kgapi/resource/> .
        virt:Either owl:unionOf ( virt:A virt:B ) .
        vr:x a virt:A .
        virt:OnlyOS owl:onProperty virt:hostPlatform ; owl:allValuesFrom virt:OperatingSystem .
        vr:y a virt:OnlyOS ; virt:hostPlatform vr:linux .
        """,
    )
    inferred = materialize(graph)
    assert (VR.x, RDF.type, VIRT.Either) in inferred
    assert (VR.linux, RDF.type, VIRT.OperatingSystem) in inferred
    assert reference(graph) == set(inferred)


def test_a_rule_variable_is_one_object_per_name() -> None:
    """The engine's bindings compare variables by identity: a second `Var("x")`, or one that
    went through pickle (a forked or spawned process), must be the same object, and none can
    be changed into another."""
    import pickle

    from kgapi.reasoning.rule_language import Var, x

    assert Var("x") is x and Var("fresh") is Var("fresh") and Var("x") is not Var("y")
    assert pickle.loads(pickle.dumps(x)) is x
    assert {x: 1}[Var("x")] == 1
    with pytest.raises(AttributeError):
        x.name = "y"  # type: ignore[misc]
