"""Curated-update benchmark: kgapi (`kgapi serve --writes`, the bundled ontology) against
Oxigraph's server (`oxigraph serve`, the same triples, no validation and no reasoning).

Measured, one run each, over HTTP on loopback with Python clients (http.client, one connection
per request):

1. a one-product insert (an INSERT DATA of 30 triples: a complete product the shapes accept),
   acknowledged — for kgapi validated, reasoned and fsynced: median and 95th percentile of 40
   sequential inserts;
2. small writes (a 2-triple INSERT DATA) per second with 8 concurrent writers;
3. reads per second (16 readers, "instances of a class") alone, then with the 8 writers going:
   the ratio is the read throughput kept under write load.

Not a test. Usage (from the checkout, `pip install -e '.[bench]'`), about 2 minutes:

    python bench/writes.py [--seconds 10] > /tmp/writes.json
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from peers import free_port, oxigraph_binary, oxigraph_store, wait_for

V = "https://w3id.org/kgapi/ontology/"
R = "https://w3id.org/kgapi/resource/"
READ = f"SELECT ?p WHERE {{ ?p a <{V}Hypervisor> }}"


def product(number: int) -> str:
    """A product of 30 triples that kgapi's shapes accept."""
    s = f"<https://example.org/bench/product-{number}>"
    return f"""PREFIX virt: <{V}> PREFIX vr: <{R}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX dcterms: <http://purl.org/dc/terms/>
INSERT DATA {{ GRAPH <https://example.org/bench/products> {{
{s} a virt:SoftwareProduct ;
  skos:prefLabel "Bench VMM {number}"@en, "基准虚拟机监控器 {number}"@zh ;
  skos:altLabel "BVMM {number}"@en, "BVMM-{number}"@en, "基准 {number}"@zh ;
  skos:definition "A virtual machine monitor made for benchmark {number}."@en,
                  "为基准测试 {number} 而建的虚拟机监控器。"@zh ;
  virt:developer vr:amazon-web-services ; virt:license <http://spdx.org/licenses/Apache-2.0> ;
  virt:virtualizedObject virt:ServerVirtualization ;
  virt:implementationTechnique virt:HardwareAssistedVirtualization ;
  virt:supportsTechnique virt:Paravirtualization ;
  virt:usesHypervisor vr:kvm ; virt:derivedFrom vr:firecracker ;
  virt:hostPlatform vr:linux ; virt:guestSupport vr:linux ;
  virt:cpuArchitecture vr:x86-64, vr:aarch64 ;
  virt:requiresHardwareSupport true ;
  virt:note "Made by bench/writes.py."@en, "由 bench/writes.py 生成。"@zh ;
  dcterms:source vr:source-s13, vr:source-s14 ;
  virt:firstRelease "2026"^^<http://www.w3.org/2001/XMLSchema#gYear> ;
  skos:scopeNote "benchmark data"@en ;
  skos:editorialNote "remove after the run"@en . }} }}"""


def small(number: int) -> str:
    return (
        f"INSERT DATA {{ GRAPH <https://example.org/bench/small> {{ "
        f"<urn:bench:{number}> <urn:bench:a> {number} . "
        f"<urn:bench:{number}> <urn:bench:b> {number} }} }}"
    )


def post(port: int, path: str, body: str, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def for_seconds(seconds: float, threads: int, work: Callable[[int], bool]) -> tuple[int, int]:
    """Run `work(n)` from `threads` threads until `seconds` pass; (successes, failures)."""
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    counts = {"ok": 0, "bad": 0, "n": 0}

    def loop() -> None:
        while time.monotonic() < deadline:
            with lock:
                counts["n"] += 1
                number = counts["n"]
            ok = work(number)
            with lock:
                counts["ok" if ok else "bad"] += 1

    running = [threading.Thread(target=loop) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return counts["ok"], counts["bad"]


def measure(
    name: str, port: int, update_path: str, headers: dict[str, str], seconds: float
) -> dict:
    headers = {"Content-Type": "application/sparql-update", **headers}
    latencies = []
    for number in range(40):
        started = time.perf_counter()
        status = post(port, update_path, product(number), headers)
        latencies.append(time.perf_counter() - started)
        assert status in (200, 204), (name, status)
    offset = 10**6
    writes, write_errors = for_seconds(
        seconds, 8, lambda n: post(port, update_path, small(offset + n), headers) in (200, 204)
    )
    read_path = f"/sparql?query={quote(READ)}" if name == "kgapi" else f"/query?query={quote(READ)}"
    reads_alone, read_errors = for_seconds(seconds, 16, lambda n: get(port, read_path) == 200)
    result: dict = {}

    def background_writes() -> None:
        result["writes"] = for_seconds(
            seconds,
            8,
            lambda n: post(port, update_path, small(2 * offset + n), headers) in (200, 204),
        )

    writer = threading.Thread(target=background_writes)
    writer.start()
    reads_loaded, loaded_errors = for_seconds(seconds, 16, lambda n: get(port, read_path) == 200)
    writer.join()
    return {
        "server": name,
        "product_insert_ms_median": round(statistics.median(latencies) * 1000, 1),
        "product_insert_ms_p95": round(sorted(latencies)[int(len(latencies) * 0.95) - 1] * 1000, 1),
        "small_writes_per_s": round(writes / seconds, 1),
        "reads_per_s_alone": round(reads_alone / seconds, 1),
        "reads_per_s_under_writes": round(reads_loaded / seconds, 1),
        "read_ratio_under_writes": round(reads_loaded / reads_alone, 2) if reads_alone else None,
        "writes_per_s_during_reads": round(result["writes"][0] / seconds, 1),
        "errors": write_errors + read_errors + loaded_errors + result["writes"][1],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kgapi-bench-writes-"))
    processes: list[subprocess.Popen[bytes]] = []
    log = (work / "servers.log").open("wb")
    try:
        location = oxigraph_store(work)
        token = subprocess.run(
            [sys.executable, "-m", "kgapi.cli", "token", "--data-dir", str(work / "data"),
             "create", "bench"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        ports = {"kgapi": free_port(), "oxigraph": free_port()}
        commands = {
            "kgapi": [sys.executable, "-m", "kgapi.cli", "serve", "--port", str(ports["kgapi"]),
                      "--writes", "--data-dir", str(work / "data")],
            "oxigraph": [oxigraph_binary(), "serve", "--location", str(location),
                         "--bind", f"127.0.0.1:{ports['oxigraph']}"],
        }  # fmt: skip
        for name, command in commands.items():
            process = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
            processes.append(process)
            health = "healthz" if name == "kgapi" else ""
            wait_for(f"http://127.0.0.1:{ports[name]}/{health}", process)
        auth = {"Authorization": f"Bearer {token}"}
        for row in (
            measure("kgapi", ports["kgapi"], "/update", auth, args.seconds),
            measure("oxigraph", ports["oxigraph"], "/update", {}, args.seconds),
        ):
            print(json.dumps(row))
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
