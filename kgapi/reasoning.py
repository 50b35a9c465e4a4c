"""Materialize the OWL 2 RL closure once, and keep only the inferences worth serving.

Two engines compute the same closure: owlrl (the reference) and kgapi's own rule engine
(`kgapi.rules.derive`, about 30x faster on the bundled ontology). The served, filtered closure
is identical; tests hold the two to it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import owlrl
from owlrl.Namespaces import ERRNS
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kgapi.rules import Derivations, Triple, derive
from kgapi.settings import REASONERS

# Terms of these vocabularies are the reasoner's own axioms when they appear as subjects.
VOCABULARY_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))
REFLEXIVE_TRIVIA = frozenset(
    {
        OWL.sameAs,
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        OWL.equivalentClass,
        OWL.equivalentProperty,
    }
)
# Objects that every class, property or individual gets: true of everything, so say nothing.
TOP_TERMS = frozenset({OWL.Thing, RDFS.Resource})
META_TYPES = frozenset({RDFS.Class, OWL.Class, RDF.Property, RDFS.Datatype, OWL.AnnotationProperty})


# The engines `compute_closure` offers (the `reasoner` setting's choices).
ENGINES = REASONERS


@dataclass(frozen=True)
class Closure:
    """The served inferred triples, owlrl's own inconsistency messages, and the time it took.

    `complete` is the whole unfiltered closure (asserted triples and error nodes included), for
    consistency checks that need the blank-node class expressions; callers should not keep it.
    `reasoner_messages` is always empty for the rules engine (it has no error nodes: the
    consistency checker finds the same problems in `complete`). `derivations` is the rules
    engine's provenance, which the explainer can reuse (None for owlrl).
    """

    inferred: Graph
    complete: Graph
    reasoner_messages: tuple[str, ...]
    seconds: float
    engine: str = "owlrl"
    derivations: Derivations | None = None


def compute_closure(
    asserted: Graph, *, engine: str = "owlrl", include_trivia: bool = False
) -> Closure:
    """Compute the OWL 2 RL closure of `asserted` with `engine`; never changes `asserted`.

    `engine` is "owlrl" (the reference) or "rules" (kgapi's engine; ValueError for others).
    `inferred` holds only triples not asserted; without `include_trivia` the noise listed in
    `is_trivial` is dropped and plain-string literals are normalised, so that every triple
    round-trips through N-Triples — the served closure is then the same for both engines. With
    `include_trivia` the rules engine gives fewer triples: it skips the purely axiomatic rules.
    owlrl's error-message nodes go to `reasoner_messages`.
    """
    derivations: Derivations | None = None
    if engine == "owlrl":
        working, messages, seconds = _owlrl_closure(asserted)
    elif engine == "rules":
        started = time.perf_counter()
        derivations = derive(asserted)
        working = Graph()
        for triple in derivations.index:
            working.add(triple)
        seconds = time.perf_counter() - started
        messages = ()
    else:
        raise ValueError(f"unknown reasoner {engine!r}; choose one of {', '.join(ENGINES)}")
    inferred = _served(asserted, working, include_trivia=include_trivia)
    return Closure(inferred, working, messages, seconds, engine, derivations)


def materialize(asserted: Graph, *, engine: str = "owlrl", include_trivia: bool = False) -> Graph:
    """The OWL 2 RL inferences of `asserted` (closure minus asserted), trivia dropped by default."""
    return compute_closure(asserted, engine=engine, include_trivia=include_trivia).inferred


def _owlrl_closure(asserted: Graph) -> tuple[Graph, tuple[str, ...], float]:
    """owlrl's closure of a copy of `asserted`, its error sentences, and the seconds it took."""
    working = Graph()
    for triple in asserted:
        working.add(triple)
    started = time.perf_counter()
    # improved_datatypes=False: the improved conversions are installed into rdflib's global
    # tables while owlrl runs, which would change literal parsing for other threads.
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, improved_datatypes=False).expand(working)
    seconds = time.perf_counter() - started
    messages = tuple(
        sorted(
            str(message)
            for node in working.subjects(RDF.type, ERRNS.ErrorMessage)
            for message in working.objects(node, ERRNS.error)
        )
    )
    return working, messages, seconds


def _served(asserted: Graph, closure: Graph, *, include_trivia: bool) -> Graph:
    """The triples of `closure` worth serving: not asserted, no error nodes, trivia dropped."""
    inferred = Graph()
    for prefix, namespace in asserted.namespaces():
        inferred.bind(prefix, namespace, override=True)
    for triple in closure:
        if triple in asserted or _is_error_triple(triple):
            continue
        if include_trivia:
            inferred.add(triple)
            continue
        served = normalize(triple)
        if served not in asserted and not is_trivial(served):
            inferred.add(served)
    return inferred


def normalize(triple: Triple) -> Triple:
    """RDF 1.1 makes "x" and "x"^^xsd:string one literal; serve the plain form."""
    s, p, o = triple
    if isinstance(o, Literal) and o.datatype == XSD.string and o.language is None:
        return s, p, Literal(str(o))
    return triple


def is_trivial(triple: Triple) -> bool:
    """True for inferences that hold of everything or only restate the vocabulary's axioms.

    That is: literal subjects (datatype self-typing), subjects in the rdf/rdfs/owl/xsd
    vocabularies, reflexive sameAs/subClassOf/subPropertyOf/equivalence, membership of or
    subsumption by owl:Thing/rdfs:Resource, typing as a class/property/datatype, and any triple
    with a blank node: blank nodes are the ontology's anonymous class expressions, renamed on
    every load, so a triple about one could neither be cached nor named by a client.
    """
    s, p, o = triple
    if isinstance(s, Literal) or not isinstance(p, URIRef):
        return True
    if isinstance(s, BNode) or isinstance(o, BNode):
        return True
    if str(s).startswith(VOCABULARY_NAMESPACES):
        return True
    if p in REFLEXIVE_TRIVIA and s == o:
        return True
    if p in (RDF.type, RDFS.subClassOf, RDFS.domain, RDFS.range) and o in TOP_TERMS:
        return True
    return p == RDF.type and o in META_TYPES


def _is_error_triple(triple: tuple[Node, Node, Node]) -> bool:
    _, p, o = triple
    return str(p).startswith(str(ERRNS)) or o == ERRNS.ErrorMessage
