"""The one label policy: which text names a term, and the languages the graph is written in.

A term's label is its `skos:prefLabel` or `rdfs:label` in the wanted language, else in English,
else an untagged one, else one in any other language; within a language the preferred label
comes first. The entity API and pages (`kgapi.read.facts.FactReader`), the comparison and the graph
exports (`kgapi.export.descriptions`, in bulk) all choose by `label_rank`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import RDFS, SKOS, Graph, Literal
from rdflib.term import Node

LANGUAGES: tuple[str, ...] = ("en", "zh")

# A language tag (RFC 5646's general form: subtags of up to 8 letters or digits, the first of
# letters), as a JSON Schema (ECMA-262) pattern for API descriptions and Python's regex alike.
LANGUAGE_TAG_PATTERN = r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"
# One whose primary subtag is one of LANGUAGES, in any case (en-US, zh-Hans-CN, EN): what
# `reader_language` takes.
READER_LANGUAGE_PATTERN = (
    "^("
    + "|".join("".join(f"[{c}{c.upper()}]" for c in language) for language in LANGUAGES)
    + ")(-[A-Za-z0-9]{1,8})*$"
)
_READER_LANGUAGE = re.compile(READER_LANGUAGE_PATTERN)


def reader_language(tag: str) -> str | None:
    """The one of LANGUAGES a reader asking for the language tag `tag` gets, or None.

    Tags are case-insensitive and a region or script narrows a language (RFC 5646), so en-US
    and EN are English and zh-Hans-CN Chinese, as Accept-Language's lookup (RFC 4647) has them.
    """
    if not _READER_LANGUAGE.match(tag):
        return None
    return tag.partition("-")[0].lower()


def preferred_language(ranges: Iterable[tuple[str, float]], default: str = "en") -> str:
    """The one of LANGUAGES a reader gets for Accept-Language's `ranges` (tag, quality), in the
    client's order of preference: the first range that names one, as `reader_language` reads a
    tag; `default` for `*`, or when none does. (werkzeug's best match takes an exact match of
    any quality, zh;q=0.5, over a preferred language named with its region, en-US.)"""
    for tag, quality in ranges:
        if quality <= 0:
            continue
        if tag == "*":
            return default
        chosen = reader_language(tag)
        if chosen is not None:
            return chosen
    return default


def no_such_language(tag: str) -> str:
    """What a refusal of the language tag `tag` says."""
    return f"lang names none of the graph's languages ({', '.join(LANGUAGES)}): {tag!r}"


LABEL_PREDICATES = (SKOS.prefLabel, RDFS.label)


def label_rank(predicate_order: int, language: str | None, wanted: str) -> tuple[int, int]:
    """How good a label is for a reader of `wanted` (lower is better).

    `predicate_order` is the label's predicate's place in LABEL_PREDICATES.
    """
    if language == wanted:
        by_language = 0
    elif language == "en":
        by_language = 1
    elif not language:
        by_language = 2
    else:
        by_language = 3
    return by_language, predicate_order


def best_label(candidates: Iterable[tuple[int, Literal]], wanted: str) -> str | None:
    """The best of (predicate order, literal) candidates; ties go to the smaller text."""
    best: tuple[tuple[int, int], str] | None = None
    for order, literal in candidates:
        key = (label_rank(order, literal.language, wanted), str(literal))
        if best is None or key < best:
            best = key
    return best[1] if best is not None else None


def label_in(graph: Graph, term: Node, wanted: str) -> str | None:
    """`term`'s label in `graph` for a reader of `wanted`, or None if it has none."""
    return best_label(
        (
            (order, label)
            for order, predicate in enumerate(LABEL_PREDICATES)
            for label in graph.objects(term, predicate)
            if isinstance(label, Literal)
        ),
        wanted,
    )
