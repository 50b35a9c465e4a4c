"""Hostile clients against the live server (issue 11's findings), each a regression test."""

from __future__ import annotations

import http.client
import itertools
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from h2.config import H2Configuration
from h2.connection import H2Connection
from livesupport import MAX_REQUEST_BYTES, LiveServer, front_pid, resident_mib


class CountingListener:
    """A loopback TCP listener that counts the connections made to it (and answers none)."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        self._socket.settimeout(0.1)
        self.port: int = self._socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()


@pytest.fixture
def listener() -> Iterator[CountingListener]:
    counting = CountingListener()
    yield counting
    counting.close()


# Terminals that a text-level reading of SPARQL gets wrong: escapes in prefixed names that look
# like comment or string starts, comments and strings that hold braces, codepoint escapes.
SMOKESCREENS = [
    r"?s ex:a\# ?o",
    r"?s ex:a\' ?o",
    r"?s ex:a\'\' ?o",
    r"?s ex:a%23b ?o",
    "?s ?p ?o # a comment that holds a quote ' and a brace }\n",
    "?s ?p '''a long string with # and \" in it'''",
    '?s ?p "a string with an escaped quote \\" and a # mark"',
    "?s ex:p <http://example.org/with#fragment>",
]
SERVICE_FORMS = [
    "SERVICE <{url}> {{ ?x ?y ?z }}",
    "service silent <{url}> {{ ?x ?y ?z }}",
    "SERVICE<{url}>{{?x ?y ?z}}",
    "\\u0053ERVICE <{url}> {{ ?x ?y ?z }}",
    "SeRvIcE ?endpoint {{ ?x ?y ?z }} VALUES ?endpoint {{ <{url}> }}",
]


def _hostile_queries(url: str, form: str = "SELECT *") -> list[str]:
    return [
        f"PREFIX ex: <http://example.org/>\n{form} WHERE {{ {{ {screen} }} UNION "
        f"{{ {service.format(url=url)} }} }}"
        for screen, service in itertools.product(SMOKESCREENS, SERVICE_FORMS)
    ]


def test_the_listener_counts_what_the_engine_would_send(listener: CountingListener) -> None:
    # Proof that the test below can fail: the engine itself, ungated, connects to the listener.
    with pytest.raises(OSError):
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"))
    assert listener.connections >= 1


def test_no_service_form_reaches_the_network_through_sparql(
    live_server: LiveServer, listener: CountingListener
) -> None:
    queries = _hostile_queries(listener.url)
    assert len(queries) == len(SMOKESCREENS) * len(SERVICE_FORMS)
    for query in queries:
        status, _, body = live_server.request("GET", "/sparql?" + urlencode({"query": query}))
        assert status in (400, 403), (query, status, body)
    assert listener.connections == 0


def test_no_service_form_reaches_the_network_through_exports(
    live_server: LiveServer, listener: CountingListener
) -> None:
    for query in _hostile_queries(listener.url, form="CONSTRUCT { ?s ?p ?o }"):
        parameters = {"scope": "construct", "format": "nodelink", "query": query}
        status, headers, body = live_server.request("GET", "/export?" + urlencode(parameters))
        assert status == 400, (query, status, body)
        assert headers["content-type"].startswith("application/problem+json")
    assert listener.connections == 0


# --- finding 7: chunked bodies over the limit ----------------------------------------------------


def _chunked(live_server: LiveServer, path: str, body: bytes, content_type: str) -> tuple[int, str]:
    """POST `body` chunked on a raw socket; the server may answer 413 and close before the body
    is all sent, so sending stops at a broken pipe and the answer is read all the same."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {live_server.host}\r\nContent-Type: {content_type}\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((live_server.host, live_server.port), timeout=60) as client:
        try:
            client.sendall(head)
            for at in range(0, len(body), 65536):
                piece = body[at : at + 65536]
                client.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            client.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = http.client.HTTPResponse(client)
        response.begin()
        return response.status, response.getheader("Content-Type", "")


def test_chunked_query_over_the_limit_is_413_not_cut(live_server: LiveServer) -> None:
    body = b"ASK {}" + b" " * MAX_REQUEST_BYTES + b" GARBAGE }}}"
    status, content_type = _chunked(live_server, "/sparql", body, "application/sparql-query")
    assert status == 413 and content_type.startswith("text/plain")
    # Under the limit, chunked is read whole: the same garbage makes it a syntax error.
    status, _ = _chunked(live_server, "/sparql", b"ASK {} GARBAGE }}}", "application/sparql-query")
    assert status == 400
    status, _ = _chunked(live_server, "/sparql", b"ASK {}", "application/sparql-query")
    assert status == 200


@pytest.mark.parametrize(
    ("path", "error_type"),
    [("/sparql", "text/plain"), ("/api/classify", "application/problem+json")],
)
def test_a_body_declared_past_the_limit_is_413_before_it_is_sent(
    live_server: LiveServer, path: str, error_type: str
) -> None:
    """Its Content-Length already says it is too large: the answer does not wait for the body
    (which waited the 30 s a body may take, then answered 408)."""
    status, content_type, _body = _raw(
        live_server,
        f"POST {path} HTTP/1.1\r\nHost: {live_server.host}\r\nContent-Type: text/turtle\r\n"
        f"Content-Length: {MAX_REQUEST_BYTES * 10}\r\n\r\nASK",
    )
    assert status == 413 and content_type.startswith(error_type)


def test_chunked_classify_over_the_limit_is_413_in_the_api_shape(live_server: LiveServer) -> None:
    turtle = b"".join(
        b"vr:p%d virt:developer vr:p%d .\n" % (number, number + 1) for number in range(4000)
    )
    assert len(turtle) > MAX_REQUEST_BYTES
    status, content_type = _chunked(live_server, "/api/classify", turtle, "text/turtle")
    assert status == 413 and content_type.startswith("application/problem+json")


def _raw(live_server: LiveServer, request: str) -> tuple[int, str, bytes]:
    """`request` sent as written on a connection of its own: the answer's status, Content-Type
    and body."""
    with socket.create_connection((live_server.host, live_server.port), timeout=60) as client:
        client.sendall(request.encode())
        response = http.client.HTTPResponse(client)
        response.begin()
        return response.status, response.getheader("Content-Type", ""), response.read()


def _front_cpu_seconds(live_server: LiveServer) -> float:
    fields = Path(f"/proc/{front_pid(live_server)}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_an_http2_client_that_leaves_mid_body_costs_the_front_nothing(
    live_server: LiveServer,
) -> None:
    """Granian (2.8) read a reset HTTP/2 stream's body as endless empty chunks: each client that
    opened a stream and left burned most of a core for 30 s, and 200 of them hung the server.
    HTTP/2 is off: the connection is refused at its preface and nothing runs."""
    for _ in range(5):
        with socket.create_connection((live_server.host, live_server.port), timeout=10) as client:
            h2 = H2Connection(config=H2Configuration(client_side=True, header_encoding="utf-8"))
            h2.initiate_connection()
            stream = h2.get_next_available_stream_id()
            h2.send_headers(
                stream,
                [
                    (":method", "POST"),
                    (":path", "/sparql"),
                    (":scheme", "http"),
                    (":authority", f"{live_server.host}:{live_server.port}"),
                    ("content-type", "application/sparql-query"),
                ],
            )
            client.sendall(h2.data_to_send())
            time.sleep(0.2)
    before = _front_cpu_seconds(live_server)
    time.sleep(2)
    assert _front_cpu_seconds(live_server) - before < 0.5
    status, _headers, _body = live_server.request("GET", "/healthz", headers={"Host": "kg"})
    assert status == 200


@pytest.mark.parametrize("version", ["HTTP/1.0", "HTTP/1.1"])
def test_http1_requests_without_a_body_are_answered(live_server: LiveServer, version: str) -> None:
    """A GET, and a POST announcing `Content-Length: 0`: no body to wait for."""
    form = "application/x-www-form-urlencoded"
    query = urlencode({"query": "ASK {}"})
    for request_line, extra in (
        (f"GET /sparql?{query}", ""),
        ("POST /sparql", f"Content-Type: {form}\r\nContent-Length: 0\r\n"),
    ):
        status, _type, _body = _raw(
            live_server,
            f"{request_line} {version}\r\nHost: {live_server.host}\r\n{extra}"
            "Connection: close\r\n\r\n",
        )
        # The POST carries no query: refused, the same as one with an empty form.
        assert status == (200 if request_line.startswith("GET") else 400)


@pytest.mark.parametrize(
    "target",
    [
        "/api/entities?id=泛虚拟化",
        "/api/entities/泛虚拟化",
        "/api/search?q=泛虚拟化&lang=zh",
        "/sparql?query=ASK%7B%7D&note=虚拟化",
    ],
)
def test_a_target_with_raw_utf8_is_read_as_its_percent_encoding(
    live_server: LiveServer, target: str
) -> None:
    """curl and many HTTP libraries send a URL's non-ASCII characters as raw UTF-8 (RFC 3986
    wants them percent-encoded); nginx and werkzeug's own server read them as the bytes they
    are. The front handed such a query to werkzeug as text outside latin-1, and every such
    request was Granian's empty 500."""
    request = (
        f"GET {target} HTTP/1.1\r\nHost: {live_server.host}\r\n"
        "Accept: application/json\r\nConnection: close\r\n\r\n"
    )
    status, _type, body = _raw(live_server, request)
    assert status == 200, body
    if target.startswith("/api/entities"):
        assert json.loads(body)["curie"] == "virt:Paravirtualization"


# --- finding 8: malformed input is a 4xx, never a 500 ---------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{"label": ' * 1500 + '"x"' + "}" * 1500, "nests too deeply"),
        ('{"label": "\\ud800"}', "surrogate"),
        ('{"label": "x", "firstRelease": ' + "9" * 5000 + "}", "invalid JSON"),
    ],
    ids=["nested-1500", "lone-surrogate", "5000-digits"],
)
def test_malformed_classify_json_is_400(live_server: LiveServer, body: str, reason: str) -> None:
    status, headers, answer = live_server.request(
        "POST", "/api/classify", body=body.encode(), headers={"Content-Type": "application/json"}
    )
    assert status == 400, answer
    assert headers["content-type"].startswith("application/problem+json")
    assert reason in json.loads(answer)["detail"]


@pytest.mark.parametrize("padding", ["", f"# {'-' * 5_000}\n"])
def test_a_query_calling_a_function_the_engine_lacks_is_400(
    live_server: LiveServer, padding: str
) -> None:
    """Evaluated in the app process, or (past 4,000 characters) in a child of its own."""
    query = f"{padding}SELECT ?x WHERE {{ BIND(<urn:kgapi:no-such-function>(1) AS ?x) }}"
    status, headers, body = live_server.request(
        "POST",
        "/sparql",
        body=query.encode(),
        headers={"Host": live_server.host, "Content-Type": "application/sparql-query"},
    )
    assert status == 400 and headers["content-type"].startswith("text/plain")
    assert b"urn:kgapi:no-such-function" in body


def test_explain_with_a_lone_surrogate_literal_is_400(live_server: LiveServer) -> None:
    query = urlencode({"s": "kvm", "p": "rdfs:label", "o": '"\\ud800"'})
    status, _, answer = live_server.request("GET", "/api/explain?" + query)
    assert status == 400 and json.loads(answer)["parameter"] == "o"


def test_stored_query_in_xml_with_unbound_cells(live_server: LiveServer) -> None:
    status, headers, answer = live_server.request("GET", "/api/queries/contested-claims?format=xml")
    assert status == 200 and headers["content-type"].startswith("application/sparql-results+xml")
    assert b"<sparql" in answer


# --- an answer kept for one Host is never given to another --------------------------------------


def _as_host(live_server: LiveServer, host: str, path: str, accept: str) -> tuple[int, str]:
    status, _headers, body = live_server.request(
        "GET", path, headers={"Host": host, "Accept": accept}
    )
    return status, body.decode()


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        # a relative IRI resolves against the URL the query was sent to
        (f"/sparql?{urlencode({'query': 'SELECT ?b WHERE { BIND(<kept> AS ?b) }'})}", "text/csv"),
        ("/sparql", "text/turtle"),  # the service description names the endpoint's URL
        ("/export?scope=products&format=jsonld", "application/ld+json"),  # its @context's URL
    ],
)
def test_an_answer_made_for_one_host_is_not_kept_for_another(
    live_server: LiveServer, path: str, accept: str
) -> None:
    """Answers hold absolute URLs made from the Host the client named. The front keeps answers
    to repeated GETs: one kept under another Host (a client can name any) would poison every
    later client's answer with its URLs."""
    status, poisoned = _as_host(live_server, "attacker.example", path, accept)
    assert status == 200 and "http://attacker.example/" in poisoned
    for _ in range(2):  # the second from what the front keeps
        status, answer = _as_host(live_server, "kg.example:8080", path, accept)
        assert status == 200 and "attacker" not in answer
        assert "http://kg.example:8080/" in answer


def test_the_front_keeps_answers_within_its_memory_bound(live_server: LiveServer) -> None:
    """A client naming a new Host each time makes each answer a new one to keep: 24 whole-graph
    exports of some 10 MiB grew the front's I/O process by 266 MiB, without end. Now what a
    process keeps is bounded in bytes too (result_cache_mb, 64 MiB by default)."""
    front = front_pid(live_server)
    before = resident_mib(front)
    for number in range(16):
        status, _headers, body = live_server.request(
            "GET", "/export?format=nodelink", headers={"Host": f"h{number}.example"}
        )
        assert status == 200 and len(body) > 8 << 20
    assert resident_mib(front) - before < 120  # unbounded, 16 kept: some 170 MiB


def test_clients_that_never_read_a_large_answer_cost_the_front_no_copy_each(
    live_server: LiveServer,
) -> None:
    """Granian copied each answer the front handed it and held the copy until the client had
    read it all: 200 connections asking for a 12 MB export and never reading grew the front by
    2.3 GiB, for as long as they stayed (Granian has no send timeout), and a few hundred more
    would have met the OOM killer. Large answers now go out from a file, which Granian reads
    as the socket drains."""
    path = "/export?format=nodelink"
    status, _headers, whole = live_server.request("GET", path)  # computed once, then kept
    assert status == 200 and len(whole) > 8 << 20
    front = front_pid(live_server)
    before = resident_mib(front)
    readers = []
    try:
        for _ in range(24):
            reader = socket.socket()
            reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            reader.connect((live_server.host, live_server.port))
            reader.sendall(f"GET {path} HTTP/1.1\r\nHost: kgapi\r\n\r\n".encode())
            readers.append(reader)
        grown = 0
        for _ in range(12):  # the front answers each from memory within milliseconds
            time.sleep(0.25)
            grown = max(grown, resident_mib(front) - before)
        # Each answer is still whole, in order, to a client that reads at last.
        readers[0].settimeout(60)
        response = http.client.HTTPResponse(readers[0])
        response.begin()
        assert response.status == 200 and response.read() == whole
    finally:
        for reader in readers:
            reader.close()
    assert grown < 64, f"the front grew by {grown} MiB"  # a copy each: some 250 MiB


# --- the Host header, as RFC 9112 §3.2 asks a server to read it ---------------------------------


HOST_PATHS = [
    (f"/sparql?{urlencode({'query': 'ASK {}'})}", "text/plain"),
    ("/api/entities/kvm", "application/problem+json"),
]


@pytest.mark.parametrize(("path", "error_type"), HOST_PATHS)
@pytest.mark.parametrize(
    "host_lines",
    [
        "",  # HTTP/1.1 without Host
        "Host: \r\n",
        "Host: kg.example\r\nHost: attacker.example\r\n",
        "Host: attacker.example/evil\r\n",
        "Host: user@kg.example\r\n",
        "Host: kg.example:99999\r\n",
        "Host: kg example\r\n",
        "Host: <script>\r\n",
    ],
)
def test_a_missing_repeated_or_malformed_host_is_400(
    live_server: LiveServer, path: str, error_type: str, host_lines: str
) -> None:
    """A server MUST answer 400 to an HTTP/1.1 request with no Host, more than one, or one that
    is no host and port: the answer's URLs (a query's base IRI) are made from it."""
    request = f"GET {path} HTTP/1.1\r\n{host_lines}Connection: close\r\n\r\n"
    status, content_type, _body = _raw(live_server, request)
    assert status == 400 and content_type.startswith(error_type)


@pytest.mark.parametrize(("path", "_error_type"), HOST_PATHS)
@pytest.mark.parametrize(
    ("version", "host_lines"),
    [
        ("HTTP/1.0", ""),  # HTTP/1.0 needs no Host
        ("HTTP/1.1", "Host: kg.example:8080\r\n"),
        ("HTTP/1.1", "Host: [::1]:8080\r\n"),
        ("HTTP/1.1", "Host: 127.0.0.1\r\n"),
        ("HTTP/1.1", "Host: KG.Example.\r\n"),
    ],
)
def test_a_host_that_names_a_host_is_served(
    live_server: LiveServer, path: str, _error_type: str, version: str, host_lines: str
) -> None:
    request = f"GET {path} {version}\r\n{host_lines}Connection: close\r\n\r\n"
    assert _raw(live_server, request)[0] == 200


RESOLVE_THING = f"/sparql?{urlencode({'query': 'SELECT ?b WHERE { BIND(<thing> AS ?b) }'})}"


def test_the_authority_of_an_absolute_target_is_the_host(live_server: LiveServer) -> None:
    """An absolute-form target's authority overrides Host (RFC 9112 §3.2.2) and gives the
    base IRI."""
    _status, _type, body = _raw(
        live_server,
        f"GET http://kg.example:8080{RESOLVE_THING} HTTP/1.1\r\nHost: other.example\r\n"
        "Accept: text/csv\r\nConnection: close\r\n\r\n",
    )
    assert body.decode().split() == ["b", "http://kg.example:8080/thing"]


# --- finding 9: headers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/healthz",
        "/sparql?query=ASK%7B%7D",
        "/api/search?q=kvm",
        "/api/entities/nosuchthing",
        "/export?scope=taxonomy&format=svg",
        "/",
        "/metrics",
    ],
)
def test_every_response_says_nosniff(live_server: LiveServer, path: str) -> None:
    _, headers, _ = live_server.request("GET", path)
    assert headers["x-content-type-options"] == "nosniff"


def test_svg_export_carries_a_policy_that_runs_no_script(live_server: LiveServer) -> None:
    status, headers, _ = live_server.request("GET", "/export?scope=taxonomy&format=svg")
    if status == 501:
        pytest.skip("Graphviz (dot) is not installed")
    assert status == 200
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert headers["content-disposition"].startswith("inline")


# --- finding 10: the documented contract, against the server as it runs ----------------------


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_fuzzing_the_live_server_finds_no_break_of_the_contract(
    live_server: LiveServer, mode: str
) -> None:
    import schemathesis
    from fuzzing import CONFIG, CONTRACT_CHECKS, fuzz, operations, takes_input
    from schemathesis import checks

    schema = schemathesis.openapi.from_url(f"{live_server.url}/openapi.json", config=CONFIG)
    found = operations(schema)
    assert len(found) >= 30
    extra = [checks.negative_data_rejection] if mode == "negative" else []
    for operation in found:
        if mode == "negative" and not takes_input(operation):
            continue
        fuzz(
            operation,
            mode=mode,
            checks_here=[*CONTRACT_CHECKS, *extra],
            examples=5,
            base_url=live_server.url,
        )
