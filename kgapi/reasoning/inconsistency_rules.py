"""The OWL 2 RL rules that conclude `false` (W3C OWL 2 Profiles, tables 4-7): inconsistencies.

With kgapi's one addition: two distinct named values of a functional (or inverse-functional)
property are reported, since OWL's answer — they are the same — is almost always a modelling
error and, for literals, a contradiction. `kgapi.reasoning.consistency` words and proves them.
"""

from __future__ import annotations

from rdflib import OWL, RDF, Literal, URIRef
from rdflib.term import Node

from kgapi.reasoning.rule_language import (
    Guard,
    Rule,
    c,
    c1,
    c2,
    differ,
    i1,
    i2,
    limit,
    literal_is,
    p,
    p1,
    p2,
    u,
    x,
    x1,
    x2,
    y,
    y1,
    y2,
)


def named_values_clash(first: Node, second: Node) -> bool:
    """Two named values that cannot be one: IRIs by identity, literals by value.

    Each unordered pair once; blank nodes may stand for anything, so they never clash.
    """
    if not isinstance(first, URIRef | Literal) or not isinstance(second, URIRef | Literal):
        return False
    if str(first) > str(second) or first == second:
        return False
    if isinstance(first, Literal) and isinstance(second, Literal):
        # By value where rdflib knows it ("1" and "01" as integers); a gYear has none.
        known = first.value is not None and second.value is not None
        return not (
            known and type(first.value) is type(second.value) and first.value == second.value
        )
    return True


def _ill_typed(term: Node) -> bool:
    return isinstance(term, Literal) and bool(term.ill_typed) and term.datatype is not None


INCONSISTENCY_RULES: tuple[Rule, ...] = (
    Rule("cls-nothing2", ((x, RDF.type, OWL.Nothing),), None),
    Rule(
        "cax-dw",
        ((c1, OWL.disjointWith, c2), (x, RDF.type, c1), (x, RDF.type, c2)),
        None,
        (differ(c1, c2),),  # c dw c, as owl:sameAs copies a disjointness, says nothing new
    ),
    Rule("cls-com", ((c1, OWL.complementOf, c2), (x, RDF.type, c1), (x, RDF.type, c2)), None),
    Rule(
        "cls-maxc1",
        ((x, OWL.maxCardinality, limit), (x, OWL.onProperty, p), (u, RDF.type, x), (u, p, y)),
        None,
        (Guard((limit,), literal_is("0")),),
    ),
    Rule(
        "cls-maxqc1",
        (
            (x, OWL.maxQualifiedCardinality, limit),
            (x, OWL.onProperty, p),
            (x, OWL.onClass, c),
            (u, RDF.type, x),
            (u, p, y),
            (y, RDF.type, c),
        ),
        None,
        (Guard((limit,), literal_is("0")), Guard((c,), lambda term: term != OWL.Thing)),
    ),
    Rule(
        "cls-maxqc2",
        (
            (x, OWL.maxQualifiedCardinality, limit),
            (x, OWL.onProperty, p),
            (x, OWL.onClass, OWL.Thing),
            (u, RDF.type, x),
            (u, p, y),
        ),
        None,
        (Guard((limit,), literal_is("0")),),
    ),
    Rule("prp-irp", ((p, RDF.type, OWL.IrreflexiveProperty), (x, p, x)), None),
    Rule(
        "prp-asyp",
        ((p, RDF.type, OWL.AsymmetricProperty), (x, p, y), (y, p, x)),
        None,
        (Guard((x, y), lambda first, second: str(first) <= str(second)),),
    ),
    Rule("prp-pdw", ((p1, OWL.propertyDisjointWith, p2), (x, p1, y), (x, p2, y)), None),
    Rule(
        "prp-npa1",
        (
            (x, OWL.sourceIndividual, i1),
            (x, OWL.assertionProperty, p),
            (x, OWL.targetIndividual, i2),
            (i1, p, i2),
        ),
        None,
    ),
    Rule(
        "prp-npa2",
        (
            (x, OWL.sourceIndividual, i1),
            (x, OWL.assertionProperty, p),
            (x, OWL.targetValue, i2),
            (i1, p, i2),
        ),
        None,
    ),
    Rule("eq-diff1", ((x, OWL.sameAs, y), (x, OWL.differentFrom, y)), None),
    # eq-diff1 with eq-ref's x = x, which the engine does not materialise.
    Rule("eq-diff1", ((x, OWL.differentFrom, x),), None),
    Rule("dt-not-type", ((x, p, y),), None, (Guard((y,), _ill_typed),)),
    # Not OWL's: distinct named values of a (inverse-)functional property, reported (see above).
    Rule(
        "prp-fp",
        ((p, RDF.type, OWL.FunctionalProperty), (x, p, y1), (x, p, y2)),
        None,
        (Guard((y1, y2), named_values_clash),),
    ),
    Rule(
        "prp-ifp",
        ((p, RDF.type, OWL.InverseFunctionalProperty), (x1, p, y), (x2, p, y)),
        None,
        (Guard((x1, x2), named_values_clash),),
    ),
)
