"""Describe one entity: labels, definitions, types and statements marked asserted or inferred.

`describe_entity()` answers "what is X?" in one call: English and Chinese labels, aliases and
definitions, its kind, its types (asserted and inferred, marked), every statement about it in
both directions, its contested claims with every position, and its sources. `entity_graph()`
gives the same statements as RDF for Turtle and JSON-LD clients.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdflib import RDF, RDFS, SKOS, BNode, Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.term import Node

from kgapi.read.facts import ContestedClaim, FactReader, SourceInfo, kind_of
from kgapi.read.labels import LANGUAGES
from kgapi.rendering import render_term


@dataclass(frozen=True)
class Statement:
    """One statement touching the entity: the other end, the predicate, asserted or inferred."""

    predicate: dict[str, Any]
    term: dict[str, Any]
    status: str

    def to_dict(self, *, other: str) -> dict[str, Any]:
        return {"predicate": self.predicate, other: self.term, "status": self.status}


@dataclass(frozen=True)
class EntityDescription:
    """Everything the graph says about one term, ready for JSON."""

    iri: str
    curie: str
    label: str
    kind: str
    labels: dict[str, list[str]]
    aliases: dict[str, list[str]]
    definitions: dict[str, list[str]]
    types: list[dict[str, Any]]
    outgoing: list[Statement]
    incoming: list[Statement]
    contested: list[ContestedClaim]
    sources: list[SourceInfo]

    def to_dict(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "curie": self.curie,
            "label": self.label,
            "kind": self.kind,
            "labels": self.labels,
            "aliases": self.aliases,
            "definitions": self.definitions,
            "types": self.types,
            "statements": {
                "outgoing": [s.to_dict(other="object") for s in self.outgoing],
                "incoming": [s.to_dict(other="subject") for s in self.incoming],
            },
            "contested": [claim.to_dict() for claim in self.contested],
            "sources": [source.to_dict() for source in self.sources],
        }


def describe_entity(reader: FactReader, iri: URIRef) -> EntityDescription:
    """Describe `iri` (resolve names first with kgapi.read.names); texts prefer `reader.lang`."""
    types = [
        {**reader.term(value.term), "status": value.status}
        for value in reader.types(iri)
        if isinstance(value.term, URIRef)
    ]
    outgoing = [
        Statement(reader.term(predicate), _other_end(reader, value.term), value.status)
        for predicate in _predicates(reader, iri, outgoing=True)
        for value in reader.values(iri, predicate)
    ]
    incoming = [
        Statement(reader.term(predicate), _other_end(reader, value.term), value.status)
        for predicate in _predicates(reader, iri, outgoing=False)
        for value in reader.subjects(predicate, iri)
        if not isinstance(value.term, BNode)
    ]
    return EntityDescription(
        iri=str(iri),
        curie=reader.curie(iri),
        label=reader.display(iri),
        kind=kind_of(reader, iri),
        labels=_by_language(reader, iri, (SKOS.prefLabel, RDFS.label)),
        aliases=_by_language(reader, iri, (SKOS.altLabel,)),
        definitions=_by_language(reader, iri, (SKOS.definition,)),
        types=types,
        outgoing=outgoing,
        incoming=incoming,
        contested=reader.claims(iri),
        sources=reader.sources(iri),
    )


def entity_graph(reader: FactReader, iri: URIRef) -> Graph:
    """The entity's statements as RDF: outgoing (with the blank nodes they lead to) and incoming.

    Asserted and inferred statements are both included; the JSON form marks which is which.
    """
    result = Graph()
    for prefix, namespace in reader.asserted.namespaces():
        result.bind(prefix, namespace, override=True)
    pending: list[Node] = [iri]
    seen: set[Node] = set()
    while pending:
        subject = pending.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for source in (reader.asserted, reader.inferred):
            for predicate, obj in source.predicate_objects(subject):
                result.add((subject, predicate, obj))
                if isinstance(obj, BNode):
                    pending.append(obj)
    for source in (reader.asserted, reader.inferred):
        for subject, predicate in source.subject_predicates(iri):
            if not isinstance(subject, BNode):
                result.add((subject, predicate, iri))
    return result


def _predicates(reader: FactReader, iri: URIRef, *, outgoing: bool) -> list[Node]:
    found: set[Node] = set()
    for source in (reader.asserted, reader.inferred):
        if outgoing:
            found.update(source.predicates(iri, None))
        else:
            found.update(source.predicates(None, iri))
    # rdf:type first, then by prefixed name, so the listing reads the same every time.
    return sorted(
        found, key=lambda p: (p != RDF.type, reader.curie(p) if isinstance(p, URIRef) else "")
    )


def _other_end(reader: FactReader, term: Node) -> dict[str, Any]:
    if isinstance(term, BNode):
        return {"bnode": str(term), "label": render_term(reader.asserted, term)}
    return reader.term(term)


def _by_language(
    reader: FactReader, iri: URIRef, predicates: tuple[URIRef, ...]
) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {language: [] for language in LANGUAGES}
    for predicate in predicates:
        for value in reader.values(iri, predicate):
            term = value.term
            if isinstance(term, RDFLiteral):
                items = grouped.setdefault(term.language or "", [])
                if str(term) not in items:
                    items.append(str(term))
    return {
        language: items for language, items in grouped.items() if items or language in LANGUAGES
    }
