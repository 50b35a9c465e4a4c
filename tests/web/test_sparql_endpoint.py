"""The SPARQL endpoint and its neighbours, driven over HTTP against the live server."""

from __future__ import annotations

import gzip
import json
import os
import re
import select
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
from livesupport import MAX_REQUEST_BYTES, MAX_RESULT_ROWS, QUERY_TIMEOUT_SECONDS, LiveServer
from prometheus_client.parser import text_string_to_metric_families
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

SD = "http://www.w3.org/ns/sparql-service-description#"
VIRT = "https://w3id.org/kgapi/ontology/"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# rdflib's own parsers (JSON-LD, N-Quads, TriG) warn about rdflib's internals, not our output.
RDFLIB_JSONLD_WARNING = "ignore:ConjunctiveGraph is deprecated:DeprecationWarning"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def get(server: LiveServer, query: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    return server.request("GET", "/sparql?" + urlencode({"query": query}), headers=headers)


def count(body: bytes) -> int:
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_default_graph_is_asserted_plus_inferred(live_server: LiveServer) -> None:
    _, _, with_inference = get(live_server, COUNT_ALL)
    status, _, asserted_only = live_server.request(
        "GET", "/sparql?" + urlencode({"query": COUNT_ALL, "inference": "false"})
    )
    _, _, health = live_server.request("GET", "/healthz")
    numbers = json.loads(health)
    assert status == 200
    assert count(asserted_only) == numbers["asserted_triples"] > 0
    assert count(with_inference) == numbers["asserted_triples"] + numbers["inferred_triples"]


def test_named_graphs_include_asserted_inferred_and_files(live_server: LiveServer) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    status, _, body = get(live_server, query)
    graphs = {row["g"]["value"] for row in json.loads(body)["results"]["bindings"]}
    assert status == 200
    base = "https://w3id.org/kgapi/graph/"
    assert {f"{base}asserted", f"{base}inferred", f"{base}core"} <= graphs


def test_healthz_reports_version_counts_and_consistency(live_server: LiveServer) -> None:
    status, headers, body = live_server.request("GET", "/healthz")
    health = json.loads(body)
    assert status == 200 and headers["content-type"] == "application/json"
    assert health["status"] == "ok" and health["version"]
    assert health["asserted_triples"] > 0 and health["inferred_triples"] > 0
    assert health["closure_seconds"] >= 0
    assert health["consistency"]["consistent"] is True


def test_service_description_declares_entailment_and_graphs(live_server: LiveServer) -> None:
    status, headers, body = live_server.request("GET", "/sparql", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    description = Graph().parse(data=body, format="turtle")
    service = URIRef(live_server.sparql)
    regime = URIRef("http://www.w3.org/ns/entailment/OWL-RDF-Based")
    assert (service, URIRef(SD + "defaultEntailmentRegime"), regime) in description
    profile = URIRef("http://www.w3.org/ns/owl-profile/RL")
    assert (service, URIRef(SD + "defaultSupportedEntailmentProfile"), profile) in description
    names = set(description.objects(None, URIRef(SD + "name")))
    assert URIRef("https://w3id.org/kgapi/graph/inferred") in names
    triples = list(description.objects(None, URIRef("http://rdfs.org/ns/void#triples")))
    assert len(triples) == len(names) + 1 and all(int(t) >= 0 for t in triples)


@pytest.mark.filterwarnings(RDFLIB_JSONLD_WARNING)
def test_service_description_is_negotiated(live_server: LiveServer) -> None:
    status, headers, body = live_server.request(
        "GET", "/sparql", headers={"Accept": "application/ld+json"}
    )
    assert status == 200 and headers["content-type"].startswith("application/ld+json")
    assert len(Graph().parse(data=body, format="json-ld")) > 0


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_opening_the_endpoint_is_sent_to_the_editor(live_server: LiveServer) -> None:
    """A person who opens /sparql in a browser gets the query editor (as Oxigraph's server
    serves YASGUI there); a program that asks without a query still gets the description."""
    status, headers, _ = live_server.request("GET", "/sparql", headers={"Accept": BROWSER_ACCEPT})
    assert status == 303 and headers["location"] == "/" and "Accept" in headers["vary"]
    for accept in ("*/*", "text/turtle", "text/html;q=0.1, text/turtle"):
        status, headers, _ = live_server.request("GET", "/sparql", headers={"Accept": accept})
        assert status == 200 and headers["content-type"].startswith("text/turtle"), accept
    status, headers, _ = live_server.request(
        "GET", "/sparql?format=ttl", headers={"Accept": BROWSER_ACCEPT}
    )
    assert status == 200 and headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.9, application/sparql-results+xml;q=0.4", "text/csv"),
        ("text/*;q=0.3, application/sparql-results+xml;q=0.2", "text/csv"),
        ("*/*", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
    ],
)
def test_select_negotiation_honours_q_values(
    live_server: LiveServer, accept: str, expected: str
) -> None:
    status, headers, _ = get(live_server, "SELECT * WHERE { ?s a ?o } LIMIT 2", Accept=accept)
    assert status == 200
    assert headers["content-type"].split(";")[0] == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle", "text/turtle"),
        ("application/n-triples,*/*;q=0.9", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-quads", "application/n-quads"),
        ("application/trig", "application/trig"),
    ],
)
@pytest.mark.filterwarnings(RDFLIB_JSONLD_WARNING)
@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
def test_construct_formats(live_server: LiveServer, accept: str, expected: str) -> None:
    query = "CONSTRUCT WHERE { ?s a ?o } LIMIT 5"
    status, headers, body = get(live_server, query, Accept=accept)
    assert status == 200 and headers["content-type"].split(";")[0] == expected
    if expected in ("application/n-quads", "application/trig"):
        dataset = Dataset().parse(data=body, format=expected)
        assert len(list(dataset.quads())) == 5
    else:
        assert len(Graph().parse(data=body, format=expected)) == 5


def test_format_parameter_overrides_accept(live_server: LiveServer) -> None:
    path = "/sparql?" + urlencode({"query": "ASK {}", "format": "xml"})
    status, headers, _ = live_server.request("GET", path, headers={"Accept": "text/csv"})
    assert status == 200 and headers["content-type"].startswith("application/sparql-results+xml")


def test_406_lists_the_offered_types(live_server: LiveServer) -> None:
    status, headers, body = get(live_server, "SELECT * {} ", Accept="image/png")
    assert status == 406 and headers["content-type"].startswith("text/plain")
    for offered in ("application/sparql-results+json", "text/csv", "text/tab-separated-values"):
        assert offered.encode() in body


def test_an_answer_its_format_cannot_hold_is_406_and_the_others_still_serve(
    live_server: LiveServer,
) -> None:
    """JSON-LD has no triple terms (RDF 1.2): a CONSTRUCT that makes one, asked for in JSON-LD,
    is the client's choice of format, not a server error."""
    query = "CONSTRUCT { ?s <urn:kgapi-test:says> <<( ?s ?p ?o )>> } WHERE { ?s ?p ?o } LIMIT 1"
    status, headers, body = get(live_server, query, Accept="application/ld+json")
    assert status == 406 and headers["content-type"].startswith("text/plain"), body
    assert b"JSON-LD" in body and b"text/turtle" in body
    for media_type in ("text/turtle", "application/n-triples", "application/rdf+xml"):
        status, headers, body = get(live_server, query, Accept=media_type)
        assert status == 200 and headers["content-type"].startswith(media_type), body
        assert b"says" in body  # RDF/XML splits the IRI into a namespace and a name


def test_400_quotes_the_parse_error_position(live_server: LiveServer) -> None:
    status, headers, body = get(live_server, "SELECT * WHERE { ?s ?p }")
    assert status == 400 and headers["content-type"].startswith("text/plain")
    assert b"error at 1:25" in body  # line 1, column 25: after `?p`, where an object belongs


def test_415_for_an_unknown_body_type(live_server: LiveServer) -> None:
    status, _, body = live_server.request(
        "POST", "/sparql", body=b"ASK {}", headers={"Content-Type": "application/json"}
    )
    assert status == 415 and b"application/sparql-query" in body


def test_update_is_refused_on_the_query_operation(live_server: LiveServer) -> None:
    status, _, body = live_server.request(
        "POST",
        "/sparql",
        body=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert status == 403 and b"Update" in body


def test_yasgui_shaped_requests(live_server: LiveServer) -> None:
    headers = {
        "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
        "Accept": "application/sparql-results+json,*/*;q=0.9",
        "Origin": "https://yasgui.example",
    }
    body = urlencode({"query": f"SELECT ?c WHERE {{ ?c a <{VIRT}Hypervisor> }} LIMIT 3"})
    status, answer_headers, answer = live_server.request(
        "POST", "/sparql", body=body.encode(), headers=headers
    )
    assert status == 200
    assert answer_headers["content-type"].startswith("application/sparql-results+json")
    assert answer_headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in answer_headers
    assert json.loads(answer)["head"]["vars"] == ["c"]
    headers["Accept"] = "application/n-triples,*/*;q=0.9"
    body = urlencode({"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 3"})
    status, answer_headers, _ = live_server.request(
        "POST", "/sparql", body=body.encode(), headers=headers
    )
    assert status == 200
    assert answer_headers["content-type"] == "application/n-triples; charset=utf-8"


def test_cors_preflight(live_server: LiveServer) -> None:
    status, headers, _ = live_server.request(
        "OPTIONS",
        "/sparql",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert status == 204
    assert "POST" in headers["access-control-allow-methods"]
    assert headers["access-control-allow-origin"] == "*"


def test_sparqlwrapper_as_client(live_server: LiveServer) -> None:
    client = SPARQLWrapper(live_server.sparql)
    client.setQuery(f"SELECT ?p WHERE {{ ?p a <{VIRT}Hypervisor> }}")
    client.setReturnFormat(JSON)
    results = client.query().convert()
    assert isinstance(results, dict) and results["results"]["bindings"]
    client.setQuery("CONSTRUCT WHERE { ?s a ?o } LIMIT 4")
    client.setReturnFormat(TURTLE)
    turtle = client.query().convert()
    assert len(Graph().parse(data=turtle, format="turtle")) == 4


def test_rdflib_sparqlstore_as_client(live_server: LiveServer) -> None:
    graph = Graph(store=SPARQLStore(query_endpoint=live_server.sparql, returnFormat="json"))
    rows = list(graph.query(f"SELECT ?p WHERE {{ ?p a <{VIRT}Hypervisor> }}"))
    assert rows and all(isinstance(row[0], URIRef) for row in rows)  # type: ignore[index]
    answer = graph.query("ASK { ?s ?p ?o }")
    assert answer.askAnswer is True
    assert Literal(len(rows)).toPython() == len(rows)


def test_runaway_query_is_stopped_while_others_are_answered(live_server: LiveServer) -> None:
    timeouts_before = _timeouts(live_server)
    outcome: dict[str, tuple[int, dict[str, str], bytes]] = {}
    runaway = threading.Thread(target=lambda: outcome.update(runaway=get(live_server, RUNAWAY)))
    runaway.start()
    # Find the process computing the runaway query: the descendant of the server seen running
    # in nearly every one of 20 looks over 0.4 s (others run only now and then).
    time.sleep(0.3)
    running: dict[int, int] = {}
    for _ in range(20):
        for pid in _descendants(live_server.process.pid):
            if _state(pid) == "R":
                running[pid] = running.get(pid, 0) + 1
        time.sleep(0.02)
    computing = {pid for pid, seen in running.items() if seen >= 16}
    # Answered by the other worker while the runaway query runs.
    status, _, body = get(live_server, "ASK { ?s ?p ?o }")
    runaway.join(timeout=QUERY_TIMEOUT_SECONDS * 20)
    assert status == 200 and b"true" in body
    assert not runaway.is_alive()
    status, headers, message = outcome["runaway"]
    assert status == 503 and headers["content-type"].startswith("text/plain")
    assert b"query_timeout" in message
    # The app process that was computing is gone (killed, and another started in its place).
    # Only it is checked: any other process of the server may be running for other requests.
    assert computing, "no process of the server was seen computing the runaway query"
    deadline = time.monotonic() + 5
    while computing & _descendants(live_server.process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not computing & _descendants(live_server.process.pid)
    # Counted once (the server is shared with other tests, which may have stopped work too).
    assert _timeouts(live_server) == timeouts_before + 1


def test_query_deep_enough_to_overflow_the_engine_is_400(live_server: LiveServer) -> None:
    deep = "SELECT * WHERE { BIND(" + "STR(" * 3000 + "1" + ")" * 3000 + " AS ?x) }"
    status, headers, body = live_server.request(
        "POST", "/sparql", body=deep.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert status == 400 and headers["content-type"].startswith("text/plain")
    assert b"nests too deeply" in body
    status, _, body = get(live_server, "ASK { ?s ?p ?o }")
    assert status == 200 and b"true" in body


def test_head_is_a_get_without_the_body(live_server: LiveServer) -> None:
    path = "/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"})
    accept = {"Accept": "text/csv"}
    status, headers, body = live_server.request("HEAD", path, headers=accept)
    _, got, _ = live_server.request("GET", path, headers=accept)
    assert status == 200 and body == b""
    assert headers["content-type"] == got["content-type"] and headers["etag"] == got["etag"]


def test_service_is_refused_without_any_connection(live_server: LiveServer) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        for query in (
            f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ ?x ?y ?z .SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
        ):
            status, _, body = get(live_server, query)
            assert status == 403 and b"SERVICE" in body
        readable, _, _ = select.select([listener], [], [], 0.5)
        assert readable == [], "the server connected to the SERVICE address"


def test_row_cap(live_server: LiveServer) -> None:
    status, _, body = get(live_server, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 422 and str(MAX_RESULT_ROWS).encode() in body


def test_request_body_cap(live_server: LiveServer) -> None:
    padding = "#" + "x" * MAX_REQUEST_BYTES + "\nASK {}"
    status, _, body = live_server.request(
        "POST",
        "/sparql",
        body=padding.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert status == 413 and b"max_request_bytes" in body


def test_etag_and_304(live_server: LiveServer) -> None:
    status, headers, _ = get(live_server, COUNT_ALL)
    assert status == 200 and headers["etag"] and "max-age" in headers["cache-control"]
    status, again, body = get(live_server, COUNT_ALL, **{"If-None-Match": headers["etag"]})
    assert status == 304 and body == b"" and again["etag"] == headers["etag"]
    status, other, _ = get(live_server, COUNT_ALL, Accept="text/csv")
    assert status == 200 and other["etag"] != headers["etag"]


def test_gzip_when_accepted(live_server: LiveServer) -> None:
    query = "SELECT * WHERE { ?s a ?o } LIMIT 200"
    status, headers, body = get(live_server, query, **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(body))["results"]["bindings"]) == 200
    status, headers, body = get(live_server, query)
    assert "content-encoding" not in headers and json.loads(body)


def test_error_bodies_have_one_shape(live_server: LiveServer) -> None:
    for method, path in (("GET", "/no-such-route"), ("POST", "/healthz")):
        status, headers, body = live_server.request(method, path)
        problem = json.loads(body)
        assert headers["content-type"] == "application/problem+json"
        assert set(problem) == {"type", "title", "status", "detail"}
        assert problem["status"] == status >= 400
    status, headers, body = live_server.request("PUT", "/sparql", body=b"")
    assert status == 405 and headers["content-type"].startswith("text/plain")
    assert "GET" in headers["allow"] and b"Method Not Allowed" in body


def test_metrics_count_requests_by_route_and_status(live_server: LiveServer) -> None:
    get(live_server, "ASK {}")
    status, headers, body = live_server.request("GET", "/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    assert b'kgapi_http_requests_total{method="GET",route="/sparql",status="200"}' in body
    timed = rb'kgapi_http_request_duration_seconds_count\{route="/sparql"\} (\S+)'
    counted = re.search(timed, body)
    assert counted is not None and float(counted.group(1)) >= 1


def test_metrics_name_no_method_http_does_not_define(live_server: LiveServer) -> None:
    """A method is any token to HTTP, and each one a client sent became a series of its own:
    300 made-up methods grew the metrics by 27 KB, in every process and in the files the
    processes share, without end. Methods other than HTTP's are counted as "other"."""
    for number in range(5):
        status, _, _ = live_server.request(f"MADEUP{number}", "/api/search?q=kvm")
        assert status == 405
    _, _, body = live_server.request("GET", "/metrics")
    assert b"MADEUP" not in body
    assert b'kgapi_http_requests_total{method="other",route="(unmatched)",status="405"}' in body


def test_no_5xx_under_concurrent_load(live_server: LiveServer) -> None:
    queries = [f"SELECT ?p WHERE {{ ?p a <{VIRT}Hypervisor> }} # {i}" for i in range(60)] + [
        f"SELECT ?o (COUNT(?s) AS ?n) WHERE {{ ?s a ?o }} GROUP BY ?o # {i}" for i in range(60)
    ]
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda query: get(live_server, query)[0], queries))
    assert statuses.count(200) == len(queries), sorted(set(statuses))


def _descendants(pid: int) -> set[int]:
    """Every process below `pid`, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found: set[int] = set()
    pending = [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.add(child)
            pending.append(child)
    return found


def _timeouts(live_server: LiveServer) -> float:
    """The server's count of work stopped at the time limit, read from /metrics."""
    _, _, metrics = live_server.request("GET", "/metrics")
    for family in text_string_to_metric_families(metrics.decode()):
        if family.name == "kgapi_sparql_query_timeouts":
            return sum(sample.value for sample in family.samples if sample.name.endswith("_total"))
    raise AssertionError("no kgapi_sparql_query_timeouts counter in /metrics")


def _state(pid: int) -> str | None:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


if not os.path.exists("/proc"):  # pragma: no cover - the tests run on Linux
    pytest.skip("needs /proc", allow_module_level=True)
