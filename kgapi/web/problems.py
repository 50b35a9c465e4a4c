"""The one JSON error shape (RFC 9457 `application/problem+json`) and the app's error handlers.

Every route answers errors as a problem document (type, title, status, detail), except the SPARQL
endpoint, whose protocol errors are plain text as the SPARQL 1.1 Protocol expects.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.http import HTTP_STATUS_CODES

from kgapi.processes import end_when_answered

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://w3id.org/kgapi/problems/"


# The detail of a 500: what went wrong is for the log, not for the client.
FAILED = "the server failed; the error has been logged"
OUT_OF_MEMORY = (
    "the request needed more memory than an app process may use (setting "
    "max_worker_memory_mb); narrow it (a smaller scope, a LIMIT)"
)
RAN_OUT_OF_MEMORY = "it ran out of memory (setting max_worker_memory_mb)"  # why a process ends


def stopped_detail(seconds: float) -> str:
    """What a client whose request was stopped at the time limit is told (API and exports)."""
    return (
        f"the work was stopped after {seconds:g} s (setting query_timeout); "
        "narrow the request (a simpler query, a LIMIT, a smaller scope)"
    )


def stopped_query_message(seconds: float) -> str:
    """The same for the SPARQL endpoint, whose errors are plain text."""
    return (
        f"Service Unavailable: the query was stopped after {seconds:g} s "
        "(setting query_timeout); simplify it or add a LIMIT"
    )


class Refused(Exception):
    """A request the HTTP front (kgapi.web.front) answers itself with an error: status, detail,
    problem slug, and any header the answer needs. The title is the status's (`title_of`), as
    the app's errors' are."""

    def __init__(
        self, status: int, detail: str, slug: str, headers: dict[str, str] | None = None
    ) -> None:
        self.status, self.title, self.detail, self.slug = status, title_of(status), detail, slug
        self.headers = headers or {}
        super().__init__(detail)


def problem(
    status: int, detail: str, *, title: str | None = None, slug: str | None = None
) -> Response:
    """A problem+json response; `slug` names the problem type (default: `http-<status>`), and
    `title` is the status's own (from the table werkzeug names every HTTP error by) unless the
    problem type has a title of its own."""
    body = {
        "type": f"{PROBLEM_TYPE_BASE}{slug or f'http-{status}'}",
        "title": title or title_of(status),
        "status": status,
        "detail": detail,
    }
    return Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MEDIA_TYPE
    )


def title_of(status: int) -> str:
    """The one table of titles: what werkzeug names each status (and its own errors) by."""
    return HTTP_STATUS_CODES.get(status, "Error")


def plain_text(status: int, message: str) -> Response:
    """A plain-text error, the SPARQL endpoint's protocol error shape."""
    return Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain")


def register_error_handlers(
    app: Flask,
    *,
    plain_text_paths: tuple[str, ...],
    unknown_url_page: Callable[[], Response | None] | None = None,
) -> None:
    """Map HTTP errors to problem documents (plain text under `plain_text_paths`), bugs to 500.

    `unknown_url_page` answers a 404 for a URL that names no route (outside /api/) when it
    gives a response: the pages' own not-found page, for a browser.
    """

    def render(error: HTTPException) -> Response:
        status = error.code or 500
        if (
            status == 404
            and unknown_url_page is not None
            and request.url_rule is None
            and not request.path.startswith("/api/")
        ):
            page = unknown_url_page()
            if page is not None:
                return page
        title = error.name
        detail = error.description or title
        if request.path.rstrip("/") in plain_text_paths:
            response = plain_text(status, f"{title}: {detail}")
        else:
            response = problem(status, detail, title=title)
        headers = dict(error.get_headers())
        # 405, 415 (a content coding) and 503 carry meaning in these
        for header in ("Allow", "Accept-Encoding", "Retry-After"):
            if header in headers:
                response.headers[header] = headers[header]
        return response

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> Response:
        return render(error)

    @app.errorhandler(MemoryError)
    def handle_memory_error(error: MemoryError) -> Response:
        # Whatever was being built when the allocation failed may be half built (for the
        # writer, a change half applied): this process answers, then ends.
        log.error("%s %s ran out of memory; its app process ends", request.method, request.path)
        end_when_answered(RAN_OUT_OF_MEMORY)
        return render(ServiceUnavailable(OUT_OF_MEMORY))

    @app.errorhandler(Exception)
    def handle_bug(error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render(InternalServerError(FAILED))
