"""Processes that die with their parent: every process kgapi forks (the server's I/O process,
keeper and app processes, a query's executor child, Graphviz drawing an export) asks Linux for
it, so that nothing outlives a parent killed by a signal it cannot catch (SIGKILL, the OOM
killer, the time limit)."""

from __future__ import annotations

import ctypes
import os
import signal

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


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
