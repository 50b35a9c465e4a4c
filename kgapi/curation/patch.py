"""A change as quads added and removed, written as RDF Patch.

RDF Patch (https://afs.github.io/rdf-delta/rdf-patch.html) is the change log's format and the
history's diff format: header lines `H name value .`, then `TX .`, one line per quad — `A` to add,
`D` to delete, each followed by the quad in N-Quads syntax — and `TC .`. Every quad of a change
names its graph (user data always lives in named graphs), so lines have four terms.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox


class PatchError(ValueError):
    """Text that is not an RDF Patch kgapi can read."""


@dataclass(frozen=True)
class Change:
    """Quads added and removed; never both (a quad added and removed is not a change)."""

    added: frozenset[ox.Quad]
    removed: frozenset[ox.Quad]

    @classmethod
    def of(cls, added: Iterable[ox.Quad], removed: Iterable[ox.Quad]) -> Change:
        adds, removes = frozenset(added), frozenset(removed)
        return cls(adds - removes, removes - adds)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)

    @classmethod
    def then(cls, changes: Iterable[Change]) -> Change:
        """The changes one after another as one: each quad added or removed as the last change
        to touch it left it (apply it through the live graph's `effective`, which drops what
        was already so)."""
        last: dict[ox.Quad, bool] = {}
        for change in changes:
            last.update(dict.fromkeys(change.removed, False))
            last.update(dict.fromkeys(change.added, True))
        return cls(
            frozenset(quad for quad, present in last.items() if present),
            frozenset(quad for quad, present in last.items() if not present),
        )

    def inverse(self) -> Change:
        """The change that undoes this one (a revert)."""
        return Change(self.removed, self.added)

    def graphs(self) -> frozenset[str]:
        """The IRIs of the graphs it touches."""
        return frozenset(
            quad.graph_name.value
            for quad in (*self.added, *self.removed)
            if isinstance(quad.graph_name, ox.NamedNode)
        )


def write_patch(change: Change, header: Mapping[str, str] | None = None) -> str:
    """`change` as RDF Patch text: deletions first, each block sorted, so that equal changes
    read the same. Header values are written as quoted literals."""
    lines = [f"H {name} {ox.Literal(value)} ." for name, value in (header or {}).items()]
    lines.append("TX .")
    lines += sorted(f"D {_quad_text(quad)} ." for quad in change.removed)
    lines += sorted(f"A {_quad_text(quad)} ." for quad in change.added)
    lines.append("TC .")
    return "\n".join(lines) + "\n"


def read_patch(text: str) -> tuple[dict[str, str], Change]:
    """The header and change of an RDF Patch of one transaction. Raises PatchError."""
    header: dict[str, str] = {}
    blocks: dict[str, list[str]] = {"A": [], "D": []}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        code, _, rest = line.partition(" ")
        if code in blocks:
            blocks[code].append(rest)
        elif code == "H":
            name, _, value = rest.strip().removesuffix(".").strip().partition(" ")
            header[name] = _header_value(value.strip(), number)
        elif code not in ("TX", "TC", "TA"):
            raise PatchError(f"line {number}: unknown RDF Patch row {code!r}")
    return header, Change.of(_quads(blocks["A"]), _quads(blocks["D"]))


def read_patch_header(text: str) -> dict[str, str]:
    """The header rows of an RDF Patch, read up to its first other row. Raises PatchError."""
    header: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        code, _, rest = line.partition(" ")
        if code != "H":
            break
        name, _, value = rest.strip().removesuffix(".").strip().partition(" ")
        header[name] = _header_value(value.strip(), number)
    return header


def _quad_text(quad: ox.Quad) -> str:
    graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else f" {quad.graph_name}"
    return f"{quad.subject} {quad.predicate} {quad.object}{graph}"


def _quads(rows: list[str]) -> list[ox.Quad]:
    if not rows:
        return []
    data = "\n".join(rows).encode("utf-8")
    try:
        return stored_quads(data)
    except SyntaxError as error:
        raise PatchError(f"a quad row is not N-Quads: {error}") from error


def stored_quads(data: bytes) -> list[ox.Quad]:
    """The quads of N-Quads that kgapi stored (a version's rows, a snapshot). Writes took
    strings with a base direction (RDF 1.2) until 1 December 2026, when they were refused as
    the graph, RDF 1.1, cannot hold them: such a string is read in its language alone, as the
    default graph served it then. Raises SyntaxError."""
    return [_as_held(quad) for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS)]


def _as_held(quad: ox.Quad) -> ox.Quad:
    value = quad.object
    if not isinstance(value, ox.Literal) or value.direction is None:
        return quad
    plain = ox.Literal(value.value, language=value.language)
    return ox.Quad(quad.subject, quad.predicate, plain, quad.graph_name)


def _header_value(value: str, number: int) -> str:
    try:
        found = next(
            iter(ox.parse(f"<urn:h> <urn:h> {value} .".encode(), format=ox.RdfFormat.N_TRIPLES))
        )
    except (SyntaxError, StopIteration) as error:
        raise PatchError(f"line {number}: header value {value!r} is not an RDF term") from error
    return str(found.object.value)
