"""Limits that hold on every route, whatever the work (issue 11, findings 4 and 5): the time
limit stops Python holding the GIL as surely as the query engine, a request that needs more
memory than a worker may have is refused without harming the rest, and URLs have a bound. Each
answer in the route's shape. A server of its own, with a 2 s limit and 1.5 GiB workers."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from livesupport import LiveServer, address_space_mib, app_pids, started_server

from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.settings import Settings

LIMIT = 2
MEMORY_MB = 1536
# A cross product sorted whole: grows to several GiB within seconds (issue 11, finding 5).
MEMORY_HOG = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"


@pytest.fixture(scope="module")
def limited(
    serves_live: None,
    settings: Settings,
    knowledge: KnowledgeGraph,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    assert knowledge.asserted_count > 0  # reasoned, so the server starts from the warm cache
    with started_server(
        cache_dir=settings.cache_dir,
        log_dir=tmp_path_factory.mktemp("limited"),
        query_timeout=LIMIT,
        arguments=["--max-worker-memory-mb", str(MEMORY_MB)],
    ) as server:
        yield server


def transitive_chain(length: int) -> bytes:
    """A described product whose Turtle makes the reasoner work in Python for half a minute."""
    lines = [
        "@prefix ex: <http://example.org/> .",
        'vr:chain-product rdfs:label "Chain" ; virt:basedOn ex:n0 .',
    ]  # virt:basedOn is transitive: the closure of a chain grows with its square
    lines += [f"ex:n{i} virt:basedOn ex:n{i + 1} ." for i in range(length)]
    return "\n".join(lines).encode()


def test_python_work_holding_the_gil_is_stopped_at_the_limit(limited: LiveServer) -> None:
    started = time.monotonic()
    status, headers, body = limited.request(
        "POST",
        "/api/classify",
        body=transitive_chain(1000),
        headers={"Content-Type": "text/turtle"},
    )
    took = time.monotonic() - started
    assert status == 503, body[:300]
    assert headers["content-type"].startswith("application/problem+json")
    assert "query_timeout" in json.loads(body)["detail"]
    assert took < LIMIT + 10  # before: 31 s, then gunicorn's HTML 500
    status, _, _ = limited.request("GET", "/api/search?q=kvm")
    assert status == 200


def test_a_request_past_the_memory_limit_is_refused_and_others_go_on(limited: LiveServer) -> None:
    status, headers, body = limited.request("GET", "/sparql?" + urlencode({"query": MEMORY_HOG}))
    assert status == 503 and headers["content-type"].startswith("text/plain")
    assert b"max_worker_memory_mb" in body or b"query_timeout" in body
    for _ in range(4):  # the worker was replaced; both answer
        status, _, body = limited.request("GET", "/sparql?query=ASK%7B%7D")
        assert status == 200 and b"true" in body


def test_python_work_past_the_memory_limit_is_503_and_its_process_replaced(
    limited: LiveServer, settings: Settings, tmp_path: Path
) -> None:
    """Python code that meets the address-space limit raises MemoryError, and the app answered
    a 500 and went on serving with whatever that left half built (for the writer, a graph half
    moved by a change). It is a 503 naming the limit, and the process ends once it has answered,
    as the setting says."""
    # Just room to start and answer small requests; a whole-graph GEXF export needs ~200 MiB
    # more. (The smallest app process: the others may have grown on earlier requests.)
    sizes: list[int] = []
    deadline = time.monotonic() + 10
    while not sizes and time.monotonic() < deadline:
        sizes = [size for pid in app_pids(limited) if (size := address_space_mib(pid))]
        time.sleep(0.05)
    limit = min(sizes) + 64
    with started_server(
        cache_dir=settings.cache_dir,
        log_dir=tmp_path,
        query_timeout=60,
        arguments=["--max-worker-memory-mb", str(limit)],
    ) as tight:
        status, _, body = tight.request("GET", "/api/search?q=kvm")
        assert status == 200, body[:300]
        before = app_pids(tight)
        status, headers, body = tight.request("GET", "/export?format=gexf")
        assert status == 503, body[:300]
        assert headers["content-type"].startswith("application/problem+json")
        assert "max_worker_memory_mb" in json.loads(body)["detail"]
        for _ in range(4):  # both app processes answer, one of them new
            status, _, body = tight.request("GET", "/api/search?q=kvm")
            assert status == 200, body[:300]
        deadline = time.monotonic() + 10
        while len(app_pids(tight) - before) != 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(app_pids(tight) - before) == 1
        assert "ran out of memory" in Path(tight.log_path).read_text(errors="replace")


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/sparql", "text/plain"), ("/api/search", "application/problem+json")],
)
def test_a_url_past_the_bound_is_414_in_the_routes_shape(
    limited: LiveServer, path: str, content_type: str
) -> None:
    status, headers, _ = limited.request("GET", f"{path}?q={'x' * 20_000}")
    assert status == 414 and headers["content-type"].startswith(content_type)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/sparql?query=ASK%7B%7D", "text/plain"), ("/api/search?q=kvm", "application/problem+json")],
)
def test_header_fields_past_the_bound_are_431_in_the_routes_shape(
    limited: LiveServer, path: str, content_type: str
) -> None:
    padding = {f"X-Padding-{n}": "y" * 4_000 for n in range(10)}  # 40 KB of header fields
    status, headers, _ = limited.request("GET", path, headers=padding)
    assert status == 431 and headers["content-type"].startswith(content_type)
    status, _, _ = limited.request("GET", path, headers={"X-Padding": "y" * 4_000})
    assert status == 200


def test_a_log_says_which_process_was_stopped(limited: LiveServer) -> None:
    log = Path(limited.log_path).read_text(errors="replace")
    assert "request stopped at the time limit; ending app process" in log
