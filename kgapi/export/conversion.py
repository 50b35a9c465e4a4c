"""RDF → networkx: one node per resource, one edge per triple between two resources.

Node attributes: `iri`, `slug`, `label` (in the chosen language, else the other one), `kind`
(see KINDS), `axis` (the scheme slug of a classification concept or scheme; absent otherwise),
`inferred` (True when only inferred triples mention the node), and one attribute per literal-valued
predicate, named by its prefixed name (`skos:definition`), values in the chosen language joined
with " | ". Edge attributes: `predicate` (IRI), `label` (the predicate's label) and `inferred`;
the edge key is the predicate's prefixed name, so parallel edges stay apart in the MultiDiGraph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any, TypeGuard, cast

import networkx as nx
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.extras.external_graph_libs import rdflib_to_networkx_multidigraph
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
    class is a classification concept even though it holds no rdf:type triples.
    """
    # Nodes are keyed by plain strings from the start: rdflib terms hash in Python, and a large
    # export would spend most of its time hashing them.
    describer = _Describer(source, lang)
    node_id = describer.node_id
    terms: dict[str, Node] = {}
    asserted_nodes: set[str] = set()
    literal_values: dict[str, dict[str, list[Literal]]] = defaultdict(lambda: defaultdict(list))
    predicates: dict[str, Node] = {}
    edges: list[tuple[str, tuple[str, bool], str]] = []
    for (s, p, o), only_inferred in selection.pairs:
        subject, predicate = node_id(s), str(p)
        if subject not in terms:
            terms[subject] = s
        if predicate not in predicates:
            predicates[predicate] = p
        if not only_inferred:
            asserted_nodes.add(subject)
        if _is_literal(o) and not literals_as_nodes:
            literal_values[subject][predicate].append(o)
            continue
        target = node_id(o)
        if target not in terms:
            terms[target] = o
        if not only_inferred:
            asserted_nodes.add(target)
        edges.append((subject, (predicate, only_inferred), target))
    if selection.focus is not None:
        focus = node_id(selection.focus)
        terms.setdefault(focus, selection.focus)
        asserted_nodes.add(focus)
    describer.learn({**terms, **predicates})

    names = {predicate: describer.curie(term) for predicate, term in predicates.items()}
    edge_data = {
        (predicate, flag): {
            "key": names[predicate],
            "predicate": predicate,
            "label": describer.label(term),
            "inferred": flag,
        }
        for predicate, term in predicates.items()
        for flag in (False, True)
    }

    def edge_attributes(s: str, p: tuple[str, bool], o: str) -> dict[str, Any]:
        return dict(edge_data[p])

    # rdflib's converter only iterates its first argument and hands each (s, p, o) to
    # edge_attrs, so pre-converted triples (p carrying the inferred flag) serve as well.
    graph: nx.MultiDiGraph = rdflib_to_networkx_multidigraph(
        cast(Graph, edges), edge_attrs=edge_attributes
    )
    for key, term in terms.items():
        attributes = describer.describe(key, term)
        attributes["inferred"] = key not in asserted_nodes
        for predicate, values in literal_values.get(key, {}).items():
            attributes[names[predicate]] = _pick(values, lang)
        graph.add_node(key, **attributes)
    graph.graph["scope"] = selection.scope
    graph.graph["lang"] = lang
    return graph


def _is_literal(term: Node) -> TypeGuard[Literal]:
    # rdflib's term classes check isinstance through an ABC, slowly; exact types answer at once.
    kind = type(term)
    return kind is Literal or (kind is not URIRef and isinstance(term, Literal))


def _pick(values: list[Literal], lang: str) -> str:
    """The values worth showing in `lang`: its own and untagged ones, else the other language's."""
    if len(values) == 1:
        return str(values[0])
    chosen = [v for v in values if v.language in (lang, None)]
    if not chosen:
        chosen = [v for v in values if v.language in LANGUAGES] or values
    return VALUE_SEPARATOR.join(sorted({str(v) for v in chosen}))


class _Describer:
    """Slugs, labels, kinds and axes of nodes (keyed by node id), read in bulk from the source."""

    def __init__(self, source: ExportSource, lang: str) -> None:
        self.source = source
        self.lang = lang
        self.namespaces = source.asserted.namespace_manager
        self.labels: dict[str, tuple[int, str]] = {}
        self.types: dict[str, set[str]] = defaultdict(set)
        self.schemes: dict[str, str] = {}
        self._curies: dict[str, str] = {}
        self._ancestors: dict[str, set[str]] = {}
        self._kinds = _kind_table(ontology_namespace(source.base_iri))

    def learn(self, terms: Mapping[str, Node]) -> None:
        """Read the labels, types and schemes of the nodes `terms` maps ids to."""
        rank_of_lang = {self.lang: 0, **{other: 1 for other in LANGUAGES if other != self.lang}}
        for order, predicate in enumerate(LABEL_PREDICATES):
            for s, label in self.source.asserted.subject_objects(predicate):
                key = self.node_id(s)
                if key not in terms or not isinstance(label, Literal):
                    continue
                language = label.language
                rank = 2 * (rank_of_lang.get(language, 3) if language else 2) + order
                if key not in self.labels or (rank, str(label)) < self.labels[key]:
                    self.labels[key] = (rank, str(label))
        for graph in (self.source.asserted, self.source.inferred):
            for s, kind in graph.subject_objects(RDF.type):
                key = self.node_id(s)
                if key in terms:
                    self.types[key].add(str(kind))
            for predicate in (SKOS.inScheme, SKOS.topConceptOf):
                for s, scheme in graph.subject_objects(predicate):
                    key = self.node_id(s)
                    if key in terms and isinstance(scheme, URIRef):
                        slug = self.source.slug(scheme)
                        self.schemes[key] = min(slug, self.schemes.get(key, slug))

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

    def label(self, term: Node, key: str | None = None) -> str:
        found = self.labels.get(key if key is not None else self.node_id(term))
        if found is not None:
            return found[1]
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

    def describe(self, key: str, term: Node) -> dict[str, Any]:
        """The attributes every node has (axis only where there is one)."""
        attributes: dict[str, Any] = {
            "iri": str(term) if isinstance(term, URIRef) else "",
            "slug": self.slug(term),
            "label": self.label(term, key),
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
