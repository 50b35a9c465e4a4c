"""`GET /openapi.json` (OpenAPI 3.1, generated) and `GET /docs` (Swagger UI, served locally).

The description is generated from the app's URL map: each route found there that this module
knows how to describe becomes its operations, and each stored query becomes an operation of its
own (`GET /api/queries/<name>`) with its typed parameters. Swagger UI is vendored from the npm
package swagger-ui-dist into static/vendor/swagger-ui (no CDN).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template_string, url_for

from kgapi import __version__
from kgapi.read.stored_queries import StoredQuery
from kgapi.web.api_common import json_response, lookups, register
from kgapi.web.openapi_operations import (
    classify_operation,
    compare_operation,
    consistency_operation,
    entity_operation,
    explain_operation,
    identify_operation,
    queries_operation,
    search_operation,
    simple,
)
from kgapi.web.openapi_protocols import (
    export_operation,
    sparql_operation,
    stored_query_operation,
)
from kgapi.web.openapi_schemas import SCHEMAS
from kgapi.web.openapi_writes import ROUTES as WRITE_ROUTES
from kgapi.web.openapi_writes import SCHEMAS as WRITE_SCHEMAS
from kgapi.web.openapi_writes import SECURITY_SCHEMES
from kgapi.web.state import services

blueprint = register(
    Blueprint(
        "api_docs",
        __name__,
        static_folder="static/vendor/swagger-ui",
        static_url_path="/docs/assets",
    )
)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)


@blueprint.get("/openapi.json")
def openapi_json() -> Response:
    """The OpenAPI 3.1 description of this server's API (generated from its routes)."""
    writes = services().settings.writes
    return json_response(build_openapi(current_app, lookups().queries.values(), writes=writes))


@blueprint.get("/docs")
def docs() -> Response:
    """Swagger UI reading /openapi.json; every asset is served by this server."""
    page = render_template_string(
        DOCS_PAGE,
        css=url_for("api_docs.static", filename="swagger-ui.css"),
        bundle=url_for("api_docs.static", filename="swagger-ui-bundle.js"),
        init=url_for("api_docs.docs_script"),
    )
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


@blueprint.get("/docs/docs.js")
def docs_script() -> Response:
    """Starts Swagger UI on /openapi.json (a file, so the page needs no inline script)."""
    script = (
        "window.addEventListener('load', function () {\n"
        f"  window.ui = SwaggerUIBundle({{ url: '{url_for('api_docs.openapi_json')}', "
        "dom_id: '#swagger-ui', deepLinking: true });\n});\n"
    )
    return Response(script, mimetype="text/javascript")


DOCS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>kgapi — API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{{ css }}"></head>
<body><div id="swagger-ui"></div>
<script src="{{ bundle }}"></script><script src="{{ init }}"></script></body></html>
"""


# --- the description ---------------------------------------------------------------------------


def build_openapi(
    app: Flask, queries: Iterable[StoredQuery], *, writes: bool = False
) -> dict[str, Any]:
    """The OpenAPI document for `app`'s routes and the stored `queries` (and, when the server
    takes `writes`, its write operations)."""
    routes_described = {**ROUTES, **(WRITE_ROUTES if writes else {})}
    paths: dict[str, dict[str, Any]] = {}
    routes = {_openapi_path(rule.rule) for rule in app.url_map.iter_rules()}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        path = _openapi_path(rule.rule)
        describe = routes_described.get(path)
        if describe is None:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation = describe(method.lower())
            if operation is not None:
                paths.setdefault(path, {})[method.lower()] = operation
    if "/api/queries/{name}" in routes:
        for query in queries:
            paths[f"/api/queries/{query.name}"] = {"get": stored_query_operation(query)}
    for path, operations in paths.items():
        if "get" in operations and (path in VALIDATED_GETS or path.startswith("/api/queries/")):
            operations["get"] = validated(operations["get"])
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kgapi",
            "version": __version__,
            "description": (
                "A knowledge graph of virtualization technology: entities, search, comparison, "
                "explanations and stored queries. Every name parameter takes a full IRI, a "
                "prefixed name, a slug, or an English/Chinese label or alias; an unknown name "
                "is a 404 and an ambiguous one a 400, both with candidates. Errors are "
                "application/problem+json."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": {**SCHEMAS, **(WRITE_SCHEMAS if writes else {})},
            **({"securitySchemes": SECURITY_SCHEMES} if writes else {}),
        },
    }


# The GETs whose answers carry an ETag and `Cache-Control: public` (kgapi.web.delivery.respond):
# a client may ask again with If-None-Match, and a shared cache may keep them for a minute.
VALIDATED_GETS = frozenset(
    {
        "/api/entities/{id}",
        "/api/entities",
        "/api/search",
        "/api/compare",
        "/api/explain",
        "/api/consistency",
        "/api/queries",
        "/sparql",
        "/export",
        "/openapi.json",
    }
)


def validated(operation: dict[str, Any]) -> dict[str, Any]:
    """`operation` with what a validated GET answers: its 200's ETag and Cache-Control, the
    If-None-Match a client may send, and the 304 it then gets."""
    ok = operation["responses"]["200"]
    headers = {
        "ETag": {"description": "Names this answer's bytes.", "schema": {"type": "string"}},
        "Cache-Control": {"description": "public, max-age=60", "schema": {"type": "string"}},
    }
    return {
        **operation,
        "parameters": [*operation.get("parameters", []), IF_NONE_MATCH],
        "responses": {
            **operation["responses"],
            "200": {**ok, "headers": {**ok.get("headers", {}), **headers}},
            "304": {"description": "Not Modified: the answer the client holds is current."},
        },
    }


IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "ETags of answers the client holds; 304 if the answer is one of them.",
    "schema": {"type": "string"},
}


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([A-Za-z_]+)>", r"{\1}", rule)


ROUTES: dict[str, Any] = {
    "/api/entities/{id}": lambda method: entity_operation(method, in_path=True),
    "/api/entities": lambda method: entity_operation(method, in_path=False),
    "/api/search": search_operation,
    "/api/compare": compare_operation,
    "/api/explain": explain_operation,
    "/api/classify": classify_operation,
    "/api/consistency": consistency_operation,
    "/api/identify": identify_operation,
    "/api/queries": queries_operation,
    "/api/queries/{name}": lambda method: None,  # one operation per stored query instead
    "/sparql": sparql_operation,
    "/export": export_operation,
    "/openapi.json": simple("openapi", "This OpenAPI description", "application/json", "meta"),
    "/docs": simple("docs", "Swagger UI for this API", "text/html", "meta"),
    "/healthz": simple(
        "healthz", "Liveness, graph version and counts", "application/json", "meta", "Health"
    ),
    "/readyz": simple(
        "readyz",
        "Readiness: 503 while lagging the change log",
        "application/json",
        "meta",
        "Readiness",
    ),
    "/metrics": simple("metrics", "Prometheus metrics", "text/plain", "meta"),
    "/": simple("home", "The browser UI", "text/html", "meta"),
}
