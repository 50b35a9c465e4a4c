"""The sub-commands: each registers its function under its name (`@command`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from kgapi.settings import Settings

Command = Callable[[argparse.Namespace, Settings], int]
# What `add_subparsers` returns, which each command group adds its parsers to (generic only for
# type checkers: argparse's class cannot be subscripted at run time).
if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    SubParsers = argparse._SubParsersAction
COMMANDS: dict[str, Command] = {}


def command(name: str) -> Callable[[Command], Command]:
    def register(function: Command) -> Command:
        COMMANDS[name] = function
        return function

    return register
