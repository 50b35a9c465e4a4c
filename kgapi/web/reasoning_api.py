"""`GET /api/explain`, `POST /api/classify` and `GET /api/consistency` over the reasoning core.

`s`, `p` and `o` take names (`a` for rdf:type); `o` may also be an N-Triples literal such as
`"true"^^xsd:boolean`. A triple that does not hold is a 200 answer with status "does-not-hold".
`/api/classify` takes JSON (`application/json`) or Turtle (`text/turtle`) and stores nothing.
"""

from __future__ import annotations

import warnings

from flask import Blueprint, Response, request
from rdflib import RDFS, XSD, Literal, URIRef
from rdflib.term import Node

from kgapi.read.names import read_literal
from kgapi.reasoning.classification import classify
from kgapi.reasoning.explanation import explain as explain_triple
from kgapi.web.api_common import (
    ApiProblem,
    argument,
    choose,
    json_response,
    lookups,
    register,
    require_media_type,
    resolve,
)
from kgapi.web.intake import body_text
from kgapi.web.negotiation import Format
from kgapi.web.state import services

blueprint = register(Blueprint("api_reasoning", __name__))

CLASSIFY_MEDIA_TYPES = ("application/json", "text/turtle")
JSON = Format("json", "application/json", "json", "explanation")
TEXT = Format("text", "text/plain", "txt", "explanation")
EXPLANATION_FORMATS = (JSON, TEXT)


@blueprint.get("/api/explain")
def explain() -> Response:
    """Why a triple holds: the files asserting it, or its OWL 2 RL proof down to asserted ones."""
    parts = {}
    for name in ("s", "p", "o"):
        value = argument(name, "")
        if not value.strip():
            raise ApiProblem(
                400,
                f"give the triple's {name}= (a name, or a literal for o=)",
                slug="invalid-parameter",
                parameter=name,
            )
        parts[name] = value
    chosen = choose(EXPLANATION_FORMATS)
    predicate = resolve("p", parts["p"])
    triple = (resolve("s", parts["s"]), predicate, _object(parts["o"], predicate))
    explanation = explain_triple(services().knowledge, triple)
    if chosen is TEXT:
        response = Response(explanation.to_text(), mimetype="text/plain")
        response.vary.add("Accept")
        return response
    return json_response({"holds": explanation.holds, **explanation.to_dict()})


def _object(text: str, predicate: Node) -> Node:
    """`o=`: a quoted literal; a bare value of the predicate's datatype range (`true` for an
    xsd:boolean property, `2008` for an xsd:gYear one); or a name."""
    if not text.lstrip().startswith('"'):
        graph = lookups().reader.asserted
        datatype = graph.value(predicate, RDFS.range)
        if isinstance(datatype, URIRef) and str(datatype).startswith(str(XSD)):
            with warnings.catch_warnings():  # rdflib warns of what `ill_typed` then reports
                warnings.simplefilter("ignore")
                value = Literal(text.strip(), datatype=datatype)
            if value.ill_typed:
                range_name = datatype.n3(graph.namespace_manager)
                raise ApiProblem(
                    400,
                    f"{text!r} is not a value of {range_name}, the range of the property",
                    slug="invalid-parameter",
                    parameter="o",
                )
            return value
        return resolve("o", text)
    try:
        return read_literal(text, lookups().reader.asserted.namespace_manager)
    except ValueError as error:
        raise ApiProblem(400, str(error), slug="invalid-parameter", parameter="o") from error


@blueprint.post("/api/classify")
def classify_description() -> Response:
    """Reason over a described product without storing it: its inferred classes, with proofs."""
    require_media_type(CLASSIFY_MEDIA_TYPES, "the description")
    text = body_text("the description")
    if request.mimetype == "application/json" and not text.lstrip().startswith("{"):
        raise ApiProblem(400, "a JSON description must be an object")
    if request.mimetype == "text/turtle" and text.lstrip().startswith("{"):
        raise ApiProblem(400, "a Turtle description cannot start with '{'")
    result = classify(services().knowledge, text)
    return json_response(result.to_dict())


@blueprint.get("/api/consistency")
def consistency() -> Response:
    """The consistency report of the served graph (computed once, when it was reasoned)."""
    report = services().knowledge.consistency
    return json_response({"version": services().knowledge.version, **report.to_dict()})
