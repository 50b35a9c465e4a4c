"""Run queries so that a time limit really stops the work.

pyoxigraph evaluates inside native code that neither signals nor threads can interrupt; only
ending the process that computes stops it. Two ways, both leaving no process computing:

- **A killable child** (the default): each serving process forks one executor child (sharing the
  loaded store copy-on-write) and waits for its answer at most `timeout` seconds. Past that the
  child is killed, the caller gets QueryTimeout, and a fresh child is forked for the next query.
- **In this process, under a watchdog** (`run(job, on_timeout=…)`), for servers whose processes
  are replaceable (gunicorn's workers): no round trip to a child, which was most of the cost of a
  small query. pyoxigraph releases the GIL while it evaluates and serializes, so a watchdog thread
  runs meanwhile; past the limit it calls `on_timeout` (which answers the client) and then kills
  this process, whose server starts another.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from kgapi.query_evaluation import (
    InvalidGraphName,
    QueryAnswer,
    QueryJob,
    QuerySyntaxError,
    TooManyResults,
    evaluate,
)
from kgapi.query_store import QueryStore

log = logging.getLogger(__name__)

# Errors the child reports as answers; anything else is a bug and comes back as ExecutorError.
_EXPECTED = (InvalidGraphName, QuerySyntaxError, TooManyResults)


class QueryTimeout(Exception):
    """The query ran past the time limit and was stopped."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"query stopped after {seconds:g} s")


class ExecutorError(Exception):
    """The executor failed (a bug or a crash); carries the child's traceback when it had one."""


class QueryTooDeep(Exception):
    """The engine overflowed its stack on the query (its child died of SIGSEGV)."""


# pyoxigraph's parser and evaluator recurse on a query's nesting, and a query nested deeply
# enough overflows the stack: the process dies of SIGSEGV. Measured on an 8 MiB stack: 4,000
# nested braces, 1,000 nested STR( calls, 8,000 chained `+` terms. In the child that is a clear
# error and a new child; in a worker it would be a connection closed without an answer. So only
# queries that cannot nest that deep run in the worker: short ones with few brackets and
# operators (counted anywhere in the text, strings included: overcounting only costs speed).
IN_PROCESS_MAX_CHARS = 4_000
IN_PROCESS_MAX_MARKS = 256
_NESTING_MARKS = "({[!+*/|&^"


def nests_shallowly(text: str) -> bool:
    """True if `text` is too short and too flat to overflow the engine's stack in a worker."""
    if len(text) > IN_PROCESS_MAX_CHARS:
        return False
    return sum(text.count(mark) for mark in _NESTING_MARKS) <= IN_PROCESS_MAX_MARKS


class QueryExecutor:
    """Evaluates jobs against `query_store`, in a killable child when `timeout` > 0.

    Not thread-safe: one executor per single-threaded serving process. With `timeout` 0 jobs run
    in the calling process with no limit (for tests and embedding).
    """

    def __init__(self, query_store: QueryStore, *, timeout: float) -> None:
        self.query_store = query_store
        self.timeout = timeout
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None
        self._watchdog: Watchdog | None = None

    def run(self, job: QueryJob, *, on_timeout: Callable[[], None] | None = None) -> QueryAnswer:
        """The answer to `job`.

        With `on_timeout`, a job that `nests_shallowly` runs in this process under the
        watchdog: past the limit `on_timeout` is called from the watchdog's thread and the
        process is killed (this call never returns). Other jobs run in the child.
        Raises QueryTimeout and QueryTooDeep (child only), QuerySyntaxError, TooManyResults or
        ExecutorError.
        """
        if self.timeout <= 0 or (on_timeout is not None and nests_shallowly(job.text)):
            with self.watched(on_timeout):
                return evaluate(self.query_store, job)
        connection = self._ensure_child()
        try:
            connection.send(job)
            ready = connection.poll(self.timeout)
            outcome = connection.recv() if ready else None
        except (EOFError, OSError) as error:
            process = self._process
            self.stop()
            if process is not None and process.exitcode == -signal.SIGSEGV:
                raise QueryTooDeep("the query engine ran out of stack on this query") from error
            raise ExecutorError(f"query executor died: {error}") from error
        if outcome is None:
            self.stop()
            raise QueryTimeout(self.timeout)
        status, payload = outcome
        if status == "answer":
            assert isinstance(payload, QueryAnswer)
            return payload
        if status == "refused":
            assert isinstance(payload, _EXPECTED)
            raise payload
        raise ExecutorError(f"query executor failed:\n{payload}")

    @contextmanager
    def watched(self, on_timeout: Callable[[], None] | None) -> Iterator[None]:
        """Run the block in this process under the time limit: past it the watchdog calls
        `on_timeout` and kills this process. Any work can be watched so, not only queries
        (rdflib's engine, say). Unwatched when there is no limit or no `on_timeout`."""
        if self.timeout <= 0 or on_timeout is None:
            yield
            return
        if self._watchdog is None or not self._watchdog.serves_this_process():
            self._watchdog = Watchdog()  # after a fork the parent's thread is not here
        with self._watchdog.watching(self.timeout, on_timeout):
            yield

    def stop(self) -> None:
        """Kill the child (if any); the next `run` forks a new one."""
        if self._process is not None:
            self._process.kill()
            self._process.join()
        if self._connection is not None:
            self._connection.close()
        self._process = self._connection = None

    def _ensure_child(self) -> Connection:
        if self._process is not None and self._connection is not None and self._process.is_alive():
            return self._connection
        self.stop()
        # fork, not spawn: the child must share the already loaded store, not load it again.
        context = multiprocessing.get_context("fork")
        parent_end, child_end = context.Pipe()
        process = context.Process(
            target=_serve_jobs,
            args=(self.query_store, child_end, parent_end, os.getpid()),
            daemon=True,
        )
        process.start()
        child_end.close()
        self._process, self._connection = process, parent_end
        return parent_end


class Watchdog:
    """A daemon thread that kills its process when a watched block outlasts its limit.

    One block at a time (a sync worker serves one request at a time). Whichever comes first,
    the end of the block or the limit, wins under one lock: a block that ends after the watchdog
    has fired waits for the kill, so the client never gets both answers.
    """

    def __init__(self) -> None:
        self._pid = os.getpid()
        self._condition = threading.Condition()
        self._deadline: float | None = None
        self._on_timeout: Callable[[], None] | None = None
        self._fired = False
        threading.Thread(target=self._watch, name="kgapi-query-watchdog", daemon=True).start()

    def serves_this_process(self) -> bool:
        return self._pid == os.getpid()

    @contextmanager
    def watching(self, seconds: float, on_timeout: Callable[[], None]) -> Iterator[None]:
        with self._condition:
            self._deadline = time.monotonic() + seconds
            self._on_timeout = on_timeout
            self._condition.notify()
        try:
            yield
        finally:
            with self._condition:
                fired = self._fired
                self._deadline = self._on_timeout = None
            if fired:
                threading.Event().wait()  # the watchdog is answering and killing this process

    def _watch(self) -> None:
        with self._condition:
            while True:
                if self._deadline is None:
                    self._condition.wait()
                    continue
                remaining = self._deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._condition.wait(remaining)
            self._fired = True
            on_timeout = self._on_timeout
        log.warning("query stopped at the time limit; ending worker %d", os.getpid())
        try:
            if on_timeout is not None:
                on_timeout()
        except Exception:
            log.exception("answering a stopped query failed")
        finally:
            os.kill(os.getpid(), signal.SIGKILL)


def _serve_jobs(
    query_store: QueryStore, connection: Connection, parent_end: Connection, parent: int
) -> None:
    # The parent's end of the pipe came along with the fork: closed here, so that the parent's
    # death reads as end-of-file below instead of leaving this child waiting forever.
    parent_end.close()
    _die_with_parent(parent)
    # The parent's handlers (a WSGI server's, say) must not run in the child.
    for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        try:
            outcome: tuple[str, object] = ("answer", evaluate(query_store, job))
        except _EXPECTED as error:
            outcome = ("refused", error)
        except Exception:  # a bug: reported to the parent, which answers 500 and logs it
            outcome = ("failed", traceback.format_exc())
        connection.send(outcome)


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (a worker killed mid-query would
    otherwise leave its child computing, re-parented to PID 1). Elsewhere the closed pipe
    alone ends the child once it next reads."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(0)
