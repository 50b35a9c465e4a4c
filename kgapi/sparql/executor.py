"""Run queries so that a time limit really stops the work, and a query deep enough to crash the
engine crashes no serving process.

pyoxigraph evaluates inside native code that neither signals nor threads can interrupt; only
ending the process that computes stops it. So queries run in one of two places:

- **In this process**, when something outside it ends it at the limit (`stopped_from_outside`:
  `kgapi serve`'s app processes, which the HTTP front kills; see kgapi.web.front) or when there
  is no limit — and only for queries too short and flat to overflow the engine's stack.
- **In a killable child** otherwise: each process forks one executor child (sharing the loaded
  store copy-on-write) and waits for its answer at most `timeout` seconds. Past that the child
  is killed, the caller gets QueryTimeout, and a fresh child is forked for the next query. A
  child that dies of a stack overflow is a QueryTooDeep, and a fresh child.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import traceback
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from kgapi.graph.documents import NotWritable
from kgapi.processes import become_child
from kgapi.sparql.evaluation import (
    InvalidGraphName,
    QueryAnswer,
    QueryJob,
    QueryNotEvaluable,
    QuerySyntaxError,
    RemoteServiceFailed,
    TooManyResults,
    evaluate,
)
from kgapi.sparql.store import QueryStore

log = logging.getLogger(__name__)

# Errors the child reports as answers; anything else is a bug and comes back as ExecutorError.
_EXPECTED = (
    InvalidGraphName,
    QuerySyntaxError,
    QueryNotEvaluable,
    RemoteServiceFailed,
    TooManyResults,
    NotWritable,
)


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

    def __init__(
        self, query_store: QueryStore, *, timeout: float, stopped_from_outside: bool = False
    ) -> None:
        self.query_store = query_store
        self.timeout = timeout
        # True in `kgapi serve`'s app processes, which the front kills at the time limit: jobs
        # that cannot overflow the engine's stack then run here, with no watchdog of their own.
        self.stopped_from_outside = stopped_from_outside
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None

    def run(self, job: QueryJob) -> QueryAnswer:
        """The answer to `job` (see the module docstring for where it runs).

        Raises QueryTimeout and QueryTooDeep (child only), QuerySyntaxError, QueryNotEvaluable,
        RemoteServiceFailed, TooManyResults, NotWritable (an answer the format asked for cannot
        hold) or ExecutorError.
        """
        shallow = nests_shallowly(job.text)
        if shallow and (self.stopped_from_outside or self.timeout <= 0):
            return evaluate(self.query_store, job)
        timeout = self.timeout if self.timeout > 0 else None
        connection = self._ensure_child()
        try:
            connection.send(job)
            ready = connection.poll(timeout)
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


def _serve_jobs(
    query_store: QueryStore, connection: Connection, parent_end: Connection, parent: int
) -> None:
    # The parent's end of the pipe came along with the fork: closed here, so that the parent's
    # death reads as end-of-file below instead of leaving this child waiting forever.
    parent_end.close()
    become_child(parent)
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
