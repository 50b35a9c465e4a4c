"""What an entity page shows: the one description of an entity (`kgapi.read.entities`), in one
language, arranged for people (no Flask here).

Labels follow the one label policy (`kgapi.read.facts.FactReader`). Links go to this server's page
for every term the graph describes: `/resource/<slug>` and `/ontology/<name>` for our own IRIs,
`/entity?id=<IRI>` for the others.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from rdflib import DCTERMS, OWL, RDF, RDFS, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.read.entities import EntityDescription, Statement
from kgapi.read.entities import describe_entity as describe_entity_data
from kgapi.read.facts import ContestedClaim, FactReader
from kgapi.reasoning.explanation import Explanation, ExplanationMissing, explain

log = logging.getLogger(__name__)

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


class Links:
    """Where a term links to from a page, labelled by the one label policy (`FactReader`)."""

    def __init__(self, reader: FactReader) -> None:
        self.reader = reader
        self.base = reader.kg.ontology.base_iri

    def href(self, iri: str) -> str:
        """This server's page for `iri` (whatever the base), else the IRI itself."""
        for section in ("resource/", "ontology/"):
            if iri.startswith(self.base + section) and len(iri) > len(self.base + section):
                return "/" + section + quote(iri[len(self.base + section) :], safe="/-._~")
        return "/entity?" + urlencode({"id": iri})

    def described(self, term: URIRef) -> bool:
        """True if the graph has statements about `term` (so its page says something)."""
        return any((term, None, None) in g for g in (self.reader.asserted, self.reader.inferred))

    def link(self, term: URIRef, label: str | None = None) -> Link:
        iri = str(term)
        label = label if label is not None else self.reader.display(term)
        if self.described(term) or iri.startswith(self.base):
            return Link(iri, label, self.href(iri), True)
        return Link(iri, label, iri, False)

    def of(self, summary: dict[str, Any]) -> Link | None:
        """The link of a term summary (`FactReader.term`) that names an IRI, else None."""
        iri = summary.get("iri")
        return self.link(URIRef(iri), summary.get("label")) if iri else None

    def value(self, summary: dict[str, Any], *, inferred: bool = False) -> Value:
        link = self.of(summary)
        if link is not None:
            return Value(link.label, link, inferred=inferred)
        return Value(
            str(summary.get("label", "")),
            None,
            summary.get("lang"),
            summary.get("datatype"),
            inferred,
        )


def entity_exists(kg: KnowledgeGraph, term: URIRef) -> bool:
    """True if the graph says anything of `term` (as subject, predicate or object)."""
    return any(
        (term, None, None) in graph or (None, term, None) in graph or (None, None, term) in graph
        for graph in (kg.asserted, kg.inferred)
    )


def describe_entity(kg: KnowledgeGraph, term: URIRef, *, language: str) -> EntityView:
    """The entity page of `term` in `language`: the one description of an entity
    (`kgapi.read.entities`), arranged for people — header texts in the page's language, trivial
    types dropped, inferred types explained, statements grouped by property."""
    reader = FactReader(kg, language)
    description = describe_entity_data(reader, term)
    links = Links(reader)
    every_label = [text for texts in description.labels.values() for text in texts]
    view = EntityView(
        iri=description.iri,
        label=description.label,
        other_labels=sorted(set(every_label) - {description.label}),
        aliases=sorted({*description.aliases.get(language, ()), *description.aliases.get("", ())}),
        definition=_in_language(description.definitions, language),
        types=_types(kg, links, description),
        statements=_grouped(links, description.outgoing, skip=_header_predicates(reader)),
        incoming=_grouped(links, description.incoming, cap=MAX_INCOMING_PER_PREDICATE),
        claims=[_claim(links, claim) for claim in description.contested],
        sources=[
            Source(links.link(URIRef(s.iri), s.label), s.identifier, s.urls)
            for s in description.sources
        ],
    )
    view.graph_elements = _neighbourhood(view)
    return view


def _in_language(texts: dict[str, list[str]], language: str) -> str | None:
    """The first text in `language`, else English, else untagged, else any."""
    for wanted in (language, "en", ""):
        if texts.get(wanted):
            return texts[wanted][0]
    return next((items[0] for items in texts.values() if items), None)


def _header_predicates(reader: FactReader) -> frozenset[str]:
    return frozenset({*(str(p) for p in HEADER_PREDICATES), str(reader.virt.hasContestedClaim)})


def _types(kg: KnowledgeGraph, links: Links, description: EntityDescription) -> list[TypeEntry]:
    entries = []
    for summary in description.types:
        type_ = URIRef(summary["iri"])
        if type_ in TRIVIAL_TYPES:
            continue
        link = links.link(type_, summary["label"])
        if summary["status"] == "inferred":
            triple = (URIRef(description.iri), RDF.type, type_)
            entries.append(TypeEntry(link, True, _explain(kg, triple)))
        else:
            entries.append(TypeEntry(link, False))
    return sorted(entries, key=lambda entry: (entry.inferred, entry.type.label.casefold()))


def _explain(kg: KnowledgeGraph, triple: tuple[Node, Node, Node]) -> Explanation | None:
    try:
        return explain(kg, triple)
    except ExplanationMissing:
        # A served triple the explainer cannot derive is a bug of the explainer, not the page's.
        log.exception("no explanation for %s", triple)
        return None


def _grouped(
    links: Links,
    statements: Iterable[Statement],
    *,
    skip: frozenset[str] = frozenset(),
    cap: int | None = None,
) -> list[StatementGroup]:
    """Statements grouped by property; of texts tagged with languages, only the page's
    (else English, else all)."""
    by_predicate: dict[str, list[Statement]] = defaultdict(list)
    for statement in statements:
        iri = statement.predicate.get("iri")
        if iri and iri not in skip:
            by_predicate[iri].append(statement)
    language = links.reader.lang
    groups = []
    for iri, found in by_predicate.items():
        tagged = [s for s in found if s.term.get("lang")]
        if tagged:
            chosen = [s for s in tagged if s.term["lang"] == language] or [
                s for s in tagged if s.term["lang"] == "en"
            ]
            found = [s for s in found if not s.term.get("lang")] + (chosen or tagged)
        values = sorted(
            (links.value(s.term, inferred=s.status == "inferred") for s in found),
            key=_value_order,
        )
        kept = tuple(values[:cap]) if cap is not None else tuple(values)
        predicate = links.link(URIRef(iri), found[0].predicate.get("label"))
        groups.append(StatementGroup(predicate, kept, len(values) - len(kept)))
    return sorted(groups, key=lambda group: group.predicate.label.casefold())


def _claim(links: Links, claim: ContestedClaim) -> Claim:
    positions = tuple(
        Position(
            label=position.label or position.iri,
            comment=position.comment,
            claimed=links.value(position.value) if position.value else None,
            status=position.status,
            asserted_by=tuple(
                link for agent in position.asserted_by if (link := links.of(agent)) is not None
            ),
            sources=tuple(links.link(URIRef(s.iri), s.label) for s in position.sources),
        )
        for position in claim.positions
    )
    return Claim(
        link=links.link(URIRef(claim.iri), claim.label),
        definition=claim.definition,
        property=links.of(claim.property),
        via=links.of(claim.via or {}),
        positions=positions,
    )


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
