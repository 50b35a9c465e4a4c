"""Stored queries against the same SPARQL sent to /sparql: what the REST layer over `queries/*.rq`
costs (issue 13's target: a stored query within 1.5x the same text through /sparql).

One `kgapi serve` with its answer caches off (`--result-cache-entries 0`), so every request is
computed. For each stored query, with its parameters at their defaults: wrk on
`/api/queries/NAME` against wrk on `/sparql?query=TEXT`, where TEXT is the query file's SPARQL with
the same values bound by a trailing VALUES clause (the stored query binds them with the engine's
substitutions instead; the answers are the same rows). Both ask for SPARQL JSON results.
Keep-alive, 4 connections, one run per cell. Not a test. Usage (from the checkout, with wrk):

    python bench/stored_queries.py [--seconds 3] [--connections 4] > /tmp/stored.md
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from peers import ROOT, free_port, wait_for, wrk

PREFIXES = {
    "virt": "https://w3id.org/kgapi/ontology/",
    "vr": "https://w3id.org/kgapi/resource/",
}
ACCEPT = "application/sparql-results+json"
# One line per parameter in a query file's header: `#+ param NAME: KIND = DEFAULT` (KIND may end
# in `?` for an optional parameter without a default).
PARAMETER = re.compile(r"^#\+ param (\w+): (\w+)\??(?: = (.+))?$")


def term(kind: str, value: str) -> str:
    """A parameter's default as a SPARQL term."""
    if kind == "entity":
        prefix, _, local = value.partition(":")
        return f"<{PREFIXES[prefix]}{local}>"
    if kind == "integer":
        return value
    if kind == "boolean":
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def as_plain_sparql(path: Path) -> str | None:
    """The query file's SPARQL with its parameters' defaults bound by VALUES; None when a
    parameter has no default (the stored query then needs a value the benchmark cannot pick)."""
    text = path.read_text(encoding="utf-8")
    bound: dict[str, str] = {}
    for line in text.splitlines():
        found = PARAMETER.match(line.strip())
        if found is None:
            continue
        name, kind, default = found.groups()
        if default is None:
            return None
        bound[name] = term(kind, default.strip())
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#+"))
    if not bound:
        return body
    names = " ".join(f"?{name}" for name in bound)
    values = " ".join(bound.values())
    return f"{body}\nVALUES ({names}) {{ ({values}) }}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kgapi.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--result-cache-entries",
            "0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/healthz", process)
        print(
            "| stored query | stored req/s (p99 ms) | /sparql req/s (p99 ms) | "
            "time per answer, stored ÷ /sparql | non-2xx |"
        )
        print("|---|---|---|---|---|")
        ratios = []
        for path in sorted((ROOT / "queries").glob("*.rq")):
            if path.stem.endswith("-violation"):
                continue  # quality gates, not offered as REST
            text = as_plain_sparql(path)
            if text is None:
                print(f"skipped {path.stem}: a parameter without a default", file=sys.stderr)
                continue
            stored = wrk(f"{base}/api/queries/{path.stem}", args.connections, args.seconds, ACCEPT)
            plain = wrk(
                f"{base}/sparql?query={quote(text)}", args.connections, args.seconds, ACCEPT
            )
            ratio = plain[0] / stored[0]
            ratios.append(ratio)
            print(
                f"| {path.stem} | {stored[0]:.0f} ({stored[1]:.1f}) | {plain[0]:.0f} "
                f"({plain[1]:.1f}) | {ratio:.2f}x | {stored[2] + plain[2]} |"
            )
        ratios.sort()
        print(
            f"\n{len(ratios)} queries; time per answer, stored ÷ /sparql: median "
            f"{ratios[len(ratios) // 2]:.2f}x, worst {ratios[-1]:.2f}x"
        )
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait()


if __name__ == "__main__":
    main()
