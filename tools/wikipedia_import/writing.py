"""Writing: which statements are also asserted (curated files win), and the deterministic Turtle."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from wikipedia_import.reading import Harvest, Statement
from wikipedia_import.tables import (
    DEFAULT_OUT,
    PLATFORM_RESTRICTIONS,
    PREFIXES,
    SNAPSHOTS,
    VIRT,
    VR,
    Text,
)

MODULE = "https://w3id.org/kgapi/module/"
TITLE_EN = "kgapi: Wikipedia's comparison tables as sourced statements"
TITLE_ZH = "kgapi：作为带来源陈述的维基百科对比表"


# ---------------------------------------------------------------------------------------------
# Deciding what is asserted, and writing Turtle
# ---------------------------------------------------------------------------------------------


def curated_graph(ontology_dir: Path, out: Path) -> Graph:
    """Every module but the import's own output (wherever it is written this time)."""
    generated = {out.resolve(), (ontology_dir / DEFAULT_OUT.name).resolve()}
    graph = Graph()
    for path in sorted(ontology_dir.glob("*.ttl")):
        if path.resolve() not in generated:
            graph.parse(path, format="turtle")
    return graph


def current_keys(statements: list[Statement]) -> set[int]:
    """Indexes of the statements from the newest snapshot speaking of each (product, property)."""
    newest: dict[tuple[URIRef, URIRef], int] = {}
    for statement in statements:
        key = (statement.subject, statement.capability or statement.prop)
        newest[key] = max(newest.get(key, 0), statement.snapshot.rank)
    return {
        index
        for index, statement in enumerate(statements)
        if statement.snapshot.rank
        == newest[(statement.subject, statement.capability or statement.prop)]
    }


def assertions(
    statements: list[Statement], current: set[int], curated: Graph
) -> set[tuple[URIRef, URIRef, URIRef | Literal]]:
    """The plain triples the import asserts: current values where the curated files say nothing."""
    triples: set[tuple[URIRef, URIRef, URIRef | Literal]] = set()
    for index, statement in enumerate(statements):
        if index not in current:
            continue
        if statement.capability is not None:
            if statement.value == VR["capability-yes"]:
                triples.add((statement.subject, VIRT.hasCapability, statement.capability))
            continue
        if (
            isinstance(statement.value, Literal)
            and statement.value.language is None
            and statement.value.datatype is None
        ):
            continue  # words nobody mapped to an entity stay in the statement only
        if (
            statement.prop in (VIRT.methodOfOperation, VIRT.typicalUse, VIRT.speedRelativeToHost)
            or statement.prop in LIMITS
        ):
            continue  # edition-specific wording: kept as statements
        if (statement.subject, statement.prop, None) in curated:
            continue  # curated files win
        if _contested(curated, statement.subject, statement.prop):
            continue  # a disputed property stays a claim with positions, never a fact
        if (
            statement.prop == VIRT.developer
            and (statement.subject, VIRT.originalDeveloper, None) in curated
        ):
            continue
        triples.add((statement.subject, statement.prop, statement.value))
    return _one_first_release(triples)


LIMITS = {meaning.prop for meaning in PLATFORM_RESTRICTIONS.values() if isinstance(meaning, Text)}


def _one_first_release(
    triples: set[tuple[URIRef, URIRef, URIRef | Literal]],
) -> set[tuple[URIRef, URIRef, URIRef | Literal]]:
    """A product has one first release: where snapshots of equal rank differ, the earliest year."""
    by_product: dict[URIRef, list[Literal]] = defaultdict(list)
    for subject, prop, value in triples:
        if prop == VIRT.firstRelease and isinstance(value, Literal):
            by_product[subject].append(value)
    kept = {(s, p, o) for s, p, o in triples if p != VIRT.firstRelease}
    for subject, years in by_product.items():
        kept.add((subject, VIRT.firstRelease, min(years, key=str)))
    return kept


def term(node: URIRef | Literal) -> str:
    if isinstance(node, Literal):
        text = str(node).replace("\\", "\\\\").replace('"', '\\"')
        if node.language:
            return f'"{text}"@{node.language}'
        if node.datatype is not None:
            return f'"{text}"^^{term(node.datatype)}'
        return f'"{text}"'
    iri = str(node)
    for prefix, namespace in PREFIXES.items():
        local = iri.removeprefix(namespace)
        if (
            local != iri
            and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", local)
            and not local.endswith(".")
        ):
            return f"{prefix}:{local}"
    return f"<{iri}>"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def render(harvest_: Harvest, curated: Graph, timeline: Sequence[str] = ()) -> str:
    """The whole file: snapshots, asserted values, every statement, then the timeline lines."""
    statements = harvest_.statements
    current = current_keys(statements)
    asserted = assertions(statements, current, curated)
    lines = [
        "# GENERATED by tools/import_wikipedia_tables.py from shared/reference/wikipedia-tables;",
        "# do not edit: change the curation files in ontology/import/ (or the curated modules,",
        "# which win) and re-run.",
        "",
        *(f"@prefix {prefix}: <{namespace}> ." for prefix, namespace in PREFIXES.items()),
        "",
        f"<{MODULE}wikipedia> a owl:Ontology ;",
        f"    owl:imports <{MODULE}capabilities> , <{MODULE}catalogue> ;",
        f'    dcterms:title "{TITLE_EN}"@en , "{TITLE_ZH}"@zh .',
        "",
        "# --- snapshots ---",
        "",
    ]
    for snapshot in sorted(SNAPSHOTS.values(), key=lambda s: s.key):
        lines.append(f"{term(snapshot.iri)} a virt:Source ;")
        lines.append(f"    virt:snapshotOf vr:source-{snapshot.source} ;")
        lines.append(f'    dcterms:identifier "{snapshot.identifier}" ;')
        if snapshot.date:
            lines.append(f"    virt:snapshotDate {_date(snapshot.date)} ;")
        lines.append(f'    rdfs:label "{snapshot.title}"@en ;')
        lines.append(f'    dcterms:title "{snapshot.title}" .')
        lines.append("")
    lines.append(
        "# --- asserted values (where the curated modules have none) and table listings ---"
    )
    lines.append("")
    listed: dict[URIRef, set[URIRef]] = defaultdict(set)
    for product, snapshot in harvest_.listed:
        listed[product].add(snapshot.iri)
    facts: dict[URIRef, list[str]] = defaultdict(list)
    for subject, prop, value in asserted:
        facts[subject].append(f"{term(prop)} {term(value)}")
    for product, snapshots in listed.items():
        facts[product].append("virt:listedIn " + " , ".join(sorted(term(s) for s in snapshots)))
    for product in harvest_.removed_by_2025:
        facts[product].append("virt:removedFrom vr:snapshot-platform-2025")
    for subject in sorted(facts, key=str):
        lines.append(f"{term(subject)} " + " ;\n    ".join(sorted(facts[subject])) + " .")
    lines.append("")
    lines.append("# --- what each snapshot says, cell by cell ---")
    lines.append("")
    seen: dict[str, int] = defaultdict(int)
    for index, statement in sorted(enumerate(statements), key=lambda item: _order(item[1])):
        lines.extend(_statement_lines(statement, index in current, seen))
    lines.extend(timeline)
    return "\n".join(lines) + "\n"


def _order(statement: Statement) -> tuple[str, str, str, int, str, str]:
    return (
        str(statement.subject),
        str(statement.capability or statement.prop),
        statement.edition,
        statement.snapshot.rank,
        str(statement.value),
        statement.text,
    )


def _date(text: str) -> str:
    kind = {4: "gYear", 7: "gYearMonth", 10: "date"}[len(text)]
    return f'"{text}"^^xsd:{kind}'


def _statement_lines(statement: Statement, is_current: bool, seen: dict[str, int]) -> list[str]:
    subject_slug = str(statement.subject).removeprefix(str(VR))
    what = (
        str(statement.capability or statement.prop).rsplit("/", 1)[-1].removeprefix("capability-")
    )
    base = "-".join(
        part
        for part in (subject_slug, slug(what), statement.snapshot.key, slug(statement.edition))
        if part
    )
    kind = "cap" if statement.capability is not None else "says"
    seen[f"{kind}-{base}"] += 1
    number = seen[f"{kind}-{base}"]
    node = VR[f"{kind}-{base}" + (f"-{number}" if number > 1 else "")]
    lines = [f"{term(node)}"]
    props: list[str] = []
    if statement.capability is not None:
        props += [
            "a virt:CapabilityStatement",
            f"virt:capabilityOf {term(statement.subject)}",
            f"virt:capability {term(statement.capability)}",
            f"virt:capabilityValue {term(statement.value)}",
        ]
        if statement.qualifier:
            props.append(f"virt:qualifier {term(Literal(statement.qualifier, lang='en'))}")
    else:
        props += [
            "a virt:SourcedStatement",
            f"rdf:subject {term(statement.subject)}",
            f"rdf:predicate {term(statement.prop)}",
            f"rdf:object {term(statement.value)}",
        ]
    if statement.edition:
        props.append(f"virt:edition {term(Literal(statement.edition))}")
    props.append(f"virt:sourceText {term(Literal(statement.text))}")
    props.append(f"dcterms:source {term(statement.snapshot.iri)}")
    if statement.snapshot.date:
        props.append(f"virt:snapshotDate {_date(statement.snapshot.date)}")
    props.append(f"virt:isCurrent {'true' if is_current else 'false'}")
    lines[0] += " " + " ;\n    ".join(props) + " ."
    lines.append("")
    return lines


def _contested(curated: Graph, subject: URIRef, prop: URIRef) -> bool:
    """Whether the curated files record a contested claim on `prop` of `subject`."""
    return any(
        (claim, VIRT.claimProperty, prop) in curated
        for claim in curated.objects(subject, VIRT.hasContestedClaim)
    )
