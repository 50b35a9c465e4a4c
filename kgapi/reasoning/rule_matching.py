"""Matching one rule against the index: the join plans, the joins, and grounding the results.

A rule fires semi-naively: once per body pattern (the seed), matched in the delta (what the last
round found), the other patterns in the whole index. A plan orders the patterns: the seed first,
or a pattern with fewer matches in the index than the seed has in the delta; then the pattern
with the most positions already bound. A seed whose predicate is a variable is entered through
one of its variables' values in the delta, not by reading every delta triple.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import cast

from rdflib.term import Node

from kgapi.reasoning.rule_language import Guard, Pattern, Rule, Triple, Var
from kgapi.reasoning.triple_index import TripleIndex

Binding = dict[Var, Node]
Instance = tuple[Rule, Binding]


def fire(rule: Rule, index: TripleIndex, delta: TripleIndex | None) -> Iterator[Instance]:
    """Every instance of `rule` over `index` with at least one premise in `delta` (None: all)."""
    if not rule.body:  # an axiom: true once, from the start
        if delta is None:
            yield rule, {}
        return
    if delta is None:
        for binding in _join(rule, _plan(rule, None), index, None, {}):
            yield rule, binding  # the same dict, changed in place: use it before the next
        return
    for seed, pattern in enumerate(rule.body):
        if not isinstance(pattern[1], Var) and not delta.count(pattern[1]):
            continue  # nothing in the delta can match the seed: the usual case for a small one
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


def premises_of(rule: Rule, binding: Binding) -> tuple[Triple, ...]:
    return tuple(ground(pattern, binding) for pattern in rule.body)


def _passes(guard: Guard, binding: Binding) -> bool:
    return guard.test(*(binding[v] for v in guard.variables))


def ground(pattern: Pattern, binding: Binding) -> Triple:
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


def instances_concluding(rule: Rule, triple: Triple, index: TripleIndex) -> Iterator[Binding]:
    """Every instance of `rule` over `index` whose head is `triple` (the rule's body matched
    with the head's variables already bound). Yields the same dict, changed in place."""
    if rule.head is None:
        return
    binding: Binding = {}
    for term, value in zip(rule.head, triple, strict=True):
        if isinstance(term, Var):
            if binding.setdefault(term, value) != value:
                return
        elif term != value:
            return
    if not rule.body:
        yield binding
        return
    if not all(guard_passes for guard_passes in _guards_bound_by(rule, binding)):
        return
    yield from _join(rule, _plan(rule, None), index, None, binding)


def _guards_bound_by(rule: Rule, binding: Binding) -> Iterator[bool]:
    """The guards the head alone decides (the join checks the rest as it binds)."""
    for guard in rule.guards:
        if all(v in binding for v in guard.variables):
            yield _passes(guard, binding)
