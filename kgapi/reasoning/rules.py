"""The OWL 2 RL rules as data: each a body of triple patterns and a head, as the W3C tables read.

Rule ids are those of the W3C OWL 2 Profiles spec, tables 4-9. The purely axiomatic rules
(eq-ref, cls-thing, cls-nothing1, scm-cls, scm-op, scm-dp, prp-ap) are `AXIOMATIC_RULES`, kept
apart: they only make reflexive or `owl:Thing` triples, which the served closure drops as
trivia, so serving leaves them out; asking for the trivia too (the W3C entailment tests do) puts
them in. Where a spec rule relies on one of them (scm-hv with p1 = p2 through scm-op, say) it is
written out as its own variant. The datatype rules dt-* are not materialised.

`RULES` is every rule the engine starts with: these, and the rules concluding `false`
(`kgapi.reasoning.inconsistency_rules`); the rules over rdf:Lists are written per axiom
(`kgapi.reasoning.list_rules`).
"""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, URIRef

from kgapi.reasoning.inconsistency_rules import INCONSISTENCY_RULES
from kgapi.reasoning.rule_language import (
    Guard,
    Rule,
    c,
    c1,
    c2,
    c3,
    differ,
    limit,
    literal_is,
    p,
    p1,
    p2,
    p3,
    u,
    v,
    x,
    x1,
    x2,
    y,
    y1,
    y2,
    z,
)

SCHEMA_RULES: tuple[Rule, ...] = (
    # --- Table 4: equality
    Rule("eq-sym", ((x, OWL.sameAs, y),), (y, OWL.sameAs, x), (differ(x, y),)),
    Rule(
        "eq-trans",
        ((x, OWL.sameAs, y), (y, OWL.sameAs, z)),
        (x, OWL.sameAs, z),
        (differ(x, y), differ(x, z)),
    ),
    Rule("eq-rep-s", ((x, OWL.sameAs, y), (x, p, v)), (y, p, v), (differ(x, y),)),
    Rule("eq-rep-p", ((x, OWL.sameAs, y), (u, x, v)), (u, y, v), (differ(x, y),)),
    Rule("eq-rep-o", ((x, OWL.sameAs, y), (u, p, x)), (u, p, y), (differ(x, y),)),
    # --- Table 5: properties
    Rule("prp-dom", ((p, RDFS.domain, c), (x, p, y)), (x, RDF.type, c)),
    Rule("prp-rng", ((p, RDFS.range, c), (x, p, y)), (y, RDF.type, c)),
    Rule(
        "prp-fp",
        ((p, RDF.type, OWL.FunctionalProperty), (x, p, y1), (x, p, y2)),
        (y1, OWL.sameAs, y2),
        (differ(y1, y2),),
    ),
    Rule(
        "prp-ifp",
        ((p, RDF.type, OWL.InverseFunctionalProperty), (x1, p, y), (x2, p, y)),
        (x1, OWL.sameAs, x2),
        (differ(x1, x2),),
    ),
    Rule("prp-symp", ((p, RDF.type, OWL.SymmetricProperty), (x, p, y)), (y, p, x)),
    Rule("prp-trp", ((p, RDF.type, OWL.TransitiveProperty), (x, p, y), (y, p, z)), (x, p, z)),
    Rule("prp-spo1", ((p1, RDFS.subPropertyOf, p2), (x, p1, y)), (x, p2, y), (differ(p1, p2),)),
    Rule("prp-eqp1", ((p1, OWL.equivalentProperty, p2), (x, p1, y)), (x, p2, y), (differ(p1, p2),)),
    Rule("prp-eqp2", ((p1, OWL.equivalentProperty, p2), (x, p2, y)), (x, p1, y), (differ(p1, p2),)),
    Rule("prp-inv1", ((p1, OWL.inverseOf, p2), (x, p1, y)), (y, p2, x)),
    Rule("prp-inv2", ((p1, OWL.inverseOf, p2), (x, p2, y)), (y, p1, x)),
    # --- Table 6: classes
    Rule(
        "cls-svf1",
        ((x, OWL.someValuesFrom, y), (x, OWL.onProperty, p), (u, p, v), (v, RDF.type, y)),
        (u, RDF.type, x),
        (Guard((y,), lambda term: term != OWL.Thing),),
    ),
    Rule(
        "cls-svf2",
        ((x, OWL.someValuesFrom, OWL.Thing), (x, OWL.onProperty, p), (u, p, v)),
        (u, RDF.type, x),
    ),
    Rule(
        "cls-avf",
        ((x, OWL.allValuesFrom, y), (x, OWL.onProperty, p), (u, RDF.type, x), (u, p, v)),
        (v, RDF.type, y),
    ),
    Rule(
        "cls-hv1",
        ((x, OWL.hasValue, y), (x, OWL.onProperty, p), (u, RDF.type, x)),
        (u, p, y),
    ),
    Rule(
        "cls-hv2",
        ((x, OWL.hasValue, y), (x, OWL.onProperty, p), (u, p, y)),
        (u, RDF.type, x),
    ),
    Rule(
        "cls-maxc2",
        (
            (x, OWL.maxCardinality, limit),
            (x, OWL.onProperty, p),
            (u, RDF.type, x),
            (u, p, y1),
            (u, p, y2),
        ),
        (y1, OWL.sameAs, y2),
        (Guard((limit,), literal_is("1")), differ(y1, y2)),
    ),
    Rule(
        "cls-maxqc3",
        (
            (x, OWL.maxQualifiedCardinality, limit),
            (x, OWL.onProperty, p),
            (x, OWL.onClass, c),
            (u, RDF.type, x),
            (u, p, y1),
            (u, p, y2),
            (y1, RDF.type, c),
            (y2, RDF.type, c),
        ),
        (y1, OWL.sameAs, y2),
        (
            Guard((limit,), literal_is("1")),
            Guard((c,), lambda term: term != OWL.Thing),
            differ(y1, y2),
        ),
    ),
    Rule(
        "cls-maxqc4",
        (
            (x, OWL.maxQualifiedCardinality, limit),
            (x, OWL.onProperty, p),
            (x, OWL.onClass, OWL.Thing),
            (u, RDF.type, x),
            (u, p, y1),
            (u, p, y2),
        ),
        (y1, OWL.sameAs, y2),
        (Guard((limit,), literal_is("1")), differ(y1, y2)),
    ),
    # --- Table 7: class axioms
    Rule(
        "cax-sco",
        ((c1, RDFS.subClassOf, c2), (x, RDF.type, c1)),
        (x, RDF.type, c2),
        (differ(c1, c2),),
    ),
    Rule(
        "cax-eqc1",
        ((c1, OWL.equivalentClass, c2), (x, RDF.type, c1)),
        (x, RDF.type, c2),
        (differ(c1, c2),),
    ),
    Rule(
        "cax-eqc2",
        ((c1, OWL.equivalentClass, c2), (x, RDF.type, c2)),
        (x, RDF.type, c1),
        (differ(c1, c2),),
    ),
    # --- Table 9: schema vocabulary
    Rule(
        "scm-sco",
        ((c1, RDFS.subClassOf, c2), (c2, RDFS.subClassOf, c3)),
        (c1, RDFS.subClassOf, c3),
        (differ(c1, c2), differ(c3, c1), differ(c3, c2)),
    ),
    Rule(
        "scm-eqc1", ((c1, OWL.equivalentClass, c2),), (c1, RDFS.subClassOf, c2), (differ(c1, c2),)
    ),
    Rule(
        "scm-eqc1", ((c1, OWL.equivalentClass, c2),), (c2, RDFS.subClassOf, c1), (differ(c1, c2),)
    ),
    Rule(
        "scm-eqc2",
        ((c1, RDFS.subClassOf, c2), (c2, RDFS.subClassOf, c1)),
        (c1, OWL.equivalentClass, c2),
        (differ(c1, c2),),
    ),
    Rule(
        "scm-spo",
        ((p1, RDFS.subPropertyOf, p2), (p2, RDFS.subPropertyOf, p3)),
        (p1, RDFS.subPropertyOf, p3),
        (differ(p1, p2), differ(p3, p1), differ(p3, p2)),
    ),
    Rule(
        "scm-eqp1",
        ((p1, OWL.equivalentProperty, p2),),
        (p1, RDFS.subPropertyOf, p2),
        (differ(p1, p2),),
    ),
    Rule(
        "scm-eqp1",
        ((p1, OWL.equivalentProperty, p2),),
        (p2, RDFS.subPropertyOf, p1),
        (differ(p1, p2),),
    ),
    Rule(
        "scm-eqp2",
        ((p1, RDFS.subPropertyOf, p2), (p2, RDFS.subPropertyOf, p1)),
        (p1, OWL.equivalentProperty, p2),
        (differ(p1, p2),),
    ),
    Rule(
        "scm-dom1",
        ((p, RDFS.domain, c1), (c1, RDFS.subClassOf, c2)),
        (p, RDFS.domain, c2),
        (differ(c1, c2),),
    ),
    Rule(
        "scm-dom2",
        ((p2, RDFS.domain, c), (p1, RDFS.subPropertyOf, p2)),
        (p1, RDFS.domain, c),
        (differ(p1, p2),),
    ),
    Rule(
        "scm-rng1",
        ((p, RDFS.range, c1), (c1, RDFS.subClassOf, c2)),
        (p, RDFS.range, c2),
        (differ(c1, c2),),
    ),
    Rule(
        "scm-rng2",
        ((p2, RDFS.range, c), (p1, RDFS.subPropertyOf, p2)),
        (p1, RDFS.range, c),
        (differ(p1, p2),),
    ),
    # scm-hv, scm-svf*, scm-avf*: the p1 = p2 and y1 = y2 cases written out (scm-op, scm-cls).
    Rule(
        "scm-hv",
        (
            (c1, OWL.hasValue, v),
            (c1, OWL.onProperty, p),
            (c2, OWL.hasValue, v),
            (c2, OWL.onProperty, p),
        ),
        (c1, RDFS.subClassOf, c2),
        (differ(c1, c2),),
    ),
    Rule(
        "scm-hv",
        (
            (c1, OWL.hasValue, v),
            (c1, OWL.onProperty, p1),
            (c2, OWL.hasValue, v),
            (c2, OWL.onProperty, p2),
            (p1, RDFS.subPropertyOf, p2),
        ),
        (c1, RDFS.subClassOf, c2),
        (differ(c1, c2), differ(p1, p2)),
    ),
)


def _restriction_hierarchy(kind: URIRef, first: str, second: str) -> tuple[Rule, ...]:
    """scm-svf1/2 and scm-avf1/2: restrictions ordered by their filler and by their property."""
    same = ((c1, kind, y), (c1, OWL.onProperty, p), (c2, kind, y), (c2, OWL.onProperty, p))
    narrower_filler = (
        (c1, kind, y1),
        (c1, OWL.onProperty, p),
        (c2, kind, y2),
        (c2, OWL.onProperty, p),
        (y1, RDFS.subClassOf, y2),
    )
    narrower_property = (
        (c1, kind, y),
        (c1, OWL.onProperty, p1),
        (c2, kind, y),
        (c2, OWL.onProperty, p2),
        (p1, RDFS.subPropertyOf, p2),
    )
    # someValuesFrom narrows with its property; allValuesFrom widens.
    by_property = (
        (c1, RDFS.subClassOf, c2) if kind == OWL.someValuesFrom else (c2, RDFS.subClassOf, c1)
    )
    return (
        Rule(first, same, (c1, RDFS.subClassOf, c2), (differ(c1, c2),)),
        Rule(first, narrower_filler, (c1, RDFS.subClassOf, c2), (differ(c1, c2), differ(y1, y2))),
        Rule(second, narrower_property, by_property, (differ(c1, c2), differ(p1, p2))),
    )


AXIOMATIC_RULES: tuple[Rule, ...] = (
    *(Rule("eq-ref", ((x, p, y),), (term, OWL.sameAs, term)) for term in (x, p, y)),
    Rule("cls-thing", (), (OWL.Thing, RDF.type, OWL.Class)),
    Rule("cls-nothing1", (), (OWL.Nothing, RDF.type, OWL.Class)),
    *(
        Rule("scm-cls", ((c, RDF.type, OWL.Class),), head)
        for head in (
            (c, RDFS.subClassOf, c),
            (c, OWL.equivalentClass, c),
            (c, RDFS.subClassOf, OWL.Thing),
            (OWL.Nothing, RDFS.subClassOf, c),
        )
    ),
    *(
        Rule(rule_id, ((p, RDF.type, kind),), head)
        for rule_id, kind in (("scm-op", OWL.ObjectProperty), ("scm-dp", OWL.DatatypeProperty))
        for head in ((p, RDFS.subPropertyOf, p), (p, OWL.equivalentProperty, p))
    ),
    *(
        Rule("prp-ap", (), (annotation, RDF.type, OWL.AnnotationProperty))
        for annotation in (
            RDFS.label,
            RDFS.comment,
            RDFS.seeAlso,
            RDFS.isDefinedBy,
            OWL.deprecated,
            OWL.versionInfo,
            OWL.priorVersion,
            OWL.backwardCompatibleWith,
            OWL.incompatibleWith,
        )
    ),
)

RULES: tuple[Rule, ...] = (
    *SCHEMA_RULES,
    *_restriction_hierarchy(OWL.someValuesFrom, "scm-svf1", "scm-svf2"),
    *_restriction_hierarchy(OWL.allValuesFrom, "scm-avf1", "scm-avf2"),
    *INCONSISTENCY_RULES,
)
