"""Running the real `kgapi serve` for the tests that need it: a free port on 127.0.0.1, wait for
/healthz, stop with SIGTERM (and kill after 30 s). KGAPI_* variables are not passed on, so the
server sees only the flags the test gives."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

STARTUP_SECONDS = 300  # a cold start reasons over the ontology first


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def kgapi_server(
    arguments: list[str], *, port: int, log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`kgapi ARGUMENTS` (which must serve on 127.0.0.1:`port`), up until the block ends."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KGAPI_")}
    command = [sys.executable, "-m", "kgapi.cli", *arguments]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=environ, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(process, port, log_path)
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = log_path.read_text(errors="replace")
            pytest.fail(f"kgapi serve exited with {process.returncode}:\n{log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"kgapi serve did not answer /healthz within {STARTUP_SECONDS} s")
