"""The one label policy: which text names a term, and the languages the graph is written in.

A term's label is its `skos:prefLabel` or `rdfs:label` in the wanted language, else in English,
else an untagged one, else one in any other language; within a language the preferred label
comes first. The entity API and pages (`kgapi.read.facts.FactReader`), the comparison and the graph
exports (`kgapi.export.descriptions`, in bulk) all choose by `label_rank`.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import RDFS, SKOS, Graph, Literal
from rdflib.term import Node

LANGUAGES: tuple[str, ...] = ("en", "zh")
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
