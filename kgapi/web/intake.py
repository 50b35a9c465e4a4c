"""How request bodies enter the app: whole, and never past `max_request_bytes`.

A body sent with `Content-Length` is refused above the limit by Flask itself (413). A chunked
body has no length to check, and a stream limited to the first N bytes would hand a view a
silently cut query or Turtle document; so a chunked body is read here, before any view, up to one
byte past the limit: beyond it the answer is 413, otherwise the view sees a plain body of known
length. The 413 is rendered by the app's error handlers, in the route's error shape.
"""

from __future__ import annotations

import io

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge


def install(app: Flask, *, max_request_bytes: int) -> None:
    """Buffer chunked request bodies before dispatch, refusing those above the limit."""

    @app.before_request
    def buffer_chunked_body() -> None:
        environ = request.environ
        encoding = environ.get("HTTP_TRANSFER_ENCODING", "")
        if "chunked" not in encoding.lower():
            return
        data = environ["wsgi.input"].read(max_request_bytes + 1)
        if len(data) > max_request_bytes:
            raise RequestEntityTooLarge(
                f"the request body is larger than max_request_bytes ({max_request_bytes})"
            )
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = False
        # werkzeug made the request's stream from the environ when first asked; not yet here.
        request.__dict__.pop("stream", None)
