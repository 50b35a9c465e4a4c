"""What a SPARQL request's text says before any engine sees it: its form, dataset and dangers.

The engine (pyoxigraph) exposes no parsed algebra and no switch for SERVICE, so the server reads
the query's tokens itself, with a lexer that follows the terminals of SPARQL 1.1 Query §19.8
exactly: IRIs, prefixed names (with `PN_LOCAL_ESC` escapes such as `ex:a\\#` and `%xx`), blank
node labels, variables, language tags, numbers, all four string forms with `ECHAR` escapes, and
comments. Keywords are the bare words left over. A regex over the text cannot do this: it once
read the `#` of `ex:a\\#` as a comment and let a SERVICE through.

The reading errs on the side of refusal:
- the text is read twice, as sent and with its `\\u`/`\\U` escapes replaced (§19.2 says they are
  replaced before parsing), and SERVICE found in either counts;
- any bare word that *contains* SERVICE counts, because the engine's parser needs no space after
  a keyword (`trueSERVICE<…>` could parse as `true SERVICE <…>`);
- a character no terminal starts with is one token of its own, and scanning goes on after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar
from urllib.parse import urljoin

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD")

# SPARQL 1.1 Query §19.2: \u and \U escapes are replaced before parsing, anywhere in the text.
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

# The character classes of §19.8, as regex fragments.
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (
    f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_ECHAR = r"\\[tbnrf\\\"']"

# One alternative per terminal; at each position the first that matches is taken. Order matters
# only where two can start at the same character: long strings before short ones, prefixed names
# before bare words (so `service:x` is a name, not the keyword).
_TOKEN = re.compile(
    "|".join(
        (
            r"(?P<space>[ \t\r\n]+)",
            r"(?P<comment>#[^\r\n]*)",
            f"(?P<string>'''(?:(?:'|'')?(?:[^'\\\\]|{_ECHAR}))*'''"
            f'|"""(?:(?:"|"")?(?:[^"\\\\]|{_ECHAR}))*"""'
            f"|'(?:[^'\\\\\\n\\r]|{_ECHAR})*'"
            f'|"(?:[^"\\\\\\n\\r]|{_ECHAR})*")',
            r'(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)',
            f"(?P<name>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
            f"(?P<blank>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
            f"(?P<variable>[?$]{_VARNAME})",
            r"(?P<language>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
            r"(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)",
            f"(?P<word>[{_PN_CHARS_U}][{_PN_CHARS_U}0-9]*)",
            r"(?P<other>.)",
        )
    ),
    re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    """One terminal of the text: `kind` is the group name of `_TOKEN` that matched."""

    kind: str
    text: str


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
    uses_load: bool = False
    # Whether it may read a named graph or name its dataset (GRAPH, FROM, NAMED): when it does
    # not, it reads the default graph alone, and can be answered from a store of that alone.
    names_graphs: bool = True


def tokens(text: str) -> Iterator[Token]:
    """The terminals of `text` in order, spaces and comments included (never raises)."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        assert kind is not None
        yield Token(kind, match.group())


def keywords(text: str) -> list[str]:
    """The bare words of `text`, upper-cased, in order: what is left once every string, IRI,
    name, variable, number and comment has been read as what it is."""
    return [token.text.upper() for token in tokens(text) if token.kind == "word"]


Read = TypeVar("Read")

# Texts up to this long are kept with what they were read as: a client's query is usually asked
# again, and a cached key is the text itself, so a long one would hold its megabytes.
MAX_KEPT_CHARS = 4_000


def kept_for_short_texts(read: Callable[[str], Read]) -> Callable[[str], Read]:
    """`read`, remembering (for the last 1,024 texts up to MAX_KEPT_CHARS) what each text was
    read as; a longer text is read each time and never held."""
    kept = lru_cache(maxsize=1024)(read)

    def reading(text: str) -> Read:
        return kept(text) if len(text) <= MAX_KEPT_CHARS else read(text)

    reading.__doc__, reading.__name__ = read.__doc__, read.__name__
    return reading


@kept_for_short_texts
def read_query_text(text: str) -> QueryText:
    """Read the form, update keywords, SERVICE and FROM of `text` (never raises)."""
    unescaped = _unescape_codepoints(text)
    words = keywords(unescaped)
    readings = [words] if unescaped == text else [words, keywords(text)]
    form = next((word for word in words if word in QUERY_FORMS), None)
    first = next((word for word in words if word not in ("BASE", "PREFIX")), None)
    return QueryText(
        form=form,
        is_update=first in UPDATE_KEYWORDS or first == "WITH",
        uses_service=any("SERVICE" in word for reading in readings for word in reading),
        declares_dataset=any("FROM" in reading for reading in readings),
        # LOAD fetches a URL: any bare word containing it counts, as for SERVICE.
        uses_load=any("LOAD" in word for reading in readings for word in reading),
        names_graphs=any(
            name in word for reading in readings for word in reading for name in _GRAPH_WORDS
        ),
    )


# Bare words containing these count, as for SERVICE: the engine's parser needs no space after
# a keyword, and erring this way only costs the default graph's own store.
_GRAPH_WORDS = ("GRAPH", "FROM", "NAMED")


def _unescape_codepoints(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _CODEPOINT.sub(replace, text)


@dataclass(frozen=True)
class DataOperation:
    """One INSERT DATA or DELETE DATA operation: its keyword and its data as a TriG document
    (the update's prologue, the default graph's triples in `{ }`, then each GRAPH block)."""

    keyword: str
    trig: str


_DATA_WORDS = frozenset({"a", "true", "false"})  # the words data may hold besides GRAPH


def data_operations(text: str) -> list[DataOperation] | None:
    """The operations of an update made only of INSERT DATA and DELETE DATA (after a prologue),
    each as TriG; None for any other update, which the engine must run itself.

    Read on the terminals of SPARQL, as `read_query_text` reads: the data of an operation is the
    text between its braces, and the GRAPH blocks in it are found at the top level of that data;
    the text is copied as written (spaces and comments too). Text with `\\u` escapes (replaced
    anywhere before parsing) is left to the engine.
    """
    if _CODEPOINT.search(text):
        return None
    every = list(tokens(text))
    marks = [i for i, t in enumerate(every) if t.kind not in ("space", "comment")]
    position = 0
    prologue_end = 0
    while position < len(marks) and every[marks[position]].text.upper() in ("PREFIX", "BASE"):
        position += 3 if every[marks[position]].text.upper() == "PREFIX" else 2
        prologue_end = marks[position - 1] + 1 if position - 1 < len(marks) else len(every)
    prologue = "".join(t.text for t in every[:prologue_end])
    operations: list[DataOperation] = []
    seen_labels: set[str] = set()
    while position < len(marks):
        head = [every[i].text.upper() for i in marks[position : position + 3]]
        if head[:2] not in (["INSERT", "DATA"], ["DELETE", "DATA"]) or head[2:] != ["{"]:
            return None
        inside = _braced(every, marks, position + 2)
        if inside is None:
            return None
        first, last, position = inside
        trig = _as_trig(every, [i for i in marks if first <= i < last])
        if trig is None:
            return None
        labels = {every[i].text for i in marks if first <= i < last and every[i].kind == "blank"}
        if labels & seen_labels:  # a label shared by two operations is an error: the engine's
            return None
        seen_labels |= labels
        operations.append(DataOperation(head[0], prologue + "\n" + trig))
        if position < len(marks) and every[marks[position]].text == ";":
            position += 1
    return operations or None


def _braced(every: list[Token], marks: list[int], start: int) -> tuple[int, int, int] | None:
    """For the brace at significant position `start`: the token indexes its content spans
    (first, end) and the significant position after its closing brace."""
    depth = 0
    for position in range(start, len(marks)):
        token = every[marks[position]]
        if token.kind == "other" and token.text == "{":
            depth += 1
        elif token.kind == "other" and token.text == "}":
            depth -= 1
            if depth == 0:
                return marks[start] + 1, marks[position], position + 1
    return None


def _as_trig(every: list[Token], marks: list[int]) -> str | None:
    """QuadData (the significant tokens `marks` of `every`) as TriG: the top-level triples in
    one default-graph block, GRAPH blocks as written (a '.' after one, which SPARQL allows and
    TriG does not, dropped)."""
    fragments: list[str] = []
    graphs: list[str] = []
    position = 0
    start = marks[0] if marks else 0
    while position < len(marks):
        token = every[marks[position]]
        if token.kind == "variable":
            return None
        if token.kind != "word" or token.text in _DATA_WORDS:
            position += 1
            continue
        if token.text.upper() != "GRAPH" or position + 2 >= len(marks):
            return None
        if every[marks[position + 2]].text != "{":
            return None
        inside = _braced(every, marks, position + 2)
        if inside is None:
            return None
        fragments.append(_text(every, start, marks[position]))
        graph_start = marks[position]
        _first, last, position = inside
        graphs.append(_text(every, graph_start, last + 1))
        if position < len(marks) and every[marks[position]].text == ".":
            position += 1
        start = marks[position] if position < len(marks) else len(every)
    if marks:
        fragments.append(_text(every, start, marks[-1] + 1))
    # Fragments on either side of a GRAPH block are separate triples.
    body = " ".join(f if f.rstrip().endswith(".") else f + " ." for f in fragments if f.strip())
    return "\n".join([f"{{ {body} }}", *graphs])


def _text(every: list[Token], start: int, end: int) -> str:
    return "".join(token.text for token in every[start:end])


class DatasetConflict(ValueError):
    """An update names its own dataset (USING, USING NAMED, WITH) and the protocol names one too."""


def with_update_dataset(text: str, using: list[str], using_named: list[str]) -> str:
    """`text` with the protocol's `using-graph-uri` / `using-named-graph-uri` written as USING /
    USING NAMED clauses before the WHERE of each DELETE/INSERT operation (SPARQL 1.1 Protocol
    §2.2.3: the same dataset). The WHERE is found on the terminals, at the top level of an
    operation that starts with DELETE or INSERT and is not the DELETE WHERE shorthand.

    Raises DatasetConflict when the update declares a dataset itself.
    """
    if not using and not using_named:
        return text
    every = list(tokens(text))
    words = [t.text.upper() for t in every if t.kind == "word"]
    if any(word in ("USING", "WITH") for word in words):
        raise DatasetConflict(
            "the update names its dataset (USING or WITH) and so does the request "
            "(using-graph-uri / using-named-graph-uri); name it once"
        )
    clause = "".join(f" USING <{iri}>" for iri in using) + "".join(
        f" USING NAMED <{iri}>" for iri in using_named
    )
    out: list[str] = []
    depth = 0
    operation = ""  # the first keyword of the operation being read (after the prologue)
    last = ""  # the last significant terminal
    for token in every:
        significant = token.kind not in ("space", "comment")
        if token.kind == "other" and token.text in "{}":
            depth += 1 if token.text == "{" else -1
        elif token.kind == "other" and token.text == ";" and depth == 0:
            operation = ""
        elif token.kind == "word" and depth == 0:
            word = token.text.upper()
            if not operation and word not in ("PREFIX", "BASE"):
                operation = word
            # A Modify's WHERE; not the DELETE WHERE shorthand, which has no dataset clause.
            if word == "WHERE" and operation in ("DELETE", "INSERT") and last.upper() != "DELETE":
                out.append(clause.lstrip() + " ")
        if significant:
            last = token.text
        out.append(token.text)
    return "".join(out)


# The keywords after which an IRI names a graph: GRAPH (in patterns, quad data and graph
# management), WITH, USING (NAMED), FROM NAMED, and the two graphs of ADD, MOVE and COPY (which
# may be written without GRAPH: `COPY <a> TO <b>`, `ADD SILENT <a> TO DEFAULT`). SILENT also
# comes before a LOAD's URL and a SERVICE's endpoint, which the callers refuse before this.
_GRAPH_KEYWORDS = frozenset(
    {"GRAPH", "WITH", "USING", "NAMED", "TO", "ADD", "MOVE", "COPY", "SILENT"}
)
_LOCAL_ESCAPE = re.compile(r"\\(.)")


def named_graphs(text: str) -> set[str]:
    """The IRIs `text` (an update, or a query) names graphs by: those after GRAPH, WITH, USING
    NAMED and in ADD, MOVE and COPY, prefixed names expanded by its PREFIX declarations and
    relative IRIs resolved against its BASE (one it cannot expand is left out: the engine will
    refuse it). Read on the terminals, with `\\u` escapes replaced first (never raises)."""
    significant = [t for t in tokens(_unescape_codepoints(text)) if t.kind not in _SPACE]
    prefixes: dict[str, str] = {}
    base = ""
    found: set[str] = set()
    for position, token in enumerate(significant):
        word = token.text.upper() if token.kind == "word" else ""
        following = significant[position + 1 : position + 3]
        kinds = [t.kind for t in following]
        if word == "PREFIX" and kinds == ["name", "iri"]:
            prefixes[following[0].text[:-1]] = urljoin(base, following[1].text[1:-1])
        elif word == "BASE" and kinds[:1] == ["iri"]:
            base = urljoin(base, following[0].text[1:-1])
        elif word in _GRAPH_KEYWORDS and kinds[:1] in (["iri"], ["name"]):
            iri = _expanded(following[0], prefixes, base)
            if iri is not None:
                found.add(iri)
    return found


_SPACE = ("space", "comment")


def _expanded(token: Token, prefixes: dict[str, str], base: str) -> str | None:
    if token.kind == "iri":
        return urljoin(base, token.text[1:-1])
    prefix, _, local = token.text.partition(":")
    namespace = prefixes.get(prefix)
    return None if namespace is None else namespace + _LOCAL_ESCAPE.sub(r"\1", local)
