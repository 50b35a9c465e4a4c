"""The sub-commands: each registers its function under its name (`@command`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from kgapi.parameters import parse_decimal, parse_integer
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


def integer(text: str) -> int:
    """An argument's integer, read as every parameter's is (argparse's `int` takes `1_000`)."""
    try:
        return parse_integer(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def decimal(text: str) -> float:
    """An argument's number, read as every parameter's is (argparse's `float` takes `nan`)."""
    try:
        return parse_decimal(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error
