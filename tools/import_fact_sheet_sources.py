"""Write `ontology/fact-sheet.ttl`: a source on every curated product fact the research brief backs.

    python tools/import_fact_sheet_sources.py [--facts FILE] [--out FILE] [--check]

The curated products (`ontology/products.ttl`) were written from the research brief
`shared/reference/domain-facts.md` (or `KGAPI_DOMAIN_FACTS`): its Table A (identity, developer,
licence, first release) and Table B (classification) give one row per product with the sources
of the row, and Table C one row per relation with its sources. For every curated triple whose
property is a column of the product's row in Table A or B, or the predicate of one of its rows in
Table C, this writes one `virt:SourcedStatement` per source of that row: the triple (RDF
reification), the source, and the cell's own words (`virt:sourceText`). So "which source says KVM
is GPL-2.0-only?" is answered statement by statement, like the imported comparison tables'
statements. A row's sources back the row as a whole: the brief does not say which of a row's
several sources backs which column, and neither does the graph.

`ontology/import/fact-sheet-products.csv` names the graph's product for each row id (and the
names Table C uses for it). The facts these rules do not reach are listed in
`ontology/import/fact-sheet-cells.csv`, each with the row and column (or the founding document's
passage, verbatim, or the timeline's event) a curator found it in, also for the facts of the
organisations, CPU features and techniques; an entry for a fact the curated modules do not
state, or one a rule already backs, stops the import. Deterministic: the same inputs give the
same bytes; `--check` exits 1 when the file differs.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.term import Node

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generated_file import generator_arguments, write_or_check

REPOSITORY = Path(__file__).resolve().parent.parent
PRODUCTS = REPOSITORY / "ontology" / "products.ttl"
# The hand-maintained modules whose facts an entry of CELLS may trace.
CURATED = [
    REPOSITORY / "ontology" / f"{name}.ttl"
    for name in ("products", "organisations", "cpu", "axes", "core")
]
NAMES = REPOSITORY / "ontology" / "import" / "fact-sheet-products.csv"
CELLS = REPOSITORY / "ontology" / "import" / "fact-sheet-cells.csv"
# The timeline's dated events, each a statement of its own (generated from the tables).
TIMELINE = REPOSITORY / "ontology" / "wikipedia.ttl"
DEFAULT_OUT = REPOSITORY / "ontology" / "fact-sheet.ttl"
DEFAULT_FACTS = REPOSITORY.parent / "shared" / "reference" / "domain-facts.md"
VIRT = Namespace("https://w3id.org/kgapi/ontology/")
VR = Namespace("https://w3id.org/kgapi/resource/")
SOURCE_TEXT = str(VIRT.sourceText)
DC_SOURCE = "http://purl.org/dc/terms/source"

# The columns of Tables A and B, by their heading's first words, and the properties they back.
COLUMNS: dict[str, tuple[str, ...]] = {
    "Vendor / developer": ("developer", "originalDeveloper", "governedBy"),
    "Licence": ("license",),
    "First release": ("firstRelease", "inLinuxKernelSince"),
    # The brief's kind of product (Type-1, OS-level, "application virtualization", "process
    # (high-level-language) VM") is what the product's place on the virtualized-object axis was
    # read from: a hypervisor of either type virtualizes a whole machine (the seed's
    # PC/server virtualization).
    "Hypervisor type": ("hypervisorType", "virtualizedObject"),
    "VMM structure model": ("vmmStructure", "softwareArchitecture"),
    "Techniques": ("implementationTechnique", "supportsTechnique"),
    "Req. HW": ("requiresHardwareSupport", "requiresCPUExtension"),
    "Host / runs on": ("hostPlatform", "portedTo"),  # the cell names the ports too
    "Guest OS notes": ("guestSupport",),
    "CPU architectures": ("cpuArchitecture",),
}
# Table C's predicates and the graph's properties they back: most by the same name; the
# partitions, domains and VMs of a hypervisor are its components in the graph, and OpenVZ's
# commercial counterpart shares its technology. The others (developedBy, dom0, …) are modelled
# otherwise (a sequence of developers, a note).
RELATIONS: dict[str, tuple[str, ...]] = {
    **{
        name: (name,)
        for name in (
            "basedOn",
            "usesHypervisor",
            "usesDeviceModel",
            "usesAccelerator",
            "usesPlatform",
            "hasComponent",
            "successorOf",
            "derivedFrom",
            "mergerOf",
            "sharesTechnologyWith",
            "originalDeveloper",
            "governedBy",
            "portedTo",
            "formerName",
            "descendantOf",
            "manages",
        )
    },
    "usesContainerTech": ("usesContainerTechnology",),
    "hasPartition": ("hasComponent",),
    "hasDomain": ("hasComponent",),
    "hasVM": ("hasComponent",),
    "commercialCounterpart": ("sharesTechnologyWith",),
}
# Names other tools give products, from section 4's row of libvirt and OpenStack values.
ENUM_PROPERTIES = ("libvirtDomainType", "novaHypervisorType")


@dataclass(frozen=True)
class Row:
    """One fact-sheet row: its table and id, its cells by heading, and its sources (S-numbers)."""

    table: str
    key: str
    cells: dict[str, str]
    sources: tuple[str, ...]


def table_rows(text: str, title: str) -> Iterator[list[str]]:
    """The cells of every row of the Markdown table under the heading starting with `title`."""
    start = text.index(title)
    lines = text[start:].split("\n")[1:]
    in_table = False
    for line in lines:
        if line.startswith("|"):
            in_table = True
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(set(cell) <= set("-: ") for cell in cells):
                yield cells
        elif in_table:
            return


def source_ids(cell: str) -> tuple[str, ...]:
    """The sources cited in a Sources cell (`[S4]`, `[S18b]`, `seed`), in order, each once."""
    found = [match.lower() for match in re.findall(r"\[(S\d+[a-z]?)\]", cell)]
    if re.search(r"\bseed\b", cell):
        found.append("seed")
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Brief:
    """The brief's rows: Tables A and B by product id, Table C's relations by "Subject
    predicate", section 1's core concepts by id (C1…), and section 4's row of libvirt's and
    OpenStack's names for hypervisors."""

    table_a: dict[str, Row]
    table_b: dict[str, Row]
    relations: dict[str, Row]
    concepts: dict[str, Row]
    enums: Row

    def row(self, name: str) -> Row:
        """The row named as `import/fact-sheet-cells.csv` names it: "A P07", "B P13",
        "C Xen hasDomain", "1 C8", "4 libvirt"."""
        table, _, key = name.partition(" ")
        if name == "4 libvirt":
            return self.enums
        tables = {"A": self.table_a, "B": self.table_b, "C": self.relations, "1": self.concepts}
        return tables[table][key]


def keyed_rows(
    text: str, title: str, table: str, key_cells: int = 1, prose: int | None = None
) -> dict[str, Row]:
    """The rows of the table under `title`, each with its cells by heading and its sources (its
    last cell), keyed by the first word of its first cell (P07, C5) or, with `key_cells` 2, by
    its first two cells (Table C's "Xen hasDomain"). A row with more cells than headings has a
    `|` in its `prose` column's text (section 1 quotes `egrep '(vmx|svm)'` unescaped)."""
    header, *rows = list(table_rows(text, title))
    found: dict[str, Row] = {}
    for cells in rows:
        if prose is not None and len(cells) > len(header):
            surplus = len(cells) - len(header)
            cells = [
                *cells[:prose],
                "|".join(cells[prose : prose + surplus + 1]),
                *cells[prose + surplus + 1 :],
            ]
        key = " ".join(cells[:2]) if key_cells == 2 else cells[0].split()[0]
        if len(cells) != len(header) or key in found:
            raise SystemExit(f"domain-facts Table {table}: row {key!r} is malformed or repeated")
        named = dict(zip(header, cells, strict=True))
        found[key] = Row(table, key, named, source_ids(cells[-1]))
    return found


def read_rows(text: str) -> Brief:
    header, *rows = list(table_rows(text, "## 4. Existing ontologies"))
    vocabularies = {cells[0]: dict(zip(header, cells, strict=True)) for cells in rows}
    names = vocabularies["libvirt / OpenStack vocab (de-facto enums)"]
    return Brief(
        table_a=keyed_rows(text, "### Table A", "A"),
        table_b=keyed_rows(text, "### Table B", "B"),
        relations=keyed_rows(text, "### Table C", "C", key_cells=2),
        concepts=keyed_rows(text, "## 1. Core concepts", "1", prose=1),
        enums=Row("4", "libvirt / OpenStack vocab", names, source_ids(names["Source"])),
    )


def column_of(heading: str) -> tuple[str, ...]:
    for start, properties in COLUMNS.items():
        if heading.startswith(start):
            return properties
    return ()


@dataclass(frozen=True)
class Statement:
    triple: tuple[Node, Node, Node]
    source: str
    words: str
    row: str | None  # None for a passage of the seed or a timeline event: no row of the brief


def curated_value(curated: Graph, subject: Node, prop: Node, value: str) -> Node:
    """The object of `subject prop` that `value` names: an IRI as vr:… or virt:…, a literal by
    its lexical form (so "2008" finds "2008"^^xsd:gYear)."""
    prefix, _, local = value.partition(":")
    if prefix in ("vr", "virt"):
        node: Node = {"vr": VR, "virt": VIRT}[prefix][local]
        if (subject, prop, node) in curated:
            return node
    else:
        for node in curated.objects(subject, prop):
            if isinstance(node, Literal) and str(node) == value:
                return node
    raise SystemExit(f"{CELLS.name}: {subject} {prop} {value!r} is not a curated fact")


@cache
def timeline_events() -> dict[str, dict[str, str]]:
    """The timeline's events by local name (timeline-05), each with its words and source: read
    once for every entry that names one."""
    events: dict[str, dict[str, str]] = {}
    for quad in ox.parse(path=TIMELINE, format=ox.RdfFormat.TURTLE):
        subject, predicate = quad.subject, quad.predicate.value
        if predicate in (SOURCE_TEXT, DC_SOURCE) and isinstance(subject, ox.NamedNode):
            name = subject.value.removeprefix(str(VR))
            events.setdefault(name, {})[predicate] = quad.object.value
    return events


def timeline_event(name: str) -> tuple[str, str]:
    """The words and the source (S-number) of the timeline's event `vr:<name>`."""
    found = timeline_events().get(name, {})
    if len(found) != 2:
        raise SystemExit(f"{CELLS.name}: no timeline event {name} with words and a source")
    return found[SOURCE_TEXT], found[DC_SOURCE].removeprefix(str(VR["source-"]))


def named_cells(
    curated: Graph, brief: Brief, traced: set[tuple[Node, Node, Node]]
) -> Iterator[Statement]:
    """The facts no column or relation row backs as a rule, each with the row cell (or seed
    passage, or timeline event) a curator found it in (`import/fact-sheet-cells.csv`)."""
    with CELLS.open(encoding="utf-8", newline="") as handle:
        entries = list(csv.DictReader(handle))
    for entry in entries:
        prefix, _, local = entry["subject"].partition(":")
        subject = {"vr": VR, "virt": VIRT}[prefix][local]
        prop = VIRT[entry["property"]]
        triple = (subject, prop, curated_value(curated, subject, prop, entry["value"]))
        if triple in traced:
            raise SystemExit(f"{CELLS.name}: {entry} is already backed by its row; remove it")
        if entry["row"] == "seed":
            yield Statement(triple, "seed", entry["passage"], None)
            continue
        if entry["row"].startswith("timeline-"):
            words, source = timeline_event(entry["row"])
            yield Statement(triple, source, words, None)
            continue
        row = brief.row(entry["row"])
        if row.table == "C":
            words = " ".join(row.cells[h] for h in ("Subject", "Predicate", "Object"))
        elif row.table == "1":
            words = row.cells["Fact"]
        elif row.table == "4":
            words = row.cells["Useful terms"]
        else:
            (words,) = [w for h, w in row.cells.items() if h.startswith(entry["column"])]
        chosen = entry["sources"].split()
        if not set(chosen) <= set(row.sources):
            raise SystemExit(f"{CELLS.name}: {entry} names sources its row does not cite")
        for source in chosen or row.sources:
            yield Statement(triple, source, words, entry["row"])


def statements(facts: Path) -> list[Statement]:
    text = facts.read_text(encoding="utf-8")
    brief = read_rows(text)
    curated = Graph()
    for module in CURATED:
        curated.parse(module, format="turtle")
    found: list[Statement] = []
    with NAMES.open(encoding="utf-8", newline="") as handle:
        products = list(csv.DictReader(handle))
    for product in products:
        subject = VR[product["slug"]]
        tables = (brief.table_a, brief.table_b)
        rows = [table[product["id"]] for table in tables if product["id"] in table]
        for row in rows:
            for heading, cell in row.cells.items():
                for name in column_of(heading):
                    for value in sorted(curated.objects(subject, VIRT[name]), key=str):
                        for source in row.sources:
                            triple = (subject, VIRT[name], value)
                            found.append(Statement(triple, source, cell, f"{row.table} {row.key}"))
        for name in ENUM_PROPERTIES:
            for value in sorted(curated.objects(subject, VIRT[name]), key=str):
                for source in brief.enums.sources:
                    words = brief.enums.cells["Useful terms"]
                    found.append(
                        Statement((subject, VIRT[name], value), source, words, "4 libvirt")
                    )
        names = product["names"].split(";")
        for row in brief.relations.values():
            subject_name, predicate = row.cells["Subject"], row.cells["Predicate"].split()[0]
            if subject_name not in names:
                continue
            words = f"{subject_name} {row.cells['Predicate']} {row.cells['Object']}"
            for name in RELATIONS.get(predicate, ()):
                prop = VIRT[name]
                for value in sorted(curated.objects(subject, prop), key=str):
                    for source in row.sources:
                        triple = (subject, prop, value)
                        found.append(Statement(triple, source, words, f"C {row.key}"))
    traced = {statement.triple for statement in found}
    return found + list(named_cells(curated, brief, traced))


def turtle_literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def term(node: Node) -> str:
    if isinstance(node, URIRef):
        for prefix, namespace in (("virt:", VIRT), ("vr:", VR)):
            local = str(node)[len(str(namespace)) :]
            if str(node).startswith(str(namespace)) and re.fullmatch(r"[A-Za-z0-9_-]+", local):
                return prefix + local
        return f"<{node}>"
    assert isinstance(node, Literal)
    return node.n3()


def build(facts: Path) -> str:
    lines = [
        "# GENERATED by tools/import_fact_sheet_sources.py from shared/reference/domain-facts.md",
        "# and ontology/products.ttl — do not edit; re-run the import.",
        "",
        "@prefix virt:    <https://w3id.org/kgapi/ontology/> .",
        "@prefix vr:      <https://w3id.org/kgapi/resource/> .",
        "@prefix owl:     <http://www.w3.org/2002/07/owl#> .",
        "@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .",
        "@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "",
        "<https://w3id.org/kgapi/module/fact-sheet> a owl:Ontology ;",
        "    owl:imports <https://w3id.org/kgapi/ontology> ,",
        "        <https://w3id.org/kgapi/module/products> ;",
        '    dcterms:title "kgapi: the sources of the curated product statements"@en ,',
        '        "kgapi：人工整理的产品陈述的来源"@zh .',
        "",
    ]
    seen: dict[str, int] = {}
    for statement in statements(facts):
        s, p, o = statement.triple
        product, prop = str(s).rsplit("/", 1)[-1], str(p).rsplit("/", 1)[-1].lower()
        base = f"fact-{product}-{prop}-{statement.source}"
        seen[base] = seen.get(base, 0) + 1
        name = base if seen[base] == 1 else f"{base}-{seen[base]}"
        lines += [
            f"vr:{name} a virt:SourcedStatement ;",
            f"    rdf:subject {term(s)} ; rdf:predicate {term(p)} ; rdf:object {term(o)} ;",
            f"    dcterms:source vr:source-{statement.source} ;",
            f"    virt:sourceText {turtle_literal(statement.words)} ;",
            *(
                [f"    virt:factSheetRow {turtle_literal(statement.row)} ;"]
                if statement.row
                else []
            ),
            "    virt:isCurrent true .",
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = generator_arguments(
        argv,
        description=__doc__.split("\n\n")[0],
        source="facts",
        environment="KGAPI_DOMAIN_FACTS",
        default_source=DEFAULT_FACTS,
        default_out=DEFAULT_OUT,
    )
    made_from = f"{NAMES} and {CELLS}"
    return write_or_check(args.out, build(args.source), check=args.check, made_from=made_from)


if __name__ == "__main__":
    sys.exit(main())
