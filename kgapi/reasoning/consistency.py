"""Consistency: the instances of the OWL 2 RL rules that conclude `false`, each with its proof.

The rule engine records every such instance as a `Clash` (rule, premises, variables); this
module words each one, names the resources involved and proves each premise down to asserted
triples, so a report says not only what is wrong but why the graph says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import OWL, Graph, Literal, URIRef
from rdflib.term import Node

from kgapi.reasoning.explanation import ProofNode, prove
from kgapi.reasoning.inference import Clash, Derivations
from kgapi.reasoning.rule_language import Triple
from kgapi.rendering import render_term


@dataclass(frozen=True)
class ConsistencyIssue:
    """One violated rule: its OWL 2 RL id, a sentence, the IRIs involved and the proof.

    `proof` proves each premise of the rule instance (asserted, or derived down to asserted).
    """

    rule: str
    message: str
    resources: tuple[str, ...] = ()
    proof: tuple[ProofNode, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "message": self.message,
            "resources": list(self.resources),
            "proof": [premise.to_dict() for premise in self.proof],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConsistencyIssue:
        proof = tuple(ProofNode.from_dict(premise) for premise in data.get("proof", ()))
        return cls(data["rule"], data["message"], tuple(data["resources"]), proof)


@dataclass(frozen=True)
class ConsistencyReport:
    """Whether the graph is consistent, and every issue found (empty when consistent)."""

    consistent: bool
    issues: list[ConsistencyIssue] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"consistent": self.consistent, "issues": [i.to_dict() for i in self.issues]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConsistencyReport:
        issues = [ConsistencyIssue.from_dict(issue) for issue in data["issues"]]
        return cls(bool(data["consistent"]), issues)

    def to_text(self) -> str:
        if self.consistent:
            return "consistent: no OWL 2 RL inconsistency found"
        lines = [f"INCONSISTENT: {len(self.issues)} issue(s)"]
        for issue in self.issues:
            lines.append(f"  [{issue.rule}] {issue.message}")
            lines += [line for premise in issue.proof for line in premise.lines(2)]
        return "\n".join(lines)


def consistency_report(
    derivations: Derivations,
    *,
    names: Graph,
    files_of: Callable[[Triple], Sequence[str]] = lambda _: (),
    clashes: Sequence[Clash] | None = None,
) -> ConsistencyReport:
    """Word and prove the clashes the engine found (default: all of `derivations.clashes`).

    An inconsistency that several rule instances reach (a disjointness stated both ways, a
    clash copied through owl:sameAs) is reported once per rule and set of resources.
    """
    issues: dict[tuple[str, frozenset[str]], ConsistencyIssue] = {}
    for clash in derivations.clashes if clashes is None else clashes:
        message, involved = _worded(clash, lambda term: render_term(names, term))
        resources = tuple(dict.fromkeys(str(t) for t in involved if isinstance(t, URIRef)))
        key = (clash.rule, frozenset(resources))
        if key in issues:
            continue
        proof = tuple(
            prove(derivations, premise, names=names, files_of=files_of)
            for premise in clash.premises
        )
        issues[key] = ConsistencyIssue(clash.rule, message, resources, proof)
    ordered = sorted(issues.values(), key=lambda issue: (issue.rule, issue.message))
    return ConsistencyReport(not ordered, ordered)


Words = tuple[str, tuple[Node, ...]]


def _worded(clash: Clash, name: Callable[[Node], str]) -> Words:
    """The sentence for a clash and the terms it involves."""
    b, premises = clash.binding, clash.premises
    rule = clash.rule
    if rule == "cls-nothing2":
        return f"{name(b['x'])} is a member of owl:Nothing", (b["x"],)
    if rule in ("cax-dw", "cax-adc"):
        # cax-adc's classes are constants of its rule: read them from the typing premises.
        x, c1, c2 = premises[-2][0], premises[-2][2], premises[-1][2]
        pair = tuple(sorted((c1, c2), key=str))
        return f"{name(x)} is a member of the disjoint classes {_and(pair, name)}", (x, *pair)
    if rule == "cls-com":
        x, c1, c2 = b["x"], b["c1"], b["c2"]
        return f"{name(x)} is in {name(c1)} and in its complement {name(c2)}", (x, c1, c2)
    if rule == "cls-maxc1":
        u, p, y = b["u"], b["p"], b["y"]
        return f"{name(u)} may have no {name(p)} but has {name(y)}", (u, p, y)
    if rule in ("cls-maxqc1", "cls-maxqc2"):
        u, p, y, c = b["u"], b["p"], b["y"], b.get("c", OWL.Thing)
        return f"{name(u)} may have no {name(p)} in {name(c)} but has {name(y)}", (u, p, y, c)
    if rule == "prp-irp":
        p, x = b["p"], b["x"]
        return f"{name(p)} is irreflexive but relates {name(x)} to itself", (x, p)
    if rule == "prp-asyp":
        p, x, y = b["p"], b["x"], b["y"]
        text = f"{name(p)} is asymmetric but holds both ways between {name(x)} and {name(y)}"
        return text, (x, y, p)
    if rule in ("prp-pdw", "prp-adp"):
        (x, p1, y), (_, p2, _) = premises[-2], premises[-1]
        text = (
            f"{name(x)} is related to {name(y)} by the disjoint properties "
            f"{name(p1)} and {name(p2)}"
        )
        return text, (x, y, p1, p2)
    if rule in ("prp-npa1", "prp-npa2"):
        i1, p, i2 = premises[-1]
        return f"{name(i1)} {name(p)} {name(i2)} holds but is asserted not to", (i1, p, i2)
    if rule in ("eq-diff1", "eq-diff2", "eq-diff3"):
        x, y = premises[-1][0], premises[-1][2]
        kind = "declared all-different" if rule != "eq-diff1" else "said to be different"
        return f"{name(x)} and {name(y)} are {kind} but the same", (x, y)
    if rule == "dt-not-type":
        x, p, y = b["x"], b["p"], b["y"]
        datatype = y.datatype if isinstance(y, Literal) else None
        shown = name(datatype) if datatype is not None else "value"
        return f"{name(y)} is not a valid {shown} (on {name(x)} {name(p)})", (x, p)
    if rule == "prp-fp":
        p, x, y1, y2 = b["p"], b["x"], b["y1"], b["y2"]
        text = f"{name(p)} is functional but {name(x)} has two values: {name(y1)} and {name(y2)}"
        return text, (x, p, y1, y2)
    if rule == "prp-ifp":
        p, x1, x2, y = b["p"], b["x1"], b["x2"], b["y"]
        text = (
            f"{name(p)} is inverse-functional but {name(x1)} and {name(x2)} "
            f"both have the value {name(y)}"
        )
        return text, (y, p, x1, x2)
    raise ValueError(f"no wording for the rule {rule}")  # every rule without a head has one


def _and(terms: Sequence[Node], name: Callable[[Node], str]) -> str:
    return " and ".join(name(term) for term in terms)
