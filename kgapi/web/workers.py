"""The worker processes that run the app, and the process that keeps them alive.

`kgapi serve` loads the graph once, then forks a *keeper*: a single-threaded process that forks
`workers` app processes (and, with writes on, one more that takes the writes alone, so that
writers queue in the front rather than in every app process) and forks a new one whenever one
ends (killed at the time limit, out of
memory, crashed). Forking only from that single-threaded keeper is what makes it safe: the HTTP
front (kgapi.web.front) runs in threaded processes, which must never fork.

An app process serves one request at a time. All app processes accept on one Unix socket, so an
idle one takes the next request (the kernel's accept queue is the waiting line). With writes on, an
idle app process also follows the change log (a `Follower`): it waits for a request or for word of
a new version, whichever comes first, so versions are applied between requests rather than at the
start of the next one. A request and its answer are each one length-prefixed pickle frame; on
accepting, the app process first sends its pid, so that the front can kill exactly the process
computing a request that outlasts the time limit (a read may already be waiting; a write is sent
once the pid has come). Each app process has an address-space limit (`max_worker_memory_mb`): a
request that needs more fails in that process alone, which then ends once it has answered (what
it held may be half built; kgapi.processes), and the keeper starts another. Every process here
dies with its parent (PR_SET_PDEATHSIG), so none outlives the server.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import pickle
import resource
import select
import signal
import socket
import struct
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from kgapi.processes import die_with_parent, end_reason, end_when_answered
from kgapi.web.problems import RAN_OUT_OF_MEMORY

log = logging.getLogger(__name__)

_LENGTH = struct.Struct("!I")
MEMORY_ERROR_STATUS = "503 Service Unavailable"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class Request:
    """What the front forwards: the WSGI environ's plain entries, the whole body, and the time
    by which an answer is no use any more (`time.time()`; 0 for none)."""

    environ: dict[str, Any]
    body: bytes
    deadline: float


@dataclass(frozen=True)
class Answer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """The value of the header field `name` (in any case), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


def send_frame(connection: socket.socket, value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    connection.sendall(_LENGTH.pack(len(data)) + data)


def receive_frame(connection: socket.socket) -> Any:
    """The next frame's value; raises EOFError when the peer closed (or died) first."""
    (size,) = _LENGTH.unpack(_receive_exactly(connection, _LENGTH.size))
    return pickle.loads(_receive_exactly(connection, size))


def _receive_exactly(connection: socket.socket, size: int) -> bytes:
    buffer = bytearray()
    while len(buffer) < size:
        chunk = connection.recv(min(size - len(buffer), 1 << 20))
        if not chunk:
            raise EOFError("the peer closed the connection")
        buffer += chunk
    return bytes(buffer)


def fork_child(run: Callable[[], object]) -> int:
    """Fork a process that runs `run` and exits, dying with this one; its pid (in the parent)."""
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = 1  # an exception: the parent sees it in the exit status
    try:
        die_with_parent(parent)
        run()
        code = 0
    finally:
        os._exit(code)


class Follower(Protocol):
    """What an app process follows between requests (kgapi.web.state.Services)."""

    def watch(self) -> int | None:
        """A file descriptor that turns readable when there may be something to follow, or
        None: then `follow` is called every IDLE_POLL_SECONDS while idle."""

    def follow(self) -> None: ...


IDLE_POLL_SECONDS = 0.2


def start_keeper(
    app: WsgiApp,
    pools: list[tuple[socket.socket, int]],
    *,
    memory_limit_mb: int,
    follower: Follower | None = None,
) -> int:
    """Fork the keeper of the app processes: for each (listener, count) of `pools`, `count`
    processes accepting on that listener (reads on one, writes on another); its pid."""
    return fork_child(lambda: _keep(app, pools, memory_limit_mb=memory_limit_mb, follower=follower))


def _keep(
    app: WsgiApp,
    pools: list[tuple[socket.socket, int]],
    *,
    memory_limit_mb: int,
    follower: Follower | None,
) -> None:
    # On SIGTERM the keeper just ends: its app processes die with it (PR_SET_PDEATHSIG).
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server's master decides when to stop
    children: dict[int, int] = {}  # pid -> its pool
    while True:
        for index, (listener, count) in enumerate(pools):
            while sum(1 for pool in children.values() if pool == index) < count:
                children[_fork_app_process(app, listener, memory_limit_mb, follower)] = index
        try:
            pid, status = os.wait()
        except ChildProcessError:
            continue
        children.pop(pid, None)
        _forget_metrics(pid)
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) != signal.SIGKILL:
            log.warning("worker %d died of signal %d; starting another", pid, os.WTERMSIG(status))
        time.sleep(0.01)  # a worker that dies at once must not make the keeper spin


def _forget_metrics(pid: int) -> None:
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return
    from prometheus_client import multiprocess

    with contextlib.suppress(OSError):
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


def _fork_app_process(
    app: WsgiApp, listener: socket.socket, memory_limit_mb: int, follower: Follower | None
) -> int:
    def run() -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if memory_limit_mb > 0:
            limit = memory_limit_mb << 20
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        serve_requests(app, listener, follower)

    return fork_child(run)


def serve_requests(app: WsgiApp, listener: socket.socket, follower: Follower | None = None) -> None:
    """Accept requests one at a time and answer each by calling `app` (forever); between
    requests, keep `follower` followed."""
    pid = os.getpid()
    if follower is not None:
        # Every app process of the server does the same (the flag is the shared socket's), and
        # each takes a request only if it is first to it.
        listener.setblocking(False)
    while True:
        if follower is not None and not _request_waiting(listener, follower):
            continue
        try:
            connection, _ = listener.accept()
        except BlockingIOError:
            continue  # another app process took it
        connection.setblocking(True)
        with connection:
            try:
                send_frame(connection, pid)
                request: Request = receive_frame(connection)
            except (EOFError, OSError):
                continue  # the front gave up on this request before it was taken
            if request.deadline and time.time() > request.deadline:
                continue  # waited in line past the time limit; the front has answered it
            answer = run_app(app, request)
            with contextlib.suppress(OSError):  # the front gave up on it
                send_frame(connection, answer)
        reason = end_reason()
        if reason is not None:
            log.warning("app process %d ends: %s", pid, reason)
            return  # its keeper starts another


def _request_waiting(listener: socket.socket, follower: Follower) -> bool:
    """Wait for a request; if word of something to follow comes first (or IDLE_POLL_SECONDS
    pass), follow it instead and return False."""
    handle = follower.watch()
    waits: list[socket.socket | int] = [listener] if handle is None else [listener, handle]
    try:
        readable, _, _ = select.select(waits, [], [], IDLE_POLL_SECONDS)
    except (OSError, ValueError):  # the handle closed under us: follow, which reconnects
        readable = []
    if listener in readable:
        return True
    follower.follow()
    return False


def run_app(app: WsgiApp, request: Request) -> Answer:
    """Call the WSGI `app` on `request`, collecting the whole answer."""
    environ = dict(request.environ)
    environ["wsgi.input"] = io.BytesIO(request.body)
    environ["wsgi.errors"] = sys.stderr
    environ["CONTENT_LENGTH"] = str(len(request.body))
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started["status"], started["headers"] = status, list(headers)

    try:
        result = app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
    except MemoryError:  # past the app's own handler (writing the body, say)
        end_when_answered(RAN_OUT_OF_MEMORY)
        return Answer(MEMORY_ERROR_STATUS, [("Content-Type", "text/plain")], b"out of memory\n")
    return Answer(started["status"], started["headers"], body)
