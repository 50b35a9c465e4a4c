"""Forward chaining of `kgapi.reasoning.rules`, semi-naive and incremental, recording how each
triple follows.

Semi-naive: round `n` only fires rule instances with at least one premise first known in round
`n - 1` (the first round: the asserted triples), so no instance is found twice. Every derived
triple keeps the first instance (rule, premises) found in the earliest round that produces it;
round `n` reads only triples known before it, so every proof bottoms out in asserted triples and
has no cycles. Rules that conclude `false` are recorded as clashes, each with its premises.

`extend` adds triples to a finished closure without recomputing it: only the consequences of the
new triples are derived, into a layer over the old closure, which stays unchanged (the served
graph is shared by every request; classification reasons on a layer of its own).
The engine is pure Python over rdflib terms and touches no global state.
"""

from __future__ import annotations

from collections import ChainMap, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import cast

from rdflib import RDF, Graph
from rdflib.term import Node

from kgapi.reasoning.rules import (
    AXIOMATIC_RULES,
    LIST_PREDICATES,
    RULES,
    Guard,
    Pattern,
    Rule,
    Triple,
    Var,
    list_rules,
)


@dataclass(frozen=True)
class Derivation:
    """How a triple was first derived: the rule, its premises, and the round (1 = first)."""

    rule: str
    premises: tuple[Triple, ...]
    round: int


@dataclass(frozen=True)
class Clash:
    """An instance of a rule that concludes `false`: the rule, its premises, its variables."""

    rule: str
    premises: tuple[Triple, ...]
    binding: Mapping[str, Node]


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


@dataclass
class Derivations:
    """A closure: all its triples, the asserted ones, each derived one's first derivation, the
    clashes (rule instances concluding `false`) and the rules in force (list axioms' included)."""

    index: TripleIndex
    asserted: frozenset[Triple]
    first: Mapping[Triple, Derivation]
    rounds: int
    clashes: list[Clash] = field(default_factory=list)
    rules: tuple[Rule, ...] = ()
    terms: Mapping[Node, Node] = field(default_factory=dict, repr=False)

    def derivation_of(self, triple: Triple) -> Derivation | None:
        return self.first.get(triple)

    def holds(self, triple: Triple) -> bool:
        return triple in self.index


def derive(
    asserted: Graph | Iterable[Triple], *, axiomatic: bool = False, max_rounds: int = 1000
) -> Derivations:
    """Forward-chain the OWL 2 RL rules over `asserted` to a fixpoint, recording provenance.

    `axiomatic` adds the rules whose conclusions are all trivia (see `kgapi.reasoning.rules`).
    """
    in_force = (*RULES, *AXIOMATIC_RULES) if axiomatic else RULES
    terms = {term: term for rule in in_force for term in _constants(rule)}
    base = frozenset(_interned(asserted, terms))
    index = TripleIndex(base)
    first: dict[Triple, Derivation] = {}
    clashes: list[Clash] = []
    rules = _fixpoint(index, None, in_force, first, clashes, 0, max_rounds)
    return Derivations(index, base, first, rules[1], clashes, rules[0], terms)


def extend(
    closure: Derivations, triples: Iterable[Triple], *, max_rounds: int = 1000
) -> Derivations:
    """The closure of `closure` plus `triples`, deriving only what the new triples make follow.

    `closure` is left unchanged; the result reads it through a layer.
    """
    index = LayeredIndex(closure.index)
    # New terms go to the first map; the closure's table is only read.
    terms = ChainMap({}, cast(MutableMapping[Node, Node], closure.terms))
    new = [triple for triple in _interned(triples, terms) if index.add(triple)]
    first: dict[Triple, Derivation] = {}
    clashes: list[Clash] = []
    rules, rounds = _fixpoint(
        index, TripleIndex(new), closure.rules, first, clashes, closure.rounds, max_rounds
    )
    return Derivations(
        index,
        closure.asserted | frozenset(new),
        ChainMap(first, closure.first),  # type: ignore[arg-type]
        rounds,
        [*closure.clashes, *clashes],
        rules,
        terms,
    )


def _interned(triples: Iterable[Triple], terms: MutableMapping[Node, Node]) -> Iterator[Triple]:
    """`triples` with every term replaced by the one object `terms` keeps for its value.

    Equal rdflib terms compare in Python code; one object per term lets every lookup the rules
    make succeed on identity instead (a third of the engine's time at scale).
    """
    for s, p, o in triples:
        yield (
            terms.setdefault(s, s),
            terms.setdefault(p, p),
            terms.setdefault(o, o),
        )


def _constants(rule: Rule) -> Iterator[Node]:
    patterns = (*rule.body, rule.head) if rule.head is not None else rule.body
    return (term for pattern in patterns for term in pattern if not isinstance(term, Var))


def _fixpoint(
    index: TripleIndex,
    delta: TripleIndex | None,
    known_rules: tuple[Rule, ...],
    first: dict[Triple, Derivation],
    clashes: list[Clash],
    round_number: int,
    max_rounds: int,
) -> tuple[tuple[Rule, ...], int]:
    """Run rounds until nothing new follows; `delta` holds what the next round starts from
    (None: all of `index` is new, and the first round fires every rule on all of it).

    Returns every rule in force (list axioms' rules included) and the last round's number.
    """
    rules = known_rules
    seen_rules = set(rules)
    clashed = {(clash.rule, clash.premises) for clash in clashes}
    stop = round_number + max_rounds
    while (delta is None or len(delta)) and round_number < stop:
        round_number += 1
        new_rules = _new_list_rules(index, index if delta is None else delta, seen_rules)
        seen_rules.update(new_rules)
        found: dict[Triple, Derivation] = {}
        # A rule new this round has never run: it fires on everything, not only the delta.
        instances = chain(
            (instance for rule in rules for instance in _fire(rule, index, delta)),
            (instance for rule in new_rules for instance in _fire(rule, index, None)),
        )
        for rule, binding in instances:
            # Most instances conclude what is known already: ground the premises only if not.
            if rule.head is None:
                premises = _premises(rule, binding)
                if (rule.id, premises) not in clashed:
                    clashed.add((rule.id, premises))
                    clashes.append(
                        Clash(rule.id, premises, {v.name: n for v, n in binding.items()})
                    )
                continue
            conclusion = _ground(rule.head, binding)
            if conclusion not in index and conclusion not in found:
                found[conclusion] = Derivation(rule.id, _premises(rule, binding), round_number)
        rules = (*rules, *new_rules)
        delta = TripleIndex()
        for conclusion, derivation in found.items():
            index.add(conclusion)
            delta.add(conclusion)
            first[conclusion] = derivation
    return rules, round_number


def _new_list_rules(index: TripleIndex, delta: TripleIndex, seen: set[Rule]) -> tuple[Rule, ...]:
    """Rules of list axioms that the delta adds or completes (its list cells may come late)."""
    touches_lists = any(True for _ in delta.match(None, RDF.first, None)) or any(
        True for _ in delta.match(None, RDF.rest, None)
    )
    axioms = [
        triple
        for predicate in LIST_PREDICATES
        for triple in (index if touches_lists else delta).match(None, predicate, None)
    ]
    return tuple(dict.fromkeys(r for r in list_rules(axioms, index.items) if r not in seen))


Binding = dict[Var, Node]
Instance = tuple[Rule, Binding]


def _fire(rule: Rule, index: TripleIndex, delta: TripleIndex | None) -> Iterator[Instance]:
    """Every instance of `rule` over `index` with at least one premise in `delta` (None: all)."""
    if not rule.body:  # an axiom: true once, from the start
        if delta is None:
            yield rule, {}
        return
    if delta is None:
        for binding in _join(rule, _plan(rule, None), index, None, {}):
            yield rule, binding  # the same dict, changed in place: use it before the next
        return
    for seed in range(len(rule.body)):
        start = _cheaper_start(rule, seed, index, delta)
        for binding in _join(rule, _plan(rule, seed, start), index, delta, {}):
            yield rule, binding


# A plan step: match body pattern `i` in the index or (seeded) in the delta, or — before a seed
# pattern whose predicate is a variable — bind one of its variables from the delta's keys.
Step = tuple[str, int, int]  # (kind "index" | "delta" | "key", pattern number, key position)
Plan = tuple[tuple[Step, tuple[Guard, ...]], ...]


@lru_cache(maxsize=4096)
def _plan(rule: Rule, seed: int | None, start: int | None = None) -> Plan:
    """The order to match `rule`'s body in, each step with the guards it completes.

    The seed pattern (matched in the delta) goes first, unless `start` names a pattern to
    match in the index before it.
    """
    steps: list[Step] = []
    bound: set[Var] = set()
    remaining = list(range(len(rule.body)))
    if start is not None:
        steps.append(("index", start, -1))
        remaining.remove(start)
        bound.update(t for t in rule.body[start] if isinstance(t, Var))
    elif seed is not None:
        pattern = rule.body[seed]
        if isinstance(pattern[1], Var):
            # Matching every delta triple would be slow: first bind a variable it shares.
            steps.append(("key", seed, _key_position(rule, seed)))
            bound.add(pattern[_key_position(rule, seed)])  # type: ignore[arg-type]
        else:
            steps.append(("delta", seed, -1))
            remaining.remove(seed)
            bound.update(t for t in pattern if isinstance(t, Var))
    while remaining:
        best = max(remaining, key=lambda i: _boundness(rule.body[i], bound))
        remaining.remove(best)
        steps.append(("delta" if best == seed else "index", best, -1))
        bound.update(t for t in rule.body[best] if isinstance(t, Var))
    placed: set[Guard] = set()
    plan = []
    known: set[Var] = set()
    for step in steps:
        pattern = rule.body[step[1]]
        terms = (pattern[step[2]],) if step[0] == "key" else pattern
        known.update(t for t in terms if isinstance(t, Var))
        ready = tuple(g for g in rule.guards if g not in placed and set(g.variables) <= known)
        placed.update(ready)
        plan.append((step, ready))
    return tuple(plan)


def _cheaper_start(rule: Rule, seed: int, index: TripleIndex, delta: TripleIndex) -> int | None:
    """A pattern with fewer matches in the index than the seed has in the delta, to match first.

    A few schema triples (the owl:maxQualifiedCardinality restrictions, say) against thousands
    of new rdf:type triples: start from the schema, then look the delta up.
    """
    pattern = rule.body[seed]
    seed_size = delta.count(pattern[1]) if not isinstance(pattern[1], Var) else len(delta)
    best, best_size = None, seed_size
    for number, other in enumerate(rule.body):
        if number != seed and not isinstance(other[1], Var):
            size = index.count(other[1])
            if size < best_size:
                best, best_size = number, size
    return best


def _key_position(rule: Rule, seed: int) -> int:
    """Which variable of the seed pattern to bind first: one shared with another pattern or a
    guard, the predicate preferred (it has few values)."""
    pattern = rule.body[seed]
    others = {t for i, q in enumerate(rule.body) if i != seed for t in q if isinstance(t, Var)}
    guarded = {v for guard in rule.guards for v in guard.variables}
    for position in (1, 0, 2):
        term = pattern[position]
        if isinstance(term, Var) and (term in others or term in guarded):
            return position
    return 1


def _boundness(pattern: Pattern, bound: set[Var]) -> tuple[int, int]:
    known = [not isinstance(t, Var) or t in bound for t in pattern]
    return sum(known), known[1]


def _join(
    rule: Rule, plan: Plan, index: TripleIndex, delta: TripleIndex | None, binding: Binding
) -> Iterator[Binding]:
    """Extend `binding` through the plan's steps; yields the same dict, changed in place, so a
    caller must use each binding before asking for the next."""
    (kind, number, position), guards = plan[0]
    rest = plan[1:]
    pattern = rule.body[number]
    if kind == "key":
        assert delta is not None
        variable = pattern[position]
        assert isinstance(variable, Var)
        for value in delta.keys(position):
            binding[variable] = value
            if all(_passes(guard, binding) for guard in guards):
                yield from _join(rule, rest, index, delta, binding) if rest else (binding,)
        del binding[variable]
        return
    source = delta if kind == "delta" and delta is not None else index
    s, p, o = (binding.get(t) if isinstance(t, Var) else t for t in pattern)
    for triple in source.match(s, p, o):
        added: list[Var] = []
        consistent = True
        for term, value in zip(pattern, triple, strict=True):
            if isinstance(term, Var):
                held = binding.get(term)
                if held is None:
                    binding[term] = value
                    added.append(term)
                elif held != value:  # a variable used twice in one pattern
                    consistent = False
                    break
        if consistent and (not guards or all(_passes(guard, binding) for guard in guards)):
            if rest:
                yield from _join(rule, rest, index, delta, binding)
            else:
                yield binding
        for term in added:
            del binding[term]


def _premises(rule: Rule, binding: Binding) -> tuple[Triple, ...]:
    return tuple(_ground(pattern, binding) for pattern in rule.body)


def _passes(guard: Guard, binding: Binding) -> bool:
    return guard.test(*(binding[v] for v in guard.variables))


def _ground(pattern: Pattern, binding: Binding) -> Triple:
    return _grounder(pattern)(binding)


@lru_cache(maxsize=8192)
def _grounder(pattern: Pattern) -> Callable[[Binding], Triple]:
    """A function from a binding to the pattern's triple, with the pattern's shape decided once."""
    s, p, o = pattern
    s_var, p_var, o_var = (isinstance(term, Var) for term in pattern)

    def ground(b: Binding) -> Triple:
        return cast(
            Triple,
            (
                b[s] if s_var else s,  # type: ignore[index]
                b[p] if p_var else p,  # type: ignore[index]
                b[o] if o_var else o,  # type: ignore[index]
            ),
        )

    return ground
