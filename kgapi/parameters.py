"""The one reader of the words people give parameters: settings, flags, stored-query and HTTP
parameters all take the same booleans and integers, so `yes` and `20` mean the same everywhere."""

from __future__ import annotations

import re

TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no", "off")


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


# The words `parse_boolean` takes, as a JSON Schema (ECMA-262) pattern for API descriptions.
BOOLEAN_PATTERN = (
    r"^\s*(" + "|".join(_any_case(word) for word in (*TRUE_WORDS, *FALSE_WORDS)) + r")\s*$"
)


def parse_boolean(raw: str) -> bool:
    """True or False for one of TRUE_WORDS or FALSE_WORDS (any case, spaces around ignored).

    Raises ValueError saying which words are taken; nothing unknown is read as False.
    """
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"expected true or false (or {'/'.join(TRUE_WORDS[1:] + FALSE_WORDS[1:])})")


# ASCII digits only: int() also takes `1_000` and other scripts' digits, and str.isdigit() takes
# a superscript two that int() then refuses. 18 digits stay within a signed 64-bit integer.
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
# A decimal number: float() also takes nan, inf and 1e309 (inf), and a NaN time limit compares
# false with everything, which turned the limit off.
_DECIMAL = re.compile(r"[+-]?[0-9]{1,15}(\.[0-9]{1,15})?|[+-]?\.[0-9]{1,15}")


def parse_integer(raw: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """The integer `raw` writes in ASCII digits (a sign allowed, spaces around ignored), within
    `minimum` and `maximum` when given. Raises ValueError saying what is expected."""
    text = raw.strip()
    if not _INTEGER.fullmatch(text):
        raise ValueError("expected an integer (at most 18 ASCII digits, a sign allowed)")
    value = int(text)
    if minimum is not None and value < minimum:
        raise ValueError(f"must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise ValueError(f"must be at most {maximum}")
    return value


def parse_decimal(raw: str) -> float:
    """The finite number `raw` writes in ASCII decimal notation (`30`, `2.5`, `.5`; spaces
    around ignored). Raises ValueError saying what is expected."""
    text = raw.strip()
    if not _DECIMAL.fullmatch(text):
        raise ValueError("expected a decimal number such as 30 or 2.5")
    return float(text)
