"""How responses leave the app: ETag and 304, Cache-Control, gzip, and CORS without credentials.

The graph is immutable between builds, so a response is named by the graph version, the request
and the negotiated format; a client holding that ETag gets 304 without any query being run.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Flask, Response, abort, g, request
from werkzeug.http import parse_etags, unquote_etag

from kgapi.graph.documents import NotWritable, canonical, write_rdf
from kgapi.web.negotiation import Format, qvalue
from kgapi.web.state import services

CACHE_CONTROL = "public, max-age=60, must-revalidate"
# Below this many bytes gzip costs more time than it saves on the wire.
GZIP_MIN_BYTES = 860
GZIP_LEVEL = 6
VARY = ("Vary", "Accept, Accept-Encoding")
# Documents a browser would run scripts in. The UI pages set their own policy; any other HTML
# (an export table, a comparison) and every SVG export may style itself and nothing more.
ACTIVE_MEDIA_TYPES = frozenset({"text/html", "image/svg+xml", "application/xhtml+xml"})
DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


@dataclass
class Representation:
    """A response body ready to send again; its gzipped form is computed once, on first need."""

    body: bytes
    media_type: str
    etag: str
    _gzipped: bytes | None = field(default=None, repr=False)

    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=GZIP_LEVEL, mtime=0)
        return self._gzipped


def entity_tag(*parts: object) -> str:
    """A strong ETag (quoted) naming the representation described by `parts`."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:24]
    return f'"{digest}"'


def accepts_gzip(header: str | None) -> bool:
    """True if Accept-Encoding allows gzip (or `*`) with a q-value above zero."""
    for part in (header or "").lower().split(","):
        coding, *parameters = part.split(";")
        if coding.strip() not in ("gzip", "*"):
            continue
        quality = next((p.split("=", 1)[1] for p in parameters if p.strip().startswith("q=")), "1")
        return qvalue(quality) > 0
    return False


def not_modified(etags: Iterable[str]) -> bool:
    """True if the request's If-None-Match names one of `etags` (weak comparison, RFC 9110)."""
    header = request.headers.get("If-None-Match")
    return header is not None and any(names_etag(header, etag) for etag in etags)


def names_etag(if_none_match: str, etag: str) -> bool:
    """Whether the If-None-Match field value names `etag` (as sent: quoted) or is `*`, by weak
    comparison (RFC 9110 §8.8.3.2)."""
    return parse_etags(if_none_match).contains_weak(unquote_etag(etag)[0] or "")


def gzip_variant(etag: str) -> str:
    """The ETag of the gzip-encoded form of the representation tagged `etag`."""
    return f'{etag[:-1]}-gzip"'


def respond(representation: Representation, *, status: int = 200) -> Response:
    """Send `representation` with ETag and Cache-Control; 304 or gzipped when the request allows.

    The headers are given whole to the constructor: this is the path of every cached answer,
    and setting them one by one (Vary parsed and written again per value) cost a tenth of it.
    """
    environ = request.environ
    zipped = accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING"))
    zipped = zipped and len(representation.body) >= GZIP_MIN_BYTES
    etag = gzip_variant(representation.etag) if zipped else representation.etag
    headers = [("ETag", etag), ("Cache-Control", CACHE_CONTROL), VARY]
    if "HTTP_IF_NONE_MATCH" in environ and not_modified(
        (representation.etag, gzip_variant(representation.etag))
    ):
        return Response(status=304, headers=headers)
    headers.append(("Content-Type", representation.media_type))
    if zipped:
        headers.append(("Content-Encoding", "gzip"))
        return Response(representation.gzipped(), status=status, headers=headers)
    return Response(representation.body, status=status, headers=headers)


# What a script of another origin may read besides the safelisted headers: the version an answer
# is of (to ask for it again with Kgapi-Min-Version), validators, a created graph's Location, the
# alternates (Link), a download's name, and why a write was refused or must wait.
EXPOSED_HEADERS = (
    "ETag, Location, Kgapi-Version, Link, Content-Disposition, WWW-Authenticate, Retry-After"
)


def install(app: Flask, *, cors_origins: tuple[str, ...], writes: bool = False) -> None:
    """Add gzip for every other large response, and CORS (no credentials) for `cors_origins`;
    with `writes`, preflights allow the write methods too (a bearer token is a header, not a
    credential in CORS's sense)."""
    allowed_methods = "GET, POST, PUT, DELETE, OPTIONS" if writes else "GET, POST, OPTIONS"

    @app.before_request
    def answer_preflight() -> Response | None:
        if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
            return None
        response = Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = allowed_methods
        asked = request.headers.get("Access-Control-Request-Headers")
        response.headers["Access-Control-Allow-Headers"] = asked or "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
        return response

    @app.after_request
    def finish(response: Response) -> Response:
        environ = request.environ  # read raw: this runs on every response
        headers = response.headers
        headers["X-Content-Type-Options"] = "nosniff"
        if g.get("kgapi_vary_language"):
            response.vary.add("Accept-Language")
        if g.get("kgapi_vary_accept"):  # (an answer chosen by Accept that negotiation did not make)
            response.vary.add("Accept")
        if "Content-Security-Policy" not in headers and response.mimetype in ACTIVE_MEDIA_TYPES:
            headers["Content-Security-Policy"] = DOCUMENT_CSP
        origin = environ.get("HTTP_ORIGIN")
        if origin and cors_origins:
            if "*" in cors_origins:
                response.headers["Access-Control-Allow-Origin"] = "*"
            elif origin in cors_origins:
                response.headers["Access-Control-Allow-Origin"] = origin
                response.vary.add("Origin")
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        if (
            response.status_code == 200
            and accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING"))
            and not response.direct_passthrough
            and "Content-Encoding" not in response.headers
        ):
            body = response.get_data()
            if len(body) >= GZIP_MIN_BYTES:
                response.set_data(gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0))
                response.headers["Content-Encoding"] = "gzip"
                response.vary.add("Accept-Encoding")
        return response


def rdf_document(
    make_triples: Callable[[], list[ox.Triple]], chosen: Format, names: tuple[object, ...]
) -> Response:
    """A document of the graph (an entity's description, a named graph): the triples
    `make_triples` gives, canonical and written in `chosen` (dataset formats put them in the
    default graph), with an ETag made of `names` and the format; kept in the response cache
    (the triples are gathered only when the cache lacks the answer)."""
    etag = entity_tag(*names, chosen.name)
    state = services()
    representation = state.cache.get(etag)
    if representation is None:
        try:
            triples = canonical(make_triples())
            body = write_rdf(triples, chosen.media_type, state.query_store.prefixes)
        except NotWritable as error:
            abort(406, description=str(error))
        representation = Representation(body, f"{chosen.media_type}; charset=utf-8", etag)
        state.cache.put(etag, representation, len(representation.body))
    return respond(representation)
