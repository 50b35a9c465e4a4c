"""Reading: the curation files, and every cell of every table into a sourced statement."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef

from wikipedia_import.tables import (
    CITATION,
    CURATION,
    FIRST_YEAR,
    PREFIXES,
    SPDX,
    TABLES,
    VIRT,
    VR,
    Column,
    Feature,
    FirstRelease,
    Snapshot,
    Status,
    Terms,
    Text,
)


class ImportError_(Exception):
    """A row or cell the curation files do not decide; names the file, row and column."""


# ---------------------------------------------------------------------------------------------
# Curation: names, terms and the cells that are not a plain yes/no
# ---------------------------------------------------------------------------------------------


def clean(cell: str) -> str:
    """The cell as the source says it: citation markers removed, whitespace collapsed."""
    return " ".join(CITATION.sub("", cell).split())


def resource(token: str) -> URIRef:
    """A curation file's name for a resource: spdx:X, a full IRI, or a vr: slug."""
    if token.startswith("spdx:"):
        return SPDX[token.removeprefix("spdx:")]
    if token.startswith("https://"):
        return URIRef(token)
    return VR[token]


@dataclass(frozen=True)
class Curation:
    names: dict[str, tuple[URIRef, str]]  # row name -> (product, edition)
    terms: dict[tuple[str, str], tuple[URIRef, ...]]  # (kind, token) -> resources
    cells: dict[str, tuple[URIRef, str]]  # cell text -> (value, qualifier)

    @classmethod
    def read(cls, directory: Path = CURATION) -> Curation:
        names = {
            clean(row["table_name"]): (VR[row["resource"]], row["edition"].strip())
            for row in _rows(directory / "wikipedia-names.csv")
        }
        terms: dict[tuple[str, str], tuple[URIRef, ...]] = {}
        for row in _rows(directory / "wikipedia-terms.csv"):
            key = (row["kind"], row["text"].strip())
            if key in terms:
                raise ImportError_(f"wikipedia-terms.csv: {key} is mapped twice")
            terms[key] = tuple(resource(token) for token in row["resources"].split(";"))
        cells = {
            row["text"]: (VR[f"capability-{row['value']}"], row["qualifier"].strip())
            for row in _rows(directory / "wikipedia-cells.csv")
        }
        return cls(names, terms, cells)

    def product(self, table: str, row_name: str) -> tuple[URIRef, str]:
        try:
            return self.names[clean(row_name)]
        except KeyError:
            raise ImportError_(f"{table}: row {row_name!r} is not in wikipedia-names.csv") from None

    def entities(self, kind: str, cell: str) -> list[URIRef]:
        """The entities a cell names, in order; tokens nobody mapped are left to the text."""
        found: list[URIRef] = []
        for token in split_list(cell):
            mapped = self.terms.get((kind, token))
            if mapped is None:
                mapped = self.terms.get((kind, strip_parenthetical(token)))
            for entity in mapped or ():
                if entity not in found:
                    found.append(entity)
        return found

    def feature_value(
        self, table: str, row_name: str, column: str, cell: str
    ) -> tuple[URIRef, str]:
        """(value, qualifier) of a feature cell; words after a leading yes/no/partial qualify it."""
        first, _, rest = cell.partition(" ")
        word = first.rstrip(".,;:").lower()
        qualifier = rest.strip(" ,;:.()") if rest else ""
        if cell in self.cells:
            return self.cells[cell]
        if word in ("yes", "no", "partial", "partially"):
            value = "partial" if word.startswith("partial") else word
            return VR[f"capability-{value}"], qualifier
        if cell == "?":
            return VR["capability-unknown"], ""
        if cell.lower() in ("n/a", "not applicable"):
            return VR["capability-not-applicable"], ""
        raise ImportError_(
            f"{table}: row {row_name!r}, column {column!r}: "
            f"cell {cell!r} is not in wikipedia-cells.csv"
        )


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def split_list(cell: str) -> list[str]:
    """Split a list cell on commas and semicolons outside parentheses."""
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for char in cell:
        depth += (char == "(") - (char == ")")
        if char in ",;" and depth == 0:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    return [item for item in items if item]


def strip_parenthetical(token: str) -> str:
    head, paren, _ = token.partition(" (")
    return head.strip() if paren else token


# ---------------------------------------------------------------------------------------------
# Reading the tables into statements
# ---------------------------------------------------------------------------------------------


@dataclass
class Statement:
    subject: URIRef
    prop: URIRef
    value: URIRef | Literal
    snapshot: Snapshot
    text: str
    edition: str
    qualifier: str = ""
    capability: URIRef | None = None  # set for capability statements (value is then the yes/no IRI)


@dataclass
class Harvest:
    statements: list[Statement] = field(default_factory=list)
    listed: set[tuple[URIRef, Snapshot]] = field(default_factory=set)
    # Products the 2025 article's main (General) table no longer has: row_status_2025 "absent in
    # 2025 (removed …)". A product dropped from another table only (KVM from the image table)
    # is still in the article, so it is not counted.
    removed_by_2025: set[URIRef] = field(default_factory=set)


def harvest(tables_dir: Path, curation: Curation) -> Harvest:
    result = Harvest()
    for table in TABLES:
        for row in _rows(tables_dir / table.file):
            product, edition = curation.product(table.file, row[table.name_column])
            snapshot = table.snapshot(row)
            result.listed.add((product, snapshot))
            status = row.get("row_status_2025", "")
            if table.file == "platform-general.csv" and status.startswith("absent in 2025"):
                result.removed_by_2025.add(product)
            for column, meaning in table.columns.items():
                cell = clean(row.get(column, ""))
                if not cell or cell == "UNREADABLE":
                    continue
                result.statements.extend(
                    _statements(
                        table.file,
                        row[table.name_column],
                        column,
                        meaning,
                        cell,
                        product,
                        edition,
                        snapshot,
                        curation,
                    )
                )
    return result


def _statements(
    table: str,
    row_name: str,
    column: str,
    meaning: Column,
    cell: str,
    product: URIRef,
    edition: str,
    snapshot: Snapshot,
    curation: Curation,
) -> Iterable[Statement]:
    if isinstance(meaning, Feature):
        value, qualifier = curation.feature_value(table, row_name, column, cell)
        yield Statement(
            product,
            VIRT.capabilityValue,
            value,
            snapshot,
            cell,
            edition,
            qualifier,
            meaning.capability,
        )
    elif isinstance(meaning, Terms):
        entities = curation.entities(meaning.kind, cell)
        for entity in entities:
            yield Statement(product, meaning.prop, entity, snapshot, cell, edition)
        if not entities:
            yield Statement(product, meaning.prop, Literal(cell), snapshot, cell, edition)
    elif isinstance(meaning, Text):
        yield Statement(product, meaning.prop, Literal(cell, lang="en"), snapshot, cell, edition)
    elif isinstance(meaning, FirstRelease):
        match = FIRST_YEAR.match(cell)
        if match is None:  # words such as "No longer supported, as of March 3, 2009" stay words
            yield Statement(product, VIRT.firstRelease, Literal(cell), snapshot, cell, edition)
            return
        year = Literal(match["year"], datatype=URIRef(PREFIXES["xsd"] + "gYear"))
        yield Statement(product, VIRT.firstRelease, year, snapshot, cell, edition)
    elif isinstance(meaning, Status):
        yield Statement(
            product, VIRT.developmentStatus, VR[f"status-{cell}"], snapshot, cell, edition
        )
