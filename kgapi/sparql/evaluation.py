"""Evaluate one SPARQL query against the query store and serialize its answer.

Plain Python over pyoxigraph, no HTTP: the web layer chooses the dataset and media types and maps
the exceptions below to statuses. Answers are written by pyoxigraph's own serializers (SELECT
results and N-Triples/N-Quads graphs) into a bounded buffer, and the row cap is checked on the
written bytes: each format has a cheap count that is exact or an upper bound. Only when that count
passes the cap, or the buffer its budget, is the query run again and read row by row in Python, up
to one row past the cap, so a runaway answer is never held in memory whole. Python writes what
pyoxigraph cannot: Turtle and the other graph formats with the store's prefixes, and the one-column
CSV whose empty rows pyoxigraph would write as blank lines.
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

from kgapi.graph.documents import check_xml, write_rdf
from kgapi.sparql.store import QueryStore
from kgapi.sparql.text import read_query_text

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RESULTS_JSON = "application/sparql-results+json"
RESULTS_XML = "application/sparql-results+xml"
RESULTS_CSV = "text/csv"
RESULTS_TSV = "text/tab-separated-values"
N_TRIPLES = "application/n-triples"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
T = TypeVar("T")
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
# Native answers are written into memory up to this size; larger ones are read row by row.
NATIVE_BUDGET_BYTES = 8 << 20
# Graph formats with one triple a line, whose size the row cap can be checked on.
LINE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)


class QuerySyntaxError(ValueError):
    """The engine could not parse the query; the message gives the line:column of the error."""


class QueryNotEvaluable(ValueError):
    """The engine parsed the query but cannot evaluate it as written: it calls a function the
    engine does not have (any IRI parses as a function call), say."""


class RemoteServiceFailed(Exception):
    """A SERVICE the query calls could not be reached, or answered with an error or with no
    SPARQL results (with SERVICE allowed; SERVICE SILENT ignores such failures)."""


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
    predeclared_prefixes: bool = False  # the store's prefixes, usable without PREFIX lines
    substitutions: tuple[tuple[str, Term], ...] = ()  # variables bound to terms (SEP-0007)


@dataclass(frozen=True)
class QueryAnswer:
    """A serialized answer: `kind` is "results", "boolean" or "graph".

    `rows` counts its items; for SELECT in JSON or CSV it may be an upper bound (a literal that
    contains the row separator counts twice).
    """

    kind: str
    media_type: str
    body: bytes
    rows: int


def evaluate(query_store: QueryStore, job: QueryJob) -> QueryAnswer:
    """Run `job` and serialize the answer.

    Raises QuerySyntaxError for a query the engine cannot parse, QueryNotEvaluable for one it
    cannot evaluate, RemoteServiceFailed when a SERVICE it calls fails, TooManyResults past
    `max_rows`, NotWritable for an answer its format cannot hold. The caller decides whether
    SERVICE may run (see kgapi.sparql.text); this function does not.
    """
    try:
        return _evaluate(query_store, job)
    except (OSError, RuntimeError) as error:  # pyoxigraph's errors of evaluation
        # A remote endpoint's failure is an OSError (unreachable, an HTTP error) or, for an
        # answer that is no SPARQL results, a RuntimeError; the in-memory store raises neither.
        if read_query_text(job.text).uses_service:
            raise RemoteServiceFailed(str(error)) from error
        if isinstance(error, RuntimeError):
            raise QueryNotEvaluable(str(error)) from error
        raise


def _evaluate(query_store: QueryStore, job: QueryJob) -> QueryAnswer:
    result = _run(query_store, job)
    if isinstance(result, ox.QueryBoolean):
        output = result.serialize(format=_results_format(job.results_media_type))
        return QueryAnswer("boolean", job.results_media_type, output or b"", 1)
    if isinstance(result, ox.QuerySolutions):
        variables = [variable.value for variable in result.variables]
        if job.results_media_type != RESULTS_CSV or len(variables) != 1:
            results_format = _results_format(job.results_media_type)
            body = _native(result, results_format)
            if body is not None:
                count = _count_solutions(job.results_media_type, body)
                if count <= job.max_rows:
                    return QueryAnswer(
                        "results", job.results_media_type, _holdable(job, body), count
                    )
            result = _run(query_store, job)  # read again, row by row, to find the exact count
            assert isinstance(result, ox.QuerySolutions)
        rows = [[solution[name] for name in variables] for solution in _capped(result, job)]
        body = _write_solutions(job.results_media_type, variables, rows)
        return QueryAnswer("results", job.results_media_type, _holdable(job, body), len(rows))
    graph_format = ox.RdfFormat.from_media_type(job.graph_media_type)
    if graph_format is None:
        raise ValueError(f"no RDF format for {job.graph_media_type}")
    if graph_format in LINE_FORMATS:
        body = _native(result, graph_format)
        if body is not None:
            count = body.count(b"\n")  # one triple a line; newlines in literals are escaped
            if count <= job.max_rows:
                return QueryAnswer("graph", job.graph_media_type, body, count)
        result = _run(query_store, job)
        assert isinstance(result, ox.QueryTriples)
    triples = _capped(result, job)
    # Dataset formats (N-Quads, TriG) write triples into the default graph.
    body = write_rdf(triples, job.graph_media_type, query_store.prefixes)
    return QueryAnswer("graph", job.graph_media_type, body, len(triples))


def _holdable(job: QueryJob, body: bytes) -> bytes:
    """`body`, if its format can hold it: XML cannot hold some characters (check_xml)."""
    return check_xml(body, "SPARQL XML results") if job.results_media_type == RESULTS_XML else body


def _run(
    query_store: QueryStore, job: QueryJob
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    store, default, named = _dataset_of(query_store, job)
    try:
        return store.query(
            job.text,
            base_iri=job.base_iri,
            prefixes=query_store.prefixes if job.predeclared_prefixes else None,
            default_graph=default,
            named_graphs=named,
            substitutions={ox.Variable(name): term for name, term in job.substitutions} or None,
        )
    except SyntaxError as error:
        raise QuerySyntaxError(str(error.msg or error)) from error


def _results_format(media_type: str) -> ox.QueryResultsFormat:
    results_format = ox.QueryResultsFormat.from_media_type(media_type)
    if results_format is None:
        raise ValueError(f"no SPARQL results format for {media_type}")
    return results_format


class _OverBudget(Exception):
    """The native serializer wrote more than NATIVE_BUDGET_BYTES."""


class _BoundedBuffer:
    """A binary writer for pyoxigraph's serializers that refuses to grow past `budget` bytes."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.budget:
            raise _OverBudget
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def _native(
    result: ox.QuerySolutions | ox.QueryTriples, output_format: ox.QueryResultsFormat | ox.RdfFormat
) -> bytes | None:
    """`result` written by pyoxigraph, or None if it is larger than NATIVE_BUDGET_BYTES."""
    buffer = _BoundedBuffer(NATIVE_BUDGET_BYTES)
    try:
        result.serialize(buffer, format=output_format)  # type: ignore[arg-type]
    except _OverBudget:
        return None
    return b"".join(buffer.parts)


def _count_solutions(media_type: str, body: bytes) -> int:
    """The rows of a serialized SELECT answer: exact for XML and TSV, an upper bound otherwise."""
    if media_type == RESULTS_JSON:
        # Rows are objects separated by `},{`, which elsewhere can only occur inside a string.
        return 0 if body.endswith(b'"bindings":[]}}') else body.count(b"},{") + 1
    if media_type == RESULTS_XML:
        return body.count(b"<result>")  # a `<` in text is written `&lt;`
    if media_type == RESULTS_TSV:
        return body.count(b"\n") - 1  # the header line; newlines in terms are escaped
    return body.count(b"\r\n") - 1  # CSV: the header line; a quoted field may hold CRLF too


def _dataset_of(
    query_store: QueryStore, job: QueryJob
) -> tuple[ox.Store, list[GraphName] | None, list[ox.NamedNode | ox.BlankNode] | None]:
    """The store to ask, and the default and named graphs to pass to the engine (None: the
    engine's choice)."""
    store = query_store.store
    if job.default_graphs is None and job.named_graphs is None:
        text = read_query_text(job.text)
        if text.declares_dataset:
            return store, None, None  # the query's FROM / FROM NAMED define the dataset
        implicit = query_store.default_graphs(inference=job.inference)
        if implicit is None and not text.names_graphs:
            return query_store.default_store, None, None  # it reads the default graph alone
        return store, (None if implicit is None else list(implicit)), None
    # SPARQL Protocol §2.1.4: given either parameter, the dataset is exactly what they name, so
    # named-graph-uri alone leaves the default graph empty.
    default: list[GraphName] = [_graph_name(iri) for iri in job.default_graphs or ()]
    named: list[ox.NamedNode | ox.BlankNode] = [_graph_name(iri) for iri in job.named_graphs or ()]
    return store, default, (named if job.named_graphs is not None else [])


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
    out = ['<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
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
    out.append("</results></sparql>")
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
