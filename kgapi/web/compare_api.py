"""`GET /api/compare?ids=a,b[,c…]`: 2 to 10 entities side by side.

JSON by default; CSV, Markdown, HTML (and plain text) by negotiation or `format=`. `ids` is
comma-separated (or repeated); every name may be an IRI, prefixed name, slug or en/zh label.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from kgapi.read.comparison import MAX_ENTITIES, compare
from kgapi.read.comparison_formats import to_csv, to_html, to_markdown, to_text
from kgapi.web.api_common import (
    API_JSON,
    CSV,
    HTML,
    MARKDOWN,
    TEXT,
    ApiProblem,
    choose,
    json_response,
    language,
    lookups,
    register,
    resolve,
)

blueprint = register(Blueprint("api_compare", __name__))

COMPARE_FORMATS = (API_JSON, CSV, MARKDOWN, HTML, TEXT)
RENDERERS = {CSV.name: to_csv, MARKDOWN.name: to_markdown, HTML.name: to_html, TEXT.name: to_text}


@blueprint.get("/api/compare")
def compare_entities() -> Response:
    """One row per attribute, one column per entity; rows marked shared or differing."""
    names = [
        name.strip()
        for value in request.args.getlist("ids")
        for name in value.split(",")
        if name.strip()
    ]
    if not names:
        raise ApiProblem(
            400,
            "give 2 to 10 names in ids= (comma-separated)",
            slug="invalid-parameter",
            parameter="ids",
        )
    if len(names) > MAX_ENTITIES:
        raise ApiProblem(
            400,
            f"compare at most {MAX_ENTITIES} entities, not {len(names)}",
            slug="invalid-parameter",
            parameter="ids",
        )
    chosen = choose(COMPARE_FORMATS)
    reader = lookups().reader_for(language())
    comparison = compare(reader, [resolve("ids", name) for name in names])
    if chosen is API_JSON:
        return json_response(comparison.to_dict())
    body = RENDERERS[chosen.name](comparison)
    response = Response(body, mimetype=chosen.media_type)
    response.vary.add("Accept")
    return response
