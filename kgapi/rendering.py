"""Readable names for RDF terms in reports: prefixed names, and class expressions in words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rdflib import OWL, RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

if TYPE_CHECKING:  # a name for annotations only: the core's lowest layer imports none above it
    from kgapi.reasoning.rule_language import Triple

_RESTRICTIONS = (
    (OWL.hasValue, "value"),
    (OWL.someValuesFrom, "some"),
    (OWL.allValuesFrom, "only"),
    (OWL.maxCardinality, "max"),
    (OWL.maxQualifiedCardinality, "max"),
)
_BOOLEANS = ((OWL.intersectionOf, "and"), (OWL.unionOf, "or"), (OWL.oneOf, ","))


def render_term(graph: Graph, term: Node, *, depth: int = 0) -> str:
    """A prefixed name for IRIs, N-Triples for literals, Manchester-like text for anonymous classes.

    `graph` supplies prefixes and the structure behind blank nodes.
    """
    if isinstance(term, URIRef):
        try:
            return graph.namespace_manager.curie(term, generate=False)
        except (KeyError, ValueError):
            return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3(graph.namespace_manager)
    if isinstance(term, BNode) and depth < 3:
        described = _describe_anonymous(graph, term, depth)
        if described is not None:
            return described
    return term.n3() if isinstance(term, BNode) else str(term)


def render_triple(graph: Graph, triple: Triple) -> str:
    return " ".join(render_term(graph, term) for term in triple)


def _describe_anonymous(graph: Graph, node: BNode, depth: int) -> str | None:
    for predicate, word in _RESTRICTIONS:
        filler = graph.value(node, predicate)
        prop = graph.value(node, OWL.onProperty)
        if filler is not None and prop is not None:
            inner = render_term(graph, filler, depth=depth + 1)
            return f"({render_term(graph, prop)} {word} {inner})"
    if graph.value(node, RDF.first) is not None:
        members = [render_term(graph, m, depth=depth + 1) for m in graph.items(node)]
        return "( " + " ".join(members) + " )"
    for predicate, word in _BOOLEANS:
        head = graph.value(node, predicate)
        if head is not None:
            members = [render_term(graph, m, depth=depth + 1) for m in graph.items(head)]
            return "(" + f" {word} ".join(members) + ")"
    return None
