"""`GET /healthz`: liveness, with the graph version, triple counts, closure time and consistency."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from kgapi.web.state import services

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> Response:
    """Always 200 while the process serves; `consistency` says whether the graph is consistent."""
    state = services()
    knowledge, consistency = state.knowledge, state.knowledge.consistency
    response = jsonify(
        status="ok",
        version=state.query_store.version,
        ontology_version=knowledge.version,
        asserted_triples=knowledge.asserted_count,
        inferred_triples=knowledge.inferred_count,
        closure_seconds=round(knowledge.closure_seconds, 3),
        closure_cached=knowledge.cache_hit,
        consistency={"consistent": consistency.consistent, "issues": len(consistency.issues)},
        named_graphs=len(state.query_store.graph_sizes),
    )
    response.headers["Cache-Control"] = "no-store"
    return response
