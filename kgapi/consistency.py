"""Consistency of the reasoned graph: the OWL 2 RL rules that conclude `false`, as a report."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from rdflib import OWL, RDF, Graph, Literal, URIRef
from rdflib.term import Node

from kgapi.rendering import render_term

# owlrl reports inconsistencies as sentences; this maps them back to the rule that fired.
_OWLRL_MESSAGE_RULES = (
    ("Disjoint classes", "cax-dw"),
    ("defined of type 'Nothing'", "cls-nothing2"),
    ("Irreflexive property", "prp-irp"),
    ("asymmetric property", "prp-asyp"),
    ("disjoint properties", "prp-pdw"),
    ("'AllDisjointProperties'", "prp-adp"),
    ("'sameAs' and 'differentFrom'", "eq-diff1"),
    ("'sameAs' and 'AllDifferent'", "eq-diff2"),
    ("complementarity", "cls-com"),
    ("maximum cardinality", "cls-maxc1"),
    ("maximum qualified cardinality", "cls-maxqc1"),
    ("Negative", "prp-npa1"),
    ("does not match its datatype", "dt-not-type"),
)


@dataclass(frozen=True)
class ConsistencyIssue:
    """One violated rule: its OWL 2 RL id, a sentence, and the resources involved (IRIs as text)."""

    rule: str
    message: str
    resources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "message": self.message, "resources": list(self.resources)}


@dataclass(frozen=True)
class ConsistencyReport:
    """Whether the graph is consistent, and every issue found (empty when consistent)."""

    consistent: bool
    issues: list[ConsistencyIssue] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"consistent": self.consistent, "issues": [i.to_dict() for i in self.issues]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConsistencyReport:
        issues = [
            ConsistencyIssue(i["rule"], i["message"], tuple(i["resources"])) for i in data["issues"]
        ]
        return cls(bool(data["consistent"]), issues)

    def to_text(self) -> str:
        if self.consistent:
            return "consistent: no OWL 2 RL inconsistency found"
        lines = [f"INCONSISTENT: {len(self.issues)} issue(s)"]
        lines += [f"  [{issue.rule}] {issue.message}" for issue in self.issues]
        return "\n".join(lines)


def check_consistency(
    closure: Graph, *, reasoner_messages: Sequence[str] = (), names: Graph | None = None
) -> ConsistencyReport:
    """Check a reasoned graph (asserted and inferred, blank nodes kept) against the `false` rules.

    `reasoner_messages` are owlrl's own error sentences; those naming a rule this checker did not
    flag are kept as issues too, so nothing owlrl noticed is lost. `names` supplies prefixes and
    labels for the messages (default: `closure`).
    """
    namer = _Namer(names if names is not None else closure)
    issues = list(_issues(closure, namer))
    found_rules = {issue.rule for issue in issues}
    for message in reasoner_messages:
        rule = _rule_of_message(message)
        if rule not in found_rules:
            issues.append(ConsistencyIssue(rule, f"owlrl: {message}"))
    unique = list(dict.fromkeys(issues))
    return ConsistencyReport(not unique, unique)


class _Namer:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def __call__(self, term: Node) -> str:
        return render_term(self.graph, term)


def _issues(g: Graph, name: _Namer) -> Iterator[ConsistencyIssue]:
    yield from _class_issues(g, name)
    yield from _property_issues(g, name)
    yield from _equality_issues(g, name)
    for s, p, o in g:
        if isinstance(o, Literal) and o.ill_typed and o.datatype is not None:
            yield ConsistencyIssue(
                "dt-not-type",
                f"{name(o)} is not a valid {name(o.datatype)} (on {name(s)} {name(p)})",
                _iris(s, p),
            )


def _class_issues(g: Graph, name: _Namer) -> Iterator[ConsistencyIssue]:
    for x in set(g.subjects(RDF.type, OWL.Nothing)):
        yield ConsistencyIssue("cls-nothing2", f"{name(x)} is a member of owl:Nothing", _iris(x))
    # After a sameAs between classes, eq-rep copies disjointness onto both names: report each
    # unordered pair of distinct classes once.
    disjoint = {tuple(sorted((c1, c2), key=str)) for c1, c2 in g.subject_objects(OWL.disjointWith)}
    for c1, c2 in sorted(disjoint, key=str):
        if c1 == c2:
            continue
        for x in _common_members(g, c1, c2):
            yield _disjoint_issue("cax-dw", x, c1, c2, name)
    for axiom in g.subjects(RDF.type, OWL.AllDisjointClasses):
        for head in g.objects(axiom, OWL.members):
            for c1, c2 in combinations(list(g.items(head)), 2):
                for x in _common_members(g, c1, c2):
                    yield _disjoint_issue("cax-adc", x, c1, c2, name)
    for c1, c2 in g.subject_objects(OWL.complementOf):
        for x in _common_members(g, c1, c2):
            yield ConsistencyIssue(
                "cls-com",
                f"{name(x)} is in {name(c1)} and in its complement {name(c2)}",
                _iris(x, c1, c2),
            )
    for restriction, limit in g.subject_objects(OWL.maxCardinality):
        if str(limit) == "0":
            for p in g.objects(restriction, OWL.onProperty):
                for u in g.subjects(RDF.type, restriction):
                    for y in g.objects(u, p):
                        yield ConsistencyIssue(
                            "cls-maxc1",
                            f"{name(u)} may have no {name(p)} but has {name(y)}",
                            _iris(u, p, y),
                        )
    for restriction, limit in g.subject_objects(OWL.maxQualifiedCardinality):
        if str(limit) == "0":
            for p in g.objects(restriction, OWL.onProperty):
                for c in g.objects(restriction, OWL.onClass):
                    for u in g.subjects(RDF.type, restriction):
                        for y in g.objects(u, p):
                            if c == OWL.Thing or (y, RDF.type, c) in g:
                                rule = "cls-maxqc2" if c == OWL.Thing else "cls-maxqc1"
                                yield ConsistencyIssue(
                                    rule,
                                    f"{name(u)} may have no {name(p)} in {name(c)} "
                                    f"but has {name(y)}",
                                    _iris(u, p, y, c),
                                )


def _property_issues(g: Graph, name: _Namer) -> Iterator[ConsistencyIssue]:
    for p in g.subjects(RDF.type, OWL.IrreflexiveProperty):
        for x, y in g.subject_objects(p):
            if x == y:
                yield ConsistencyIssue(
                    "prp-irp",
                    f"{name(p)} is irreflexive but relates {name(x)} to itself",
                    _iris(x, p),
                )
    for p in g.subjects(RDF.type, OWL.AsymmetricProperty):
        for x, y in g.subject_objects(p):
            if (y, p, x) in g and _ordered(x, y):
                yield ConsistencyIssue(
                    "prp-asyp",
                    f"{name(p)} is asymmetric but holds both ways between {name(x)} and {name(y)}",
                    _iris(x, y, p),
                )
    for p1, p2 in g.subject_objects(OWL.propertyDisjointWith):
        yield from _disjoint_properties("prp-pdw", g, p1, p2, name)
    for axiom in g.subjects(RDF.type, OWL.AllDisjointProperties):
        for head in g.objects(axiom, OWL.members):
            for p1, p2 in combinations(list(g.items(head)), 2):
                yield from _disjoint_properties("prp-adp", g, p1, p2, name)
    for rule, kind in (
        ("prp-fp", OWL.FunctionalProperty),
        ("prp-ifp", OWL.InverseFunctionalProperty),
    ):
        for p in g.subjects(RDF.type, kind):
            yield from _functional_clashes(rule, g, p, name)
    for assertion in g.subjects(OWL.sourceIndividual, None):
        i1 = g.value(assertion, OWL.sourceIndividual)
        asserted = g.value(assertion, OWL.assertionProperty)
        for rule, target in (("prp-npa1", OWL.targetIndividual), ("prp-npa2", OWL.targetValue)):
            i2 = g.value(assertion, target)
            if i1 is not None and asserted is not None and i2 is not None:
                if (i1, asserted, i2) not in g:
                    continue
                yield ConsistencyIssue(
                    rule,
                    f"{name(i1)} {name(asserted)} {name(i2)} holds but is asserted not to",
                    _iris(i1, asserted, i2),
                )


def _equality_issues(g: Graph, name: _Namer) -> Iterator[ConsistencyIssue]:
    for x, y in g.subject_objects(OWL.differentFrom):
        if x == y or (x, OWL.sameAs, y) in g or (y, OWL.sameAs, x) in g:
            yield ConsistencyIssue(
                "eq-diff1",
                f"{name(x)} and {name(y)} are both the same and different",
                _iris(x, y),
            )
    for axiom in g.subjects(RDF.type, OWL.AllDifferent):
        for rule, members in (("eq-diff2", OWL.members), ("eq-diff3", OWL.distinctMembers)):
            for head in g.objects(axiom, members):
                for x, y in combinations(list(g.items(head)), 2):
                    if x == y or (x, OWL.sameAs, y) in g:
                        yield ConsistencyIssue(
                            rule,
                            f"{name(x)} and {name(y)} are declared all-different but the same",
                            _iris(x, y),
                        )


def _common_members(g: Graph, c1: Node, c2: Node) -> list[Node]:
    return sorted(set(g.subjects(RDF.type, c1)) & set(g.subjects(RDF.type, c2)), key=str)


def _disjoint_issue(rule: str, x: Node, c1: Node, c2: Node, name: _Namer) -> ConsistencyIssue:
    return ConsistencyIssue(
        rule,
        f"{name(x)} is a member of the disjoint classes {name(c1)} and {name(c2)}",
        _iris(x, c1, c2),
    )


def _disjoint_properties(
    rule: str, g: Graph, p1: Node, p2: Node, name: _Namer
) -> Iterator[ConsistencyIssue]:
    for x, y in g.subject_objects(p1):
        if (x, p2, y) in g:
            yield ConsistencyIssue(
                rule,
                f"{name(x)} is related to {name(y)} by the disjoint properties "
                f"{name(p1)} and {name(p2)}",
                _iris(x, y, p1, p2),
            )


def _functional_clashes(rule: str, g: Graph, p: Node, name: _Namer) -> Iterator[ConsistencyIssue]:
    """Two different values of a functional property (or subjects of an inverse-functional one).

    OWL would conclude the two are the same (prp-fp / prp-ifp); for distinct literals that is a
    contradiction, and for two distinct named individuals it is almost always a modelling error.
    """
    pairs = g.subject_objects(p) if rule == "prp-fp" else ((o, s) for s, o in g.subject_objects(p))
    values: dict[Node, set[Node]] = {}
    for key, value in pairs:
        values.setdefault(key, set()).add(value)
    for key, found in values.items():
        distinct = _distinct_values(found)
        if len(distinct) < 2:
            continue
        shown = ", ".join(name(v) for v in distinct)
        if rule == "prp-fp":
            message = f"{name(p)} is functional but {name(key)} has {len(distinct)} values: {shown}"
        else:
            message = (
                f"{name(p)} is inverse-functional but {len(distinct)} resources have "
                f"the value {name(key)}: {shown}"
            )
        yield ConsistencyIssue(rule, message, _iris(key, p, *distinct))


def _distinct_values(values: Iterable[Node]) -> list[Node]:
    """Named values that differ: IRIs by identity, literals by value; blank nodes may merge."""
    kept: list[Node] = []
    for value in sorted(values, key=str):
        if not isinstance(value, URIRef | Literal):
            continue
        if any(_same_value(value, other) for other in kept):
            continue
        kept.append(value)
    return kept


def _same_value(a: Node, b: Node) -> bool:
    if a == b:
        return True
    if isinstance(a, Literal) and isinstance(b, Literal):
        # Compare by value where rdflib knows it ("1" and "01" as integers); a gYear has none.
        known = a.value is not None and b.value is not None
        return known and type(a.value) is type(b.value) and bool(a.value == b.value)
    return False


def _ordered(x: Node, y: Node) -> bool:
    """Report each unordered pair once."""
    return str(x) <= str(y)


def _iris(*terms: Node) -> tuple[str, ...]:
    return tuple(str(t) for t in terms if isinstance(t, URIRef))


def _rule_of_message(message: str) -> str:
    for fragment, rule in _OWLRL_MESSAGE_RULES:
        if re.search(re.escape(fragment), message, flags=re.IGNORECASE):
            return rule
    return "owlrl"
