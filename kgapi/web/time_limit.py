"""The time limit on a request's own work: SPARQL queries, stored queries and exports.

Under gunicorn the work runs in the worker, watched by the executor's watchdog
(kgapi.query_executor): when it outlasts `query_timeout`, the watchdog writes the 503 to the
client's socket itself, through the app's after-request hooks (CORS, request metrics) in a
request context of its own, and the worker is killed and replaced. Elsewhere (Flask's test
client, another WSGI server) there is no socket to answer on and no process to spare: SPARQL
queries then run in the executor's child, and other work runs without a limit.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Response, current_app, request

from kgapi.web.api import problem_response
from kgapi.web.state import services

Render = Callable[[float], Response]  # the 503 for a limit of so many seconds


def stopped_detail(seconds: float) -> str:
    """What a client whose work was stopped at the time limit is told."""
    return (
        f"the work was stopped after {seconds:g} s (setting query_timeout); "
        "narrow the request (a simpler query, a LIMIT, a smaller scope)"
    )


def stopped_problem(seconds: float) -> Response:
    """The problem+json 503 of the API and export routes."""
    return problem_response(503, "Service Unavailable", stopped_detail(seconds), slug="time-limit")


def timeout_answer(render: Render) -> Callable[[], None] | None:
    """What the watchdog calls when this request's work overruns: send `render`'s response on
    the client's socket. None when the request did not come through gunicorn."""
    client = request.environ.get("gunicorn.socket")
    if not isinstance(client, socket.socket):
        return None
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    environ = request.environ
    seconds = services().settings.query_timeout

    def answer() -> None:
        with app.request_context(environ):
            metrics = app.extensions.get("kgapi.metrics")
            if metrics is not None:
                metrics.query_timeouts.inc()
            response = app.process_response(render(seconds))
        head = [f"HTTP/1.1 {response.status}"]
        head += [f"{name}: {value}" for name, value in response.headers.items()]
        head.append("Connection: close")
        client.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.get_data())
        client.shutdown(socket.SHUT_WR)

    return answer


@contextmanager
def time_limited(render: Render = stopped_problem) -> Iterator[None]:
    """Run the block (this request's work) under the time limit, answered by `render`."""
    with services().executor.watched(timeout_answer(render)):
        yield
