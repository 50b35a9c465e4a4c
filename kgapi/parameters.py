"""The one reader of the words people give parameters: settings, flags, stored-query and HTTP
parameters all take the same booleans, so `yes` means the same everywhere."""

from __future__ import annotations

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
