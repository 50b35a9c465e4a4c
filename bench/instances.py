"""Several instances on one PostgreSQL change log: replication lag, the cost of applying a
version on a follower, and the start time with and without a snapshot.

Needs PostgreSQL's server binaries (Debian: apt-get install postgresql) and
`pip install -e '.[test]'`; runs as root by starting PostgreSQL as the `postgres` user. Prints
one JSON line per measurement. About 3 minutes:

    python bench/instances.py [--writes-per-second 50] [--seconds 20] [--versions 10000]
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "web"))

from livesupport import started_server, update_headers  # noqa: E402
from postgres_support import postgres  # noqa: E402

GRAPH = "urn:bench:instances"


def request(
    port: int, method: str, path: str, body: bytes | None, headers: dict
) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def insert(number: int) -> bytes:
    return f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:i:{number}> <urn:p> {number} }} }}".encode()


def visible(port: int, number: int) -> bool:
    query = quote(f"ASK {{ <urn:i:{number}> <urn:p> {number} }}")
    status, body = request(
        port, "GET", f"/sparql?query={query}", None, {"Accept": "application/sparql-results+json"}
    )
    return status == 200 and json.loads(body)["boolean"] is True


def lag(writer: int, follower: int, token: str, rate: float, seconds: float) -> dict:
    """Write at `rate` per second through one instance; for each write, the time until a
    reader polling another instance sees it."""
    delays: list[float] = []
    lock = threading.Lock()

    def watch(number: int, written: float) -> None:
        while not visible(follower, number):
            time.sleep(0.002)
        with lock:
            delays.append(time.monotonic() - written)

    watchers = []
    deadline = time.monotonic() + seconds
    number = 0
    while time.monotonic() < deadline:
        started = time.monotonic()
        number += 1
        status, body = request(writer, "POST", "/update", insert(number), update_headers(token))
        assert status == 200, body
        watcher = threading.Thread(target=watch, args=(number, time.monotonic()))
        watcher.start()
        watchers.append(watcher)
        time.sleep(max(0.0, 1 / rate - (time.monotonic() - started)))
    for watcher in watchers:
        watcher.join()
    delays.sort()
    return {
        "measure": "replication lag",
        "writes": number,
        "writes_per_s": round(number / seconds, 1),
        "lag_ms_median": round(statistics.median(delays) * 1000, 1),
        "lag_ms_p99": round(delays[int(len(delays) * 0.99) - 1] * 1000, 1),
    }


def fill(url: str, first: int, count: int) -> None:
    """`count` versions of one triple each, written straight into the log's table."""
    import pyoxigraph as ox

    from kgapi.curation.changelog import Version
    from kgapi.curation.patch import Change

    now = datetime.datetime.now(datetime.UTC).isoformat()
    rows = []
    for number in range(first, first + count):
        quad = ox.Quad(
            ox.NamedNode(f"urn:f:{number}"),
            ox.NamedNode("urn:p"),
            ox.Literal(str(number)),
            ox.NamedNode(GRAPH),
        )
        version = Version(number, number - 1, now, "bench", Change.of([quad], []))
        rows.append((number, number - 1, now, "bench", "", version.patch_text()))
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO kgapi_versions (id, parent, time, author, message, patch) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            rows,
        )


def start_time(url: str, cache: Path, log_dir: Path) -> float:
    """Seconds from `kgapi serve` to its first answer (it replays the log before serving)."""
    started = time.monotonic()
    with started_server(
        cache_dir=cache, log_dir=log_dir, query_timeout=600,
        arguments=["--writes", "--database-url", url, "--workers", "1"],
    ):  # fmt: skip
        return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes-per-second", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--versions", type=int, default=10_000)
    args = parser.parse_args()
    from kgapi.settings import Settings

    cache = Settings.from_sources().cache_dir
    with postgres() as database, ExitStack() as stack:
        import tempfile

        work = Path(tempfile.mkdtemp(prefix="kgapi-bench-instances-"))
        token = subprocess.run(
            [sys.executable, "-m", "kgapi.cli", "token", "--database-url", database.url,
             "create", "bench"], capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        servers = []
        for n in range(2):
            (work / f"i{n}").mkdir(parents=True)
            instance = started_server(
                cache_dir=cache,
                log_dir=work / f"i{n}",
                query_timeout=60,
                arguments=["--writes", "--database-url", database.url, "--workers", "1"],
            )
            servers.append(stack.enter_context(instance))
        print(json.dumps(lag(servers[0].port, servers[1].port, token,
                             args.writes_per_second, args.seconds)))  # fmt: skip
        stack.close()
        applied = subprocess.run(
            [sys.executable, "-c", APPLY_COST, database.url], capture_output=True, text=True,
            check=True,
        ).stdout.strip()  # fmt: skip
        print(applied)
        with psycopg.connect(database.url) as connection:
            newest = connection.execute("SELECT max(id) FROM kgapi_versions").fetchone()[0]
        fill(database.url, newest + 1, args.versions - newest)
        (work / "cold").mkdir()
        without = start_time(database.url, cache, work / "cold")
        subprocess.run(
            [sys.executable, "-m", "kgapi.cli", "snapshot", "--database-url", database.url],
            check=True, capture_output=True,
        )  # fmt: skip
        fill(database.url, args.versions + 1, 100)
        (work / "snap").mkdir()
        with_snapshot = start_time(database.url, cache, work / "snap")
        print(json.dumps({
            "measure": "start to first answer",
            "versions": args.versions + 100,
            "seconds_replaying_all": round(without, 2),
            "seconds_from_snapshot_plus_100": round(with_snapshot, 2),
        }))  # fmt: skip


APPLY_COST = """
import sys, time, json
from kgapi.settings import Settings
from kgapi.graph.knowledge import build_knowledge_graph
from kgapi.sparql.store import build_query_store
from kgapi.curation.live import LiveGraph
from kgapi.curation.postgres import PostgresChangeLog
kg = build_knowledge_graph(Settings.from_sources())
live = LiveGraph(kg, build_query_store(kg), PostgresChangeLog(sys.argv[1]))
live.prepare()
started = time.perf_counter()
live.catch_up()
seconds = time.perf_counter() - started
print(json.dumps({"measure": "apply one version on a follower", "versions": live.version,
                  "ms_per_version": round(seconds / max(1, live.version) * 1000, 2)}))
"""


if __name__ == "__main__":
    main()
