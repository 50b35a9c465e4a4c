"""The OWL 2 RL rules over rdf:Lists, written out per list axiom found in the graph.

Intersections, unions, enumerations, property chains, keys, and the all-disjoint and
all-different axioms depend on their list's length, so `list_rules` writes one concrete rule per
list axiom; the engine adds them as it finds the axioms (and their lists' cells).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import combinations

from rdflib import OWL, RDF, RDFS
from rdflib.term import Node

from kgapi.reasoning.rule_language import Pattern, Rule, Triple, differ, variables, x, y

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
        steps = variables(" ".join(f"u{i}" for i in range(len(members) + 1)))
        walk = tuple((steps[i], link, steps[i + 1]) for i, link in enumerate(members))
        yield Rule("prp-spo2", (axiom, *walk), (steps[0], subject, steps[-1]))
    elif predicate == OWL.hasKey:
        values = variables(" ".join(f"z{i}" for i in range(len(members))))
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
