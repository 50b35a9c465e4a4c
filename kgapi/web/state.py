"""What the app factory builds once and views read: settings, graph, store, executor, cache,
and — built on first use, once — the lookups and the export source."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from kgapi.curation.changelog import ChangeLogError
from kgapi.curation.live import LiveGraph
from kgapi.curation.stores import AnyTokenStore
from kgapi.curation.transaction import Curator
from kgapi.export import ExportSource
from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.read.lookups import Lookups, build_lookups
from kgapi.settings import Settings
from kgapi.sparql.executor import QueryExecutor
from kgapi.sparql.store import QueryStore

EXTENSION_KEY = "kgapi"
log = logging.getLogger(__name__)


def request_key(
    environ: dict[str, Any], headers: tuple[str, ...], *, method: str | None = None
) -> str:
    """What a GET's answer depends on, read raw from the WSGI `environ`: its method (`method`
    in place of the request's), its whole URL, and the request `headers` named (as WSGI keys,
    `HTTP_ACCEPT`) that choose among its representations.

    The scheme and host are part of it, as the client named them: answers hold absolute URLs
    made from them (a query's base IRI, the service description's endpoint), and an answer kept
    under one Host, given to a client that named another, would carry the first one's URLs."""
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
    return "\x1f".join(
        (
            method or environ["REQUEST_METHOD"],
            environ["wsgi.url_scheme"],
            host,
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            *(environ.get(name, "") for name in headers),
        )
    )


class ResponseCache:
    """A bounded least-recently-used map from a request's key to its ready response parts.

    Per process (each worker keeps its own). Bounded twice: at most `capacity` entries, and at
    most `max_bytes` of the sizes they were put with (the bodies' bytes), since answers range
    from a few bytes to a whole-graph export of tens of MiB, and a client choosing distinct keys
    (another Host, an ignored parameter) must not make a process keep hundreds of those. An
    entry larger than a quarter of `max_bytes` is not kept. `capacity` or `max_bytes` 0 keeps
    nothing.
    """

    def __init__(self, capacity: int, max_bytes: int) -> None:
        self.capacity = capacity
        self.max_bytes = max_bytes
        self.size = 0  # of the entries kept, as put
        self._entries: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0

    def put(self, key: str, value: Any, size: int) -> None:
        """Keep `value` (of `size` bytes) under `key`, dropping the least recently used entries
        past the bounds; a value too large to keep is not kept (and no other is dropped)."""
        if self.capacity <= 0 or self.max_bytes <= 0 or size > self.max_bytes // 4:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self.size -= previous[1]
            self._entries[key] = (value, size)
            self.size += size
            while len(self._entries) > self.capacity or self.size > self.max_bytes:
                _key, (_value, dropped) = self._entries.popitem(last=False)
                self.size -= dropped


@dataclass
class Services:
    """The app's long-lived objects; views get them with `services()`."""

    settings: Settings
    knowledge: KnowledgeGraph
    query_store: QueryStore
    executor: QueryExecutor
    cache: ResponseCache
    # With writes on: the live graph this process keeps at the change log's latest version,
    # the curator that writes to it, and the operator's tokens.
    live: LiveGraph | None = None
    curator: Curator | None = None
    tokens: AnyTokenStore | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _follow_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    unreachable_since: float | None = None  # when the change log stopped answering
    _lookups: Lookups | None = field(default=None, repr=False)
    _export_source: ExportSource | None = field(default=None, repr=False)

    def follow(self) -> None:
        """Bring this process to the change log's latest version (with writes on), then serve
        from it: new store wrappers for the executor (its child forked again), fresh lookups
        and export source, empty caches."""
        if self.live is None:
            return
        with self._follow_lock:
            try:
                self.live.follow()
            except ChangeLogError as error:
                # Reads go on from the last version applied; writes will say what is wrong.
                self._log_unreachable(error)
            else:
                self.unreachable_since = None
            self.adopt()

    def watch(self) -> int | None:
        """Start watching the change log in this process (an app process, between requests):
        the file descriptor that turns readable when there may be a version to follow, or None
        (then `follow` now and then)."""
        return None if self.live is None else self.live.log.watch()

    def _log_unreachable(self, error: ChangeLogError) -> None:
        now = time.monotonic()
        if self.unreachable_since is None:
            self.unreachable_since = now
            log.warning("the change log cannot be read (%s); serving the last version", error)

    def adopt(self) -> None:
        """Serve the live graph's version (after `follow` or a write in this process)."""
        live = self.live
        if live is None or live.query_store is self.query_store:
            return
        with self._lock:
            self.knowledge = live.knowledge
            self.query_store = live.query_store
            self.executor.stop()
            self.executor.query_store = live.query_store
            self._lookups = None
            self._export_source = None
            self.cache.clear()

    @property
    def lookups(self) -> Lookups:
        """Names, search, facts and stored queries (built on first use, once)."""
        with self._lock:
            if self._lookups is None:
                self._lookups = build_lookups(self.knowledge, queries_dir=self.settings.queries_dir)
            return self._lookups

    @property
    def export_source(self) -> ExportSource:
        """What the exports draw from (made once: it caches the JSON-LD context and more)."""
        names = self.lookups.names
        with self._lock:
            if self._export_source is None:
                # CONSTRUCT queries go to the executor: the one engine, its row cap, and its
                # child for the time limit and for queries deep enough to overflow the stack.
                self._export_source = ExportSource.of(
                    self.knowledge,
                    names=names,
                    runner=self.executor.run,
                    max_triples=self.settings.max_result_rows,
                )
            return self._export_source


def services() -> Services:
    """The current app's Services (inside a request or app context)."""
    return services_of(current_app)


def services_of(app: Flask) -> Services:
    """`app`'s Services, outside a request."""
    found: Services = app.extensions[EXTENSION_KEY]
    return found
