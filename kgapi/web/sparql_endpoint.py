"""`GET, POST /sparql`: the SPARQL 1.1 Protocol query operation, and the service description.

Protocol errors are plain text (400 syntax, 403 refused, 406, 413, 415, 422 too many rows, 503
time limit), each saying what was wrong. The dataset is the knowledge graph's: default graph =
asserted + inferred (`inference=false`: asserted only), named graphs = one per ontology file, the
asserted and inferred graphs, and extra graphs; `default-graph-uri`/`named-graph-uri` override it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, g, redirect, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.sansio.utils import get_current_url

from kgapi.graph.documents import NotWritable, canonical, prefixes_of, triples_of, write_rdf
from kgapi.parameters import parse_boolean
from kgapi.sparql.evaluation import (
    InvalidGraphName,
    QueryJob,
    QueryNotEvaluable,
    QuerySyntaxError,
    RemoteServiceFailed,
    TooManyResults,
)
from kgapi.sparql.executor import QueryTimeout, QueryTooDeep
from kgapi.sparql.reads import keys_text, read_keys
from kgapi.sparql.service_description import describe_service
from kgapi.sparql.text import QueryText, read_query_text
from kgapi.web import delivery
from kgapi.web.intake import body_text
from kgapi.web.negotiation import (
    RDF,
    RESULTS,
    Format,
    NotAcceptable,
    asks_for_page,
    formats_of,
    negotiate,
)
from kgapi.web.problems import plain_text, stopped_query_message
from kgapi.web.state import request_key, services
from kgapi.web.write_api import run_update

blueprint = Blueprint("sparql", __name__)

PATH = "/sparql"
# The asserted triples alone as default graph, at a URL of its own: clients that append
# `?query=` to an endpoint URL (rdflib's SPARQLStore, Comunica) cannot add `inference=false`.
ASSERTED_PATH = "/sparql/asserted"
FORM = "application/x-www-form-urlencoded"
QUERY_MEDIA_TYPE = "application/sparql-query"
UPDATE_MEDIA_TYPE = "application/sparql-update"
RESULT_FORMATS = formats_of(RESULTS)
GRAPH_FORMATS = formats_of(RDF)


class ProtocolError(Exception):
    """A request the protocol refuses; rendered as plain text with `status`."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class ProtocolRequest:
    """A query operation as the protocol defines it, read from GET or either POST encoding."""

    query: str | None
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    inference: bool


@blueprint.errorhandler(ProtocolError)
def render_protocol_error(error: ProtocolError) -> Response:
    return plain_text(error.status, error.message)


@blueprint.errorhandler(NotAcceptable)
def render_not_acceptable(error: NotAcceptable) -> Response:
    offered = ", ".join(item.media_type for item in error.offered)
    return plain_text(406, f"Not Acceptable: cannot answer in {error.asked!r}. Offered: {offered}")


@blueprint.route(PATH, methods=["GET", "POST"])
@blueprint.route(ASSERTED_PATH, methods=["GET", "POST"])
def sparql() -> Response:
    """Answer a query, or describe the service when a GET carries no query."""
    repeated = _answer_repeated_get()
    if repeated is not None:
        return _with_reads(repeated)
    if (
        _is_update_request()
        and request.url_rule is not None
        and request.url_rule.rule == ASSERTED_PATH
    ):
        raise ProtocolError(
            403,
            f"Forbidden: {ASSERTED_PATH} answers queries alone (its service description lists "
            f"SPARQL 1.1 Query); send updates to {PATH} or /update",
        )
    if _is_update_request() and services().live is not None:
        return run_update()
    protocol_request = read_protocol_request()
    if protocol_request.query is None:
        return _editor() if _opened_in_a_browser() else describe()
    return _with_reads(answer(protocol_request))


def _opened_in_a_browser() -> bool:
    """A GET without a query from a browser (its Accept names text/html, preferred to every RDF
    format; no `format=`): a person, who is better served by the query editor than by the
    service description, as Oxigraph's server serves YASGUI at its endpoint."""
    g.kgapi_vary_accept = True
    return (
        request.method in ("GET", "HEAD")
        and _format_parameter() is None
        and asks_for_page(request.headers.get("Accept"), GRAPH_FORMATS)
    )


def _editor() -> Response:
    return redirect(url_for("ui.editor"), code=303)  # type: ignore[return-value]


# With writes on, a GET's answer says what its query reads (kgapi.sparql.reads), for the HTTP
# front, which keeps the answer across the versions that change none of it and drops the
# header before the answer leaves (kgapi.web.front).
READS_HEADER = "Kgapi-Reads"


def _with_reads(response: Response) -> Response:
    query = request.args.get("query")
    return with_reads(response, query) if query is not None else response


def with_reads(response: Response, query: str) -> Response:
    """`response` (to a GET, with writes on) saying which keys the SPARQL `query` reads."""
    if request.method == "GET" and services().live is not None:
        response.headers[READS_HEADER] = keys_text(read_keys(query))
    return response


def _is_update_request() -> bool:
    """A POST carrying an update operation (the protocol's two encodings of one)."""
    if request.method != "POST":
        return False
    return request.mimetype == UPDATE_MEDIA_TYPE or (
        request.mimetype == FORM and "update" in request.form
    )


def read_protocol_request() -> ProtocolRequest:
    """Read the operation from the request; raises ProtocolError for what the protocol forbids."""
    if request.method in ("GET", "HEAD"):  # HEAD: a GET whose body is not sent
        parameters = request.args
        queries = parameters.getlist("query")
    else:
        if request.mimetype == FORM:
            parameters = MultiDict(
                [*request.args.items(multi=True), *request.form.items(multi=True)]
            )
            queries = request.form.getlist("query")
        elif request.mimetype == QUERY_MEDIA_TYPE:
            parameters = request.args
            queries = [body_text("the query")]
        elif request.mimetype == UPDATE_MEDIA_TYPE:
            raise _update_refused()
        else:
            given = request.mimetype or "no Content-Type"
            raise ProtocolError(
                415,
                f"Unsupported Media Type {given!r}: POST a query as {FORM} or {QUERY_MEDIA_TYPE}",
            )
    if "update" in parameters:
        raise _update_refused()
    if len(queries) > 1:
        raise ProtocolError(
            400, f"Bad Request: {len(queries)} 'query' parameters; send exactly one"
        )
    if not queries and request.method == "POST":
        raise ProtocolError(400, "Bad Request: no 'query' parameter")
    default_inference = "false" if request.path == ASSERTED_PATH else "true"
    given = parameters.get("inference", default_inference)
    try:
        inference = parse_boolean(given)
    except ValueError as error:
        raise ProtocolError(400, f"Bad Request: inference: {error}, not {given!r}") from error
    default_graphs = tuple(parameters.getlist("default-graph-uri"))
    named_graphs = tuple(parameters.getlist("named-graph-uri"))
    for iri in (*default_graphs, *named_graphs):
        try:
            ox.NamedNode(iri)
        except ValueError as error:
            raise ProtocolError(
                400, f"Bad Request: graph name {iri!r} is not an absolute IRI"
            ) from error
    return ProtocolRequest(
        query=queries[0] if queries else None,
        default_graphs=default_graphs or None,
        named_graphs=named_graphs or None,
        inference=inference,
    )


def answer(protocol_request: ProtocolRequest) -> Response:
    """Check, negotiate, then serve from the response cache or run the query."""
    state = services()
    assert protocol_request.query is not None
    text = read_query_text(protocol_request.query)
    if text.is_update:
        raise _update_refused()
    if text.uses_service and not state.settings.allow_service:
        raise ProtocolError(
            403,
            "Forbidden: SERVICE (federated query) is turned off on this server, so the query was "
            "not run and no outbound request was made (setting allow_service)",
        )
    results_format, graph_format = _negotiate_for(text)
    job = QueryJob(
        text=protocol_request.query,
        results_media_type=results_format.media_type,
        graph_media_type=graph_format.media_type,
        max_rows=state.settings.max_result_rows,
        base_iri=_base_iri(),
        default_graphs=protocol_request.default_graphs,
        named_graphs=protocol_request.named_graphs,
        inference=protocol_request.inference,
    )
    etag = delivery.entity_tag(state.query_store.version, job)
    if delivery.not_modified((etag, delivery.gzip_variant(etag))):
        return delivery.respond(delivery.Representation(b"", "", etag))
    cached = state.cache.get(etag)
    metrics = current_app.extensions.get("kgapi.metrics")
    if cached is not None:
        if metrics is not None:
            metrics.cache_lookups.labels("hit").inc()
        return delivery.respond(cached)
    if metrics is not None:
        metrics.cache_lookups.labels("miss").inc()
    try:
        result = state.executor.run(job)
    except QuerySyntaxError as error:
        raise ProtocolError(400, f"Bad Request: query syntax {error}") from error
    except QueryNotEvaluable as error:
        raise ProtocolError(400, f"Bad Request: the query cannot be evaluated: {error}") from error
    except RemoteServiceFailed as error:
        raise ProtocolError(
            502, f"Bad Gateway: a SERVICE the query calls failed: {error}"
        ) from error
    except InvalidGraphName as error:
        raise ProtocolError(
            400, f"Bad Request: graph name {error} is not an absolute IRI"
        ) from error
    except TooManyResults as error:
        raise ProtocolError(
            422,
            f"Unprocessable: the answer has more than max_result_rows ({error.limit}) rows or "
            "triples; narrow the query or add a LIMIT",
        ) from error
    except QueryTooDeep as error:
        raise ProtocolError(
            400, f"Bad Request: {error}; it nests too deeply (brackets, operators, calls)"
        ) from error
    except NotWritable as error:
        raise ProtocolError(406, f"Not Acceptable: {error}; {_other_formats(job, text)}") from error
    except QueryTimeout as error:
        if metrics is not None:
            metrics.query_timeouts.inc()
        raise _stopped(error.seconds) from error
    representation = delivery.Representation(result.body, _content_type(result.media_type), etag)
    state.cache.put(etag, representation, len(result.body))
    if request.method == "GET":
        state.cache.put(_get_key(), representation, len(result.body))
    return delivery.respond(representation)


def _base_iri() -> str:
    """The query's base IRI: the endpoint's URL, as Oxigraph's server takes it (werkzeug's
    `base_url`). Made once per address: writing a URL as an IRI cost a twentieth of answering a
    small query."""
    return _url_of(request.scheme, request.host, request.root_path, request.path)


@functools.lru_cache(maxsize=64)
def _url_of(scheme: str, host: str, root_path: str, path: str) -> str:
    return get_current_url(scheme, host, root_path, path)


def _other_formats(job: QueryJob, text: QueryText) -> str:
    """The formats of the query's form other than the one that could not hold its answer."""
    if text.form in ("SELECT", "ASK"):
        offered, refused = RESULT_FORMATS, job.results_media_type
    else:
        offered, refused = GRAPH_FORMATS, job.graph_media_type
    return "ask for one of " + ", ".join(f.media_type for f in offered if f.media_type != refused)


def _stopped(seconds: float) -> ProtocolError:
    return ProtocolError(503, stopped_query_message(seconds))


def _get_key() -> str:
    """What a GET's answer depends on: its URL (which also gives the query's base IRI) and
    Accept. Never a quoted ETag, so no clash."""
    return request_key(request.environ, ("HTTP_ACCEPT",))


def _answer_repeated_get() -> Response | None:
    """A GET seen before with the same URL and Accept, answered from the cache without reading,
    negotiating or hashing it again; None when it was not seen (or its answer was evicted).

    Only answers that were served (200) are remembered, so every refusal is decided afresh.
    """
    if request.method != "GET":
        return None
    cached = services().cache.get(_get_key())
    if cached is None:
        return None
    metrics = current_app.extensions.get("kgapi.metrics")
    if metrics is not None:
        metrics.cache_lookups.labels("hit").inc()
    return delivery.respond(cached)


def describe() -> Response:
    """The service description, in the RDF format the client prefers."""
    state = services()
    chosen = _choose(request.headers.get("Accept"), GRAPH_FORMATS, _format_parameter(), strict=True)
    endpoint = request.base_url
    etag = delivery.entity_tag(state.query_store.version, "service-description", endpoint, chosen)
    cached = state.cache.get(etag)
    if cached is None:
        graph = describe_service(
            state.query_store,
            endpoint=endpoint,
            result_media_types=[item.media_type for item in (*RESULT_FORMATS, *GRAPH_FORMATS)],
            allow_service=state.settings.allow_service,
            inference=request.path != ASSERTED_PATH,
            asserted_endpoint=request.url_root.rstrip("/") + ASSERTED_PATH,
            update_endpoint=request.url_root.rstrip("/") + "/update"
            if state.settings.writes and request.path != ASSERTED_PATH
            else None,
        )
        body = write_rdf(canonical(triples_of(graph)), chosen.media_type, prefixes_of(graph))
        cached = delivery.Representation(body, _content_type(chosen.media_type), etag)
        state.cache.put(etag, cached, len(body))
    return delivery.respond(cached)


def _negotiate_for(text: QueryText) -> tuple[Format, Format]:
    """(results format, graph format); only the one the query's form needs may raise 406."""
    accept, requested = request.headers.get("Accept"), _format_parameter()
    strict_results = text.form in ("SELECT", "ASK")
    strict_graph = text.form in ("CONSTRUCT", "DESCRIBE")
    return (
        _choose(accept, RESULT_FORMATS, requested, strict=strict_results),
        _choose(accept, GRAPH_FORMATS, requested, strict=strict_graph),
    )


def _choose(
    accept: str | None, offered: tuple[Format, ...], requested: str | None, *, strict: bool
) -> Format:
    try:
        if requested:
            try:
                return negotiate(accept, offered, requested=requested)
            except NotAcceptable:
                pass  # a word naming none of these formats: Accept decides, as on Fuseki
        return negotiate(accept, offered)
    except NotAcceptable:
        if strict:
            raise
        return offered[0]


# Parameters clients use to name the answer's format (Fuseki reads all four), first given wins.
FORMAT_PARAMETERS = ("format", "output", "results", "force-accept")


def _format_parameter() -> str | None:
    parameters = request.values if request.mimetype == FORM else request.args
    # `in` first: werkzeug's `get` of a missing name raises and catches an exception inside,
    # which for four names cost more than the rest of choosing the format.
    given = (parameters[name] for name in FORMAT_PARAMETERS if name in parameters)
    return next((value for value in given if value), None)


def _content_type(media_type: str) -> str:
    """Every answer is UTF-8 text (results and RDF alike), and says so."""
    return f"{media_type}; charset=utf-8"


def _update_refused() -> ProtocolError:
    return ProtocolError(
        403,
        "Forbidden: SPARQL Update is turned off on this server (setting writes); this endpoint "
        "is read-only (query only)",
    )
