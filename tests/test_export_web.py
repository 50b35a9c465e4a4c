"""`GET /export` and `GET /export/context.jsonld` (issue 5): negotiation, download names, ETags,
and errors in the problem+json shape with the valid choices or the candidates."""

from __future__ import annotations

import io
import json
from typing import Any

import networkx as nx
import pytest
from flask.testing import FlaskClient
from rdflib import Graph
from werkzeug.test import TestResponse

from kgapi.export import EXPORT_FORMATS, FORMAT_NAMES, SCOPES
from kgapi.graph.namespaces import VR
from kgapi.web.export_api import OFFERED
from kgapi.web.negotiation import FORMATS, RDF

PROBLEM = "application/problem+json"


def assert_problem(response: TestResponse, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    body: dict[str, Any] = response.get_json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body


def test_rdf_rows_are_the_services_own_formats() -> None:
    service = {item.name: item for item in FORMATS if item.kind == RDF}
    for spec in EXPORT_FORMATS:
        offered = next(item for item in OFFERED if item.name == spec.name)
        assert (offered.media_type, offered.extension) == (spec.media_type, spec.extension)
        if spec.family == "rdf":
            assert offered is service[spec.name]


def test_graphml_by_format_parameter_with_download_name(client: FlaskClient) -> None:
    response = client.get("/export?scope=taxonomy&format=graphml&lang=zh")
    assert response.status_code == 200
    assert response.mimetype == "application/graphml+xml"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="kgapi-taxonomy.graphml"'
    )
    graph = nx.read_graphml(io.BytesIO(response.data))
    assert sum(1 for _, data in graph.nodes(data=True) if data["kind"] == "scheme") == 5


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("xen", "kgapi-neighbourhood-xen.gexf"),
        ("Xen Project", "kgapi-neighbourhood-xen.gexf"),
        ("全虚拟化", "kgapi-neighbourhood-FullVirtualization.gexf"),
        ("virt:FullVirtualization", "kgapi-neighbourhood-FullVirtualization.gexf"),
    ],
)
def test_a_download_is_named_by_the_entity_not_the_words_naming_it(
    client: FlaskClient, name: str, expected: str
) -> None:
    # A Chinese label left the name without its focus, and a label named it by its words.
    for _ in range(2):  # computed, then from the cache of answers
        response = client.get(
            "/export", query_string={"scope": "neighbourhood", "focus": name, "format": "gexf"}
        )
        assert response.headers["Content-Disposition"] == f'attachment; filename="{expected}"'


def test_format_by_accept_header(client: FlaskClient) -> None:
    response = client.get(
        "/export?scope=neighbourhood&focus=xen", headers={"Accept": "text/turtle"}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.data, format="turtle")
    assert (VR.xen, None, None) in graph
    nodelink = client.get(
        "/export?scope=products", headers={"Accept": "application/json;q=0.9, text/html;q=0.1"}
    )
    assert nodelink.mimetype == "application/json"
    assert "links" in nodelink.get_json()


def test_repeat_request_is_not_modified(client: FlaskClient) -> None:
    first = client.get("/export?scope=axis&axis=hypervisor-layer&format=nodelink")
    assert first.status_code == 200
    etag = first.headers["ETag"]
    again = client.get(
        "/export?scope=axis&axis=hypervisor-layer&format=nodelink",
        headers={"If-None-Match": etag},
    )
    assert again.status_code == 304
    other = client.get("/export?scope=axis&axis=hypervisor-layer&format=gexf")
    assert other.headers["ETag"] != etag


def test_jsonld_names_the_published_context(client: FlaskClient) -> None:
    response = client.get("/export?scope=products&format=jsonld")
    document = json.loads(response.data)
    assert document["@context"] == "http://localhost/export/context.jsonld"
    context = client.get("/export/context.jsonld")
    assert context.status_code == 200
    assert context.mimetype == "application/ld+json"
    prefixes = context.get_json()["@context"]
    assert prefixes["vr"] == str(VR)


@pytest.mark.parametrize(
    ("query", "parameter", "choices"),
    [
        ("scope=everything", "scope", list(SCOPES)),
        ("format=png", "format", list(FORMAT_NAMES)),
        ("scope=axis&axis=colour", "axis", None),
        ("scope=neighbourhood", "focus", []),
        ("scope=neighbourhood&focus=xen&depth=deep", "depth", []),
        ("scope=taxonomy&inferred=perhaps", "inferred", ["true", "false"]),
        ("scope=taxonomy&lang=fr", "lang", ["en", "zh"]),
        ("scope=construct&query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D", "query", []),
    ],
)
def test_bad_parameters_are_400_with_choices(
    client: FlaskClient, query: str, parameter: str, choices: list[str] | None
) -> None:
    body = assert_problem(client.get(f"/export?{query}"), 400)
    assert body["parameter"] == parameter
    if choices is not None:
        assert body["choices"] == choices
    else:
        assert len(body["choices"]) == 5


def test_unknown_focus_is_404_with_candidates(client: FlaskClient) -> None:
    body = assert_problem(client.get("/export?scope=neighbourhood&focus=xenn"), 404)
    assert body["parameter"] == "focus"
    assert body["candidates"]


def test_unacceptable_accept_is_406(client: FlaskClient) -> None:
    body = assert_problem(client.get("/export", headers={"Accept": "image/png"}), 406)
    assert "application/graphml+xml" in body["offered"]
