"""`/openapi.json` is valid OpenAPI, describes every stored query, and holds under fuzzing."""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from fuzzing import CONFIG, CONTRACT_CHECKS, fuzz, operations, takes_input
from openapi_spec_validator import validate
from schemathesis import checks

FUZZ_EXAMPLES = 10


@pytest.fixture(scope="module")
def spec(app: Flask) -> dict[str, Any]:
    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.get_json()
    return document


def test_the_description_is_valid_openapi(spec: dict[str, Any]) -> None:
    validate(spec)
    assert spec["openapi"].startswith("3.")


def test_every_api_route_is_described(spec: dict[str, Any], app: Flask) -> None:
    routes = {
        re.sub(r"<(?:[a-z]+:)?([A-Za-z_]+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
    }
    for path in (
        "/api/entities/{id}",
        "/api/search",
        "/api/compare",
        "/api/explain",
        "/api/classify",
        "/api/consistency",
        "/api/queries",
        "/openapi.json",
        "/docs",
        "/sparql",
        "/healthz",
    ):
        assert path in routes
        assert path in spec["paths"] or path == "/api/queries/{name}"
    assert "post" in spec["paths"]["/api/classify"]


def test_each_stored_query_is_its_own_operation(spec: dict[str, Any], client: FlaskClient) -> None:
    listed = client.get("/api/queries").get_json()["queries"]
    assert len(listed) >= 19
    for query in listed:
        operation = spec["paths"][f"/api/queries/{query['name']}"]["get"]
        assert operation["summary"] == query["summary"]
        declared = {p["name"]: p for p in operation["parameters"]}
        for parameter in query["parameters"]:
            assert declared[parameter["name"]]["required"] == parameter["required"]
        assert "format" in declared
    based_on = spec["paths"]["/api/queries/products-based-on"]["get"]["parameters"]
    product = next(p for p in based_on if p["name"] == "product")
    assert product["schema"]["default"] == "vr:kvm"
    since = spec["paths"]["/api/queries/products-released-since"]["get"]["parameters"]
    assert next(p for p in since if p["name"] == "year")["schema"]["type"] == "integer"


def test_docs_page_uses_only_local_assets(client: FlaskClient) -> None:
    page = client.get("/docs").get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(source.startswith("/") for source in sources)
    for source in sources:
        response = client.get(source)
        response.close()  # static files are streamed from an open file
        assert response.status_code == 200, source
    assert "default-src 'self'" in client.get("/docs").headers["Content-Security-Policy"]


# Operations whose documented inputs are not the whole contract, so schema-valid input may still
# be refused: a SPARQL query's grammar, the scope an export parameter belongs to, the names a
# description, an explanation or a comparison must resolve to. The other checks hold for them.
SEMANTIC_INPUT = ("/sparql", "/export", "/api/classify", "/api/explain", "/api/compare")


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_fuzzing_every_operation_finds_no_break_of_the_contract(app: Flask, mode: str) -> None:
    """No 5xx, no undocumented status or type, answers as described; in negative mode every
    schema-violating request is refused, in positive mode every schema-valid one accepted."""
    found = operations(schemathesis.openapi.from_wsgi("/openapi.json", app, config=CONFIG))
    assert len(found) >= 30
    tried = 0
    for operation in found:
        if mode == "negative" and not takes_input(operation):
            continue  # nothing to get wrong
        extra = []
        if mode == "negative":
            extra.append(checks.negative_data_rejection)
        elif operation.path not in SEMANTIC_INPUT:
            extra.append(checks.positive_data_acceptance)
        fuzz(operation, mode=mode, checks_here=[*CONTRACT_CHECKS, *extra], examples=FUZZ_EXAMPLES)
        tried += 1
    assert tried >= 25


@pytest.mark.parametrize("format_name", ["json", "turtle", "jsonld", "ntriples", "rdfxml"])
def test_each_entity_format_conforms_to_its_described_schema(app: Flask, format_name: str) -> None:
    # The fuzzer draws formats at random; every one of them is checked here, every run.
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app, config=CONFIG)
    operation = schema["/api/entities/{id}"]["GET"]
    case = operation.Case(path_parameters={"id": "kvm"}, query={"format": format_name})
    response = case.call(headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    case.validate_response(response, checks=CONTRACT_CHECKS)


def test_with_writes_on_the_write_operations_are_described(app: Flask) -> None:
    from kgapi.web.openapi import build_openapi

    with app.app_context():
        read_only = build_openapi(app, [], writes=False)
        writable = build_openapi(app, [], writes=True)
    validate(writable)
    for path in ("/update", "/store", "/store/{path}", "/api/history/{id}/revert"):
        assert path not in read_only["paths"]
        assert path in writable["paths"]
    assert set(writable["paths"]["/store"]) == {"get", "put", "post", "delete"}
    assert writable["paths"]["/update"]["post"]["security"] == [{"bearer": []}]
    assert "422" in writable["paths"]["/update"]["post"]["responses"]
    assert writable["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
