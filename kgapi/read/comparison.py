"""Compare 2-10 entities side by side: one row per attribute, one column per entity.

Products are compared on their classification, techniques, hardware needs, licence and
provenance; concepts (e.g. full vs para vs hardware-assisted virtualization) on their
definition, rings, guest changes, hardware, mechanisms, trade-offs and examples. Every cell
says whether its values are asserted or inferred and carries the entity's sources; a cell whose
property is disputed (`virt:hasContestedClaim` with that `virt:claimProperty`, on the entity or
on what it is based on) lists every position with its sources. Each row is marked "shared"
(every column has the same values), "differs" or "empty". Renderers: JSON-ready dict, CSV,
Markdown, HTML and a plain-text table for terminals.
"""

from __future__ import annotations

import csv
import html
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rdflib import DCTERMS, RDF, SKOS, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.term import Node

from kgapi.read.facts import ContestedClaim, FactReader, SourceInfo, Value, kind_of

MIN_ENTITIES = 2
MAX_ENTITIES = 10
CONCEPT_KINDS = ("concept", "class", "scheme")
Agreement = Literal["shared", "differs", "empty"]
# The words tables write around the values; JSON keeps the English keys, which are its API.
WORDS: dict[str, dict[str, str]] = {
    "en": {},
    "zh": {
        "attribute": "属性",
        "agreement": "异同",
        "shared": "相同",
        "differs": "不同",
        "empty": "无",
        "inferred": "推理得出",
        "contested": "有争议",
        "via": "经由",
        "sources": "来源",
        "Comparison": "对比",
        "true": "是",
        "false": "否",
        "unknown": "未知",
        "under every position": "在各方观点下均成立",
        "all licences proprietary": "所有许可证均为专有",
        # the status of a contested claim's position (virt:positionStatus)
        "supported": "有来源支持",
        "guess": "推测",
        "misconception": "误解",
    },
}


def word(lang: str, key: str) -> str:
    """`key` in `lang` (English is the key itself)."""
    return WORDS.get(lang, {}).get(key, key)


class ComparisonError(ValueError):
    """The entities cannot be compared (too few, too many, repeated)."""


@dataclass(frozen=True)
class Attribute:
    """A row of the comparison: its name, its English and Chinese headings and how to read it.

    `how` is "values" (the `prop` values), "texts" (literal values in the preferred language),
    "incoming" (subjects having the entity as `prop` value), "open-source", "examples" or
    "capability" (the rows made from the comparison tables' capability statements).
    """

    name: str
    label: str
    label_zh: str
    how: str
    prop: str | None = None


PRODUCT_ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("hypervisor_type", "hypervisor type", "Hypervisor 类型", "values", "hypervisorType"),
    Attribute("vmm_structure", "VMM structure model", "VMM 实现结构", "values", "vmmStructure"),
    Attribute(
        "software_architecture",
        "software architecture",
        "软件架构",
        "values",
        "softwareArchitecture",
    ),
    Attribute(
        "implementation_technique", "technique", "实现技术", "values", "implementationTechnique"
    ),
    Attribute(
        "supported_techniques", "also supports", "亦支持的技术", "values", "supportsTechnique"
    ),
    Attribute(
        "requires_hardware_support",
        "hardware support required",
        "是否需要硬件支持",
        "values",
        "requiresHardwareSupport",
    ),
    Attribute("cpu_extensions", "CPU extensions", "CPU 扩展", "values", "requiresCPUExtension"),
    Attribute("developer", "developer", "开发者", "values", "developer"),
    Attribute("license", "licence", "许可证", "values", "license"),
    Attribute("open_source", "open source", "是否开源", "open-source"),
    Attribute("first_release", "first release", "首次发布", "values", "firstRelease"),
    Attribute("host_platforms", "host platforms", "宿主平台", "values", "hostPlatform"),
    Attribute("guest_support", "guest support", "支持的客户机", "values", "guestSupport"),
    Attribute("cpu_architectures", "CPU architectures", "CPU 架构", "values", "cpuArchitecture"),
    Attribute("builds_on", "builds on", "构建于", "values", "buildsOn"),
    Attribute("built_upon_by", "built upon by", "构建于其上的产品", "incoming", "buildsOn"),
    Attribute(
        "uses_hypervisor", "hypervisor used", "使用的 Hypervisor", "values", "usesHypervisor"
    ),
    Attribute("components", "components", "组成部分", "values", "hasComponent"),
    Attribute("device_model", "device model", "设备模型", "values", "usesDeviceModel"),
    Attribute("used_by", "used by", "使用者", "values", "usedBy"),
)

CONCEPT_ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("definition", "definition", "定义", "texts", "definition"),
    Attribute(
        "hypervisor_ring", "hypervisor ring", "Hypervisor 所在环", "values", "hypervisorRing"
    ),
    Attribute(
        "guest_kernel_ring", "guest kernel ring", "客户机内核所在环", "values", "guestKernelRing"
    ),
    Attribute(
        "guest_os_modified",
        "guest OS must be modified",
        "是否需要修改客户机操作系统",
        "values",
        "requiresModifiedGuestKernel",
    ),
    Attribute(
        "requires_hardware_support",
        "hardware support required",
        "是否需要硬件支持",
        "values",
        "requiresHardwareSupport",
    ),
    Attribute("hardware_needed", "hardware needed", "所需硬件", "values", "requiresCPUExtension"),
    Attribute("mechanisms", "mechanisms", "机制", "values", "usesMechanism"),
    Attribute(
        "device_drivers", "device drivers live in", "设备驱动位置", "values", "deviceDriverLocation"
    ),
    Attribute("performance", "performance", "性能", "texts", "performanceNote"),
    Attribute("advantages", "advantages", "优点", "texts", "advantage"),
    Attribute("disadvantages", "disadvantages", "缺点", "texts", "disadvantage"),
    Attribute("examples", "examples", "实例", "examples"),
)


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
                f"{_label(p.value, lang) or '?'}"
                + (f" [{_source_ids(p.sources)}]" if p.sources else "")
                for p in claim.positions
            )
            via = f" {word(lang, 'via')} {claim.via.get('label')}" if claim.via else ""
            words += f"{' — ' if words else ''}{word(lang, 'contested')}{via}: {positions}"
        return words or "—"


def _label(term: dict[str, Any], lang: str) -> str:
    """A value's label; a boolean's (or an unknown's) in the table's language."""
    if "value" in term and term["value"] is None:
        return word(lang, "unknown")
    value = term.get("value")
    if isinstance(value, bool):
        return word(lang, "true" if value else "false")
    return str(term.get("label", ""))


def _value_text(value: CellValue, lang: str) -> str:
    """A value in words: the edition it is about, the label, the qualifier, how it is known."""
    text = _label(value.term, lang)
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


# --- renderers ---------------------------------------------------------------------------------


def to_csv(comparison: Comparison) -> str:
    """One line per attribute; inferred values and contested positions are spelled out."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(comparison.table())
    return buffer.getvalue()


def to_markdown(comparison: Comparison) -> str:
    """A GitHub-flavoured Markdown table."""
    header, *body = comparison.table()

    def line(cells: list[str]) -> str:
        escaped = (cell.replace("|", "\\|").replace("\n", " ") for cell in cells)
        return "| " + " | ".join(escaped) + " |"

    lines = [line(header), "|" + "---|" * len(header)]
    lines += [line(row) for row in body]
    return "\n".join(lines) + "\n"


def to_html(comparison: Comparison) -> str:
    """A small standalone HTML page with the table; rows carry their agreement as a class."""
    entities = comparison.entities
    head = "".join(
        f'<th scope="col"><a href="{html.escape(e["iri"])}">{html.escape(e["label"])}</a></th>'
        for e in entities
    )
    lang = comparison.lang
    rows = []
    for row in comparison.rows:
        cells = "".join(_html_cell(cell, lang) for cell in row.cells)
        rows.append(
            f'<tr class="{row.agreement}{" contested" if row.contested else ""}">'
            f'<th scope="row">{html.escape(comparison.heading(row.attribute))}</th>{cells}'
            f"<td>{html.escape(word(lang, row.agreement))}</td></tr>"
        )
    title = " / ".join(html.escape(str(e["label"])) for e in entities)
    heading = f"{html.escape(word(lang, 'Comparison'))}: {title}"
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{heading}</title>"
        "<style>table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px;"
        "vertical-align:top}tr.differs th[scope=row]{color:#a40}.inferred{font-style:italic}"
        ".sources{font-size:smaller;color:#555}</style></head><body>"
        f"<h1>{heading}</h1><table><thead><tr><th>{html.escape(word(lang, 'attribute'))}</th>"
        f"{head}<th>{html.escape(word(lang, 'agreement'))}</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></body></html>\n"
    )


def _html_cell(cell: Cell, lang: str) -> str:
    items = []
    inferred = html.escape(word(lang, "inferred"))
    for value in cell.values:
        label = html.escape(_label(value.term, lang))
        css = f' class="inferred" title="{inferred}"' if value.status == "inferred" else ""
        items.append(f"<span{css}>{label}</span>")
    body = "; ".join(items) or "—"
    for claim in cell.contested:
        positions = "".join(
            f"<li>{html.escape(str(p.value.get('label', '?')))}"
            f"{' (' + html.escape(word(lang, p.status)) + ')' if p.status else ''}"
            f'<span class="sources"> {html.escape(_source_ids(p.sources))}</span></li>'
            for p in claim.positions
        )
        contested = html.escape(word(lang, "contested"))
        body += f"<details><summary>{contested}</summary><ul>{positions}</ul></details>"
    if cell.sources:
        sources = f"{html.escape(word(lang, 'sources'))}: {html.escape(_source_ids(cell.sources))}"
        body += f'<div class="sources">{sources}</div>'
    return f"<td>{body}</td>"


def _source_ids(sources: Sequence[SourceInfo]) -> str:
    return ", ".join(source.identifier or source.iri for source in sources)


def to_text(comparison: Comparison, *, width: int = 28) -> str:
    """A plain-text table for terminals; long cells wrap within `width` characters."""
    table = comparison.table()
    columns = len(table[0])
    widths = [min(width, max(display_width(row[i]) for row in table)) for i in range(columns)]
    separator = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    lines = [separator]
    for number, row in enumerate(table):
        wrapped = [_wrap(cell, w) for cell, w in zip(row, widths, strict=True)]
        for i in range(max(len(cell) for cell in wrapped)):
            parts = [
                _pad(cell[i] if i < len(cell) else "", w)
                for cell, w in zip(wrapped, widths, strict=True)
            ]
            lines.append("| " + " | ".join(parts) + " |")
        if number == 0:
            lines.append(separator.replace("-", "="))
    lines.append(separator)
    return "\n".join(lines) + "\n"


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def _wrap(text: str, width: int) -> list[str]:
    """Wrap at spaces where possible, inside words (e.g. Chinese text) where not."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if display_width(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if display_width(line + char) > width:
                lines.append(line)
                line = ""
            line += char
    lines.append(line)
    return lines
