"""The OpenAPI operations of the protocol routes: SPARQL, the graph exports, and one operation per
stored query with its typed parameters."""

from __future__ import annotations

import re
from typing import Any

from kgapi.export import EXPORT_FORMATS, FORMAT_NAMES, MAX_DEPTH, SCOPES
from kgapi.parameters import BOOLEAN_PATTERN, parse_boolean
from kgapi.read.labels import LANGUAGE_TAG_PATTERN, READER_LANGUAGE_PATTERN
from kgapi.read.stored_queries import Parameter, StoredQuery
from kgapi.web.negotiation import RDF, RESULTS, formats_of
from kgapi.web.openapi_operations import (
    NAME_DESCRIPTION,
    format_parameter,
    problems,
    query_parameter,
)
from kgapi.web.openapi_schemas import RAW_BODY_NOTE, ref


def sparql_operation(method: str) -> dict[str, Any] | None:
    content: dict[str, Any] = {
        item.media_type: {"schema": {}} for item in (*formats_of(RESULTS), *formats_of(RDF))
    }
    plain = {"text/plain": {"schema": {"type": "string"}}}
    responses = {
        "200": {
            "description": "Query results, a graph, or the service description.",
            "content": content,
        },
        **{
            str(status): {"description": reason, "content": plain}
            for status, reason in (
                (400, "Malformed query or parameters."),
                (403, "Refused: update, or SERVICE while it is off."),
                (406, "No acceptable format, or none that can hold the answer."),
                (413, "Body too large (a gzip or deflate body: once decoded)."),
                (415, "Unsupported body type or content coding (not gzip, deflate)."),
                (422, "Too many result rows."),
                (502, "A SERVICE the query calls failed (only with allow_service on)."),
                (503, "Past the time limit, every worker busy, or too many large bodies held."),
            )
        },
    }
    operation: dict[str, Any] = {
        "tags": ["sparql"],
        "summary": "SPARQL 1.1 Protocol query operation (service description without a query)",
        "responses": responses,
    }
    if method == "get":
        operation["operationId"] = "sparqlGet"
        operation["responses"] = {
            **responses,
            "303": {
                "description": "Without a query, to a browser (its Accept names text/html above "
                "every RDF format): the query editor, at the Location given.",
                "headers": {"Location": {"schema": {"type": "string"}}},
            },
        }
        operation["parameters"] = [
            query_parameter("query", "The SPARQL query.", {"type": "string"}),
            query_parameter(
                "default-graph-uri", "Default graph IRIs.", {"type": "string", "format": "iri"}
            ),
            query_parameter(
                "named-graph-uri", "Named graph IRIs.", {"type": "string", "format": "iri"}
            ),
            query_parameter(
                "inference",
                "false: asserted triples only (also yes/no, on/off, 1/0).",
                {"type": "string", "pattern": BOOLEAN_PATTERN},
            ),
        ]
        return operation
    if method == "post":
        operation["operationId"] = "sparqlPost"
        operation["description"] = RAW_BODY_NOTE.format(
            raw="the query itself (`Content-Type: application/sparql-query`, the protocol's "
            "direct POST)",
            typed="the URL-encoded form",
        )
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "query": {"type": "string"},
                            "default-graph-uri": {"type": "string"},
                            "named-graph-uri": {"type": "string"},
                        },
                        "required": ["query"],
                    }
                },
            },
        }
        return operation
    return None


def export_operation(method: str) -> dict[str, Any] | None:
    if method != "get":
        return None
    formats = list(FORMAT_NAMES)
    return {
        "operationId": "export",
        "tags": ["exports"],
        "summary": "Graph exports (networkx and RDF formats) of a scope of the graph",
        "parameters": [
            query_parameter("format", "Export format.", {"type": "string", "enum": formats}),
            query_parameter(
                "scope",
                "What to export.",
                {
                    "type": "string",
                    "enum": list(SCOPES),
                },
            ),
            query_parameter(
                "focus", f"Neighbourhood centre: {NAME_DESCRIPTION}", {"type": "string"}
            ),
            query_parameter(
                "depth",
                "Neighbourhood depth.",
                {"type": "integer", "minimum": 0, "maximum": MAX_DEPTH},
            ),
            query_parameter("axis", "Scheme for scope=axis.", {"type": "string"}),
            query_parameter("inferred", "Include inferred triples.", {"type": "boolean"}),
            query_parameter(
                "lang",
                "Label language: en or zh, as a language tag (en-US and zh-CN name them too).",
                {"type": "string", "pattern": READER_LANGUAGE_PATTERN},
            ),
            query_parameter("query", "CONSTRUCT query for scope=construct.", {"type": "string"}),
        ],
        "responses": {
            "200": {"description": "The export.", "content": export_content()},
            **problems(400, 404, 406, 501, 503),
        },
    }


def export_content() -> dict[str, Any]:
    """Every export format's media type, each a UTF-8 text document. A text/* type comes first:
    generated clients read the first type they know, and as text every export reads whole."""
    types = sorted(
        {spec.media_type for spec in EXPORT_FORMATS}, key=lambda t: not t.startswith("text/")
    )
    return {
        media_type: {"schema": {"type": "object"} if "json" in media_type else {"type": "string"}}
        for media_type in types
    }


def stored_query_operation(query: StoredQuery) -> dict[str, Any]:
    graph = query.form in ("CONSTRUCT", "DESCRIBE")
    formats = formats_of(RDF) if graph else formats_of(RESULTS)
    content = {
        item.media_type: {"schema": ref("SparqlResults") if item.name == "json" else {}}
        for item in formats
    }
    parameters = [stored_parameter(parameter) for parameter in query.parameters]
    parameters.append(format_parameter([item.name for item in formats]))
    description = query.description
    if query.tags:
        description += f"\n\nTags: {', '.join(query.tags)}."
    return {
        "operationId": "query_" + re.sub(r"[^A-Za-z0-9]+", "_", query.name),
        "tags": ["queries"],
        "summary": query.summary,
        "description": description,
        "parameters": parameters,
        "responses": {
            "200": {"description": f"The {query.form} answer.", "content": content},
            **problems(400, 404, 406, 422, 503),
        },
    }


def stored_parameter(parameter: Parameter) -> dict[str, Any]:
    schema: dict[str, Any]
    if parameter.type == "integer":
        schema = {"type": "integer"}
    elif parameter.type == "boolean":
        schema = {"type": "boolean"}
    elif parameter.type == "language":
        schema = {"type": "string", "pattern": LANGUAGE_TAG_PATTERN}
    else:
        # The value is read stripped: one made of spaces alone is empty, and refused.
        schema = {"type": "string", "minLength": 1, "pattern": r"\S"}
    if parameter.default is not None:
        schema["default"] = typed_default(parameter)
    kind = {
        "entity": NAME_DESCRIPTION,
        "iri": "An absolute IRI or a prefixed name.",
    }.get(parameter.type, "")
    return query_parameter(
        parameter.name,
        " ".join(part for part in (parameter.description, kind) if part),
        schema,
        required=parameter.required,
    )


def typed_default(parameter: Parameter) -> Any:
    assert parameter.default is not None
    if parameter.type == "integer":
        return int(parameter.default)
    if parameter.type == "boolean":
        return parse_boolean(parameter.default)
    return parameter.default
