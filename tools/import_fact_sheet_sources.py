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
passage, verbatim) a curator found it in; an entry for a fact products.ttl does not state, or
one a rule already backs, stops the import. Deterministic: the same inputs give the same bytes;
`--check` exits 1 when the file differs.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.term import Node

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generated_file import generator_arguments, write_or_check

REPOSITORY = Path(__file__).resolve().parent.parent
PRODUCTS = REPOSITORY / "ontology" / "products.ttl"
NAMES = REPOSITORY / "ontology" / "import" / "fact-sheet-products.csv"
CELLS = REPOSITORY / "ontology" / "import" / "fact-sheet-cells.csv"
DEFAULT_OUT = REPOSITORY / "ontology" / "fact-sheet.ttl"
DEFAULT_FACTS = REPOSITORY.parent / "shared" / "reference" / "domain-facts.md"
VIRT = Namespace("https://w3id.org/kgapi/ontology/")
VR = Namespace("https://w3id.org/kgapi/resource/")

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
    found = [match.lower() for match in re.findall(r"\[(S\d+)[a-z]?\]", cell)]
    if re.search(r"\bseed\b", cell):
        found.append("seed")
    return tuple(dict.fromkeys(found))


def read_rows(text: str) -> tuple[dict[str, Row], dict[str, Row], list[Row], Row]:
    """Tables A and B by product id, Table C's rows, and section 4's row of libvirt's and
    OpenStack's names for hypervisors."""
    by_table: dict[str, dict[str, Row]] = {}
    for table, title in (("A", "### Table A"), ("B", "### Table B")):
        header, *rows = list(table_rows(text, title))
        found = {}
        for cells in rows:
            if len(cells) != len(header):
                raise SystemExit(f"domain-facts Table {table}: row {cells[0]!r} has wrong cells")
            key = cells[0].split()[0]
            named = dict(zip(header, cells, strict=True))
            found[key] = Row(table, key, named, source_ids(cells[-1]))
        by_table[table] = found
    header, *rows = list(table_rows(text, "### Table C"))
    relations = [
        Row(
            "C",
            f"{cells[0]} {cells[1]}",
            dict(zip(header, cells, strict=True)),
            source_ids(cells[-1]),
        )
        for cells in rows
    ]
    header, *rows = list(table_rows(text, "## 4. Existing ontologies"))
    vocabularies = {cells[0]: dict(zip(header, cells, strict=True)) for cells in rows}
    names = vocabularies["libvirt / OpenStack vocab (de-facto enums)"]
    enums = Row("4", "libvirt / OpenStack vocab", names, source_ids(names["Source"]))
    return by_table["A"], by_table["B"], relations, enums


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
    row: str | None  # None for a passage of the seed, which has no rows


def named_cells(
    curated: Graph,
    table_a: dict[str, Row],
    table_b: dict[str, Row],
    relations: list[Row],
    traced: set[tuple[Node, Node, Node]],
) -> Iterator[Statement]:
    """The facts no column or relation row backs as a rule, each with the row cell (or seed
    passage) a curator found it in (`import/fact-sheet-cells.csv`)."""
    relation_rows = {row.key: row for row in relations}
    with CELLS.open(encoding="utf-8", newline="") as handle:
        entries = list(csv.DictReader(handle))
    for entry in entries:
        value = entry["value"]
        prefix, _, local = value.partition(":")
        node = (
            {"vr": VR, "virt": VIRT}[prefix][local] if prefix in ("vr", "virt") else Literal(value)
        )
        triple = (VR[entry["slug"]], VIRT[entry["property"]], node)
        if triple not in curated:
            raise SystemExit(f"{CELLS.name}: {entry} is not a fact of products.ttl")
        if triple in traced:
            raise SystemExit(f"{CELLS.name}: {entry} is already backed by its row; remove it")
        table, _, key = entry["row"].partition(" ")
        if table == "seed":
            yield Statement(triple, "seed", entry["passage"], None)
            continue
        if table == "C":
            row = relation_rows[key]
            words = " ".join(row.cells[h] for h in ("Subject", "Predicate", "Object"))
        else:
            row = {"A": table_a, "B": table_b}[table][key]
            (words,) = [w for h, w in row.cells.items() if h.startswith(entry["column"])]
        for source in row.sources:
            yield Statement(triple, source, words, entry["row"])


def statements(facts: Path) -> list[Statement]:
    text = facts.read_text(encoding="utf-8")
    table_a, table_b, relations, enums = read_rows(text)
    curated = Graph().parse(PRODUCTS, format="turtle")
    found: list[Statement] = []
    with NAMES.open(encoding="utf-8", newline="") as handle:
        products = list(csv.DictReader(handle))
    for product in products:
        subject = VR[product["slug"]]
        rows = [table[product["id"]] for table in (table_a, table_b) if product["id"] in table]
        for row in rows:
            for heading, cell in row.cells.items():
                for name in column_of(heading):
                    for value in sorted(curated.objects(subject, VIRT[name]), key=str):
                        for source in row.sources:
                            triple = (subject, VIRT[name], value)
                            found.append(Statement(triple, source, cell, f"{row.table} {row.key}"))
        for name in ENUM_PROPERTIES:
            for value in sorted(curated.objects(subject, VIRT[name]), key=str):
                for source in enums.sources:
                    words = enums.cells["Useful terms"]
                    found.append(
                        Statement((subject, VIRT[name], value), source, words, "4 libvirt")
                    )
        names = product["names"].split(";")
        for row in relations:
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
    return found + list(named_cells(curated, table_a, table_b, relations, traced))


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
