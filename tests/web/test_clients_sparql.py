"""SPARQL clients as they ship, with their default settings, against the live server.

SPARQLWrapper: every query form, every return format it offers, and GET, URL-encoded POST and
direct POST (it sends its own `format=`, `output=` and `results=` words beside Accept). rdflib's
SPARQLStore. The service description in every RDF format (Comunica asks for N-Quads first).
prometheus_client's own parser on /metrics.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from livesupport import LiveServer
from prometheus_client.parser import text_string_to_metric_families
from rdflib import Dataset, Graph
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDF,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

# What SPARQLWrapper itself warns about as it works: its own fallback to `Accept: */*` for a
# return format it does not expect for the form, and rdflib's deprecation of the ConjunctiveGraph
# it converts RDF/XML into. Neither is about the server.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Sending Accept header:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]

KVM = "<https://w3id.org/kgapi/resource/kvm>"
QUERIES = {
    "SELECT": f"SELECT ?p ?o WHERE {{ {KVM} ?p ?o }} LIMIT 5",
    "ASK": f"ASK {{ {KVM} ?p ?o }}",
    "CONSTRUCT": f"CONSTRUCT {{ {KVM} ?p ?o }} WHERE {{ {KVM} ?p ?o }} LIMIT 5",
    "DESCRIBE": f"DESCRIBE {KVM}",
}
RESULT_FORMATS = [JSON, XML, CSV, TSV]
GRAPH_FORMATS = [TURTLE, N3, RDF, RDFXML, JSONLD, XML, JSON]
METHODS = [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)]
CASES = [
    (form, answer_format, method, request_method)
    for form, formats in (
        ("SELECT", RESULT_FORMATS),
        ("ASK", RESULT_FORMATS),
        ("CONSTRUCT", GRAPH_FORMATS),
        ("DESCRIBE", GRAPH_FORMATS),
    )
    for answer_format, (method, request_method) in itertools.product(formats, METHODS)
]


def _check(form: str, answer_format: str, converted: Any) -> None:
    if form == "SELECT" and answer_format == JSON:
        assert len(converted["results"]["bindings"]) == 5
    elif form == "ASK" and answer_format == JSON:
        assert converted["boolean"] is True
    elif form in ("CONSTRUCT", "DESCRIBE"):
        graph = converted
        if not isinstance(graph, Graph):  # Turtle, N3 and JSON-LD come back as text or bytes
            text = graph.decode() if isinstance(graph, bytes) else graph
            rdf_format = "json-ld" if answer_format in (JSONLD, JSON) else "turtle"
            graph = Graph().parse(data=text, format=rdf_format)
        assert len(graph) >= 5
    else:
        assert converted  # XML documents, CSV and TSV bytes: non-empty, parsed by the wrapper


@pytest.mark.parametrize(
    ("form", "answer_format", "method", "request_method"),
    CASES,
    ids=[f"{f}-{a}-{m}-{r}" for f, a, m, r in CASES],
)
def test_sparqlwrapper_with_its_defaults(
    live_server: LiveServer, form: str, answer_format: str, method: str, request_method: str
) -> None:
    client = SPARQLWrapper(live_server.sparql)
    client.setQuery(QUERIES[form])
    client.setReturnFormat(answer_format)
    client.setMethod(method)
    client.setRequestMethod(request_method)
    _check(form, answer_format, client.query().convert())


def test_the_matrix_covers_every_form_format_and_method() -> None:
    assert len(CASES) == 2 * 4 * 3 + 2 * 7 * 3


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("application/n-quads", "nquads"),
        ("application/trig", "trig"),
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ],
)
def test_service_description_in_every_rdf_format(
    live_server: LiveServer, accept: str, rdflib_format: str
) -> None:
    for method in ("GET", "HEAD"):
        status, headers, body = live_server.request(method, "/sparql", headers={"Accept": accept})
        assert status == 200 and headers["content-type"].startswith(accept)
    dataset = Dataset()
    dataset.parse(data=body if method == "GET" else live_server.request("GET", "/sparql",
        headers={"Accept": accept})[2], format=rdflib_format)  # fmt: skip
    assert len(dataset) > 10


def test_prometheus_parser_reads_metrics(live_server: LiveServer) -> None:
    live_server.request("GET", "/healthz")
    status, headers, body = live_server.request("GET", "/metrics")
    assert status == 200 and "version=0.0.4" in headers["content-type"]
    families = {family.name for family in text_string_to_metric_families(body.decode())}
    assert "kgapi_http_requests" in families
    status, headers, body = live_server.request(
        "GET", "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert status == 200 and headers["content-type"].startswith("application/openmetrics-text")
    assert body.rstrip().endswith(b"# EOF")
