"""Curated updates under faults and load, against the real server:

- `kill -9` of any kgapi process (the master, the keeper, an app process, the writer, an I/O
  process) at random moments while a client writes: after a restart every acknowledged write is
  there, and no transaction is there in part;
- 8 writers and 16 readers at once: no acknowledged write lost, no read that sees part of a
  transaction or a version older than one it saw before, no 5xx.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import quote

import pytest
from livesupport import LiveServer, started_server, update_headers
from serving import create_token, kgapi_server  # noqa: F401  (kgapi_server: the server the helpers start)

from kgapi.settings import Settings

GRAPH = "urn:kgapi-test:stress"
LOAD_SECONDS = float(os.environ.get("KGAPI_LOAD_TEST_SECONDS", "60"))


def _write(port: int, token: str, number: int) -> int | None:
    """Write transaction `number` (two triples); its status, or None if the connection failed."""
    text = (
        f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:w:{number}> <urn:a> {number} . "
        f"<urn:w:{number}> <urn:b> {number} }} }}"
    )
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/update", body=text.encode(), headers=update_headers(token))
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        connection.close()


COUNTS = (
    f"SELECT (COUNT(?a) AS ?a_count) (COUNT(?b) AS ?b_count) WHERE {{ GRAPH <{GRAPH}> {{"
    " { ?s <urn:a> ?a } UNION { ?s <urn:b> ?b } } }"
)


def _counts(port: int) -> tuple[int, int, int]:
    """(status, triples <urn:a>, triples <urn:b>) as one read sees them."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "GET",
            f"/sparql?query={quote(COUNTS)}",
            headers={"Accept": "application/sparql-results+json"},
        )
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        return response.status, -1, -1
    row = json.loads(body)["results"]["bindings"][0]
    return 200, int(row["a_count"]["value"]), int(row["b_count"]["value"])


def _present(port: int) -> dict[int, int]:
    """Transaction number -> how many of its triples the server holds."""
    query = f"SELECT ?s (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }} GROUP BY ?s"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(
        "GET",
        f"/sparql?query={quote(query)}",
        headers={"Accept": "application/sparql-results+json"},
    )
    body = connection.getresponse().read()
    connection.close()
    rows = json.loads(body)["results"]["bindings"]
    return {int(r["s"]["value"].rpartition(":")[2]): int(r["n"]["value"]) for r in rows}


def _descendants(pid: int) -> list[int]:
    """`pid` and every process below it."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
    found, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def _empty_ontology(root: Path) -> Path:
    ontology = root / "ontology"
    ontology.mkdir(exist_ok=True)
    (ontology / "empty.ttl").write_text("@prefix ex: <http://example.org/> .\n")
    return ontology


def test_acknowledged_writes_survive_kill_9_of_any_process(tmp_path: Path) -> None:
    data = tmp_path / "data"
    token = create_token(data, "stress")
    environment = {"KGAPI_ONTOLOGY_DIR": str(_empty_ontology(tmp_path))}
    chance = random.Random(20261130)
    acknowledged: set[int] = set()
    number = 0
    killed: list[str] = []

    def serving(log_dir: Path) -> AbstractContextManager[LiveServer]:
        return started_server(
            cache_dir=tmp_path / "cache",
            log_dir=log_dir,
            query_timeout=30,
            writes_to=data,
            environment=environment,
        )

    for round_number in range(6):
        log_dir = tmp_path / f"round-{round_number}"
        log_dir.mkdir()
        with serving(log_dir) as server:
            processes = _descendants(server.process.pid)
            victim = chance.choice(processes)
            killed.append("master" if victim == server.process.pid else "a child")
            timer = threading.Timer(chance.uniform(0.2, 1.5), os.kill, (victim, signal.SIGKILL))
            timer.start()
            deadline = time.monotonic() + 3.0
            while time.monotonic() < deadline:
                number += 1
                if _write(server.port, token, number) == 200:
                    acknowledged.add(number)
            timer.join()
    with serving(tmp_path) as server:
        present = _present(server.port)
    assert acknowledged, "no write was acknowledged: the test proved nothing"
    assert acknowledged <= present.keys(), sorted(acknowledged - present.keys())[:10]
    assert all(count == 2 for count in present.values()), "a transaction is there in part"
    assert present.keys() <= set(range(1, number + 1))


def test_eight_writers_and_sixteen_readers(settings: Settings, tmp_path: Path) -> None:
    data = tmp_path / "data"
    token = create_token(data, "stress")
    with started_server(
        cache_dir=settings.cache_dir,
        log_dir=tmp_path,
        query_timeout=30,
        writes_to=data,
    ) as server:
        outcome = _load(server, token, seconds=LOAD_SECONDS)
        present = _present(server.port)
    assert outcome["writes"] >= 50 and outcome["reads"] >= 100, outcome
    assert outcome["errors"] == [], outcome["errors"][:10]
    assert outcome["acknowledged"] <= present.keys()
    assert all(count == 2 for count in present.values())


def _load(server: LiveServer, token: str, *, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    acknowledged: set[int] = set()
    errors: list[str] = []
    counter = iter(range(1, 10**9))
    totals = {"writes": 0, "reads": 0}

    def writer() -> None:
        while time.monotonic() < deadline:
            with lock:
                number = next(counter)
            status = _write(server.port, token, number)
            with lock:
                totals["writes"] += 1
                if status == 200:
                    acknowledged.add(number)
                else:
                    errors.append(f"write {number}: {status}")

    def reader() -> None:
        seen = 0
        while time.monotonic() < deadline:
            status, a_count, b_count = _counts(server.port)
            with lock:
                totals["reads"] += 1
                if status != 200:
                    errors.append(f"read: {status}")
                elif a_count != b_count:
                    errors.append(f"read saw part of a transaction: {a_count} != {b_count}")
                elif a_count < seen:
                    errors.append(f"read went back from {seen} to {a_count} transactions")
            seen = max(seen, a_count)

    threads = [threading.Thread(target=writer) for _ in range(8)]
    threads += [threading.Thread(target=reader) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {**totals, "errors": errors, "acknowledged": acknowledged}


# Its load and kill loops hold on a machine these tests have to themselves.
pytestmark = [
    pytest.mark.alone,
    pytest.mark.usefixtures("serves_live"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]
