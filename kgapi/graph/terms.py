"""One RDF term in both libraries: rdflib's (reasoning, reading) and pyoxigraph's (the store)."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import XSD, BNode, Literal, URIRef
from rdflib.term import Node

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def is_rdf_1_2(term: object) -> bool:
    """Whether `term` is one of RDF 1.2's that RDF 1.1, and so rdflib, has not: a triple term,
    or a string with a base direction. The engine reads and answers them; the graph holds none."""
    return isinstance(term, ox.Triple) or (
        isinstance(term, ox.Literal) and term.direction is not None
    )


def rdflib_term(term: object) -> Node:
    """A pyoxigraph IRI, blank node or literal as rdflib's; raises TypeError for anything else,
    an RDF 1.2 term included (rdflib would drop a string's base direction)."""
    if is_rdf_1_2(term):
        raise TypeError(f"an RDF 1.2 term, which rdflib cannot hold: {term!r}")
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        # RDF 1.1: "x" and "x"^^xsd:string are one literal; rdflib's parser gives the plain form.
        return (
            Literal(term.value)
            if datatype == str(XSD.string)
            else Literal(term.value, datatype=URIRef(datatype))
        )
    raise TypeError(f"not an RDF term rdflib can hold: {term!r}")


def oxigraph_term(term: object) -> OxTerm:
    """An rdflib IRI, literal or blank node as pyoxigraph's; raises TypeError otherwise."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")
