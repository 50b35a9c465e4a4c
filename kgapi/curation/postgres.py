"""The change log and the tokens in PostgreSQL (setting `database_url`): every instance a
reasoning, serving cache of one log of record.

The log is the table `kgapi_versions`, a row per version (its number, its parent, time, author,
message, and the RDF Patch with the counts in its header, exactly as the file log frames it).
A writer takes a transaction-scoped advisory lock, so writers on every instance take turns;
under it the instance catches up, validates and reasons as on one machine, and inserts the row
whose number is one past its parent's — the primary key refuses a second row on one parent, so
no write based on a stale version can land — and only the committed row is acknowledged.
Followers read the rows past the last they applied; each request asks for the newest number
first (an index-only lookup). When the database cannot be reached, reads go on from the last
version applied and writes answer 503.

Tokens are the table `kgapi_tokens`, so that a token made once is accepted by every instance.
"""

from __future__ import annotations

import contextlib
import datetime
import os
from collections.abc import Iterator
from typing import Any

import psycopg

from kgapi.curation.changelog import ChangeLogError, Snapshot, Version
from kgapi.curation.patch import PatchError
from kgapi.curation.tokens import Token, TokenError, matching, new_token

SCHEMA = """
CREATE TABLE IF NOT EXISTS kgapi_versions (
    id bigint PRIMARY KEY,
    parent bigint NOT NULL,
    time timestamptz NOT NULL,
    author text NOT NULL,
    message text NOT NULL DEFAULT '',
    patch text NOT NULL,
    CHECK (id = parent + 1)
);
CREATE TABLE IF NOT EXISTS kgapi_snapshots (
    version bigint PRIMARY KEY,
    time timestamptz NOT NULL DEFAULT now(),
    quads bytea NOT NULL
);
CREATE TABLE IF NOT EXISTS kgapi_tokens (
    name text PRIMARY KEY,
    scope text NOT NULL,
    sha256 text NOT NULL UNIQUE,
    created text NOT NULL,
    graphs text[] NOT NULL DEFAULT '{}'
);
"""
WRITERS_LOCK = 0x6B676170  # "kgap": the advisory lock writers take in turn
CONNECT_SECONDS = 3
_INHERITED: list[Any] = []  # connections a forked process got from its parent, left untouched


class DatabaseUnavailable(ChangeLogError):
    """The database cannot be reached (or refused the statement for a reason of its own)."""


class PostgresChangeLog:
    """The change log in PostgreSQL; positions are version numbers (see the module docstring)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._connection: psycopg.Connection[Any] | None = None
        self._owner = os.getpid()  # the process whose connection `_connection` is
        self._writing: psycopg.Connection[Any] | None = None
        self._schema_ready = False

    def size(self) -> int:
        """The newest version's number (0 for none): changed means new versions."""
        row = self._fetch_one("SELECT coalesce(max(id), 0) FROM kgapi_versions")
        return int(row[0])

    def read_from(self, offset: int) -> tuple[list[Version], int]:
        """The versions past number `offset`, in order, and the number of the last."""
        rows = self._fetch_all(
            "SELECT id, patch FROM kgapi_versions WHERE id > %s ORDER BY id", (offset,)
        )
        versions = []
        for number, patch in rows:
            try:
                versions.append(Version.from_patch(patch))
            except PatchError as error:
                raise ChangeLogError(f"version {number} in the database: {error}") from error
        return versions, versions[-1].id if versions else offset

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """One transaction holding the writers' lock: an `append` inside it is committed when
        the block ends, and rolled back if it raises."""
        connection = self._connect(fresh=True)
        try:
            with connection.transaction():
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (WRITERS_LOCK,))
                self._writing = connection
                yield
        except psycopg.OperationalError as error:
            raise DatabaseUnavailable(f"the database failed during the write: {error}") from error
        finally:
            self._writing = None
            connection.close()

    def append(self, version: Version, *, after: int) -> int:
        """Insert `version` as the one after number `after` (inside `exclusive`); its number."""
        connection = self._writing
        if connection is None:
            raise ChangeLogError("append outside exclusive()")
        if version.parent != after:
            raise ChangeLogError(f"version {version.id} does not follow {after}")
        try:
            connection.execute(
                "INSERT INTO kgapi_versions (id, parent, time, author, message, patch) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                (
                    version.id,
                    version.parent,
                    datetime.datetime.fromisoformat(version.time),
                    version.author,
                    version.message,
                    version.patch_text(),
                ),
            )
        except psycopg.errors.UniqueViolation as error:
            raise ChangeLogError(
                f"version {version.id} exists: another write came first"
            ) from error
        except psycopg.OperationalError as error:
            raise DatabaseUnavailable(f"the database failed during the write: {error}") from error
        return version.id

    def snapshot(self) -> Snapshot | None:
        """The newest snapshot (table kgapi_snapshots), or None."""
        rows = self._fetch_all(
            "SELECT version, quads FROM kgapi_snapshots ORDER BY version DESC LIMIT 1"
        )
        if not rows:
            return None
        version, quads = rows[0]
        return Snapshot(int(version), int(version), bytes(quads))

    def save_snapshot(self, snapshot: Snapshot) -> None:
        self._fetch_all(
            "INSERT INTO kgapi_snapshots (version, quads) VALUES (%s, %s) "
            "ON CONFLICT (version) DO NOTHING RETURNING version",
            (snapshot.version, snapshot.quads),
        )

    # --- connections -----------------------------------------------------------------------

    def _fetch_one(self, query: str, parameters: tuple[Any, ...] = ()) -> Any:
        rows = self._fetch_all(query, parameters)
        return rows[0]

    def _fetch_all(self, query: str, parameters: tuple[Any, ...] = ()) -> list[Any]:
        try:
            connection = self._connect()
            with connection.cursor() as cursor:
                cursor.execute(query, parameters)
                return list(cursor.fetchall())
        except psycopg.Error as error:
            self._drop()
            raise DatabaseUnavailable(f"the database cannot be read: {error}") from error

    def _connect(self, *, fresh: bool = False) -> psycopg.Connection[Any]:
        """The reading connection (autocommit, kept), or a new one for a write."""
        if self._owner != os.getpid():
            # A process forked from the one that connected (the app processes are): the
            # connection's socket is the parent's, so it is kept (never collected, which could
            # close it) but never used again here.
            if self._connection is not None:
                _INHERITED.append(self._connection)
            self._connection, self._owner = None, os.getpid()
        if not fresh and self._connection is not None and not self._connection.closed:
            return self._connection
        try:
            connection = psycopg.connect(
                self.url, autocommit=not fresh, connect_timeout=CONNECT_SECONDS
            )
        except psycopg.Error as error:
            raise DatabaseUnavailable(f"cannot connect to the database: {error}") from error
        if not self._schema_ready:
            with psycopg.connect(self.url, autocommit=True) as setup:
                setup.execute(SCHEMA)
            self._schema_ready = True
        if not fresh:
            self._connection = connection
        return connection

    def close(self) -> None:
        """Close this process's reading connection (a later read opens another)."""
        if self._owner == os.getpid():
            self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(psycopg.Error):
                self._connection.close()
        self._connection = None


class PostgresTokenStore:
    """The tokens in PostgreSQL, with the file store's interface (kgapi.curation.tokens)."""

    def __init__(self, url: str) -> None:
        self.log = PostgresChangeLog(url)  # for its connections and schema
        self._last: list[Token] | None = None  # as last read, while the database is away

    def create(self, name: str, scope: str, *, graphs: tuple[str, ...] = ()) -> str:
        secret, token = new_token(name, scope, graphs)
        try:
            inserted = self.log._fetch_all(
                "INSERT INTO kgapi_tokens (name, scope, sha256, created, graphs) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (name) DO NOTHING RETURNING name",
                (token.name, token.scope, token.sha256, token.created, list(token.graphs)),
            )
        except DatabaseUnavailable as error:
            raise TokenError(str(error)) from error
        if not inserted:
            raise TokenError(f"a token named {name!r} exists; revoke it first")
        return secret

    def revoke(self, name: str) -> None:
        if not self.log._fetch_all(
            "DELETE FROM kgapi_tokens WHERE name = %s RETURNING name", (name,)
        ):
            raise TokenError(f"no token named {name!r}")

    def all(self) -> list[Token]:
        rows = self.log._fetch_all(
            "SELECT name, scope, sha256, created, graphs FROM kgapi_tokens ORDER BY name"
        )
        return [
            Token(n, scope, sha, created, tuple(graphs)) for n, scope, sha, created, graphs in rows
        ]

    def verify(self, secret: str) -> Token | None:
        """As the file store's; while the database cannot be reached, against the tokens as
        last read (so that reads with closed access go on), else DatabaseUnavailable."""
        try:
            self._last = self.all()
        except DatabaseUnavailable:
            if self._last is None:
                raise
        return matching(self._last, secret)
