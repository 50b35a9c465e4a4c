"""nginx (Debian's) as a round-robin load balancer on 127.0.0.1 for the multi-instance tests:
a configuration of its own in a temporary directory, in the foreground of a child process,
stopped at the end. Skips, saying why, where nginx is absent (`.ci/run` installs it)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from serving import free_port

CONFIGURATION = """
daemon off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    client_max_body_size 2m;
    upstream kgapi {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://kgapi;
            proxy_set_header Host $http_host;
            proxy_next_upstream error timeout;
        }}
    }}
}}
"""


@contextmanager
def round_robin(ports: list[int]) -> Iterator[str]:
    """nginx balancing round-robin over 127.0.0.1:`ports`; yields its URL."""
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        pytest.skip("nginx was not found: apt-get install nginx (.ci/run does)")
    root = Path(tempfile.mkdtemp(prefix="kgapi-nginx-"))
    port = free_port()
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in ports)
    (root / "nginx.conf").write_text(CONFIGURATION.format(root=root, servers=servers, port=port))
    process = subprocess.Popen(
        [nginx, "-c", str(root / "nginx.conf"), "-p", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (root / "error.log").read_text() if (root / "error.log").exists() else ""
                    pytest.fail(f"nginx did not start: {log}")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)
