"""Who is asking: bearer tokens (RFC 6750) checked against the operator's token store.

Writes always need a token with the right scope; reads need one only when the operator closes
them (`open_reads` off). A missing or unknown token is 401 with `WWW-Authenticate: Bearer`, a
token whose scope does not cover the request 403. The token itself is never logged or echoed.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import ServiceUnavailable

from kgapi.curation.changelog import ChangeLogError
from kgapi.curation.stores import token_store_for
from kgapi.curation.tokens import Token
from kgapi.web.problems import problem
from kgapi.web.state import Services

REALM = "kgapi"
# Liveness stays open for load balancers; the UI's assets carry no data.
ALWAYS_OPEN_PATHS = ("/healthz",)
ALWAYS_OPEN_PREFIXES = ("/assets/",)


class Unauthorized(Exception):
    """No usable credential (401), or one whose scope does not cover the request (403)."""

    def __init__(self, status: int, detail: str, *, error: str = "invalid_token") -> None:
        self.status, self.detail, self.error = status, detail, error
        super().__init__(detail)


def install(app: Flask, state: Services) -> None:
    """Give `state` the token store and, with reads closed, check every request's token."""
    settings = state.settings
    if settings.writes or not settings.open_reads:
        state.tokens = token_store_for(settings)

    @app.errorhandler(Unauthorized)
    def render(error: Unauthorized) -> Response:
        return refusal(error)

    if settings.open_reads:
        return

    @app.before_request
    def require_token() -> None:
        path = request.path
        if path in ALWAYS_OPEN_PATHS or path.startswith(ALWAYS_OPEN_PREFIXES):
            return
        if request.method == "OPTIONS":
            return
        presented_token(state, required=True)


def presented_token(state: Services, *, required: bool) -> Token | None:
    """The request's valid token; None if it sent none and none is `required`. Raises
    Unauthorized for a malformed or unknown token, or a missing one that is required."""
    header = request.headers.get("Authorization")
    if header is None:
        if required:
            raise Unauthorized(401, "this request needs a bearer token", error="")
        return None
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        # Another scheme is no token: the challenge alone, without an error (RFC 6750 §3.1).
        raise Unauthorized(401, "send the token as 'Authorization: Bearer <token>'", error="")
    if not secret.strip():
        raise Unauthorized(401, "send the token as 'Authorization: Bearer <token>'")
    try:
        token = state.tokens.verify(secret.strip()) if state.tokens is not None else None
    except ChangeLogError as error:  # the tokens are in a database that does not answer
        raise ServiceUnavailable(
            f"the token cannot be checked now: {error}", retry_after=5
        ) from error
    if token is None:
        raise Unauthorized(401, "the bearer token is not valid (unknown or revoked)")
    return token


def refusal(error: Unauthorized) -> Response:
    response = problem(error.status, error.detail)
    if error.status == 401:
        challenge = f'Bearer realm="{REALM}"'
        if error.error:
            challenge += f', error="{error.error}"'
        response.headers["WWW-Authenticate"] = challenge
    return response
