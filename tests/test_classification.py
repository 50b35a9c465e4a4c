"""Classifying a described product: inferred classes and values, each with its proof."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import RDF

from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.graph.namespaces import VIRT
from kgapi.reasoning.classification import Classification, DescriptionError, classify

DATA = Path(__file__).parent / "data" / "reasoning"


def classes_of(result: Classification) -> set[object]:
    return {fact.triple[2] for fact in result.classes}


def test_prp_spo2_based_on_xen_makes_a_type_1_hybrid_model(small_kg: KnowledgeGraph) -> None:
    result = classify(small_kg, {"label": "MyHV", "basedOn": ["xen"]})
    assert {VIRT.Type1Hypervisor, VIRT.HybridModelVMM, VIRT.Hypervisor} <= classes_of(result)
    values = {(fact.triple[1], fact.triple[2]) for fact in result.values}
    assert (VIRT.vmmStructure, VIRT.HybridModelVMM) in values
    fact = next(f for f in result.classes if f.triple[2] == VIRT.HybridModelVMM)
    assert fact.triple[:2] == (result.individual, RDF.type)
    assert "prp-spo2" in json.dumps(fact.proof.to_dict())
    assert result.label == "MyHV" and result.consistency.consistent


def test_cls_svf1_licence_makes_open_source(small_kg: KnowledgeGraph) -> None:
    result = classify(
        small_kg, {"label": "Free HV", "basedOn": "xen", "license": "spdx:GPL-2.0-only"}
    )
    assert {VIRT.OpenSourceSoftware, VIRT.OpenSourceHypervisor} <= classes_of(result)


def test_turtle_description(small_kg: KnowledgeGraph) -> None:
    result = classify(
        small_kg,
        """
        @prefix ex: <https://example.org/> .
        ex:my-hv rdfs:label "My HV"@en ; virt:vmmStructure virt:HostedModelVMM .
        """,
    )
    assert str(result.individual) == "https://example.org/my-hv"
    assert VIRT.Type2Hypervisor in classes_of(result)
    assert "cax-sco" in result.to_text()


def test_json_text_description(small_kg: KnowledgeGraph) -> None:
    result = classify(
        small_kg, json.dumps({"label": "J", "hypervisorType": "virt:Type1Hypervisor"})
    )
    assert VIRT.BareMetalArchitecture in classes_of(result)


def test_classification_never_changes_the_graph(small_kg: KnowledgeGraph) -> None:
    before = (len(small_kg.asserted), len(small_kg.inferred))
    classify(small_kg, {"label": "Temp", "basedOn": ["xen"]})
    assert (len(small_kg.asserted), len(small_kg.inferred)) == before
    assert not any("described-temp" in str(s) for s in small_kg.asserted.subjects())


def test_cax_dw_contradictory_description_is_reported(small_kg: KnowledgeGraph) -> None:
    result = classify(
        small_kg, {"label": "Both", "hypervisorType": ["Type1Hypervisor", "Type2Hypervisor"]}
    )
    assert not result.consistency.consistent
    assert {"cax-dw", "prp-fp"} <= {issue.rule for issue in result.consistency.issues}


def test_to_dict_is_json(small_kg: KnowledgeGraph) -> None:
    data = classify(small_kg, {"label": "MyHV", "basedOn": ["xen"]}).to_dict()
    assert json.loads(json.dumps(data))["classes"]


@pytest.mark.parametrize(
    ("description", "message"),
    [
        ("vr:x virt:basedOn", "Turtle syntax error"),
        ("{not json", "invalid JSON"),
        ("[1, 2]", "Turtle syntax error"),
        ('vr:x virt:note "unterminated', "Turtle syntax error"),
        ("vr:x virt:note " + "( " * 5000 + "1" + " )" * 5000 + " .", "nests too deeply"),
        ("vr:x virt:note " + "[ virt:note " * 5000 + "1" + " ]" * 5000 + " .", "nests too deeply"),
        ({"label": "X", "basedOnn": ["xen"]}, "did you mean basedOn"),
        ({"label": "X", "colour": "red"}, "unknown property 'colour'"),
        ({"label": "X", "basedOn": [3]}, "takes names of resources"),
        ({"label": "X", "basedOn": "no-such-product"}, "unknown name 'no-such-product'"),
        ({"label": ["X"]}, '"label" must be'),
        ({"label": "X", "firstRelease": {"year": 2003}}, "takes text, numbers or booleans"),
        (
            "<https://example.org/a> virt:basedOn vr:xen . "
            "<https://example.org/b> virt:basedOn vr:xen .",
            "exactly one new individual",
        ),
    ],
)
def test_bad_descriptions_raise_description_error(
    small_kg: KnowledgeGraph, description: str | dict[str, object], message: str
) -> None:
    with pytest.raises(DescriptionError, match=message):
        classify(small_kg, description)


def test_description_error_is_a_value_error() -> None:
    assert issubclass(DescriptionError, ValueError)
