"""The REST API through the real server (`kgapi serve`): a few end-to-end requests."""

from __future__ import annotations

import json
from urllib.parse import quote

from livesupport import LiveServer


def test_compare_over_http(live_server: LiveServer) -> None:
    status, headers, body = live_server.request(
        "GET", "/api/compare?ids=" + quote("KVM,Xen,VMware ESXi"), headers={"Accept": "text/csv"}
    )
    assert status == 200
    assert headers["content-type"].startswith("text/csv")
    assert body.decode().splitlines()[0] == "attribute,KVM,Xen,VMware ESXi,agreement"


def test_stored_query_over_http(live_server: LiveServer) -> None:
    status, _, body = live_server.request(
        "GET", "/api/queries/products-based-on?product=" + quote("KVM")
    )
    assert status == 200
    rows = json.loads(body)["results"]["bindings"]
    assert {row["label"]["value"] for row in rows} >= {"Red Hat Virtualization", "Nutanix AHV"}


def test_entity_by_chinese_name_and_problem_over_http(live_server: LiveServer) -> None:
    status, _, body = live_server.request("GET", "/api/entities/" + quote("半虚拟化"))
    assert status == 200
    assert json.loads(body)["curie"] == "virt:Paravirtualization"
    status, headers, body = live_server.request("GET", "/api/entities/nosuchthing")
    assert status == 404
    assert headers["content-type"].startswith("application/problem+json")
    assert json.loads(body)["candidates"] is not None


def test_openapi_and_docs_over_http(live_server: LiveServer) -> None:
    status, _, body = live_server.request("GET", "/openapi.json")
    assert status == 200
    assert "/api/queries/products-based-on" in json.loads(body)["paths"]
    status, _, page = live_server.request("GET", "/docs")
    assert status == 200 and b"swagger-ui-bundle.js" in page
