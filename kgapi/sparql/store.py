"""The store SPARQL queries are answered from: the materialized knowledge graph in pyoxigraph.

rdflib loads and reasons; its SPARQL engine is 10-50x slower than Oxigraph's and its parser is not
thread-safe (RDFLib/rdflib#1282), so the served graph is copied once into an in-memory pyoxigraph
store. The inferred triples are already materialized, so answers are the same as rdflib's over
`KnowledgeGraph.dataset`: every named graph (`KnowledgeGraph.named_graphs`) is copied as is, and
the store's default graph holds asserted + inferred (the dataset's default graph). That default
graph is also kept in a store of its own, which answers the queries that read nothing else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kgapi.graph.knowledge import KnowledgeGraph


class ExtraGraphError(Exception):
    """An extra graph (`--graph IRI=path`) is malformed or its file cannot be read."""


@dataclass(frozen=True)
class QueryStore:
    """The read-only store, the IRIs of its special graphs and the served data's version.

    `version` covers the knowledge graph and every extra file, so it changes when any answer can.
    """

    store: ox.Store
    # The default graph again, alone: in the store of every graph, a scan of the default graph
    # by predicate reads the named graphs' copies of its triples too, so a query that reads the
    # default graph alone runs here (GROUP BY over every type: 4.5 ms there, 2.6 ms here).
    default_store: ox.Store
    version: str
    asserted_graph: str
    inferred_graph: str
    graph_sizes: dict[str, int]
    prefixes: dict[str, str]

    def default_graphs(self, *, inference: bool) -> list[ox.NamedNode] | None:
        """The graphs of the implicit default graph: None for the store's (asserted + inferred)."""
        return None if inference else [ox.NamedNode(self.asserted_graph)]


def parse_graph_options(options: tuple[str, ...]) -> dict[str, Path]:
    """`IRI=path` strings (the `graphs` setting) as {IRI: path}; raises ExtraGraphError."""
    graphs: dict[str, Path] = {}
    for option in options:
        iri, equals, path = option.partition("=")
        if not equals or not iri or not path or ":" not in iri:
            raise ExtraGraphError(f"expected IRI=path, got {option!r}")
        graphs[iri] = Path(path)
    return graphs


def build_query_store(
    knowledge: KnowledgeGraph, *, extra_graphs: Mapping[str, Path] | None = None
) -> QueryStore:
    """Copy `knowledge` (and each extra file, into the named graph its IRI gives) into a store.

    Extra graphs are not reasoned over and are not part of the default graph.
    Raises ExtraGraphError for an unreadable or unparsable extra file.
    """
    ontology = knowledge.ontology
    # The files' graphs (and their union, unless users have added to it since) are copied from
    # the parser's own triples; the inferred graph from rdflib's.
    parsed = {str(iri): quads for iri, quads in ontology.parsed.items()}
    graphs = {str(knowledge.inferred_graph_iri): knowledge.inferred}
    if knowledge.asserted is ontology.asserted and len(ontology.asserted) == ontology.loaded_size:
        parsed[str(knowledge.asserted_graph_iri)] = [
            quad for quads in ontology.parsed.values() for quad in quads
        ]
    else:
        graphs[str(knowledge.asserted_graph_iri)] = knowledge.asserted
    store = _store_of(
        graphs,
        union_of=(str(knowledge.asserted_graph_iri), str(knowledge.inferred_graph_iri)),
        parsed=parsed,
    )
    digest = hashlib.sha256(knowledge.version.encode())
    for iri, path in (extra_graphs or {}).items():
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ExtraGraphError(f"{path}: {error.strerror or error}") from error
        rdf_format = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
        if rdf_format is None:
            raise ExtraGraphError(f"{path}: unknown RDF file extension {path.suffix!r}")
        try:
            store.load(
                data, format=rdf_format, base_iri=path.resolve().as_uri(), to_graph=_node(iri)
            )
        except (SyntaxError, ValueError) as error:
            raise ExtraGraphError(f"{path}: {error}") from error
        digest.update(iri.encode() + b"\0" + data + b"\0")
    sizes = {
        str(graph.value): sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
        for graph in store.named_graphs()
        if isinstance(graph, ox.NamedNode)
    }
    return QueryStore(
        store=store,
        default_store=_default_graph_alone(store),
        version=digest.hexdigest()[:16],
        asserted_graph=str(knowledge.asserted_graph_iri),
        inferred_graph=str(knowledge.inferred_graph_iri),
        graph_sizes=dict(sorted(sizes.items())),
        prefixes={prefix: str(namespace) for prefix, namespace in knowledge.asserted.namespaces()},
    )


def store_of_graphs(asserted: Graph, inferred: Graph, *, base_iri: str) -> QueryStore:
    """A store of two graphs alone, laid out as `build_query_store` lays out a knowledge graph's
    (for callers that hold graphs rather than a KnowledgeGraph)."""
    asserted_iri, inferred_iri = f"{base_iri}graph/asserted", f"{base_iri}graph/inferred"
    store = _store_of(
        {asserted_iri: asserted, inferred_iri: inferred}, union_of=(asserted_iri, inferred_iri)
    )
    return QueryStore(
        store=store,
        default_store=_default_graph_alone(store),
        version=hashlib.sha256(f"{len(asserted)}:{len(inferred)}".encode()).hexdigest()[:16],
        asserted_graph=asserted_iri,
        inferred_graph=inferred_iri,
        graph_sizes={asserted_iri: len(asserted), inferred_iri: len(inferred)},
        prefixes={prefix: str(namespace) for prefix, namespace in asserted.namespaces()},
    )


def _store_of(
    graphs: Mapping[str, Graph],
    *,
    union_of: tuple[str, str],
    parsed: Mapping[str, list[ox.Quad]] | None = None,
) -> ox.Store:
    """`graphs` (rdflib's) and `parsed` (pyoxigraph's triples: the same terms, blank nodes
    included) as named graphs of a new store whose default graph is the union of two of them."""
    store = ox.Store()
    for iri, quads in (parsed or {}).items():
        node = ox.NamedNode(iri)
        store.extend(ox.Quad(q.subject, q.predicate, q.object, node) for q in quads)
    for iri, graph in graphs.items():
        data = graph.serialize(format="nt", encoding="utf-8")
        store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(iri))
    # Copied natively from the named graphs just loaded.
    store.update(f"ADD <{union_of[0]}> TO DEFAULT; ADD <{union_of[1]}> TO DEFAULT")
    return store


def _default_graph_alone(store: ox.Store) -> ox.Store:
    alone = ox.Store()
    alone.bulk_extend(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    return alone


def _node(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as error:
        raise ExtraGraphError(f"not an IRI: {iri!r} ({error})") from error
