"""Issue 3: concrete inferences the OWL 2 RL closure must add to the bundled ontology.

Each test is named after the rule that does the work; each checks the triple is *inferred* (in
the inferred graph, so not asserted) and that its explanation uses that rule.
"""

from __future__ import annotations

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node

from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.graph.namespaces import VIRT, VR
from kgapi.reasoning.explanation import explain

SPDX_GPL2 = URIRef("http://spdx.org/licenses/GPL-2.0-only")
TRUE = Literal(True)
FALSE = Literal(False)


def rules_used(kg: KnowledgeGraph, triple: tuple[Node, Node, Node]) -> set[str]:
    """Every rule in the proof tree of an inferred triple."""
    found: set[str] = set()

    def walk(node: dict[str, object]) -> None:
        if node.get("rule"):
            found.add(str(node["rule"]))
        for premise in node.get("premises", []):  # type: ignore[attr-defined]
            walk(premise)

    explanation = explain(kg, triple).to_dict()
    assert explanation["status"] == "inferred", explanation["status"]
    walk(explanation["proof"])
    return found


def assert_inferred(kg: KnowledgeGraph, triple: tuple[Node, Node, Node], rule: str) -> None:
    assert triple in kg.inferred, f"not inferred: {triple}"
    assert triple not in kg.asserted, f"asserted, not inferred: {triple}"
    assert rule in rules_used(kg, triple), rules_used(kg, triple)


# --- class hierarchy (cax-sco) through the hybrid model: Xen, ACRN, minos are Type-1 ----------


@pytest.mark.parametrize("product", ["acrn", "minos"])
def test_cax_sco_hybrid_model_vmm_is_type_1(knowledge: KnowledgeGraph, product: str) -> None:
    assert (VR[product], VIRT.vmmStructure, VIRT.HybridModelVMM) in knowledge.asserted
    assert_inferred(knowledge, (VR[product], RDF.type, VIRT.Type1Hypervisor), "cax-sco")


def test_cax_sco_xen_is_a_hybrid_model_vmm_and_so_type_1(knowledge: KnowledgeGraph) -> None:
    assert_inferred(knowledge, (VR.xen, RDF.type, VIRT.HybridModelVMM), "cls-hv2")
    assert (VR.xen, RDF.type, VIRT.Type1Hypervisor) in knowledge.dataset


def test_cax_sco_hosted_model_vmm_is_type_2(knowledge: KnowledgeGraph) -> None:
    assert_inferred(knowledge, (VR.virtualbox, RDF.type, VIRT.Type2Hypervisor), "cax-sco")


# --- property chains (prp-spo2): what a product based on another inherits ---------------------


@pytest.mark.parametrize("product", ["xenserver", "oracle-vm-server-x86"])
def test_prp_spo2_based_on_xen_inherits_the_hybrid_model(
    knowledge: KnowledgeGraph, product: str
) -> None:
    assert_inferred(knowledge, (VR[product], VIRT.vmmStructure, VIRT.HybridModelVMM), "prp-spo2")


@pytest.mark.parametrize("product", ["xenserver", "oracle-vm-server-x86"])
def test_prp_spo2_based_on_xen_is_type_1(knowledge: KnowledgeGraph, product: str) -> None:
    assert_inferred(knowledge, (VR[product], RDF.type, VIRT.Type1Hypervisor), "prp-spo2")


def test_prp_spo2_based_on_xen_inherits_paravirtualization(knowledge: KnowledgeGraph) -> None:
    triple = (VR.xenserver, VIRT.implementationTechnique, VIRT.Paravirtualization)
    assert_inferred(knowledge, triple, "prp-spo2")


@pytest.mark.parametrize("product", ["red-hat-virtualization", "nutanix-ahv"])
@pytest.mark.parametrize("extension", ["intel-vt-x", "amd-v"])
def test_prp_spo2_kvm_based_products_need_a_cpu_extension(
    knowledge: KnowledgeGraph, product: str, extension: str
) -> None:
    triple = (VR[product], VIRT.requiresCPUExtension, VR[extension])
    assert_inferred(knowledge, triple, "prp-spo2")


def test_prp_spo2_and_prp_spo1_firecracker_needs_vmx_through_the_hypervisor_it_uses(
    knowledge: KnowledgeGraph,
) -> None:
    triple = (VR.firecracker, VIRT.requiresCPUExtension, VR["intel-vt-x"])
    assert_inferred(knowledge, triple, "prp-spo1")
    assert "prp-spo2" in rules_used(knowledge, triple)


# --- hasValue restrictions (cls-hv1/cls-hv2) ------------------------------------------------


def test_cls_hv1_kvm_based_products_require_hardware_support(knowledge: KnowledgeGraph) -> None:
    # Proxmox VE runs its VMs on KVM, which needs VT-x/AMD-V, so Proxmox needs hardware support.
    triple = (VR["proxmox-ve"], VIRT.requiresHardwareSupport, TRUE)
    assert_inferred(knowledge, triple, "cls-hv1")
    assert "cls-svf1" in rules_used(knowledge, triple)


def test_cls_hv1_containers_need_no_hardware_support_and_share_the_host_kernel(
    knowledge: KnowledgeGraph,
) -> None:
    for product in ("docker", "lxc", "podman", "openvz"):
        assert (VR[product], VIRT.sharesHostKernel, TRUE) in knowledge.dataset, product
        assert (VR[product], VIRT.requiresHardwareSupport, FALSE) in knowledge.dataset, product
    assert_inferred(knowledge, (VR.docker, VIRT.sharesHostKernel, TRUE), "cls-hv1")


def test_cls_hv1_paravirtualization_uses_hypercalls_but_its_requirement_is_not_inherited(
    knowledge: KnowledgeGraph,
) -> None:
    """Fixed (issue 14): Xen also runs unmodified guests under HVM, so implementing
    paravirtualization among other techniques does not make a modified guest kernel Xen's
    requirement; the requirement stays a fact about the technique itself."""
    assert_inferred(knowledge, (VR.xen, VIRT.usesMechanism, VR.hypercall), "cls-hv1")
    for product in ("xen", "xenserver", "oracle-vm-server-x86"):
        triple = (VR[product], VIRT.requiresModifiedGuestKernel, TRUE)
        assert triple not in knowledge.dataset, product
    assert (VIRT.Paravirtualization, VIRT.requiresModifiedGuestKernel, TRUE) in knowledge.asserted


def test_cls_hv1_hardware_assisted_puts_the_hypervisor_in_ring_minus_1(
    knowledge: KnowledgeGraph,
) -> None:
    assert_inferred(knowledge, (VR.kvm, VIRT.hypervisorRing, VR["ring-minus-1"]), "cls-hv1")
    assert_inferred(knowledge, (VR.kvm, VIRT.guestKernelRing, VR["ring-0"]), "cls-hv1")


def test_cls_hv1_binary_translation_runs_the_vmm_in_ring_0_and_the_guest_in_ring_1(
    knowledge: KnowledgeGraph,
) -> None:
    assert_inferred(knowledge, (VR.qemu, VIRT.hypervisorRing, VR["ring-0"]), "cls-hv1")
    assert_inferred(knowledge, (VR.qemu, VIRT.guestKernelRing, VR["ring-1"]), "cls-hv1")
    assert_inferred(knowledge, (VR.qemu, VIRT.usesMechanism, VR["binary-translation"]), "cls-hv1")


def test_cls_hv1_a_hosted_architecture_runs_on_a_host_os(knowledge: KnowledgeGraph) -> None:
    assert_inferred(knowledge, (VR.virtualbox, VIRT.requiresHostOS, TRUE), "cls-hv1")


def test_cls_hv2_asserted_technique_types_the_product(knowledge: KnowledgeGraph) -> None:
    assert_inferred(knowledge, (VR.xen, RDF.type, VIRT.Paravirtualization), "cls-hv2")


# --- intersections, equivalence, someValuesFrom ---------------------------------------------


def test_scm_int_type_1_is_bare_metal_architecture(knowledge: KnowledgeGraph) -> None:
    # Type-1 ≡ Hypervisor ⊓ BareMetalArchitecture: the intersection is a subclass of each part.
    triple = (VR["vmware-esxi"], RDF.type, VIRT.BareMetalArchitecture)
    assert_inferred(knowledge, triple, "scm-int")


def test_scm_eqc1_type_1_is_the_seeds_stand_alone_vmm(knowledge: KnowledgeGraph) -> None:
    assert_inferred(knowledge, (VR.acrn, RDF.type, VIRT.StandaloneVMM), "scm-eqc1")


def test_cls_svf1_open_source_licence_makes_open_source_software(
    knowledge: KnowledgeGraph,
) -> None:
    assert (VR.xen, VIRT.license, SPDX_GPL2) in knowledge.asserted
    assert_inferred(knowledge, (VR.xen, RDF.type, VIRT.OpenSourceSoftware), "cls-svf1")
    assert (VR["hyper-v"], RDF.type, VIRT.OpenSourceSoftware) not in knowledge.dataset


# --- sub-properties, inverses, symmetry, transitivity, domain and range -------------------


def test_prp_spo1_original_developer_is_a_developer(knowledge: KnowledgeGraph) -> None:
    assert_inferred(knowledge, (VR.kvm, VIRT.developer, VR.qumranet), "prp-spo1")


def test_prp_inv1_esxi_is_a_component_of_vsphere(knowledge: KnowledgeGraph) -> None:
    triple = (VR["vmware-esxi"], VIRT.componentOf, VR["vmware-vsphere"])
    assert_inferred(knowledge, triple, "prp-inv2")


def test_prp_inv_developer_of(knowledge: KnowledgeGraph) -> None:
    triple = (VR["amazon-web-services"], VIRT.developerOf, VR.firecracker)
    assert triple in knowledge.inferred
    assert rules_used(knowledge, triple) & {"prp-inv1", "prp-inv2"}


def test_prp_symp_shared_technology_goes_both_ways(knowledge: KnowledgeGraph) -> None:
    triple = (VR["vmware-workstation"], VIRT.sharesTechnologyWith, VR["vmware-fusion"])
    assert_inferred(knowledge, triple, "prp-symp")


def test_prp_trp_z_vm_descends_from_cp_40(knowledge: KnowledgeGraph) -> None:
    assert_inferred(knowledge, (VR["z-vm"], VIRT.descendantOf, VR["cp-40"]), "prp-trp")


def test_prp_rng_what_a_product_uses_as_hypervisor_is_a_hypervisor(
    knowledge: KnowledgeGraph,
) -> None:
    assert_inferred(knowledge, (VR.dragonball, RDF.type, VIRT.Hypervisor), "prp-rng")


def test_scm_sco_the_class_hierarchy_is_closed(knowledge: KnowledgeGraph) -> None:
    assert_inferred(knowledge, (VIRT.HybridModelVMM, RDFS.subClassOf, VIRT.Hypervisor), "scm-sco")


# --- what must NOT follow -------------------------------------------------------------------


def test_contested_kvm_type_is_not_inferred_either_way(knowledge: KnowledgeGraph) -> None:
    for category in (VIRT.Type1Hypervisor, VIRT.Type2Hypervisor):
        assert (VR.kvm, RDF.type, category) not in knowledge.dataset
    assert (VR.kvm, VIRT.vmmStructure, None) not in knowledge.dataset


def test_the_bundled_graph_is_consistent(knowledge: KnowledgeGraph) -> None:
    assert knowledge.consistency.consistent, knowledge.consistency.to_text()
