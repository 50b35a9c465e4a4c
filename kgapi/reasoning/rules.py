"""The OWL 2 RL rules as data: each a body of triple patterns and a head, as the W3C tables read.

Rule ids are those of the W3C OWL 2 Profiles spec, tables 4-9. The purely axiomatic rules
(eq-ref, cls-thing, cls-nothing1, scm-cls, scm-op, scm-dp, prp-ap) are `AXIOMATIC_RULES`, kept
apart: they only make reflexive or `owl:Thing` triples, which the served closure drops as
trivia, so serving leaves them out; asking for the trivia too (the W3C entailment tests do) puts
them in. Where a spec rule relies on one of them (scm-hv with p1 = p2 through scm-op, say) it is
written out as its own variant. The datatype rules dt-* are not materialised.

A rule with no head concludes `false`: an inconsistency (with kgapi's one addition, that two
distinct named values of a functional property are reported, since OWL's answer — they are the
same — is almost always a modelling error and, for literals, a contradiction).

Rules over rdf:Lists (intersections, unions, enumerations, property chains, keys, the
all-disjoint and all-different axioms) depend on the list's length, so `list_rules` writes one
concrete rule per list axiom found in the graph. `kgapi.reasoning.inference` evaluates all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations

from rdflib import OWL, RDF, RDFS, Literal, URIRef
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Var:
    """A rule variable; `?x` in the spec's tables."""

    name: str

    def __repr__(self) -> str:
        return f"?{self.name}"


Term = Node | Var
Pattern = tuple[Term, Term, Term]


@dataclass(frozen=True)
class Guard:
    """A test on some variables' values, checked as soon as all of them are bound."""

    variables: tuple[Var, ...]
    test: Callable[..., bool]


@dataclass(frozen=True)
class Rule:
    """If every body pattern matches (and every guard passes), the head holds; no head: false."""

    id: str
    body: tuple[Pattern, ...]
    head: Pattern | None
    guards: tuple[Guard, ...] = field(default=())


def _vars(names: str) -> tuple[Var, ...]:
    return tuple(Var(name) for name in names.split())


x, y, z, p, p1, p2, p3, c, c1, c2, c3, u, v, w = _vars("x y z p p1 p2 p3 c c1 c2 c3 u v w")
y1, y2, x1, x2, i1, i2, limit, filler = _vars("y1 y2 x1 x2 i1 i2 limit filler")


@cache  # one Guard per pair, so rules written twice are equal
def differ(a: Var, b: Var) -> Guard:
    return Guard((a, b), lambda first, second: first != second)


def _is(value: str) -> Callable[[Node], bool]:
    return lambda term: isinstance(term, Literal) and str(term) == value


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
        (Guard((limit,), _is("1")), differ(y1, y2)),
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
        (Guard((limit,), _is("1")), Guard((c,), lambda term: term != OWL.Thing), differ(y1, y2)),
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
        (Guard((limit,), _is("1")), differ(y1, y2)),
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
        (Guard((limit,), _is("0")),),
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
        (Guard((limit,), _is("0")), Guard((c,), lambda term: term != OWL.Thing)),
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
        (Guard((limit,), _is("0")),),
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

# The list axioms `list_rules` reads: (predicate, how it names the list).
LIST_PREDICATES = frozenset(
    {
        OWL.intersectionOf,
        OWL.unionOf,
        OWL.oneOf,
        OWL.propertyChainAxiom,
        OWL.hasKey,
        OWL.members,
        OWL.distinctMembers,
    }
)


def list_rules(
    axioms: Iterable[Triple], items: Callable[[Node], list[Node] | None]
) -> Iterable[Rule]:
    """The concrete rules of list axioms `(subject, list predicate, head)`.

    `items(head)` gives a list's members (None when it is not a well-formed list). The axiom
    triple is each rule's first premise, so proofs name it; the list's own cells are not.
    """
    for subject, predicate, head in axioms:
        members = items(head)
        if not members:
            continue
        axiom = (subject, predicate, head)
        yield from _rules_of_list(axiom, members)


def _rules_of_list(axiom: Triple, members: list[Node]) -> Iterable[Rule]:
    subject, predicate, _ = axiom
    if predicate == OWL.intersectionOf:
        typing = tuple((y, RDF.type, member) for member in members)
        yield Rule("cls-int1", (axiom, *typing), (y, RDF.type, subject))
        for member in members:
            yield Rule("cls-int2", (axiom, (y, RDF.type, subject)), (y, RDF.type, member))
            yield Rule("scm-int", (axiom,), (subject, RDFS.subClassOf, member))
    elif predicate == OWL.unionOf:
        for member in members:
            yield Rule("cls-uni", (axiom, (y, RDF.type, member)), (y, RDF.type, subject))
            yield Rule("scm-uni", (axiom,), (member, RDFS.subClassOf, subject))
    elif predicate == OWL.oneOf:
        for member in members:
            yield Rule("cls-oo", (axiom,), (member, RDF.type, subject))
    elif predicate == OWL.propertyChainAxiom:
        steps = _vars(" ".join(f"u{i}" for i in range(len(members) + 1)))
        walk = tuple((steps[i], link, steps[i + 1]) for i, link in enumerate(members))
        yield Rule("prp-spo2", (axiom, *walk), (steps[0], subject, steps[-1]))
    elif predicate == OWL.hasKey:
        values = _vars(" ".join(f"z{i}" for i in range(len(members))))
        keys: tuple[Pattern, ...] = tuple(
            pattern
            for key, value in zip(members, values, strict=True)
            for pattern in ((x, key, value), (y, key, value))
        )
        body: tuple[Pattern, ...] = (axiom, (x, RDF.type, subject), (y, RDF.type, subject), *keys)
        yield Rule("prp-key", body, (x, OWL.sameAs, y), (differ(x, y),))
    elif predicate == OWL.members:
        yield from _all_disjoint_or_different(axiom, members)
    elif predicate == OWL.distinctMembers:
        for first, second in combinations(members, 2):
            if first != second:
                yield _all_different("eq-diff3", axiom, first, second)


def _all_disjoint_or_different(axiom: Triple, members: list[Node]) -> Iterable[Rule]:
    """owl:members serves AllDisjointClasses, AllDisjointProperties and AllDifferent alike."""
    subject = axiom[0]
    for first, second in combinations(members, 2):
        if first == second:
            continue
        yield Rule(
            "cax-adc",
            (
                (subject, RDF.type, OWL.AllDisjointClasses),
                axiom,
                (x, RDF.type, first),
                (x, RDF.type, second),
            ),
            None,
        )
        yield Rule(
            "prp-adp",
            ((subject, RDF.type, OWL.AllDisjointProperties), axiom, (x, first, y), (x, second, y)),
            None,
        )
        yield _all_different("eq-diff2", axiom, first, second)


def _all_different(rule_id: str, axiom: Triple, first: Node, second: Node) -> Rule:
    """Two members of an owl:AllDifferent that are the same."""
    declared = ((axiom[0], RDF.type, OWL.AllDifferent), axiom)
    return Rule(rule_id, (*declared, (first, OWL.sameAs, second)), None)
