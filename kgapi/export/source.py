"""What an export draws from: a knowledge graph's asserted and inferred triples, kept apart, with
what every export reuses — names, labels and kinds, the JSON-LD context, a store for CONSTRUCT.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from kgapi.graph.knowledge import statement_records
from kgapi.graph.namespaces import ontology_namespace, resource_namespace
from kgapi.read.names import NameIndex
from kgapi.settings import CANONICAL_BASE_IRI
from kgapi.sparql.evaluation import (
    QueryAnswer,
    QueryJob,
    evaluate,
)
from kgapi.sparql.executor import QueryExecutor, nests_shallowly
from kgapi.sparql.store import QueryStore, build_query_store, store_of_graphs

if TYPE_CHECKING:
    from kgapi.export.descriptions import Descriptions
    from kgapi.graph.knowledge import KnowledgeGraph

Triple = tuple[Node, Node, Node]
Pattern = tuple[Node | None, Node | None, Node | None]

# CONSTRUCT exports are capped like /sparql's answers unless the caller says otherwise.
DEFAULT_MAX_TRIPLES = 100_000
# Without the service's executor, deep CONSTRUCT queries run in a child with this generous limit.
DEEP_QUERY_SECONDS = 300.0


@dataclass(frozen=True)
class ExportSource:
    """The graphs an export draws from: asserted and inferred triples, kept apart.

    Build one per knowledge graph (`ExportSource.of(kg)`) and keep it: the name index (unless
    given as `name_index`), the JSON-LD context, the query store for CONSTRUCT queries and the
    nodes' labels and kinds are computed on first use and then reused.
    """

    asserted: Graph
    inferred: Graph
    base_iri: str = CANONICAL_BASE_IRI
    name_index: NameIndex | None = field(default=None, compare=False, repr=False)
    knowledge: KnowledgeGraph | None = field(default=None, compare=False, repr=False)
    runner: Callable[[QueryJob], QueryAnswer] | None = field(
        default=None, compare=False, repr=False
    )
    max_triples: int = DEFAULT_MAX_TRIPLES

    @classmethod
    def of(
        cls,
        kg: KnowledgeGraph,
        *,
        names: NameIndex | None = None,
        runner: Callable[[QueryJob], QueryAnswer] | None = None,
        max_triples: int = DEFAULT_MAX_TRIPLES,
    ) -> ExportSource:
        """The source of `kg`; `runner` evaluates CONSTRUCT queries (the service passes its
        executor, so that the time limit holds), else they run here on a store of `kg`."""
        return cls(kg.asserted, kg.inferred, kg.ontology.base_iri, names, kg, runner, max_triples)

    def run_query(self, job: QueryJob) -> QueryAnswer:
        """Evaluate `job` with the runner given, or on this source's own store."""
        if self.runner is not None:
            return self.runner(job)
        if nests_shallowly(job.text):
            return evaluate(self.query_store, job)
        # A deep query may overflow the engine's stack: a child dies of it, not this process.
        executor = QueryExecutor(self.query_store, timeout=DEEP_QUERY_SECONDS)
        try:
            return executor.run(job)
        finally:
            executor.stop()

    @cached_property
    def query_store(self) -> QueryStore:
        """A pyoxigraph store of the source's graphs (asserted + inferred), made on first use."""
        if self.knowledge is not None:
            return build_query_store(self.knowledge)
        return store_of_graphs(self.asserted, self.inferred, base_iri=self.base_iri)

    @cached_property
    def statement_records(self) -> frozenset[Node]:
        """What sources say, as nodes (see kgapi.graph.knowledge.statement_records): left out of the
        drawing scopes, where every product would otherwise be a hub of its table cells."""
        return statement_records(self.asserted, self.base_iri)

    @property
    def local_namespaces(self) -> tuple[str, str]:
        """The graph's own namespaces (`virt:`, `vr:`): their local names are slugs."""
        return (str(ontology_namespace(self.base_iri)), str(resource_namespace(self.base_iri)))

    @cached_property
    def names(self) -> NameIndex:
        """What `focus=` and `axis=` names are resolved with (over the asserted graph)."""
        if self.name_index is not None:
            return self.name_index
        return NameIndex.build(self.asserted, local_namespaces=self.local_namespaces)

    @cached_property
    def descriptions(self) -> Descriptions:
        """Labels, kinds and axes of the source's nodes for graph exports, read on first use."""
        from kgapi.export.descriptions import Descriptions  # here: it names this module's types

        return Descriptions(self)

    @cached_property
    def jsonld_context(self) -> dict[str, str]:
        """Prefix → namespace for each bound namespace the graph's IRIs use: the @context the
        service publishes for its JSON-LD exports (rdf and xsd always, for typed literals)."""
        by_namespace = {str(namespace): prefix for prefix, namespace in self.asserted.namespaces()}
        used = {"rdf", "xsd"}
        for graph in (self.asserted, self.inferred):
            for triple in graph:
                for term in triple:
                    if isinstance(term, URIRef):
                        end = max(term.rfind("#"), term.rfind("/")) + 1
                        prefix = by_namespace.get(term[:end])
                        if prefix is not None:
                            used.add(prefix)
        namespaces = dict(self.asserted.namespaces())
        return {prefix: str(namespaces[prefix]) for prefix in sorted(used) if prefix in namespaces}

    def match(self, pattern: Pattern, *, inferred: bool) -> Iterator[tuple[Triple, bool]]:
        """(triple, only-inferred) for each triple matching `pattern`, asserted ones first."""
        for triple in self.asserted.triples(pattern):
            yield triple, False
        if inferred:
            for triple in self.inferred.triples(pattern):
                if triple not in self.asserted:
                    yield triple, True

    def schemes(self) -> list[URIRef]:
        """The classification axes (SKOS concept schemes), in the order of their notation."""
        found = {s for s in self.asserted.subjects(RDF.type, SKOS.ConceptScheme)}
        schemes = [s for s in found if isinstance(s, URIRef)]
        return sorted(schemes, key=lambda s: (str(self.asserted.value(s, SKOS.notation)), s))

    def slug(self, term: URIRef) -> str:
        for namespace in self.local_namespaces:
            if term.startswith(namespace) and len(term) > len(namespace):
                return term[len(namespace) :]
        return str(term)
