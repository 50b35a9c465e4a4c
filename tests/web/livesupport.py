"""Helpers for the live-server tests: a raw HTTP client, and where the W3C protocol tests are."""

from __future__ import annotations

import http.client
import os
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Namespace
from rdflib.namespace import RDFS
from serving import free_port, kgapi_server

from kgapi.settings import PROJECT_ROOT

UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
# Small so that the tests can reach them quickly; the runaway query must still take far longer.
QUERY_TIMEOUT_SECONDS = 3
MAX_RESULT_ROWS = 5000
MAX_REQUEST_BYTES = 20_000


@dataclass(frozen=True)
class LiveServer:
    host: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """One raw HTTP request (no header added for us): status, lower-cased headers, body."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return (
                response.status,
                {name.lower(): value for name, value in response.getheaders()},
                response.read(),
            )
        finally:
            connection.close()


def request_environ(method: str, path: str = "/export", query: str = "") -> dict[str, str]:
    """The WSGI environ's plain entries of a request, as the front builds them (for tests of
    the front's parts in process)."""
    return {
        "REQUEST_METHOD": method,
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "127.0.0.1:8080",
        "PATH_INFO": path,
        "QUERY_STRING": query,
    }


def computed_by_app(server: LiveServer, route: str, method: str) -> float:
    """The requests for `route` (a Flask rule) by `method` that the server's app processes
    answered, from its metrics (the front's own answers are not counted)."""
    _, _, body = server.request("GET", "/metrics")
    return sum(
        float(line.rpartition(" ")[2])
        for line in body.decode().splitlines()
        if line.startswith("kgapi_http_requests_total{")
        and f'route="{route}"' in line
        and f'method="{method}"' in line
    )


def update_headers(token: str | None, **headers: str) -> dict[str, str]:
    """The headers of a SPARQL Update sent directly (with a bearer token when given)."""
    sent = {"Content-Type": "application/sparql-update", **headers}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    return sent


def w3c_protocol_dir() -> Path | None:
    """The W3C SPARQL 1.1 Protocol tests: `protocol/` of $KGAPI_W3C_TESTS (the directory of the
    W3C test suites, as .ci/run sets it) or of ../shared/w3c-tests."""
    configured = os.environ.get("KGAPI_W3C_TESTS")
    root = Path(configured) if configured else PROJECT_ROOT.parent / "shared" / "w3c-tests"
    for directory in (root / "protocol", root):  # the suites' root, or protocol/ itself
        if (directory / "manifest.ttl").is_file():
            return directory
    return None


def w3c_graph_options(directory: Path) -> list[str]:
    """`IRI=path` for every ut:graphData of the manifest (the IRI is the data's label)."""
    manifest = Graph().parse(directory / "manifest.ttl", publicID=directory.as_uri() + "/")
    options = {
        f"{manifest.value(data, RDFS.label)}={Path(str(manifest.value(data, UT.graph))[7:])}"
        for data in manifest.objects(None, UT.graphData)
    }
    return sorted(options)


@contextmanager
def started_server(
    *,
    cache_dir: Path,
    log_dir: Path,
    query_timeout: float,
    arguments: Sequence[str] = (),
    environment: dict[str, str] | None = None,
    writes_to: Path | None = None,
) -> Iterator[LiveServer]:
    """`kgapi serve` with two workers on 127.0.0.1 and a free port, up until the block ends;
    `arguments` are further `serve` flags, `environment` KGAPI_* settings without a flag,
    `writes_to` a data directory to take writes into (`--writes --data-dir`)."""
    port = free_port()
    writes = ["--writes", "--data-dir", str(writes_to)] if writes_to is not None else []
    command = [
        "--cache-dir", str(cache_dir),
        "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
        "--query-timeout", str(query_timeout), *writes, *arguments,
    ]  # fmt: skip
    log_path = log_dir / "server.log"
    with kgapi_server(command, port=port, log_path=log_path, settings=environment) as process:
        yield LiveServer("127.0.0.1", port, process, log_path)


def front_pid(server: LiveServer) -> int:
    """The server's I/O process: the one child of the master without children of its own (the
    keeper has the app processes)."""
    return next(pid for pid in _children(server.process.pid) if not _children(pid))


def app_pids(server: LiveServer) -> set[int]:
    """The server's app processes, as they are now: the children of its keeper, the master's
    single-threaded child (the front runs threads). Empty while the keeper replaces them all."""
    keepers = [pid for pid in _children(server.process.pid) if _status(pid, "Threads") == 1]
    return set(_children(keepers[0])) if keepers else set()


def address_space_mib(pid: int) -> int:
    return _status(pid, "VmSize") // 1024


def _status(pid: int, field: str) -> int:
    """A number of /proc/PID/status (0 once the process is gone, or a zombie: it has no
    memory fields)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = (int(line.split()[1]) for line in status.splitlines() if line.startswith(field))
    return next(found, 0)


def resident_mib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) // 1024 for line in status.splitlines() if "VmRSS" in line)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found
