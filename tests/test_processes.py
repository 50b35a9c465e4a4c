"""Work done in a child process of its own (kgapi.processes.in_a_child)."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

import pytest

from kgapi.processes import ChildEnded, in_a_child


def test_the_childs_value_comes_back_and_its_changes_stay_there() -> None:
    held = [1]

    def work() -> list[int]:
        held.append(2)
        return held

    assert in_a_child(work) == [1, 2]
    assert held == [1]  # the child changed its own copy


def test_what_the_child_raises_is_raised_here() -> None:
    def work() -> None:
        raise SyntaxError("no such keyword")

    with pytest.raises(SyntaxError, match="no such keyword"):
        in_a_child(work)


def _segfault() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)  # as the engine's stack overflowing does


def _exit() -> None:
    os._exit(3)


@pytest.mark.parametrize(("end", "exitcode"), [(_segfault, -signal.SIGSEGV), (_exit, 3)])
def test_a_child_that_dies_before_answering_is_childended(
    end: Callable[[], None], exitcode: int
) -> None:
    with pytest.raises(ChildEnded) as ended:
        in_a_child(end)
    assert ended.value.exitcode == exitcode
