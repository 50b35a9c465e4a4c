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
from kgapi.export import EXPORT_FORMATS, FORMAT_NAMES, MAX_DEPTH, SCOPES
from kgapi.parameters import BOOLEAN_PATTERN, parse_boolean
from kgapi.read.comparison import MAX_ENTITIES
from kgapi.read.kinds import KINDS
from kgapi.read.search import MAX_LIMIT
from kgapi.read.stored_queries import Parameter, StoredQuery
from kgapi.web.api_common import json_response, lookups, register
from kgapi.web.negotiation import RDF, RESULTS, formats_of

blueprint = register(
    Blueprint(
        "api_docs",
        __name__,
        static_folder="static/vendor/swagger-ui",
        static_url_path="/docs/assets",
    )
)

PROBLEM = "application/problem+json"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)
LANGUAGE_TAG_PATTERN = r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"


@blueprint.get("/openapi.json")
def openapi_json() -> Response:
    """The OpenAPI 3.1 description of this server's API (generated from its routes)."""
    return json_response(build_openapi(current_app, lookups().queries.values()))


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


def build_openapi(app: Flask, queries: Iterable[StoredQuery]) -> dict[str, Any]:
    """The OpenAPI document for `app`'s routes and the stored `queries`."""
    paths: dict[str, dict[str, Any]] = {}
    routes = {_openapi_path(rule.rule) for rule in app.url_map.iter_rules()}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        path = _openapi_path(rule.rule)
        describe = ROUTES.get(path)
        if describe is None:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation = describe(method.lower())
            if operation is not None:
                paths.setdefault(path, {})[method.lower()] = operation
    if "/api/queries/{name}" in routes:
        for query in queries:
            paths[f"/api/queries/{query.name}"] = {"get": _stored_query_operation(query)}
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
        "components": {"schemas": SCHEMAS},
    }


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([A-Za-z_]+)>", r"{\1}", rule)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _problems(*statuses: int) -> dict[str, Any]:
    reasons = {
        400: "A parameter is missing, malformed or ambiguous (problem+json, with candidates "
        "for an ambiguous name).",
        404: "A name names nothing (problem+json, with candidates).",
        406: "No offered format is acceptable (problem+json, listing what is offered).",
        413: "The request body is too large.",
        415: "The body's media type is not accepted.",
        422: "The answer has more rows than the server returns.",
        503: "The work ran past a time limit and was stopped (setting query_timeout; for SVG, "
        "Graphviz's own).",
    }
    return {
        str(status): {
            "description": reasons[status],
            "content": {PROBLEM: {"schema": _ref("Problem")}},
        }
        for status in statuses
    }


def _json_ok(schema: str, description: str) -> dict[str, Any]:
    return {
        "200": {
            "description": description,
            "content": {"application/json": {"schema": _ref(schema)}},
        }
    }


def _query_parameter(
    name: str, description: str, schema: dict[str, Any], *, required: bool = False
) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


LANG = _query_parameter(
    "lang", "Language of labels and texts.", {"type": "string", "enum": ["en", "zh"]}
)
NAME_DESCRIPTION = "IRI, prefixed name (vr:xen), slug (xen), or English/Chinese label or alias."


def _format_parameter(names: Iterable[str]) -> dict[str, Any]:
    return _query_parameter(
        "format", "The answer's format (overrides Accept).", {"type": "string", "enum": list(names)}
    )


def _entity_operation(method: str, *, in_path: bool) -> dict[str, Any] | None:
    if method != "get":
        return None
    name = (
        {
            "name": "id",
            "in": "path",
            "required": True,
            "description": NAME_DESCRIPTION,
            "schema": {"type": "string", "minLength": 1},
        }
        if in_path
        else _query_parameter(
            "id", NAME_DESCRIPTION, {"type": "string", "minLength": 1}, required=True
        )
    )
    rdf_types = [
        "text/turtle",
        "application/ld+json",
        "application/n-triples",
        "application/rdf+xml",
    ]
    ok = _json_ok("Entity", "The entity; Turtle, JSON-LD, N-Triples or RDF/XML by negotiation.")
    for media_type in rdf_types:
        # JSON-LD is JSON, which clients (and validators) parse: a document is an object or array.
        json_ld = media_type == "application/ld+json"
        schema = {"type": ["object", "array"]} if json_ld else {"type": "string"}
        ok["200"]["content"][media_type] = {"schema": schema}
    return {
        "operationId": "getEntity" if in_path else "getEntityById",
        "tags": ["entities"],
        "summary": "One entity: labels, definitions, types, statements, claims and sources",
        "description": "Types and statements are marked asserted or inferred; `explain=true` adds "
        "the proof of every inferred type.",
        "parameters": [
            name,
            LANG,
            _format_parameter(["json", "turtle", "jsonld", "ntriples", "rdfxml"]),
            _query_parameter("explain", "Add proofs of inferred types.", {"type": "boolean"}),
        ],
        "responses": {**ok, **_problems(400, 404, 406)},
    }


def _search_operation(method: str) -> dict[str, Any] | None:
    if method != "get":
        return None
    return {
        "operationId": "search",
        "tags": ["entities"],
        "summary": "Ranked label and alias search in English and Chinese",
        "description": "Exact matches first, then prefixes, then substrings; labels outrank "
        "aliases. `type` is a kind or the name of a class whose members to keep.",
        "parameters": [
            _query_parameter(
                "q", "The text to look for.", {"type": "string", "minLength": 1}, required=True
            ),
            LANG,
            _query_parameter(
                "type", f"A kind ({', '.join(KINDS)}) or a class name.", {"type": "string"}
            ),
            _query_parameter(
                "limit",
                "Most results.",
                {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 20},
            ),
        ],
        "responses": {**_json_ok("SearchResults", "Results, best first."), **_problems(400, 404)},
    }


def _compare_operation(method: str) -> dict[str, Any] | None:
    if method != "get":
        return None
    ok: dict[str, Any] = _json_ok("Comparison", "The comparison table.")
    for media_type in ("text/csv", "text/markdown", "text/html", "text/plain"):
        ok["200"]["content"][media_type] = {"schema": {"type": "string"}}
    return {
        "operationId": "compare",
        "tags": ["comparison"],
        "summary": f"Compare 2 to {MAX_ENTITIES} entities side by side",
        "description": "Products on classification, techniques, hardware, licence and lineage; "
        "concepts on definition, rings, guest changes, hardware, mechanisms, trade-offs and "
        "examples. Cells are marked asserted/inferred, carry sources and contested positions.",
        "parameters": [
            _query_parameter(
                "ids",
                f"2 to {MAX_ENTITIES} comma-separated names ({NAME_DESCRIPTION})",
                {"type": "string", "minLength": 1},
                required=True,
            ),
            LANG,
            _format_parameter(["json", "csv", "markdown", "html", "text"]),
        ],
        "responses": {**ok, **_problems(400, 404, 406)},
    }


def _explain_operation(method: str) -> dict[str, Any] | None:
    if method != "get":
        return None
    parameters = [
        _query_parameter(
            part,
            f"The triple's {word} ({NAME_DESCRIPTION}){extra}",
            {"type": "string", "minLength": 1},
            required=True,
        )
        for part, word, extra in (
            ("s", "subject", ""),
            ("p", "predicate", "; `a` for rdf:type"),
            ("o", "object", '; or an N-Triples literal such as "true"^^xsd:boolean'),
        )
    ]
    return {
        "operationId": "explain",
        "tags": ["reasoning"],
        "summary": "Why a triple holds: where it is asserted, or its OWL 2 RL proof",
        "parameters": parameters,
        "responses": {**_json_ok("Explanation", "The explanation."), **_problems(400, 404)},
    }


def _classify_operation(method: str) -> dict[str, Any] | None:
    if method != "post":
        return None
    return {
        "operationId": "classify",
        "tags": ["reasoning"],
        "summary": "Classify a described product without storing it",
        "description": RAW_BODY_NOTE.format(
            raw="a Turtle document (`Content-Type: text/turtle`)", typed="the JSON form"
        ),
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "object", "additionalProperties": True},
                    "example": {"label": "MyHV", "basedOn": ["xen"]},
                },
            },
        },
        "responses": {
            **_json_ok("Classification", "The inferred classes and values, with proofs."),
            **_problems(400, 413, 415),
        },
    }


def _identify_operation(method: str) -> dict[str, Any] | None:
    if method != "post":
        return None
    return {
        "operationId": "identify",
        "tags": ["identify"],
        "summary": "Identify a machine's virtualization from its evidence",
        "description": "The layers found, outermost first (cloud, hypervisor, platform, "
        "partition, container), each a graph entity with its classification and the evidence "
        "that matched, and what virt-what and systemd-detect-virt would print. "
        + RAW_BODY_NOTE.format(
            raw="a tar.gz bundle (`Content-Type: application/gzip`; `root/…`, `dmidecode.txt`, "
            "`cpuid-vendor.txt`, `uname-m.txt`, as `kgapi identify --collect` writes it)",
            typed="the JSON form",
        ),
        "parameters": [LANG],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": _ref("Evidence"),
                    "example": {
                        "files": {"/proc/cpuinfo": "vendor_id\t: GenuineIntel\n"},
                        "dmidecode": "System Information\n\tManufacturer: QEMU\n",
                        "cpuid_vendor": "KVMKVMKVM",
                        "machine": "x86_64",
                    },
                },
            },
        },
        "responses": {
            **_json_ok("Identification", "The layers, and the two programs' answers."),
            **_problems(400, 413, 415),
        },
    }


def _consistency_operation(method: str) -> dict[str, Any] | None:
    if method != "get":
        return None
    return {
        "operationId": "consistency",
        "tags": ["reasoning"],
        "summary": "The consistency report of the served graph",
        "responses": _json_ok("Consistency", "The report."),
    }


def _queries_operation(method: str) -> dict[str, Any] | None:
    if method != "get":
        return None
    return {
        "operationId": "listQueries",
        "tags": ["queries"],
        "summary": "The stored queries, with their typed parameters",
        "parameters": [
            _query_parameter("tag", "Keep the queries with this tag.", {"type": "string"})
        ],
        "responses": _json_ok("QueryList", "The stored queries."),
    }


def _simple(
    operation_id: str, summary: str, media_type: str, tag: str, schema: str | None = None
) -> Any:
    """A GET answering `media_type`: with the named `schema`, or as text."""
    body = _ref(schema) if schema else {"type": "string"}

    def describe(method: str) -> dict[str, Any] | None:
        if method != "get":
            return None
        return {
            "operationId": operation_id,
            "tags": [tag],
            "summary": summary,
            "responses": {
                "200": {"description": summary, "content": {media_type: {"schema": body}}}
            },
        }

    return describe


def _sparql_operation(method: str) -> dict[str, Any] | None:
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
                (406, "No acceptable format."),
                (413, "Body too large."),
                (415, "Unsupported body type."),
                (422, "Too many result rows."),
                (503, "The query ran past the time limit."),
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
        operation["parameters"] = [
            _query_parameter("query", "The SPARQL query.", {"type": "string"}),
            _query_parameter(
                "default-graph-uri", "Default graph IRIs.", {"type": "string", "format": "iri"}
            ),
            _query_parameter(
                "named-graph-uri", "Named graph IRIs.", {"type": "string", "format": "iri"}
            ),
            _query_parameter(
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


def _export_operation(method: str) -> dict[str, Any] | None:
    if method != "get":
        return None
    formats = list(FORMAT_NAMES)
    return {
        "operationId": "export",
        "tags": ["exports"],
        "summary": "Graph exports (networkx and RDF formats) of a scope of the graph",
        "parameters": [
            _query_parameter("format", "Export format.", {"type": "string", "enum": formats}),
            _query_parameter(
                "scope",
                "What to export.",
                {
                    "type": "string",
                    "enum": list(SCOPES),
                },
            ),
            _query_parameter(
                "focus", f"Neighbourhood centre: {NAME_DESCRIPTION}", {"type": "string"}
            ),
            _query_parameter(
                "depth",
                "Neighbourhood depth.",
                {"type": "integer", "minimum": 0, "maximum": MAX_DEPTH},
            ),
            _query_parameter("axis", "Scheme for scope=axis.", {"type": "string"}),
            _query_parameter("inferred", "Include inferred triples.", {"type": "boolean"}),
            _query_parameter("lang", "Label language.", {"type": "string"}),
            _query_parameter("query", "CONSTRUCT query for scope=construct.", {"type": "string"}),
        ],
        "responses": {
            "200": {"description": "The export.", "content": _export_content()},
            **_problems(400, 404, 406, 503),
        },
    }


def _export_content() -> dict[str, Any]:
    """Every export format's media type, each a UTF-8 text document. A text/* type comes first:
    generated clients read the first type they know, and as text every export reads whole."""
    types = sorted(
        {spec.media_type for spec in EXPORT_FORMATS}, key=lambda t: not t.startswith("text/")
    )
    return {
        media_type: {"schema": {"type": "object"} if "json" in media_type else {"type": "string"}}
        for media_type in types
    }


ROUTES: dict[str, Any] = {
    "/api/entities/{id}": lambda method: _entity_operation(method, in_path=True),
    "/api/entities": lambda method: _entity_operation(method, in_path=False),
    "/api/search": _search_operation,
    "/api/compare": _compare_operation,
    "/api/explain": _explain_operation,
    "/api/classify": _classify_operation,
    "/api/consistency": _consistency_operation,
    "/api/identify": _identify_operation,
    "/api/queries": _queries_operation,
    "/api/queries/{name}": lambda method: None,  # one operation per stored query instead
    "/sparql": _sparql_operation,
    "/export": _export_operation,
    "/openapi.json": _simple("openapi", "This OpenAPI description", "application/json", "meta"),
    "/docs": _simple("docs", "Swagger UI for this API", "text/html", "meta"),
    "/healthz": _simple(
        "healthz", "Liveness, graph version and counts", "application/json", "meta", "Health"
    ),
    "/metrics": _simple("metrics", "Prometheus metrics", "text/plain", "meta"),
    "/": _simple("home", "The browser UI", "text/html", "meta"),
}


def _stored_query_operation(query: StoredQuery) -> dict[str, Any]:
    graph = query.form in ("CONSTRUCT", "DESCRIBE")
    formats = formats_of(RDF) if graph else formats_of(RESULTS)
    content = {
        item.media_type: {"schema": _ref("SparqlResults") if item.name == "json" else {}}
        for item in formats
    }
    parameters = [_stored_parameter(parameter) for parameter in query.parameters]
    parameters.append(_format_parameter([item.name for item in formats]))
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
            **_problems(400, 404, 406, 422, 503),
        },
    }


def _stored_parameter(parameter: Parameter) -> dict[str, Any]:
    schema: dict[str, Any]
    if parameter.type == "integer":
        schema = {"type": "integer"}
    elif parameter.type == "boolean":
        schema = {"type": "boolean"}
    elif parameter.type == "language":
        schema = {"type": "string", "pattern": LANGUAGE_TAG_PATTERN}
    else:
        schema = {"type": "string", "minLength": 1}
    if parameter.default is not None:
        schema["default"] = _typed_default(parameter)
    kind = {
        "entity": NAME_DESCRIPTION,
        "iri": "An absolute IRI or a prefixed name.",
    }.get(parameter.type, "")
    return _query_parameter(
        parameter.name,
        " ".join(part for part in (parameter.description, kind) if part),
        schema,
        required=parameter.required,
    )


def _typed_default(parameter: Parameter) -> Any:
    assert parameter.default is not None
    if parameter.type == "integer":
        return int(parameter.default)
    if parameter.type == "boolean":
        return parse_boolean(parameter.default)
    return parameter.default


_TERM = {
    "type": "object",
    "properties": {
        "iri": {"type": "string"},
        "curie": {"type": "string"},
        "label": {"type": "string"},
        "value": {},
        "lang": {"type": "string"},
        "datatype": {"type": "string"},
        "bnode": {"type": "string"},
    },
}
_SOURCE = {
    "type": "object",
    "required": ["iri"],
    "properties": {
        "iri": {"type": "string"},
        "id": {"type": ["string", "null"]},
        "label": {"type": ["string", "null"]},
        "title": {"type": ["string", "null"]},
        "urls": {"type": "array", "items": {"type": "string"}},
    },
}
_TEXTS_BY_LANGUAGE = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
_STATUS = {"type": "string", "enum": ["asserted", "inferred"]}

# Raw text bodies (a SPARQL query, a Turtle document) are accepted but not listed as request
# bodies: OpenAPI client generators type only JSON, form and binary bodies, and skip (with a
# warning) an operation's other types. The description says what else is taken.
RAW_BODY_NOTE = (
    "Besides {typed} described here, the body may be {raw}; it is not listed as a request body "
    "type so that generated clients stay typed."
)

# An absolute path of the machine, without . or .. segments (what the evidence reader accepts).
PATH_SCHEMA = {
    "type": "string",
    "minLength": 2,
    "maxLength": 1024,
    "pattern": "^/(?!(.*/)?[.][.]?(/|$))[^\\u0000]+$",
}

SCHEMAS: dict[str, Any] = {
    "Evidence": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "files": {
                "type": "object",
                "description": "Absolute path -> the file's text, as the machine shows it.",
                "maxProperties": 4096,
                "propertyNames": PATH_SCHEMA,
                "additionalProperties": {"type": "string"},
            },
            "directories": {"type": "array", "maxItems": 4096, "items": PATH_SCHEMA},
            "dmidecode": {"type": ["string", "null"], "description": "null where it failed"},
            "cpuid_vendor": {"type": "string"},
            "machine": {"type": "string", "description": "uname -m"},
        },
    },
    "Identification": {
        "type": "object",
        "required": ["layers", "virt_what", "systemd_detect_virt"],
        "properties": {
            "layers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["kind", "iri", "label", "classification", "evidence"],
                    "properties": {
                        "kind": {
                            "type": "string",
                            "enum": ["cloud", "hypervisor", "platform", "partition", "container"],
                        },
                        "iri": {"type": "string"},
                        "label": {"type": "string"},
                        "classification": {"type": "object"},
                        "evidence": {"type": "array", "items": {"type": "object"}},
                    },
                },
            },
            "virt_what": {"type": "array", "items": {"type": "string"}},
            "systemd_detect_virt": {
                "type": "object",
                "properties": {"vm": {"type": "string"}, "container": {"type": "string"}},
            },
        },
    },
    "Health": {
        "type": "object",
        "required": [
            "status",
            "version",
            "ontology_version",
            "asserted_triples",
            "inferred_triples",
            "closure_seconds",
            "closure_cached",
            "consistency",
            "named_graphs",
        ],
        "properties": {
            "status": {"type": "string", "enum": ["ok"]},
            "version": {"type": "string", "description": "Version of the served data."},
            "ontology_version": {"type": "string"},
            "asserted_triples": {"type": "integer"},
            "inferred_triples": {"type": "integer"},
            "closure_seconds": {"type": "number"},
            "closure_cached": {"type": "boolean"},
            "consistency": {
                "type": "object",
                "required": ["consistent", "issues"],
                "properties": {
                    "consistent": {"type": "boolean"},
                    "issues": {"type": "integer"},
                },
            },
            "named_graphs": {"type": "integer"},
        },
    },
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "parameter": {"type": "string"},
            "name": {"type": "string"},
            "candidates": {"type": "array", "items": {"type": "object"}},
            "offered": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Term": _TERM,
    "Source": _SOURCE,
    "ContestedClaim": {
        "type": "object",
        "required": ["iri", "positions", "sources"],
        "properties": {
            "iri": {"type": "string"},
            "label": {"type": ["string", "null"]},
            "definition": {"type": ["string", "null"]},
            "subject": _ref("Term"),
            "property": _ref("Term"),
            "via": {"oneOf": [_ref("Term"), {"type": "null"}]},
            "positions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["iri", "value", "sources"],
                    "properties": {
                        "iri": {"type": "string"},
                        "label": {"type": ["string", "null"]},
                        "value": _ref("Term"),
                        "status": {"type": ["string", "null"]},
                        "asserted_by": {"type": "array", "items": _ref("Term")},
                        "comment": {"type": ["string", "null"]},
                        "sources": {"type": "array", "items": _ref("Source")},
                    },
                },
            },
            "sources": {"type": "array", "items": _ref("Source")},
        },
    },
    "Entity": {
        "type": "object",
        "required": [
            "iri",
            "curie",
            "label",
            "kind",
            "labels",
            "definitions",
            "types",
            "statements",
            "contested",
            "sources",
        ],
        "properties": {
            "iri": {"type": "string"},
            "curie": {"type": "string"},
            "label": {"type": "string"},
            "kind": {"type": "string", "enum": list(KINDS)},
            "labels": _TEXTS_BY_LANGUAGE,
            "aliases": _TEXTS_BY_LANGUAGE,
            "definitions": _TEXTS_BY_LANGUAGE,
            "types": {
                "type": "array",
                "items": {
                    "allOf": [_ref("Term")],
                    "type": "object",
                    "required": ["iri", "status"],
                    "properties": {"status": _STATUS, "explanation": _ref("Explanation")},
                },
            },
            "statements": {
                "type": "object",
                "required": ["outgoing", "incoming"],
                "properties": {
                    "outgoing": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["predicate", "object", "status"],
                            "properties": {
                                "predicate": _ref("Term"),
                                "object": _ref("Term"),
                                "status": _STATUS,
                            },
                        },
                    },
                    "incoming": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["predicate", "subject", "status"],
                            "properties": {
                                "predicate": _ref("Term"),
                                "subject": _ref("Term"),
                                "status": _STATUS,
                            },
                        },
                    },
                },
            },
            "contested": {"type": "array", "items": _ref("ContestedClaim")},
            "sources": {"type": "array", "items": _ref("Source")},
            "links": {"type": "object"},
        },
    },
    "SearchResults": {
        "type": "object",
        "required": ["query", "results"],
        "properties": {
            "query": {"type": "string"},
            "lang": {"type": ["string", "null"]},
            "type": {"type": ["string", "null"]},
            "limit": {"type": "integer"},
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["iri", "label", "kind", "score"],
                    "properties": {
                        "iri": {"type": "string"},
                        "curie": {"type": "string"},
                        "label": {"type": "string"},
                        "kind": {"type": "string", "enum": list(KINDS)},
                        "score": {"type": "integer"},
                        "match": {"type": "string", "enum": ["exact", "prefix", "substring"]},
                        "matched": {"type": "string"},
                        "matched_lang": {"type": "string"},
                    },
                },
            },
        },
    },
    "Comparison": {
        "type": "object",
        "required": ["kind", "entities", "attributes", "shared", "differing"],
        "properties": {
            "kind": {"type": "string", "enum": ["products", "concepts"]},
            "lang": {"type": "string"},
            "entities": {"type": "array", "items": _ref("Term")},
            "attributes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "label", "agreement", "contested", "cells"],
                    "properties": {
                        "name": {"type": "string"},
                        "label": {"type": "string"},
                        "agreement": {"type": "string", "enum": ["shared", "differs", "empty"]},
                        "contested": {"type": "boolean"},
                        "cells": {
                            "type": "object",
                            "additionalProperties": {
                                "type": "object",
                                "required": ["status", "values", "sources", "contested"],
                                "properties": {
                                    "status": {
                                        "type": "string",
                                        "enum": [
                                            "asserted",
                                            "inferred",
                                            "mixed",
                                            "not-inferred",
                                            "empty",
                                        ],
                                    },
                                    "values": {"type": "array", "items": _ref("Term")},
                                    "sources": {"type": "array", "items": _ref("Source")},
                                    "contested": {"type": "array", "items": _ref("ContestedClaim")},
                                },
                            },
                        },
                    },
                },
            },
            "shared": {"type": "array", "items": {"type": "string"}},
            "differing": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Explanation": {
        "type": "object",
        "required": ["triple", "text", "status"],
        "properties": {
            "holds": {"type": "boolean"},
            "triple": {"type": "array", "items": {"type": "string"}, "minItems": 3, "maxItems": 3},
            "text": {"type": "string"},
            "status": {"type": "string", "enum": ["asserted", "inferred", "does-not-hold"]},
            "sources": {"type": "array", "items": {"type": "string"}},
            "proof": {"type": ["object", "null"]},
        },
    },
    "Classification": {
        "type": "object",
        "required": ["individual", "classes", "values", "consistency"],
        "properties": {
            "individual": {"type": "string"},
            "label": {"type": ["string", "null"]},
            "classes": {"type": "array", "items": {"type": "object"}},
            "values": {"type": "array", "items": {"type": "object"}},
            "consistency": _ref("Consistency"),
        },
    },
    "Consistency": {
        "type": "object",
        "required": ["consistent", "issues"],
        "properties": {
            "version": {"type": "string"},
            "consistent": {"type": "boolean"},
            "issues": {"type": "array", "items": {"type": "object"}},
        },
    },
    "QueryList": {
        "type": "object",
        "required": ["queries"],
        "properties": {
            "queries": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "summary", "parameters"],
                    "properties": {
                        "name": {"type": "string"},
                        "summary": {"type": "string"},
                        "description": {"type": "string"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "form": {"type": "string"},
                        "href": {"type": "string"},
                        "parameters": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["name", "type", "required"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "type": {"type": "string"},
                                    "description": {"type": "string"},
                                    "default": {"type": ["string", "null"]},
                                    "required": {"type": "boolean"},
                                },
                            },
                        },
                    },
                },
            }
        },
    },
    "SparqlResults": {
        "description": "SPARQL 1.1 Query Results JSON: `results` for SELECT, `boolean` for ASK.",
        "type": "object",
        "required": ["head"],
        "properties": {
            "head": {
                "type": "object",
                "properties": {
                    "vars": {"type": "array", "items": {"type": "string"}},
                    "link": {"type": "array", "items": {"type": "string"}},
                },
            },
            "results": {
                "type": "object",
                "required": ["bindings"],
                "properties": {
                    "bindings": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": _ref("RdfTerm"),
                        },
                    }
                },
            },
            "boolean": {"type": "boolean"},
        },
    },
    "RdfTerm": {
        "description": "One bound value of a SPARQL JSON result row.",
        "type": "object",
        "required": ["type", "value"],
        "properties": {
            "type": {"type": "string", "enum": ["uri", "literal", "bnode", "triple"]},
            "value": {},
            "xml:lang": {"type": "string"},
            "datatype": {"type": "string"},
        },
    },
}
