"""Classify a described product: reason over the graph plus the description, without storing it.

A description is Turtle text or a small JSON-like dict keyed by `virt:` property local names:
`{"label": "MyHV", "basedOn": ["xen"], "hypervisorType": "Type1Hypervisor"}`. Values are IRIs,
prefixed names or slugs of resources the graph already has (literals for datatype properties).
The reasoning extends the served closure with the description's consequences only (kgapi's
engine touches no global state, so this is safe on a request thread); the knowledge graph
itself is never changed.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.plugins.parsers.notation3 import BadSyntax

from kgapi.reasoning.closure import is_trivial
from kgapi.reasoning.consistency import ConsistencyReport, consistency_report
from kgapi.reasoning.explanation import ProofNode, prove
from kgapi.reasoning.inference import extend
from kgapi.reasoning.rule_language import Triple
from kgapi.rendering import render_term, render_triple

if TYPE_CHECKING:
    from kgapi.graph.knowledge import KnowledgeGraph


class DescriptionError(ValueError):
    """The description cannot be classified; the message says what is wrong and where."""


@dataclass(frozen=True)
class InferredFact:
    """One inferred statement about the described individual, with its proof."""

    triple: Triple
    text: str
    proof: ProofNode

    def to_dict(self) -> dict[str, Any]:
        return {
            "triple": [t.n3() for t in self.triple],
            "text": self.text,
            "proof": self.proof.to_dict(),
        }


@dataclass(frozen=True)
class Classification:
    """What the reasoner concludes about a described individual.

    `classes` are its inferred named classes, `values` its other inferred statements;
    `consistency` lists only issues that involve the individual.
    """

    individual: URIRef
    label: str | None
    classes: list[InferredFact] = field(default_factory=list)
    values: list[InferredFact] = field(default_factory=list)
    consistency: ConsistencyReport = field(default_factory=lambda: ConsistencyReport(True))

    def to_dict(self) -> dict[str, Any]:
        return {
            "individual": str(self.individual),
            "label": self.label,
            "classes": [fact.to_dict() for fact in self.classes],
            "values": [fact.to_dict() for fact in self.values],
            "consistency": self.consistency.to_dict(),
        }

    def to_text(self) -> str:
        lines = [f"{self.label or self.individual}: {len(self.classes)} inferred class(es)"]
        for heading, facts in (("classes", self.classes), ("inferred values", self.values)):
            if facts:
                lines.append(f"{heading}:")
                lines += [line for fact in facts for line in fact.proof.lines(1)]
        lines.append(self.consistency.to_text())
        return "\n".join(lines)


def classify(kg: KnowledgeGraph, description: str | Mapping[str, Any]) -> Classification:
    """Reason over kg's closure plus `description` and report the new individual.

    Only the consequences of the description are derived, on a layer over the cached closure
    (`kgapi.reasoning.inference.extend`); the knowledge graph itself is never changed.
    Raises DescriptionError for unparseable Turtle or JSON, unknown keys or names, values of the
    wrong type, or a description that does not name exactly one new individual.
    """
    individual, described = parse_description(kg, description)
    closure = kg.derivations()
    derivations = extend(closure, described)
    names = ReadOnlyGraphAggregate([kg.asserted, described])
    names.namespace_manager = kg.asserted.namespace_manager

    def files_of(triple: Triple) -> tuple[str, ...]:
        if triple in described:
            return ("the description",)
        return tuple(path.name for path in kg.ontology.source_files_of(triple))

    def fact(triple: Triple) -> InferredFact:
        proof = prove(derivations, triple, names=names, files_of=files_of)
        return InferredFact(triple, render_triple(names, triple), proof)

    inferred = sorted(
        (t for t in derivations.index.match(individual, None, None) if not is_trivial(t)),
        key=lambda t: (render_term(names, t[1]), render_term(names, t[2])),
    )
    inferred = [t for t in inferred if derivations.derivation_of(t) is not None]
    classes = [fact(t) for t in inferred if t[1] == RDF.type]
    values = [fact(t) for t in inferred if t[1] != RDF.type]
    new_clashes = derivations.clashes[len(closure.clashes) :]
    report = consistency_report(derivations, names=names, files_of=files_of, clashes=new_clashes)
    mine = [issue for issue in report.issues if str(individual) in issue.resources]
    label = next((str(o) for o in described.objects(individual, RDFS.label)), None)
    return Classification(individual, label, classes, values, ConsistencyReport(not mine, mine))


def parse_description(
    kg: KnowledgeGraph, description: str | Mapping[str, Any]
) -> tuple[URIRef, Graph]:
    """The described individual's IRI and the description as a graph (see the module docstring)."""
    if isinstance(description, str):
        if description.lstrip().startswith("{"):
            try:
                data = json.loads(description)
            except RecursionError as error:
                raise DescriptionError("the JSON nests too deeply") from error
            except ValueError as error:  # malformed, or a number past int's 4,300 digits
                raise DescriptionError(f"invalid JSON: {error}") from error
            if not isinstance(data, dict):
                raise DescriptionError("a JSON description must be an object")
            individual, graph = _from_mapping(kg, data)
        else:
            individual, graph = _from_turtle(kg, description)
    else:
        individual, graph = _from_mapping(kg, description)
    _check_unicode(graph)
    return individual, graph


def _check_unicode(graph: Graph) -> None:
    """Refuse text no UTF-8 writer can write: a lone surrogate, which JSON's and Turtle's
    `\\ud800` escapes can make."""
    for triple in graph:
        for term in triple:
            try:
                str(term).encode("utf-8")
            except UnicodeEncodeError as error:
                raise DescriptionError(
                    f"the description holds a lone surrogate ({error.object[error.start]!a}), "
                    "which is not text"
                ) from error


def _from_turtle(kg: KnowledgeGraph, text: str) -> tuple[URIRef, Graph]:
    # The graph's own prefixes are declared for the caller, so `vr:xen` works unannounced.
    preamble = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in kg.asserted.namespaces() if p)
    graph = Graph()
    try:
        graph.parse(data=preamble + text + "\n", format="turtle")
    except BadSyntax as error:
        line = error.lines + 1 - preamble.count("\n")
        reason = getattr(error, "_why", None) or str(error)
        raise DescriptionError(f"Turtle syntax error at line {line}: {reason}") from error
    except (ValueError, AssertionError, IndexError) as error:
        # rdflib's Turtle parser signals some malformed input (e.g. an unterminated string)
        # with plain assertion, index and value errors rather than BadSyntax.
        raise DescriptionError(f"cannot parse Turtle: {error}") from error
    except RecursionError as error:  # rdflib parses nested lists and [ ] by recursion
        raise DescriptionError("the Turtle nests too deeply (lists or [ ] blank nodes)") from error
    if len(graph) == 0:
        raise DescriptionError("the description has no triples")
    roots = {
        s
        for s in graph.subjects()
        if (s, None, None) not in kg.asserted and not any(True for _ in graph.subject_predicates(s))
    }
    if len(roots) != 1:
        found = ", ".join(sorted(str(r) for r in roots)) or "none"
        raise DescriptionError(f"describe exactly one new individual (found: {found})")
    individual = roots.pop()
    if not isinstance(individual, URIRef):
        raise DescriptionError("give the described individual an IRI, not a blank node")
    return individual, graph


def _from_mapping(kg: KnowledgeGraph, data: Mapping[str, Any]) -> tuple[URIRef, Graph]:
    base = kg.ontology.base_iri
    label = data.get("label")
    labels: dict[str | None, str]
    if label is None:
        labels = {}
    elif isinstance(label, str):
        labels = {"en": label}
    elif isinstance(label, Mapping) and all(isinstance(v, str) for v in label.values()):
        labels = {str(k): v for k, v in label.items()}
    else:
        raise DescriptionError('"label" must be a string or an object of language → string')
    slug = re.sub(r"[^a-z0-9]+", "-", (next(iter(labels.values()), "") or "product").lower())
    individual = URIRef(f"{base}resource/described-{slug.strip('-') or 'product'}")
    graph = Graph()
    for language, text in labels.items():
        graph.add((individual, RDFS.label, Literal(text, lang=language)))
    properties = kg.own_properties()
    for key, raw in data.items():
        if key == "label":
            continue
        prop = URIRef(f"{base}ontology/{key}")
        if prop not in properties:
            close = difflib.get_close_matches(
                key, [str(p)[len(f"{base}ontology/") :] for p in properties]
            )
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise DescriptionError(f"unknown property {key!r}{hint}")
        for value in raw if isinstance(raw, list) else [raw]:
            graph.add((individual, prop, _value(kg, key, prop, value)))
    return individual, graph


def _value(kg: KnowledgeGraph, key: str, prop: URIRef, value: Any) -> URIRef | Literal:
    if (prop, RDF.type, OWL.DatatypeProperty) in kg.asserted:
        if isinstance(value, str | bool | int | float):
            return Literal(value)
        raise DescriptionError(
            f"{key!r} takes text, numbers or booleans, not {type(value).__name__}"
        )
    if not isinstance(value, str):
        raise DescriptionError(
            f"{key!r} takes names of resources (strings), not {type(value).__name__}"
        )
    return resolve_value(kg, value)


def resolve_value(kg: KnowledgeGraph, name: str) -> URIRef:
    """A resource the graph knows, from a full IRI, a prefixed name or a slug (vr:, then virt:)."""
    base = kg.ontology.base_iri
    candidates: list[URIRef] = []
    if "://" in name:
        candidates = [URIRef(name)]
    elif ":" in name:
        prefix, _, local = name.partition(":")
        namespace = dict(kg.asserted.namespaces()).get(prefix)
        if namespace is not None:
            candidates = [URIRef(f"{namespace}{local}")]
    else:
        candidates = [URIRef(f"{base}resource/{name}"), URIRef(f"{base}ontology/{name}")]
    for candidate in candidates:
        if (candidate, None, None) in kg.asserted or (None, None, candidate) in kg.asserted:
            return candidate
    raise DescriptionError(f"unknown name {name!r}: not an IRI, prefixed name or slug in the graph")
