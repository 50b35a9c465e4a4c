"""The W3C SPARQL 1.1 Protocol tests, every entry of the manifest, against the live server.

Query tests run against the read-only server; update tests against a server with writes on,
over an ontology without triples (they begin with CLEAR ALL), each request carrying the
server's write token as a bearer token (the suite cannot know a deployment's credentials).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from xml.etree import ElementTree

import pytest
from conftest import WritableServer
from livesupport import LiveServer, w3c_protocol_dir
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")

RDF_MEDIA_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}
TABULAR_MEDIA_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}


@dataclass(frozen=True)
class ProtocolRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected_statuses: frozenset[str]
    expected_boolean: bool | None
    expected_format: str | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    requests: tuple[ProtocolRequest, ...]


def load_manifest() -> list[ProtocolTest]:
    directory = w3c_protocol_dir()
    if directory is None:
        return []
    manifest = Graph().parse(directory / "manifest.ttl", publicID=directory.as_uri() + "/")
    root = next(manifest.subjects(RDF.type, MF.Manifest))
    entries = Collection(manifest, manifest.value(root, MF.entries))
    return [_test(manifest, entry) for entry in entries if isinstance(entry, URIRef)]


def _test(manifest: Graph, entry: URIRef) -> ProtocolTest:
    action = manifest.value(entry, MF.action)
    requests = Collection(manifest, manifest.value(action, HT.requests))
    return ProtocolTest(
        str(entry).rpartition("#")[2], tuple(_request(manifest, node) for node in requests)
    )


def _request(manifest: Graph, node: object) -> ProtocolRequest:
    headers: dict[str, str] = {}
    header_list = manifest.value(node, HT.headers)
    if header_list is not None:
        for header in Collection(manifest, header_list):
            name = manifest.value(header, HT.fieldName)
            headers[str(name)] = str(manifest.value(header, HT.fieldValue))
    body = None
    content = manifest.value(node, HT.body)
    if content is not None:
        encoding = str(manifest.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(manifest.value(content, CNT.chars)).encode(encoding)
    response = manifest.value(node, HT.resp)
    boolean = manifest.value(response, MF.expectedBoolean)
    expected_format = manifest.value(response, MF.expectedFormat)
    path = str(manifest.value(node, HT.absolutePath))
    return ProtocolRequest(
        method=str(manifest.value(node, HT.methodName)),
        # The manifest's paths start with /sparql/; this endpoint is /sparql.
        path="/sparql" + path.removeprefix("/sparql/"),
        headers=headers,
        body=body,
        expected_statuses=frozenset(
            str(status).rpartition("#")[2]
            for status in manifest.objects(response, MF.expectedStatus)
        ),
        expected_boolean=None if boolean is None else bool(boolean.toPython()),
        expected_format=None if expected_format is None else str(expected_format),
    )


TESTS = load_manifest()


def _is_update(test: ProtocolTest) -> bool:
    """Update tests, the malformed ones included: a server that takes updates must refuse them."""
    return test.name.startswith(("update_", "bad_update_"))


@pytest.mark.skipif(
    not TESTS,
    reason="W3C protocol tests not found in $KGAPI_W3C_TESTS/protocol or ../shared/w3c-tests",
)
def test_manifest_was_read() -> None:
    """The manifest's 34 entries were found, so the parametrized tests below prove something."""
    assert len(TESTS) >= 30
    assert sum(not _is_update(test) for test in TESTS) >= 20
    assert sum(_is_update(test) for test in TESTS) >= 13


@pytest.mark.parametrize(
    "test",
    TESTS or [pytest.param(None, marks=pytest.mark.skip(reason="W3C protocol tests not found"))],
    ids=[test.name for test in TESTS] or ["missing"],
)
def test_w3c_protocol(
    request: pytest.FixtureRequest, live_server: LiveServer, test: ProtocolTest
) -> None:
    server, credentials = live_server, {}
    if _is_update(test):
        writable: WritableServer = request.getfixturevalue("writable_server")
        server, credentials = writable.server, writable.authorization
    for step in test.requests:
        status, headers, body = server.request(
            step.method, step.path, body=step.body, headers={**step.headers, **credentials}
        )
        category = f"StatusCode{status // 100}xx"
        assert category in step.expected_statuses, (status, body[:500])
        if step.expected_format is not None:
            _check_format(step, headers.get("content-type", ""), body)


def _check_format(request: ProtocolRequest, content_type: str, body: bytes) -> None:
    media_type = content_type.split(";")[0].strip()
    if request.expected_format == "RDF":
        assert media_type in RDF_MEDIA_TYPES
        Graph().parse(data=body, format=RDF_MEDIA_TYPES[media_type])
    elif request.expected_format == "tabular":
        assert media_type in TABULAR_MEDIA_TYPES
    elif request.expected_format == "boolean":
        value = _boolean(media_type, body)
        if request.expected_boolean is not None:
            assert value is request.expected_boolean


def _boolean(media_type: str, body: bytes) -> bool:
    if media_type == "application/sparql-results+json":
        value = json.loads(body)["boolean"]
        assert isinstance(value, bool)
        return value
    assert media_type == "application/sparql-results+xml", media_type
    namespace = "{http://www.w3.org/2005/sparql-results#}"
    element = ElementTree.fromstring(body).find(f"{namespace}boolean")
    assert element is not None
    return element.text == "true"
