"""The answers the HTTP front (kgapi.web.front) keeps, to answer repeated GETs itself.

An answer is kept when the app marked it cacheable (an ETag, `Cache-Control: public`) and it is
chosen by no request header but those it is keyed by (its URL, Host included, and Accept,
Accept-Encoding, Accept-Language, Origin). A GET with credentials is never answered from here.
Without writes a kept answer holds until it is evicted. With writes on, an answer computed on
version V still holds at the log's newest version N if no version after V up to N changed
anything its query reads (kgapi.sparql.reads, from the app's private header); it is then sent as
computed on N.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from kgapi.curation.changelog import ChangedKeys, ChangeLogError
from kgapi.sparql.reads import keys_of_text, unchanged
from kgapi.web.sparql_endpoint import READS_HEADER
from kgapi.web.state import ResponseCache, request_key
from kgapi.web.workers import Answer
from kgapi.web.write_api import VERSION_HEADER

_VARY_HEADERS = ("HTTP_ACCEPT", "HTTP_ACCEPT_ENCODING", "HTTP_ACCEPT_LANGUAGE", "HTTP_ORIGIN")
# The same request header fields, as Vary names them.
_KEYED_FIELDS = frozenset(
    name.removeprefix("HTTP_").replace("_", "-").lower() for name in _VARY_HEADERS
)


class Kept(NamedTuple):
    """A kept answer: the version it was computed on (0 without writes) and the keys its query
    reads (None: everything)."""

    answer: Answer
    version: int
    reads: frozenset[str] | None


def key_of(environ: dict[str, Any]) -> str | None:
    """What a GET's answer depends on, or None for requests never answered from here. A HEAD
    has its GET's key: it is answered from the GET's kept answer (but never kept itself, as
    its answer has no body; see `offer`)."""
    if environ["REQUEST_METHOD"] not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in environ:
        return None
    return request_key(environ, _VARY_HEADERS, method="GET")


def cacheable(answer: Answer) -> bool:
    """A 200 the app marked cacheable (ETag, `Cache-Control: public`), and chosen by no request
    header but those answers are keyed by (RFC 9111 §4.1: an answer that varies on another, a
    Cookie say, must not be given to a request that may differ in it)."""
    if not answer.status.startswith("200"):
        return False
    headers = {name.lower(): value for name, value in answer.headers}
    if "etag" not in headers or "public" not in headers.get("cache-control", ""):
        return False
    varies = {field.strip().lower() for field in headers.get("vary", "").split(",")} - {""}
    return varies <= _KEYED_FIELDS


class KeptAnswers:
    """The front's kept answers: at most `entries` of them and `max_bytes` of their bodies; with
    `changes_log` (writes on), each holds until a version changes what it reads."""

    def __init__(self, entries: int, max_bytes: int, changes_log: Path | None) -> None:
        self.cache = ResponseCache(entries, max_bytes)
        self.changed = ChangedKeys(changes_log) if changes_log is not None else None

    def get(self, key: str, environ: dict[str, Any]) -> Answer | None:
        """The answer kept for `key` if it still holds (see the module docstring)."""
        kept: Kept | None = self.cache.get(key)
        if kept is None:
            return None
        feed = self.changed
        if feed is None:
            return kept.answer
        try:
            feed.refresh()
        except (OSError, ChangeLogError):
            return None  # the log cannot be read: ask an app process
        asked = environ.get("HTTP_KGAPI_MIN_VERSION", "0").strip()
        if asked.isdigit() and int(asked) > max(feed.version, kept.version):
            return None
        if kept.version < feed.version:
            if not unchanged(kept.reads, feed.changed_after(kept.version)):
                return None
            kept = Kept(_at_version(kept.answer, feed.version), feed.version, kept.reads)
            self.cache.put(key, kept, len(kept.answer.body))
        return kept.answer

    def offer(self, key: str | None, answer: Answer, environ: dict[str, Any]) -> Answer:
        """`answer` as the client gets it (without the app's private header), kept under `key`
        if it may be: a GET's cacheable answer."""
        sent, reads = _without_reads(answer)
        if key is not None and environ["REQUEST_METHOD"] == "GET" and cacheable(sent):
            self.cache.put(key, Kept(sent, _version_of(sent), reads), len(sent.body))
        return sent


def _without_reads(answer: Answer) -> tuple[Answer, frozenset[str] | None]:
    """The answer without the app's private header of what its query reads, and those keys."""
    reads: frozenset[str] | None = None
    headers = []
    for name, value in answer.headers:
        if name.lower() == READS_HEADER.lower():
            reads = keys_of_text(value)
        else:
            headers.append((name, value))
    if len(headers) == len(answer.headers):
        return answer, None
    return Answer(answer.status, headers, answer.body), reads


def _version_of(answer: Answer) -> int:
    value = answer.header(VERSION_HEADER) or "0"
    return int(value) if value.isdigit() else 0


def _at_version(answer: Answer, version: int) -> Answer:
    headers = [
        (name, str(version) if name.lower() == VERSION_HEADER.lower() else value)
        for name, value in answer.headers
    ]
    return Answer(answer.status, headers, answer.body)
