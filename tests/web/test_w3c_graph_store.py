"""The W3C SPARQL 1.1 Graph Store HTTP Protocol tests (`graph-store-protocol/graph-store-protocol`
of the W3C suites: direct and indirect graph identification, graph creation by POST) against
the live server with writes on, each request as the manifest gives it, at `/store` for `/gsp`,
carrying the server's write token. Statuses, `Location`, and the RDF of GET answers (up to blank
node isomorphism) are checked."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from conftest import WritableServer
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from w3c import w3c_suite

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
STATUSES = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml"}


@dataclass(frozen=True)
class Step:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[str]
    location_variable: str | None
    expected_type: str | None
    expected_body: str | None


@dataclass(frozen=True)
class GraphStoreTest:
    name: str
    steps: tuple[Step, ...]


def _headers(manifest: Graph, node: object) -> dict[str, str]:
    found = manifest.value(node, HT.headers)
    if found is None:
        return {}
    return {
        str(manifest.value(h, HT.fieldName)): str(manifest.value(h, HT.fieldValue))
        for h in Collection(manifest, found)
    }


def _body(manifest: Graph, node: object) -> str | None:
    content = manifest.value(node, HT.body)
    return None if content is None else str(manifest.value(content, CNT.chars))


def _step(manifest: Graph, node: object) -> Step:
    response = manifest.value(node, HT.resp)
    body = _body(manifest, node)
    location = manifest.value(response, MF.expectedLocation)
    return Step(
        method=str(manifest.value(node, HT.methodName)),
        path="/store" + str(manifest.value(node, HT.absolutePath)).removeprefix("/gsp"),
        headers=_headers(manifest, node),
        body=None if body is None else body.encode("utf-8"),
        statuses=frozenset(
            str(s).rpartition("#")[2] for s in manifest.objects(response, MF.expectedStatus)
        ),
        location_variable=None if location is None else str(location),
        expected_type=_headers(manifest, response).get("content-type"),
        expected_body=_body(manifest, response),
    )


def load_tests() -> list[GraphStoreTest]:
    suite = w3c_suite("graph-store-protocol")
    if suite is None:
        return []
    tests = []
    for name in ("manifest-direct.ttl", "manifest-indirect.ttl"):
        path = suite / "graph-store-protocol" / name
        manifest = Graph().parse(path, publicID=path.parent.as_uri() + "/")
        root = next(manifest.subjects(RDF.type, MF.Manifest))
        for entry in Collection(manifest, manifest.value(root, MF.entries)):
            assert isinstance(entry, URIRef)
            action = manifest.value(entry, MF.action)
            steps = Collection(manifest, manifest.value(action, HT.requests))
            tests.append(
                GraphStoreTest(
                    str(entry).rpartition("#")[2], tuple(_step(manifest, s) for s in steps)
                )
            )
    return tests


TESTS = load_tests()
MISSING = "W3C Graph Store Protocol tests not found in $KGAPI_W3C_TESTS/graph-store-protocol"


@pytest.mark.skipif(not TESTS, reason=MISSING)
def test_the_suite_was_read() -> None:
    assert len(TESTS) >= 13  # 5 direct, 8 indirect
    assert sum(len(test.steps) for test in TESTS) >= 30


@pytest.mark.parametrize(
    "test",
    TESTS or [pytest.param(None, marks=pytest.mark.skip(reason=MISSING))],
    ids=[test.name for test in TESTS] or ["missing"],
)
def test_w3c_graph_store(writable_server: WritableServer, test: GraphStoreTest) -> None:
    server = writable_server.server
    headers = {"Content-Type": "application/sparql-update", **writable_server.authorization}
    status, _, body = server.request("POST", "/update", body=b"DROP SILENT ALL", headers=headers)
    assert status == 200, body
    variables: dict[str, str] = {}
    for step in test.steps:
        path, data = step.path, step.body
        for name, value in variables.items():
            path = path.replace(name, value)
            data = None if data is None else data.replace(name.encode(), value.encode())
        sent = {**step.headers, **writable_server.authorization}
        status, answer_headers, body = server.request(step.method, path, body=data, headers=sent)
        assert any(_matches(status, expected) for expected in step.statuses), (
            step.method,
            path,
            status,
            body[:300],
        )
        if step.location_variable is not None:
            variables[step.location_variable] = answer_headers["location"]
        if step.expected_body is not None and step.method == "GET":
            media_type = answer_headers["content-type"].split(";")[0].strip()
            assert step.expected_type is None or media_type == step.expected_type.split(";")[0]
            served = Graph().parse(data=body.decode(), format=FORMATS[media_type])
            expected = Graph().parse(data=step.expected_body, format="turtle")
            assert isomorphic(served, expected), body.decode()
        if step.method == "HEAD":
            assert body == b""


def _matches(status: int, expected: str) -> bool:
    if expected.startswith("StatusCode"):
        return expected == f"StatusCode{status // 100}xx"
    return STATUSES[expected] == status
