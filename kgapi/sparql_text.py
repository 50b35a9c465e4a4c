"""What a SPARQL request's text says before any engine sees it: its form, dataset and dangers.

The engine (pyoxigraph) exposes no parsed algebra, so the server reads the query's tokens itself:
strings, IRIs and comments are blanked out, then keywords are looked up in what remains. The
reading errs on the side of refusal: a keyword that might be SERVICE is treated as SERVICE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD")

# SPARQL 1.1 Query §19.2: \u and \U escapes are replaced before parsing, anywhere in the text,
# so `\u0053ERVICE` must be read as SERVICE.
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# Long strings before short ones; IRIREF as the grammar defines it (so `?a < ?b` is no IRI).
_OPAQUE = re.compile(
    r"'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*",
    re.DOTALL,
)
# A bare word: not part of a variable (?x, $x) or of a prefixed name (ex:x, x:).
_WORD = re.compile(r"(?<![\w?$:\-])([A-Za-z]+)(?![\w:\-])")


@dataclass(frozen=True)
class QueryText:
    """The facts about a request's text the server acts on before evaluating it.

    `form` is SELECT, CONSTRUCT, DESCRIBE or ASK, or None when no form keyword was found (the
    engine's parser will then say what is wrong). `is_update` marks SPARQL Update text.
    """

    form: str | None
    is_update: bool
    uses_service: bool
    declares_dataset: bool


def read_query_text(text: str) -> QueryText:
    """Read the form, update keywords, SERVICE and FROM of `text` (never raises)."""
    code = _OPAQUE.sub(" ", _unescape_codepoints(text))
    words = [match.group(1).upper() for match in _WORD.finditer(code)]
    form = next((word for word in words if word in QUERY_FORMS), None)
    first = next((word for word in words if word not in ("BASE", "PREFIX")), None)
    return QueryText(
        form=form,
        is_update=first in UPDATE_KEYWORDS or first == "WITH",
        uses_service="SERVICE" in words,
        declares_dataset="FROM" in words,
    )


def _unescape_codepoints(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _CODEPOINT.sub(replace, text)
