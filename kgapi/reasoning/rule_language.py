"""The language the OWL 2 RL rules are written in: variables, triple patterns, guards, rules.

A rule's body is a tuple of triple patterns (terms or `Var`s); its head one pattern, or None for
a rule that concludes `false`. Guards test bound values (two variables differ, a literal is "1").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import ClassVar

from rdflib import Literal
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


class Var:
    """A rule variable; `?x` in the spec's tables.

    One object per name (`Var("x") is Var("x")`), so that equal variables are the same object and
    compare and hash by identity, in C: the rules' bindings are dicts keyed by variables, and a
    dataclass's generated `__hash__`, called for every lookup, was a sixth of the engine's time.
    """

    __slots__ = ("name",)
    name: str
    _made: ClassVar[dict[str, Var]] = {}

    def __new__(cls, name: str) -> Var:
        made = cls._made.get(name)
        if made is None:
            made = super().__new__(cls)
            object.__setattr__(made, "name", name)
            made = cls._made.setdefault(name, made)
        return made

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a Var cannot be changed")

    def __reduce__(self) -> tuple[type[Var], tuple[str]]:
        return (Var, (self.name,))  # unpickled, it is the one object of its name again

    def __repr__(self) -> str:
        return f"?{self.name}"


Term = Node | Var
Pattern = tuple[Term, Term, Term]


@dataclass(frozen=True)
class Guard:
    """A test on some variables' values, checked as soon as all of them are bound."""

    variables: tuple[Var, ...]
    test: Callable[..., bool]


@dataclass(frozen=True)
class Rule:
    """If every body pattern matches (and every guard passes), the head holds; no head: false."""

    id: str
    body: tuple[Pattern, ...]
    head: Pattern | None
    guards: tuple[Guard, ...] = field(default=())


def variables(names: str) -> tuple[Var, ...]:
    return tuple(Var(name) for name in names.split())


x, y, z, p, p1, p2, p3, c, c1, c2, c3, u, v, w = variables("x y z p p1 p2 p3 c c1 c2 c3 u v w")
y1, y2, x1, x2, i1, i2, limit, filler = variables("y1 y2 x1 x2 i1 i2 limit filler")


@cache  # one Guard per pair, so rules written twice are equal
def differ(a: Var, b: Var) -> Guard:
    return Guard((a, b), lambda first, second: first != second)


def literal_is(value: str) -> Callable[[Node], bool]:
    return lambda term: isinstance(term, Literal) and str(term) == value
