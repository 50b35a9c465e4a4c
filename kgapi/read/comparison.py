"""Compare 2-10 entities side by side: one row per attribute, one column per entity.

Products are compared on their classification, techniques, hardware needs, licence and
provenance; concepts (e.g. full vs para vs hardware-assisted virtualization) on their
definition, rings, guest changes, hardware, mechanisms, trade-offs and examples. Every cell
says whether its values are asserted or inferred and carries the entity's sources; a cell whose
property is disputed (`virt:hasContestedClaim` with that `virt:claimProperty`, on the entity or
on what it is based on) lists every position with its sources. Each row is marked "shared"
(every column has the same values), "differs" or "empty". Renderers: JSON-ready dict, CSV,
Markdown, HTML and a plain-text table for terminals (`kgapi.read.comparison_formats`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rdflib import DCTERMS, RDF, SKOS, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.term import Node

from kgapi.read.comparison_rows import (
    CONCEPT_ATTRIBUTES,
    PRODUCT_ATTRIBUTES,
    Attribute,
    word,
)
from kgapi.read.facts import ContestedClaim, FactReader, SourceInfo, Value, kind_of

MIN_ENTITIES = 2
MAX_ENTITIES = 10
CONCEPT_KINDS = ("concept", "class", "scheme")
Agreement = Literal["shared", "differs", "empty"]


class ComparisonError(ValueError):
    """The entities cannot be compared (too few, too many, repeated)."""


@dataclass(frozen=True)
class CellValue:
    """One value in a cell, and how the graph knows it.

    `status` is "asserted" or "inferred"; for the open-source row also "under every position"
    (true whichever position of a contested licence is right), "all licences proprietary" (false,
    and why) or "unknown" (nothing is known: the open world never reads absence as false).
    A capability cell's value carries the source's qualifier and the edition in `term`.
    """

    term: dict[str, Any]
    status: str
    triple: tuple[str, str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {**self.term, "status": self.status}
        if self.triple is not None:
            data["triple"] = list(self.triple)
        return data


@dataclass(frozen=True)
class Cell:
    """What one entity has for one attribute, with its sources and contested claims."""

    values: tuple[CellValue, ...]
    sources: tuple[SourceInfo, ...]
    contested: tuple[ContestedClaim, ...]

    @property
    def status(self) -> str:
        """ "asserted", "inferred", "mixed" (both), "not-inferred" or "empty"."""
        statuses = {value.status for value in self.values}
        if not statuses:
            return "empty"
        return statuses.pop() if len(statuses) == 1 else "mixed"

    @property
    def key(self) -> frozenset[str]:
        return frozenset(str(v.term.get("iri", v.term.get("value"))) for v in self.values)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "values": [value.to_dict() for value in self.values],
            "sources": [source.to_dict() for source in self.sources],
            "contested": [claim.to_dict() for claim in self.contested],
        }

    def text(self, lang: str = "en") -> str:
        """The cell in words: values (inferred ones marked), then the contested positions."""
        parts = [_value_text(value, lang) for value in self.values]
        words = "; ".join(parts)
        for claim in self.contested:
            positions = " | ".join(
                f"{value_label(p.value, lang) or '?'}"
                + (f" [{source_ids(p.sources)}]" if p.sources else "")
                for p in claim.positions
            )
            via = f" {word(lang, 'via')} {claim.via.get('label')}" if claim.via else ""
            words += f"{' — ' if words else ''}{word(lang, 'contested')}{via}: {positions}"
        return words or "—"


def value_label(term: dict[str, Any], lang: str) -> str:
    """A value's label; a boolean's (or an unknown's) in the table's language."""
    if "value" in term and term["value"] is None:
        return word(lang, "unknown")
    value = term.get("value")
    if isinstance(value, bool):
        return word(lang, "true" if value else "false")
    return str(term.get("label", ""))


def _value_text(value: CellValue, lang: str) -> str:
    """A value in words: the edition it is about, the label, the qualifier, how it is known."""
    text = value_label(value.term, lang)
    if value.term.get("qualifier"):
        text += f" ({value.term['qualifier']})"
    if value.term.get("edition"):
        text = f"{value.term['edition']}: {text}"
    if value.status in ("inferred", "under every position", "all licences proprietary"):
        text += f" ({word(lang, value.status)})"
    return text


@dataclass(frozen=True)
class Row:
    attribute: Attribute
    cells: tuple[Cell, ...]

    @property
    def agreement(self) -> Agreement:
        keys = [cell.key for cell in self.cells]
        if not any(keys):
            return "empty"
        return "shared" if all(key == keys[0] for key in keys) else "differs"

    @property
    def contested(self) -> bool:
        return any(cell.contested for cell in self.cells)


@dataclass(frozen=True)
class Comparison:
    """The comparison table: entities as columns, attributes as rows."""

    entities: tuple[dict[str, Any], ...]
    kind: str
    lang: str
    rows: tuple[Row, ...]

    def heading(self, attribute: Attribute) -> str:
        return attribute.label_zh if self.lang == "zh" else attribute.label

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "lang": self.lang,
            "entities": list(self.entities),
            "attributes": [
                {
                    "name": row.attribute.name,
                    "label": self.heading(row.attribute),
                    "agreement": row.agreement,
                    "contested": row.contested,
                    "cells": {
                        entity["iri"]: cell.to_dict()
                        for entity, cell in zip(self.entities, row.cells, strict=True)
                    },
                }
                for row in self.rows
            ],
            "shared": [row.attribute.name for row in self.rows if row.agreement == "shared"],
            "differing": [row.attribute.name for row in self.rows if row.agreement == "differs"],
        }

    def table(self) -> list[list[str]]:
        """Header row then one row per attribute: heading, one text per entity, agreement."""
        lang = self.lang
        header = [
            word(lang, "attribute"),
            *(entity["label"] for entity in self.entities),
            word(lang, "agreement"),
        ]
        body = [
            [
                self.heading(row.attribute),
                *(cell.text(lang) for cell in row.cells),
                word(lang, row.agreement),
            ]
            for row in self.rows
        ]
        return [header, *body]


def compare(reader: FactReader, terms: Sequence[URIRef]) -> Comparison:
    """Compare `terms` (resolved IRIs, 2 to 10, distinct); texts prefer `reader.lang`.

    Concepts are compared on concept attributes when every term is a concept or class, products
    on product attributes otherwise. Raises ComparisonError for a wrong number or repeats.
    """
    if len(set(terms)) != len(terms):
        raise ComparisonError("each entity may be named once")
    if not MIN_ENTITIES <= len(terms) <= MAX_ENTITIES:
        raise ComparisonError(
            f"compare {MIN_ENTITIES} to {MAX_ENTITIES} entities, not {len(terms)}"
        )
    kinds = [kind_of(reader, term) for term in terms]
    concepts = all(kind in CONCEPT_KINDS for kind in kinds)
    attributes = CONCEPT_ATTRIBUTES if concepts else PRODUCT_ATTRIBUTES
    entities = tuple(
        {**reader.term(term), "kind": kind} for term, kind in zip(terms, kinds, strict=True)
    )
    rows = tuple(
        Row(attribute, tuple(_cell(reader, term, attribute) for term in terms))
        for attribute in attributes
    )
    if not concepts:
        rows += _capability_rows(reader, terms)
    return Comparison(entities, "concepts" if concepts else "products", reader.lang, rows)


def _cell(reader: FactReader, term: URIRef, attribute: Attribute) -> Cell:
    virt = reader.virt
    prop = virt[attribute.prop] if attribute.prop else None
    if attribute.how == "texts":
        assert prop is not None
        predicate = SKOS.definition if attribute.prop == "definition" else prop
        values = _texts(reader, term, predicate)
    elif attribute.how == "incoming":
        assert prop is not None
        values = [
            _value(reader, value, (value.term, prop, term)) for value in reader.subjects(prop, term)
        ]
    elif attribute.how == "open-source":
        values = [_open_source(reader, term)]
    elif attribute.how == "examples":
        values = _examples(reader, term)
    else:
        assert prop is not None
        values = [
            _value(reader, value, (term, prop, value.term)) for value in reader.values(term, prop)
        ]
    contested = tuple(reader.claims(term, prop=prop)) if prop is not None else ()
    sources = _sources(reader, term, values) if values or contested else ()
    return Cell(tuple(values), sources, contested)


def _open_source(reader: FactReader, term: URIRef) -> CellValue:
    """Open source: true when derived, or when every position of a contested licence makes it so;
    false when every licence the product has is proprietary; otherwise unknown."""
    virt = reader.virt
    triple = (term, RDF.type, virt.OpenSourceSoftware)
    status = reader.status_of(triple)
    if status is not None:
        return CellValue(
            reader.term(RDFLiteral(True)), status, _n3(triple) if status == "inferred" else None
        )
    for claim in reader.claims(term, prop=virt.license):
        claimed = [URIRef(p.value["iri"]) for p in claim.positions if "iri" in p.value]
        if len(claimed) == len(claim.positions) > 0 and all(
            reader.has_type(licence, virt.OpenSourceLicence) for licence in claimed
        ):
            return CellValue(reader.term(RDFLiteral(True)), "under every position")
    licences = reader.values(term, virt.license)
    if licences and all(reader.has_type(v.term, virt.ProprietaryLicence) for v in licences):
        return CellValue(reader.term(RDFLiteral(False)), "all licences proprietary")
    return CellValue({"value": None, "label": "unknown"}, "unknown")


def _capability_rows(reader: FactReader, terms: Sequence[URIRef]) -> tuple[Row, ...]:
    """One row per capability any of the products has a current statement about.

    Each value is the statement's value (yes, no, partial, unknown, not applicable) with its
    qualifier and edition; the cell's sources are the snapshots the statements were read from.
    """
    virt = reader.virt
    by_capability: dict[URIRef, dict[URIRef, list[Node]]] = {}
    for term in terms:
        for statement in reader.subjects(virt.capabilityOf, term):
            node = statement.term
            if not reader.asserted.value(node, virt.isCurrent, any=True):
                continue
            capability = reader.asserted.value(node, virt.capability, any=True)
            if isinstance(capability, URIRef):
                by_capability.setdefault(capability, {}).setdefault(term, []).append(node)
    rows = []
    for capability in sorted(by_capability, key=lambda c: reader.label(c, "en") or str(c)):
        local = str(capability).rsplit("/", 1)[-1]
        attribute = Attribute(
            local if local.startswith("capability-") else f"capability-{local}",
            reader.label(capability, "en") or local,
            reader.label(capability, "zh") or local,
            "capability",
        )
        cells = tuple(
            _capability_cell(reader, by_capability[capability].get(term, [])) for term in terms
        )
        rows.append(Row(attribute, cells))
    return tuple(rows)


def _capability_cell(reader: FactReader, statements: list[Node]) -> Cell:
    virt = reader.virt
    values, sources = [], []
    for node in sorted(statements, key=lambda n: str(reader.asserted.value(n, virt.edition) or "")):
        value = reader.asserted.value(node, virt.capabilityValue, any=True)
        if value is None:
            continue
        term = reader.term(value)
        for key, prop in (("qualifier", virt.qualifier), ("edition", virt.edition)):
            text = reader.asserted.value(node, prop, any=True)
            if text is not None:
                term[key] = str(text)
        values.append(CellValue(term, "asserted"))
        for snapshot in reader.asserted.objects(node, DCTERMS.source):
            source = reader.source(snapshot)
            if source not in sources:
                sources.append(source)
    return Cell(tuple(values), tuple(sources), ())


def _value(reader: FactReader, value: Value, triple: tuple[Node, Node, Node]) -> CellValue:
    return CellValue(
        reader.term(value.term), value.status, _n3(triple) if value.status == "inferred" else None
    )


def _texts(reader: FactReader, term: URIRef, predicate: Node) -> list[CellValue]:
    values = [v for v in reader.values(term, predicate) if isinstance(v.term, RDFLiteral)]
    for language in (reader.lang, "en"):
        chosen = [
            v for v in values if isinstance(v.term, RDFLiteral) and v.term.language == language
        ]
        if chosen:
            return [CellValue(reader.term(v.term), v.status) for v in chosen]
    return [CellValue(reader.term(v.term), v.status) for v in values]


def _examples(reader: FactReader, concept: URIRef) -> list[CellValue]:
    """Products classified by `concept` (asserted or inferred members), then textual examples."""
    members = [
        value
        for value in reader.subjects(RDF.type, concept)
        if isinstance(value.term, URIRef) and kind_of(reader, value.term) == "product"
    ]
    found = [_value(reader, value, (value.term, RDF.type, concept)) for value in members]
    return found + _texts(reader, concept, reader.virt.example)


def _sources(reader: FactReader, term: URIRef, values: list[CellValue]) -> tuple[SourceInfo, ...]:
    """The entity's sources; for inferred values also those of what it is based on."""
    sources = list(reader.sources(term))
    if any(value.status == "inferred" for value in values):
        for base in reader.values(term, reader.virt.basedOn):
            sources += [s for s in reader.sources(base.term) if s not in sources]
    return tuple(sources)


def _n3(triple: tuple[Node, Node, Node]) -> tuple[str, str, str]:
    s, p, o = triple
    return (s.n3(), p.n3(), o.n3())


def source_ids(sources: Sequence[SourceInfo]) -> str:
    return ", ".join(source.identifier or source.iri for source in sources)
