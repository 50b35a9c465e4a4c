"""Which triples an export draws: the scopes, and the filters every scope shares.

A selection maps each chosen triple to whether it is inferred only (True) or asserted (False).
Every scope but `construct` then adds the literal-valued triples of the nodes it reached, so
that labels and definitions travel with them, and drops what is noise for drawing unless asked:
triples through blank nodes (OWL restrictions, lists) and `rdf:type` links to the vocabulary's
own meta-classes (`owl:Class`, `owl:ObjectProperty`, `skos:Concept`, …).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from kgapi.export.source import ExportSource, Triple
from kgapi.graph.namespaces import ontology_namespace
from kgapi.graph.terms import is_rdf_1_2, rdflib_term
from kgapi.read.names import NameResolutionError
from kgapi.sparql.evaluation import (
    N_TRIPLES,
    RESULTS_JSON,
    QueryJob,
    QueryNotEvaluable,
    QuerySyntaxError,
    TooManyResults,
)
from kgapi.sparql.executor import QueryTooDeep
from kgapi.sparql.text import read_query_text
from kgapi.triples import all_triples

if TYPE_CHECKING:
    pass


SCOPES: tuple[str, ...] = ("all", "taxonomy", "axis", "products", "neighbourhood", "construct")
MAX_DEPTH = 4
AXIS_PREFIX = "classification-by-"

# rdf:type objects that say only "this is a class/property/concept": the node's kind says it.
_META_NAMESPACES = (str(RDF), str(RDFS), str(OWL))
_META_TYPES = frozenset({SKOS.Concept, SKOS.ConceptScheme})
_REFLEXIVE_TRIVIA = frozenset(
    {RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty, OWL.sameAs}
)
_TOP_CLASSES = frozenset({OWL.Thing, RDFS.Resource})


class ExportError(ValueError):
    """A bad export request: names the `parameter` at fault and, where finite, valid `choices`."""

    def __init__(self, parameter: str, message: str, choices: Sequence[str] = ()) -> None:
        self.parameter = parameter
        self.choices = tuple(choices)
        if self.choices:
            message = f"{message}; valid choices: {', '.join(self.choices)}"
        super().__init__(message)


@dataclass
class Selection:
    """The chosen triples, each paired with True when it is inferred only, and what was resolved.

    Kept as a list in selection order; `add` merges duplicates (asserted wins over inferred).
    """

    scope: str
    focus: URIRef | None = None
    axis: URIRef | None = None
    pairs: list[tuple[Triple, bool]] = field(default_factory=list)
    _index: dict[Triple, int] = field(default_factory=dict, repr=False)

    def add(self, triple: Triple, inferred: bool) -> None:
        at = self._index.get(triple)
        if at is None:
            self._index[triple] = len(self.pairs)
            self.pairs.append((triple, inferred))
        elif not inferred:
            self.pairs[at] = (triple, False)

    def __len__(self) -> int:
        return len(self.pairs)

    def graph(self, source: ExportSource) -> Graph:
        """The selected triples as an rdflib graph, with the source's prefixes bound."""
        graph = Graph()
        for prefix, namespace in source.asserted.namespaces():
            graph.bind(prefix, namespace, override=True)
        for triple, _ in self.pairs:
            graph.add(triple)
        return graph

    def nodes(self) -> set[Node]:
        """Subjects, and objects that are not literals."""
        found: set[Node] = set()
        for (s, _, o), _ in self.pairs:
            found.add(s)
            if not isinstance(o, Literal):
                found.add(o)
        return found


def select(
    source: ExportSource,
    *,
    scope: str = "all",
    focus: str | None = None,
    depth: int = 1,
    axis: str | None = None,
    query: str | None = None,
    inferred: bool = True,
    blank_nodes: bool = False,
    trivial_types: bool = False,
) -> Selection:
    """The triples of one scope (see SCOPES), with or without inferred ones.

    Raises ExportError for a bad scope, axis, depth or query, and kgapi.read.names' UnknownName or
    AmbiguousName (with candidates) for a focus that names no single term.
    """
    check_parameters(scope=scope, focus=focus, axis=axis, query=query, depth=depth)
    if scope == "construct":
        assert query is not None
        return _construct(source, query, inferred=inferred)
    admit = _admission(blank_nodes=blank_nodes, trivial_types=trivial_types)
    selection = Selection(scope)
    if scope == "all":
        # The hot path of large exports: each triple is new, so no duplicate check.
        selection.pairs.extend(
            (triple, False) for triple in all_triples(source.asserted) if admit(triple)
        )
        if inferred:
            selection.pairs.extend(
                (triple, True)
                for triple in all_triples(source.inferred)
                if admit(triple) and triple not in source.asserted
            )
        return selection
    if scope == "taxonomy":
        _taxonomy(source, selection, inferred=inferred)
    elif scope == "axis":
        assert axis is not None
        selection.axis = resolve_axis(source, axis)
        _axis(source, selection, selection.axis, inferred=inferred)
    elif scope == "products":
        _products(source, selection, inferred=inferred)
    else:
        assert focus is not None
        selection.focus = source.names.resolve(focus)
        _neighbourhood(source, selection, selection.focus, depth, inferred=inferred, admit=admit)
    _add_literals(source, selection, inferred=inferred, admit=admit)
    return selection


def check_parameters(
    *, scope: str, focus: str | None, axis: str | None, query: str | None, depth: int
) -> None:
    """Raise ExportError unless the scope is known and has the parameter it needs. Parameters
    a scope does not use (`focus=` with scope=all, say) are ignored, as the API describes."""
    if scope not in SCOPES:
        raise ExportError("scope", f"unknown scope {scope!r}", SCOPES)
    needs = {"neighbourhood": "focus", "axis": "axis", "construct": "query"}
    given = {"focus": focus, "axis": axis, "query": query}
    needed = needs.get(scope)
    if needed is not None and not (given[needed] or "").strip():
        raise ExportError(needed, f"scope={scope} needs {needed}=")
    if not 0 <= depth <= MAX_DEPTH:
        raise ExportError("depth", f"depth must be between 0 and {MAX_DEPTH}, not {depth}")


def resolve_axis(source: ExportSource, name: str) -> URIRef:
    """The concept scheme `name` denotes: its slug (with or without `classification-by-`) or
    any name of it; raises ExportError listing the axes otherwise."""
    schemes = source.schemes()
    slugs = [source.slug(scheme) for scheme in schemes]
    key = name.strip().lower()
    for scheme, slug in zip(schemes, slugs, strict=True):
        if key in (slug.lower(), slug.lower().removeprefix(AXIS_PREFIX)):
            return scheme
    try:
        term = source.names.resolve(name)
    except NameResolutionError as error:
        raise ExportError("axis", f"{name!r} names no classification axis", slugs) from error
    if term not in schemes:
        raise ExportError("axis", f"{name!r} is not a classification axis", slugs)
    return term


def _admission(*, blank_nodes: bool, trivial_types: bool) -> Callable[[Triple], bool]:
    # Compared as plain strings: rdflib terms hash and compare in Python, ten times slower.
    meta: dict[str, bool] = {}
    rdf_type = str(RDF.type)
    reflexive = {str(p) for p in _REFLEXIVE_TRIVIA}

    def is_meta(term: Node) -> bool:
        key = str(term)
        if key not in meta:
            meta[key] = term in _META_TYPES or key.startswith(_META_NAMESPACES)
        return meta[key]

    # Called once per triple of the graph for scope=all: _is_blank is inlined, exact types first.
    uri, literal = URIRef, Literal
    equal: Callable[[Any, Any], bool] = str.__eq__  # rdflib terms as the strings they are

    def admit(triple: Triple) -> bool:
        s, p, o = triple
        if not blank_nodes:
            kind = type(s)
            if kind is not uri and (kind is BNode or (kind is not literal and _is_blank(s))):
                return False
            kind = type(o)
            if kind is not uri and kind is not literal and _is_blank(o):
                return False
        if not trivial_types and equal(rdf_type, p) and is_meta(o):
            return False
        return not (equal(s, o) and type(s) is type(o) and str(p) in reflexive)

    return admit


def _is_blank(term: Node) -> bool:
    # rdflib's term classes check isinstance through an ABC, slowly; exact types answer at once.
    kind = type(term)
    return kind is BNode or (kind is not URIRef and kind is not Literal and isinstance(term, BNode))


def _named(*terms: Node) -> bool:
    return all(isinstance(term, URIRef) for term in terms)


def _taxonomy(source: ExportSource, selection: Selection, *, inferred: bool) -> None:
    """Subclass links between named classes, and the SKOS trees of the classification axes."""
    for predicate in (RDFS.subClassOf, SKOS.broader, SKOS.topConceptOf):
        for (s, p, o), only_inferred in source.match((None, predicate, None), inferred=inferred):
            if _named(s, o) and s != o and o not in _TOP_CLASSES:
                selection.add((s, p, o), only_inferred)


def _axis(source: ExportSource, selection: Selection, scheme: URIRef, *, inferred: bool) -> None:
    """One scheme's concept tree, and what is classified on it by the axis's property."""
    concepts: set[Node] = set()
    for predicate in (SKOS.inScheme, SKOS.topConceptOf):
        concepts.update(
            s for (s, _, _), _ in source.match((None, predicate, scheme), inferred=True)
        )
    concepts.update(source.asserted.objects(scheme, SKOS.hasTopConcept))
    members = concepts | {scheme}
    for concept in concepts:
        for predicate in (SKOS.broader, SKOS.topConceptOf, RDFS.subClassOf):
            for (s, p, o), only_inferred in source.match(
                (concept, predicate, None), inferred=inferred
            ):
                if o in members and _named(s, o) and s != o:
                    selection.add((s, p, o), only_inferred)
    prop = source.asserted.value(scheme, ontology_namespace(source.base_iri).classificationProperty)
    if prop is None:
        return
    for (s, p, o), only_inferred in source.match((None, prop, None), inferred=inferred):
        if o in concepts and _named(s):
            selection.add((s, p, o), only_inferred)


def _products(source: ExportSource, selection: Selection, *, inferred: bool) -> None:
    """Software products, their classifications on the five axes and links between products."""
    product_class = ontology_namespace(source.base_iri).SoftwareProduct
    products = {s for (s, _, _), _ in source.match((None, RDF.type, product_class), inferred=True)}
    axis_properties = set(
        source.asserted.objects(None, ontology_namespace(source.base_iri).classificationProperty)
    )
    for product in sorted(products, key=str):
        for (s, p, o), only_inferred in source.match((product, None, None), inferred=inferred):
            if not _named(s, o):
                continue
            if p in axis_properties or (o in products and p != RDF.type and s != o):
                selection.add((s, p, o), only_inferred)
    # A product without such links is still drawn: its labels make it a node.
    for product in products:
        for triple, only_inferred in source.match((product, RDFS.label, None), inferred=False):
            selection.add(triple, only_inferred)


def _neighbourhood(
    source: ExportSource,
    selection: Selection,
    focus: URIRef,
    depth: int,
    *,
    inferred: bool,
    admit: Callable[[Triple], bool],
) -> None:
    """Everything within `depth` links of `focus`, following links in both directions.

    Like networkx's ego_graph, links between two nodes at the rim are kept as well.
    """
    reached: set[Node] = {focus}
    rim: set[Node] = {focus}
    records = source.statement_records
    for _ in range(depth):
        following: set[Node] = set()
        for node in rim:
            for triple, only_inferred in _incident(source, node, inferred=inferred):
                if isinstance(triple[2], Literal) or not admit(triple):
                    continue
                if triple[0] in records or triple[2] in records:
                    continue
                selection.add(triple, only_inferred)
                for end in (triple[0], triple[2]):
                    if end not in reached:
                        reached.add(end)
                        following.add(end)
        rim = following
    for node in rim:
        for triple, only_inferred in source.match((node, None, None), inferred=inferred):
            if triple[2] in reached and admit(triple):
                selection.add(triple, only_inferred)
    for (s, p, o), only_inferred in source.match((focus, RDFS.label, None), inferred=False):
        selection.add((s, p, o), only_inferred)


def _incident(source: ExportSource, node: Node, *, inferred: bool) -> Iterable[tuple[Triple, bool]]:
    yield from source.match((node, None, None), inferred=inferred)
    yield from source.match((None, None, node), inferred=inferred)


def _add_literals(
    source: ExportSource,
    selection: Selection,
    *,
    inferred: bool,
    admit: Callable[[Triple], bool],
) -> None:
    """The literal-valued triples of every selected node (labels, definitions, dates, …)."""
    for node in sorted(selection.nodes(), key=str):
        for triple, only_inferred in source.match((node, None, None), inferred=inferred):
            if isinstance(triple[2], Literal) and admit(triple):
                selection.add(triple, only_inferred)


def _construct(source: ExportSource, query: str, *, inferred: bool) -> Selection:
    """The graph a CONSTRUCT query builds over asserted + inferred (or asserted alone).

    The query runs on the one SPARQL engine, through `source.run_query` (in the service: the
    executor, with its time limit and row cap). It must not reach outside the graph: SERVICE
    and FROM are refused before it runs, on the query's tokens (kgapi.sparql.text).
    """
    text = read_query_text(query)
    if text.is_update:
        raise ExportError("query", "scope=construct runs queries, not SPARQL updates")
    if text.form != "CONSTRUCT":
        found = f"not {text.form}" if text.form else "found no query form"
        raise ExportError("query", f"scope=construct needs a CONSTRUCT query, {found}")
    if text.uses_service:
        raise ExportError("query", "SERVICE is not allowed in export queries (no outbound calls)")
    if text.declares_dataset:
        raise ExportError("query", "FROM and FROM NAMED are not allowed in export queries")
    job = QueryJob(
        text=query,
        results_media_type=RESULTS_JSON,
        graph_media_type=N_TRIPLES,
        max_rows=source.max_triples,
        inference=inferred,
        predeclared_prefixes=True,  # as in the stored queries: `vr:kvm` works unannounced
    )
    try:
        answer = source.run_query(job)
    except QuerySyntaxError as error:
        raise ExportError("query", f"SPARQL syntax error: {error}") from error
    except QueryNotEvaluable as error:
        raise ExportError("query", f"the query cannot be evaluated: {error}") from error
    except QueryTooDeep as error:
        raise ExportError("query", f"{error}: the query nests too deeply") from error
    except TooManyResults as error:
        raise ExportError(
            "query", f"the CONSTRUCT query builds more than {error.limit} triples; narrow it"
        ) from error
    if answer.kind != "graph":
        raise ExportError("query", "scope=construct needs a CONSTRUCT query")
    selection = Selection("construct")
    for statement in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES):
        if is_rdf_1_2(statement.object):
            raise ExportError(
                "query",
                "the CONSTRUCT query builds RDF 1.2 terms (triple terms, strings with a base "
                "direction), which exports do not draw; ask /sparql for them",
            )
        triple = (
            rdflib_term(statement.subject),
            rdflib_term(statement.predicate),
            rdflib_term(statement.object),
        )
        selection.add(triple, triple not in source.asserted and triple in source.inferred)
    return selection
