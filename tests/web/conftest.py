"""The live server: `kgapi serve` (gunicorn, 2 workers) on 127.0.0.1 and a free port, once per
session, with the W3C protocol tests' data loaded as named graphs when the tests are present.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
from livesupport import (
    MAX_REQUEST_BYTES,
    MAX_RESULT_ROWS,
    QUERY_TIMEOUT_SECONDS,
    LiveServer,
    free_port,
    w3c_graph_options,
    w3c_protocol_dir,
    wait_until_up,
)

from kgapi.settings import Settings


@pytest.fixture(scope="session")
def live_server(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "kgapi.cli",
        "--cache-dir",
        str(settings.cache_dir),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "2",
        "--query-timeout",
        str(QUERY_TIMEOUT_SECONDS),
        "--max-result-rows",
        str(MAX_RESULT_ROWS),
        "--max-request-bytes",
        str(MAX_REQUEST_BYTES),
    ]
    w3c = w3c_protocol_dir()
    for option in w3c_graph_options(w3c) if w3c else []:
        command += ["--graph", option]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KGAPI_")}
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    log = log_path.open("wb")
    process = subprocess.Popen(command, env=environ, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer("127.0.0.1", port, process, log_path)
    try:
        wait_until_up(server)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
