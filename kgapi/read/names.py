"""Resolve what people type (IRI, prefixed name, slug, English or Chinese label) to one term.

An unknown or ambiguous name is an error that carries candidates; the resolver never guesses.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

import opencc
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS, NamespaceManager
from rdflib.util import from_n3

LABEL_PREDICATES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel)


class NameResolutionError(LookupError):
    """Base of the resolver's errors: the name given and the candidates worth suggesting."""

    def __init__(self, name: str, candidates: list[URIRef], message: str) -> None:
        self.name = name
        self.candidates = candidates
        super().__init__(message)


class UnknownName(NameResolutionError):
    """No term has this IRI, prefixed name, slug or label."""


class AmbiguousName(NameResolutionError):
    """Several terms share this slug or label; the caller must pick one of the candidates."""


# A literal as N-Triples or Turtle write it: "text", then a language tag or a datatype.
_LITERAL = re.compile(
    r'^"(?:[^"\\]|\\.)*"(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^(?:<[^<>"\s]*>|[A-Za-z][\w.-]*:[\w.-]*))?$'
)


def read_literal(text: str, namespaces: NamespaceManager) -> Literal:
    """A literal written as in N-Triples or Turtle (`"2008"`, `"true"^^xsd:boolean`, `"虚拟化"@zh`),
    with `namespaces` for prefixed datatypes. Raises ValueError saying what is wrong."""
    written = text.strip()
    if not _LITERAL.match(written):
        raise ValueError(
            f"cannot read the literal {text!r}: write it as in N-Triples or Turtle, "
            'e.g. "true"^^xsd:boolean or "2008"'
        )
    try:
        term = from_n3(written, nsm=namespaces)
    except (ValueError, KeyError, IndexError) as error:
        raise ValueError(f"cannot read the literal {text!r}: {error}") from error
    if not isinstance(term, Literal):
        raise ValueError(f"{text!r} is not a literal")
    try:
        str(term).encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(
            f"the literal {text!r} holds a lone surrogate, which is not text"
        ) from error
    return term


# Traditional characters, with Taiwan's words for things, to Simplified as the mainland writes
# them (OpenCC's tw2sp: 硬體輔助虛擬化 is 硬件辅助虚拟化), so that a reader in Taiwan or Hong
# Kong finds the graph's Chinese, which is Simplified. Both sides of a comparison are folded.
_SIMPLIFIED = opencc.OpenCC("tw2sp")


def normalize(text: str) -> str:
    """The key names are compared by: NFKC-normalized, case-folded, whitespace collapsed, and
    Chinese in Simplified characters."""
    key = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return _SIMPLIFIED.convert(key) if not key.isascii() else key


@dataclass
class NameIndex:
    """Every way a term of a graph can be named, built once for an immutable graph."""

    graph: Graph
    namespaces: dict[str, str]
    by_slug: dict[str, set[URIRef]] = field(default_factory=lambda: defaultdict(set))
    by_label: dict[str, set[URIRef]] = field(default_factory=lambda: defaultdict(set))
    terms: set[URIRef] = field(default_factory=set)

    @classmethod
    def for_graph(cls, graph: Graph, *, base_iri: str) -> NameIndex:
        """Index `graph`, with slugs taken from the graph's own namespaces under `base_iri`."""
        return cls.build(graph, local_namespaces=(f"{base_iri}ontology/", f"{base_iri}resource/"))

    @classmethod
    def build(cls, graph: Graph, *, local_namespaces: tuple[str, ...]) -> NameIndex:
        """Index `graph`; slugs are local names of IRIs under `local_namespaces`."""
        index = cls(graph, {prefix: str(ns) for prefix, ns in graph.namespaces()})
        for subject in set(graph.subjects()):
            if isinstance(subject, URIRef):
                index.terms.add(subject)
        for predicate in set(graph.predicates()):
            if isinstance(predicate, URIRef):
                index.terms.add(predicate)
        for term in index.terms:
            for namespace in local_namespaces:
                if term.startswith(namespace) and len(term) > len(namespace):
                    index.by_slug[normalize(term[len(namespace) :])].add(term)
        for predicate in LABEL_PREDICATES:
            for subject, label in graph.subject_objects(predicate):
                if isinstance(subject, URIRef) and isinstance(label, Literal):
                    index.by_label[normalize(str(label))].add(subject)
        return index

    def resolve(self, name: str) -> URIRef:
        """The one term `name` denotes; raises UnknownName or AmbiguousName with candidates."""
        text = name.strip()
        if not text:
            raise UnknownName(name, [], "an empty name names nothing")
        if text == "a":
            return URIRef(RDF.type)
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        if "://" in text or text.startswith("urn:"):
            iri = URIRef(text)
            if iri in self.terms:
                return iri
            raise UnknownName(name, self.suggest(text), f"no term has the IRI <{text}>")
        prefix, colon, local = text.partition(":")
        if colon and prefix in self.namespaces and " " not in text:
            iri = URIRef(self.namespaces[prefix] + local)
            if iri in self.terms:
                return iri
            raise UnknownName(name, self.suggest(local), f"no term is named {text}")
        key = normalize(text)
        for table, what in ((self.by_slug, "slug"), (self.by_label, "label")):
            matches = table.get(key, set())
            if len(matches) == 1:
                return next(iter(matches))
            if len(matches) > 1:
                raise AmbiguousName(
                    name,
                    sorted(matches),
                    f"{len(matches)} terms have the {what} {text!r}; name one by its IRI",
                )
        # "nope:xen" with an unknown prefix: the local part is the better hint.
        hint = local if colon and local else text
        raise UnknownName(name, self.suggest(hint), f"no term is named {text!r}")

    def suggest(self, text: str, *, limit: int = 5) -> list[URIRef]:
        """Terms whose slug or label is close to `text`, best first."""
        key = normalize(text)
        keys = [*self.by_slug, *self.by_label]
        close = difflib.get_close_matches(key, keys, n=limit * 2, cutoff=0.6)
        close += [k for k in keys if key and key in k and k not in close][:limit]
        found: list[URIRef] = []
        for match in close:
            for term in sorted(self.by_slug.get(match, set()) | self.by_label.get(match, set())):
                if term not in found:
                    found.append(term)
        return found[:limit]
