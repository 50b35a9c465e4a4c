"""Curated updates against the real server: `kgapi serve --writes` with two app processes, a
token made by `kgapi token create`, and raw HTTP — SPARQL Update, the Graph Store Protocol,
history, credentials, refusals (409, 412, 422, LOAD/SERVICE) and durability across a restart."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from livesupport import LiveServer, computed_by_app, started_server, update_headers
from serving import create_token

from kgapi.settings import Settings

GRAPH = "https://example.org/graphs/curation-test"
PREFIXES = """PREFIX virt: <https://w3id.org/kgapi/ontology/>
PREFIX vr: <https://w3id.org/kgapi/resource/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def product(slug: str) -> str:
    """A product complete enough for the shapes: bilingual names, a source, a classification."""
    return (
        PREFIXES
        + f"""INSERT DATA {{ GRAPH <{GRAPH}> {{
<https://example.org/p/{slug}> a virt:SoftwareProduct ;
  skos:prefLabel "{slug} VMM"@en, "{slug} 虚拟机监控器"@zh ;
  skos:definition "A VMM made for this test, built on KVM."@en,
                  "为本测试而建、基于 KVM 的虚拟机监控器。"@zh ;
  virt:developer vr:amazon-web-services ; virt:license <http://spdx.org/licenses/Apache-2.0> ;
  virt:virtualizedObject virt:ServerVirtualization ;
  virt:implementationTechnique virt:HardwareAssistedVirtualization ;
  virt:usesHypervisor vr:kvm ; virt:hostPlatform vr:linux ; dcterms:source vr:source-s14 . }} }}"""
    )


def kgapi(*arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "kgapi.cli", *arguments],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="module")
def tokens(data_dir: Path) -> dict[str, str]:
    return {
        scope: create_token(data_dir, f"{scope}-bot", scope) for scope in ("read", "write", "admin")
    }


@pytest.fixture(scope="module")
def server(
    serves_live: None,
    settings: Settings,
    data_dir: Path,
    tokens: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    with started_server(
        cache_dir=settings.cache_dir,
        log_dir=tmp_path_factory.mktemp("writes-server"),
        query_timeout=30,
        writes_to=data_dir,
    ) as running:
        yield running


def update(
    server: LiveServer, text: str, token: str | None, **headers: str
) -> tuple[int, dict[str, str], dict]:
    status, answer_headers, body = server.request(
        "POST", "/update", body=text.encode(), headers=update_headers(token, **headers)
    )
    return status, answer_headers, json.loads(body) if body else {}


def ask(server: LiveServer, query: str) -> bool:
    status, _, body = server.request(
        "GET",
        f"/sparql?query={quote(PREFIXES + query)}",
        headers={"Accept": "application/sparql-results+json"},
    )
    assert status == 200, body
    return bool(json.loads(body)["boolean"])


def version(server: LiveServer) -> str:
    _, _, body = server.request("GET", "/healthz")
    return str(json.loads(body)["version"])


def test_a_write_needs_a_token_with_write_scope(server: LiveServer, tokens: dict[str, str]) -> None:
    status, headers, body = update(server, product("nobody"), None)
    assert status == 401
    assert headers["www-authenticate"].startswith('Bearer realm="kgapi"')
    assert headers["content-type"] == "application/problem+json"
    status, headers, _ = update(server, product("nobody"), "kgapi_not-a-token")
    assert status == 401 and 'error="invalid_token"' in headers["www-authenticate"]
    # Another scheme is no bearer token at all: the challenge, without an error (RFC 6750 §3.1).
    basic = {"Authorization": "Basic dXNlcjpwYXNz", "Content-Type": "application/sparql-update"}
    status, headers, _ = server.request("POST", "/update", body=b"CLEAR ALL", headers=basic)
    assert status == 401 and headers["www-authenticate"] == 'Bearer realm="kgapi"'
    status, _, body = update(server, product("nobody"), tokens["read"])
    assert status == 403, body
    assert not ask(server, "ASK { <https://example.org/p/nobody> ?p ?o }")


def test_an_accepted_product_is_reasoned_served_everywhere_and_in_the_history(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    before = version(server)
    status, headers, summary = update(
        server, product("acme"), tokens["write"], **{"X-Change-Message": "add acme"}
    )
    assert status == 200, summary
    assert summary["changed"] is True and summary["added"] == 12
    assert (
        "https://w3id.org/kgapi/ontology/OpenSourceSoftware"
        in summary["new_inferred_types"]["https://example.org/p/acme"]
    )
    assert headers["etag"] == f'"{summary["version"]}"' and summary["version"] != before
    # Both app processes (and the front's health answer) serve the new version.
    for _ in range(6):
        assert version(server) == summary["version"]
        assert ask(
            server,
            "ASK { <https://example.org/p/acme> a virt:OpenSourceSoftware }",
        )
    status, _, body = server.request("GET", "/api/history")
    history = json.loads(body)
    newest = history["versions"][0]
    assert newest["author"] == "write-bot" and newest["message"] == "add acme"
    assert newest["added"] == 12 and newest["graphs"] == [GRAPH]
    status, headers, patch = server.request(
        "GET", f"/api/history/{newest['id']}", headers={"Accept": "application/rdf-patch"}
    )
    assert status == 200 and headers["content-type"].startswith("application/rdf-patch")
    assert patch.count(b"\nA <https://example.org/p/acme>") == 12
    # Explanations reach inferences about user data.
    status, _, body = server.request(
        "GET",
        "/api/explain?s="
        + quote("https://example.org/p/acme")
        + "&p=rdf:type&o="
        + quote("https://w3id.org/kgapi/ontology/OpenSourceSoftware"),
    )
    assert status == 200, body


def test_an_invalid_product_is_refused_with_its_violations_and_nothing_changes(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    before = version(server)
    half = '<https://example.org/p/half> a virt:SoftwareProduct ; virt:license "GPL"'
    text = PREFIXES + f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {half} }} }}"
    status, headers, problem = update(server, text, tokens["write"])
    assert status == 422 and headers["content-type"] == "application/problem+json"
    messages = {item["message"] for item in problem["problems"]}
    assert "needs one skos:prefLabel in English and one in Chinese" in messages
    assert all(item["focus"] == "https://example.org/p/half" for item in problem["problems"])
    assert version(server) == before
    assert not ask(server, "ASK { <https://example.org/p/half> ?p ?o }")


def test_an_inconsistent_change_is_refused_with_its_proof(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    text = (
        PREFIXES
        + f"""INSERT DATA {{ GRAPH <{GRAPH}> {{
      <https://example.org/c/A> a <http://www.w3.org/2002/07/owl#Class> ;
        <http://www.w3.org/2002/07/owl#disjointWith> <https://example.org/c/B> .
      <https://example.org/c/x> a <https://example.org/c/A>, <https://example.org/c/B> . }} }}"""
    )
    status, _, problem = update(server, text, tokens["write"])
    assert status == 422, problem
    clash = next(item for item in problem["problems"] if item["check"].startswith("owl2rl:"))
    assert "https://example.org/c/x" in clash["resources"] and clash["proof"]


def test_removing_a_bundled_triple_is_a_conflict(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    before = version(server)
    status, _, problem = update(
        server, PREFIXES + "DELETE DATA { vr:kvm a virt:SoftwareProduct }", tokens["write"]
    )
    assert status == 409 and "contested claim" in problem["detail"]
    status, _, problem = update(
        server,
        PREFIXES
        + "INSERT DATA { GRAPH <https://w3id.org/kgapi/graph/asserted> { vr:kvm virt:note 'x' } }",
        tokens["write"],
    )
    assert status == 409
    assert version(server) == before


BUNDLED = "https://w3id.org/kgapi/graph/"


@pytest.mark.parametrize(
    "text",
    [
        f"DROP GRAPH <{BUNDLED}asserted>",
        f"CLEAR GRAPH <{BUNDLED}inferred>",
        f"COPY <{BUNDLED}products> TO <{GRAPH}>",
        f"ADD SILENT GRAPH <{BUNDLED}products> TO DEFAULT",
        f"INSERT {{ GRAPH <{GRAPH}> {{ ?s a virt:Thing }} }} "
        f"WHERE {{ GRAPH <{BUNDLED}asserted> {{ ?s a virt:Hypervisor }} }}",
        f"WITH <{BUNDLED}asserted> DELETE {{ ?s virt:note ?o }} WHERE {{ ?s virt:note ?o }}",
    ],
)
def test_an_update_naming_a_bundled_graph_is_refused_saying_why(
    server: LiveServer, tokens: dict[str, str], text: str
) -> None:
    """The update's named graphs are the user graphs: one naming a bundled graph (which a query
    reads with GRAPH) did nothing and said so with a 200, or was refused as "the graph does
    not exist"."""
    before = version(server)
    status, _, problem = update(server, PREFIXES + text, tokens["write"])
    assert status == 409, problem
    named = next(iri for iri in problem["detail"].split("<")[1:2])
    assert named.startswith(BUNDLED) and "bundled" in problem["detail"]
    assert version(server) == before


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_the_graph_store_refuses_every_change_to_a_bundled_graph_alike(
    server: LiveServer, tokens: dict[str, str], method: str
) -> None:
    """A bundled graph is read (GET answers it) and read-only: DELETE answered 404 "there is
    no user graph" where PUT and POST said why."""
    path = "/store?graph=" + quote(f"{BUNDLED}products", safe="")
    assert server.request("GET", path)[0] == 200
    headers = {"Content-Type": "text/turtle", "Authorization": f"Bearer {tokens['write']}"}
    status, _, body = server.request(method, path, body=b"<urn:a> <urn:p> 1 .", headers=headers)
    problem = json.loads(body)
    assert (
        status == 409 and f"<{BUNDLED}products> is part of the bundled graph" in problem["detail"]
    )


def multipart(*parts: tuple[str, str | None, bytes]) -> tuple[bytes, str]:
    """A multipart/form-data body of file parts (filename, Content-Type or None, data)."""
    boundary = "kgapi-test-boundary"
    body = b""
    for filename, media_type, data in parts:
        body += f"--{boundary}\r\n".encode()
        body += f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'.encode()
        if media_type is not None:
            body += f"Content-Type: {media_type}\r\n".encode()
        body += b"\r\n" + data + b"\r\n"
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    ("parts", "status", "added"),
    [
        # A browser uploading a .ttl file sends it as application/octet-stream, or untyped: the
        # file's extension names its format, as Fuseki reads it.
        ([("a.ttl", "application/octet-stream", b"<urn:mp:a> <urn:mp:p> 1 .")], 200, 1),
        ([("a.nt", None, b"<urn:mp:b> <urn:mp:p> \"2\" .")], 200, 1),
        (
            [
                ("a.rdf", "application/rdf+xml", b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
                 b'22-rdf-syntax-ns#"><rdf:Description rdf:about="urn:mp:c"/></rdf:RDF>'),
                ("b.ttl", "text/turtle", b"<urn:mp:c> <urn:mp:p> 3 ."),
            ],
            200,
            1,
        ),
        ([("a.bin", "application/octet-stream", b"<urn:mp:d> <urn:mp:p> 4 .")], 415, 0),
        ([("a.ttl", "text/turtle", b"<urn:mp:e> <urn:mp:p> 5")], 400, 0),  # no final dot
        ([], 400, 0),  # a multipart body holding no graph
    ],
)  # fmt: skip
def test_graph_store_multipart_uploads_read_each_part(
    server: LiveServer,
    tokens: dict[str, str],
    parts: list[tuple[str, str | None, bytes]],
    status: int,
    added: int,
) -> None:
    body, content_type = multipart(*parts)
    headers = {"Content-Type": content_type, "Authorization": f"Bearer {tokens['write']}"}
    path = "/store?graph=" + quote("https://example.org/graphs/multipart", safe="")
    answered, _, answer = server.request("POST", path, body=body, headers=headers)
    # 201 for the POST that makes the graph, 200 for those that add to it
    assert answered == status or (status, answered) == (200, 201), answer
    if status == 200:
        assert json.loads(answer)["added"] == added


def test_a_multipart_body_without_a_boundary_is_400(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    headers = {"Content-Type": "multipart/form-data", "Authorization": f"Bearer {tokens['write']}"}
    path = "/store?graph=" + quote("https://example.org/graphs/multipart", safe="")
    status, _, answer = server.request("POST", path, body=b"<urn:a> <urn:b> 1 .", headers=headers)
    assert status == 400, answer


@pytest.mark.parametrize("encoding", ["form", "direct"])
def test_the_asserted_endpoint_takes_no_update(
    server: LiveServer, tokens: dict[str, str], encoding: str
) -> None:
    """/sparql/asserted answers queries alone, as its service description says: an update sent
    there ran, reading the inferred triples its queries do not see."""
    before = version(server)
    text = "INSERT DATA { <urn:asserted-endpoint:s> <urn:asserted-endpoint:p> 1 }"
    headers = {"Authorization": f"Bearer {tokens['write']}"}
    if encoding == "form":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urlencode({"update": text}).encode()
    else:
        headers["Content-Type"] = "application/sparql-update"
        body = text.encode()
    status, answer_headers, answer = server.request(
        "POST", "/sparql/asserted", body=body, headers=headers
    )
    assert status == 403 and answer_headers["content-type"].startswith("text/plain")
    assert b"/update" in answer
    assert version(server) == before
    described = server.request("GET", "/sparql/asserted", headers={"Accept": "text/turtle"})[2]
    assert b"SPARQL11Update" not in described


def test_load_and_service_are_refused_and_nothing_is_fetched(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(1.0)
    port = listener.getsockname()[1]
    reached: list[object] = []

    def watch() -> None:
        with contextlib.suppress(OSError):
            reached.append(listener.accept())

    watcher = threading.Thread(target=watch)
    watcher.start()
    for text in (
        f"LOAD <http://127.0.0.1:{port}/data.ttl> INTO GRAPH <{GRAPH}>",
        f"INSERT {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }} "
        f"WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        f"load <http://127.0.0.1:{port}/x>",
    ):
        status, _, problem = update(server, text, tokens["write"])
        assert status == 403, problem
    watcher.join()
    listener.close()
    assert reached == []


def test_graph_store_protocol_put_get_post_delete_and_if_match(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    graph = "https://example.org/graphs/gsp"
    path = f"/store?graph={quote(graph, safe='')}"
    auth = {"Authorization": f"Bearer {tokens['write']}"}
    turtle = {"Content-Type": "text/turtle", **auth}
    status, headers, body = server.request(
        "PUT", path, body=b"<urn:a> <urn:p> <urn:b> .", headers=turtle
    )
    assert status == 201, body
    assert headers["location"] == path
    status, headers, body = server.request("GET", path, headers={"Accept": "application/n-triples"})
    assert status == 200 and body.strip() == b"<urn:a> <urn:p> <urn:b> ."
    etag = headers["etag"]
    status, _, body = server.request(
        "POST", path, body=b"<urn:a> <urn:p> <urn:c> .", headers=turtle
    )
    assert status == 200, body
    # A write based on the version read before the POST is stale.
    status, _, body = server.request(
        "PUT", path, body=b"<urn:z> <urn:p> <urn:z> .", headers={**turtle, "If-Match": etag}
    )
    assert status == 412, body
    status, _, body = server.request("PUT", path, body=b"not turtle at all", headers=turtle)
    assert status == 400
    status, _, body = server.request(
        "PUT", path, body=b"{}", headers={"Content-Type": "application/x-unknown", **auth}
    )
    assert status == 415
    status, _, body = server.request("DELETE", path, headers=auth)
    assert status == 200, body
    status, _, _ = server.request("GET", path)
    assert status == 404
    status, _, _ = server.request("DELETE", path, headers=auth)
    assert status == 404
    status, _, _ = server.request(
        "PUT",
        "/store?graph=" + quote("https://w3id.org/kgapi/graph/inferred", safe=""),
        body=b"",
        headers=turtle,
    )
    assert status == 409


def test_a_change_message_holding_a_control_character_is_refused(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    """A message is text of the history, shown in its JSON and on the entity pages: `message=`
    with a NUL put a raw U+0000 into the HTML page of every entity the change touched."""
    before = version(server)
    text = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:msg:s> <urn:msg:p> 1 }} }}"
    status, _, body = server.request(
        "POST",
        "/update?message=" + quote("fix\x00\x01"),
        body=text.encode(),
        headers=update_headers(tokens["write"]),
    )
    assert status == 400 and "U+0000" in json.loads(body)["detail"], body
    assert version(server) == before
    status, _, body = server.request(
        "POST",
        "/update?message=" + quote("line one\nline two\twith a tab"),
        body=text.encode(),
        headers=update_headers(tokens["write"]),
    )
    assert status == 200, body


def test_a_change_message_header_carries_other_scripts_percent_encoded(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    """HTTP field values are ASCII in practice, and the server's HTTP layer drops a non-ASCII
    one whole (a browser will not send one at all): X-Change-Message takes UTF-8
    percent-encoded, as `message=` does."""
    text = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:msg:s> <urn:msg:p> 2 }} }}"
    message = "修正许可证 — 100% sure"
    headers = update_headers(tokens["write"], **{"X-Change-Message": quote(message)})
    status, _, body = server.request("POST", "/update", body=text.encode(), headers=headers)
    assert status == 200, body
    status, _, body = server.request("GET", "/api/history?limit=1")
    assert json.loads(body)["versions"][0]["message"] == message
    before = version(server)
    headers = update_headers(tokens["write"], **{"X-Change-Message": "half a character: %E4%BF"})
    text = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:msg:s> <urn:msg:p> 3 }} }}"
    status, _, body = server.request("POST", "/update", body=text.encode(), headers=headers)
    assert status == 400 and "X-Change-Message" in json.loads(body)["detail"], body
    assert version(server) == before


def test_bodies_saved_with_a_byte_order_mark_are_written(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    """An update or a graph saved by a Windows editor starts with a UTF-8 byte order mark,
    which no parser here skips: both were 400s at 1:1."""
    bom = b"\xef\xbb\xbf"
    text = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:bom:s> <urn:bom:p> 1 }} }}"
    status, _, body = server.request(
        "POST", "/update", body=bom + text.encode(), headers=update_headers(tokens["write"])
    )
    assert status == 200, body
    path = "/store?graph=" + quote("https://example.org/graphs/bom", safe="")
    turtle = {"Authorization": f"Bearer {tokens['write']}", "Content-Type": "text/turtle"}
    status, _, body = server.request(
        "PUT", path, body=bom + b"<urn:bom:s> <urn:bom:p> 2 .", headers=turtle
    )
    assert status == 201, body
    assert ask(server, "ASK { <urn:bom:s> <urn:bom:p> 1, 2 }")


def test_a_parameter_given_twice_is_400_on_the_write_routes_too(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    """A PUT naming two graphs replaced the first and ignored the second."""
    before = version(server)
    turtle = {"Authorization": f"Bearer {tokens['write']}", "Content-Type": "text/turtle"}
    twice = "/store?graph=" + quote("urn:twice:a") + "&graph=" + quote("urn:twice:b")
    status, headers, body = server.request(
        "PUT", twice, body=b"<urn:s> <urn:p> 1 .", headers=turtle
    )
    assert status == 400 and json.loads(body)["parameter"] == "graph", body
    assert headers["content-type"] == "application/problem+json"
    status, _, body = server.request("GET", "/api/history?limit=1&limit=2")
    assert status == 400 and json.loads(body)["parameter"] == "limit", body
    assert version(server) == before


@pytest.mark.parametrize(
    "query", ["limit=-1", "limit=1000000000", "limit=ten", "offset=-1", "offset=", "limit=1.5"]
)
def test_a_bad_history_parameter_is_a_problem_naming_it(server: LiveServer, query: str) -> None:
    """As every other API route answers one: the invalid-parameter problem, naming it."""
    status, headers, body = server.request("GET", f"/api/history?{query}")
    problem = json.loads(body)
    assert status == 400 and headers["content-type"] == "application/problem+json"
    assert problem["type"].endswith("/invalid-parameter"), problem
    assert problem["parameter"] == query.partition("=")[0]


def test_requests_waiting_for_a_version_hold_no_app_process(server: LiveServer) -> None:
    """A read asking for a version the log does not have yet (Kgapi-Min-Version) waited for it
    in an app process, polling: two of them (there are two app processes) kept every other
    request that needs one waiting until they gave up. They wait in the front now."""
    ahead = str(10**9)  # a version no writer will reach
    results: list[tuple[int, str | None]] = []

    def waiter() -> None:
        status, headers, _ = server.request("GET", "/api/search?q=kvm&waiting=" + str(len(results)),
                                            headers={"Kgapi-Min-Version": ahead})  # fmt: skip
        results.append((status, headers.get("retry-after")))

    waiters = [threading.Thread(target=waiter) for _ in range(2)]
    for thread in waiters:
        thread.start()
    time.sleep(1)  # both are waiting by now
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?c } # not kept: " + str(time.time())
    status, _, _ = server.request("GET", "/sparql?query=" + quote(query))
    assert status == 200
    assert results == [], "an ordinary request was answered only once the waiters gave up"
    for thread in waiters:
        thread.join()
    assert results == [(503, "1"), (503, "1")]


def test_conditional_writes_follow_rfc_9110(server: LiveServer, tokens: dict[str, str]) -> None:
    """If-Match takes a list of tags, any of which may match, and compares strongly (a weak tag
    never matches); `*` asks that the graph exist. If-None-Match: * asks that it not exist (a
    create that must not replace). Before, a list was read as one tag (412), a weak tag matched,
    and If-None-Match: * on a PUT replaced the graph and then answered 304."""
    graph = "https://example.org/graphs/conditional"
    path = f"/store?graph={quote(graph, safe='')}"
    turtle = {"Authorization": f"Bearer {tokens['write']}", "Content-Type": "text/turtle"}

    def put(body: bytes, **conditions: str) -> int:
        return server.request("PUT", path, body=body, headers={**turtle, **conditions})[0]

    def held() -> bytes:
        return server.request("GET", path, headers={"Accept": "application/n-triples"})[2]

    assert put(b"<urn:c> <urn:p> 1 .", **{"If-Match": "*"}) == 412  # no such graph yet
    assert put(b"<urn:c> <urn:p> 1 .", **{"If-None-Match": "*"}) == 201
    assert put(b"<urn:c> <urn:p> 2 .", **{"If-None-Match": "*"}) == 412  # it exists now
    assert held() == b'<urn:c> <urn:p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    current = f'"{version(server)}"'
    assert put(b"<urn:c> <urn:p> 3 .", **{"If-Match": f"W/{current}"}) == 412
    assert put(b"<urn:c> <urn:p> 3 .", **{"If-None-Match": current}) == 412
    assert put(b"<urn:c> <urn:p> 3 .", **{"If-Match": f'"stale", {current}'}) == 200
    assert put(b"<urn:c> <urn:p> 4 .", **{"If-Match": "*"}) == 200
    status, _, body = update(
        server, f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:c> <urn:p> 5 }} }}", tokens["write"],
        **{"If-None-Match": "*"},
    )  # fmt: skip
    assert status == 412, body  # the dataset always exists
    assert held() == b'<urn:c> <urn:p> "4"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'


@pytest.mark.parametrize(
    "where",
    [
        "{ " * 5_000 + "}" * 5_000,  # nested groups
        " UNION ".join(["{ ?s ?p ?o }"] * 8_000),  # a long chain, flat in brackets
        "FILTER(" + "STR(" * 2_000 + "1" + ")" * 2_000 + " != '')",  # nested calls
    ],
    ids=["groups", "union-chain", "calls"],
)
def test_an_update_nested_past_the_engines_stack_is_400_and_the_writer_lives_on(
    server: LiveServer, tokens: dict[str, str], where: str
) -> None:
    """The engine's update parser recurses on nesting: these ended the writer process with
    SIGSEGV (a 503, and a new writer). An update that may nest so deep runs in a child of the
    writer, as such a query does, and its crash is the client's 400."""
    text = f"INSERT {{ <urn:deep> <urn:p> 1 }} WHERE {{ {where} }}"
    status, _headers, body = update(server, text, tokens["write"])
    assert status == 400 and "nests too deeply" in body["detail"], body
    status, _headers, body = update(
        server, "INSERT { <urn:deep> <urn:p> 2 } WHERE {}", tokens["write"]
    )
    assert status == 200, body
    update(
        server,
        "DELETE DATA { GRAPH <https://w3id.org/kgapi/graph/curated> { <urn:deep> <urn:p> 2 } }",
        tokens["write"],
    )


@pytest.mark.parametrize("framing", ["chunked", "content-length"])
def test_an_update_whose_body_breaks_off_is_not_applied(
    server: LiveServer, tokens: dict[str, str], framing: str
) -> None:
    """A client that leaves in the middle of its body sent part of an update, and the part
    can be an update too (one operation, then `;`). It was applied, unknown to its client;
    now a body cut short (before its Content-Length, or before its last chunk) is not sent on."""
    subject = f"urn:cut-{framing}"
    part = f"INSERT DATA {{ <{subject}> <urn:p> 1 }} ;".encode()
    rest = b" INSERT DATA { <urn:never> <urn:p> 2 }"
    head = (
        f"POST /update HTTP/1.1\r\nHost: {server.host}\r\n"
        f"Authorization: Bearer {tokens['write']}\r\nContent-Type: application/sparql-update\r\n"
    )
    if framing == "chunked":
        request = f"{head}Transfer-Encoding: chunked\r\n\r\n".encode() + b"%x\r\n%s\r\n" % (
            len(part),
            part,
        )
    else:
        request = f"{head}Content-Length: {len(part) + len(rest)}\r\n\r\n".encode() + part
    with socket.create_connection((server.host, server.port), timeout=10) as client:
        client.sendall(request)
        time.sleep(0.5)
    time.sleep(1)  # what the server would do with it is done by now
    assert not ask(server, f"ASK {{ <{subject}> ?p ?o }}")


def _entity_bomb(levels: int) -> bytes:
    """RDF/XML of a few hundred bytes whose entities nest tenfold: 10**levels characters."""
    entities = ['<!ENTITY e0 "aaaaaaaaaa">'] + [
        f'<!ENTITY e{level} "{f"&e{level - 1};" * 10}">' for level in range(1, levels)
    ]
    return (
        f'<?xml version="1.0"?><!DOCTYPE r [{"".join(entities)}]>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about="urn:a"><rdf:value>&e{levels - 1};</rdf:value>'
        "</rdf:Description></rdf:RDF>"
    ).encode()


def test_rdf_xml_whose_entities_expand_it_manyfold_is_413(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    """The engine's RDF/XML parser expands entities without bound: 656 bytes became a literal of
    10**9 characters (3 GB, 4 s), and one more level met the app process's memory limit. An
    RDF/XML body is first read by expat, which refuses such expansion; the entities that
    abbreviate namespaces, as ontology editors write them, still work."""
    path = f"/store?graph={quote('https://example.org/graphs/xml', safe='')}"
    headers = {"Content-Type": "application/rdf+xml", "Authorization": f"Bearer {tokens['write']}"}
    status, answer_headers, body = server.request(
        "PUT", path, body=_entity_bomb(9), headers=headers
    )
    assert status == 413 and answer_headers["content-type"] == "application/problem+json", body
    abbreviated = (
        b'<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY ex "https://example.org/xml#">]>'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description rdf:about="&ex;a"><rdf:value rdf:resource="&ex;b"/></rdf:Description>'
        b"</rdf:RDF>"
    )
    status, _headers, body = server.request("PUT", path, body=abbreviated, headers=headers)
    assert status == 201, body
    status, _headers, body = server.request(
        "GET", path, headers={"Accept": "application/n-triples"}
    )
    value = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#value>"
    assert body.split() == [
        b"<https://example.org/xml#a>",
        value,
        b"<https://example.org/xml#b>",
        b".",
    ]
    server.request("DELETE", path, headers=headers)


def test_a_write_scoped_to_graphs_may_write_only_those(server: LiveServer, data_dir: Path) -> None:
    token = kgapi(
        "token",
        "--data-dir",
        str(data_dir),
        "create",
        "narrow",
        "--scope",
        "write",
        "--graph",
        "https://example.org/graphs/allowed",
    ).strip()
    headers = {"Content-Type": "text/turtle", "Authorization": f"Bearer {token}"}
    allowed = "/store?graph=" + quote("https://example.org/graphs/allowed", safe="")
    other = "/store?graph=" + quote("https://example.org/graphs/other", safe="")
    assert server.request("PUT", other, body=b"<urn:a> <urn:p> 1 .", headers=headers)[0] == 403
    assert server.request("PUT", allowed, body=b"<urn:a> <urn:p> 1 .", headers=headers)[0] == 201
    kgapi("token", "--data-dir", str(data_dir), "revoke", "narrow")
    assert server.request("PUT", allowed, body=b"<urn:a> <urn:p> 2 .", headers=headers)[0] == 401


def test_acknowledged_writes_survive_a_restart_and_the_cli_reads_them(
    server: LiveServer, settings: Settings, data_dir: Path, tokens: dict[str, str], tmp_path: Path
) -> None:
    status, _, summary = update(server, product("durable"), tokens["write"])
    assert status == 200, summary
    with started_server(
        cache_dir=settings.cache_dir,
        log_dir=tmp_path,
        query_timeout=30,
        writes_to=data_dir,
    ) as again:
        assert version(again) == summary["version"]
        assert ask(
            again,
            "ASK { <https://example.org/p/durable> a virt:OpenSourceSoftware }",
        )
    listed = kgapi("history", "--data-dir", str(data_dir))
    assert listed.splitlines()[0].split("\t")[2] == "write-bot"
    exported = kgapi("user-graphs", "--data-dir", str(data_dir), "--graph", GRAPH)
    assert "<https://example.org/p/durable>" in exported


def test_writes_are_off_unless_turned_on(live_server: LiveServer) -> None:
    status, _, body = live_server.request(
        "POST",
        "/update",
        body=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert status == 403, body
    status, _, body = live_server.request(
        "POST",
        "/sparql",
        body=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert status == 403 and b"setting writes" in body


def test_a_version_reverted_is_a_new_version_and_the_past_stays_readable(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    status, _, added = update(server, product("fleeting"), tokens["write"])
    assert status == 200, added
    auth = {"Authorization": f"Bearer {tokens['write']}"}
    status, _, body = server.request(
        "POST", f"/api/history/{added['id']}/revert?message=mistake", headers=auth
    )
    reverted = json.loads(body)
    assert status == 200 and reverted["removed"] == 12 and reverted["id"] == added["id"] + 1
    assert not ask(server, "ASK { <https://example.org/p/fleeting> ?p ?o }")
    status, _, body = server.request("GET", "/api/history?limit=1")
    newest = json.loads(body)["versions"][0]
    assert newest["reverts"] == added["id"] and newest["message"] == "mistake"
    # The graph as of the version reverted still holds the product.
    status, headers, trig = server.request(
        "GET", f"/api/history/{added['id']}/graph", headers={"Accept": "application/trig"}
    )
    assert status == 200 and headers["content-type"].startswith("application/trig")
    assert b"<https://example.org/p/fleeting>" in trig
    status, _, turtle = server.request(
        "GET",
        f"/api/history/{reverted['id']}/graph?graph={quote(GRAPH, safe='')}",
        headers={"Accept": "text/turtle"},
    )
    assert status == 200 and b"fleeting" not in turtle
    # A graph no version made is not there (it was an empty 200).
    status, headers, _ = server.request("GET", f"/api/history/{added['id']}/graph?graph=urn:never")
    assert status == 404 and headers["content-type"] == "application/problem+json"
    assert server.request("GET", "/api/history/99999")[0] == 404
    assert server.request("POST", "/api/history/99999/revert", headers=auth)[0] == 404


def test_backup_and_restore_while_serving(
    server: LiveServer, data_dir: Path, tokens: dict[str, str], tmp_path: Path
) -> None:
    status, _, kept = update(server, product("kept"), tokens["write"])
    assert status == 200, kept
    archive = tmp_path / "backup.tar.gz"
    kgapi("backup", "--data-dir", str(data_dir), str(archive))
    status, _, later = update(server, product("later"), tokens["write"])
    assert status == 200, later
    # Restored over a log with versions: a new version makes the user graphs what they were.
    kgapi("restore", "--data-dir", str(data_dir), str(archive))
    assert ask(server, "ASK { <https://example.org/p/kept> a virt:SoftwareProduct }")
    assert not ask(server, "ASK { <https://example.org/p/later> ?p ?o }")
    _, _, body = server.request("GET", "/api/history?limit=1")
    assert json.loads(body)["versions"][0]["author"] == "cli"
    # Restored into an empty data directory: the log comes back whole, history and all.
    fresh = tmp_path / "fresh"
    kgapi("restore", "--data-dir", str(fresh), str(archive))
    history = kgapi("history", "--data-dir", str(fresh), "--limit", "1000").splitlines()
    assert int(history[0].split("\t")[0]) == kept["id"]
    assert (fresh / "tokens.json").is_file()


def test_the_service_description_and_cors_say_writes_are_on(server: LiveServer) -> None:
    from rdflib import Graph as RdfGraph
    from rdflib import URIRef

    status, _, body = server.request("GET", "/sparql", headers={"Accept": "text/turtle"})
    assert status == 200
    description = RdfGraph().parse(data=body.decode(), format="turtle")
    update = URIRef("http://www.w3.org/ns/sparql-service-description#SPARQL11Update")
    language = URIRef("http://www.w3.org/ns/sparql-service-description#supportedLanguage")
    assert (URIRef(f"{server.url}/sparql"), language, update) in description
    assert (URIRef(f"{server.url}/update"), language, update) in description
    status, headers, _ = server.request(
        "OPTIONS",
        "/store?default",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert status == 204 and "PUT" in headers["access-control-allow-methods"]
    assert "authorization" in headers["access-control-allow-headers"]


def test_a_check_says_what_a_write_would_do_and_changes_nothing(server: LiveServer) -> None:
    before = version(server)
    text = product("checked").encode()
    status, _, body = server.request(
        "POST", "/api/check", body=text, headers={"Content-Type": "application/sparql-update"}
    )
    report = json.loads(body)
    assert status == 200 and report["valid"] is True and report["added"] == 12
    assert (
        f"{'https://w3id.org/kgapi/ontology/'}OpenSourceSoftware"
        in report["new_inferred_types"]["https://example.org/p/checked"]
    )
    half = (
        b"<https://example.org/p/half> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
        b" <https://w3id.org/kgapi/ontology/SoftwareProduct> ."
    )
    status, _, body = server.request(
        "POST",
        "/api/check?graph=" + quote(GRAPH, safe=""),
        body=half,
        headers={"Content-Type": "application/n-triples"},
    )
    report = json.loads(body)
    assert status == 200, report
    assert report["valid"] is False and report["problems"]
    assert version(server) == before
    assert not ask(server, "ASK { <https://example.org/p/checked> ?p ?o }")


def test_a_graph_with_rdf_1_2_terms_is_refused_and_the_writer_keeps_no_trace_of_it(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    """A triple term in a PUT body was a 500 that left its quad in the app process that takes
    the writes, so that the same statement sent again was "200, nothing changed"."""
    before = version(server)
    statement = b"<urn:rdf12:s> <urn:rdf12:p> <<( <urn:rdf12:s> <urn:rdf12:p> <urn:rdf12:o> )>> ."
    target = "/store?graph=" + quote("https://example.org/graphs/rdf12", safe="")
    turtle = {"Authorization": f"Bearer {tokens['write']}", "Content-Type": "text/turtle"}
    for _twice in range(2):
        status, headers, body = server.request("PUT", target, body=statement, headers=turtle)
        problem = json.loads(body)
        assert status == 422 and headers["content-type"] == "application/problem+json", body
        assert [item["check"] for item in problem["problems"]] == ["rdf-1.2-term"]
    status, _, body = server.request("POST", "/api/check", body=statement, headers=turtle)
    report = json.loads(body)
    assert status == 200 and report["valid"] is False, report
    assert [item["check"] for item in report["problems"]] == ["rdf-1.2-term"]
    assert version(server) == before
    # The graph takes RDF 1.1 as ever.
    plain = b'<urn:rdf12:s> <urn:rdf12:p> "o" .'
    status, _, body = server.request("PUT", target, body=plain, headers=turtle)
    assert status == 201, body


@pytest.mark.parametrize(
    ("query", "predicate"),
    [
        # relative to the endpoint's URL, as the engine resolves it
        ("SELECT ?o WHERE { <urn:stale:s> <stale-rel> ?o }", "{url}/stale-rel"),
        ("PREFIX p: <urn:stale#> SELECT ?o WHERE { <urn:stale:s> p:x\\-y ?o }", "urn:stale#x-y"),
    ],
    ids=["relative IRI", "escaped local name"],
)
def test_an_answer_is_not_kept_past_a_write_that_changes_what_it_reads(
    server: LiveServer, tokens: dict[str, str], query: str, predicate: str
) -> None:
    """The keys a query reads come from rdflib's parse, which leaves relative IRIs unresolved
    and keeps an escaped local name's backslash: the kept answer was read as depending on
    other properties than the engine matched, and outlived the write that changed it."""
    path = "/sparql?query=" + quote(query)
    accept = {"Accept": "application/sparql-results+json"}

    def values() -> list[str]:
        status, _, body = server.request("GET", path, headers=accept)
        assert status == 200, body
        return [row["o"]["value"] for row in json.loads(body)["results"]["bindings"]]

    assert values() == values() == []  # computed, then kept
    predicate = predicate.format(url=server.url)
    text = f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:stale:s> <{predicate}> "new" }} }}'
    status, _, body = update(server, text, tokens["write"])
    assert status == 200, body
    for _ in range(4):  # every app process, and the front
        assert values() == ["new"]


def test_a_kept_answer_outlives_the_versions_that_change_nothing_it_reads(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    query = "/sparql?query=" + quote("SELECT ?o WHERE { <urn:kept:s> <urn:kept:watched> ?o }")
    accept = {"Accept": "application/sparql-results+json"}

    def computed_by_app_processes(route: str = "/sparql") -> float:
        return computed_by_app(server, route, "GET")

    def write(predicate: str, value: int) -> int:
        body = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:kept:s> <{predicate}> {value} }} }}"
        status, _, summary = update(server, body, tokens["write"])
        assert status == 200, summary
        return int(summary["id"])

    stored = "/api/queries/classification-schemes"
    status, _, first = server.request("GET", query, headers=accept)
    assert status == 200 and json.loads(first)["results"]["bindings"] == []
    status, _, stored_first = server.request("GET", stored, headers=accept)
    assert status == 200
    computed = computed_by_app_processes()
    computed_stored = computed_by_app_processes("/api/queries/<name>")
    # A version that changes another predicate: the front answers as before, on the new version
    # (a stored query as well as a query sent whole).
    newer = write("urn:kept:unwatched", 1)
    status, headers, again = server.request("GET", query, headers=accept)
    assert status == 200 and again == first and int(headers["kgapi-version"]) == newer
    assert "kgapi-reads" not in headers  # the app's note to the front stays inside
    assert computed_by_app_processes() == computed
    status, headers, stored_again = server.request("GET", stored, headers=accept)
    assert status == 200 and stored_again == stored_first and "kgapi-reads" not in headers
    assert computed_by_app_processes("/api/queries/<name>") == computed_stored
    # A version that changes what the query reads: computed afresh.
    write("urn:kept:watched", 2)
    status, headers, changed = server.request("GET", query, headers=accept)
    rows = json.loads(changed)["results"]["bindings"]
    assert status == 200 and [row["o"]["value"] for row in rows] == ["2"]
    assert computed_by_app_processes() == computed + 1
