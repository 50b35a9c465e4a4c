"""Linked Data clients with their defaults: rdflib's `Graph().parse(url)` of every IRI the graph
publishes (resources, ontology terms, the ontology and its version IRI, named graphs) in each RDF
format rdflib reads; rdflib's SPARQLStore on the asserted-only endpoint; pyld (JSON-LD 1.1) on
every JSON-LD answer, fetching only from this server."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from livesupport import LiveServer
from pyld import jsonld
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL, RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore

from kgapi.graph.namespaces import VIRT, VR

# rdflib's parser name for each format, and the media type it is asked for with.
RDFLIB_FORMATS = {
    "turtle": "text/turtle",
    "n3": "text/n3",
    "nt": "text/plain",
    "xml": "application/rdf+xml",
    "json-ld": "application/ld+json",
    "trig": "application/trig",
    "nquads": "application/n-quads",
}
DOCUMENTS = [
    "/resource/kvm",
    "/ontology/Type1Hypervisor",
    "/ontology",
    "/graph/inferred",
]
# The current release's document: the ontology's own bytes (test below), so rdflib reads it once.
RELEASE = "/releases/0.1.0/ontology"

pytestmark = pytest.mark.filterwarnings(
    # rdflib's JSON-LD parser reads a remote @context with its own deprecated helper
    "ignore:.*ConjunctiveGraph is deprecated:DeprecationWarning",
)


@pytest.mark.parametrize("path", DOCUMENTS)
@pytest.mark.parametrize("rdflib_format", sorted(RDFLIB_FORMATS))
def test_rdflib_parses_every_published_document(
    live_server: LiveServer, path: str, rdflib_format: str
) -> None:
    url = live_server.url + path
    if rdflib_format == "nquads":
        # rdflib asks for N-Quads with no Accept of its own (every type it reads, Turtle first,
        # all at q=1), so the format is named in the URL, as the `Link` header offers it.
        url += ("&" if "?" in url else "?") + "format=nquads"
    if rdflib_format in ("trig", "nquads"):
        parsed: Graph = Dataset().parse(url, format=rdflib_format)
    else:
        parsed = Graph().parse(url, format=rdflib_format)
    assert len(parsed) > 5, (path, rdflib_format)


@pytest.mark.parametrize("rdflib_format", sorted(RDFLIB_FORMATS))
def test_the_current_release_is_the_ontologys_document_in_every_format(
    live_server: LiveServer, rdflib_format: str
) -> None:
    media_type = RDFLIB_FORMATS[rdflib_format]
    query = "?format=nquads" if rdflib_format == "nquads" else ""
    answers = [
        live_server.request("GET", path + query, headers={"Accept": media_type})
        for path in ("/ontology", RELEASE)
    ]
    (status, headers, ontology), (release_status, release_headers, release) = answers
    assert status == release_status == 200
    assert headers["content-type"] == release_headers["content-type"]
    assert release == ontology and len(release) > 100_000


def test_content_negotiation_alone_picks_the_format(live_server: LiveServer) -> None:
    # rdflib sends its own Accept and guesses the parser from the answer's Content-Type.
    graph = Graph().parse(live_server.url + "/resource/kvm")
    assert (URIRef(VR.kvm), RDF.type, None) in graph
    ontology = Graph().parse(live_server.url + "/ontology")
    assert (URIRef(str(VIRT).rstrip("/")), RDF.type, OWL.Ontology) in ontology


def test_unknown_graph_and_version_are_404(live_server: LiveServer) -> None:
    for path in ("/graph/nosuch", "/releases/9.9.9/ontology"):
        status, headers, _ = live_server.request("GET", path)
        assert status == 404 and headers["content-type"].startswith("application/problem+json")


def test_sparqlstore_on_the_asserted_endpoint_sees_no_inference(live_server: LiveServer) -> None:
    # XenServer is Type-1 only by inference (issue 3); SPARQLStore appends ?query= to the URL.
    ask = f"ASK {{ <{VR.xenserver}> a <{VIRT.Type1Hypervisor}> }}"
    inferred = Graph(store=SPARQLStore(query_endpoint=live_server.sparql, returnFormat="json"))
    asserted = Graph(
        store=SPARQLStore(query_endpoint=live_server.sparql + "/asserted", returnFormat="json")
    )
    assert inferred.query(ask).askAnswer is True
    assert asserted.query(ask).askAnswer is False
    assert asserted.query(f"ASK {{ <{VR.xenserver}> ?p ?o }}").askAnswer is True


def _loader_for(server: LiveServer) -> Any:
    """A pyld document loader that reads only this server's documents (no network)."""

    def load(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        if not url.startswith(server.url + "/"):
            raise AssertionError(f"pyld tried to fetch {url}")
        request = urllib.request.Request(url, headers={"Accept": "application/ld+json"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            return {
                "contentType": "application/ld+json",
                "contextUrl": None,
                "documentUrl": url,
                "document": json.load(reply),
            }

    return load


@pytest.mark.parametrize(
    "path",
    [
        "/resource/kvm?format=jsonld",
        "/export?scope=products&format=jsonld",
        "/export/context.jsonld",
        "/sparql?query=CONSTRUCT%20WHERE%20%7B%3Fs%20a%20%3Fo%7D%20LIMIT%2020&format=jsonld",
        "/api/entities/kvm?format=jsonld",
    ],
)
def test_pyld_expands_every_json_ld_answer(live_server: LiveServer, path: str) -> None:
    status, _, body = live_server.request("GET", path)
    assert status == 200, body[:300]
    document = json.loads(body)
    expanded = jsonld.expand(
        document, {"documentLoader": _loader_for(live_server), "base": live_server.url + path}
    )
    if path.endswith("context.jsonld"):
        assert expanded == []  # a context alone holds no data, but must be a valid context
        assert document["@context"]["virt"] == str(VIRT)
    else:
        assert expanded and all("@id" in node for node in expanded)


def test_sparqlstore_iterates_patterns_binds_and_reads_named_graphs(
    live_server: LiveServer,
) -> None:
    store = SPARQLStore(query_endpoint=live_server.sparql, returnFormat="json")
    graph = Graph(store=store)
    kvm = URIRef(VR.kvm)
    statements = list(graph.triples((kvm, None, None)))  # a triple pattern becomes a query
    assert len(statements) > 10 and all(s == kvm for s, _, _ in statements)
    assert (kvm, RDF.type, URIRef(VIRT.Hypervisor)) in graph
    rows = list(
        graph.query(
            "SELECT ?label WHERE { ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
            initBindings={"thing": kvm},
        )
    )
    assert rows and {str(row[0]) for row in rows} >= {"KVM"}  # type: ignore[index]
    graphs = {str(graph) for graph in store.contexts()}  # the named graphs, by a GRAPH query
    assert {
        "https://w3id.org/kgapi/graph/asserted",
        "https://w3id.org/kgapi/graph/inferred",
    } <= graphs
