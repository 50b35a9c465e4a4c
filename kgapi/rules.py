"""The OWL 2 RL rules, forward-chained with provenance: the engine behind explanations.

owlrl computes the served closure; this engine recomputes it while recording, for every derived
triple, the first rule instance (rule id, premises) that derives it in the earliest round. Round
`n` only reads triples known before it, so every proof bottoms out in asserted triples and has no
cycles. Rule ids are those of the W3C OWL 2 Profiles spec, tables 4-9. The purely axiomatic rules
(eq-ref, cls-thing, cls-nothing1, scm-cls, scm-op, scm-dp, prp-ap, dt-*) are left out: they only
make reflexive or `owl:Thing` triples, which the served closure drops as trivia.
The engine is pure Python over rdflib terms and touches no global state, so it may run on a
request (classification), unlike owlrl.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from rdflib import OWL, RDF, RDFS, Graph
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
# (rule id, conclusion, premises) for one rule instance.
Inference = tuple[str, Triple, tuple[Triple, ...]]


@dataclass(frozen=True)
class Derivation:
    """How a triple was first derived: the rule, its premises, and the round (1 = first)."""

    rule: str
    premises: tuple[Triple, ...]
    round: int


class TripleIndex:
    """A set of triples with the lookups the rules need; grows, never shrinks."""

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        self._triples: set[Triple] = set()
        self._sp: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
        self._po: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
        self._p: dict[Node, set[tuple[Node, Node]]] = defaultdict(set)
        self._s: dict[Node, set[tuple[Node, Node]]] = defaultdict(set)
        self._o: dict[Node, set[tuple[Node, Node]]] = defaultdict(set)
        for triple in triples:
            self.add(triple)

    def add(self, triple: Triple) -> bool:
        """Add `triple`; False if it was already there."""
        if triple in self._triples:
            return False
        s, p, o = triple
        self._triples.add(triple)
        self._sp[s, p].add(o)
        self._po[p, o].add(s)
        self._p[p].add((s, o))
        self._s[s].add((p, o))
        self._o[o].add((s, p))
        return True

    def __contains__(self, triple: object) -> bool:
        return triple in self._triples

    def __iter__(self) -> Iterator[Triple]:
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)

    # The lookups copy into lists: the rules read while the engine later adds.
    def objects(self, s: Node, p: Node) -> list[Node]:
        return list(self._sp.get((s, p), ()))

    def subjects(self, p: Node, o: Node) -> list[Node]:
        return list(self._po.get((p, o), ()))

    def pairs(self, p: Node) -> list[tuple[Node, Node]]:
        return list(self._p.get(p, ()))

    def about(self, s: Node) -> list[tuple[Node, Node]]:
        """(predicate, object) of every triple with subject `s`."""
        return list(self._s.get(s, ()))

    def pointing_at(self, o: Node) -> list[tuple[Node, Node]]:
        """(subject, predicate) of every triple with object `o`."""
        return list(self._o.get(o, ()))

    def items(self, head: Node) -> list[Node] | None:
        """The members of the rdf:List at `head`, or None if it is not a well-formed list."""
        members: list[Node] = []
        seen: set[Node] = set()
        while head != RDF.nil:
            if head in seen:
                return None
            seen.add(head)
            firsts, rests = self.objects(head, RDF.first), self.objects(head, RDF.rest)
            if len(firsts) != 1 or len(rests) != 1:
                return None
            members.append(firsts[0])
            head = rests[0]
        return members


Rule = Callable[[TripleIndex], Iterator[Inference]]
RULES: list[Rule] = []


def rule(function: Rule) -> Rule:
    RULES.append(function)
    return function


# --- Table 4: equality -----------------------------------------------------------------------


@rule
def equality(g: TripleIndex) -> Iterator[Inference]:
    for x, y in g.pairs(OWL.sameAs):
        if x == y:
            continue
        same = (x, OWL.sameAs, y)
        yield "eq-sym", (y, OWL.sameAs, x), (same,)
        for z in g.objects(y, OWL.sameAs):
            if z != x:
                yield "eq-trans", (x, OWL.sameAs, z), (same, (y, OWL.sameAs, z))
        for p, o in g.about(x):
            yield "eq-rep-s", (y, p, o), (same, (x, p, o))
        for s, o in g.pairs(x):
            yield "eq-rep-p", (s, y, o), (same, (s, x, o))
        for s, p in g.pointing_at(x):
            yield "eq-rep-o", (s, p, y), (same, (s, p, x))


# --- Table 5: properties ---------------------------------------------------------------------


@rule
def domain_and_range(g: TripleIndex) -> Iterator[Inference]:
    for p, c in g.pairs(RDFS.domain):
        for x, y in g.pairs(p):
            yield "prp-dom", (x, RDF.type, c), ((p, RDFS.domain, c), (x, p, y))
    for p, c in g.pairs(RDFS.range):
        for x, y in g.pairs(p):
            yield "prp-rng", (y, RDF.type, c), ((p, RDFS.range, c), (x, p, y))


@rule
def property_characteristics(g: TripleIndex) -> Iterator[Inference]:
    for p in g.subjects(RDF.type, OWL.FunctionalProperty):
        axiom = (p, RDF.type, OWL.FunctionalProperty)
        for x, y1 in g.pairs(p):
            for y2 in g.objects(x, p):
                if y1 != y2:
                    yield "prp-fp", (y1, OWL.sameAs, y2), (axiom, (x, p, y1), (x, p, y2))
    for p in g.subjects(RDF.type, OWL.InverseFunctionalProperty):
        axiom = (p, RDF.type, OWL.InverseFunctionalProperty)
        for x1, y in g.pairs(p):
            for x2 in g.subjects(p, y):
                if x1 != x2:
                    yield "prp-ifp", (x1, OWL.sameAs, x2), (axiom, (x1, p, y), (x2, p, y))
    for p in g.subjects(RDF.type, OWL.SymmetricProperty):
        axiom = (p, RDF.type, OWL.SymmetricProperty)
        for x, y in g.pairs(p):
            yield "prp-symp", (y, p, x), (axiom, (x, p, y))
    for p in g.subjects(RDF.type, OWL.TransitiveProperty):
        axiom = (p, RDF.type, OWL.TransitiveProperty)
        for x, y in g.pairs(p):
            for z in g.objects(y, p):
                yield "prp-trp", (x, p, z), (axiom, (x, p, y), (y, p, z))


@rule
def property_axioms(g: TripleIndex) -> Iterator[Inference]:
    for p1, p2 in g.pairs(RDFS.subPropertyOf):
        if p1 != p2:
            for x, y in g.pairs(p1):
                yield "prp-spo1", (x, p2, y), ((p1, RDFS.subPropertyOf, p2), (x, p1, y))
    for p1, p2 in g.pairs(OWL.equivalentProperty):
        if p1 != p2:
            axiom = (p1, OWL.equivalentProperty, p2)
            for x, y in g.pairs(p1):
                yield "prp-eqp1", (x, p2, y), (axiom, (x, p1, y))
            for x, y in g.pairs(p2):
                yield "prp-eqp2", (x, p1, y), (axiom, (x, p2, y))
    for p1, p2 in g.pairs(OWL.inverseOf):
        axiom = (p1, OWL.inverseOf, p2)
        for x, y in g.pairs(p1):
            yield "prp-inv1", (y, p2, x), (axiom, (x, p1, y))
        for x, y in g.pairs(p2):
            yield "prp-inv2", (y, p1, x), (axiom, (x, p2, y))


@rule
def property_chains(g: TripleIndex) -> Iterator[Inference]:
    for p, head in g.pairs(OWL.propertyChainAxiom):
        chain = g.items(head)
        if not chain:
            continue
        axiom = (p, OWL.propertyChainAxiom, head)
        # Each partial path is (start, end, the triples walked so far).
        paths: list[tuple[Node, Node, tuple[Triple, ...]]] = [
            (u, v, ((u, chain[0], v),)) for u, v in g.pairs(chain[0])
        ]
        for link in chain[1:]:
            paths = [
                (start, nxt, (*walked, (end, link, nxt)))
                for start, end, walked in paths
                for nxt in g.objects(end, link)
            ]
        for start, end, walked in paths:
            yield "prp-spo2", (start, p, end), (axiom, *walked)


@rule
def property_keys(g: TripleIndex) -> Iterator[Inference]:
    for c, head in g.pairs(OWL.hasKey):
        keys = g.items(head)
        if not keys:
            continue
        members = g.subjects(RDF.type, c)
        for x in members:
            for y in members:
                if x == y:
                    continue
                shared = [
                    next((z for z in g.objects(x, key) if (y, key, z) in g), None) for key in keys
                ]
                if any(z is None for z in shared):
                    continue
                premises: list[Triple] = [(c, OWL.hasKey, head), (x, RDF.type, c), (y, RDF.type, c)]
                for key, z in zip(keys, shared, strict=True):
                    assert z is not None
                    premises += [(x, key, z), (y, key, z)]
                yield "prp-key", (x, OWL.sameAs, y), tuple(premises)


# --- Table 6: classes ------------------------------------------------------------------------


@rule
def boolean_classes(g: TripleIndex) -> Iterator[Inference]:
    for c, head in g.pairs(OWL.intersectionOf):
        members = g.items(head)
        if not members:
            continue
        axiom = (c, OWL.intersectionOf, head)
        for y in g.subjects(RDF.type, members[0]):
            if all((y, RDF.type, ci) in g for ci in members[1:]):
                typing = tuple((y, RDF.type, ci) for ci in members)
                yield "cls-int1", (y, RDF.type, c), (axiom, *typing)
        for y in g.subjects(RDF.type, c):
            for ci in members:
                yield "cls-int2", (y, RDF.type, ci), (axiom, (y, RDF.type, c))
    for c, head in g.pairs(OWL.unionOf):
        for ci in g.items(head) or ():
            for y in g.subjects(RDF.type, ci):
                yield "cls-uni", (y, RDF.type, c), ((c, OWL.unionOf, head), (y, RDF.type, ci))
    for c, head in g.pairs(OWL.oneOf):
        for y in g.items(head) or ():
            yield "cls-oo", (y, RDF.type, c), ((c, OWL.oneOf, head),)


@rule
def restrictions(g: TripleIndex) -> Iterator[Inference]:
    for x, filler in g.pairs(OWL.someValuesFrom):
        for p in g.objects(x, OWL.onProperty):
            axioms = ((x, OWL.someValuesFrom, filler), (x, OWL.onProperty, p))
            for u, v in g.pairs(p):
                if filler == OWL.Thing:
                    yield "cls-svf2", (u, RDF.type, x), (*axioms, (u, p, v))
                elif (v, RDF.type, filler) in g:
                    yield "cls-svf1", (u, RDF.type, x), (*axioms, (u, p, v), (v, RDF.type, filler))
    for x, filler in g.pairs(OWL.allValuesFrom):
        for p in g.objects(x, OWL.onProperty):
            axioms = ((x, OWL.allValuesFrom, filler), (x, OWL.onProperty, p))
            for u in g.subjects(RDF.type, x):
                for v in g.objects(u, p):
                    yield "cls-avf", (v, RDF.type, filler), (*axioms, (u, RDF.type, x), (u, p, v))
    for x, value in g.pairs(OWL.hasValue):
        for p in g.objects(x, OWL.onProperty):
            axioms = ((x, OWL.hasValue, value), (x, OWL.onProperty, p))
            for u in g.subjects(RDF.type, x):
                yield "cls-hv1", (u, p, value), (*axioms, (u, RDF.type, x))
            for u in g.subjects(p, value):
                yield "cls-hv2", (u, RDF.type, x), (*axioms, (u, p, value))


@rule
def max_cardinality(g: TripleIndex) -> Iterator[Inference]:
    for x, limit in g.pairs(OWL.maxCardinality):
        if str(limit) != "1":
            continue
        for p in g.objects(x, OWL.onProperty):
            axioms = ((x, OWL.maxCardinality, limit), (x, OWL.onProperty, p))
            for u in g.subjects(RDF.type, x):
                for y1 in g.objects(u, p):
                    for y2 in g.objects(u, p):
                        if y1 != y2:
                            premises = (*axioms, (u, RDF.type, x), (u, p, y1), (u, p, y2))
                            yield "cls-maxc2", (y1, OWL.sameAs, y2), premises


@rule
def max_qualified_cardinality(g: TripleIndex) -> Iterator[Inference]:
    for x, limit in g.pairs(OWL.maxQualifiedCardinality):
        if str(limit) != "1":
            continue
        for p in g.objects(x, OWL.onProperty):
            for c in g.objects(x, OWL.onClass):
                axioms: tuple[Triple, ...] = (
                    (x, OWL.maxQualifiedCardinality, limit),
                    (x, OWL.onProperty, p),
                    (x, OWL.onClass, c),
                )
                for u in g.subjects(RDF.type, x):
                    values = [y for y in g.objects(u, p) if c == OWL.Thing or (y, RDF.type, c) in g]
                    for y1 in values:
                        for y2 in values:
                            if y1 == y2:
                                continue
                            premises = (*axioms, (u, RDF.type, x), (u, p, y1), (u, p, y2))
                            if c == OWL.Thing:
                                yield "cls-maxqc4", (y1, OWL.sameAs, y2), premises
                            else:
                                typed = ((y1, RDF.type, c), (y2, RDF.type, c))
                                yield "cls-maxqc3", (y1, OWL.sameAs, y2), (*premises, *typed)


# --- Table 7: class axioms -------------------------------------------------------------------


@rule
def class_axioms(g: TripleIndex) -> Iterator[Inference]:
    for c1, c2 in g.pairs(RDFS.subClassOf):
        if c1 != c2:
            for x in g.subjects(RDF.type, c1):
                yield "cax-sco", (x, RDF.type, c2), ((c1, RDFS.subClassOf, c2), (x, RDF.type, c1))
    for c1, c2 in g.pairs(OWL.equivalentClass):
        if c1 != c2:
            axiom = (c1, OWL.equivalentClass, c2)
            for x in g.subjects(RDF.type, c1):
                yield "cax-eqc1", (x, RDF.type, c2), (axiom, (x, RDF.type, c1))
            for x in g.subjects(RDF.type, c2):
                yield "cax-eqc2", (x, RDF.type, c1), (axiom, (x, RDF.type, c2))


# --- Table 9: schema vocabulary --------------------------------------------------------------


@rule
def class_hierarchy(g: TripleIndex) -> Iterator[Inference]:
    for c1, c2 in g.pairs(RDFS.subClassOf):
        if c1 == c2:
            continue
        axiom = (c1, RDFS.subClassOf, c2)
        for c3 in g.objects(c2, RDFS.subClassOf):
            if c3 not in (c1, c2):
                yield "scm-sco", (c1, RDFS.subClassOf, c3), (axiom, (c2, RDFS.subClassOf, c3))
        if (c2, RDFS.subClassOf, c1) in g:
            yield "scm-eqc2", (c1, OWL.equivalentClass, c2), (axiom, (c2, RDFS.subClassOf, c1))
    for c1, c2 in g.pairs(OWL.equivalentClass):
        if c1 != c2:
            axiom = (c1, OWL.equivalentClass, c2)
            yield "scm-eqc1", (c1, RDFS.subClassOf, c2), (axiom,)
            yield "scm-eqc1", (c2, RDFS.subClassOf, c1), (axiom,)
    for c, head in g.pairs(OWL.intersectionOf):
        for ci in g.items(head) or ():
            yield "scm-int", (c, RDFS.subClassOf, ci), ((c, OWL.intersectionOf, head),)
    for c, head in g.pairs(OWL.unionOf):
        for ci in g.items(head) or ():
            yield "scm-uni", (ci, RDFS.subClassOf, c), ((c, OWL.unionOf, head),)


@rule
def property_hierarchy(g: TripleIndex) -> Iterator[Inference]:
    for p1, p2 in g.pairs(RDFS.subPropertyOf):
        if p1 == p2:
            continue
        axiom = (p1, RDFS.subPropertyOf, p2)
        for p3 in g.objects(p2, RDFS.subPropertyOf):
            if p3 not in (p1, p2):
                yield "scm-spo", (p1, RDFS.subPropertyOf, p3), (axiom, (p2, RDFS.subPropertyOf, p3))
        if (p2, RDFS.subPropertyOf, p1) in g:
            inverse = (p2, RDFS.subPropertyOf, p1)
            yield "scm-eqp2", (p1, OWL.equivalentProperty, p2), (axiom, inverse)
    for p1, p2 in g.pairs(OWL.equivalentProperty):
        if p1 != p2:
            axiom = (p1, OWL.equivalentProperty, p2)
            yield "scm-eqp1", (p1, RDFS.subPropertyOf, p2), (axiom,)
            yield "scm-eqp1", (p2, RDFS.subPropertyOf, p1), (axiom,)
    for scope, first, second in (
        (RDFS.domain, "scm-dom1", "scm-dom2"),
        (RDFS.range, "scm-rng1", "scm-rng2"),
    ):
        for p, c1 in g.pairs(scope):
            axiom = (p, scope, c1)
            for c2 in g.objects(c1, RDFS.subClassOf):
                if c2 != c1:
                    yield first, (p, scope, c2), (axiom, (c1, RDFS.subClassOf, c2))
            for p1 in g.subjects(RDFS.subPropertyOf, p):
                if p1 != p:
                    yield second, (p1, scope, c1), (axiom, (p1, RDFS.subPropertyOf, p))


def _sub_property(g: TripleIndex, p1: Node, p2: Node) -> tuple[Triple, ...] | None:
    """The premise that p1 ⊑ p2: none needed when they are the same property (scm-op)."""
    if p1 == p2:
        return ()
    return ((p1, RDFS.subPropertyOf, p2),) if (p1, RDFS.subPropertyOf, p2) in g else None


def _sub_class(g: TripleIndex, c1: Node, c2: Node) -> tuple[Triple, ...] | None:
    """The premise that c1 ⊑ c2: none needed when they are the same class (scm-cls)."""
    if c1 == c2:
        return ()
    return ((c1, RDFS.subClassOf, c2),) if (c1, RDFS.subClassOf, c2) in g else None


@rule
def restriction_hierarchy(g: TripleIndex) -> Iterator[Inference]:
    for c1, value in g.pairs(OWL.hasValue):
        for p1 in g.objects(c1, OWL.onProperty):
            for c2 in g.subjects(OWL.hasValue, value):
                for p2 in g.objects(c2, OWL.onProperty):
                    link = _sub_property(g, p1, p2)
                    if c1 != c2 and link is not None:
                        premises = (
                            (c1, OWL.hasValue, value),
                            (c1, OWL.onProperty, p1),
                            (c2, OWL.hasValue, value),
                            (c2, OWL.onProperty, p2),
                            *link,
                        )
                        yield "scm-hv", (c1, RDFS.subClassOf, c2), premises
    for kind, first, second in (
        (OWL.someValuesFrom, "scm-svf1", "scm-svf2"),
        (OWL.allValuesFrom, "scm-avf1", "scm-avf2"),
    ):
        for c1, y1 in g.pairs(kind):
            for p1 in g.objects(c1, OWL.onProperty):
                for c2, y2 in g.pairs(kind):
                    if c1 == c2:
                        continue
                    for p2 in g.objects(c2, OWL.onProperty):
                        axioms = (
                            (c1, kind, y1),
                            (c1, OWL.onProperty, p1),
                            (c2, kind, y2),
                            (c2, OWL.onProperty, p2),
                        )
                        # Same property, narrower filler: the narrower restriction is the subclass.
                        fillers = _sub_class(g, y1, y2)
                        if p1 == p2 and fillers is not None:
                            yield first, (c1, RDFS.subClassOf, c2), (*axioms, *fillers)
                        # Same filler, narrower property: svf narrows with it, avf widens.
                        link = _sub_property(g, p1, p2)
                        if y1 == y2 and p1 != p2 and link is not None:
                            if kind == OWL.someValuesFrom:
                                yield second, (c1, RDFS.subClassOf, c2), (*axioms, *link)
                            else:
                                yield second, (c2, RDFS.subClassOf, c1), (*axioms, *link)


# --- the engine ------------------------------------------------------------------------------


@dataclass
class Derivations:
    """Everything the rules derive from an asserted graph, each with its first derivation."""

    index: TripleIndex
    asserted: frozenset[Triple]
    first: dict[Triple, Derivation]
    rounds: int

    def derivation_of(self, triple: Triple) -> Derivation | None:
        return self.first.get(triple)

    def holds(self, triple: Triple) -> bool:
        return triple in self.index


def derive(asserted: Graph | Iterable[Triple], *, max_rounds: int = 1000) -> Derivations:
    """Forward-chain the OWL 2 RL rules over `asserted` to a fixpoint, recording provenance.

    Each round applies every rule to the triples known before the round; a triple's recorded
    derivation is the first one found in the earliest round that produces it.
    """
    base = frozenset(asserted)
    index = TripleIndex(base)
    first: dict[Triple, Derivation] = {}
    round_number = 0
    while round_number < max_rounds:
        round_number += 1
        found: dict[Triple, Derivation] = {}
        for apply in RULES:
            for rule_id, conclusion, premises in apply(index):
                if conclusion not in index and conclusion not in found:
                    found[conclusion] = Derivation(rule_id, premises, round_number)
        if not found:
            break
        for conclusion, derivation in found.items():
            index.add(conclusion)
            first[conclusion] = derivation
    return Derivations(index, base, first, round_number)
