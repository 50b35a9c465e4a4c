"""The live tests' server helper: a server that does not stop on SIGTERM is reported, then killed.

Once in CI a live server took the full 30 s to stop (not reproduced since); the report says what
each of its processes was doing, for whoever looks next. This holds the report to work, on a
stand-in server that ignores SIGTERM."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import serving

STUBBORN_SERVER = """
import http.server, signal, sys
signal.signal(signal.SIGTERM, signal.SIG_IGN)

class Healthy(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass

http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Healthy).serve_forever()
"""


def test_a_server_that_ignores_sigterm_is_reported_then_killed(
    serves_live: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serving, "STOP_SECONDS", 1)
    monkeypatch.setattr(serving, "ARTIFACTS", tmp_path / "artifacts")
    port = serving.free_port()
    program = [sys.executable, "-c", STUBBORN_SERVER]
    log_path = tmp_path / "server.log"
    with serving.kgapi_server([str(port)], port=port, log_path=log_path, program=program) as server:
        pass
    assert server.returncode is not None  # killed, not left behind
    (report,) = (tmp_path / "artifacts").glob("server-not-stopped-*.txt")
    text = report.read_text()
    assert f"(pid {server.pid}) had not stopped 1 s after SIGTERM" in text
    assert "State:" in text and "waiting in" in text and str(port) in text  # its command line
