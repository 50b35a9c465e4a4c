"""`GET /metrics`: Prometheus metrics — requests by route and status, latency, query timeouts.

With several worker processes, prometheus_client's multiprocess mode aggregates every worker's
values; it is on when PROMETHEUS_MULTIPROC_DIR was set before prometheus_client was imported
(`kgapi serve` does that), and `create_app` passes that fact in as `multiprocess`.
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.exposition import choose_encoder

log = logging.getLogger(__name__)

blueprint = Blueprint("metrics", __name__)

EXTENSION_KEY = "kgapi.metrics"
STARTED_KEY = "kgapi.started"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    """The app's metrics, registered in a registry of their own (so apps never collide)."""

    def __init__(self, *, multiprocess_mode: bool) -> None:
        self.multiprocess_mode = multiprocess_mode
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "kgapi_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "kgapi_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.query_timeouts = Counter(
            "kgapi_sparql_query_timeouts",
            "SPARQL queries stopped at the time limit.",
            registry=self.registry,
        )
        self.cache_lookups = Counter(
            "kgapi_sparql_result_cache_lookups",
            "Lookups in the SPARQL response cache, by outcome (hit, miss).",
            ["outcome"],
            registry=self.registry,
        )

    def exposition(self, accept: str) -> tuple[bytes, str]:
        """(body, content type): Prometheus text 0.0.4, or OpenMetrics when `accept` asks."""
        encode, content_type = choose_encoder(accept)
        if self.multiprocess_mode:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return encode(registry), content_type
        return encode(self.registry), content_type


# The methods HTTP defines (RFC 9110 §9, RFC 5789). A method is any token, and each one a client
# sends would be a series of its own, without end: the others are counted as "other".
HTTP_METHODS = frozenset(
    ("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH")
)


def init_app(app: Flask, *, multiprocess_mode: bool) -> Metrics:
    """Create the app's metrics and time every request."""
    metrics = Metrics(multiprocess_mode=multiprocess_mode)
    app.extensions[EXTENSION_KEY] = metrics

    # One hook before and one after each request, the start time kept in the WSGI environ:
    # this runs on every request, the cheapest cached answers included.
    @app.before_request
    def start_timer() -> None:
        request.environ[STARTED_KEY] = time.perf_counter()

    @app.after_request
    def record(response: Response) -> Response:
        rule = request.url_rule
        route = rule.rule if rule is not None else "(unmatched)"
        try:
            method = request.method if request.method in HTTP_METHODS else "other"
            metrics.requests.labels(route, method, str(response.status_code)).inc()
            started = request.environ.get(STARTED_KEY)
            if started is not None:
                metrics.latency.labels(route).observe(time.perf_counter() - started)
        except OSError:  # the multiprocess files are gone or the disk is full: count no more
            log.exception("recording request metrics failed; the response is sent anyway")
        return response

    return metrics


@blueprint.get("/metrics")
def metrics_text() -> Response:
    metrics: Metrics = current_app.extensions[EXTENSION_KEY]
    body, content_type = metrics.exposition(request.headers.get("Accept", ""))
    response = Response(body)
    response.headers["Content-Type"] = content_type  # with its version=, as scrapers expect
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept")
    return response
