"""Request bodies sent with a content coding (`Content-Encoding: gzip`, RFC 9110 §8.4).

A client may compress what it sends (a long update, a large Turtle document). The server undoes
gzip and deflate before anything reads the body, and never past `max_request_bytes` once
decoded: a small compressed body that inflates past the limit is 413, as the same body sent
plain would be. A coding it cannot undo is 415 with `Accept-Encoding` naming those it can, and a
corrupt or cut body is 400 — each in the route's error shape. Before, a compressed query was
read as text and answered "not UTF-8", and a compressed update could be taken for a read.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from conftest import WritableServer
from flask.testing import FlaskClient
from livesupport import MAX_REQUEST_BYTES, LiveServer

from kgapi.settings import Settings

QUERY = b"SELECT (COUNT(*) AS ?n) WHERE { VALUES ?x { 1 2 3 } }"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


def raw_deflate(data: bytes) -> bytes:
    """Deflate without the zlib wrapper, which some clients send as `deflate`."""
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


CODINGS: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "gzip": ("gzip", gzip.compress),
    "x-gzip": ("x-gzip", gzip.compress),
    "deflate": ("deflate", zlib.compress),
    "raw-deflate": ("deflate", raw_deflate),
    "two-gzip-members": ("gzip", lambda data: gzip.compress(data[:10]) + gzip.compress(data[10:])),
    "gzip-then-deflate": ("gzip, deflate", lambda data: zlib.compress(gzip.compress(data))),
    "four-codings": (", ".join(["gzip"] * 4), lambda data: layered(data, 4)),
    "identity": ("identity", lambda data: data),
}


def count_of(body: bytes) -> int:
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("coding", CODINGS, ids=list(CODINGS))
def test_a_compressed_query_is_answered_as_the_plain_one(
    live_server: LiveServer, coding: str
) -> None:
    header, encode = CODINGS[coding]
    headers = {
        "Content-Type": "application/sparql-query",
        "Content-Encoding": header,
        **JSON_RESULTS,
    }
    status, _, body = live_server.request("POST", "/sparql", body=encode(QUERY), headers=headers)
    assert status == 200, body
    assert count_of(body) == 3


def test_a_compressed_form_and_turtle_body_are_read_decoded(live_server: LiveServer) -> None:
    form = urlencode({"query": QUERY.decode()}).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Encoding": "gzip",
        **JSON_RESULTS,
    }
    status, _, body = live_server.request(
        "POST", "/sparql", body=gzip.compress(form), headers=headers
    )
    assert status == 200 and count_of(body) == 3
    turtle = (
        b"@prefix virt: <https://w3id.org/kgapi/ontology/> .\n<urn:x> a virt:HostedModelVMM .\n"
    )
    headers = {"Content-Type": "text/turtle", "Content-Encoding": "gzip"}
    status, _, body = live_server.request(
        "POST", "/api/classify", body=gzip.compress(turtle), headers=headers
    )
    assert status == 200, body
    assert b"Type2Hypervisor" in body


def test_a_compressed_update_is_taken_as_a_write(writable_server: WritableServer) -> None:
    """The front routes writes by the body it reads (an `update` form field): it must read the
    decoded one, or a compressed update would be run as a read."""
    live = writable_server.server
    update = "INSERT DATA { GRAPH <http://example.org/coded> { <urn:coded> <urn:p> 1 } }"
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Encoding": "gzip",
        **writable_server.authorization,
    }
    body = gzip.compress(urlencode({"update": update}).encode())
    status, _, answer = live.request("POST", "/sparql", body=body, headers=headers)
    assert status in (200, 204), answer
    ask = urlencode({"query": "ASK { GRAPH <http://example.org/coded> { <urn:coded> ?p 1 } }"})
    status, _, answer = live.request("GET", "/sparql?" + ask, headers=JSON_RESULTS)
    assert status == 200 and json.loads(answer)["boolean"] is True


# What cannot be decoded, on a plain-text route and on a problem+json one.
ROUTES = [
    ("/sparql", "application/sparql-query", "text/plain"),
    ("/api/classify", "text/turtle", "application/problem+json"),
]
BOMB = gzip.compress(b" " * (MAX_REQUEST_BYTES * 4))  # a few KiB that inflate past the limit


def layered(data: bytes, layers: int) -> bytes:
    for _ in range(layers):
        data = gzip.compress(data)
    return data


# Each member of a gzip body, and each coding, costs the decoder a pass over what follows it:
# 50,000 empty members in a megabyte made it copy 25 GB in the front, outside any time limit.
REFUSALS = {
    "brotli": ("br", b"\x0b\x02\x80ASK {}\x03", 415),
    "unknown-after-gzip": ("gzip, compress", gzip.compress(b"ASK {}"), 415),
    "bomb": ("gzip", BOMB, 413),
    "corrupt": ("gzip", b"\x1f\x8b\x08\x00garbage", 400),
    "cut-short": ("gzip", gzip.compress(QUERY)[:-12], 400),
    "not-deflate": ("deflate", b"ASK {} is not compressed", 400),
    "500-members": ("gzip", gzip.compress(b"") * 499 + gzip.compress(b"ASK {}"), 400),
    "five-codings": (", ".join(["gzip"] * 5), layered(b"ASK {}", 5), 400),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
@pytest.mark.parametrize(("path", "content_type", "shape"), ROUTES, ids=["sparql", "api"])
def test_a_body_that_cannot_be_decoded_is_a_4xx_in_the_routes_shape(
    live_server: LiveServer, case: str, path: str, content_type: str, shape: str
) -> None:
    coding, body, expected = REFUSALS[case]
    assert len(body) < MAX_REQUEST_BYTES
    headers = {"Content-Type": content_type, "Content-Encoding": coding}
    status, answer_headers, answer = live_server.request("POST", path, body=body, headers=headers)
    assert status == expected, answer
    assert answer_headers["content-type"].startswith(shape)
    if expected == 415:
        assert answer_headers["accept-encoding"] == "gzip, deflate"
    if expected == 413:
        assert b"max_request_bytes" in answer


def test_the_app_alone_decodes_the_same(settings: Settings, client: FlaskClient) -> None:
    """Served without the front (any WSGI server, the test client), the app decodes bodies
    itself, with the same limit and the same refusals."""
    limit = settings.max_request_bytes
    headers = {"Content-Encoding": "gzip", **JSON_RESULTS}
    answer = client.post(
        "/sparql",
        data=gzip.compress(QUERY),
        content_type="application/sparql-query",
        headers=headers,
    )
    assert answer.status_code == 200 and count_of(answer.data) == 3
    bomb = gzip.compress(b" " * (limit + 1))
    answer = client.post(
        "/api/classify", data=bomb, content_type="text/turtle", headers={"Content-Encoding": "gzip"}
    )
    assert answer.status_code == 413 and answer.mimetype == "application/problem+json"
    answer = client.post(
        "/sparql",
        data=b"ASK {}",
        content_type="application/sparql-query",
        headers={"Content-Encoding": "br"},
    )
    assert answer.status_code == 415 and answer.mimetype == "text/plain"
    assert answer.headers["Accept-Encoding"] == "gzip, deflate"
    # And a plain body past the limit, refused by its length before anything reads it.
    for path, shape in (("/sparql", "text/plain"), ("/api/classify", "application/problem+json")):
        answer = client.post(path, data=b" " * (limit + 1), content_type="text/turtle")
        assert answer.status_code == 413 and answer.mimetype == shape
        assert b"max_request_bytes" in answer.data


# A body's text is UTF-8, as SPARQL, Turtle, N-Triples and JSON define it; pyoxigraph reads no
# other (its RDF/XML parser included). A body that declares another charset is refused on every
# route alike, 415 before anything reads it — the Graph Store said 400 "invalid UTF-8" instead,
# classify did not look — and one that declares UTF-8 or ASCII (a subset) is read.
CHARSET_ROUTES = [
    ("POST", "/sparql", "application/sparql-query", b"ASK {}", "text/plain"),
    ("POST", "/api/classify", "text/turtle", b"<urn:x> a <urn:y> .", "application/problem+json"),
    ("POST", "/api/identify", "application/json", b'{"files": {}}', "application/problem+json"),
]


@pytest.mark.parametrize(("method", "path", "media_type", "body", "shape"), CHARSET_ROUTES)
def test_a_body_in_another_charset_is_415_on_every_route(
    client: FlaskClient, method: str, path: str, media_type: str, body: bytes, shape: str
) -> None:
    for charset in ("iso-8859-1", "UTF-16", "x-unknown"):
        answer = client.open(
            path, method=method, data=body, content_type=f"{media_type}; charset={charset}"
        )
        assert answer.status_code == 415 and answer.mimetype == shape, (charset, answer.data)
        assert b"UTF-8" in answer.data
    for charset in ("utf-8", "UTF8", '"utf-8"', "us-ascii"):
        answer = client.open(
            path, method=method, data=body, content_type=f"{media_type}; charset={charset}"
        )
        assert answer.status_code != 415, (charset, answer.data)


def test_the_graph_store_refuses_another_charset_as_415(
    writable_server: WritableServer,
) -> None:
    live = writable_server.server
    headers = {
        "Content-Type": "text/turtle; charset=iso-8859-1",
        **writable_server.authorization,
    }
    body = '<urn:a> <urn:p> "café" .'.encode("latin-1")
    status, answer_headers, answer = live.request(
        "PUT", "/store?graph=http://example.org/latin", body=body, headers=headers
    )
    assert status == 415 and answer_headers["content-type"].startswith("application/problem+json")
    assert b"UTF-8" in answer
