"""The OpenAPI operations of the `/api` routes (entities, search, compare, reasoning, identify,
stored queries), and the helpers every operation is written with."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kgapi.read.comparison import MAX_ENTITIES
from kgapi.read.kinds import KINDS
from kgapi.read.labels import READER_LANGUAGE_PATTERN
from kgapi.read.search import MAX_LIMIT
from kgapi.web.openapi_schemas import PROBLEM, RAW_BODY_NOTE, ref


def problems(*statuses: int) -> dict[str, Any]:
    reasons = {
        400: "A parameter is missing, malformed or ambiguous (problem+json, with candidates "
        "for an ambiguous name).",
        404: "A name names nothing (problem+json, with candidates).",
        406: "No offered format is acceptable (problem+json, listing what is offered), or the "
        "one asked for cannot hold the answer (XML cannot hold some characters).",
        413: "The request body is too large (a gzip or deflate body: once decoded).",
        415: "The body's media type is not accepted, or its content coding is neither gzip nor "
        "deflate (then `Accept-Encoding` names those).",
        422: "The answer has more rows than the server returns.",
        501: "SVG was asked for and Graphviz is not installed on the server.",
        502: "A SERVICE the query calls failed (only with allow_service on).",
        503: "The work ran past a time limit and was stopped (setting query_timeout; for SVG, "
        "Graphviz's own), or could not start: every worker stayed busy, or the server holds as "
        "many large request bodies as it may (then `Retry-After` says when to try again).",
    }
    return {
        str(status): {
            "description": reasons[status],
            "content": {PROBLEM: {"schema": ref("Problem")}},
        }
        for status in statuses
    }


def json_ok(schema: str, description: str) -> dict[str, Any]:
    return {
        "200": {
            "description": description,
            "content": {"application/json": {"schema": ref(schema)}},
        }
    }


def query_parameter(
    name: str, description: str, schema: dict[str, Any], *, required: bool = False
) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


LANG = query_parameter(
    "lang",
    "Language of labels and texts: en or zh, as a language tag (EN, en-US and zh-CN name them "
    "too). Without it, Accept-Language decides.",
    {"type": "string", "pattern": READER_LANGUAGE_PATTERN},
)
NAME_DESCRIPTION = "IRI, prefixed name (vr:xen), slug (xen), or English/Chinese label or alias."


def format_parameter(names: Iterable[str]) -> dict[str, Any]:
    return query_parameter(
        "format", "The answer's format (overrides Accept).", {"type": "string", "enum": list(names)}
    )


def entity_operation(method: str, *, in_path: bool) -> dict[str, Any] | None:
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
        else query_parameter(
            "id", NAME_DESCRIPTION, {"type": "string", "minLength": 1}, required=True
        )
    )
    rdf_types = [
        "text/turtle",
        "application/ld+json",
        "application/n-triples",
        "application/rdf+xml",
    ]
    ok = json_ok("Entity", "The entity; Turtle, JSON-LD, N-Triples or RDF/XML by negotiation.")
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
            format_parameter(["json", "turtle", "jsonld", "ntriples", "rdfxml"]),
            query_parameter("explain", "Add proofs of inferred types.", {"type": "boolean"}),
        ],
        "responses": {**ok, **problems(400, 404, 406)},
    }


def search_operation(method: str) -> dict[str, Any] | None:
    if method != "get":
        return None
    return {
        "operationId": "search",
        "tags": ["entities"],
        "summary": "Ranked label and alias search in English and Chinese",
        "description": "Exact matches first, then prefixes, then substrings; labels outrank "
        "aliases. `type` is a kind or the name of a class whose members to keep.",
        "parameters": [
            query_parameter(
                "q", "The text to look for.", {"type": "string", "minLength": 1}, required=True
            ),
            LANG,
            query_parameter(
                "type", f"A kind ({', '.join(KINDS)}) or a class name.", {"type": "string"}
            ),
            query_parameter(
                "limit",
                "Most results.",
                {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 20},
            ),
        ],
        "responses": {**json_ok("SearchResults", "Results, best first."), **problems(400, 404)},
    }


def compare_operation(method: str) -> dict[str, Any] | None:
    if method != "get":
        return None
    ok: dict[str, Any] = json_ok("Comparison", "The comparison table.")
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
            query_parameter(
                "ids",
                f"2 to {MAX_ENTITIES} comma-separated names ({NAME_DESCRIPTION})",
                {"type": "string", "minLength": 1},
                required=True,
            ),
            LANG,
            format_parameter(["json", "csv", "markdown", "html", "text"]),
        ],
        "responses": {**ok, **problems(400, 404, 406)},
    }


def explain_operation(method: str) -> dict[str, Any] | None:
    if method != "get":
        return None
    parameters = [
        query_parameter(
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
        "responses": {**json_ok("Explanation", "The explanation."), **problems(400, 404)},
    }


def classify_operation(method: str) -> dict[str, Any] | None:
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
            **json_ok("Classification", "The inferred classes and values, with proofs."),
            **problems(400, 413, 415),
        },
    }


def identify_operation(method: str) -> dict[str, Any] | None:
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
                    "schema": ref("Evidence"),
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
            **json_ok("Identification", "The layers, and the two programs' answers."),
            **problems(400, 413, 415),
        },
    }


def consistency_operation(method: str) -> dict[str, Any] | None:
    if method != "get":
        return None
    return {
        "operationId": "consistency",
        "tags": ["reasoning"],
        "summary": "The consistency report of the served graph",
        "responses": json_ok("Consistency", "The report."),
    }


def queries_operation(method: str) -> dict[str, Any] | None:
    if method != "get":
        return None
    return {
        "operationId": "listQueries",
        "tags": ["queries"],
        "summary": "The stored queries, with their typed parameters",
        "parameters": [
            query_parameter("tag", "Keep the queries with this tag.", {"type": "string"})
        ],
        "responses": json_ok("QueryList", "The stored queries."),
    }


def simple(
    operation_id: str, summary: str, media_type: str, tag: str, schema: str | None = None
) -> Any:
    """A GET answering `media_type`: with the named `schema`, or as text."""
    body = ref(schema) if schema else {"type": "string"}

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
