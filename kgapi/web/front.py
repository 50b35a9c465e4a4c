"""The HTTP front: what runs in the server's I/O processes, between clients and the app processes.

Granian (a Rust HTTP server) owns the sockets: it reads requests and writes responses without
Python, keeps connections alive, and gives up on clients that send headers too slowly. For each
request it calls this front, an RSGI application (Granian's own asynchronous interface, lighter
than ASGI) on one event loop, so that no client, however slow, holds a thread or a worker:
waiting for a slow body, for an app process or for a slow reader costs a suspended coroutine.
The front

- reads the body as it arrives, within its bounds (kgapi.web.front_bodies); refuses a URL past
  MAX_URL_BYTES (414), header fields past MAX_HEADER_BYTES (431) and a missing or malformed
  Host (400); all in the route's shape;
- answers what needs no app process itself: health, metrics and static assets (the app, in a
  thread), and repeated GETs whose answer the app marked cacheable (ETag and
  `Cache-Control: public`; kgapi.web.kept_answers), with 304 for a client that holds the ETag;
- hands everything else to an app process (kgapi.web.workers) and waits at most `query_timeout`
  seconds, in line and at work together. Past that it kills the process computing the request
  (any work, any engine, Python holding the GIL included), answers 503 in the route's shape,
  and the keeper starts another. A request still in line at the limit is answered 503 with
  `Retry-After` and never runs. A read is sent with the connection, so that the app process
  taking it finds it waiting (30% more uncached answers a second at 16 connections); a write
  only once an app process has taken it, so that no write runs after its client was told it
  did not;
- hands Granian an answer past 64 KiB as a file (kgapi.web.spool), which it reads as the socket
  drains, so that a client that never reads holds no copy of its answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import signal
import socket
import struct
import time
import urllib.parse
from pathlib import Path
from typing import Any

from flask import Flask, Response
from werkzeug.sansio.utils import host_is_trusted

from kgapi.curation.changelog import ChangeLogError
from kgapi.web.delivery import names_etag
from kgapi.web.front_bodies import BodyHeld, BodyReader, declared_length
from kgapi.web.kept_answers import KeptAnswers, cacheable, key_of
from kgapi.web.problems import (
    FAILED,
    Refused,
    plain_text,
    problem,
    stopped_detail,
    stopped_query_message,
)
from kgapi.web.spool import SPOOL_FROM, Spool
from kgapi.web.workers import Answer, Request, run_app

log = logging.getLogger(__name__)

MAX_URL_BYTES = 16_384
# Header fields past this many bytes are 431 in the route's shape. (Granian's HTTP parser has
# bounds of its own, past which it answers 414/431 itself with an empty body: a request line of
# 64 KiB, 100 header fields, 408 KiB of headers.)
MAX_HEADER_BYTES = 32_768
PLAIN_TEXT_PATHS = ("/sparql", "/sparql/asserted")
# Answered here, by the app in a thread of this process: cheap, and needed when workers are busy.
LOCAL_PATHS = ("/healthz", "/readyz", "/metrics")
LOCAL_PREFIXES = ("/assets/", "/docs/")
# What a cached answer depends on besides the URL.
_LENGTH = struct.Struct("!I")


class Front:
    """The RSGI application Granian serves (see the module docstring)."""

    def __init__(
        self,
        app: Flask,
        *,
        socket_path: str,
        query_timeout: float,
        writer_socket_path: str | None = None,
        max_request_bytes: int,
        cache_entries: int,
        cache_bytes: int,
        spool_dir: str,
        changes_log: Path | None = None,
        min_version_wait: float = 0.0,
    ) -> None:
        self.app = app
        self.socket_path = socket_path
        # With writes on, writes go to an app process of their own (see is_write).
        self.writer_socket_path = writer_socket_path
        self.query_timeout = query_timeout
        self.kept = KeptAnswers(cache_entries, cache_bytes, changes_log)
        self.min_version_wait = min_version_wait
        self.spool = Spool(spool_dir)
        self.bodies = BodyReader(max_request_bytes)

    async def __rsgi__(self, scope: Any, protocol: Any) -> None:
        if scope.proto != "http":
            return
        environ = wsgi_environ(scope)
        key = key_of(environ)  # what a GET's answer is kept under, and its file named by
        held = self.bodies.held()
        try:
            answer = await self._answer(environ, protocol, declared_length(scope), held, key)
        except Refused as refusal:
            answer = self._shaped(environ, refusal)
        except Exception:  # a bug: Granian would answer an empty 500 of its own
            log.exception("the front failed on %s", environ["PATH_INFO"])
            answer = self._shaped(environ, Refused(500, FAILED, "http-500"))
        finally:
            held.let_go()  # nothing holds the body once there is an answer
        await self._send(answer, environ, protocol, key)

    async def _answer(
        self,
        environ: dict[str, Any],
        protocol: Any,
        declared: int | None,
        held: BodyHeld,
        key: str | None,
    ) -> Answer:
        path = environ["PATH_INFO"]
        if len(path) + len(environ["QUERY_STRING"]) > MAX_URL_BYTES:
            detail = f"the URL is longer than {MAX_URL_BYTES} bytes; POST long queries"
            raise Refused(414, detail, "http-414")
        header_bytes = sum(
            len(key) + len(value) for key, value in environ.items() if key.startswith("HTTP_")
        )
        if header_bytes > MAX_HEADER_BYTES:
            detail = f"the header fields take more than {MAX_HEADER_BYTES} bytes"
            raise Refused(431, detail, "http-431")
        if not _names_its_host(environ):
            detail = (
                "the Host header field is missing, repeated or names no host and port "
                "(RFC 9112 §3.2)"
            )
            raise Refused(400, detail, "http-400")
        body = b"" if declared == 0 else await self.bodies.read(protocol, declared, held)
        if "HTTP_CONTENT_ENCODING" in environ:
            body = await self.bodies.decoded(environ, body, held)
        request = Request(environ, body, 0.0)
        if path in LOCAL_PATHS or path.startswith(LOCAL_PREFIXES):
            return await asyncio.to_thread(run_app, self.app, request)
        asked = environ.get("HTTP_KGAPI_MIN_VERSION")
        if asked is not None:
            await self._wait_for_version(asked)
        if key is not None:
            kept = self.kept.get(key, environ)
            if kept is not None:
                return kept
        forwarded = await self._forward(request, self._socket_for(environ, body))
        return self.kept.offer(key, forwarded, environ)

    async def _wait_for_version(self, asked: str) -> None:
        """Hold a request that asks for a version the change log does not have yet
        (Kgapi-Min-Version) here, where waiting holds nothing, rather than in an app process,
        which it would keep from every other request: 503 with Retry-After past
        `min_version_wait`, as the app answers. The app decides what the front cannot read:
        a malformed version, or a log in a database."""
        feed = self.kept.changed
        if feed is None or not asked.strip().isdigit():
            return
        wanted = int(asked)
        deadline = time.monotonic() + self.min_version_wait
        while True:
            try:
                feed.refresh()
            except (OSError, ChangeLogError):
                return
            if feed.version >= wanted:
                return
            if time.monotonic() >= deadline:
                detail = f"this instance has version {feed.version}, not yet {wanted}: try again"
                raise Refused(503, detail, "http-503", {"Retry-After": "1"})
            await asyncio.sleep(0.05)

    def _socket_for(self, environ: dict[str, Any], body: bytes) -> str:
        if self.writer_socket_path is not None and is_write(environ, body):
            return self.writer_socket_path
        return self.socket_path

    async def _forward(self, request: Request, socket_path: str) -> Answer:
        """The answer of the app process that takes `request`, within the time limit."""
        limit = self.query_timeout
        started = time.monotonic()
        deadline = time.time() + limit if limit > 0 else 0.0
        waiting = limit if limit > 0 else None
        loop = asyncio.get_running_loop()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.setblocking(False)
            try:
                await loop.sock_connect(connection, socket_path)
            except OSError as error:
                log.error("no app process could take the request: %s", error)
                raise Refused(503, "no worker could take the request", "worker-ended") from error
            data = pickle.dumps(
                Request(request.environ, request.body, deadline), pickle.HIGHEST_PROTOCOL
            )
            frame = _LENGTH.pack(len(data)) + data
            # A read goes out at once, so the app process that takes it finds it waiting; a
            # write only once an app process has taken it, so that a write the front gave up
            # on (every worker busy) can never run after the client was told it did not.
            handshake = socket_path == self.writer_socket_path
            frames = _Frames(loop, connection)
            try:
                try:  # an app process sends its pid as soon as it takes the request
                    async with asyncio.timeout(waiting):
                        if not handshake:  # (a large body waits here for a taker too)
                            await loop.sock_sendall(connection, frame)
                        worker: int = await frames.next()
                except TimeoutError:
                    detail = (
                        f"every worker was busy for {limit:g} s (setting query_timeout); "
                        "the request did not run: try again"
                    )
                    raise Refused(503, detail, "busy") from None
                if handshake:
                    await loop.sock_sendall(connection, frame)
                if waiting is not None:
                    waiting = max(0.001, limit - (time.monotonic() - started))
                try:
                    async with asyncio.timeout(waiting):
                        answer: Answer = await frames.next()
                except TimeoutError:
                    log.warning("request stopped at the time limit; ending app process %d", worker)
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(worker, signal.SIGKILL)
                    self._count_timeout()
                    raise Refused(503, stopped_detail(limit), "time-limit") from None
            except (EOFError, ConnectionError) as error:
                detail = (
                    "the worker computing the request ended before answering: it needed more "
                    "memory than a worker may use (setting max_worker_memory_mb), or it crashed"
                )
                raise Refused(503, detail, "worker-ended") from error
        return answer

    async def _send(
        self, answer: Answer, environ: dict[str, Any], protocol: Any, key: str | None
    ) -> None:
        """`answer` (304 when the request already holds its ETag; no body for HEAD), a large
        body from a file (kgapi.web.spool)."""
        status, headers, body = int(answer.status.split(" ", 1)[0]), answer.headers, answer.body
        method = environ["REQUEST_METHOD"]
        given = environ.get("HTTP_IF_NONE_MATCH")
        # 304 answers a read alone: a write's conditions are the app's (RFC 9110 §13.1.2).
        if given and status == 200 and method in ("GET", "HEAD"):
            etag = answer.header("ETag")
            if etag is not None and names_etag(given, etag):
                status, body = 304, b""
                headers = [(n, v) for n, v in headers if n.lower() != "content-length"]
        if method == "HEAD":
            body = b""
        if len(body) < SPOOL_FROM:
            protocol.response_bytes(status, headers, body)
            return
        # One file for every client of a kept answer: its key and ETag name it.
        etag = answer.header("ETag")
        name = None
        if key is not None and etag is not None and cacheable(answer):
            name = self.spool.name_of(key, etag, len(body))
        path = self.spool.path_of(name)
        if path is None:
            try:
                path = await asyncio.to_thread(self.spool.written, body, name)
            except OSError as error:  # a full disk, say: the answer goes out all the same
                log.warning("a large answer is sent from memory: %s", error)
                protocol.response_bytes(status, headers, body)
                return
        self.spool.handed(path)
        protocol.response_file(status, headers, path)

    def _count_timeout(self) -> None:
        metrics = self.app.extensions.get("kgapi.metrics")
        if metrics is not None:
            metrics.query_timeouts.inc()

    def _shaped(self, environ: dict[str, Any], refusal: Refused) -> Answer:
        """The front's own error in the route's shape (plain text on the SPARQL endpoint, else
        problem+json), through the app's after-request hooks (CORS, nosniff, metrics)."""
        response: Response
        if environ["PATH_INFO"] in PLAIN_TEXT_PATHS:
            message = (
                stopped_query_message(self.query_timeout)
                if refusal.slug == "time-limit"
                else f"{refusal.title}: {refusal.detail}"
            )
            response = plain_text(refusal.status, message)
        else:
            response = problem(refusal.status, refusal.detail, slug=refusal.slug)
        if refusal.slug == "busy":
            response.headers["Retry-After"] = "1"
        response.headers.update(refusal.headers)
        with self.app.request_context(environ):
            finished: Response = self.app.process_response(response)
        return Answer(finished.status, finished.headers.to_wsgi_list(), finished.get_data())


def _names_its_host(environ: dict[str, Any]) -> bool:
    """Whether the request's Host is one a server may take (RFC 9112 §3.2): none only in
    HTTP/1.0, never two (joined by a comma here), and a host and port as werkzeug reads them
    when the app makes its URLs (the base IRI of a query): what it cannot read it takes as no
    host at all, and would answer with URLs like `http:///sparql`."""
    host: str | None = environ.get("HTTP_HOST")
    protocol: str = environ["SERVER_PROTOCOL"]
    if host is None:
        return protocol == "HTTP/1.0"
    return host_is_trusted(host.removesuffix("."))


def wsgi_environ(scope: Any) -> dict[str, Any]:
    """The WSGI environ (PEP 3333) of an RSGI HTTP scope, without input and error streams."""
    server_name, _, server_port = scope.server.rpartition(":")
    client_address, _, client_port = scope.client.rpartition(":")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope.method,
        "SCRIPT_NAME": "",
        # WSGI strings are bytes read as latin-1; RSGI gives the path and the query decoded as
        # UTF-8, which a client that sends a URL's non-ASCII characters raw (curl does) puts
        # outside latin-1.
        "PATH_INFO": scope.path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.query_string.encode("utf-8").decode("latin-1"),
        "SERVER_NAME": server_name,
        "SERVER_PORT": server_port,
        # Granian calls HTTP/1.0 "1".
        "SERVER_PROTOCOL": f"HTTP/{'1.0' if scope.http_version == '1' else scope.http_version}",
        "REMOTE_ADDR": client_address,
        "REMOTE_PORT": client_port,
        "wsgi.url_scheme": scope.scheme,
    }
    for raw_name, value in scope.headers.items():
        name = raw_name.upper().replace("-", "_")
        if name == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        elif name in ("CONTENT_LENGTH", "TRANSFER_ENCODING"):
            continue  # the body is read whole here and its length set by the app process
        elif name == "UPGRADE":
            # The connection is never upgraded (the service speaks no WebSocket), so the request
            # is the plain HTTP one it also is; werkzeug would route it as a WebSocket's (400).
            continue
        else:
            key = f"HTTP_{name}"
            environ[key] = f"{environ[key]},{value}" if key in environ else value
    if scope.authority:
        # The authority of an absolute-form target (`GET http://h/p`), which a server must take
        # over any Host header (RFC 9112 §3.2.2).
        environ["HTTP_HOST"] = scope.authority
    return environ


class _Frames:
    """The frames an app process sends on one connection, read in as few reads as arrive (its
    pid and a quick answer often come in one)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, connection: socket.socket) -> None:
        self.loop, self.connection = loop, connection
        self.buffer = bytearray()

    async def next(self) -> Any:
        """The next frame's value; EOFError when the app process closed (or died) first."""
        await self._fill(_LENGTH.size)
        (size,) = _LENGTH.unpack_from(self.buffer)
        end = _LENGTH.size + size
        await self._fill(end)
        with memoryview(self.buffer)[_LENGTH.size : end] as frame:  # no copy of a large answer
            value = pickle.loads(frame)
        del self.buffer[:end]  # (only once the view is released may the buffer shrink)
        return value

    async def _fill(self, size: int) -> None:
        while len(self.buffer) < size:
            wanted = min(max(size - len(self.buffer), 1 << 16), 1 << 20)
            chunk = await self.loop.sock_recv(self.connection, wanted)
            if not chunk:
                raise EOFError("the app process closed the connection")
            self.buffer += chunk


WRITE_METHODS = ("PUT", "POST", "DELETE")
FORM = "application/x-www-form-urlencoded"


def is_write(environ: dict[str, Any], body: bytes) -> bool:
    """Whether a request asks for a write (by method, path and, on /sparql, the protocol's
    update operation: an application/sparql-update body or an `update` form field)."""
    method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
    if method not in WRITE_METHODS:
        return False
    if path == "/update" or path == "/store" or path.startswith("/store/"):
        return True
    if path.startswith("/api/history/") and path.endswith("/revert"):
        return True
    if method == "POST" and path in PLAIN_TEXT_PATHS:
        media_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if media_type == "application/sparql-update":
            return True
        if media_type == FORM:
            fields = urllib.parse.parse_qsl(body.decode("latin-1"), keep_blank_values=True)
            return any(name == "update" for name, _ in fields)
    return False
