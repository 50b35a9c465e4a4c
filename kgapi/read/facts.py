"""Read the knowledge graph as facts: values marked asserted or inferred, labels, sources, claims.

The shared vocabulary of the entity, comparison and search modules. Plain rdflib, no HTTP.
A `FactReader` is cheap to build and safe to share between threads: it only reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from rdflib import DCTERMS, OWL, RDF, RDFS, SKOS, Graph, Namespace, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.term import Node

from kgapi.graph.namespaces import ontology_namespace, resource_namespace
from kgapi.read.kinds import INDIVIDUAL, kind_by_types, kind_table
from kgapi.read.labels import label_in
from kgapi.reasoning.closure import normalize

if TYPE_CHECKING:
    from kgapi.graph.knowledge import KnowledgeGraph

Status = Literal["asserted", "inferred"]
SCHEMA_URL = URIRef("https://schema.org/url")


@dataclass(frozen=True)
class Value:
    """One value of a property, and whether the graph asserts it or the reasoner inferred it."""

    term: Node
    status: Status


@dataclass(frozen=True)
class SourceInfo:
    """A `virt:Source` as a reader needs it: identifier, label, title and web addresses."""

    iri: str
    identifier: str | None
    label: str | None
    title: str | None
    urls: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "id": self.identifier,
            "label": self.label,
            "title": self.title,
            "urls": list(self.urls),
        }


@dataclass(frozen=True)
class ClaimPosition:
    """One side of a contested claim: the value it holds, its status, who says so, and sources."""

    iri: str
    label: str | None
    value: dict[str, Any]
    status: str | None
    asserted_by: tuple[dict[str, Any], ...]
    comment: str | None
    sources: tuple[SourceInfo, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "value": self.value,
            "status": self.status,
            "asserted_by": list(self.asserted_by),
            "comment": self.comment,
            "sources": [source.to_dict() for source in self.sources],
        }


@dataclass(frozen=True)
class ContestedClaim:
    """A fact the sources disagree on: its subject and property, and every position taken.

    `via` is set when the claim is about another entity this one is based on (the dispute is
    inherited, e.g. KVM's hypervisor type for Red Hat Virtualization).
    """

    iri: str
    label: str | None
    definition: str | None
    subject: dict[str, Any]
    property: dict[str, Any]
    positions: tuple[ClaimPosition, ...]
    sources: tuple[SourceInfo, ...]
    via: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "definition": self.definition,
            "subject": self.subject,
            "property": self.property,
            "via": self.via,
            "positions": [position.to_dict() for position in self.positions],
            "sources": [source.to_dict() for source in self.sources],
        }


@dataclass
class FactReader:
    """Answers questions about terms of one knowledge graph, preferring `lang` for texts."""

    kg: KnowledgeGraph = field(repr=False)
    lang: str = "en"
    _labels: dict[tuple[Node, str], str | None] = field(default_factory=dict, repr=False)

    @property
    def asserted(self) -> Graph:
        return self.kg.asserted

    @property
    def inferred(self) -> Graph:
        return self.kg.inferred

    def with_language(self, lang: str) -> FactReader:
        """A reader of the same graph that prefers `lang` for labels and texts."""
        return FactReader(self.kg, lang)

    # --- values -------------------------------------------------------------------------------

    def status_of(self, triple: tuple[Node, Node, Node]) -> Status | None:
        """ "asserted", "inferred", or None when the triple does not hold."""
        if triple in self.asserted:
            return "asserted"
        if normalize(triple) in self.inferred:
            return "inferred"
        return None

    def values(self, subject: Node, predicate: Node) -> list[Value]:
        """The property's values, asserted first, each once, in a stable order."""
        return _merge(
            self.asserted.objects(subject, predicate), self.inferred.objects(subject, predicate)
        )

    def subjects(self, predicate: Node, obj: Node) -> list[Value]:
        """The subjects that have `obj` as value of `predicate` (incoming edges)."""
        return _merge(
            self.asserted.subjects(predicate, obj), self.inferred.subjects(predicate, obj)
        )

    def has_type(self, subject: Node, cls: Node) -> bool:
        return self.status_of((subject, RDF.type, cls)) is not None

    def types(self, subject: Node) -> list[Value]:
        return [value for value in self.values(subject, RDF.type) if isinstance(value.term, URIRef)]

    # --- names and texts ----------------------------------------------------------------------

    def curie(self, term: URIRef) -> str:
        """The prefixed name of `term`, or the IRI when no prefix fits."""
        try:
            return self.asserted.namespace_manager.curie(term, generate=False)
        except (KeyError, ValueError):
            return str(term)

    def label(self, term: Node, lang: str | None = None) -> str | None:
        """The term's label for a reader of `lang` (default: the reader's; kgapi.read.labels)."""
        wanted = lang or self.lang
        key = (term, wanted)
        if key not in self._labels:
            self._labels[key] = label_in(self.asserted, term, wanted)
        return self._labels[key]

    def display(self, term: Node) -> str:
        """What a person reads for `term`: its label, else its prefixed name or literal text."""
        if isinstance(term, RDFLiteral):
            return str(term)
        found = self.label(term)
        if found is not None:
            return found
        return self.curie(term) if isinstance(term, URIRef) else str(term)

    def texts(self, subject: Node, predicate: Node) -> dict[str, list[str]]:
        """Literal values of `predicate` grouped by language tag ("" for none)."""
        grouped: dict[str, list[str]] = {}
        for value in self.values(subject, predicate):
            if isinstance(value.term, RDFLiteral):
                grouped.setdefault(value.term.language or "", []).append(str(value.term))
        return grouped

    def text(self, subject: Node, predicate: Node) -> str | None:
        """One text value in the preferred language (else English, else any)."""
        grouped = self.texts(subject, predicate)
        for language in (self.lang, "en", ""):
            if grouped.get(language):
                return grouped[language][0]
        return next((items[0] for items in grouped.values() if items), None)

    def term(self, term: Node) -> dict[str, Any]:
        """A JSON-ready summary of a term: IRI, prefixed name and label, or a literal's value."""
        if isinstance(term, URIRef):
            return {"iri": str(term), "curie": self.curie(term), "label": self.display(term)}
        if isinstance(term, RDFLiteral):
            summary: dict[str, Any] = {"value": literal_value(term), "label": str(term)}
            if term.language:
                summary["lang"] = term.language
            if term.datatype is not None:
                summary["datatype"] = self.curie(term.datatype)
            return summary
        return {"bnode": str(term), "label": str(term)}

    # --- sources and claims -------------------------------------------------------------------

    def sources(self, subject: Node) -> list[SourceInfo]:
        """The `dcterms:source` values of `subject`, described, sorted by identifier."""
        found = [self.source(source.term) for source in self.values(subject, DCTERMS.source)]
        return sorted(found, key=lambda s: _source_order(s.identifier or s.iri))

    def source(self, source: Node) -> SourceInfo:
        identifier = self.asserted.value(source, DCTERMS.identifier)
        title = self.asserted.value(source, DCTERMS.title)
        urls = sorted(str(url) for url in self.asserted.objects(source, SCHEMA_URL))
        return SourceInfo(
            str(source),
            str(identifier) if identifier is not None else None,
            self.label(source),
            str(title) if title is not None else None,
            tuple(urls),
        )

    def claims(self, subject: Node, *, prop: Node | None = None) -> list[ContestedClaim]:
        """Contested claims about `subject` (on `prop` only, if given), then inherited ones.

        Inherited claims are those of the entities `subject` is (transitively) based on.
        """
        found = [self._claim(c, None) for c in self._claims_of(subject, prop)]
        seen = {claim.iri for claim in found}
        for base in self._bases(subject):
            for claim_node in self._claims_of(base, prop):
                if str(claim_node) not in seen:
                    seen.add(str(claim_node))
                    found.append(self._claim(claim_node, base))
        return found

    def _claims_of(self, subject: Node, prop: Node | None) -> list[Node]:
        virt = self.virt
        claims = [value.term for value in self.values(subject, virt.hasContestedClaim)]
        if prop is not None:
            claims = [c for c in claims if (c, virt.claimProperty, prop) in self.asserted]
        return sorted(claims, key=str)

    def _bases(self, subject: Node) -> list[Node]:
        based_on = self.virt.basedOn
        found: list[Node] = []
        frontier = [subject]
        while frontier:
            current = frontier.pop()
            for value in self.values(current, based_on):
                if value.term not in found and value.term != subject:
                    found.append(value.term)
                    frontier.append(value.term)
        return found

    def _claim(self, claim: Node, via: Node | None) -> ContestedClaim:
        virt = self.virt
        positions = []
        for position in sorted(self.asserted.objects(claim, virt.hasPosition), key=str):
            value = self.asserted.value(position, virt.claimedValue)
            if value is None:
                value = self.asserted.value(position, virt.claimedDataValue)
            status = self.asserted.value(position, virt.positionStatus)
            positions.append(
                ClaimPosition(
                    str(position),
                    self.label(position),
                    self.term(value) if value is not None else {},
                    _position_status(status),
                    tuple(
                        self.term(agent)
                        for agent in sorted(
                            self.asserted.objects(position, virt.assertedBy), key=str
                        )
                    ),
                    self.text(position, RDFS.comment),
                    tuple(self.sources(position)),
                )
            )
        subject = self.asserted.value(claim, virt.claimSubject)
        prop = self.asserted.value(claim, virt.claimProperty)
        return ContestedClaim(
            str(claim),
            self.label(claim),
            self.text(claim, SKOS.definition),
            self.term(subject) if subject is not None else {},
            self.term(prop) if prop is not None else {},
            tuple(positions),
            tuple(self.sources(claim)),
            self.term(via) if via is not None else None,
        )

    @property
    def virt(self) -> Namespace:
        """The graph's ontology namespace (rebased onto the configured base IRI)."""
        return ontology_namespace(self.kg.ontology.base_iri)

    @property
    def resources(self) -> Namespace:
        """The graph's resource namespace (rebased onto the configured base IRI)."""
        return resource_namespace(self.kg.ontology.base_iri)


def kind_of(reader: FactReader, term: Node) -> str:
    """One word for what `term` is, one of KINDS (see kgapi.read.kinds)."""
    types = {str(value.term) for value in reader.values(term, RDF.type)}
    return kind_by_types(kind_table(reader.virt), types) or INDIVIDUAL


def literal_value(term: RDFLiteral) -> Any:
    """A JSON-ready Python value: booleans and numbers as such, everything else as text."""
    value = term.toPython()
    if isinstance(value, bool | int | float) and not isinstance(value, RDFLiteral):
        return value
    return str(term)


def is_schema_term(term: Node) -> bool:
    """True for terms of RDF, RDFS and OWL themselves (not worth a statement row)."""
    return isinstance(term, URIRef) and str(term).startswith((str(RDF), str(RDFS), str(OWL)))


def _merge(asserted: Iterable[Node], inferred: Iterable[Node]) -> list[Value]:
    found: dict[Node, Status] = {}
    for term in sorted(asserted, key=_term_order):
        found.setdefault(term, "asserted")
    for term in sorted(inferred, key=_term_order):
        if term not in found and _plain(term) not in found:
            found[term] = "inferred"
    return [Value(term, status) for term, status in found.items()]


def _plain(term: Node) -> Node:
    """RDF 1.1 makes "x" and "x"^^xsd:string one literal."""
    return normalize((term, term, term))[2]


def _term_order(term: Node) -> tuple[int, str]:
    return (0 if isinstance(term, URIRef) else 1, str(term))


def _source_order(identifier: str) -> tuple[int, int, str]:
    """seed first, then S1, S2, … numerically."""
    if identifier == "seed":
        return (0, 0, identifier)
    if identifier[:1] in "sS" and identifier[1:].isdigit():
        return (1, int(identifier[1:]), identifier)
    return (2, 0, identifier)


def _position_status(status: Node | None) -> str | None:
    """A position's status as its API word: vr:position-supported is "supported"."""
    if status is None:
        return None
    return str(status).rsplit("/", 1)[-1].removeprefix("position-")
