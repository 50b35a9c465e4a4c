"""SPARQL SERVICE with `--allow-service` on: federated queries answered, and a remote endpoint
that cannot be reached or answers badly is the client's 502, never a 500. The remote endpoints
are on 127.0.0.1: the server itself, a closed port, and a listener that answers HTML."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from livesupport import LiveServer, started_server
from serving import free_port

from kgapi.settings import Settings


class _AnswersHtml(http.server.BaseHTTPRequestHandler):
    """A 'SPARQL endpoint' that answers every request with a web page."""

    def _page(self) -> None:
        body = b"<html><body>not a SPARQL endpoint</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _page

    def log_message(self, *_arguments: object) -> None:
        pass


@pytest.fixture(scope="module")
def html_endpoint() -> Iterator[str]:
    listener = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AnswersHtml)
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{listener.server_address[1]}/sparql"
    listener.shutdown()


@pytest.fixture(scope="module")
def federating(
    serves_live: None, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    with started_server(
        cache_dir=settings.cache_dir,
        log_dir=tmp_path_factory.mktemp("federating"),
        query_timeout=30,
        arguments=["--allow-service"],
    ) as running:
        yield running


def _ask(server: LiveServer, query: str) -> tuple[int, str, str]:
    status, headers, body = server.request(
        "GET",
        f"/sparql?{urlencode({'query': query})}",
        headers={"Host": f"{server.host}:{server.port}", "Accept": "text/csv"},
    )
    return status, headers["content-type"], body.decode()


def test_a_service_on_a_reachable_endpoint_is_answered(federating: LiveServer) -> None:
    kvm = "<https://w3id.org/kgapi/resource/kvm>"
    label = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
    query = (
        f"SELECT ?label WHERE {{ SERVICE <{federating.sparql}> {{"
        f' {kvm} {label} ?label FILTER(lang(?label) = "en") }} }}'
    )
    status, _type, body = _ask(federating, query)
    assert status == 200 and body.split() == ["label", "KVM"]


def test_a_service_that_cannot_be_reached_or_answers_badly_is_502(
    federating: LiveServer, html_endpoint: str
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/sparql"
    for endpoint in (closed, html_endpoint):
        status, content_type, body = _ask(
            federating, f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
        )
        assert status == 502 and content_type.startswith("text/plain"), body
        assert endpoint in body or "refused" in body.lower()
    # SILENT: the failure is ignored, as SPARQL 1.1 Federated Query §4 says.
    status, _type, body = _ask(
        federating, f"SELECT (1 AS ?one) WHERE {{ SERVICE SILENT <{closed}> {{ ?s ?p ?o }} }}"
    )
    assert status == 200 and body.split() == ["one", "1"]


def test_exports_make_no_outbound_call_even_with_service_allowed(federating: LiveServer) -> None:
    closed = f"http://127.0.0.1:{free_port()}/sparql"
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{closed}> {{ ?s ?p ?o }} }}"
    status, headers, body = federating.request(
        "GET",
        f"/export?{urlencode({'scope': 'construct', 'format': 'turtle', 'query': query})}",
        headers={"Host": f"{federating.host}:{federating.port}"},
    )
    assert status == 400 and headers["content-type"] == "application/problem+json", body
    assert b"SERVICE is not allowed in export queries" in body
