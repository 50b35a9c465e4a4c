"""Several kgapi instances sharing one change log in PostgreSQL (setting database_url): a real
PostgreSQL started in a temporary directory, three `kgapi serve --writes --database-url …` on
loopback ports, raw HTTP. A write through one is read through all; racing writers lose nothing;
a database that stops costs reads nothing and writes a 503 until it is back; "at least version
V" is honoured; a token made once is accepted everywhere."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import quote

import pytest
from livesupport import LiveServer, started_server, update_headers
from postgres_support import Postgres, postgres
from serving import create_token

from kgapi.settings import Settings

# Its deadlines and percentiles hold on a machine this test has to itself.
pytestmark = [pytest.mark.alone, pytest.mark.usefixtures("serves_live")]

GRAPH = "https://example.org/graphs/shared"
V = "https://w3id.org/kgapi/ontology/"


@pytest.fixture(scope="module")
def database() -> Iterator[Postgres]:
    with postgres() as server:
        yield server


@pytest.fixture(scope="module")
def token(database: Postgres) -> str:
    return create_token(database.url, "shared")


@pytest.fixture(scope="module")
def instances(
    settings: Settings, database: Postgres, token: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[LiveServer]]:
    started: list[LiveServer] = []
    contexts = []
    try:
        for number in range(3):
            context = started_server(
                cache_dir=settings.cache_dir,
                log_dir=tmp_path_factory.mktemp(f"instance-{number}"),
                query_timeout=30,
                arguments=["--writes", "--database-url", database.url, "--workers", "1"],
            )
            started.append(context.__enter__())
            contexts.append(context)
        yield started
    finally:
        for context in reversed(contexts):
            context.__exit__(None, None, None)


def write(server: LiveServer, token: str, text: str, **headers: str) -> tuple[int, dict, dict]:
    status, answer_headers, body = server.request(
        "POST", "/update", body=text.encode(), headers=update_headers(token, **headers)
    )
    return status, answer_headers, json.loads(body) if body else {}


def ask(server: LiveServer, query: str, **headers: str) -> tuple[int, bool | None, dict]:
    status, answer_headers, body = server.request(
        "GET",
        f"/sparql?query={quote(query)}",
        headers={"Accept": "application/sparql-results+json", **headers},
    )
    return status, json.loads(body)["boolean"] if status == 200 else None, answer_headers


def triple(number: int) -> str:
    return f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:shared:{number}> <urn:p> {number} }} }}"


def present(number: int) -> str:
    return f"ASK {{ <urn:shared:{number}> <urn:p> {number} }}"


def test_a_write_through_one_instance_is_read_through_all_within_a_second(
    instances: list[LiveServer], token: str
) -> None:
    status, headers, summary = write(instances[0], token, triple(1))
    assert status == 200, summary
    assert headers["kgapi-version"] == str(summary["id"])
    deadline = time.monotonic() + 1.0
    for other in instances[1:]:
        while not ask(other, present(1))[1]:
            assert time.monotonic() < deadline, "not visible within 1 s"
            time.sleep(0.02)
    # Asked for at least the write's version, another instance answers on it, at once.
    status, seen, headers = ask(
        instances[2], present(1), **{"Kgapi-Min-Version": str(summary["id"])}
    )
    assert status == 200 and seen is True and int(headers["kgapi-version"]) >= summary["id"]
    status, _, _ = ask(instances[1], present(1), **{"Kgapi-Min-Version": "999999"})
    assert status == 503


def test_racing_writers_on_one_graph_lose_no_update(
    instances: list[LiveServer], token: str
) -> None:
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"}
    path = "/store?graph=" + quote("https://example.org/graphs/raced", safe="")
    assert instances[0].request("PUT", path, body=b"<urn:r> <urn:v> 0 .", headers=auth)[0] in (
        200,
        201,
    )
    for round_number in range(1, 6):
        tags = []
        for server in instances[:2]:
            while True:  # read, through each instance, the version it serves
                status, headers, _ = server.request("GET", path, headers={"Accept": "text/turtle"})
                if status == 200:
                    break
            tags.append(headers["etag"])
        if tags[0] != tags[1]:  # one had not caught up yet: read again
            continue
        outcomes: list[int] = []

        def put(server: LiveServer, value: int, tag: str, found: list[int]) -> None:
            body = f"<urn:r> <urn:v> {value} .".encode()
            found.append(
                server.request("PUT", path, body=body, headers={**auth, "If-Match": tag})[0]
            )

        racers = [
            threading.Thread(target=put, args=(server, round_number * 10 + n, tags[0], outcomes))
            for n, server in enumerate(instances[:2])
        ]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join()
        assert sorted(outcomes) == [200, 412], outcomes


def test_without_the_database_reads_go_on_and_writes_wait(
    instances: list[LiveServer], token: str, database: Postgres
) -> None:
    status, _, summary = write(instances[0], token, triple(2))
    assert status == 200
    for server in instances:  # every instance has the version before the database goes
        assert ask(server, present(2), **{"Kgapi-Min-Version": str(summary["id"])})[1] is True
    database.stop()
    try:
        for _ in range(10):
            for server in instances:
                status, seen, _ = ask(server, present(2))
                assert status == 200 and seen is True
        status, headers, problem = write(instances[1], token, triple(3))
        assert status == 503 and headers.get("retry-after"), problem
    finally:
        database.start()
    deadline = time.monotonic() + 20
    while True:  # recovery without a restart
        status, _, summary = write(instances[1], token, triple(3))
        if status == 200:
            break
        assert time.monotonic() < deadline, summary
        time.sleep(0.5)
    for server in instances:
        assert ask(server, present(3), **{"Kgapi-Min-Version": str(summary["id"])})[1] is True


def test_a_database_restart_under_reads_and_writes_through_the_balancer_fails_no_read(
    instances: list[LiveServer], token: str, database: Postgres
) -> None:
    import http.client

    from nginx_support import round_robin

    reads: list[int] = []
    writes: list[tuple[int, int, float]] = []  # (status, version or triple number, when)
    stop = threading.Event()

    def request(port: int, method: str, path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.read()
        finally:
            connection.close()

    def reader(port: int) -> None:
        path = f"/sparql?query={quote(present(1))}"
        while not stop.is_set():
            status, body = request(port, "GET", path, b"", {"Accept": "application/json"})
            reads.append(status if status != 200 or b"true" in body else -1)

    def writer(port: int) -> None:
        number = 5000
        while not stop.is_set():
            number += 1
            status, _ = request(
                port, "POST", "/update", triple(number).encode(), update_headers(token)
            )
            writes.append((status, number, time.monotonic()))
            time.sleep(0.05)

    with round_robin([server.port for server in instances]) as url:
        port = int(url.rpartition(":")[2])
        threads = [threading.Thread(target=reader, args=(port,)) for _ in range(3)]
        threads.append(threading.Thread(target=writer, args=(port,)))
        for thread in threads:
            thread.start()
        try:
            time.sleep(2)
            database.stop()
            time.sleep(3)
            database.start()
            restarted = time.monotonic()
            deadline = restarted + 20
            while not any(status == 200 and at > restarted for status, _, at in writes):
                assert time.monotonic() < deadline, "writes did not resume"
                time.sleep(0.2)
            time.sleep(1)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
    assert len(reads) > 50 and set(reads) == {200}, sorted(set(reads))
    statuses = [status for status, _, _ in writes]
    assert set(statuses) == {200, 503}, statuses  # refused while away, accepted before and after
    newest = ask(instances[0], "ASK {}")[2]["kgapi-version"]
    for server in instances:  # every acknowledged write, everywhere
        for status, number, _ in writes:
            if status == 200:
                found = ask(server, present(number), **{"Kgapi-Min-Version": newest})
                assert found[1] is True, (server.port, number)


def test_readiness_and_health_report_the_log(instances: list[LiveServer]) -> None:
    for server in instances:
        status, _, body = server.request("GET", "/readyz")
        report = json.loads(body)
        assert status == 200 and report["ready"] is True
        assert report["log"]["database"] is True and report["log"]["reachable"] is True
        status, _, body = server.request("GET", "/healthz")
        assert json.loads(body)["log"]["lag"] == 0


def test_a_token_revoked_once_is_refused_everywhere(
    instances: list[LiveServer], database: Postgres, tmp_path: Path
) -> None:
    secret = create_token(database.url, "short-lived")
    command = [sys.executable, "-m", "kgapi.cli", "token", "--database-url", database.url]
    assert write(instances[2], secret, triple(4))[0] == 200
    subprocess.run([*command, "revoke", "short-lived"], check=True, capture_output=True)
    for server in instances:
        assert write(server, secret, triple(5))[0] == 401


def test_through_a_round_robin_balancer_every_answer_is_at_least_the_version_asked(
    instances: list[LiveServer], token: str
) -> None:
    import http.client

    from nginx_support import round_robin

    with round_robin([server.port for server in instances]) as url:
        port = int(url.rpartition(":")[2])
        for number in range(100, 115):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request(
                "POST", "/update", body=triple(number).encode(), headers=update_headers(token)
            )
            answer = connection.getresponse()
            summary = json.loads(answer.read())
            assert answer.status == 200, summary
            # The next request goes to another instance: asked for the write's version, it
            # answers with it.
            connection.request(
                "GET",
                f"/sparql?query={quote(present(number))}",
                headers={
                    "Accept": "application/sparql-results+json",
                    "Kgapi-Min-Version": str(summary["id"]),
                },
            )
            answer = connection.getresponse()
            body = json.loads(answer.read())
            assert answer.status == 200 and body["boolean"] is True
            assert int(answer.getheader("Kgapi-Version")) >= summary["id"]
            connection.close()


def test_an_instance_killed_while_writing_loses_no_acknowledged_write(
    settings: Settings, database: Postgres, token: str, tmp_path: Path
) -> None:
    import os
    import signal

    arguments = ["--writes", "--database-url", database.url, "--workers", "1"]
    acknowledged: dict[int, int] = {}  # transaction number -> the version that acknowledged it

    def instance(name: str) -> AbstractContextManager[LiveServer]:
        log_dir = tmp_path / name
        log_dir.mkdir(exist_ok=True)
        return started_server(
            cache_dir=settings.cache_dir, log_dir=log_dir, query_timeout=30, arguments=arguments
        )

    with instance("steady") as steady:
        with instance("doomed") as doomed:
            timer = threading.Timer(1.0, os.kill, (doomed.process.pid, signal.SIGKILL))
            timer.start()
            number = 1000
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:
                number += 1
                try:
                    status, _, summary = write(doomed, token, triple(number))
                except OSError:
                    continue  # the instance is gone: nothing was acknowledged
                if status == 200:
                    acknowledged[number] = summary["id"]
            timer.join()
        with instance("restarted") as restarted:
            newest = str(max(acknowledged.values()))
            for server in (steady, restarted):
                for done in acknowledged:
                    status, seen, _ = ask(server, present(done), **{"Kgapi-Min-Version": newest})
                    assert status == 200 and seen is True, (server.port, done)
    assert acknowledged, "no write was acknowledged: the test proved nothing"


def test_an_instance_started_after_a_snapshot_replays_only_what_follows(
    instances: list[LiveServer], settings: Settings, database: Postgres, token: str, tmp_path: Path
) -> None:
    status, _, before = write(instances[0], token, triple(2000))
    assert status == 200
    subprocess.run(
        [sys.executable, "-m", "kgapi.cli", "snapshot", "--database-url", database.url],
        check=True,
        capture_output=True,
    )
    status, _, after = write(instances[1], token, triple(2001))
    assert status == 200
    with started_server(
        cache_dir=settings.cache_dir,
        log_dir=tmp_path,
        query_timeout=30,
        arguments=["--writes", "--database-url", database.url, "--workers", "1"],
    ) as late:
        for number in (1, 2000, 2001):
            assert ask(late, present(number), **{"Kgapi-Min-Version": str(after["id"])})[1]
        status, _, body = late.request("GET", "/healthz")
        started_from = json.loads(body)["log"]["started_from_snapshot"]
        assert before["id"] <= started_from < after["id"]  # replayed only what followed
        status, _, body = late.request("GET", "/api/history?limit=1000")
        ids = [version["id"] for version in json.loads(body)["versions"]]
        assert ids == list(range(after["id"], 0, -1))  # the history is the log's, whole


def test_archived_versions_leave_the_database_and_stay_readable_in_a_file_log(
    instances: list[LiveServer], settings: Settings, database: Postgres, token: str, tmp_path: Path
) -> None:
    def kgapi(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kgapi.cli", *arguments],
            capture_output=True, text=True, check=False,
        )  # fmt: skip

    assert write(instances[0], token, triple(3000))[0] == 200
    assert kgapi("snapshot", "--database-url", database.url).returncode == 0
    status, _, last = write(instances[1], token, triple(3001))
    assert status == 200
    graphs_before = kgapi("user-graphs", "--database-url", database.url).stdout
    archived = kgapi("archive", "--database-url", database.url, str(tmp_path / "archive"))
    assert archived.returncode == 0, archived.stderr
    in_file = kgapi("history", "--data-dir", str(tmp_path / "archive"), "--limit", "100000")
    in_table = kgapi("history", "--database-url", database.url, "--limit", "100000")
    file_ids = [int(line.split("\t")[0]) for line in in_file.stdout.splitlines()]
    table_ids = [int(line.split("\t")[0]) for line in in_table.stdout.splitlines()]
    # Every version is in exactly one of them, the older ones in the file.
    assert sorted(file_ids + table_ids) == list(range(1, last["id"] + 1))
    assert file_ids and max(file_ids) < min(table_ids) and table_ids == [last["id"], last["id"] - 1]
    assert kgapi("user-graphs", "--database-url", database.url).stdout == graphs_before
    # Archiving again moves nothing twice.
    again = kgapi("archive", "--database-url", database.url, str(tmp_path / "archive"))
    assert again.returncode == 0 and "archived 0 version(s)" in again.stderr
    # Running instances go on; a new one starts from the snapshot and serves everything.
    assert write(instances[2], token, triple(3002))[0] == 200
    (tmp_path / "late").mkdir()
    with started_server(
        cache_dir=settings.cache_dir,
        log_dir=tmp_path / "late",
        query_timeout=30,
        arguments=["--writes", "--database-url", database.url, "--workers", "1"],
    ) as late:
        for number in (1, 3000, 3001, 3002):
            assert ask(late, present(number), **{"Kgapi-Min-Version": str(last["id"] + 1)})[1]
        assert late.request("GET", f"/api/history/{last['id']}/graph")[0] == 200
        status, _, body = late.request("GET", f"/api/history/{min(file_ids)}/graph")
        assert status == 404 and b"archived" in body


def test_idle_instances_apply_versions_before_they_are_asked(
    instances: list[LiveServer], token: str, database: Postgres
) -> None:
    # Written through one instance; the others are not asked anything until the database is
    # gone, so they can only have the version if they applied it while idle.
    status, _, summary = write(instances[0], token, triple(4000))
    assert status == 200
    time.sleep(1.0)
    database.stop()
    try:
        for server in instances[1:]:
            status, seen, headers = ask(server, present(4000))
            assert status == 200 and seen is True
            assert int(headers["kgapi-version"]) >= summary["id"]
    finally:
        database.start()
    deadline = time.monotonic() + 20
    while write(instances[0], token, triple(4001))[0] != 200:  # the database is back
        assert time.monotonic() < deadline
        time.sleep(0.5)
    time.sleep(2.0)  # the instances listen again (they retry each second)
    database.stop()
    try:
        for server in instances[1:]:
            assert ask(server, present(4001))[1] is True
    finally:
        database.start()


def test_reads_cost_the_database_nothing_while_instances_listen(
    instances: list[LiveServer], database: Postgres
) -> None:
    import psycopg

    def listening_and_commits() -> tuple[int, int]:
        with psycopg.connect(database.url, autocommit=True) as connection:
            listening = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN kgapi_versions'"
            ).fetchone()
            connection.execute("SELECT pg_stat_clear_snapshot()")
            commits = connection.execute(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
            ).fetchone()
        assert listening is not None and commits is not None
        return int(listening[0]), int(commits[0])

    deadline = time.monotonic() + 20
    while listening_and_commits()[0] < 2 * len(instances):  # each app process and writer
        assert time.monotonic() < deadline, "the instances do not listen"
        time.sleep(0.5)
    time.sleep(1.5)  # PostgreSQL publishes its counters within a second
    _, before = listening_and_commits()
    for _ in range(50):
        for server in instances:
            assert ask(server, present(1))[1] is True
    time.sleep(1.5)
    _, after = listening_and_commits()
    # 150 reads; asking for the newest version per read would be 150 transactions. The
    # counting connections themselves make a few.
    assert after - before < 10, after - before


def test_a_forked_process_opens_its_own_connection(database: Postgres) -> None:
    import os

    from kgapi.curation.postgres import PostgresChangeLog

    log = PostgresChangeLog(database.url)
    before = log.size()  # the parent connects (as `kgapi serve` does before forking)
    child = os.fork()
    if child == 0:  # the child reads on a connection of its own, many times
        try:
            ok = all(PostgresChangeLog.size(log) == before for _ in range(50))
            ok = ok and log._connection is not None and log._owner == os.getpid()
        finally:
            os._exit(0 if ok else 1)
    for _ in range(50):  # meanwhile the parent's connection goes on working
        assert log.size() == before
    _, status = os.waitpid(child, 0)
    assert log.size() == before
    log.close()
    assert os.waitstatus_to_exitcode(status) == 0
