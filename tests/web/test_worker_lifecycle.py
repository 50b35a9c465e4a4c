"""Workers that die, are signalled, are killed at the time limit or run out of memory: the service
keeps answering, shared state survives, and no process of kgapi's outlives its parent (issue 11,
findings 1, 6).

Each live test starts a server of its own, since it kills that server's workers.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from livesupport import LiveServer, started_server
from werkzeug.test import EnvironBuilder

from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.settings import Settings
from kgapi.web import export_api
from kgapi.web.workers import (
    Answer,
    Request,
    fork_child,
    receive_frame,
    send_frame,
    serve_requests,
)

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")

TIME_LIMIT = 2
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# Longer than the worker runs itself: such a query goes to the worker's executor child.
LONG = "ASK { ?s ?p ?o } # " + "x" * 4_100


@pytest.fixture
def own_server(
    serves_live: None, settings: Settings, knowledge: KnowledgeGraph, tmp_path: Path
) -> Iterator[LiveServer]:
    assert knowledge.asserted_count > 0  # reasoned, so the server starts from the warm cache
    with started_server(
        cache_dir=settings.cache_dir, log_dir=tmp_path, query_timeout=TIME_LIMIT
    ) as server:
        yield server


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(child) for child in (task / "children").read_text().split()}
        except OSError:
            continue
    return found


def descendants(pid: int) -> set[int]:
    found, frontier = set(), {pid}
    while frontier:
        next_frontier = set().union(*(children(p) for p in frontier)) - found
        found |= next_frontier
        frontier = next_frontier
    return found


def serving_processes(port: int) -> set[int]:
    """Every live process whose command line is this server's (`--port PORT`), forks included."""
    marker = f"--port\0{port}\0".encode()
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "cmdline").read_bytes() and not _is_zombie(entry):
                found.add(int(entry.name))
        except OSError:
            continue
    return found


def _is_zombie(entry: Path) -> bool:
    return (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"


def wait_for(condition: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"not true within {seconds} s: {condition}")


def app_process_keeper(master: int) -> int:
    """The server's keeper: the child of its master process whose children are the 2 workers."""
    found: list[int] = []
    wait_for(lambda: found.extend(p for p in children(master) if len(children(p)) == 2) or found)
    return found[0]


def sparql(server: LiveServer, query: str) -> int:
    status, _, _ = server.request("GET", "/sparql?" + urlencode({"query": query}))
    return status


def test_a_signalled_worker_is_replaced_and_every_route_keeps_answering(
    own_server: LiveServer,
) -> None:
    keeper = app_process_keeper(own_server.process.pid)
    victim = min(children(keeper))
    os.kill(victim, signal.SIGTERM)  # as an operator or the OOM killer would
    wait_for(lambda: victim not in children(keeper) and len(children(keeper)) == 2)
    for _ in range(3):
        for path in ("/healthz", "/sparql?query=ASK%7B%7D", "/", "/api/search?q=kvm", "/metrics"):
            status, _, body = own_server.request("GET", path)
            assert status == 200, (path, body[:300])


def test_no_orphans_after_a_storm_of_long_and_runaway_queries(own_server: LiveServer) -> None:
    master, port = own_server.process.pid, own_server.port
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(2):
            # Both workers fork an executor child for the long queries, then are killed at the
            # time limit by a runaway query each: their children must die with them.
            assert set(pool.map(lambda q: sparql(own_server, q), [LONG] * 4)) == {200}
            assert set(pool.map(lambda q: sparql(own_server, q), [RUNAWAY] * 2)) == {503}
    wait_for(lambda: serving_processes(port) <= {master} | descendants(master), seconds=10)
    assert sparql(own_server, "ASK {}") == 200
    own_server.process.send_signal(signal.SIGTERM)
    own_server.process.wait(timeout=30)
    wait_for(lambda: not serving_processes(port), seconds=10)


def test_sigterm_to_every_process_at_once_stops_them_all(own_server: LiveServer) -> None:
    # As systemd's default KillMode does: the whole control group gets SIGTERM.
    port = own_server.port
    assert sparql(own_server, "ASK {}") == 200
    processes = serving_processes(port)
    assert len(processes) >= 4  # master, keeper, 2 app processes, the I/O process
    for pid in processes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    own_server.process.wait(timeout=60)
    wait_for(lambda: not serving_processes(port), seconds=30)


def test_no_process_outlives_a_sigkill_of_the_master(own_server: LiveServer) -> None:
    """SIGKILL cannot be caught, so nothing the master runs can stop its children: each process
    of the server must die with its parent on its own (the I/O process, forked by Granian, once
    outlived a killed master and kept listening on the port)."""
    master, port = own_server.process.pid, own_server.port
    assert sparql(own_server, "ASK {}") == 200
    wait_for(lambda: len(serving_processes(port)) >= 5)  # master, keeper, 2 app, the I/O
    os.kill(master, signal.SIGKILL)
    own_server.process.wait(timeout=10)
    wait_for(lambda: not serving_processes(port), seconds=10)


@pytest.mark.parametrize(
    ("signal_number", "exit_status"), [(signal.SIGKILL, 1), (signal.SIGTERM, 0)]
)
def test_a_keeper_that_ends_stops_the_server_for_its_supervisor(
    own_server: LiveServer, signal_number: int, exit_status: int
) -> None:
    """The keeper takes its app processes with it when it ends: killed by SIGKILL (or the OOM
    killer) it left every request a 503 while /healthz said all was well. Now the server stops,
    with exit status 1 when the keeper died (for systemd's Restart=on-failure) and 0 when it
    was stopped, and leaves nothing behind."""
    master, port = own_server.process.pid, own_server.port
    assert sparql(own_server, "ASK {}") == 200
    os.kill(app_process_keeper(master), signal_number)
    assert own_server.process.wait(timeout=30) == exit_status
    wait_for(lambda: not serving_processes(port), seconds=10)


def test_an_app_process_out_of_memory_answers_503_in_the_routes_shape_then_ends(
    app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The worker loop as `kgapi serve` runs it, on the real app, whose export meets the
    address-space limit in Python. It answered a 500 and went on serving with whatever the
    MemoryError left half built; it answers 503 naming the limit, then ends (its keeper starts
    another)."""

    def exhausted(*_args: object, **_kwargs: object) -> object:
        raise MemoryError

    monkeypatch.setattr(export_api, "export", exhausted)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(tmp_path / "app.sock"))
    listener.listen()
    environ = EnvironBuilder(path="/export", query_string="format=gexf").get_environ()
    plain = {key: value for key, value in environ.items() if isinstance(value, str | int | tuple)}
    worker = fork_child(lambda: serve_requests(app, listener))
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(str(tmp_path / "app.sock"))
            assert receive_frame(connection) == worker
            send_frame(connection, Request(plain, b"", 0))
            answer: Answer = receive_frame(connection)
        assert answer.status.startswith("503"), answer
        assert answer.header("Content-Type") == "application/problem+json"
        assert "max_worker_memory_mb" in json.loads(answer.body)["detail"]
        wait_for(lambda: os.waitpid(worker, os.WNOHANG) == (worker, 0), seconds=10)
    finally:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(worker, signal.SIGKILL)
            os.waitpid(worker, 0)
        listener.close()
