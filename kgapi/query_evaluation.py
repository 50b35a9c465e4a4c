"""Evaluate one SPARQL query against the query store and serialize its answer.

Plain Python over pyoxigraph, no HTTP: the web layer chooses the dataset and media types and maps
the exceptions below to statuses. SELECT results are serialized here rather than by pyoxigraph
because the row cap has to count the rows before anything is written.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kgapi.query_store import QueryStore
from kgapi.sparql_text import read_query_text

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RESULTS_JSON = "application/sparql-results+json"
RESULTS_XML = "application/sparql-results+xml"
RESULTS_CSV = "text/csv"
RESULTS_TSV = "text/tab-separated-values"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
T = TypeVar("T")
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


class QuerySyntaxError(ValueError):
    """The engine could not parse the query; the message gives the line:column of the error."""


class InvalidGraphName(ValueError):
    """A `default-graph-uri` or `named-graph-uri` that is not an absolute IRI."""


class TooManyResults(Exception):
    """The answer has more rows (or triples) than the configured cap."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(limit)


@dataclass(frozen=True)
class QueryJob:
    """One query to run, with its dataset and the media types its answer may be written in.

    `default_graphs`/`named_graphs` None mean the service's own dataset; `results_media_type` is
    used for SELECT and ASK, `graph_media_type` for CONSTRUCT and DESCRIBE.
    """

    text: str
    results_media_type: str
    graph_media_type: str
    max_rows: int
    base_iri: str | None = None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    inference: bool = True


@dataclass(frozen=True)
class QueryAnswer:
    """A serialized answer: `kind` is "results", "boolean" or "graph"; `rows` counts its items."""

    kind: str
    media_type: str
    body: bytes
    rows: int


def evaluate(query_store: QueryStore, job: QueryJob) -> QueryAnswer:
    """Run `job` and serialize the answer.

    Raises QuerySyntaxError for a query the engine cannot parse, TooManyResults past `max_rows`.
    The caller decides whether SERVICE may run (see kgapi.sparql_text); this function does not.
    """
    default, named = _dataset_of(query_store, job)
    try:
        result = query_store.store.query(
            job.text, base_iri=job.base_iri, default_graph=default, named_graphs=named
        )
    except SyntaxError as error:
        raise QuerySyntaxError(str(error.msg or error)) from error
    if isinstance(result, ox.QueryBoolean):
        results_format = ox.QueryResultsFormat.from_media_type(job.results_media_type)
        if results_format is None:
            raise ValueError(f"no SPARQL results format for {job.results_media_type}")
        output = result.serialize(format=results_format)
        return QueryAnswer("boolean", job.results_media_type, output or b"", 1)
    if isinstance(result, ox.QuerySolutions):
        variables = [variable.value for variable in result.variables]
        rows = [[solution[name] for name in variables] for solution in _capped(result, job)]
        body = _write_solutions(job.results_media_type, variables, rows)
        return QueryAnswer("results", job.results_media_type, body, len(rows))
    triples = _capped(result, job)
    graph_format = ox.RdfFormat.from_media_type(job.graph_media_type)
    if graph_format is None:
        raise ValueError(f"no RDF format for {job.graph_media_type}")
    # Dataset formats (N-Quads, TriG) write triples into the default graph.
    body = ox.serialize(triples, format=graph_format, prefixes=query_store.prefixes) or b""
    return QueryAnswer("graph", job.graph_media_type, body, len(triples))


def _dataset_of(
    query_store: QueryStore, job: QueryJob
) -> tuple[list[GraphName] | None, list[ox.NamedNode | ox.BlankNode] | None]:
    """The default and named graphs to pass to the engine (None: the engine's choice)."""
    if job.default_graphs is None and job.named_graphs is None:
        if read_query_text(job.text).declares_dataset:
            return None, None  # the query's FROM / FROM NAMED define the dataset
        implicit = query_store.default_graphs(inference=job.inference)
        return (None if implicit is None else list(implicit)), None
    # SPARQL Protocol §2.1.4: given either parameter, the dataset is exactly what they name, so
    # named-graph-uri alone leaves the default graph empty.
    default: list[GraphName] = [_graph_name(iri) for iri in job.default_graphs or ()]
    named: list[ox.NamedNode | ox.BlankNode] = [_graph_name(iri) for iri in job.named_graphs or ()]
    return default, (named if job.named_graphs is not None else [])


def _graph_name(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as error:
        raise InvalidGraphName(iri) from error


def _capped(items: Iterable[T], job: QueryJob) -> list[T]:
    # Stop reading at one past the cap: a runaway answer is never held in memory whole.
    taken = list(itertools.islice(items, job.max_rows + 1))
    if len(taken) > job.max_rows:
        raise TooManyResults(job.max_rows)
    return taken


def _write_solutions(media_type: str, variables: list[str], rows: list[list[Term | None]]) -> bytes:
    if media_type == RESULTS_JSON:
        return _json_results(variables, rows)
    if media_type == RESULTS_XML:
        return _xml_results(variables, rows)
    if media_type == RESULTS_CSV:
        return _csv_results(variables, rows)
    if media_type == RESULTS_TSV:
        return _tsv_results(variables, rows)
    raise ValueError(f"no SPARQL results writer for {media_type}")


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        literal: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            literal["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            literal["datatype"] = term.datatype.value
        return literal
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _json_results(variables: list[str], rows: list[list[Term | None]]) -> bytes:
    bindings = [
        {name: _json_term(term) for name, term in zip(variables, row, strict=True) if term}
        for row in rows
    ]
    document = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            datatype = quoteattr(term.datatype.value)
            return f"<literal datatype={datatype}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    parts = "".join(
        f"<{part}>{_xml_term(getattr(term, part))}</{part}>"
        for part in ("subject", "predicate", "object")
    )
    return f"<triple>{parts}</triple>"


def _xml_results(variables: list[str], rows: list[list[Term | None]]) -> bytes:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    out.extend(f"<variable name={quoteattr(name)}/>" for name in variables)
    out.append("</head><results>")
    for row in rows:
        out.append("<result>")
        out.extend(
            f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>"
            for name, term in zip(variables, row, strict=True)
            if term
        )
        out.append("</result>")
    out.append("</results></sparql>\n")
    return "".join(out).encode()


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def _csv_results(variables: list[str], rows: list[list[Term | None]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180, as SPARQL CSV requires
    writer.writerow(variables)
    writer.writerows([_csv_value(term) for term in row] for row in rows)
    return buffer.getvalue().encode()


def _tsv_results(variables: list[str], rows: list[list[Term | None]]) -> bytes:
    # TSV writes terms in Turtle/N-Triples syntax, which pyoxigraph's str() already produces
    # (newlines and tabs inside literals are escaped there).
    lines = ["\t".join(f"?{name}" for name in variables)]
    lines.extend("\t".join("" if term is None else str(term) for term in row) for row in rows)
    return ("\n".join(lines) + "\n").encode()
