"""Bearer tokens: created by the operator, stored hashed, each with a name and a scope.

Scopes: `read` (reads, where the operator closes them to the public), `write` (reads and
writes; with `graphs`, writes only to those graph IRIs) and `admin` (everything, reverts
included). A token is `kgapi_` + 32 random bytes (URL-safe Base64), so a SHA-256 of it is as good
as a slow password hash and lets a request be checked in microseconds. The file,
`tokens.json` in the data directory, holds only names, scopes and hashes; a check compares the
presented token's hash with every stored hash in constant time (hmac.compare_digest), so
timing tells nothing of which bytes matched.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

TOKENS_NAME = "tokens.json"
SCOPES = ("read", "write", "admin")
PREFIX = "kgapi_"


class TokenError(ValueError):
    """A token operation the store refuses (a duplicate or unknown name, a bad scope)."""


@dataclass(frozen=True)
class Token:
    """A stored token, without the secret."""

    name: str
    scope: str
    sha256: str
    created: str
    graphs: tuple[str, ...] = ()

    def may_write(self, graph: str) -> bool:
        if self.scope == "admin":
            return True
        return self.scope == "write" and (not self.graphs or graph in self.graphs)

    def may_administer(self) -> bool:
        return self.scope == "admin"


class TokenStore:
    """The tokens of one data directory."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / TOKENS_NAME
        self._cache: tuple[float, tuple[Token, ...]] | None = None

    def create(self, name: str, scope: str, *, graphs: tuple[str, ...] = ()) -> str:
        """Store a new token; returns its secret, which is never stored and never shown again."""
        secret, token = new_token(name, scope, graphs)
        with self._locked() as tokens:
            if any(existing.name == name for existing in tokens):
                raise TokenError(f"a token named {name!r} exists; revoke it first")
            tokens.append(token)
        return secret

    def revoke(self, name: str) -> None:
        with self._locked() as tokens:
            kept = [token for token in tokens if token.name != name]
            if len(kept) == len(tokens):
                raise TokenError(f"no token named {name!r}")
            tokens[:] = kept

    def all(self) -> list[Token]:
        return list(self._read())

    def verify(self, secret: str) -> Token | None:
        return matching(self._read(), secret)

    def _read(self) -> tuple[Token, ...]:
        """The stored tokens, re-read only when the file changed (revocations apply at once)."""
        try:
            stamp = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return ()
        if self._cache is not None and self._cache[0] == stamp:
            return self._cache[1]
        raw = json.loads(self.path.read_text(encoding="utf-8"))
        tokens = tuple(
            Token(
                name=entry["name"],
                scope=entry["scope"],
                sha256=entry["sha256"],
                created=entry["created"],
                graphs=tuple(entry.get("graphs", ())),
            )
            for entry in raw["tokens"]
        )
        self._cache = (stamp, tokens)
        return tokens

    @contextlib.contextmanager
    def _locked(self) -> Iterator[list[Token]]:
        """The tokens as a list to change, written back atomically under an exclusive lock."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with (self.path.parent / (TOKENS_NAME + ".lock")).open("a+b") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            self._cache = None
            tokens = list(self._read())
            yield tokens
            data = {"tokens": [{**asdict(token), "graphs": list(token.graphs)} for token in tokens]}
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tokens-")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    json.dump(data, stream, indent=2)
                    stream.flush()
                    os.fsync(stream.fileno())
                os.chmod(temporary, 0o600)
                os.replace(temporary, self.path)
            finally:
                Path(temporary).unlink(missing_ok=True)
            self._cache = None


def new_token(name: str, scope: str, graphs: tuple[str, ...]) -> tuple[str, Token]:
    """A new secret and the token to store for it; raises TokenError for a bad name or scope."""
    if scope not in SCOPES:
        raise TokenError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    if not name or not name.isprintable() or len(name) > 100:
        raise TokenError("a token's name is 1 to 100 printable characters")
    if graphs and scope != "write":
        raise TokenError("graphs limit a write token; read and admin tokens have no graphs")
    secret = PREFIX + secrets.token_urlsafe(32)
    created = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    return secret, Token(name, scope, _digest(secret), created, tuple(graphs))


def matching(tokens: Iterable[Token], secret: str) -> Token | None:
    """The token of `tokens` that `secret` is, or None; every hash is compared, in constant
    time, so timing tells nothing of which bytes matched or which token."""
    presented = _digest(secret).encode()
    found = None
    for token in tokens:
        if hmac.compare_digest(presented, token.sha256.encode()):
            found = token
    return found


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
