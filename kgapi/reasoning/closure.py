"""Materialize the OWL 2 RL closure once, and keep only the inferences worth serving.

kgapi's own rule engine (`kgapi.reasoning.inference`) computes the closure, with a derivation for
every triple and a proof for every inconsistency. owlrl is the reference it is checked against
(`reference_closure`: the tests' oracle and `kgapi reason --verify`), never on the serving path: it
is about 30x slower and changes rdflib's global state while it runs.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import owlrl
from owlrl.Namespaces import ERRNS
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kgapi.reasoning.inference import Derivations, derive
from kgapi.reasoning.rule_language import Triple
from kgapi.triples import all_triples

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


@dataclass(frozen=True)
class Closure:
    """The served inferred triples, the engine's derivations behind them, and the time it took."""

    inferred: Graph
    derivations: Derivations
    seconds: float


def compute_closure(asserted: Graph, *, include_trivia: bool = False) -> Closure:
    """Compute the OWL 2 RL closure of `asserted`; never changes `asserted`.

    `inferred` holds only triples not asserted; without `include_trivia` the noise listed in
    `is_trivial` is dropped and plain-string literals are normalised, so that every triple
    round-trips through N-Triples. With it, the axiomatic rules run too (what they add is trivia).
    """
    started = time.perf_counter()
    derivations = derive(all_triples(asserted), axiomatic=include_trivia)
    seconds = time.perf_counter() - started
    # (The engine derives only what is not asserted: only a normalised form needs looking up.)
    inferred = _served(asserted, derivations.first, include_trivia=include_trivia, derived=True)
    return Closure(inferred, derivations, seconds)


def materialize(asserted: Graph, *, include_trivia: bool = False) -> Graph:
    """The OWL 2 RL inferences of `asserted` (closure minus asserted), trivia dropped by default."""
    return compute_closure(asserted, include_trivia=include_trivia).inferred


@dataclass(frozen=True)
class ReferenceClosure:
    """owlrl's served closure of a graph and its own inconsistency sentences."""

    inferred: Graph
    messages: tuple[str, ...]


def reference_closure(asserted: Graph) -> ReferenceClosure:
    """owlrl's closure of a copy of `asserted`, filtered as the served one is: the reference.

    Not for a request thread: owlrl is slow and installs datatype conversions globally.
    """
    working = Graph()
    for triple in asserted:
        working.add(triple)
    # improved_datatypes=False: the improved conversions are installed into rdflib's global
    # tables while owlrl runs, which would change literal parsing for other threads.
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, improved_datatypes=False).expand(working)
    messages = tuple(
        sorted(
            str(message)
            for node in working.subjects(RDF.type, ERRNS.ErrorMessage)
            for message in working.objects(node, ERRNS.error)
        )
    )
    triples = (t for t in working if not _is_error_triple(t))
    return ReferenceClosure(_served(asserted, triples, include_trivia=False), messages)


def _served(
    asserted: Graph, closure: Iterable[Triple], *, include_trivia: bool, derived: bool = False
) -> Graph:
    """The triples of `closure` worth serving: not asserted, trivia dropped. `derived`: no
    triple of `closure` is asserted (rdflib's lookups are slow enough to skip)."""
    inferred = Graph()
    for prefix, namespace in asserted.namespaces():
        inferred.bind(prefix, namespace, override=True)
    for triple in closure:
        if not derived and triple in asserted:
            continue
        if include_trivia:
            inferred.add(triple)
            continue
        served = normalize(triple)
        if is_trivial(served) or ((not derived or served is not triple) and served in asserted):
            continue
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
