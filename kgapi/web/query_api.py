"""`GET /api/queries` (the stored queries) and `GET /api/queries/{name}` (run one).

Parameters come from the query string, are typed and validated (400 naming the parameter),
and are substituted as RDF terms, never pasted into the query. A stored query runs as `/sparql`
runs a query: the same engine and executor, time limit, row cap and result writers. Answers are
negotiated like `/sparql`: SPARQL results JSON, XML, CSV or TSV for SELECT and ASK, an RDF
format for CONSTRUCT and DESCRIBE; `format=` overrides Accept. Errors are problem+json.
"""

from __future__ import annotations

import difflib

from flask import Blueprint, Response, url_for
from rdflib import Variable
from rdflib.term import Node

from kgapi.graph.documents import NotWritable
from kgapi.read.stored_queries import StoredQuery
from kgapi.sparql.evaluation import QueryNotEvaluable, QuerySyntaxError, TooManyResults
from kgapi.sparql.executor import QueryTimeout, QueryTooDeep
from kgapi.web import delivery
from kgapi.web.api_common import (
    ApiProblem,
    argument,
    arguments,
    choose,
    json_response,
    lookups,
    register,
)
from kgapi.web.negotiation import RDF, RESULTS, formats_of
from kgapi.web.problems import stopped_detail
from kgapi.web.sparql_endpoint import with_reads
from kgapi.web.state import services

blueprint = register(Blueprint("api_queries", __name__))

RESULT_FORMATS = formats_of(RESULTS)
GRAPH_FORMATS = formats_of(RDF)


@blueprint.get("/api/queries")
def list_queries() -> Response:
    """Every stored query with its summary, tags and typed parameters (`tag=` keeps one tag)."""
    tag = argument("tag")
    queries = [
        {**query.to_dict(), "href": url_for("api_queries.run_query", name=query.name)}
        for query in lookups().queries.values()
        if tag is None or tag in query.tags
    ]
    return json_response({"queries": queries})


@blueprint.get("/api/queries/<name>")
def run_query(name: str) -> Response:
    """Run one stored query with the request's parameters bound as typed RDF terms."""
    found = lookups()
    query = found.queries.get(name)
    if query is None:
        close = difflib.get_close_matches(name, list(found.queries), n=5, cutoff=0.5)
        raise ApiProblem(
            404,
            f"no stored query is named {name!r}",
            slug="unknown-query",
            candidates=[{"name": candidate} for candidate in close],
        )
    values = {key: value for key, value in arguments().items() if key != "format"}
    bindings = query.bind(values, resolve=found.names.resolve, namespaces=found.namespaces)
    # What it reads is the file's patterns (parameters are bound as values, so a parameter in
    # a predicate's place reads everything); its prefixes are the store's, declared here.
    declared = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in query.namespaces.items())
    return with_reads(_answer(query, bindings), declared + query.text)


def _answer(query: StoredQuery, bindings: dict[Variable, Node]) -> Response:
    state = services()
    graph_query = query.form in ("CONSTRUCT", "DESCRIBE")
    chosen = choose(GRAPH_FORMATS if graph_query else RESULT_FORMATS)
    key = sorted((str(variable), term.n3()) for variable, term in bindings.items())
    etag = delivery.entity_tag(state.query_store.version, "stored-query", query.name, key, chosen)
    cached = state.cache.get(etag)
    if cached is None:
        job = query.job(
            bindings,
            results_media_type=chosen.media_type,
            graph_media_type=chosen.media_type,
            max_rows=state.settings.max_result_rows,
        )
        try:
            answer = state.executor.run(job)
        # The file passed the check at load; what the engine still refuses is the file's fault.
        except (QuerySyntaxError, QueryNotEvaluable, QueryTooDeep) as error:
            raise ApiProblem(
                500,
                f"{query.name}: {error}",
                title="Stored Query Unusable",
                slug="stored-query-unusable",
            ) from error
        except TooManyResults as error:
            raise ApiProblem(
                422,
                f"the answer has more than max_result_rows ({error.limit}) rows",
            ) from error
        except NotWritable as error:
            raise ApiProblem(406, str(error)) from error
        except QueryTimeout as error:
            raise ApiProblem(503, stopped_detail(error.seconds), slug="time-limit") from error
        textual = chosen.media_type.startswith("text/") or chosen.media_type.endswith(
            ("json", "xml")
        )
        media_type = f"{chosen.media_type}; charset=utf-8" if textual else chosen.media_type
        cached = delivery.Representation(answer.body, media_type, etag)
        state.cache.put(etag, cached, len(cached.body))
    return delivery.respond(cached)
