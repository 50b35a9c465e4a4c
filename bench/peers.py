"""What the benchmarks that run servers share: free loopback ports, waiting for a server to
answer, a wrk run, and Oxigraph's server (from the package registry) loaded with the triples
kgapi serves."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], *, seconds: float = 300) -> None:
    """Return once `url` answers; exit if `process` ends first or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited ({process.returncode}) before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"no answer from {url}")


def oxigraph_binary() -> str:
    """The `oxigraph` command (PyPI package `oxigraph`), on PATH or beside this Python."""
    return shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")


def oxigraph_store(work: Path) -> Path:
    """An Oxigraph store in `work` holding what kgapi serves by default (asserted + inferred,
    in its default graph); its location, for `oxigraph serve --location`."""
    sys.path.insert(0, str(ROOT))
    from kgapi.graph.knowledge import build_knowledge_graph
    from kgapi.settings import Settings

    knowledge = build_knowledge_graph(Settings.from_sources())
    data = work / "data.nt"
    with data.open("wb") as out:
        out.write(knowledge.asserted.serialize(format="nt", encoding="utf-8"))
        out.write(knowledge.inferred.serialize(format="nt", encoding="utf-8"))
    location = work / "ox"
    subprocess.run(
        [oxigraph_binary(), "load", "--location", str(location), "--file", str(data)],
        check=True,
        capture_output=True,
    )
    return location


def wrk(url: str, connections: int, seconds: int, accept: str) -> tuple[float, float, int]:
    """(requests/s, p99 ms, non-2xx count) of one wrk run."""
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-H",
            f"Accept: {accept}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99_value, p99_unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    p99 = float(p99_value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99_unit]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: .*", out)
    if errors:
        print(f"  note: {errors.group(0)}", file=sys.stderr)
    return rate, p99, int(bad.group(1)) if bad else 0
