"""Run queries in a child process that can be killed, so a time limit really stops the work.

pyoxigraph evaluates inside native code that neither signals nor threads can interrupt, so each
serving process forks one executor child (sharing the loaded store copy-on-write) and waits for
its answer at most `timeout` seconds. Past that the child is killed, the caller gets
QueryTimeout, and a fresh child is forked for the next query: no worker is left computing.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import traceback
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

    def run(self, job: QueryJob) -> QueryAnswer:
        """The answer to `job`.

        Raises QueryTimeout, QuerySyntaxError, TooManyResults or ExecutorError.
        """
        if self.timeout <= 0:
            return evaluate(self.query_store, job)
        connection = self._ensure_child()
        try:
            connection.send(job)
            ready = connection.poll(self.timeout)
            outcome = connection.recv() if ready else None
        except (EOFError, OSError) as error:
            self.stop()
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
            target=_serve_jobs, args=(self.query_store, child_end), daemon=True
        )
        process.start()
        child_end.close()
        self._process, self._connection = process, parent_end
        return parent_end


def _serve_jobs(query_store: QueryStore, connection: Connection) -> None:
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
