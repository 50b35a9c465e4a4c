"""The W3C SPARQL 1.1 Service Description tests (manifest in w3c-tests/service-description),
run against the live server: GET on the endpoint returns RDF, with a matching sd:endpoint triple,
conforming to the SD vocabulary."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from livesupport import LiveServer
from rdflib import RDF, Graph, Namespace, URIRef

from kgapi.settings import PROJECT_ROOT

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")


def manifest_path() -> Path | None:
    configured = os.environ.get("KGAPI_W3C_TESTS")
    root = Path(configured) if configured else PROJECT_ROOT.parent / "shared" / "w3c-tests"
    path = root / "service-description" / "manifest.ttl"
    return path if path.is_file() else None


MANIFEST = manifest_path()
pytestmark = pytest.mark.skipif(
    MANIFEST is None,
    reason="W3C service-description tests not found in $KGAPI_W3C_TESTS/service-description "
    "nor ../shared/w3c-tests/service-description",
)


def entry_names() -> set[str]:
    assert MANIFEST is not None
    manifest = Graph().parse(MANIFEST)
    return {
        str(entry).rpartition("#")[2]
        for entry in manifest.subjects(RDF.type, MF.ServiceDescriptionTest)
    }


@pytest.fixture(scope="module")
def description(live_server: LiveServer) -> Graph:
    status, headers, body = live_server.request("GET", "/sparql", headers={"Accept": "text/turtle"})
    assert status == 200
    assert headers["content-type"].startswith("text/turtle")
    return Graph().parse(data=body, format="turtle")


def test_manifest_lists_the_three_tests_run_here() -> None:
    assert entry_names() == {"returns-rdf", "has-endpoint-triple", "conforms-to-schema"}


def test_returns_rdf(description: Graph) -> None:
    assert len(description) > 10


def test_has_endpoint_triple(description: Graph, live_server: LiveServer) -> None:
    endpoints = set(description.objects(None, SD.endpoint))
    assert URIRef(live_server.sparql) in endpoints


def test_conforms_to_schema(description: Graph, live_server: LiveServer) -> None:
    # The description lists two services: this endpoint, and its asserted-only twin.
    services = set(description.subjects(RDF.type, SD.Service))
    assert services == {URIRef(live_server.sparql), URIRef(live_server.sparql + "/asserted")}
    service = URIRef(live_server.sparql)
    assert set(description.objects(service, SD.supportedLanguage)) >= {SD.SPARQL11Query}
    assert (service, SD.defaultEntailmentRegime, None) in description
    assert (service, SD.defaultDataset, None) in description
    dataset = description.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in description
    for named in description.objects(dataset, SD.namedGraph):
        assert description.value(named, SD.name) is not None
