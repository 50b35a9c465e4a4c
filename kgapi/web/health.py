"""`GET /healthz`: liveness, with the graph version, triple counts, closure time and consistency."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from kgapi.curation.changelog import ChangeLogError
from kgapi.web.state import Services, services

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
        **_log_state(state),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/readyz")
def readyz() -> Response:
    """200 while this instance serves the change log's latest versions (behind by at most
    `max_lag_versions`), else 503: load balancers route around an instance that lags. Without
    writes, always ready."""
    state = services()
    found = _log_state(state)
    lag = found.get("log", {}).get("lag")
    ready = lag is None or lag <= state.settings.max_lag_versions
    response = jsonify(ready=ready, **found)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    if not ready:
        response.headers["Retry-After"] = "1"
    return response


def _log_state(state: Services) -> dict[str, Any]:
    """The change log as this instance sees it: the version it serves, how many it has yet to
    apply (None when the log cannot be read), whether the log answers, and the snapshot this
    instance started from (None: it replayed the log from its first version)."""
    live = state.live
    if live is None:
        return {}
    try:
        lag: int | None = live.pending()
    except ChangeLogError:
        lag = None
    return {
        "log": {
            "version": live.version,
            "lag": lag,
            "reachable": lag is not None,
            "database": bool(state.settings.database_url),
            "started_from_snapshot": live.start.version if live.start else None,
        }
    }
