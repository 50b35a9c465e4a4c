"""Hostile clients against the live server (issue 11's findings), each a regression test."""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from livesupport import LiveServer


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
