"""The OpenAPI operations of curated updates (described only when the server takes writes):
SPARQL Update, the Graph Store Protocol and the history, with the bearer token they need."""

from __future__ import annotations

from typing import Any

from kgapi.web.openapi_operations import query_parameter
from kgapi.web.openapi_schemas import PROBLEM, ref
from kgapi.web.write_api import MAX_COUNT

BEARER: dict[str, list[str]] = {"bearer": []}
SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "A token from `kgapi token create NAME --scope write` (or admin).",
    }
}
GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/rdf+xml")

_REFUSALS = {
    400: "The update or body is malformed.",
    401: "No token, or one the server does not know (WWW-Authenticate: Bearer).",
    403: "The token may not write here (its scope or graphs), or the update uses LOAD or "
    "SERVICE, or writes are off.",
    404: "No such graph or version.",
    409: "The change would alter the bundled graph, or remove an inference, or cannot apply.",
    412: "If-Match names no version the graph is at (or, `*`, a graph that does not exist), or "
    "If-None-Match names the one it is at (or, `*`, a graph that exists).",
    413: "The body is larger than max_request_bytes (a gzip or deflate body once decoded), or "
    "an RDF/XML body's entities expand it manyfold.",
    415: "The body's media type is not read.",
    422: "The graph after the change would break a shape, a quality query or consistency; "
    "`problems` lists each (with a proof for an inconsistency). Nothing was changed.",
}

SCHEMAS: dict[str, Any] = {
    "WriteSummary": {
        "type": "object",
        "required": ["version", "changed"],
        "properties": {
            "version": {"type": "string", "description": "The graph's version after the write."},
            "id": {"type": "integer", "description": "The new version's number."},
            "changed": {"type": "boolean"},
            "added": {"type": "integer"},
            "removed": {"type": "integer"},
            "inferred_added": {"type": "integer"},
            "inferred_removed": {"type": "integer"},
            "new_inferred_types": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "description": "Subject IRI -> the classes it newly has by inference.",
            },
            "graphs": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Version": {
        "type": "object",
        "required": ["id", "time", "author", "message", "added", "removed"],
        "properties": {
            "id": {"type": "integer"},
            "parent": {"type": "integer"},
            "time": {"type": "string", "format": "date-time"},
            "author": {"type": "string", "description": "The name of the writer's token."},
            "message": {"type": "string"},
            "added": {"type": "integer"},
            "removed": {"type": "integer"},
            "graphs": {"type": "array", "items": {"type": "string"}},
            "reverts": {"type": "integer"},
            "patch": {"type": "string", "description": "The change as RDF Patch."},
        },
    },
    "History": {
        "type": "object",
        "required": ["versions"],
        "properties": {
            "version": {"type": "string"},
            "total": {"type": "integer"},
            "versions": {"type": "array", "items": ref("Version")},
        },
    },
}


def _refusals(*statuses: int) -> dict[str, Any]:
    return {
        str(status): {
            "description": _REFUSALS[status],
            "content": {PROBLEM: {"schema": ref("Problem")}},
        }
        for status in statuses
    }


def _written(description: str, *extra: int) -> dict[str, Any]:
    return {
        "200": {
            "description": description + " The new version is the ETag.",
            "content": {"application/json": {"schema": ref("WriteSummary")}},
        },
        **_refusals(400, 401, 403, 409, 412, 413, 422, *extra),
    }


IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "Write only onto one of these versions (a write's or GET's ETag; compared "
    "strongly, so a weak tag never matches), or, `*`, onto a graph that exists; 412 otherwise.",
    "schema": {"type": "string"},
}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "Write only when the graph is at none of these versions, or, `*`, does not "
    "exist (create, never replace; the dataset of /update always exists); 412 otherwise.",
    "schema": {"type": "string"},
}
MESSAGE = query_parameter("message", "Why (kept in the history).", {"type": "string"})
CHANGE_MESSAGE = {
    "name": "X-Change-Message",
    "in": "header",
    "required": False,
    "description": "Why, as `message=` (which wins over it); characters outside ASCII "
    "percent-encoded as UTF-8, since the server drops a non-ASCII header value.",
    "schema": {"type": "string"},
}


def update_operation(method: str) -> dict[str, Any] | None:
    if method != "post":
        return None
    return {
        "operationId": "update",
        "tags": ["writes"],
        "summary": "SPARQL 1.1 Update: DATA, DELETE/INSERT … WHERE, graph management",
        "security": [BEARER],
        "parameters": [
            IF_MATCH,
            IF_NONE_MATCH,
            MESSAGE,
            CHANGE_MESSAGE,
            query_parameter("using-graph-uri", "USING, per the protocol.", {"type": "string"}),
            query_parameter("using-named-graph-uri", "USING NAMED.", {"type": "string"}),
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/sparql-update": {"schema": {"type": "string"}},
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["update"],
                        "properties": {"update": {"type": "string"}},
                    }
                },
            },
        },
        "responses": _written("The update was made.", 415),
    }


def _graph_store(method: str, *, direct: bool) -> dict[str, Any] | None:
    if method not in ("get", "put", "post", "delete"):
        return None
    parameters: list[dict[str, Any]] = (
        [{"name": "path", "in": "path", "required": True, "schema": {"type": "string"}}]
        if direct
        else [
            query_parameter("graph", "The graph's IRI.", {"type": "string", "format": "iri"}),
            query_parameter(
                "default", "The default graph's own triples (give it, empty).", {"type": "string"}
            ),
        ]
    )
    name = "GraphDirect" if direct else "Graph"
    if method == "get":
        return {
            "operationId": f"get{name}",
            "tags": ["writes"],
            "summary": "Read a graph",
            "parameters": parameters,
            "responses": {
                "200": {
                    "description": "The graph.",
                    "content": {media: {"schema": {"type": "string"}} for media in GRAPH_TYPES},
                },
                **_refusals(404),
            },
        }
    body = {
        "required": True,
        "content": {
            **{media: {"schema": {"type": "string"}} for media in GRAPH_TYPES},
            "multipart/form-data": {"schema": {"type": "object"}},
        },
    }
    verbs = {"put": "Replace", "post": "Add to", "delete": "Delete"}
    operation: dict[str, Any] = {
        "operationId": f"{method}{name}",
        "tags": ["writes"],
        "summary": f"{verbs[method]} a user graph"
        + (
            " (POST to /store with no graph creates one)" if method == "post" and not direct else ""
        ),
        "security": [BEARER],
        "parameters": [*parameters, IF_MATCH, IF_NONE_MATCH, MESSAGE, CHANGE_MESSAGE],
        "responses": {
            **_written("The change was made.", 404, 415),
            "201": {
                "description": "The graph was created (Location names it).",
                "content": {"application/json": {"schema": ref("WriteSummary")}},
            },
        },
    }
    if method != "delete":
        operation["requestBody"] = body
    return operation


def history_operation(method: str) -> dict[str, Any] | None:
    if method != "get":
        return None
    return {
        "operationId": "history",
        "tags": ["writes"],
        "summary": "The versions, newest first",
        "parameters": [
            query_parameter(
                "limit",
                "Most versions.",
                {"type": "integer", "minimum": 0, "maximum": MAX_COUNT},
            ),
            query_parameter(
                "offset",
                "Versions skipped.",
                {"type": "integer", "minimum": 0, "maximum": MAX_COUNT},
            ),
        ],
        "responses": {
            "200": {
                "description": "The history.",
                "content": {"application/json": {"schema": ref("History")}},
            },
            **_refusals(400),
        },
    }


VERSION_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}


def version_operation(method: str) -> dict[str, Any] | None:
    if method != "get":
        return None
    return {
        "operationId": "historyVersion",
        "tags": ["writes"],
        "summary": "One version and its change (JSON, or RDF Patch by Accept)",
        "parameters": [VERSION_ID],
        "responses": {
            "200": {
                "description": "The version.",
                "content": {
                    "application/json": {"schema": ref("Version")},
                    "application/rdf-patch": {"schema": {"type": "string"}},
                },
            },
            **_refusals(404),
        },
    }


def revert_operation(method: str) -> dict[str, Any] | None:
    if method != "post":
        return None
    return {
        "operationId": "revertVersion",
        "tags": ["writes"],
        "summary": "Undo a version, as a new version",
        "security": [BEARER],
        "parameters": [VERSION_ID, IF_MATCH, IF_NONE_MATCH, MESSAGE, CHANGE_MESSAGE],
        "responses": _written("The revert was made.", 404),
    }


def graph_at_operation(method: str) -> dict[str, Any] | None:
    if method != "get":
        return None
    return {
        "operationId": "graphAtVersion",
        "tags": ["writes"],
        "summary": "The user graphs as of a version (TriG/N-Quads; one graph as Turtle)",
        "parameters": [
            VERSION_ID,
            query_parameter("graph", "One graph's IRI.", {"type": "string", "format": "iri"}),
        ],
        "responses": {
            "200": {
                "description": "The graphs.",
                "content": {
                    media: {"schema": {"type": "string"}}
                    for media in ("application/trig", "application/n-quads", "text/turtle")
                },
            },
            **_refusals(404),
        },
    }


def check_operation(method: str) -> dict[str, Any] | None:
    if method != "post":
        return None
    return {
        "operationId": "checkWrite",
        "tags": ["writes"],
        "summary": "What a write would do and whether it would be accepted, changing nothing",
        "parameters": [
            query_parameter("graph", "The graph RDF would be added to.", {"type": "string"})
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/sparql-update": {"schema": {"type": "string"}},
                **{media: {"schema": {"type": "string"}} for media in GRAPH_TYPES},
            },
        },
        "responses": {
            "200": {
                "description": "`valid`, the `problems` a write would be refused for, and what "
                "it would make true.",
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            **_refusals(400, 403, 409, 415),
        },
    }


ROUTES: dict[str, Any] = {
    "/update": update_operation,
    "/api/check": check_operation,
    "/store": lambda method: _graph_store(method, direct=False),
    "/store/{path}": lambda method: _graph_store(method, direct=True),
    "/api/history": history_operation,
    "/api/history/{id}": version_operation,
    "/api/history/{id}/revert": revert_operation,
    "/api/history/{id}/graph": graph_at_operation,
}
