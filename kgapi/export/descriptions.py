"""What the graph exports say about each node: its slug, label in each language, kind and axis.

Read in bulk from a whole export source once and kept with it (`ExportSource.descriptions`), so
that every export of the source reuses what an earlier one read. Apart from kgapi.export.conversion
so that the source (kgapi.export.selection) can hold its descriptions without an import circle.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import TYPE_CHECKING, Any, cast

from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from kgapi.graph.namespaces import ontology_namespace
from kgapi.read.kinds import kind_by_types, kind_table
from kgapi.read.labels import LABEL_PREDICATES, label_rank
from kgapi.rendering import render_term

if TYPE_CHECKING:
    from kgapi.export.source import ExportSource


class Descriptions:
    """Slugs, labels, kinds and axes of the source's nodes (keyed by node id).

    Read in bulk from the whole source on first use and kept (see `ExportSource.descriptions`):
    the source's graphs do not change, so every export of it reuses what an earlier one read.
    """

    def __init__(self, source: ExportSource) -> None:
        self.source = source
        self.namespaces = source.asserted.namespace_manager
        self._curies: dict[str, str] = {}
        self._ancestors: dict[str, set[str]] = {}
        self._kinds = kind_table(ontology_namespace(source.base_iri))
        self._lock = threading.Lock()
        self._read = False
        self._label_candidates: list[tuple[str, int, str | None, str]] = []
        self._labels: dict[str, dict[str, str]] = {}
        self.types: dict[str, set[str]] = defaultdict(set)
        self.schemes: dict[str, str] = {}
        # Per language, the attributes `describe` gives an IRI node (copied on each use).
        self._described: dict[str, dict[str, dict[str, Any]]] = {}

    def _learn(self) -> None:
        """Read the labels, types and schemes of every node of the source, once."""
        with self._lock:
            if self._read:
                return
            node_id = self.node_id
            for order, predicate in enumerate(LABEL_PREDICATES):
                for s, label in self.source.asserted.subject_objects(predicate):
                    if isinstance(label, Literal):
                        self._label_candidates.append(
                            (node_id(s), order, label.language, str(label))
                        )
            for graph in (self.source.asserted, self.source.inferred):
                for s, kind in graph.subject_objects(RDF.type):
                    self.types[node_id(s)].add(str(kind))
                for predicate in (SKOS.inScheme, SKOS.topConceptOf):
                    for s, scheme in graph.subject_objects(predicate):
                        if isinstance(scheme, URIRef):
                            key = node_id(s)
                            slug = self.source.slug(scheme)
                            self.schemes[key] = min(slug, self.schemes.get(key, slug))
            self._read = True

    def labels(self, lang: str) -> dict[str, str]:
        """Each node's label for a reader of `lang`, by the one label policy (kgapi.read.labels)."""
        found = self._labels.get(lang)
        if found is None:
            self._learn()
            best: dict[str, tuple[tuple[int, int], str]] = {}
            for key, order, language, text in self._label_candidates:
                rank = (label_rank(order, language, lang), text)
                if key not in best or rank < best[key]:
                    best[key] = rank
            found = {key: text for key, (_, text) in best.items()}
            self._labels[lang] = found
        return found

    @staticmethod
    def node_id(term: Node) -> str:
        """The networkx node of a term: the IRI, `_:id` for blank nodes, N3 for literals."""
        if type(term) is URIRef:  # the common case first, without isinstance's ABC machinery
            return str(term)
        if isinstance(term, BNode):
            return f"_:{term}"
        if isinstance(term, Literal):
            return term.n3()
        return str(term)

    def curie(self, term: Node) -> str:
        """A prefixed name for the term if a bound prefix covers it, else the IRI."""
        key = str(term)
        found = self._curies.get(key)
        if found is None:
            try:
                found = self.namespaces.curie(key, generate=False)
            except (KeyError, ValueError):
                found = key
            self._curies[key] = found
        return found

    def slug(self, term: Node) -> str:
        if isinstance(term, URIRef):
            slug = self.source.slug(term)
            return self.curie(term) if slug == str(term) else slug
        return self.node_id(term)

    def label(self, term: Node, lang: str, key: str | None = None) -> str:
        found = self.labels(lang).get(key if key is not None else self.node_id(term))
        if found is not None:
            return found
        if isinstance(term, BNode):
            return render_term(self.source.asserted, term)
        if isinstance(term, Literal):
            return str(term)
        return self.slug(term)

    def kind(self, term: Node, key: str) -> str:
        if isinstance(term, Literal):
            return "literal"
        types = set(self.types.get(key, ()))
        for kind in list(types):
            types |= self._superclasses(kind)
        found = kind_by_types(self._kinds, types)
        if found is not None:
            return found
        if isinstance(term, BNode):
            return "blank"
        return "individual" if types else "resource"

    def describe(self, key: str, term: Node, lang: str) -> dict[str, Any]:
        """The attributes every node has (axis only where there is one), as a new dict."""
        if type(term) is not URIRef:
            return self._describe(key, term, lang)
        described = self._described.get(lang)
        if described is None:
            described = self._described.setdefault(lang, {})
        found = described.get(key)
        if found is None:
            found = described[key] = self._describe(key, term, lang)
        return found.copy()

    def _describe(self, key: str, term: Node, lang: str) -> dict[str, Any]:
        self._learn()
        attributes: dict[str, Any] = {
            "iri": str(term) if isinstance(term, URIRef) else "",
            "slug": self.slug(term),
            "label": self.label(term, lang, key),
            "kind": self.kind(term, key),
        }
        axis = self.schemes.get(key)
        if axis is None and str(SKOS.ConceptScheme) in self.types.get(key, ()):
            axis = self.source.slug(cast(URIRef, term))
        if axis is not None:
            attributes["axis"] = axis
        if isinstance(term, Literal):
            attributes["datatype"] = str(term.datatype or "")
            attributes["language"] = term.language or ""
        return attributes

    def _superclasses(self, cls: str) -> set[str]:
        """Named superclasses by asserted rdfs:subClassOf (kinds then work without a reasoner)."""
        found = self._ancestors.get(cls)
        if found is None:
            found = set()
            pending = [URIRef(cls)]
            while pending:
                for parent in self.source.asserted.objects(pending.pop(), RDFS.subClassOf):
                    if isinstance(parent, URIRef) and str(parent) not in found:
                        found.add(str(parent))
                        pending.append(parent)
            self._ancestors[cls] = found
        return found
