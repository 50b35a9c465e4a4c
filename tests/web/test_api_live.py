"""The REST API through the real server (`kgapi serve`): a few end-to-end requests."""

from __future__ import annotations

import json
from urllib.parse import quote

from livesupport import LiveServer, computed_by_app


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


def test_a_head_is_answered_from_the_kept_answer_of_its_get(live_server: LiveServer) -> None:
    """A HEAD (a link checker, a client sizing a download) made an app process compute the
    whole answer and drop it, each time, where the GET of the same URL was kept by the front."""
    path = "/export?scope=products&format=graphml&head-test=1"
    status, got, body = live_server.request("GET", path)
    assert status == 200
    before = computed_by_app(live_server, "/export", "HEAD")
    for _ in range(3):
        status, headers, empty = live_server.request("HEAD", path)
        assert (status, empty) == (200, b"")
        assert headers["etag"] == got["etag"]
        assert headers["content-length"] == str(len(body))
    assert computed_by_app(live_server, "/export", "HEAD") == before
