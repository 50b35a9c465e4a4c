"""Explain a triple: the files that assert it, or its OWL 2 RL proof down to asserted triples."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, cast

from rdflib import DCTERMS, Graph
from rdflib.util import from_n3

from kgapi.reasoning.closure import normalize
from kgapi.reasoning.inference import Derivations
from kgapi.reasoning.rule_language import Triple
from kgapi.rendering import render_term, render_triple

if TYPE_CHECKING:
    from kgapi.graph.knowledge import KnowledgeGraph

Status = Literal["asserted", "inferred", "does-not-hold"]

# What each rule says, in words, for readers who do not know the OWL 2 RL tables by heart.
RULE_DESCRIPTIONS: dict[str, str] = {
    "eq-sym": "sameAs is symmetric",
    "eq-trans": "sameAs is transitive",
    "eq-rep-s": "a resource's statements hold of everything the same as it (subject)",
    "eq-rep-p": "a property's statements hold of every property the same as it",
    "eq-rep-o": "a resource's statements hold of everything the same as it (object)",
    "prp-dom": "the subject of a property is in the property's domain",
    "prp-rng": "the object of a property is in the property's range",
    "prp-fp": "a functional property has one value, so two values are the same",
    "prp-ifp": "an inverse-functional property identifies its subject",
    "prp-symp": "a symmetric property holds both ways",
    "prp-trp": "a transitive property chains",
    "prp-spo1": "a sub-property's statements hold for its super-property",
    "prp-spo2": "a property chain implies its property",
    "prp-eqp1": "equivalent properties share statements",
    "prp-eqp2": "equivalent properties share statements",
    "prp-inv1": "an inverse property holds the other way",
    "prp-inv2": "an inverse property holds the other way",
    "prp-key": "individuals with the same key values are the same",
    "cls-int1": "a member of every class of an intersection is in the intersection",
    "cls-int2": "a member of an intersection is in each of its classes",
    "cls-uni": "a member of one class of a union is in the union",
    "cls-oo": "the listed individuals are members of an enumerated class",
    "cls-svf1": "having a value of the required class puts it in the someValuesFrom restriction",
    "cls-svf2": "having any value puts it in the someValuesFrom owl:Thing restriction",
    "cls-avf": "values of an allValuesFrom restriction's members are in its class",
    "cls-hv1": "a member of a hasValue restriction has the value",
    "cls-hv2": "having the value puts it in the hasValue restriction",
    "cls-maxc2": "a max-1 cardinality restriction makes two values the same",
    "cls-maxqc3": "a max-1 qualified cardinality restriction makes two values the same",
    "cls-maxqc4": "a max-1 qualified cardinality restriction makes two values the same",
    "cax-sco": "a member of a class is a member of its superclass",
    "cax-eqc1": "members of equivalent classes are shared",
    "cax-eqc2": "members of equivalent classes are shared",
    "scm-sco": "subclass is transitive",
    "scm-eqc1": "equivalent classes are subclasses of each other",
    "scm-eqc2": "mutual subclasses are equivalent",
    "scm-spo": "sub-property is transitive",
    "scm-eqp1": "equivalent properties are sub-properties of each other",
    "scm-eqp2": "mutual sub-properties are equivalent",
    "scm-dom1": "a property's domain extends to the domain's superclasses",
    "scm-dom2": "a sub-property inherits its super-property's domain",
    "scm-rng1": "a property's range extends to the range's superclasses",
    "scm-rng2": "a sub-property inherits its super-property's range",
    "scm-hv": "hasValue restrictions follow the property hierarchy",
    "scm-svf1": "someValuesFrom restrictions follow the class hierarchy",
    "scm-svf2": "someValuesFrom restrictions follow the property hierarchy",
    "scm-avf1": "allValuesFrom restrictions follow the class hierarchy",
    "scm-avf2": "allValuesFrom restrictions follow the property hierarchy",
    "scm-int": "an intersection is a subclass of each of its classes",
    "scm-uni": "each class of a union is a subclass of the union",
}


class ExplanationMissing(RuntimeError):
    """The served closure holds a triple the explainer cannot derive: a bug, not a user error."""


@dataclass(frozen=True)
class ProofNode:
    """One step of a proof: a triple, and either where it is asserted or the rule and premises.

    `repeated` marks a triple already proved higher up in the same tree (premises not repeated).
    """

    triple: Triple
    text: str
    status: Literal["asserted", "inferred"]
    rule: str | None = None
    files: tuple[str, ...] = ()
    premises: tuple[ProofNode, ...] = ()
    repeated: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "triple": [term.n3() for term in self.triple],
            "text": self.text,
            "status": self.status,
        }
        if self.status == "asserted":
            data["files"] = list(self.files)
        else:
            data["rule"] = self.rule
            data["rule_description"] = RULE_DESCRIPTIONS.get(self.rule or "", "")
            data["repeated"] = self.repeated
            data["premises"] = [premise.to_dict() for premise in self.premises]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProofNode:
        """The node `to_dict` wrote (terms read back from their N3 form)."""
        triple = cast(Triple, tuple(from_n3(term) for term in data["triple"]))
        premises = tuple(cls.from_dict(premise) for premise in data.get("premises", ()))
        return cls(
            triple,
            data["text"],
            data["status"],
            data.get("rule"),
            tuple(data.get("files", ())),
            premises,
            bool(data.get("repeated", False)),
        )

    def lines(self, depth: int = 0) -> list[str]:
        indent = "    " * depth
        if self.status == "asserted":
            where = f" in {', '.join(self.files)}" if self.files else ""
            return [f"{indent}{self.text}  [asserted{where}]"]
        if self.repeated:
            return [f"{indent}{self.text}  [{self.rule}, proved above]"]
        about = RULE_DESCRIPTIONS.get(self.rule or "", "")
        head = f"{indent}{self.text}  [{self.rule}: {about}]" if about else f"{indent}{self.text}"
        return [head] + [line for premise in self.premises for line in premise.lines(depth + 1)]


@dataclass(frozen=True)
class Explanation:
    """Why a triple holds (or that it does not). `proof` is None only when it does not hold.

    `sources` are the dcterms:source values of the subject, for asserted triples.
    """

    triple: Triple
    text: str
    status: Status
    proof: ProofNode | None = None
    sources: tuple[str, ...] = field(default=())

    @property
    def holds(self) -> bool:
        return self.status != "does-not-hold"

    def to_dict(self) -> dict[str, Any]:
        return {
            "triple": [term.n3() for term in self.triple],
            "text": self.text,
            "status": self.status,
            "sources": list(self.sources),
            "proof": self.proof.to_dict() if self.proof is not None else None,
        }

    def to_text(self) -> str:
        if self.proof is None:
            return f"{self.text}\n  does not hold: neither asserted nor inferred"
        lines = self.proof.lines()
        if self.sources:
            lines.append(f"sources of the subject: {', '.join(self.sources)}")
        return "\n".join(lines)


def explain(kg: KnowledgeGraph, triple: Triple) -> Explanation:
    """Explain `triple` against the knowledge graph.

    Asserted: the files asserting it and the subject's dcterms:source values. Inferred: a proof
    tree down to asserted triples. Otherwise status "does-not-hold". The first explanation of an
    inferred triple computes the explainer's derivations (as long as one closure).
    Raises ExplanationMissing if the served closure holds a triple the explainer cannot derive.
    """
    triple = _as_held(kg.asserted, triple)
    names = kg.asserted

    def files_of(t: Triple) -> tuple[str, ...]:
        return tuple(path.name for path in kg.ontology.source_files_of(t))

    text = render_triple(names, triple)
    if triple in kg.asserted:
        sources = tuple(
            render_term(names, s) for s in sorted(names.objects(triple[0], DCTERMS.source), key=str)
        )
        return Explanation(
            triple, text, "asserted", prove(None, triple, names=names, files_of=files_of), sources
        )
    derivations = kg.derivations()
    if derivations.derivation_of(triple) is None:
        if kg.holds(triple):
            raise ExplanationMissing(f"no OWL 2 RL derivation found for served triple {text}")
        return Explanation(triple, text, "does-not-hold")
    proof = prove(derivations, triple, names=names, files_of=files_of)
    return Explanation(triple, text, "inferred", proof)


def prove(
    derivations: Derivations | None,
    triple: Triple,
    *,
    names: Graph,
    files_of: Callable[[Triple], Sequence[str]] = lambda _: (),
) -> ProofNode:
    """The proof tree of `triple` from recorded derivations; asserted leaves carry their files.

    A triple with no derivation is treated as asserted (callers check that it is).
    """
    proved: set[Triple] = set()

    def node(t: Triple) -> ProofNode:
        text = render_triple(names, t)
        derivation = derivations.derivation_of(t) if derivations is not None else None
        if derivation is None:
            return ProofNode(t, text, "asserted", files=tuple(files_of(t)))
        if t in proved:
            return ProofNode(t, text, "inferred", derivation.rule, repeated=True)
        proved.add(t)
        premises = tuple(node(premise) for premise in derivation.premises)
        return ProofNode(t, text, "inferred", derivation.rule, premises=premises)

    return node(triple)


def _as_held(asserted: Graph, triple: Triple) -> Triple:
    """Accept "x"^^xsd:string for the plain "x" (and the reverse), as RDF 1.1 does."""
    normalized = normalize(triple)
    if normalized in asserted:
        return normalized
    return triple if triple in asserted else normalized
