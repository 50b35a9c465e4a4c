"""How the HTTP front (kgapi.web.front) reads a request's body: whole, and within bounds.

- At most `max_request_bytes`: 413 at once when its Content-Length says more, or as soon as a
  chunked one passes it.
- Within BODY_SECONDS of the headers (408), and whole: a body that ends before its
  Content-Length, or that Granian marks broken off, is 400, never taken for the whole.
- Its content coding undone (gzip, deflate: kgapi.web.intake), since the front tells writes
  from reads by the body.
- Bodies past SMALL_BODY held together up to LARGE_BODIES times `max_request_bytes`; past that
  a request is 503 with Retry-After. Each body may take BODY_SECONDS to arrive, so without the
  bound clients could make the front hold 8 GB (8,192 connections, 1 MB each); small bodies,
  the queries of ordinary clients, are never counted.
"""

from __future__ import annotations

import asyncio
from typing import Any

from kgapi.web.intake import BodyCodingError, decoded_body
from kgapi.web.problems import Refused

BODY_SECONDS = 30.0
# Bodies up to this size are held without count (8,192 connections hold at most 512 MiB of
# them); all larger ones together up to LARGE_BODIES times max_request_bytes.
SMALL_BODY = 64 * 1024
LARGE_BODIES = 64


class LargeBodies:
    """The bytes of the large request bodies the front holds, all requests together, and their
    bound. Each may be max_request_bytes and take BODY_SECONDS to arrive: 150 clients sending
    all but the last byte of 1 MB bodies grew the front by 200 MiB, and 8,192 could make it
    hold 8 GB."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0


class BodyHeld:
    """One request's body, as counted in LargeBodies once it is past SMALL_BODY."""

    def __init__(self, bodies: LargeBodies) -> None:
        self.bodies = bodies
        self.counted = 0

    def grow_to(self, size: int) -> None:
        """Count `size` bytes of this body; Refused (503) if that would pass the bound."""
        if size <= SMALL_BODY or size <= self.counted:
            return
        if self.bodies.held + size - self.counted > self.bodies.limit:
            detail = (
                f"the server holds as many large request bodies as it may ({LARGE_BODIES} "
                "times max_request_bytes, all clients together); try again"
            )
            raise Refused(503, detail, "bodies-held", {"Retry-After": "1"})
        self.bodies.held += size - self.counted
        self.counted = size

    def let_go(self) -> None:
        self.bodies.held -= self.counted
        self.counted = 0


class BodyReader:
    """Reads bodies of at most `max_request_bytes`, the large ones counted together."""

    def __init__(self, max_request_bytes: int) -> None:
        self.max_request_bytes = max_request_bytes
        self.large = LargeBodies(LARGE_BODIES * max_request_bytes)

    def held(self) -> BodyHeld:
        """A new request's body, counted once it is large."""
        return BodyHeld(self.large)

    async def read(self, protocol: Any, declared: int | None, held: BodyHeld) -> bytes:
        """The whole body, as it arrives; Refused past the size or time limit, or cut short
        (`declared`: its Content-Length, None for a chunked one)."""
        if declared is not None and declared > self.max_request_bytes:
            raise self._too_large()  # said by its Content-Length: not waited for
        try:
            async with asyncio.timeout(BODY_SECONDS):  # no task of its own, as wait_for makes
                body = await self._joined(protocol, held)
        except TimeoutError:
            detail = f"the body took longer than {BODY_SECONDS:g} s to arrive"
            raise Refused(408, detail, "http-408") from None
        if declared is not None and len(body) != declared:
            detail = f"the body ended after {len(body)} of its {declared} bytes (Content-Length)"
            raise Refused(400, detail, "http-400")
        return body

    async def _joined(self, protocol: Any, held: BodyHeld) -> bytes:
        """The body's chunks joined. Granian ends a body with one empty chunk; when its client
        leaves in the middle, it gives another (and ends all the same): such a body is cut
        short, and what arrived of it, an update say, must not be taken for the whole."""
        parts: list[bytes] = []
        size = 0
        ended = False
        async for chunk in protocol:
            if ended:
                raise Refused(400, "the body broke off before its end", "http-400")
            if not chunk:
                ended = True
                continue
            size += len(chunk)
            if size > self.max_request_bytes:
                raise self._too_large()
            held.grow_to(size)
            parts.append(chunk)
        return b"".join(parts)

    def _too_large(self) -> Refused:
        detail = f"the request body is larger than max_request_bytes ({self.max_request_bytes})"
        return Refused(413, detail, "http-413")

    async def decoded(self, environ: dict[str, Any], body: bytes, held: BodyHeld) -> bytes:
        """`body` with its content coding undone (in a thread: zlib lets go of the GIL), since
        the front tells writes from reads by the body; Refused if it cannot be."""
        coding = environ.pop("HTTP_CONTENT_ENCODING", "")
        if not coding or not body:
            return body
        try:
            plain = await asyncio.to_thread(decoded_body, body, coding, self.max_request_bytes)
        except BodyCodingError as error:
            slug = f"http-{error.status}"
            raise Refused(error.status, error.detail, slug, error.headers()) from None
        held.grow_to(len(plain))
        return plain


def declared_length(scope: Any) -> int | None:
    """The length of the body a request declares: its Content-Length, 0 without one (no body,
    RFC 9112 §6.3; the server speaks HTTP/1.1 alone), None for a chunked one. Most requests are
    GETs without, which then skip a wait on Granian."""
    headers = scope.headers
    if "transfer-encoding" in headers:
        return None
    length = (headers.get("content-length") or "0").strip()
    return int(length) if length.isdigit() else None  # (Granian refuses a malformed one)
