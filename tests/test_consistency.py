"""Consistency: the OWL 2 RL rules that conclude `false`, reported with resources and proofs.

owlrl, the reference, must notice a problem wherever kgapi's engine reports one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Namespace

from kgapi.graph.knowledge import build_knowledge_graph
from kgapi.reasoning.closure import reference_closure
from kgapi.reasoning.consistency import ConsistencyReport, consistency_report
from kgapi.reasoning.inference import derive
from kgapi.settings import Settings

DATA = Path(__file__).parent / "data" / "reasoning"
VIRT = Namespace("https://w3id.org/kgapi/ontology/")
VR = Namespace("https://w3id.org/kgapi/resource/")
PREFIXES = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix virt: <https://w3id.org/kgapi/ontology/> .
@prefix vr: <https://w3id.org/kgapi/resource/> .
"""


def report_of(turtle: str) -> ConsistencyReport:
    graph = Graph().parse(data=PREFIXES + turtle, format="turtle")
    return consistency_report(derive(graph), names=graph)


def rules_of(report: ConsistencyReport) -> set[str]:
    return {issue.rule for issue in report.issues}


def test_fixture_is_consistent(tmp_path: Path) -> None:
    kg = build_knowledge_graph(Settings(ontology_dir=DATA, cache_dir=tmp_path))
    assert kg.consistency.consistent and kg.consistency.issues == []
    assert "consistent" in kg.consistency.to_text()


def test_cax_dw_product_in_two_disjoint_classes(tmp_path: Path) -> None:
    ontology = tmp_path / "ontology"
    shutil.copytree(DATA, ontology)
    (ontology / "zz-bad.ttl").write_text(
        PREFIXES + "vr:bad-product a virt:Type1Hypervisor , virt:Type2Hypervisor .\n"
    )
    settings = Settings(ontology_dir=ontology, cache_dir=tmp_path / "cache")
    kg = build_knowledge_graph(settings)
    report = kg.consistency
    assert not report.consistent
    # hypervisorType is functional in the fixture, so the clash spreads through owl:sameAs to
    # every hypervisor; the product itself must be named.
    (issue,) = [
        i for i in report.issues if i.rule == "cax-dw" and str(VR["bad-product"]) in i.resources
    ]
    assert {str(VIRT.Type1Hypervisor), str(VIRT.Type2Hypervisor)} <= set(issue.resources)
    text = report.to_text()
    assert "vr:bad-product" in text and "virt:Type1Hypervisor" in text
    assert "virt:Type2Hypervisor" in text and text.startswith("INCONSISTENT")
    # Survives the cache: a warm start reports the same.
    warm = build_knowledge_graph(settings)
    assert warm.cache_hit and warm.consistency == report


def test_cax_dw_through_hybrid_model_subclass() -> None:
    report = report_of(
        """
        virt:Type1Hypervisor owl:disjointWith virt:Type2Hypervisor .
        virt:HybridModelVMM rdfs:subClassOf virt:Type1Hypervisor .
        vr:x a virt:HybridModelVMM , virt:Type2Hypervisor .
    """.replace("rdfs:", "<http://www.w3.org/2000/01/rdf-schema#>").replace(
            "<http://www.w3.org/2000/01/rdf-schema#>subClassOf",
            "<http://www.w3.org/2000/01/rdf-schema#subClassOf>",
        )
    )
    assert rules_of(report) == {"cax-dw"}


def test_cls_nothing2() -> None:
    assert "cls-nothing2" in rules_of(report_of("vr:x a owl:Nothing ."))


def test_prp_fp_two_named_values() -> None:
    report = report_of(
        """
        virt:hypervisorType a owl:FunctionalProperty .
        vr:x virt:hypervisorType virt:Type1Hypervisor , virt:Type2Hypervisor .
    """
    )
    (issue,) = [i for i in report.issues if i.rule == "prp-fp"]
    assert str(VR.x) in issue.resources and str(VIRT.Type2Hypervisor) in issue.resources


def test_prp_fp_two_literal_values() -> None:
    report = report_of(
        """
        virt:firstRelease a owl:FunctionalProperty .
        vr:x virt:firstRelease "2003"^^xsd:gYear , "2005"^^xsd:gYear .
    """
    )
    assert "prp-fp" in rules_of(report)


def test_prp_fp_equal_values_are_fine() -> None:
    report = report_of(
        """
        virt:size a owl:FunctionalProperty .
        vr:x virt:size "1"^^xsd:integer , "01"^^xsd:integer .
    """
    )
    assert report.consistent


def test_prp_ifp() -> None:
    report = report_of(
        """
        virt:wikidata a owl:InverseFunctionalProperty .
        vr:a virt:wikidata "Q1" . vr:b virt:wikidata "Q1" .
    """
    )
    assert "prp-ifp" in rules_of(report)


def test_prp_irp() -> None:
    report = report_of("virt:successorOf a owl:IrreflexiveProperty . vr:x virt:successorOf vr:x .")
    assert "prp-irp" in rules_of(report)


def test_prp_asyp() -> None:
    report = report_of(
        """
        virt:successorOf a owl:AsymmetricProperty .
        vr:a virt:successorOf vr:b . vr:b virt:successorOf vr:a .
    """
    )
    (issue,) = [i for i in report.issues if i.rule == "prp-asyp"]
    assert {str(VR.a), str(VR.b)} <= set(issue.resources)


def test_prp_pdw() -> None:
    report = report_of(
        """
        virt:successorOf owl:propertyDisjointWith virt:predecessorOf .
        vr:a virt:successorOf vr:b ; virt:predecessorOf vr:b .
    """
    )
    assert "prp-pdw" in rules_of(report)


def test_cls_com() -> None:
    report = report_of(
        """
        virt:Proprietary owl:complementOf virt:OpenSourceSoftware .
        vr:x a virt:Proprietary , virt:OpenSourceSoftware .
    """
    )
    assert "cls-com" in rules_of(report)


def test_cax_adc() -> None:
    report = report_of(
        """
        [] a owl:AllDisjointClasses ; owl:members ( virt:Emulator virt:Hypervisor virt:Os ) .
        vr:x a virt:Emulator , virt:Os .
    """
    )
    assert "cax-adc" in rules_of(report)


def test_eq_diff1() -> None:
    report = report_of("vr:a owl:sameAs vr:b . vr:a owl:differentFrom vr:b .")
    assert "eq-diff1" in rules_of(report)


def test_dt_not_type() -> None:
    assert "dt-not-type" in rules_of(report_of('vr:x virt:firstRelease "soon"^^xsd:date .'))


def test_each_issue_carries_the_proof_of_its_premises() -> None:
    report = report_of(
        """
        virt:A owl:disjointWith virt:B . virt:C rdfs:subClassOf virt:A . vr:x a virt:C , virt:B .
        """
    )
    (issue,) = report.issues
    assert issue.rule == "cax-dw"
    shown = {premise.text: premise for premise in issue.proof}
    assert set(shown) == {
        "virt:A owl:disjointWith virt:B",
        "vr:x rdf:type virt:A",
        "vr:x rdf:type virt:B",
    }
    derived = shown["vr:x rdf:type virt:A"]
    assert derived.status == "inferred" and derived.rule == "cax-sco"
    assert {p.text for p in derived.premises} == {
        "virt:C rdfs:subClassOf virt:A",
        "vr:x rdf:type virt:C",
    }
    assert "cax-sco" in report.to_text()  # the text shows the proof too


def test_report_round_trips_through_dict() -> None:
    report = report_of("vr:x a owl:Nothing .")
    data = json.loads(json.dumps(report.to_dict()))
    assert ConsistencyReport.from_dict(data) == report
    assert data["consistent"] is False


@pytest.mark.parametrize("turtle", ["vr:a virt:basedOn vr:b .", "vr:a owl:sameAs vr:b ."])
def test_harmless_graphs_are_consistent(turtle: str) -> None:
    assert report_of(turtle).consistent


@pytest.mark.parametrize(
    "turtle",
    [
        "virt:A owl:disjointWith virt:B . virt:C rdfs:subClassOf virt:A . vr:x a virt:C , virt:B .",
        "vr:x a owl:Nothing .",
        "virt:p a owl:IrreflexiveProperty . vr:x virt:p vr:x .",
        "virt:p a owl:AsymmetricProperty . vr:a virt:p vr:b . vr:b virt:p vr:a .",
        "vr:a owl:sameAs vr:b . vr:a owl:differentFrom vr:b .",
        "virt:A owl:complementOf virt:B . vr:x a virt:A , virt:B .",
    ],
    ids=["cax-dw", "cls-nothing2", "prp-irp", "prp-asyp", "eq-diff1", "cls-com"],
)
def test_owlrl_finds_a_problem_wherever_the_engine_does(turtle: str) -> None:
    report = report_of(turtle)
    assert not report.consistent
    graph = Graph().parse(data=PREFIXES + turtle, format="turtle")
    assert reference_closure(graph).messages  # the reference agrees the graph is inconsistent
