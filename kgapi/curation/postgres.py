"""The change log and the tokens in PostgreSQL (setting `database_url`): every instance a
reasoning, serving cache of one log of record.

The log is the table `kgapi_versions`, a row per version (its number, its parent, time, author,
message, and the RDF Patch with the counts in its header, exactly as the file log frames it).
A writer takes a transaction-scoped advisory lock, so writers on every instance take turns;
under it the instance catches up, validates and reasons as on one machine, and inserts the row
whose number is one past its parent's — the primary key refuses a second row on one parent, so
no write based on a stale version can land — and only the committed row is acknowledged.
Followers read the rows past the last they applied. An app process that `watch`es the log
LISTENs on a channel that a trigger on the table NOTIFYs with each new row's number, so it
applies versions as they commit, between requests, and a request costs the database nothing; a
process that does not (or whose listening connection broke, until it reconnects) asks for the
newest number per request instead (an index-only lookup). When the database cannot be reached,
reads go on from the last version applied and writes answer 503.

Old rows can be archived (`archive`): the rows before the newest snapshot's version move to a
file change log, in one transaction under the writers' lock; a process starts from the snapshot
and never needs them, and the history they hold stays readable in the file.

Tokens are the table `kgapi_tokens`, so that a token made once is accepted by every instance.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import time
from collections.abc import Callable, Iterator
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
CREATE OR REPLACE FUNCTION kgapi_notify_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('kgapi_versions', NEW.id::text);
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER kgapi_versions_notify AFTER INSERT ON kgapi_versions
    FOR EACH ROW EXECUTE FUNCTION kgapi_notify_version();
"""
CHANNEL = "kgapi_versions"  # what the trigger above NOTIFYs, with the new row's number
WRITERS_LOCK = 0x6B676170  # "kgap": the advisory lock writers take in turn
SCHEMA_LOCK = 0x6B676173  # "kgas": instances starting together create the schema in turn
CONNECT_SECONDS = 3
LISTEN_RETRY_SECONDS = 1.0  # how often a process whose listening connection broke reconnects
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
        self._listening: psycopg.Connection[Any] | None = None  # after `watch`, in this process
        self._watched = False
        self._listen_again_at = 0.0
        self._newest = 0  # the newest number this process has been told of

    def size(self) -> int:
        """The newest version's number (0 for none): changed means new versions."""
        row = self._fetch_one("SELECT coalesce(max(id), 0) FROM kgapi_versions")
        self._newest = max(self._newest, int(row[0]))
        return int(row[0])

    def changed_since(self, offset: int) -> bool:
        """Whether there may be versions past number `offset`: from the notifications received
        when this process watches the log (no round trip), else by asking."""
        connection = self._listener()
        if connection is None:
            return self.size() != offset
        try:
            for notification in connection.notifies(timeout=0):
                self._newest = max(self._newest, int(notification.payload))
        except psycopg.Error:
            self._drop_listener()
            return self.size() != offset
        return self._newest > offset

    def watch(self) -> int | None:
        """Listen for new versions in this process from now on; the file descriptor that turns
        readable when one commits (None while the database cannot be reached)."""
        self._watched = True
        connection = self._listener()
        return None if connection is None else connection.fileno()

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

    def archive(self, keep: Callable[[list[Version]], None]) -> int:
        """Remove the versions before the newest snapshot's from the table once `keep` has
        stored them durably, and the older snapshots with them; the snapshot's own version
        stays, so the newest number never goes back. One transaction under the writers' lock:
        if anything fails, nothing is removed. How many versions were archived."""
        with self.exclusive():
            connection = self._writing
            assert connection is not None
            try:
                newest = connection.execute("SELECT max(version) FROM kgapi_snapshots").fetchone()
                if newest is None or newest[0] is None:
                    raise ChangeLogError("there is no snapshot to start from: take one first")
                rows = connection.execute(
                    "SELECT id, patch FROM kgapi_versions WHERE id < %s ORDER BY id", (newest[0],)
                ).fetchall()
                versions = [Version.from_patch(patch) for _, patch in rows]
                keep(versions)
                connection.execute("DELETE FROM kgapi_versions WHERE id < %s", (newest[0],))
                connection.execute("DELETE FROM kgapi_snapshots WHERE version < %s", (newest[0],))
            except PatchError as error:
                raise ChangeLogError(f"a version in the database: {error}") from error
            except psycopg.Error as error:
                raise DatabaseUnavailable(f"the archive failed in the database: {error}") from error
        return len(versions)

    # --- connections -----------------------------------------------------------------------

    def _fetch_one(self, query: str, parameters: tuple[Any, ...] = ()) -> Any:
        rows = self._fetch_all(query, parameters)
        return rows[0]

    def _fetch_all(self, query: str, parameters: tuple[Any, ...] = ()) -> list[Any]:
        # A kept connection may have died while idle (the server restarted): one more try on a
        # new one, so that the first statement after a restart does not fail for that alone.
        kept = self._connection is not None and self._owner == os.getpid()
        try:
            connection = self._connect()
            with connection.cursor() as cursor:
                cursor.execute(query, parameters)
                return list(cursor.fetchall())
        except psycopg.OperationalError as error:
            self._drop()
            if kept:
                return self._fetch_all(query, parameters)
            raise DatabaseUnavailable(f"the database cannot be read: {error}") from error
        except psycopg.Error as error:
            self._drop()
            raise DatabaseUnavailable(f"the database cannot be read: {error}") from error

    def _connect(self, *, fresh: bool = False) -> psycopg.Connection[Any]:
        """The reading connection (autocommit, kept), or a new one for a write."""
        self._adopt_process()
        if not fresh and self._connection is not None and not self._connection.closed:
            return self._connection
        try:
            connection = psycopg.connect(
                self.url, autocommit=not fresh, connect_timeout=CONNECT_SECONDS
            )
        except psycopg.Error as error:
            raise DatabaseUnavailable(f"cannot connect to the database: {error}") from error
        if not self._schema_ready:
            try:
                with (
                    psycopg.connect(self.url, connect_timeout=CONNECT_SECONDS) as setup,
                    setup.transaction(),
                ):
                    setup.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                    setup.execute(SCHEMA)
            except psycopg.Error as error:
                connection.close()
                raise DatabaseUnavailable(f"cannot set up the tables: {error}") from error
            self._schema_ready = True
        if not fresh:
            self._connection = connection
        return connection

    def _listener(self) -> psycopg.Connection[Any] | None:
        """This process's listening connection once it `watch`es, (re)opened at most every
        LISTEN_RETRY_SECONDS; None when not watching or while it cannot be opened."""
        self._adopt_process()
        if not self._watched:
            return None
        if self._listening is not None and not self._listening.closed:
            return self._listening
        if time.monotonic() < self._listen_again_at:
            return None
        try:
            connection = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_SECONDS)
            connection.execute(f"LISTEN {CHANNEL}")
            self._listening = connection
            self.size()  # what committed before the LISTEN took effect is not notified
        except (psycopg.Error, DatabaseUnavailable):
            self._drop_listener()
            self._listen_again_at = time.monotonic() + LISTEN_RETRY_SECONDS
            return None
        return connection

    def _adopt_process(self) -> None:
        """In a process forked from the one that connected (the app processes are), forget the
        parent's connections: their sockets are the parent's, so they are kept (never
        collected, which could close them) but never used again here."""
        if self._owner == os.getpid():
            return
        _INHERITED.extend(c for c in (self._connection, self._listening) if c is not None)
        self._connection = self._listening = None
        self._owner = os.getpid()

    def close(self) -> None:
        """Close this process's connections (a later read opens another). A process that
        forks app processes closes them first: a listening connection nobody reads would hold
        back PostgreSQL's notification queue."""
        if self._owner == os.getpid():
            self._drop()
            self._drop_listener()
        self._watched = False

    def _drop_listener(self) -> None:
        if self._listening is not None:
            with contextlib.suppress(psycopg.Error):
                self._listening.close()
        self._listening = None

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
