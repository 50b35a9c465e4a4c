"""`GET /robots.txt`: what crawlers may fetch on a public deployment.

The pages and documents of the graph's terms (`/`, `/resource/…`, `/ontology/…`, `/entity`) are
worth indexing. The endpoints that compute are not: a crawler follows every query, export and
comparison link the pages hold, and each costs an app process up to the time limit. Nor are the
ones that write, or that only describe the service to programs. A path is refused here by its
prefix, as robots.txt matches them.
"""

from __future__ import annotations

from flask import Blueprint, Response

from kgapi.web import export_api, graph_store_api, sparql_endpoint, write_api

blueprint = Blueprint("crawlers", __name__)

REFUSED_PREFIXES = (
    sparql_endpoint.PATH,  # and /sparql/asserted
    export_api.PATH,
    "/api/",
    "/graph",  # the graph view, and the named graphs' whole documents (/graph/{name})
    "/compare",
    "/identify",
    "/curate",
    graph_store_api.PATH,
    write_api.UPDATE_PATH,
    "/metrics",
    "/openapi.json",
    "/docs",
)
ROBOTS_TXT = "User-agent: *\n" + "".join(f"Disallow: {prefix}\n" for prefix in REFUSED_PREFIXES)


@blueprint.get("/robots.txt")
def robots() -> Response:
    response = Response(ROBOTS_TXT, mimetype="text/plain")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
