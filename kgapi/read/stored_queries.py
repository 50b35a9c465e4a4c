"""Stored SPARQL queries: `queries/<name>.rq` files with a `#+` metadata header, run with bindings.

The header (documented in queries/README.md) gives a summary, a description, tags and typed
parameters with defaults. A run is a QueryJob for the one SPARQL engine (pyoxigraph), the same
path `/sparql` takes, with the parameters bound as RDF terms through pyoxigraph's
`substitutions` (SEP-0007), so a parameter's text never becomes query text (grlc's open
injection bug, CLARIAH/grlc#101, is the warning). Values are validated by type first; a wrong
value raises ParameterError naming the parameter and saying why. Loading checks each query's
syntax with the engine's parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Literal, URIRef, Variable
from rdflib.term import Node

from kgapi.graph.terms import oxigraph_term
from kgapi.parameters import parse_boolean, parse_integer
from kgapi.read.labels import LANGUAGE_TAG_PATTERN, reader_language
from kgapi.read.names import NameIndex, NameResolutionError
from kgapi.settings import CANONICAL_BASE_IRI
from kgapi.sparql.evaluation import QueryJob
from kgapi.sparql.text import read_query_text

PARAMETER_TYPES: dict[str, str] = {
    "entity": "a name of a term of the graph: IRI, prefixed name, slug, or en/zh label or alias",
    "iri": "an absolute IRI or a prefixed name",
    "string": "any text (bound as a plain literal)",
    "integer": "a whole number",
    "boolean": "true or false",
    "language": "a language tag such as en or zh",
}
RESERVED_NAMES = frozenset({"format"})  # taken by content negotiation on the HTTP side
MAX_STRING_LENGTH = 1000
_HEADER = re.compile(r"^#\+\s?(.*)$")
_FIELD = re.compile(r"^(summary|description|tags|param)\b\s*(.*)$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?P<type>[a-z]+)(?P<optional>\?)?"
    r"(?:\s*=\s*(?P<default>.+?))?\s*$"
)
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")
_LANGUAGE = re.compile(LANGUAGE_TAG_PATTERN)


class QueryFileError(ValueError):
    """A stored query file is malformed; names the file and, when known, the line."""

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path.name}:{line}" if line is not None else path.name
        super().__init__(f"{where}: {message}")


class ParameterError(ValueError):
    """A parameter value is missing, unknown or of the wrong type; `parameter` names it."""

    def __init__(self, parameter: str, reason: str) -> None:
        self.parameter = parameter
        self.reason = reason
        super().__init__(f"parameter {parameter!r}: {reason}")


class ParameterNameError(ParameterError):
    """An `entity` parameter names no term, or several; `resolution` carries the candidates."""

    def __init__(self, parameter: str, resolution: NameResolutionError) -> None:
        self.resolution = resolution
        super().__init__(parameter, str(resolution))


@dataclass(frozen=True)
class Parameter:
    """A typed query parameter, bound to the query variable of the same name."""

    name: str
    type: str
    description: str = ""
    default: str | None = None
    required: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "description": self.description,
            "default": self.default,
            "required": self.required,
        }


@dataclass(frozen=True)
class StoredQuery:
    """One query file, its syntax checked. `form` is SELECT, ASK, CONSTRUCT or DESCRIBE."""

    name: str
    path: Path
    summary: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    text: str
    form: str
    namespaces: Mapping[str, str] = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "summary": self.summary,
            "description": self.description,
            "tags": list(self.tags),
            "form": self.form,
            "parameters": [parameter.to_dict() for parameter in self.parameters],
            "query": self.text,
        }

    def bind(
        self,
        values: Mapping[str, str],
        *,
        resolve: Callable[[str], URIRef],
        namespaces: Mapping[str, str],
    ) -> dict[Variable, Node]:
        """Typed RDF terms for `values` (defaults filled in); raises ParameterError.

        `resolve` turns an entity name into its IRI (NameIndex.resolve); `namespaces` expands
        prefixed names given to `iri` parameters. Unknown parameter names are errors too.
        """
        known = {parameter.name for parameter in self.parameters}
        for name in values:
            if name not in known:
                offered = ", ".join(sorted(known)) or "none"
                raise ParameterError(
                    name, f"{self.name} has no such parameter (it takes: {offered})"
                )
        bindings: dict[Variable, Node] = {}
        for parameter in self.parameters:
            raw = values.get(parameter.name)
            if raw is None:
                raw = parameter.default
            if raw is None:
                if parameter.required:
                    raise ParameterError(parameter.name, "is required")
                continue
            bindings[Variable(parameter.name)] = convert(
                parameter, raw, resolve=resolve, namespaces=namespaces
            )
        return bindings

    def job(
        self,
        bindings: Mapping[Variable, Node],
        *,
        results_media_type: str,
        graph_media_type: str,
        max_rows: int,
    ) -> QueryJob:
        """The query with `bindings` (from `bind`) substituted, as a job for the engine."""
        return QueryJob(
            text=self.text,
            results_media_type=results_media_type,
            graph_media_type=graph_media_type,
            max_rows=max_rows,
            predeclared_prefixes=True,
            substitutions=tuple(
                (str(variable), oxigraph_term(term)) for variable, term in bindings.items()
            ),
        )


def convert(
    parameter: Parameter,
    raw: str,
    *,
    resolve: Callable[[str], URIRef],
    namespaces: Mapping[str, str],
) -> Node:
    """The RDF term for one parameter value; raises ParameterError saying why it is wrong."""
    name, kind = parameter.name, parameter.type
    if not raw.strip():
        raise ParameterError(name, "is empty; give a value or leave the parameter out")
    if kind == "entity":
        try:
            return resolve(raw)
        except NameResolutionError as error:
            raise ParameterNameError(name, error) from error
    if kind == "iri":
        text = raw.strip()
        prefix, colon, local = text.partition(":")
        if colon and prefix in namespaces and not local.startswith("//"):
            text = namespaces[prefix] + local
        if not _IRI.match(text):
            raise ParameterError(name, f"expected an absolute IRI or a prefixed name, got {raw!r}")
        return URIRef(text)
    if kind == "integer":
        try:
            return Literal(parse_integer(raw))
        except ValueError as error:
            raise ParameterError(name, f"{error}, got {raw!r}") from error
    if kind == "boolean":
        try:
            return Literal(parse_boolean(raw))
        except ValueError as error:
            raise ParameterError(name, f"{error}, got {raw!r}") from error
    if kind == "language":
        tag = raw.strip()
        if not _LANGUAGE.match(tag):
            raise ParameterError(name, f"expected a language tag such as en or zh, got {raw!r}")
        # The graph's languages as `lang=` reads them (zh-CN is zh: the labels are tagged zh);
        # another tag as given, which labels of a user graph may carry.
        return Literal(reader_language(tag) or tag.lower())
    if len(raw) > MAX_STRING_LENGTH:
        raise ParameterError(name, f"longer than {MAX_STRING_LENGTH} characters")
    return Literal(raw)


def load_stored_queries(
    directory: Path, *, namespaces: Mapping[str, str], base_iri: str = CANONICAL_BASE_IRI
) -> dict[str, StoredQuery]:
    """Parse and prepare every `*.rq` in `directory`, by name (the file stem), sorted.

    `namespaces` are offered to every query as predeclared prefixes; the files are written
    against the canonical base IRI and rebased onto `base_iri` like the ontology.
    Raises QueryFileError
    for a malformed header, an unknown parameter type, a parameter the query does not use, or
    a query the engine cannot parse.
    """
    if not directory.is_dir():
        raise QueryFileError(directory, "stored-query directory does not exist")
    queries = [
        parse_query_file(path, namespaces=namespaces, base_iri=base_iri)
        for path in sorted(directory.glob("*.rq"))
    ]
    return {query.name: query for query in queries}


def parse_query_file(
    path: Path, *, namespaces: Mapping[str, str], base_iri: str = CANONICAL_BASE_IRI
) -> StoredQuery:
    """Read one query file: its header and its checked query (see load_stored_queries)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise QueryFileError(path, f"cannot read: {error}") from error
    if base_iri != CANONICAL_BASE_IRI:
        text = text.replace(CANONICAL_BASE_IRI, base_iri)
    header = _parse_header(path, text.splitlines())
    if not header.get("summary"):
        raise QueryFileError(path, "the header has no '#+ summary:'")
    parameters = tuple(header.get("parameters", ()))
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#+"))
    for parameter in parameters:
        if not re.search(rf"[?$]{parameter.name}\b", body):
            raise QueryFileError(
                path, f"parameter {parameter.name!r} is not a variable of the query"
            )
    try:
        # Parsed, not evaluated: the answer of an empty store is lazy and never read.
        ox.Store().query(text, prefixes=dict(namespaces))
    except SyntaxError as error:
        raise QueryFileError(path, f"SPARQL syntax {error.msg}") from error
    for parameter in parameters:
        # Substitution (SEP-0007) binds only variables a SELECT projects: checked by the engine.
        try:
            ox.Store().query(
                text,
                prefixes=dict(namespaces),
                substitutions={ox.Variable(parameter.name): ox.Literal("")},
            )
        except RuntimeError as error:
            raise QueryFileError(
                path, f"parameter {parameter.name!r} must be projected by the SELECT: {error}"
            ) from error
    form = read_query_text(text).form
    if form is None:  # not for a text pyoxigraph parsed as a query; keeps `form` a str
        raise QueryFileError(path, "not a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)")
    return StoredQuery(
        name=path.stem,
        path=path,
        summary=str(header["summary"]),
        description=str(header.get("description", "")),
        tags=tuple(header.get("tags", ())),
        parameters=parameters,
        text=text,
        form=form,
        namespaces=dict(namespaces),
    )


def _parse_header(path: Path, lines: Iterable[str]) -> dict[str, Any]:
    """Fields of the `#+` lines; a line indented past `#+ ` continues the field above it."""
    header: dict[str, Any] = {}
    current: list[str] | None = None  # the text being continued
    parameters: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        match = _HEADER.match(line)
        if match is None:
            continue
        content = match.group(1)
        if content.startswith((" ", "\t")) or not content.strip():
            if current is None:
                raise QueryFileError(path, "continuation line with nothing to continue", number)
            current.append(content.strip())
            continue
        field_match = _FIELD.match(content)
        if field_match is None:
            raise QueryFileError(
                path,
                f"unknown header field {content.split(':')[0]!r} (summary, description, "
                "tags, param)",
                number,
            )
        key, rest = field_match.groups()
        if key == "param":
            parameters.append(_parse_parameter(path, rest, number))
            current = parameters[-1]["description"]
        else:
            value = rest.removeprefix(":").strip()
            header[key] = [value] if value else []
            current = header[key]
    for key in ("summary", "description"):
        if key in header:
            header[key] = " ".join(header[key])
    if "tags" in header:
        header["tags"] = [tag.strip() for tag in " ".join(header["tags"]).split(",") if tag.strip()]
    header["parameters"] = [
        Parameter(
            name=p["name"],
            type=p["type"],
            description=" ".join(p["description"]),
            default=p["default"],
            required=p["required"],
        )
        for p in parameters
    ]
    names = [p.name for p in header["parameters"]]
    if len(set(names)) != len(names):
        raise QueryFileError(path, "a parameter is declared twice")
    return header


def _parse_parameter(path: Path, text: str, number: int) -> dict[str, Any]:
    match = _PARAM.match(text)
    if match is None:
        raise QueryFileError(
            path, f"cannot read parameter {text!r}; write 'param NAME: TYPE[?] [= DEFAULT]'", number
        )
    name, kind, default = match.group("name"), match.group("type"), match.group("default")
    if kind not in PARAMETER_TYPES:
        raise QueryFileError(
            path, f"unknown parameter type {kind!r} (one of {', '.join(PARAMETER_TYPES)})", number
        )
    if name in RESERVED_NAMES:
        raise QueryFileError(path, f"the parameter name {name!r} is reserved", number)
    optional = match.group("optional") is not None or default is not None
    return {
        "name": name,
        "type": kind,
        "default": default,
        "required": not optional,
        "description": [],
    }


def resolver(names: NameIndex) -> Callable[[str], URIRef]:
    """The `resolve` argument of StoredQuery.bind for a name index."""
    return names.resolve
