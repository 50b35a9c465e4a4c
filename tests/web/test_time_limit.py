"""The time limit holds beyond /sparql: stored queries and exports (a CONSTRUCT scope runs the
client's query) are stopped at `query_timeout` with a problem+json 503, the app process
computing them is replaced, and the other one answers meanwhile."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from livesupport import LiveServer, started_server

from kgapi.settings import Settings

LIMIT_SECONDS = 1
# Far past any limit on rdflib's engine: 8,000 triples joined with themselves three times.
CROSS_PRODUCT = "{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SLOW_STORED_QUERY = (
    f"#+ summary: A query that does not end.\nSELECT (COUNT(*) AS ?n) WHERE {CROSS_PRODUCT}\n"
)


@pytest.fixture(scope="module")
def limited_server(
    serves_live: None, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    queries = tmp_path_factory.mktemp("queries")
    (queries / "endless.rq").write_text(SLOW_STORED_QUERY)
    (queries / "quick.rq").write_text("#+ summary: Is there anything?\nASK { ?s ?p ?o }\n")
    with started_server(
        cache_dir=settings.cache_dir,
        log_dir=tmp_path_factory.mktemp("limited-server"),
        query_timeout=LIMIT_SECONDS,
        environment={"KGAPI_QUERIES_DIR": str(queries)},
    ) as server:
        yield server


def stopped_while_others_answer(server: LiveServer, path: str) -> dict[str, object]:
    """GET `path` (which overruns) while a quick stored query is asked; the overrun's problem."""
    outcome: dict[str, tuple[int, dict[str, str], bytes]] = {}
    slow = threading.Thread(target=lambda: outcome.update(slow=server.request("GET", path)))
    started = time.monotonic()
    slow.start()
    time.sleep(0.2)
    status, _, body = server.request("GET", "/api/queries/quick?format=json")
    assert status == 200 and json.loads(body)["boolean"] is True
    slow.join(timeout=60)
    assert not slow.is_alive()
    assert time.monotonic() - started < LIMIT_SECONDS + 10
    status, headers, body = outcome["slow"]
    assert status == 503 and headers["content-type"] == "application/problem+json"
    problem: dict[str, object] = json.loads(body)
    assert "query_timeout" in str(problem["detail"])
    return problem


def test_stored_query_is_stopped_at_the_limit(limited_server: LiveServer) -> None:
    problem = stopped_while_others_answer(limited_server, "/api/queries/endless")
    assert problem["status"] == 503


def test_construct_export_is_stopped_at_the_limit(limited_server: LiveServer) -> None:
    query = f"CONSTRUCT {{ ?a ?b ?f }} WHERE {CROSS_PRODUCT}"
    path = "/export?" + urlencode({"scope": "construct", "format": "ntriples", "query": query})
    stopped_while_others_answer(limited_server, path)
    # The replaced worker and the other one both answer afterwards; the stops were counted.
    for _ in range(4):
        status, _, _ = limited_server.request("GET", "/api/queries/quick?format=json")
        assert status == 200
    _, _, metrics = limited_server.request("GET", "/metrics")
    assert re.search(rb"kgapi_sparql_query_timeouts_total [1-9]", metrics)
    log = Path(limited_server.log_path).read_text(errors="replace")
    assert "stopped at the time limit; ending app process" in log
