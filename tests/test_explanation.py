"""Explanations: asserted triples name their files; inferred ones get proofs down to them."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import RDF, XSD, Literal

from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.graph.namespaces import VIRT, VR
from kgapi.reasoning.explanation import Explanation, ProofNode, explain
from kgapi.reasoning.rule_language import Triple

DATA = Path(__file__).parent / "data" / "reasoning"


def leaves(node: ProofNode) -> list[ProofNode]:
    if node.status == "asserted" or node.repeated:
        return [node]
    return [leaf for premise in node.premises for leaf in leaves(premise)]


def rules_used(node: ProofNode) -> set[str]:
    found = {node.rule} if node.rule else set()
    for premise in node.premises:
        found |= rules_used(premise)
    return found


def test_asserted_triple_names_its_file_and_sources(small_kg: KnowledgeGraph) -> None:
    explanation = explain(small_kg, (VR.xen, VIRT.hypervisorType, VIRT.Type1Hypervisor))
    assert explanation.status == "asserted"
    assert explanation.proof is not None and explanation.proof.files == ("products.ttl",)
    assert explanation.sources == ("vr:source-s4",)
    assert "asserted in products.ttl" in explanation.to_text()


def test_prp_spo2_proof_of_vmm_structure_through_based_on(small_kg: KnowledgeGraph) -> None:
    explanation = explain(small_kg, (VR.xenserver, VIRT.vmmStructure, VIRT.HybridModelVMM))
    assert explanation.status == "inferred"
    proof = explanation.proof
    assert proof is not None and proof.rule == "prp-spo2"
    premises = {premise.triple for premise in proof.premises}
    assert (VR.xenserver, VIRT.basedOn, VR.xen) in premises
    assert (VR.xen, VIRT.vmmStructure, VIRT.HybridModelVMM) in premises


def test_cax_sco_proof_of_type_1_reaches_asserted_triples(small_kg: KnowledgeGraph) -> None:
    explanation = explain(small_kg, (VR["xcp-ng"], RDF.type, VIRT.Type1Hypervisor))
    assert explanation.proof is not None
    assert {"prp-spo2", "cls-hv2"} <= rules_used(explanation.proof)
    asserted_leaves = [leaf for leaf in leaves(explanation.proof) if leaf.status == "asserted"]
    assert (VR["xcp-ng"], VIRT.basedOn, VR.xenserver) in {leaf.triple for leaf in asserted_leaves}
    assert all(leaf.triple in small_kg.asserted for leaf in asserted_leaves)


def test_every_inferred_triple_has_a_proof_down_to_asserted_triples(
    small_kg: KnowledgeGraph,
) -> None:
    assert small_kg.inferred_count > 20
    for triple in small_kg.inferred:
        explanation = explain(small_kg, triple)
        assert explanation.status == "inferred", triple
        assert explanation.proof is not None
        for leaf in leaves(explanation.proof):
            assert leaf.repeated or leaf.triple in small_kg.asserted


def test_triple_that_does_not_hold(small_kg: KnowledgeGraph) -> None:
    explanation = explain(small_kg, (VR.kvm, RDF.type, VIRT.Type1Hypervisor))
    assert explanation.status == "does-not-hold" and not explanation.holds
    assert explanation.proof is None
    assert "does not hold" in explanation.to_text()


def test_to_text_is_an_indented_tree_of_prefixed_names(small_kg: KnowledgeGraph) -> None:
    text = explain(small_kg, (VR.xenserver, RDF.type, VIRT.Type1Hypervisor)).to_text()
    lines = text.splitlines()
    assert lines[0].startswith("vr:xenserver rdf:type virt:Type1Hypervisor  [")
    assert any(line.startswith("    ") for line in lines)
    assert "(virt:vmmStructure value virt:HybridModelVMM)" in text  # restriction shown in words
    assert "https://" not in text


def test_to_dict_is_json(small_kg: KnowledgeGraph) -> None:
    data = explain(small_kg, (VR.xen, RDF.type, VIRT.OpenSourceHypervisor)).to_dict()
    json.dumps(data)
    assert data["status"] == "inferred"
    # Xen is an open-source hypervisor through an equivalence or a subclass axiom.
    assert data["proof"]["rule"] in {"cax-eqc1", "cax-eqc2", "cax-sco"}
    assert data["proof"]["premises"]


def test_cls_int1_proof_of_open_source_hypervisor(small_kg: KnowledgeGraph) -> None:
    explanation = explain(small_kg, (VR.xen, RDF.type, VIRT.OpenSourceHypervisor))
    assert explanation.proof is not None
    assert {"cls-int1", "cls-svf1"} <= rules_used(explanation.proof)


def test_prp_symp_proof(small_kg: KnowledgeGraph) -> None:
    explanation = explain(small_kg, (VR.kvm, VIRT.sharesTechnologyWith, VR["xcp-ng"]))
    assert explanation.proof is not None and explanation.proof.rule == "prp-symp"


def test_xsd_string_literal_is_the_plain_literal(small_kg: KnowledgeGraph) -> None:
    typed: Triple = (VR.xen, VIRT.note, Literal("Xen hypervisor", datatype=XSD.string))
    explanation = explain(small_kg, typed)
    assert isinstance(explanation, Explanation)
    assert explanation.status == "inferred"
    assert explanation.proof is not None and explanation.proof.rule == "prp-spo1"
