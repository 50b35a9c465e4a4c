"""Consistency: the OWL 2 RL rules that conclude `false`, reported with the resources involved.

Every check runs over both engines' complete closures: the rules engine has no error messages
of its own, so the checker must find each problem in the graph itself.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Namespace

from kgapi.consistency import ConsistencyReport, check_consistency
from kgapi.knowledge import build_knowledge_graph
from kgapi.reasoning import ENGINES, compute_closure
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


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def report_of(turtle: str, engine: str) -> ConsistencyReport:
    graph = Graph().parse(data=PREFIXES + turtle, format="turtle")
    closure = compute_closure(graph, engine=engine)
    if engine == "rules":
        assert closure.reasoner_messages == ()  # the report below owes nothing to owlrl
    return check_consistency(closure.complete, reasoner_messages=closure.reasoner_messages)


def rules_of(report: ConsistencyReport) -> set[str]:
    return {issue.rule for issue in report.issues}


def test_fixture_is_consistent(tmp_path: Path, engine: str) -> None:
    kg = build_knowledge_graph(Settings(ontology_dir=DATA, cache_dir=tmp_path, reasoner=engine))
    assert kg.consistency.consistent and kg.consistency.issues == []
    assert "consistent" in kg.consistency.to_text()


def test_cax_dw_product_in_two_disjoint_classes(tmp_path: Path, engine: str) -> None:
    ontology = tmp_path / "ontology"
    shutil.copytree(DATA, ontology)
    (ontology / "zz-bad.ttl").write_text(
        PREFIXES + "vr:bad-product a virt:Type1Hypervisor , virt:Type2Hypervisor .\n"
    )
    settings = Settings(ontology_dir=ontology, cache_dir=tmp_path / "cache", reasoner=engine)
    kg = build_knowledge_graph(settings)
    assert kg.reasoner == engine
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


def test_cax_dw_through_hybrid_model_subclass(engine: str) -> None:
    report = report_of(
        """
        virt:Type1Hypervisor owl:disjointWith virt:Type2Hypervisor .
        virt:HybridModelVMM rdfs:subClassOf virt:Type1Hypervisor .
        vr:x a virt:HybridModelVMM , virt:Type2Hypervisor .
    """.replace("rdfs:", "<http://www.w3.org/2000/01/rdf-schema#>").replace(
            "<http://www.w3.org/2000/01/rdf-schema#>subClassOf",
            "<http://www.w3.org/2000/01/rdf-schema#subClassOf>",
        ),
        engine,
    )
    assert rules_of(report) == {"cax-dw"}


def test_cls_nothing2(engine: str) -> None:
    assert "cls-nothing2" in rules_of(report_of("vr:x a owl:Nothing .", engine))


def test_prp_fp_two_named_values(engine: str) -> None:
    report = report_of(
        """
        virt:hypervisorType a owl:FunctionalProperty .
        vr:x virt:hypervisorType virt:Type1Hypervisor , virt:Type2Hypervisor .
    """,
        engine,
    )
    (issue,) = [i for i in report.issues if i.rule == "prp-fp"]
    assert str(VR.x) in issue.resources and str(VIRT.Type2Hypervisor) in issue.resources


def test_prp_fp_two_literal_values(engine: str) -> None:
    report = report_of(
        """
        virt:firstRelease a owl:FunctionalProperty .
        vr:x virt:firstRelease "2003"^^xsd:gYear , "2005"^^xsd:gYear .
    """,
        engine,
    )
    assert "prp-fp" in rules_of(report)


def test_prp_fp_equal_values_are_fine(engine: str) -> None:
    report = report_of(
        """
        virt:size a owl:FunctionalProperty .
        vr:x virt:size "1"^^xsd:integer , "01"^^xsd:integer .
    """,
        engine,
    )
    assert report.consistent


def test_prp_ifp(engine: str) -> None:
    report = report_of(
        """
        virt:wikidata a owl:InverseFunctionalProperty .
        vr:a virt:wikidata "Q1" . vr:b virt:wikidata "Q1" .
    """,
        engine,
    )
    assert "prp-ifp" in rules_of(report)


def test_prp_irp(engine: str) -> None:
    report = report_of(
        "virt:successorOf a owl:IrreflexiveProperty . vr:x virt:successorOf vr:x .", engine
    )
    assert "prp-irp" in rules_of(report)


def test_prp_asyp(engine: str) -> None:
    report = report_of(
        """
        virt:successorOf a owl:AsymmetricProperty .
        vr:a virt:successorOf vr:b . vr:b virt:successorOf vr:a .
    """,
        engine,
    )
    (issue,) = [i for i in report.issues if i.rule == "prp-asyp"]
    assert {str(VR.a), str(VR.b)} <= set(issue.resources)


def test_prp_pdw(engine: str) -> None:
    report = report_of(
        """
        virt:successorOf owl:propertyDisjointWith virt:predecessorOf .
        vr:a virt:successorOf vr:b ; virt:predecessorOf vr:b .
    """,
        engine,
    )
    assert "prp-pdw" in rules_of(report)


def test_cls_com(engine: str) -> None:
    report = report_of(
        """
        virt:Proprietary owl:complementOf virt:OpenSourceSoftware .
        vr:x a virt:Proprietary , virt:OpenSourceSoftware .
    """,
        engine,
    )
    assert "cls-com" in rules_of(report)


def test_cax_adc(engine: str) -> None:
    report = report_of(
        """
        [] a owl:AllDisjointClasses ; owl:members ( virt:Emulator virt:Hypervisor virt:Os ) .
        vr:x a virt:Emulator , virt:Os .
    """,
        engine,
    )
    assert "cax-adc" in rules_of(report)


def test_eq_diff1(engine: str) -> None:
    report = report_of("vr:a owl:sameAs vr:b . vr:a owl:differentFrom vr:b .", engine)
    assert "eq-diff1" in rules_of(report)


def test_dt_not_type(engine: str) -> None:
    assert "dt-not-type" in rules_of(report_of('vr:x virt:firstRelease "soon"^^xsd:date .', engine))


def test_owlrl_messages_without_a_structured_issue_are_kept() -> None:
    report = check_consistency(Graph(), reasoner_messages=["Something owlrl noticed"])
    assert not report.consistent
    assert (
        report.issues[0].rule == "owlrl" and "Something owlrl noticed" in report.issues[0].message
    )


def test_report_round_trips_through_dict(engine: str) -> None:
    report = report_of("vr:x a owl:Nothing .", engine)
    data = json.loads(json.dumps(report.to_dict()))
    assert ConsistencyReport.from_dict(data) == report
    assert data["consistent"] is False


@pytest.mark.parametrize("turtle", ["vr:a virt:basedOn vr:b .", "vr:a owl:sameAs vr:b ."])
def test_harmless_graphs_are_consistent(turtle: str, engine: str) -> None:
    assert report_of(turtle, engine).consistent


@pytest.mark.parametrize(
    "turtle",
    [
        "virt:A owl:disjointWith virt:B . virt:C rdfs:subClassOf virt:A . vr:x a virt:C , virt:B .",
        "vr:x a owl:Nothing .",
        "virt:p a owl:FunctionalProperty . vr:x virt:p vr:a , vr:b .",
        'virt:p a owl:FunctionalProperty . vr:x virt:p "1"^^xsd:integer , "2"^^xsd:integer .',
        "virt:p a owl:IrreflexiveProperty . vr:x virt:p vr:x .",
        "vr:a owl:sameAs vr:b . vr:a owl:differentFrom vr:b .",
    ],
    ids=["cax-dw", "cls-nothing2", "prp-fp-iris", "prp-fp-literals", "prp-irp", "eq-diff1"],
)
def test_both_engines_find_the_same_problems(turtle: str) -> None:
    owlrl_report, rules_report = (report_of(turtle, engine) for engine in ENGINES)
    assert not rules_report.consistent
    assert rules_of(rules_report) == rules_of(owlrl_report)
    # owlrl's eq-ref (x sameAs x, left out of the rules engine) may phrase eq-diff1 once more.
    assert resources_of(rules_report) == resources_of(owlrl_report)


def resources_of(report: ConsistencyReport) -> set[str]:
    return {resource for issue in report.issues for resource in issue.resources}
