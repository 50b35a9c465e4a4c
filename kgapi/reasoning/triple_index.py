"""The triples the engine reasons over, with a lookup for every combination of bound positions.

`TripleIndex` is nested by predicate first (a graph has few predicates, and most rule patterns fix
one) and counts each predicate's triples, so the engine can start a join from the smaller side.
`LayeredIndex` holds new triples over a finished index that it only reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import chain

from rdflib import RDF
from rdflib.term import Node

from kgapi.reasoning.rule_language import Triple


class TripleIndex:
    """A set of triples with a lookup for every combination of bound positions.

    Nested by predicate first: a graph has few predicates, and most rule patterns fix one.
    """

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        self._pso: dict[Node, dict[Node, set[Node]]] = defaultdict(dict)
        self._pos: dict[Node, dict[Node, set[Node]]] = defaultdict(dict)
        self._s: dict[Node, set[Node]] = defaultdict(set)  # subject -> its predicates
        self._o: dict[Node, set[Node]] = defaultdict(set)  # object -> its predicates
        self._counts: dict[Node, int] = defaultdict(int)  # predicate -> its triples
        self._size = 0
        for triple in triples:
            self.add(triple)

    def add(self, triple: Triple) -> bool:
        """Add `triple`; False if it was already there."""
        s, p, o = triple
        by_subject = self._pso[p]
        objects = by_subject.get(s)
        if objects is None:
            by_subject[s] = {o}
        elif o in objects:
            return False
        else:
            objects.add(o)
        subjects = self._pos[p].setdefault(o, set())
        subjects.add(s)
        self._s[s].add(p)
        self._o[o].add(p)
        self._counts[p] += 1
        self._size += 1
        return True

    def remove(self, triple: Triple) -> bool:
        """Remove `triple`; False if it was not there. Emptied entries go, so that the lookups
        and `keys` never report what the index no longer holds."""
        s, p, o = triple
        by_subject, by_object = self._pso.get(p), self._pos.get(p)
        objects = by_subject.get(s) if by_subject is not None else None
        if by_subject is None or by_object is None or objects is None or o not in objects:
            return False
        objects.discard(o)
        subjects = by_object[o]
        subjects.discard(s)
        if not objects:
            del by_subject[s]
            self._s[s].discard(p)
            if not self._s[s]:
                del self._s[s]
        if not subjects:
            del by_object[o]
            self._o[o].discard(p)
            if not self._o[o]:
                del self._o[o]
        self._counts[p] -= 1
        if not self._counts[p]:
            del self._counts[p], self._pso[p], self._pos[p]
        self._size -= 1
        return True

    def __contains__(self, triple: object) -> bool:
        if not isinstance(triple, tuple) or len(triple) != 3:
            return False
        by_subject = self._pso.get(triple[1])
        return by_subject is not None and triple[2] in by_subject.get(triple[0], ())

    def __iter__(self) -> Iterator[Triple]:
        for p, by_subject in self._pso.items():
            for s, objects in by_subject.items():
                for o in objects:
                    yield s, p, o

    def __len__(self) -> int:
        return self._size

    def keys(self, position: int) -> Iterable[Node]:
        """The distinct subjects (0), predicates (1) or objects (2)."""
        return (self._s, self._pso, self._o)[position].keys()

    def count(self, predicate: Node) -> int:
        """How many triples have `predicate`."""
        return self._counts.get(predicate, 0)

    def match(self, s: Node | None, p: Node | None, o: Node | None) -> Iterator[Triple]:
        """The triples matching a pattern; None is a wildcard. Never add while iterating."""
        if p is not None:
            predicates: Iterable[Node] = (p,)
        elif s is not None:
            predicates = self._s.get(s, ())
        elif o is not None:
            predicates = self._o.get(o, ())
        else:
            predicates = self._pso.keys()
        for predicate in predicates:
            if s is not None:
                objects = self._pso[predicate].get(s, ()) if predicate in self._pso else ()
                if o is None:
                    for obj in objects:
                        yield s, predicate, obj
                elif o in objects:
                    yield s, predicate, o
            elif o is not None:
                by_object = self._pos.get(predicate)
                for subject in by_object.get(o, ()) if by_object is not None else ():
                    yield subject, predicate, o
            else:
                for subject, objects in self._pso.get(predicate, {}).items():
                    for obj in objects:
                        yield subject, predicate, obj

    def objects(self, s: Node, p: Node) -> list[Node]:
        return [o for _, _, o in self.match(s, p, None)]

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


class LayeredIndex(TripleIndex):
    """New triples over a finished index that is read, never changed."""

    def __init__(self, below: TripleIndex) -> None:
        super().__init__()
        self.below = below

    def add(self, triple: Triple) -> bool:
        return triple not in self.below and super().add(triple)

    def __contains__(self, triple: object) -> bool:
        return triple in self.below or super().__contains__(triple)

    def __iter__(self) -> Iterator[Triple]:
        return chain(self.below, super().__iter__())

    def __len__(self) -> int:
        return len(self.below) + super().__len__()

    def keys(self, position: int) -> Iterable[Node]:
        return {*self.below.keys(position), *super().keys(position)}

    def count(self, predicate: Node) -> int:
        return self.below.count(predicate) + super().count(predicate)

    def match(self, s: Node | None, p: Node | None, o: Node | None) -> Iterator[Triple]:
        yield from self.below.match(s, p, o)
        yield from super().match(s, p, o)
