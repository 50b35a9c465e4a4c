"""Load test of `kgapi serve`: 64 keep-alive connections for 60 s over a mix of routes — SPARQL
answered from the cache and computed afresh, search, an entity, a comparison, an export — with
the count of answers by status and the memory of every server process before and after.
Not a test. Usage (from the checkout, with wrk installed):

    python bench/load.py [--seconds 60] [--connections 64]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from peers import free_port

# {n} becomes a number from 1 to 5,000 and {m} one from 1 to 50, changing with each request, so
# those answers are mostly computed afresh.
MIX = [
    "/sparql?query="
    + quote("SELECT ?p WHERE { ?p a <https://w3id.org/kgapi/ontology/Hypervisor> }"),
    "/sparql?query="
    + quote("SELECT ?s ?p ?o WHERE { ?s ?p ?o } OFFSET {n} LIMIT 5").replace("%7Bn%7D", "{n}"),
    "/api/search?q=xen&limit={m}",
    "/api/entities/kvm?n={n}",
    "/api/compare?ids=kvm,xen,vmware-esxi&n={n}",
    "/export?scope=neighbourhood&focus=kvm&depth=1&format=nodelink&n={n}",
    "/api/queries/products-based-on?product=kvm",
    "/healthz",
]
SCRIPT = """
local paths = {%s}
local counter = 0
request = function()
  counter = counter + 1
  local path = paths[(counter %% #paths) + 1]
  path = path:gsub("{n}", tostring(counter %% 5000 + 1)):gsub("{m}", tostring(counter %% 50 + 1))
  return wrk.format("GET", path)
end
"""


def server_memory(port: int) -> dict[int, int]:
    """RSS in MiB of every process whose command line is this server's."""
    marker = f"--port\0{port}\0".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "cmdline").read_bytes():
                status = (entry / "status").read_text()
                rss = re.search(r"VmRSS:\s+(\d+) kB", status)
                if rss:
                    found[int(entry.name)] = int(rss.group(1)) // 1024
        except OSError:
            continue
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="kgapi-load-"))
    script = work / "mix.lua"
    script.write_text(SCRIPT % ", ".join(f'"{path}"' for path in MIX))
    log = (work / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "kgapi.cli", "serve", "--port", str(port), "--workers", "2"],
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        for path in MIX:  # warm up: every route once
            urllib.request.urlopen(
                f"http://127.0.0.1:{port}{path.replace('{n}', '1').replace('{m}', '1')}", timeout=30
            ).close()
        before = server_memory(port)
        out = subprocess.run(
            ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency",
             "-s", str(script), f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        after = server_memory(port)
        print(out)
        print(f"RSS MiB before: {sorted(before.values())}; after: {sorted(after.values())}")
        failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        print(f"answers other than 2xx/3xx (4xx and 5xx): {failed.group(1) if failed else 0}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
