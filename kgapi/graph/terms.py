"""One RDF term in both libraries: rdflib's (reasoning, reading) and pyoxigraph's (the store)."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import XSD, BNode, Literal, URIRef
from rdflib.term import Node

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def rdflib_term(term: object) -> Node:
    """A pyoxigraph IRI, blank node or literal as rdflib's; raises TypeError for anything else."""
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
