"""Updating a closure in place: adding asserted triples, and retracting them by delete-and-rederive.

`insert` derives only what the new triples make follow (semi-naive, as `extend`, but on the
closure's own index). `retract` removes asserted triples with DRed (Gupta, Mumick and
Subrahmanian, 1993): it overdeletes everything with a derivation that uses a removed triple,
then rederives what still holds from what remains, and lets that follow on — so a triple stays
while any derivation of it stands, with a derivation that does. Both change the closure they are
given and return it: the caller owns it (a served closure is replaced, never changed under its
readers). Removing a triple of an rdf:List or a list axiom starts over from the asserted
triples, since the rules over lists are written from the lists themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet

from rdflib import RDF

from kgapi.reasoning.inference import (
    Derivation,
    Derivations,
    derive,
    fixpoint,
    interned,
)
from kgapi.reasoning.list_rules import LIST_PREDICATES
from kgapi.reasoning.rule_language import Triple
from kgapi.reasoning.rule_matching import fire, ground, instances_concluding, premises_of
from kgapi.reasoning.triple_index import LayeredIndex, TripleIndex

LIST_STRUCTURE = frozenset({*LIST_PREDICATES, RDF.first, RDF.rest})


def insert(
    closure: Derivations, triples: Iterable[Triple], *, max_rounds: int = 1000
) -> Derivations:
    """`closure` with `triples` asserted too, and what follows from them; changed in place."""
    index, first = _owned(closure)
    terms = closure.terms if isinstance(closure.terms, dict) else dict(closure.terms)
    new = [t for t in interned(triples, terms) if t not in closure.asserted]
    if not new:
        return closure
    asserted = _changed(closure.asserted, added=new)
    delta = TripleIndex()
    for triple in new:
        first.pop(triple, None)  # asserted now: no longer an inference
        if index.add(triple):
            delta.add(triple)
    rules, rounds = fixpoint(
        index, delta, closure.rules, first, closure.clashes, closure.rounds, max_rounds
    )
    return Derivations(index, asserted, first, rounds, closure.clashes, rules, terms)


def retract(
    closure: Derivations, triples: Iterable[Triple], *, max_rounds: int = 1000
) -> Derivations:
    """`closure` without the asserted `triples` and what no longer follows; changed in place.

    Triples that are not asserted are ignored (an inference cannot be retracted, only what it
    follows from).
    """
    index, first = _owned(closure)
    terms = closure.terms
    removed = {
        (terms.get(s, s), terms.get(p, p), terms.get(o, o))
        for s, p, o in triples
        if (terms.get(s, s), terms.get(p, p), terms.get(o, o)) in closure.asserted
    }
    if not removed:
        return closure
    asserted = _changed(closure.asserted, removed=removed)
    if any(p in LIST_STRUCTURE for _, p, _ in removed):
        return derive(asserted, max_rounds=max_rounds)
    overdeleted = _overdelete(closure, removed, asserted)
    for triple in overdeleted:
        index.remove(triple)
        first.pop(triple, None)
    clashes = [c for c in closure.clashes if overdeleted.isdisjoint(c.premises)]
    # Rederive: whatever an instance over the remaining triples still concludes is put back
    # (asserted triples that were removed, too, if something else derives them) …
    round_number = closure.rounds + 1
    delta = TripleIndex()
    for triple in overdeleted:
        for rule in closure.rules:
            binding = next(instances_concluding(rule, triple, index), None)
            if binding is not None:
                first[triple] = Derivation(rule.id, premises_of(rule, binding), round_number)
                delta.add(triple)
                break
    for triple in delta:
        index.add(triple)
    # … and what follows from what was put back is derived again.
    rules, rounds = fixpoint(index, delta, closure.rules, first, clashes, round_number, max_rounds)
    return Derivations(index, asserted, first, rounds, clashes, rules, closure.terms)


def _overdelete(
    closure: Derivations, removed: set[Triple], asserted: AbstractSet[Triple]
) -> set[Triple]:
    """The removed triples and every inference with a derivation that uses one of them."""
    index = closure.index
    overdeleted = set(removed)
    delta = TripleIndex(removed)
    while len(delta):
        reached = TripleIndex()
        for rule in closure.rules:
            if rule.head is None:
                continue
            for _, binding in fire(rule, index, delta):
                conclusion = ground(rule.head, binding)
                if conclusion not in overdeleted and conclusion not in asserted:
                    overdeleted.add(conclusion)
                    reached.add(conclusion)
        delta = reached
    return overdeleted


def _changed(
    asserted: AbstractSet[Triple],
    *,
    added: Iterable[Triple] = (),
    removed: AbstractSet[Triple] = frozenset(),
) -> AbstractSet[Triple]:
    """`asserted` with `added` and without `removed`: changed in place when it is a set (an
    owned closure's, like its index), else a new frozenset."""
    if isinstance(asserted, set):
        asserted.difference_update(removed)
        asserted.update(added)
        return asserted
    return (asserted - removed) | frozenset(added)


def _owned(closure: Derivations) -> tuple[TripleIndex, dict[Triple, Derivation]]:
    """The closure's own index and derivations, which updates change in place."""
    if isinstance(closure.index, LayeredIndex) or not isinstance(closure.first, dict):
        raise TypeError("update a closure made by derive(), not a layer made by extend()")
    return closure.index, closure.first
