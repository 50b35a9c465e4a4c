"""The pyoxigraph query store answers exactly as rdflib does over the knowledge graph's dataset."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from flask import Flask
from rdflib import URIRef

from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.settings import Settings
from kgapi.sparql.evaluation import QueryJob, TooManyResults, evaluate
from kgapi.sparql.store import QueryStore, build_query_store
from kgapi.web import create_app

JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def query_store(knowledge: KnowledgeGraph) -> QueryStore:
    return build_query_store(knowledge)


def rows(query_store: QueryStore, query: str, *, inference: bool = True) -> set[tuple[str, ...]]:
    job = QueryJob(query, JSON, "text/turtle", max_rows=1_000_000, inference=inference)
    answer = json.loads(evaluate(query_store, job).body)
    names = answer["head"]["vars"]
    return {
        tuple(row[name]["value"] if name in row else "" for name in names)
        for row in answer["results"]["bindings"]
    }


# rdflib's SPARQL engine calls its own deprecated Dataset API; the warnings are rdflib's.
@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")
@pytest.mark.parametrize(
    "query",
    [
        # Blank node labels differ between the stores, so those rows are left out.
        "SELECT ?s ?o WHERE { ?s a ?o FILTER(!isBlank(?s)) }",
        "SELECT ?s ?o WHERE { ?s rdfs:subClassOf ?o FILTER(!isBlank(?o) && !isBlank(?s)) }",
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    ],
)
def test_entailment_results_match_rdflib(
    knowledge: KnowledgeGraph, query_store: QueryStore, query: str
) -> None:
    query = f"PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> {query}"
    expected = {
        tuple("" if term is None else str(term) for term in row)  # type: ignore[union-attr]
        for row in knowledge.dataset.query(query)
    }
    found = rows(query_store, query)
    assert found == expected
    assert len(found) > 0


def test_inferred_triples_are_in_the_default_graph_only_with_inference(
    knowledge: KnowledgeGraph, query_store: QueryStore
) -> None:
    subject, predicate, obj = next(
        (s, p, o)
        for s, p, o in knowledge.inferred
        if isinstance(s, URIRef) and isinstance(o, URIRef)
    )
    query = f"SELECT (1 AS ?yes) WHERE {{ {subject.n3()} {predicate.n3()} {obj.n3()} }}"
    assert rows(query_store, query) == {("1",)}
    assert rows(query_store, query, inference=False) == set()


def test_the_default_graphs_own_store_answers_as_the_store_of_every_graph(
    query_store: QueryStore,
) -> None:
    """A query reading the default graph alone is answered from a store of that graph alone;
    one naming a graph is answered from the store of every graph, as before."""
    assert set(query_store.default_store) == set(
        query_store.store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    )
    counting = "SELECT ?c (COUNT(?i) AS ?n) WHERE { ?i a ?c } GROUP BY ?c"
    on_every_graph = {(row["c"].value, row["n"].value) for row in query_store.store.query(counting)}
    assert rows(query_store, counting) == on_every_graph
    graphs = rows(query_store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert (query_store.asserted_graph,) in graphs and (query_store.inferred_graph,) in graphs


def test_row_cap_stops_reading(query_store: QueryStore) -> None:
    job = QueryJob("SELECT * WHERE { ?s ?p ?o }", JSON, "text/turtle", max_rows=10)
    with pytest.raises(TooManyResults):
        evaluate(query_store, job)


@pytest.mark.parametrize(
    ("results_type", "graph_type"),
    [
        (JSON, "application/n-triples"),
        ("application/sparql-results+xml", "application/n-quads"),
        ("text/csv", "text/turtle"),
        ("text/tab-separated-values", "application/n-triples"),
    ],
)
def test_row_cap_is_exact_in_every_format(
    query_store: QueryStore, results_type: str, graph_type: str
) -> None:
    """The cap counts rows, not row separators: literals holding `},{` or CRLF count once."""
    values = " ".join(f'"{n}}},{{\\r\\n"' for n in range(5))  # five rows, each `n},{\r\n`
    for query in (
        f"SELECT ?a ?b WHERE {{ VALUES ?a {{ {values} }} BIND(?a AS ?b) }}",
        f"CONSTRUCT {{ <urn:s> <urn:p> ?a }} WHERE {{ VALUES ?a {{ {values} }} }}",
    ):
        job = QueryJob(query, results_type, graph_type, max_rows=5)
        assert evaluate(query_store, job).rows == 5
        with pytest.raises(TooManyResults):
            evaluate(query_store, QueryJob(query, results_type, graph_type, max_rows=4))


def test_app_factory_takes_settings_and_a_built_graph(
    settings: Settings, knowledge: KnowledgeGraph
) -> None:
    from dataclasses import replace

    app = create_app(replace(settings, query_timeout=0), knowledge=knowledge)
    assert isinstance(app, Flask)
    client = app.test_client()
    response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert response.status_code == 200 and response.json == {"head": {}, "boolean": True}
    missing = client.get("/api/nothing")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_a_blank_node_is_one_node_in_its_file_graph_and_the_asserted_graph(
    knowledge: KnowledgeGraph, query_store: QueryStore
) -> None:
    # The store is filled from the parser's own triples, so a restriction written as `[ … ]`
    # in axes.ttl joins across the graphs it is in (loading text into each graph would name
    # its blank nodes afresh each time).
    axes = f"{knowledge.ontology.base_iri}graph/axes"
    joined = rows(
        query_store,
        f"""SELECT DISTINCT ?b WHERE {{
              GRAPH <{axes}> {{ ?b a <http://www.w3.org/2002/07/owl#Restriction> }}
              GRAPH <{knowledge.asserted_graph_iri}> {{ ?b ?p ?o }}
              ?b ?p ?o }}""",
    )
    restrictions = rows(
        query_store,
        f"SELECT DISTINCT ?b WHERE {{ GRAPH <{axes}> "
        "{ ?b a <http://www.w3.org/2002/07/owl#Restriction> } }",
    )
    assert restrictions and joined == restrictions
