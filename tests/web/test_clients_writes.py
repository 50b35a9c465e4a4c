"""Curated writes from the SPARQL clients people use, as they ship, against `kgapi serve
--writes`: rdflib's SPARQLUpdateStore (a Graph over the endpoint: add, remove, update) and
SPARQLWrapper's updates (to an update endpoint, or to the query endpoint alone), each with the
write token as its one custom header."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from livesupport import LiveServer, started_server
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from serving import create_token
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import Unauthorized

from kgapi.settings import Settings

GRAPH = URIRef("https://example.org/graphs/client-writes")
SUBJECT = URIRef("https://example.org/client-writes/thing")
PREDICATE = URIRef("https://example.org/client-writes/says")


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    data_dir = tmp_path_factory.mktemp("client-writes-data")
    return data_dir, create_token(data_dir, "client-bot")


@pytest.fixture(scope="module")
def server(
    serves_live: None,
    settings: Settings,
    token: tuple[Path, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    with started_server(
        cache_dir=settings.cache_dir,
        log_dir=tmp_path_factory.mktemp("client-writes-server"),
        query_timeout=30,
        writes_to=token[0],
    ) as running:
        yield running


def history(server: LiveServer) -> list[dict]:
    status, _, body = server.request("GET", "/api/history")
    assert status == 200
    return json.loads(body)["versions"]


def test_rdflib_graph_over_the_update_store_adds_reads_and_removes(
    server: LiveServer, token: tuple[Path, str]
) -> None:
    store = SPARQLUpdateStore(
        query_endpoint=server.sparql,
        update_endpoint=f"{server.url}/update",
        headers={"Authorization": f"Bearer {token[1]}"},
    )
    graph = Graph(store, identifier=GRAPH)
    triple = (SUBJECT, PREDICATE, Literal("hello, 世界", lang="en"))
    graph.add(triple)
    assert triple in graph and len(graph) == 1
    newest = history(server)[0]
    assert newest["author"] == "client-bot" and newest["graphs"] == [str(GRAPH)]
    # rdflib puts an update made through a named graph's Graph into that graph itself.
    graph.update(f'INSERT DATA {{ <{SUBJECT}> <{PREDICATE}> "again" }}')
    assert {str(o) for o in graph.objects(SUBJECT, PREDICATE)} == {"hello, 世界", "again"}
    graph.remove((SUBJECT, None, None))
    assert len(graph) == 0
    assert len(history(server)) == 3


@pytest.mark.parametrize("update_endpoint", ["/update", None])
def test_sparqlwrapper_updates_with_its_defaults(
    server: LiveServer, token: tuple[Path, str], update_endpoint: str | None
) -> None:
    # SPARQLWrapper sends an update as a form (update=…) to its update endpoint, which is the
    # query endpoint unless one is given; kgapi takes both, as Fuseki does.
    endpoint = f"{server.url}{update_endpoint}" if update_endpoint else None
    subject = f"{SUBJECT}/{'update' if update_endpoint else 'sparql'}"
    client = SPARQLWrapper(server.sparql, updateEndpoint=endpoint)
    client.addCustomHttpHeader("Authorization", f"Bearer {token[1]}")
    client.setMethod(POST)
    client.setQuery(f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{subject}> <{PREDICATE}> "w" }} }}')
    result = client.query()
    assert result.response.status == 200
    receipt = json.loads(result.response.read())
    assert receipt["changed"] is True and receipt["added"] == 1

    reader = SPARQLWrapper(server.sparql)
    reader.setReturnFormat(JSON)
    reader.setQuery(f"ASK {{ GRAPH <{GRAPH}> {{ <{subject}> <{PREDICATE}> 'w' }} }}")
    assert reader.queryAndConvert() == {"head": {}, "boolean": True}


def test_sparqlwrapper_without_the_token_gets_its_unauthorized_error(server: LiveServer) -> None:
    client = SPARQLWrapper(server.sparql, updateEndpoint=f"{server.url}/update")
    client.setMethod(POST)
    client.setQuery(f'INSERT DATA {{ <{SUBJECT}> <{PREDICATE}> "no" }}')
    with pytest.raises(Unauthorized):
        client.query()
