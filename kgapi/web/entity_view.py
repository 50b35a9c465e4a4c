"""What an entity page shows, gathered from the knowledge graph in one language (no Flask here).

Labels and definitions follow the page's language and fall back to English, then to any label,
then to the prefixed name. Links go to this server's page for every term the graph describes:
`/resource/<slug>` and `/ontology/<name>` for our own IRIs, `/entity?id=<IRI>` for the others.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from rdflib import DCTERMS, OWL, RDF, RDFS, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from kgapi.explanation import Explanation, ExplanationMissing, explain
from kgapi.facts import FactReader
from kgapi.knowledge import KnowledgeGraph
from kgapi.rendering import render_term

log = logging.getLogger(__name__)

SCHEMA_URL = URIRef("https://schema.org/url")
# Types every individual has; listing them tells a reader nothing.
TRIVIAL_TYPES = frozenset({OWL.Thing, RDFS.Resource, OWL.NamedIndividual})
# Shown in the page's header or their own sections, not in the statement table.
HEADER_PREDICATES = frozenset(
    {RDF.type, RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.definition, DCTERMS.source}
)
MAX_INCOMING_PER_PREDICATE = 60
MAX_GRAPH_NEIGHBOURS = 18


@dataclass(frozen=True)
class Link:
    """A term as the page shows it: its label and where clicking it goes."""

    iri: str
    label: str
    href: str
    local: bool  # True: a page on this server; False: the IRI itself, outside


@dataclass(frozen=True)
class Value:
    """One object (or subject, for incoming statements) of a statement."""

    text: str
    link: Link | None = None
    language: str | None = None
    datatype: str | None = None
    inferred: bool = False


@dataclass(frozen=True)
class StatementGroup:
    predicate: Link
    values: tuple[Value, ...]
    more: int = 0  # values left out of a long list


@dataclass(frozen=True)
class TypeEntry:
    type: Link
    inferred: bool
    explanation: Explanation | None = None


@dataclass(frozen=True)
class Position:
    label: str
    comment: str | None
    claimed: Value | None
    status: str | None
    asserted_by: tuple[Link, ...]
    sources: tuple[Link, ...]


@dataclass(frozen=True)
class Claim:
    link: Link
    definition: str | None
    property: Link | None
    via: Link | None  # the entity the claim is inherited from (by virt:basedOn), if any
    positions: tuple[Position, ...]


@dataclass(frozen=True)
class Source:
    link: Link
    identifier: str | None
    urls: tuple[str, ...]


@dataclass
class EntityView:
    """Everything the entity page renders, in one language."""

    iri: str
    label: str
    other_labels: list[str]
    aliases: list[str]
    definition: str | None
    types: list[TypeEntry]
    statements: list[StatementGroup]
    incoming: list[StatementGroup]
    claims: list[Claim]
    sources: list[Source]
    graph_elements: list[dict[str, Any]] = field(default_factory=list)

    @property
    def inferred_type_count(self) -> int:
        return sum(1 for entry in self.types if entry.inferred)


class Labeller:
    """Labels and links for terms of one knowledge graph, in one language."""

    def __init__(self, kg: KnowledgeGraph, language: str) -> None:
        self.kg = kg
        self.names = kg.asserted
        self.language = language
        self.base = kg.ontology.base_iri

    def label(self, term: Node) -> str:
        for predicate in (SKOS.prefLabel, RDFS.label):
            found = pick_language(self.names.objects(term, predicate), self.language)
            if found is not None:
                return found
        return render_term(self.names, term)

    def text(self, term: Node, predicate: URIRef) -> str | None:
        return pick_language(self.names.objects(term, predicate), self.language)

    def href(self, iri: str) -> str:
        """This server's page for `iri` (whatever the base), else the IRI itself."""
        for section in ("resource/", "ontology/"):
            if iri.startswith(self.base + section) and len(iri) > len(self.base + section):
                return "/" + section + quote(iri[len(self.base + section) :], safe="/-._~")
        return "/entity?" + urlencode({"id": iri})

    def described(self, term: URIRef) -> bool:
        return (term, None, None) in self.names or (term, None, None) in self.kg.inferred

    def link(self, term: URIRef) -> Link:
        iri = str(term)
        if self.described(term) or iri.startswith(self.base):
            return Link(iri, self.label(term), self.href(iri), True)
        return Link(iri, self.label(term), iri, False)

    def value(self, term: Node, *, inferred: bool = False) -> Value:
        if isinstance(term, URIRef):
            link = self.link(term)
            return Value(link.label, link, inferred=inferred)
        if isinstance(term, Literal):
            datatype = render_term(self.names, term.datatype) if term.datatype else None
            return Value(str(term), None, term.language, datatype, inferred)
        return Value(render_term(self.names, term), inferred=inferred)


def pick_language(values: Any, language: str) -> str | None:
    """The literal in `language`, else in English, else an untagged one, else any; None if none."""
    literals = [value for value in values if isinstance(value, Literal)]
    for wanted in (language, "en", None):
        for literal in literals:
            if literal.language == wanted:
                return str(literal)
    return str(literals[0]) if literals else None


def entity_exists(kg: KnowledgeGraph, term: URIRef) -> bool:
    """True if the graph says anything of `term` (as subject, predicate or object)."""
    return any(
        (term, None, None) in graph or (None, term, None) in graph or (None, None, term) in graph
        for graph in (kg.asserted, kg.inferred)
    )


def describe_entity(kg: KnowledgeGraph, term: URIRef, *, language: str) -> EntityView:
    """Gather the entity page of `term` in `language` ("en" or "zh")."""
    labeller = Labeller(kg, language)
    names = kg.asserted
    label = labeller.label(term)
    other_labels = sorted(
        {str(v) for v in names.objects(term, RDFS.label) if isinstance(v, Literal)} - {label}
    )
    aliases = [
        str(v)
        for v in names.objects(term, SKOS.altLabel)
        if isinstance(v, Literal) and v.language in (language, None)
    ]
    view = EntityView(
        iri=str(term),
        label=label,
        other_labels=other_labels,
        aliases=sorted(set(aliases)),
        definition=labeller.text(term, SKOS.definition),
        types=_types(kg, labeller, term),
        statements=_outgoing(kg, labeller, term),
        incoming=_incoming(kg, labeller, term),
        claims=_claims(kg, labeller, term),
        sources=_sources(labeller, term),
    )
    view.graph_elements = _neighbourhood(view)
    return view


def _types(kg: KnowledgeGraph, labeller: Labeller, term: URIRef) -> list[TypeEntry]:
    asserted = {t for t in kg.asserted.objects(term, RDF.type) if isinstance(t, URIRef)}
    inferred = {t for t in kg.inferred.objects(term, RDF.type) if isinstance(t, URIRef)} - asserted
    entries = [TypeEntry(labeller.link(t), False) for t in asserted - TRIVIAL_TYPES]
    for type_ in inferred - TRIVIAL_TYPES:
        entries.append(TypeEntry(labeller.link(type_), True, _explain(kg, (term, RDF.type, type_))))
    return sorted(entries, key=lambda entry: (entry.inferred, entry.type.label.casefold()))


def _explain(kg: KnowledgeGraph, triple: tuple[Node, Node, Node]) -> Explanation | None:
    try:
        return explain(kg, triple)
    except ExplanationMissing:
        # A served triple the explainer cannot derive is a bug of the explainer, not the page's.
        log.exception("no explanation for %s", triple)
        return None


def _outgoing(kg: KnowledgeGraph, labeller: Labeller, term: URIRef) -> list[StatementGroup]:
    values: dict[URIRef, list[Value]] = defaultdict(list)
    tagged: dict[URIRef, list[Literal]] = defaultdict(list)
    seen: set[tuple[Node, Node]] = set()
    for graph, inferred in ((kg.asserted, False), (kg.inferred, True)):
        for predicate, obj in graph.predicate_objects(term):
            if not isinstance(predicate, URIRef) or predicate in HEADER_PREDICATES:
                continue
            if (predicate, obj) in seen or predicate == URIRef(f"{_virt(kg)}hasContestedClaim"):
                continue
            seen.add((predicate, obj))
            if isinstance(obj, Literal) and obj.language:
                tagged[predicate].append(obj)
            else:
                values[predicate].append(labeller.value(obj, inferred=inferred))
    for predicate, literals in tagged.items():
        chosen = [lit for lit in literals if lit.language == labeller.language]
        if not chosen:
            chosen = [lit for lit in literals if lit.language == "en"] or literals
        values[predicate].extend(labeller.value(lit) for lit in chosen)
    groups = [
        StatementGroup(labeller.link(predicate), tuple(sorted(found, key=_value_order)))
        for predicate, found in values.items()
    ]
    return sorted(groups, key=lambda group: group.predicate.label.casefold())


def _incoming(kg: KnowledgeGraph, labeller: Labeller, term: URIRef) -> list[StatementGroup]:
    values: dict[URIRef, dict[Node, bool]] = defaultdict(dict)
    for graph, inferred in ((kg.asserted, False), (kg.inferred, True)):
        for subject, predicate in graph.subject_predicates(term):
            if isinstance(predicate, URIRef) and isinstance(subject, URIRef):
                values[predicate].setdefault(subject, inferred)
    groups = []
    for predicate, subjects in values.items():
        shown = sorted(
            (labeller.value(subject, inferred=inferred) for subject, inferred in subjects.items()),
            key=_value_order,
        )
        kept = tuple(shown[:MAX_INCOMING_PER_PREDICATE])
        groups.append(StatementGroup(labeller.link(predicate), kept, len(shown) - len(kept)))
    return sorted(groups, key=lambda group: group.predicate.label.casefold())


def _claims(kg: KnowledgeGraph, labeller: Labeller, term: URIRef) -> list[Claim]:
    """The contested claims about `term`, and those inherited from what it is based on."""
    reader = FactReader(kg, labeller.language)
    claims = []
    for claim in reader.claims(term):
        positions = tuple(
            Position(
                label=position.label or position.iri,
                comment=position.comment,
                claimed=_summary_value(labeller, position.value),
                status=position.status,
                asserted_by=_summary_links(labeller, position.asserted_by),
                sources=tuple(labeller.link(URIRef(s.iri)) for s in position.sources),
            )
            for position in claim.positions
        )
        claims.append(
            Claim(
                link=labeller.link(URIRef(claim.iri)),
                definition=claim.definition,
                property=_summary_link(labeller, claim.property),
                via=_summary_link(labeller, claim.via or {}),
                positions=positions,
            )
        )
    return claims


def _summary_link(labeller: Labeller, summary: dict[str, Any]) -> Link | None:
    """A Link for a FactReader term summary that names an IRI, else None."""
    iri = summary.get("iri")
    return labeller.link(URIRef(iri)) if iri else None


def _summary_links(labeller: Labeller, summaries: Iterable[dict[str, Any]]) -> tuple[Link, ...]:
    return tuple(link for s in summaries if (link := _summary_link(labeller, s)) is not None)


def _summary_value(labeller: Labeller, summary: dict[str, Any]) -> Value | None:
    link = _summary_link(labeller, summary)
    if link is not None:
        return Value(link.label, link)
    if "label" in summary:
        return Value(str(summary["label"]), language=summary.get("lang"))
    return None


def _sources(labeller: Labeller, term: URIRef) -> list[Source]:
    names = labeller.names
    sources = []
    for source in names.objects(term, DCTERMS.source):
        if not isinstance(source, URIRef):
            continue
        identifier = names.value(source, DCTERMS.identifier)
        urls = tuple(sorted(str(url) for url in names.objects(source, SCHEMA_URL)))
        sources.append(Source(labeller.link(source), str(identifier) if identifier else None, urls))
    return sorted(sources, key=lambda s: (s.identifier is None, _source_number(s.identifier)))


def _source_number(identifier: str | None) -> tuple[int, str]:
    digits = "".join(ch for ch in identifier or "" if ch.isdigit())
    return (int(digits) if digits else 0, identifier or "")


def _neighbourhood(view: EntityView) -> list[dict[str, Any]]:
    """Cytoscape.js elements: the entity, its linked neighbours and the statements between them."""
    nodes: dict[str, dict[str, Any]] = {
        view.iri: {"data": {"id": view.iri, "label": view.label, "href": "", "focus": True}}
    }
    edges: list[dict[str, Any]] = []

    def add(link: Link, predicate: Link, inferred: bool, outgoing: bool) -> None:
        if link.iri not in nodes:
            if len(nodes) > MAX_GRAPH_NEIGHBOURS:
                return
            nodes[link.iri] = {"data": {"id": link.iri, "label": link.label, "href": link.href}}
        source, target = (view.iri, link.iri) if outgoing else (link.iri, view.iri)
        edges.append(
            {
                "data": {
                    "id": f"e{len(edges)}",
                    "source": source,
                    "target": target,
                    "label": predicate.label,
                    "inferred": inferred,
                }
            }
        )

    for entry in view.types:
        add(entry.type, Link(str(RDF.type), "type", "", True), entry.inferred, True)
    for groups, outgoing in ((view.statements, True), (view.incoming, False)):
        for group in groups:
            for value in group.values:
                if value.link is not None and value.link.local:
                    add(value.link, group.predicate, value.inferred, outgoing)
    return [*nodes.values(), *edges]


def _value_order(value: Value) -> tuple[bool, str]:
    return (value.inferred, value.text.casefold())


def _virt(kg: KnowledgeGraph) -> str:
    return f"{kg.ontology.base_iri}ontology/"
