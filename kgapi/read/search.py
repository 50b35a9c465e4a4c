"""Ranked label and alias search in English and Chinese: exact, then prefix, then substring.

Built once per (immutable) graph. A label (`rdfs:label`, `skos:prefLabel`) outranks an alias
(`skos:altLabel`, `skos:hiddenLabel`) of the same match kind; ties go to the shorter label, then
to the IRI, so a result list is the same every time. Comparison is NFKC, case-folded,
whitespace-collapsed and in Simplified characters (kgapi.read.names.normalize), so 全虚拟化,
全虛擬化 and full-width Latin letters find what they should; a label the text does not match is
compared again without punctuation and spaces, so that `hyperv` (as virt-what prints it), Hyper-V
with a typographic hyphen (U+2011) and `vmwareesxi` find Hyper-V and VMware ESXi.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from rdflib import RDFS, SKOS, Literal, URIRef

from kgapi.read.facts import FactReader, kind_of
from kgapi.read.kinds import KINDS
from kgapi.read.names import normalize

LABELS = (RDFS.label, SKOS.prefLabel)
ALIASES = (SKOS.altLabel, SKOS.hiddenLabel)
# Scores by (match kind, label or alias): exact beats prefix beats substring.
SCORES = {
    ("exact", "label"): 100,
    ("exact", "alias"): 90,
    ("prefix", "label"): 60,
    ("prefix", "alias"): 55,
    ("substring", "label"): 30,
    ("substring", "alias"): 25,
}
MAX_LIMIT = 100


class SearchError(ValueError):
    """A search request that cannot be answered; `parameter` names the culprit."""

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        super().__init__(message)


@dataclass(frozen=True)
class _Entry:
    term: URIRef
    text: str
    key: str
    compact: str  # the key without punctuation and spaces
    language: str
    role: str  # "label" or "alias"


@dataclass(frozen=True)
class SearchResult:
    """One hit: the term, what matched and how, and its score (higher is better)."""

    iri: str
    curie: str
    label: str
    kind: str
    score: int
    match: str
    matched: str
    matched_lang: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "curie": self.curie,
            "label": self.label,
            "kind": self.kind,
            "score": self.score,
            "match": self.match,
            "matched": self.matched,
            "matched_lang": self.matched_lang,
        }


@dataclass
class SearchIndex:
    """Every label and alias of the graph's IRIs, with each term's kind, ready to match."""

    reader: FactReader
    entries: list[_Entry] = field(default_factory=list)
    kinds: dict[URIRef, str] = field(default_factory=dict)

    @classmethod
    def build(cls, reader: FactReader) -> SearchIndex:
        index = cls(reader)
        for predicates, role in ((LABELS, "label"), (ALIASES, "alias")):
            for predicate in predicates:
                for term, text in reader.asserted.subject_objects(predicate):
                    if isinstance(term, URIRef) and isinstance(text, Literal):
                        key = normalize(str(text))
                        index.entries.append(
                            _Entry(term, str(text), key, compact(key), text.language or "", role)
                        )
        for entry in index.entries:
            if entry.term not in index.kinds:
                index.kinds[entry.term] = kind_of(reader, entry.term)
        return index

    def search(
        self,
        query: str,
        *,
        lang: str | None = None,
        kind: str | None = None,
        of_type: URIRef | None = None,
        limit: int = 20,
    ) -> list[SearchResult]:
        """The terms whose labels match `query`, best first, at most `limit`.

        `lang` restricts matching to labels in that language and shows labels in it; `kind` keeps
        one of KINDS; `of_type` keeps members (asserted or inferred) of a class.
        Raises SearchError for an empty query, an unknown kind or a limit out of 1..MAX_LIMIT.
        """
        key = normalize(query)
        if not key:
            raise SearchError("q", "give a non-empty query text")
        if kind is not None and kind not in KINDS:
            raise SearchError("type", f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
        if not 1 <= limit <= MAX_LIMIT:
            raise SearchError("limit", f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
        compact_key = compact(key)
        best: dict[URIRef, tuple[int, int, str, _Entry]] = {}
        for entry in self.entries:
            if lang and entry.language.split("-")[0] != lang:
                continue
            match = _match(key, entry.key)
            if match is None and compact_key:
                match = _match(compact_key, entry.compact)
            if match is None:
                continue
            score = SCORES[(match, entry.role)]
            rank = (score, -len(entry.key), match, entry)
            current = best.get(entry.term)
            if current is None or rank[:2] > current[:2]:
                best[entry.term] = rank
        reader = self.reader.with_language(lang) if lang else self.reader
        results = []
        for term, (score, _, match, entry) in best.items():
            term_kind = self.kinds.get(term, "individual")
            if kind is not None and term_kind != kind:
                continue
            if of_type is not None and not reader.has_type(term, of_type):
                continue
            results.append(
                SearchResult(
                    str(term),
                    reader.curie(term),
                    reader.display(term),
                    term_kind,
                    score,
                    match,
                    entry.text,
                    entry.language,
                )
            )
        results.sort(key=lambda r: (-r.score, len(r.matched), r.iri))
        return results[:limit]


def compact(key: str) -> str:
    """`key` without its punctuation (dashes of every kind included) and spaces."""
    return "".join(c for c in key if not unicodedata.category(c).startswith(("P", "Z")))


def _match(key: str, text: str) -> str | None:
    if text == key:
        return "exact"
    if text.startswith(key):
        return "prefix"
    if key in text:
        return "substring"
    return None
