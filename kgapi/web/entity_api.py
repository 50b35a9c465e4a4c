"""`GET /api/entities/{id}` (one entity) and `GET /api/search` (ranked label search).

The entity is JSON by default and Turtle, JSON-LD, N-Triples or RDF/XML by negotiation or
`format=`; `explain=true` adds the proof of every inferred type (why Xen is a Type-1 hypervisor).
`{id}` takes any name; full IRIs, whose `//` a path may not keep, can go in `?id=` instead.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, request, url_for
from rdflib import RDF, URIRef

from kgapi.graph.documents import triples_of
from kgapi.parameters import parse_boolean, parse_integer
from kgapi.read.entities import describe_entity, entity_graph
from kgapi.read.kinds import KINDS
from kgapi.reasoning.explanation import explain
from kgapi.web import delivery
from kgapi.web.api_common import (
    API_JSON,
    ApiProblem,
    argument,
    choose,
    json_response,
    language,
    lookups,
    register,
    resolve,
)
from kgapi.web.negotiation import FORMATS
from kgapi.web.state import services

blueprint = register(Blueprint("api_entities", __name__))

ENTITY_FORMATS = (
    API_JSON,
    *(item for item in FORMATS if item.name in ("turtle", "jsonld", "ntriples", "rdfxml")),
)
EXPORT_FORMATS = ("turtle", "jsonld", "graphml", "cytoscape")


@blueprint.get("/api/entities/<path:id>")
def entity(id: str) -> Response:  # the design's name for the path parameter
    """One entity: labels, definitions, types, statements, contested claims and sources."""
    return _describe(id)


@blueprint.get("/api/entities")
def entity_by_parameter() -> Response:
    """The same as `/api/entities/{id}`, with the name in `?id=` (for full IRIs)."""
    name = argument("id")
    if not name:
        raise ApiProblem(400, "give the entity's name in id=", parameter="id")
    return _describe(name)


def _describe(name: str) -> Response:
    iri = resolve("id", name)
    chosen = choose(ENTITY_FORMATS)
    lang = language()
    reader = lookups().reader_for(lang)
    if chosen is not API_JSON:  # the same document as the entity's IRI gives
        response = delivery.rdf_document(
            lambda: triples_of(entity_graph(reader, iri)),
            chosen,
            (services().knowledge.version, iri),
        )
        response.vary.add("Accept")
        return response
    data = describe_entity(reader, iri).to_dict()
    data["links"] = _links(iri, data["curie"])
    if _flag("explain"):
        for entry in data["types"]:
            if entry["status"] == "inferred":
                proof = explain(services().knowledge, (iri, RDF.type, URIRef(entry["iri"])))
                entry["explanation"] = proof.to_dict()
    return json_response(data)


def _links(iri: URIRef, curie: str) -> dict[str, Any]:
    focus = curie if curie != str(iri) else str(iri)
    return {
        "self": url_for("api_entities.entity_by_parameter", id=str(iri)),
        "turtle": url_for("api_entities.entity_by_parameter", id=str(iri), format="turtle"),
        "jsonld": url_for("api_entities.entity_by_parameter", id=str(iri), format="jsonld"),
        "exports": {
            name: "/export?"
            + urlencode({"scope": "neighbourhood", "focus": focus, "depth": 1, "format": name})
            for name in EXPORT_FORMATS
        },
        "explain_types": url_for("api_entities.entity_by_parameter", id=str(iri), explain="true"),
    }


@blueprint.get("/api/search")
def search() -> Response:
    """Labels and aliases (en, zh) matching `q`: exact, then prefix, then substring, best first."""
    query = argument("q", "")
    lang = language() if "lang" in request.args else None
    limit_text = argument("limit", "20")
    try:
        limit = parse_integer(limit_text)
    except ValueError as error:
        raise ApiProblem(
            400,
            f"limit {error}, not {limit_text!r}",
            slug="invalid-parameter",
            parameter="limit",
        ) from error
    type_name = argument("type") or None
    kind, of_type = None, None
    if type_name is not None:
        if type_name in KINDS:
            kind = type_name
        else:
            of_type = resolve("type", type_name)
    results = lookups().search.search(query, lang=lang, kind=kind, of_type=of_type, limit=limit)
    return json_response(
        {
            "query": query,
            "lang": lang,
            "type": type_name,
            "limit": limit,
            "results": [result.to_dict() for result in results],
        }
    )


def _flag(name: str) -> bool:
    value = argument(name, "false")
    try:
        return parse_boolean(value or "false")
    except ValueError as error:
        raise ApiProblem(
            400,
            f"{name}: {error}, not {value!r}",
            slug="invalid-parameter",
            parameter=name,
        ) from error
