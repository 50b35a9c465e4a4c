"""SPARQL endpoint and serving-layer benchmark: kgapi vs `oxigraph serve-read-only`, and the
serving floor (a bare Flask route answering a constant) under gunicorn's sync workers (kgapi's
serving layer before) and under kgapi's own (Granian, the front, two app processes).

Same data for both engines (the ontology's asserted + inferred triples as the default graph), same
queries, wrk on loopback with keep-alive at 4 and 16 connections, one run per cell. Bounded:
about 4 minutes. Not a test. Usage (from the checkout, with wrk and `pip install -e '.[bench]'`):

    python bench/sparql_bench.py [--seconds 4] > /tmp/table.md
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from peers import ROOT, free_port, oxigraph_binary, oxigraph_store, wait_for, wrk

V = "https://w3id.org/kgapi/ontology/"
R = "https://w3id.org/kgapi/resource/"
QUERIES = {
    "instances of a class": f"SELECT ?p WHERE {{ ?p a <{V}Hypervisor> }}",
    "a product's description": f"SELECT ?p ?o WHERE {{ <{R}kvm> ?p ?o }}",
    "compare three products": (
        f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ <{R}kvm> <{R}xen> <{R}vmware-esxi> }} ?s ?p ?o }}"
    ),
    "2-hop CONSTRUCT": (
        f"CONSTRUCT {{ <{R}kvm> ?p ?o . ?o ?q ?x }} WHERE {{ <{R}kvm> ?p ?o . "
        "OPTIONAL { ?o ?q ?x FILTER(isIRI(?o)) } }"
    ),
    "GROUP BY count": "SELECT ?c (COUNT(?i) AS ?n) WHERE { ?i a ?c } GROUP BY ?c ORDER BY DESC(?n)",
}
FLOOR_APP = """
from flask import Flask
app = Flask("floor")
@app.get("/sparql")
def constant():
    return "{}", 200, {"Content-Type": "application/json"}
"""
# The same app behind kgapi's serving layer, as `kgapi serve` runs it (2 app processes).
FLOOR_BEHIND_KGAPI = """
import sys, tempfile
from floor import app
from kgapi.settings import Settings
from kgapi.web.server import serve_app
serve_app(app, Settings(port=int(sys.argv[1]), workers=2), runtime_dir=tempfile.mkdtemp())
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=4)
    args = parser.parse_args()
    root = ROOT
    work = Path(tempfile.mkdtemp(prefix="kgapi-bench-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        # The same triples for Oxigraph: asserted + inferred, in its default graph.
        location = oxigraph_store(work)
        (work / "floor.py").write_text(FLOOR_APP)
        (work / "floor_kgapi.py").write_text(FLOOR_BEHIND_KGAPI)
        names = ("kgapi", "kgapi-cached", "oxigraph", "floor", "floor-kgapi")
        ports = {name: free_port() for name in names}
        log = (work / "servers.log").open("wb")
        commands = {
            "kgapi": [
                sys.executable,
                "-m",
                "kgapi.cli",
                "serve",
                "--port",
                str(ports["kgapi"]),
                "--workers",
                "2",
                "--result-cache-entries",
                "0",
            ],
            "kgapi-cached": [
                sys.executable,
                "-m",
                "kgapi.cli",
                "serve",
                "--port",
                str(ports["kgapi-cached"]),
                "--workers",
                "2",
            ],
            "oxigraph": [
                oxigraph_binary(),
                "serve-read-only",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{ports['oxigraph']}",
            ],
            "floor": [
                sys.executable,
                "-m",
                "gunicorn",
                "--chdir",
                str(work),
                "-w",
                "2",
                "-k",
                "sync",
                "-b",
                f"127.0.0.1:{ports['floor']}",
                "floor:app",
            ],
            "floor-kgapi": [
                sys.executable,
                str(work / "floor_kgapi.py"),
                str(ports["floor-kgapi"]),
            ],
        }
        for name, command in commands.items():
            environment = {**os.environ, "PYTHONPATH": f"{work}:{root}"}
            process = subprocess.Popen(
                command, stdout=log, stderr=log, start_new_session=True, env=environment
            )
            processes.append(process)
            wait_for(
                f"http://127.0.0.1:{ports[name]}/"
                + ("healthz" if name.startswith("kgapi") else "sparql" if "floor" in name else ""),
                process,
            )
        rows = []
        floors = {}
        for connections in (4, 16):
            floor = wrk(
                f"http://127.0.0.1:{ports['floor-kgapi']}/sparql", connections, args.seconds, "*/*"
            )
            floors[connections] = (
                wrk(f"http://127.0.0.1:{ports['floor']}/sparql", connections, args.seconds, "*/*"),
                floor,
            )
            for label, query in QUERIES.items():
                accept = (
                    "application/n-triples"
                    if query.startswith("CONSTRUCT")
                    else "application/sparql-results+json"
                )
                path = f"/sparql?query={quote(query)}"
                cells = {
                    name: wrk(
                        f"http://127.0.0.1:{ports[name]}{path}", connections, args.seconds, accept
                    )
                    for name in ("oxigraph", "kgapi", "kgapi-cached")
                }
                rows.append((connections, label, cells, floor))
                print(f"done c={connections} {label}", file=sys.stderr)
        print(
            "| conns | query | Oxigraph req/s (p99 ms) | kgapi uncached req/s (p99 ms) | "
            "ratio | p99 ratio | kgapi cached req/s (p99 ms) | ratio | % of serving floor | "
            "non-2xx |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for connections, label, cells, floor in rows:
            ox_rate, ox_p99, ox_bad = cells["oxigraph"]
            raw_rate, raw_p99, raw_bad = cells["kgapi"]
            hot_rate, hot_p99, hot_bad = cells["kgapi-cached"]
            print(
                f"| {connections} | {label} | {ox_rate:.0f} ({ox_p99:.1f}) | "
                f"{raw_rate:.0f} ({raw_p99:.1f}) | {raw_rate / ox_rate:.2f}x | "
                f"{raw_p99 / ox_p99:.1f}x | {hot_rate:.0f} ({hot_p99:.1f}) | "
                f"{hot_rate / ox_rate:.2f}x | {100 * hot_rate / floor[0]:.0f}% | "
                f"{raw_bad + hot_bad} (ox {ox_bad}) |"
            )
        print(
            "\n| conns | floor: gunicorn sync, req/s (p99 ms) | floor: kgapi's serving layer "
            "| ratio |"
        )
        print("|---|---|---|---|")
        for connections, (old, new) in floors.items():
            print(
                f"| {connections} | {old[0]:.0f} ({old[1]:.1f}) | {new[0]:.0f} ({new[1]:.1f}) | "
                f"{new[0] / old[0]:.2f}x |"
            )
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
