"""`kgapi serve`: Granian in front, app processes behind, the graph loaded once before either.

    clients ──HTTP──▶ Granian I/O process (Rust sockets; kgapi.web.front on its event loop)
                              │ one Unix socket, a whole request a frame
                              ▼
             keeper ──forks──▶ app processes (the Flask app, one request at a time each)

The master process loads the knowledge graph and builds the app, then forks the keeper of the
app processes (kgapi.web.workers) and starts Granian, whose I/O processes are forked from it too,
so every process shares the loaded graph copy-on-write. Granian reads requests and writes
responses in Rust, with keep-alive and a header read timeout; the front reads bodies and waits
for app processes asynchronously, so slow clients cost sockets, never threads or workers, and it
enforces the body and URL limits and the time limit (see kgapi.web.front). On SIGTERM or SIGINT
Granian stops, then the keeper and the app processes; the shared metrics directory is removed by
the process that made it, and only that one. A keeper that dies unasked stops the server too
(exit status 1), for its supervisor to start it again (`KeeperGuard`).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import shutil
import signal
import socket
import tempfile
import threading
from typing import TYPE_CHECKING, Any

from flask import Flask

from kgapi.curation.changelog import LOG_NAME
from kgapi.processes import die_with_parent
from kgapi.settings import Settings

if TYPE_CHECKING:
    from kgapi.web.front import Front

log = logging.getLogger(__name__)
# Connections an I/O process holds at once. Granian counts a connection from its accept, so a
# connection still sending its headers holds one: this must be far above what slow clients
# can open, or they starve the rest (measured: 256 slowloris connections against 64 delayed
# an ordinary request 39 s). Past it, new connections wait in the kernel's backlog.
MAX_CONNECTIONS = 8192
HEADER_READ_TIMEOUT_MS = 10_000
WORKER_STOP_SECONDS = 10


def serve(settings: Settings) -> None:
    """Build the app once, then serve it until interrupted."""
    runtime_dir = tempfile.mkdtemp(prefix="kgapi-")
    metrics_dir = os.path.join(runtime_dir, "metrics")
    os.mkdir(metrics_dir)
    # Must be set before prometheus_client is first imported (by kgapi.web) to aggregate workers.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    master = os.getpid()
    try:
        from kgapi.web import create_app
        from kgapi.web.state import services_of

        app = create_app(settings)
        services = services_of(app)
        services.executor.stopped_from_outside = True
        # Computed once here rather than on the first explanation or classification in each app
        # process: 0.7 s that request would wait (against a time limit it could miss) and some
        # 50 MB each process would hold apart; made before the fork, its pages are shared.
        services.knowledge.prepare()
        serve_app(app, settings, runtime_dir=runtime_dir)
    finally:
        if os.getpid() == master:  # forked processes leave through here too: they touch nothing
            shutil.rmtree(runtime_dir, ignore_errors=True)


def serve_app(app: Flask, settings: Settings, *, runtime_dir: str) -> None:
    """Serve the WSGI `app` (already built) as `serve` does, until interrupted: its app
    processes accept on a socket in `runtime_dir`. Separate so that a benchmark can put a bare
    app behind the same serving layer."""
    from kgapi.web.front import Front
    from kgapi.web.state import EXTENSION_KEY, services_of
    from kgapi.web.workers import start_keeper

    master = os.getpid()
    # What is loaded now (the graph, its closure and indexes: ~550,000 objects) lives as long as
    # the server. Frozen, the collector leaves it alone in every process forked below: a full
    # collection took 0.4 s (a pause for whichever request set it off), and each one wrote to
    # every object's header, copying the pages the processes would otherwise share. No
    # collection first: the build leaves almost no cyclic garbage to freeze with it (33 objects
    # of the bundled ontology), and finding it walks the whole heap (0.25 s of the start).
    gc.freeze()
    pools = [(_listener(runtime_dir, "workers.sock"), max(1, settings.workers))]
    if settings.writes:  # one process takes the writes, which the log lock serializes anyway
        pools.append((_listener(runtime_dir, "writer.sock"), 1))
    follower = services_of(app) if settings.writes and EXTENSION_KEY in app.extensions else None
    keeper = KeeperGuard(
        start_keeper(app, pools, memory_limit_mb=settings.max_worker_memory_mb, follower=follower)
    )
    for listener, _count in pools:
        listener.close()  # the app processes hold them; the front connects by path
    front = Front(
        app,
        socket_path=os.path.join(runtime_dir, "workers.sock"),
        writer_socket_path=os.path.join(runtime_dir, "writer.sock") if settings.writes else None,
        query_timeout=settings.query_timeout,
        max_request_bytes=settings.max_request_bytes,
        # With the log in a database the front cannot see it grow: it keeps no answers then
        # (each app process still keeps its own, per version).
        cache_entries=0
        if settings.writes and settings.database_url
        else settings.result_cache_entries,
        cache_bytes=settings.result_cache_mb << 20,
        spool_dir=os.path.join(runtime_dir, "answers"),
        # The log the front follows, when it can: a file (not a database).
        changes_log=settings.data_dir / LOG_NAME
        if settings.writes and not settings.database_url
        else None,
        min_version_wait=settings.min_version_wait,
    )
    try:
        _granian(settings).serve(target_loader=lambda _target: _in_io_process(front, master))
    finally:
        if os.getpid() == master:
            keeper.stop()
    if keeper.ended_unasked is not None:
        raise KeeperError(
            f"the keeper of the app processes ended (wait status {keeper.ended_unasked}), "
            "taking them with it; the server stopped so that its supervisor starts it again"
        )


def _in_io_process(front: Front, master: int) -> Front:
    """Granian's I/O process asks for its app here, just after Granian forked it: it must die
    with the master like every other process of the server (Granian's own processes do not,
    and one outlived a master killed by SIGKILL, still listening on the port)."""
    die_with_parent(master)
    return front


def _listener(runtime_dir: str, name: str) -> socket.socket:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(os.path.join(runtime_dir, name))
    listener.listen(1024)
    return listener


def _granian(settings: Settings) -> Any:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.http import HTTP1Settings

    return Granian(
        "kgapi.web.front:Front",  # a name for logs; the object comes from target_loader
        address=settings.host,
        port=settings.port,
        interface=Interfaces.RSGI,
        # HTTP/1.1 alone. Granian 2.8 reads the body of an HTTP/2 stream its client reset as
        # endless empty chunks: each such client burned most of a core of this process for 30 s,
        # and 200 of them hung the server. (A proxy in front may still speak HTTP/2 to clients.)
        http=HTTPModes.http1,
        # uvloop: the front's hops between Rust and the event loop cost less than on asyncio's
        # own loop (measured: 2,700 -> 2,900 req/s uncached, 4.5k -> 7k on /healthz).
        loop=Loops.uvloop,
        workers=settings.io_processes,
        backpressure=MAX_CONNECTIONS,
        http1_settings=HTTP1Settings(header_read_timeout=HEADER_READ_TIMEOUT_MS, keep_alive=True),
        # The service speaks no WebSocket: an upgrade request is an ordinary HTTP request, which
        # the front answers (with WebSockets on, Granian refused it with an empty 403).
        websockets=False,
        respawn_failed_workers=True,
        # An I/O process that has not stopped this long after SIGTERM is killed: seen when every
        # process of the server got SIGTERM at once, as systemd's default KillMode sends it.
        workers_kill_timeout=WORKER_STOP_SECONDS,
        log_access=False,
    )


class KeeperError(RuntimeError):
    """The keeper of the app processes ended while the server was serving."""


class KeeperGuard:
    """Watches the keeper of the app processes. Killed (SIGKILL, the OOM killer) it takes its
    app processes with it, and every request was 503 while /healthz and /readyz said all was
    well; now the master stops too, and `serve_app` raises KeeperError, so that the service's
    supervisor (systemd's `Restart=on-failure`, Kubernetes) starts it again. The master does not
    fork another keeper itself: it runs threads (Granian's, this one), and a process with
    threads must not fork (see kgapi.web.workers)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.ended_unasked: int | None = None  # the keeper's wait status, when it died unasked
        self._stopping = threading.Event()
        threading.Thread(target=self._watch, name="kgapi-keeper-guard", daemon=True).start()

    def _watch(self) -> None:
        try:
            _pid, status = os.waitpid(self.pid, 0)
        except ChildProcessError:  # `stop` reaped it
            return
        if self._stopping.is_set():
            return
        # Exit 0 is the keeper's answer to SIGTERM: the server is being stopped (systemd signals
        # every process of it at once) or an operator stopped the keeper; either way the server
        # stops, and only another end is an error.
        if os.waitstatus_to_exitcode(status) != 0:
            self.ended_unasked = status
            log.error(
                "the app processes' keeper died (wait status %d): stopping the server", status
            )
        os.kill(os.getpid(), signal.SIGTERM)  # Granian stops as on any SIGTERM

    def stop(self) -> None:
        """End the keeper; its app processes die with it (PR_SET_PDEATHSIG)."""
        self._stopping.set()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
