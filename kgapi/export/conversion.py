"""RDF → networkx: one node per resource, one edge per triple between two resources.

Node attributes: `iri`, `slug`, `label` (in the chosen language, else the other one), `kind`
(see KINDS), `axis` (the scheme slug of a classification concept or scheme; absent otherwise),
`inferred` (True when only inferred triples mention the node), and one attribute per literal-valued
predicate, named by its prefixed name (`skos:definition`), values in the chosen language joined
with " | ". Edge attributes: `predicate` (IRI), `label` (the predicate's label) and `inferred`;
the edge key is the predicate's prefixed name, so parallel edges stay apart in the MultiDiGraph.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any, cast

import networkx as nx
from rdflib import OWL, RDF, RDFS, BNode, Literal, Namespace, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from kgapi.export.selection import ExportSource, Selection
from kgapi.namespaces import ontology_namespace
from kgapi.rendering import render_term

LANGUAGES: tuple[str, ...] = ("en", "zh")
LABEL_PREDICATES = (RDFS.label, SKOS.prefLabel)
VALUE_SEPARATOR = " | "
KINDS: tuple[str, ...] = (
    "scheme",
    "concept",
    "class",
    "restriction",
    "property",
    "product",
    "component",
    "organisation",
    "person",
    "licence",
    "source",
    "claim",
    "ontology",
    "individual",
    "resource",
    "blank",
    "literal",
)


def to_networkx(
    source: ExportSource, selection: Selection, *, lang: str = "en", literals_as_nodes: bool = False
) -> nx.MultiDiGraph:
    """The selection as a networkx MultiDiGraph (see the module docstring for its attributes).

    Labels, kinds and axes come from the whole source, so a taxonomy export still knows that a
    class is a classification concept even though it holds no rdf:type triples. They are read
    once per source (`ExportSource.descriptions`) and reused by every export of it.
    """
    # Nodes are keyed by plain strings from the start: rdflib terms hash in Python, and a large
    # export would spend most of its time hashing them. One pass over the selection collects
    # the nodes, their literal values and the edges; the graph is then built in bulk.
    describer = source.descriptions
    node_id = describer.node_id
    terms: dict[str, Node] = {}
    asserted_nodes: set[str] = set()
    literal_values: dict[str, dict[str, list[Literal]]] = {}
    predicates: dict[str, Node] = {}
    edges: list[tuple[str, str, str, bool]] = []
    uri, literal = URIRef, Literal
    for (s, p, o), only_inferred in selection.pairs:
        subject = str(s) if type(s) is uri else node_id(s)
        predicate = str(p)
        if subject not in terms:
            terms[subject] = s
        if predicate not in predicates:
            predicates[predicate] = p
        if not only_inferred:
            asserted_nodes.add(subject)
        kind = type(o)
        # Exact types first: rdflib's term classes check isinstance through an ABC, slowly.
        if (kind is literal or (kind is not uri and isinstance(o, literal))) and not (
            literals_as_nodes
        ):
            value = cast(Literal, o)
            values = literal_values.get(subject)
            if values is None:
                literal_values[subject] = {predicate: [value]}
            else:
                found = values.get(predicate)
                if found is None:
                    values[predicate] = [value]
                else:
                    found.append(value)
            continue
        target = str(o) if kind is uri else node_id(o)
        if target not in terms:
            terms[target] = o
        if not only_inferred:
            asserted_nodes.add(target)
        edges.append((subject, target, predicate, only_inferred))
    if selection.focus is not None:
        focus = node_id(selection.focus)
        terms.setdefault(focus, selection.focus)
        asserted_nodes.add(focus)

    names = {predicate: describer.curie(term) for predicate, term in predicates.items()}
    edge_data = {
        (predicate, flag): {
            "predicate": predicate,
            "label": describer.label(term, lang),
            "inferred": flag,
        }
        for predicate, term in predicates.items()
        for flag in (False, True)
    }

    # Nodes in the order the edges first reach them (as networkx's add_edge would add them),
    # then the nodes no edge reaches.
    order: dict[str, None] = {}
    for subject, target, _, _ in edges:
        if subject not in order:
            order[subject] = None
        if target not in order:
            order[target] = None
    order.update(dict.fromkeys(terms))

    def node_attributes(key: str) -> dict[str, Any]:
        attributes = describer.describe(key, terms[key], lang)
        attributes["inferred"] = key not in asserted_nodes
        values = literal_values.get(key)
        if values is not None:
            for predicate, found in values.items():
                attributes[names[predicate]] = _pick(found, lang)
        return attributes

    # Filled in place, as add_nodes_from and add_edges_from would (successor and predecessor
    # sharing each key dict) at a fifth of their cost per edge: nothing else holds the graph yet.
    graph = nx.MultiDiGraph()
    node_store, successors, predecessors = graph._node, graph._succ, graph._pred
    for key in order:
        node_store[key] = node_attributes(key)
        successors[key] = {}
        predecessors[key] = {}
    for subject, target, predicate, flag in edges:
        out = successors[subject]
        keys = out.get(target)
        if keys is None:
            keys = out[target] = {}
            predecessors[target][subject] = keys
        keys[names[predicate]] = edge_data[predicate, flag].copy()
    graph.graph["scope"] = selection.scope
    graph.graph["lang"] = lang
    return graph


def _pick(values: list[Literal], lang: str) -> str:
    """The values worth showing in `lang`: its own and untagged ones, else the other language's."""
    if len(values) == 1:
        return str(values[0])
    chosen = [v for v in values if v.language in (lang, None)]
    if not chosen:
        chosen = [v for v in values if v.language in LANGUAGES] or values
    return VALUE_SEPARATOR.join(sorted({str(v) for v in chosen}))


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
        self._kinds = _kind_table(ontology_namespace(source.base_iri))
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
        """Each node's label in `lang`: rdfs:label before skos:prefLabel, `lang` before the
        other languages, untagged after both and any other language last."""
        found = self._labels.get(lang)
        if found is None:
            self._learn()
            rank_of_lang = {lang: 0, **{other: 1 for other in LANGUAGES if other != lang}}
            best: dict[str, tuple[int, str]] = {}
            for key, order, language, text in self._label_candidates:
                rank = 2 * (rank_of_lang.get(language, 3) if language else 2) + order
                if key not in best or (rank, text) < best[key]:
                    best[key] = (rank, text)
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
        for name, classes in self._kinds:
            if not types.isdisjoint(classes):
                return name
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


def _kind_table(virt: Namespace) -> list[tuple[str, frozenset[str]]]:
    """Kinds by the classes that make them (IRIs as strings), first match wins."""
    table: list[tuple[str, tuple[Node, ...]]] = [
        ("scheme", (SKOS.ConceptScheme,)),
        ("concept", (SKOS.Concept,)),
        ("class", (OWL.Class, RDFS.Class, RDFS.Datatype)),
        ("restriction", (OWL.Restriction,)),
        (
            "property",
            (RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty),
        ),
        ("product", (virt.SoftwareProduct,)),
        ("component", (virt.SoftwareComponent,)),
        ("organisation", (virt.Organisation,)),
        ("person", (virt.Person,)),
        ("licence", (virt.Licence,)),
        ("source", (virt.Source,)),
        ("claim", (virt.ContestedClaim, virt.ClaimPosition)),
        ("ontology", (OWL.Ontology,)),
    ]
    return [(name, frozenset(str(c) for c in classes)) for name, classes in table]
