"""How request bodies enter the app: whole, decoded, in UTF-8, and never past `max_request_bytes`.

A body sent with `Content-Length` is refused above the limit by Flask itself (413). A chunked
body has no length to check, and a stream limited to the first N bytes would hand a view a
silently cut query or Turtle document; so a chunked body is read here, before any view, up to one
byte past the limit: beyond it the answer is 413, otherwise the view sees a plain body of known
length. The 413 is rendered by the app's error handlers, in the route's error shape.

A body sent with a content coding (`Content-Encoding: gzip`, RFC 9110 §8.4) is decoded here too,
by `decoded_body`, which the server's front also calls before it routes a request (it tells
writes from reads by the body). gzip and deflate are undone, never past `max_request_bytes` of
output, so a small body that inflates past the limit is 413 as the plain body would be; another
coding is 415 with `Accept-Encoding` naming those undone; a corrupt or cut body is 400.
"""

from __future__ import annotations

import codecs
import io
import zlib
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    RequestEntityTooLarge,
    UnsupportedMediaType,
    default_exceptions,
)

# The content codings undone, as a 415 names them in `Accept-Encoding` (RFC 9110 §12.5.3).
ACCEPTED_CODINGS = "gzip, deflate"
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_WBITS = {"gzip": _GZIP_WBITS, "x-gzip": _GZIP_WBITS, "deflate": zlib.MAX_WBITS}
# Each coding and each gzip member costs a pass over what follows it (zlib copies the rest of
# the input when a member ends): 50,000 empty members in a megabyte made the front copy 25 GB
# (0.7 s of CPU), outside any time limit. No client sends more than one of either; these leave room.
MAX_CODINGS = 4
MAX_GZIP_MEMBERS = 16


class BodyCodingError(Exception):
    """A body whose content coding cannot be undone: 415 (a coding not undone), 413 (larger
    than the limit once decoded) or 400 (not valid data of its coding)."""

    def __init__(self, status: int, detail: str) -> None:
        self.status, self.detail = status, detail
        super().__init__(detail)

    def headers(self) -> dict[str, str]:
        return {"Accept-Encoding": ACCEPTED_CODINGS} if self.status == 415 else {}


def decoded_body(body: bytes, content_encoding: str, limit: int) -> bytes:
    """`body` with the codings of `content_encoding` undone (listed in the order they were
    applied, so undone last first); raises BodyCodingError."""
    codings = [coding.strip().lower() for coding in content_encoding.split(",")]
    codings = [coding for coding in codings if coding and coding != "identity"]
    unknown = [coding for coding in codings if coding not in _WBITS]
    if unknown:
        raise BodyCodingError(
            415, f"the body's content coding {unknown[0]!r} is not one this server undoes"
        )
    if len(codings) > MAX_CODINGS:
        raise BodyCodingError(400, f"the body has more than {MAX_CODINGS} content codings")
    for coding in reversed(codings):
        body = _inflated(body, coding, limit)
    return body


def _inflated(data: bytes, coding: str, limit: int) -> bytes:
    """One coding undone, never more than `limit` bytes of output. gzip data may hold several
    members one after another (RFC 1952 §2.2); `deflate` is the zlib format, though some
    clients send raw deflate under that name, which is read too."""
    wbits = _WBITS[coding]
    parts: list[bytes] = []
    size = 0
    while True:
        if len(parts) == MAX_GZIP_MEMBERS:
            raise BodyCodingError(400, f"the body has more than {MAX_GZIP_MEMBERS} gzip members")
        inflater = zlib.decompressobj(wbits)
        try:
            part = inflater.decompress(data, limit + 1 - size)
        except zlib.error as error:
            if wbits == zlib.MAX_WBITS:  # not zlib-wrapped: try raw deflate
                wbits = -zlib.MAX_WBITS
                continue
            raise BodyCodingError(400, f"the body is not valid {coding} data ({error})") from None
        size += len(part)
        if size > limit:
            raise BodyCodingError(
                413, f"the request body is larger than max_request_bytes ({limit}) once decoded"
            )
        if not inflater.eof:
            raise BodyCodingError(400, f"the body's {coding} data is cut short")
        parts.append(part)
        data = inflater.unused_data
        if wbits != _GZIP_WBITS or not data.strip(b"\0"):  # (gzip may pad its end with zeros)
            break
    if data and wbits != _GZIP_WBITS:
        raise BodyCodingError(400, f"the body has data after its {coding} stream")
    return b"".join(parts)


class _UnsupportedCoding(UnsupportedMediaType):
    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [*super().get_headers(*args, **kwargs), ("Accept-Encoding", ACCEPTED_CODINGS)]


def _http_error(error: BodyCodingError) -> HTTPException:
    kind = _UnsupportedCoding if error.status == 415 else default_exceptions[error.status]
    return kind(error.detail)


def install(app: Flask, *, max_request_bytes: int) -> None:
    """Read chunked or coded request bodies whole before dispatch, refusing those above the
    limit, and hand the views their decoded bytes."""

    @app.before_request
    def take_body() -> None:
        environ = request.environ
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        coding = environ.get("HTTP_CONTENT_ENCODING", "")
        length = request.content_length or 0
        if length > max_request_bytes:
            raise _too_large(max_request_bytes)
        if chunked or length > 0:
            _require_utf8()
        if not chunked and not coding:
            return
        data = _read(environ, chunked, max_request_bytes)
        if coding and data:
            try:
                data = decoded_body(data, coding, max_request_bytes)
            except BodyCodingError as error:
                raise _http_error(error) from None
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        for header in ("HTTP_TRANSFER_ENCODING", "HTTP_CONTENT_ENCODING"):
            environ.pop(header, None)
        environ["wsgi.input_terminated"] = False
        # werkzeug keeps the request's stream and length once asked (the length was, above).
        for cached in ("stream", "content_length"):
            request.__dict__.pop(cached, None)


def body_text(what: str) -> str:
    """The request body as text (UTF-8, `without_bom`); 400 naming `what` if it is not UTF-8."""
    try:
        return without_bom(request.get_data()).decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"{what} is not UTF-8: {error.reason}") from error


# What a client names a body (or a part of one) whose type it does not know or will not say:
# requests and httpx send no Content-Type for bytes, browsers label a .ttl file
# application/octet-stream. A route that can tell its formats apart by the data reads it so.
UNTYPED = ("", "application/octet-stream")


def without_bom(data: bytes) -> bytes:
    """UTF-8 text less a leading byte order mark, as the WHATWG Encoding standard's UTF-8
    decode reads it: Windows editors write one, which no SPARQL or RDF parser here skips."""
    return data.removeprefix(b"\xef\xbb\xbf")


def _require_utf8() -> None:
    """Refuse (415) a body that declares a charset other than UTF-8 (or ASCII, a subset of it):
    SPARQL, Turtle, N-Triples and JSON are UTF-8, and pyoxigraph reads no other, its RDF/XML
    parser included. Names are read as Python's codecs know them (`UTF8`, `utf_8`, `646`)."""
    charset = request.mimetype_params.get("charset")
    if charset is None:
        return
    try:
        known = codecs.lookup(charset).name
    except LookupError:
        known = None
    if known not in ("utf-8", "ascii"):
        raise UnsupportedMediaType(f"the body's charset is {charset!r}: send UTF-8")


def _too_large(limit: int) -> RequestEntityTooLarge:
    return RequestEntityTooLarge(f"the request body is larger than max_request_bytes ({limit})")


def _read(environ: dict[str, Any], chunked: bool, limit: int) -> bytes:
    if chunked:
        data: bytes = environ["wsgi.input"].read(limit + 1)
        if len(data) > limit:
            raise _too_large(limit)
        return data
    length = request.content_length or 0  # (within the limit: `take_body` has seen to it)
    return environ["wsgi.input"].read(length) if length else b""
