"""How kgapi's processes run.

- They die with their parent: every process kgapi forks (the server's I/O process, keeper and
  app processes, a query's executor child, Graphviz drawing an export) asks Linux for it, so that
  nothing outlives a parent killed by a signal it cannot catch (SIGKILL, the OOM killer, the
  time limit).
- Work that may crash the process it runs in (an update nesting past the engine's stack, which
  is a SIGSEGV) runs in a child of its own (`in_a_child`), where the crash is an answer.
- A process whose state can no longer be trusted — a MemoryError may have left anything half
  built, a change half applied — is marked (`end_when_answered`) and ends once it has answered
  the request at hand; the server's keeper starts a fresh one, which follows the change log.
- Python's cyclic garbage collector is paused while they build what lives long (the loaded graph
  and its closure, the app's indexes, an export), which would set off full collections over a
  heap that holds no garbage yet.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar, cast

Result = TypeVar("Result")

_PR_SET_PDEATHSIG = 1  # linux/prctl.h

_end_reason: str | None = None  # why this process is to end when it has answered (if it is)


def die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this process when its parent (`parent`, its pid) dies; exit now if
    it already has, as the request only covers deaths after it. Call it first thing after the
    fork, in the child. Elsewhere than Linux it does nothing: there the closed pipe or socket to
    the parent ends the child once it next reads."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(0)


def become_child(parent: int) -> None:
    """What a forked child that works for `parent` (its pid) does first: die with it, and drop the
    parent's signal handlers (a WSGI server's, say), which must not run here."""
    die_with_parent(parent)
    for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)


def end_when_answered(reason: str) -> None:
    """Mark this process to end once it has answered the request at hand, for `reason`: what
    it holds can no longer be trusted. Only the server's app processes act on it
    (`kgapi.web.workers`); elsewhere (a test client, the CLI) the mark is only kept."""
    global _end_reason
    if _end_reason is None:
        _end_reason = reason


def end_reason() -> str | None:
    """Why this process is to end when it has answered, or None if it is not."""
    return _end_reason


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block, then let it run again unless it
    was already off (an enclosing block, or another thread's).

    Building the knowledge graph allocates some hundreds of thousands of long-lived objects
    (rdflib's terms and indexes, the reasoner's, the query store's Python side). Each time the
    allocations pass the collector's thresholds it walks the young objects, and every tenth of
    those walks the whole heap: a start spent a third of its time there, and a 1e5-triple export
    0.5-1 s. Such work makes few reference cycles, and those wait for the next full collection,
    which still walks everything (nothing is frozen here; the server freezes what it forks).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # What the block made is old now: into the oldest generation with it, the counts
            # zeroed (freeze, then unfreeze, as documented). Otherwise the first allocation after
            # the block walks the whole heap at once: 0.17 s of a 1.1 s build. Not where objects
            # are frozen already (a forked app process): unfreezing would thaw those too.
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


class ChildEnded(Exception):
    """A child ended before it answered (the engine's stack overflowing is a SIGSEGV)."""

    def __init__(self, exitcode: int | None) -> None:
        self.exitcode = exitcode
        super().__init__(f"the child ended with exit code {exitcode}")


def in_a_child(work: Callable[[], Result]) -> Result:
    """`work()` computed in a forked child that dies with this process: its value, or the
    exception it raised (both pickled back); ChildEnded if the child died first. The child
    works on its own copy of this process's memory, so what `work` changes stays there."""
    context = multiprocessing.get_context("fork")  # the child must share what is loaded
    receiving, sending = context.Pipe(duplex=False)
    parent = os.getpid()

    def run() -> None:
        receiving.close()
        become_child(parent)
        try:
            outcome: tuple[bool, object] = (True, work())
        except Exception as error:  # given back to the caller, as if raised there
            outcome = (False, error)
        sending.send(outcome)

    child = context.Process(target=run, daemon=True)
    child.start()
    sending.close()
    try:
        succeeded, value = receiving.recv()
    except EOFError:
        child.join()
        raise ChildEnded(child.exitcode) from None
    finally:
        receiving.close()
    child.join()
    if not succeeded:
        assert isinstance(value, Exception)
        raise value
    return cast(Result, value)
