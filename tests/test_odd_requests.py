"""Odd but harmless requests to every route: Accept headers nothing satisfies or no parser reads,
and numbers written in ways Python's own readers mishandle. Each gets a 2xx or a 4xx in its
route's error shape — never a 500. (Found by probing: `/ontology` with `Accept: image/png` and
`/api/search?limit=²` were 500s.)"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

# Filled in for a route's variables: a name every route of that shape knows.
VARIABLES = {
    "id": "kvm",
    "slug": "kvm",
    "name": "asserted",
    "version": "0.1.0",
    "path": "asserted",
}
PATHS_BY_RULE = {
    "/ontology/<path:name>": "/ontology/Hypervisor",
    "/api/queries/<name>": "/api/queries/products-based-on",
}
VARIABLE = re.compile(r"<(?:\w+:)?(\w+)>")  # `<path:id>` or `<name>` in a rule
SKIPPED = ("/assets/", "/docs/assets/", "/api/history/")  # files, and writes (off here)
ODD_ACCEPTS = [
    "image/png",
    "*/*;q=0",
    "text/turtle;q=abc",
    "a/b/c",
    ",,;;",
    "application/json;q=nan, text/html;q=inf",
    "text/*;q=0.5;q=0.7",
]
ODD_NUMBERS = ["\u00b2", "\u0663", "\uff11", "1_0", "-1", "99999999999999999999", "nan", "1e3", ""]


def get_routes(app: Flask) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(SKIPPED):
            continue
        path = PATHS_BY_RULE.get(rule.rule, rule.rule)
        paths.append(VARIABLE.sub(lambda found: VARIABLES[found.group(1)], path))
    return sorted(paths)


def assert_answered(client: FlaskClient, path: str, **headers: str) -> None:
    response = client.get(path, headers=headers)
    assert response.status_code < 500, (path, headers, response.get_data(as_text=True)[:300])
    if response.status_code >= 400:
        assert response.mimetype in ("application/problem+json", "text/plain", "text/html"), (
            path,
            response.mimetype,
        )


def test_every_route_is_covered(app: Flask) -> None:
    paths = get_routes(app)
    assert len(paths) >= 25 and all("<" not in path for path in paths), paths


@pytest.mark.parametrize("accept", ODD_ACCEPTS)
def test_an_odd_accept_header_is_never_a_server_error(
    app: Flask, client: FlaskClient, accept: str
) -> None:
    for path in get_routes(app):
        assert_answered(client, path, Accept=accept)


@pytest.mark.parametrize("number", ODD_NUMBERS)
@pytest.mark.parametrize(
    "path",
    [
        "/api/search?q=kvm&limit=",
        "/export?scope=neighbourhood&focus=kvm&depth=",
        "/api/queries/products-released-since?year=",
        "/sparql?query=SELECT%20*%20%7B%7D&timeout=",
        "/graph?scope=neighbourhood&focus=kvm&depth=",
    ],
)
def test_a_number_written_oddly_is_never_a_server_error(
    client: FlaskClient, path: str, number: str
) -> None:
    assert_answered(client, path + number)


BOM = b"\xef\xbb\xbf"  # what Windows editors put at the start of a UTF-8 file


@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/sparql", "application/sparql-query", b"ASK {}"),
        (
            "/api/classify",
            "text/turtle",
            b"<urn:x> a <https://w3id.org/kgapi/ontology/Hypervisor> .",
        ),
        ("/api/classify", "application/json", b'{"label": "MyXenBox", "basedOn": ["xen"]}'),
    ],
)
def test_a_body_that_starts_with_a_byte_order_mark_is_read_as_without_one(
    client: FlaskClient, path: str, content_type: str, body: bytes
) -> None:
    """The UTF-8 decode of the WHATWG Encoding standard (what browsers do) drops a leading byte
    order mark; a query saved by a Windows editor and posted with `curl --data-binary @file`
    was a syntax error at 1:1."""
    plain = client.post(path, data=body, content_type=content_type)
    marked = client.post(path, data=BOM + body, content_type=content_type)
    assert plain.status_code == 200, plain.get_data()[:300]
    assert (marked.status_code, marked.get_data()) == (200, plain.get_data())
