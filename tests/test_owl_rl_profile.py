"""The ontology's axioms stay inside the OWL 2 RL profile (OWL 2 Profiles, section 4.2).

Checked on the parsed graph: every property of our namespace is declared as exactly one of
object, datatype or annotation property and used accordingly; every class expression in an
axiom is of the form RL allows in its position (sub-class, super-class, equivalent class); no
construct outside RL (min or exact cardinality, hasSelf, disjoint unions, …) appears.
"""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kgapi.graph.namespaces import VIRT

PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
# Property types that only add characteristics to an object property.
OBJECT_CHARACTERISTICS = (
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.InverseFunctionalProperty,
    OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty,
)
OUTSIDE_RL = (
    OWL.minCardinality,
    OWL.cardinality,
    OWL.minQualifiedCardinality,
    OWL.qualifiedCardinality,
    OWL.hasSelf,
    OWL.disjointUnionOf,
)


def members(graph: Graph, head: Node) -> list[Node]:
    found: list[Node] = []
    while head != RDF.nil:
        found.append(graph.value(head, RDF.first))
        head = graph.value(head, RDF.rest)
    return found


def is_class(graph: Graph, node: Node) -> bool:
    return isinstance(node, URIRef)


def sub_expression(graph: Graph, node: Node) -> bool:
    """RL sub-class expressions: a class, intersection or union of them, oneOf, and
    someValuesFrom (of a sub-class expression or owl:Thing) or hasValue restrictions."""
    if is_class(graph, node):
        return True
    if (node, OWL.intersectionOf, None) in graph:
        return all(
            sub_expression(graph, m) for m in members(graph, graph.value(node, OWL.intersectionOf))
        )
    if (node, OWL.unionOf, None) in graph:
        return all(sub_expression(graph, m) for m in members(graph, graph.value(node, OWL.unionOf)))
    if (node, OWL.oneOf, None) in graph:
        return True
    if (node, OWL.hasValue, None) in graph:
        return True
    filler = graph.value(node, OWL.someValuesFrom)
    return filler is not None and (filler == OWL.Thing or sub_expression(graph, filler))


def super_expression(graph: Graph, node: Node) -> bool:
    """RL super-class expressions: a class, intersection of them, complement of a sub-class
    expression, allValuesFrom of a super-class expression, hasValue, max cardinality 0 or 1."""
    if is_class(graph, node):
        return node != OWL.Thing
    if (node, OWL.intersectionOf, None) in graph:
        return all(
            super_expression(graph, m)
            for m in members(graph, graph.value(node, OWL.intersectionOf))
        )
    if (node, OWL.complementOf, None) in graph:
        return sub_expression(graph, graph.value(node, OWL.complementOf))
    if (node, OWL.hasValue, None) in graph:
        return True
    filler = graph.value(node, OWL.allValuesFrom)
    if filler is not None:
        return super_expression(graph, filler)
    for cardinality in (OWL.maxCardinality, OWL.maxQualifiedCardinality):
        value = graph.value(node, cardinality)
        if value is not None:
            return isinstance(value, Literal) and value.toPython() in (0, 1)
    return False


def equivalent_expression(graph: Graph, node: Node) -> bool:
    """RL equivalent-class expressions: a class, intersection of them, or hasValue."""
    if is_class(graph, node):
        return node != OWL.Thing
    if (node, OWL.intersectionOf, None) in graph:
        return all(
            equivalent_expression(graph, m)
            for m in members(graph, graph.value(node, OWL.intersectionOf))
        )
    return (node, OWL.hasValue, None) in graph


def test_every_property_of_our_namespace_is_one_kind_and_used_as_that_kind(
    asserted: Graph,
) -> None:
    problems = []
    used = {p for p in asserted.predicates() if str(p).startswith(str(VIRT))}
    for prop in sorted(used):
        kinds = [kind for kind in PROPERTY_KINDS if (prop, RDF.type, kind) in asserted]
        if len(kinds) != 1:
            problems.append(f"{prop}: declared as {kinds or 'nothing'}")
            continue
        objects = set(asserted.objects(None, prop))
        if kinds[0] == OWL.ObjectProperty and any(isinstance(o, Literal) for o in objects):
            problems.append(f"{prop}: an object property with literal values")
        if kinds[0] == OWL.DatatypeProperty and any(not isinstance(o, Literal) for o in objects):
            problems.append(f"{prop}: a datatype property with resource values")
        if kinds[0] != OWL.ObjectProperty and any(
            (prop, RDF.type, c) in asserted for c in OBJECT_CHARACTERISTICS
        ):
            problems.append(f"{prop}: object-property characteristics on a non-object property")
    assert problems == []


def test_class_axioms_use_only_the_expressions_rl_allows_in_their_position(
    asserted: Graph,
) -> None:
    problems = []
    for sub, sup in asserted.subject_objects(RDFS.subClassOf):
        if isinstance(sub, BNode) or isinstance(sup, BNode):
            if not sub_expression(asserted, sub):
                problems.append(f"sub-class position: {sub} ⊑ {sup}")
            if not super_expression(asserted, sup):
                problems.append(f"super-class position: {sub} ⊑ {sup}")
    for left, right in asserted.subject_objects(OWL.equivalentClass):
        for side in (left, right):
            if not equivalent_expression(asserted, side):
                problems.append(f"equivalent class: {left} ≡ {right}")
    for left, right in asserted.subject_objects(OWL.disjointWith):
        for side in (left, right):
            if not sub_expression(asserted, side):
                problems.append(f"disjoint class: {left} ⊥ {right}")
    assert problems == []


@pytest.mark.parametrize("construct", OUTSIDE_RL, ids=lambda c: str(c).rsplit("#", 1)[-1])
def test_no_construct_outside_rl(asserted: Graph, construct: URIRef) -> None:
    assert list(asserted.subject_objects(construct)) == []


def test_no_plain_class_is_the_value_of_an_object_property(asserted: Graph) -> None:
    """Values of object properties are individuals. The classification categories are both
    classes and SKOS concepts by design (punning: a product's virt:hypervisorType is the concept
    virt:Type1Hypervisor); any other class as a value is a modelling error."""
    from rdflib.namespace import SKOS

    problems = []
    for prop in asserted.subjects(RDF.type, OWL.ObjectProperty):
        if not str(prop).startswith(str(VIRT)):
            continue
        for subject, value in asserted.subject_objects(prop):
            if (value, RDF.type, OWL.Class) in asserted and (
                value,
                RDF.type,
                SKOS.Concept,
            ) not in asserted:
                problems.append(f"{subject} {prop} {value}")
    assert problems == []
