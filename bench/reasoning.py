"""Benchmark reasoning: kgapi's engine vs owlrl (the reference) vs the `reasonable` package.

Not a test. Each measurement runs in its own subprocess so that its peak RSS is its own.
Usage: python bench/reasoning.py [--scales 1,10,100,1000] [--budget SECONDS] [--starts-only]
A scale is skipped when the previous one suggests it would take longer than the budget.
`--starts-only` measures just the cold and warm starts up to the first answered SPARQL query (in
process, and `kgapi serve` as a whole), and classification of a described product (incremental,
on the cached closure).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rdflib import Graph, URIRef

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"


def scaled_graph(scale: int) -> Graph:
    """The bundled ontology with its products copied `scale - 1` times under new IRIs."""
    from kgapi.graph.loading import load_ontology

    ontology = load_ontology(ONTOLOGY)
    graph = ontology.asserted_graph()
    products = ontology.graph_of("products")
    subjects = {s for s in products.subjects() if isinstance(s, URIRef)}
    for copy in range(1, scale):

        def renamed(term: object, copy: int = copy) -> object:
            return URIRef(f"{term}-copy{copy}") if term in subjects else term

        for s, p, o in products:
            graph.add((renamed(s), p, renamed(o)))  # type: ignore[arg-type]
    return graph


def peak_rss_mib() -> float:
    """This process's peak resident memory since it started. Linux's VmHWM, of this program's
    own memory: `ru_maxrss` also counts the parent's at the fork that made this process (Linux
    carries it across exec), which made the small scales' peaks the parent's size."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(engine: str, scale: int) -> dict[str, object]:
    graph = scaled_graph(scale)
    asserted = len(graph)
    extra: dict[str, object] = {}
    started = time.perf_counter()
    if engine == "owlrl":
        from kgapi.reasoning.closure import reference_closure

        inferred = len(reference_closure(graph).inferred)
    elif engine == "kgapi":
        from kgapi.reasoning.closure import compute_closure

        closure = compute_closure(graph)
        inferred = len(closure.inferred)
        extra["closure_seconds"] = round(closure.seconds, 2)  # the engine alone, no filtering
    elif engine == "reasonable":
        import reasonable

        reasoner = reasonable.PyReasoner()
        reasoner.from_graph(graph)
        inferred = len(reasoner.reason()) - asserted
    else:
        raise SystemExit(f"unknown engine {engine}")
    seconds = time.perf_counter() - started
    peak_mib = peak_rss_mib()
    return {
        "engine": engine,
        "scale": scale,
        "asserted": asserted,
        "inferred": inferred,
        "seconds": round(seconds, 2),
        "peak_rss_mib": round(peak_mib),
        **extra,
    }


def compare_with_reasonable() -> dict[str, object]:
    """kgapi's served closure vs reasonable's, both filtered the same way, at scale 1."""
    import reasonable

    from kgapi.reasoning.closure import is_trivial, materialize, normalize

    graph = scaled_graph(1)
    served = set(materialize(graph))
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(graph)
    theirs = {normalize(t) for t in reasoner.reason()}
    theirs = {t for t in theirs if t not in graph and not is_trivial(t)}
    return {
        "kgapi_only": len(served - theirs),
        "reasonable_only": len(theirs - served),
        "both": len(served & theirs),
        "kgapi_only_sample": [
            " ".join(t.n3() for t in triple) for triple in sorted(served - theirs)[:5]
        ],
        "reasonable_only_sample": [
            " ".join(t.n3() for t in triple) for triple in sorted(theirs - served)[:5]
        ],
    }


def classification_times(repeats: int = 20) -> dict[str, object]:
    """`kgapi.reasoning.classification.classify` of a small description on the bundled graph:
    the first call (which computes the derivations the closure cache does not keep) and the
    median of the rest (each derives only what the description adds)."""
    import statistics

    from kgapi.graph.knowledge import build_knowledge_graph
    from kgapi.reasoning.classification import classify
    from kgapi.settings import Settings

    description = {"label": "MyHV", "basedOn": ["xen"], "hypervisorType": "Type1Hypervisor"}
    with tempfile.TemporaryDirectory() as cache:
        settings = Settings(ontology_dir=ONTOLOGY, cache_dir=Path(cache))
        build_knowledge_graph(settings)
        knowledge = build_knowledge_graph(settings)  # warm, as a served process is
        assert knowledge.cache_hit
        times = []
        for _ in range(repeats + 1):
            started = time.perf_counter()
            result = classify(knowledge, description)
            times.append(time.perf_counter() - started)
        assert result.classes
    return {
        "classify_first_seconds": round(times[0], 3),
        "classify_median_ms": round(statistics.median(times[1:]) * 1000, 1),
    }


def start_times() -> dict[str, float]:
    from kgapi.graph.knowledge import build_knowledge_graph
    from kgapi.settings import Settings

    with tempfile.TemporaryDirectory() as cache:
        settings = Settings(ontology_dir=ONTOLOGY, cache_dir=Path(cache))
        started = time.perf_counter()
        build_knowledge_graph(settings)
        cold = time.perf_counter() - started
        started = time.perf_counter()
        warm_kg = build_knowledge_graph(settings)
        warm = time.perf_counter() - started
        assert warm_kg.cache_hit
    return {"cold_seconds": round(cold, 2), "warm_seconds": round(warm, 2)}


def start_to_first_answer(cache: Path) -> dict[str, object]:
    """One start in this process: build the knowledge graph, the app, then answer one ASK.

    The cache in `cache` decides cold (empty) or warm. Imports are timed apart: they cost the
    same whatever the graph.
    """
    started = time.perf_counter()
    from dataclasses import replace

    from kgapi.graph.knowledge import build_knowledge_graph
    from kgapi.settings import Settings
    from kgapi.web import create_app

    imports = time.perf_counter() - started
    settings = Settings(ontology_dir=ONTOLOGY, cache_dir=cache)
    started = time.perf_counter()
    knowledge = build_knowledge_graph(settings)
    built = time.perf_counter() - started
    app = create_app(replace(settings, query_timeout=0), knowledge=knowledge)
    response = app.test_client().get(
        "/sparql",
        query_string={"query": "ASK { ?s a ?c }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    answered = time.perf_counter() - started
    assert response.status_code == 200 and response.get_json()["boolean"] is True
    return {
        "start": "warm" if knowledge.cache_hit else "cold",
        "imports_seconds": round(imports, 2),
        "build_seconds": round(built, 2),
        "closure_seconds": round(knowledge.closure_seconds, 2) if not knowledge.cache_hit else 0,
        "first_answer_seconds": round(answered, 2),
    }


def start_times_to_first_answer(repeats: int = 3) -> list[dict[str, object]]:
    """A cold then a warm start, each in a fresh process; the best of `repeats`."""
    best: dict[str, dict[str, object]] = {}
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as cache:
            for _start in ("cold", "warm"):
                command = [sys.executable, __file__, "--start", "--cache", cache]
                done = subprocess.run(command, capture_output=True, text=True, check=True)
                result = json.loads(done.stdout.strip().splitlines()[-1])
                kept = best.get(result["start"])
                if kept is None or float(str(result["first_answer_seconds"])) < float(
                    str(kept["first_answer_seconds"])
                ):
                    best[result["start"]] = result
    return [best["cold"], best["warm"]]


def server_start_to_first_answer(repeats: int = 3) -> dict[str, object]:
    """`kgapi serve` (2 app processes, warm cache) from its launch to the first 200 on /sparql,
    best of `repeats`: the in-process starts above plus what the server does before it forks
    (the closure's derivations, freezing the heap) and the fork itself."""
    import socket
    import urllib.request

    times = []
    with tempfile.TemporaryDirectory() as cache:
        for attempt in range(repeats + 1):  # the first run writes the cache
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            command = [
                sys.executable, "-m", "kgapi.cli", "--cache-dir", cache, "serve",
                "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
            ]  # fmt: skip
            url = f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D"
            started = time.perf_counter()
            server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                while True:
                    try:
                        with urllib.request.urlopen(url, timeout=5) as reply:
                            if reply.status == 200:
                                break
                    except OSError:
                        if server.poll() is not None:
                            message = f"kgapi serve exited with {server.returncode}"
                            raise SystemExit(message) from None
                        time.sleep(0.01)
                if attempt:
                    times.append(time.perf_counter() - started)
            finally:
                server.terminate()
                server.wait(timeout=30)
    return {"start": "kgapi serve, warm", "first_answer_seconds": round(min(times), 2)}


def measure(engine: str, scale: int, timeout: float) -> dict[str, object] | None:
    command = [sys.executable, __file__, "--one", engine, "--scale", str(scale)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"engine": engine, "scale": scale, "seconds": f">{timeout:.0f} (stopped)"}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="1,10,100,1000")
    parser.add_argument("--engines", default="owlrl,reasonable,kgapi")
    parser.add_argument("--budget", type=float, default=300.0, help="seconds per measurement")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--start", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--starts-only", action="store_true", help="only the start and classification times"
    )
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.scale)))
        return
    if args.start:
        print(json.dumps(start_to_first_answer(args.cache)))
        return
    print(f"# {platform.platform()}, Python {platform.python_version()}")
    for result in start_times_to_first_answer():
        print(json.dumps(result), flush=True)
    print(json.dumps(server_start_to_first_answer()), flush=True)
    print(json.dumps(classification_times()), flush=True)
    if args.starts_only:
        return
    print(json.dumps({"start": start_times()}))
    print(json.dumps({"kgapi_vs_reasonable": compare_with_reasonable()}))
    scales = [int(s) for s in args.scales.split(",")]
    for engine in args.engines.split(","):
        previous: tuple[int, float] | None = None
        for scale in scales:
            if previous is not None:
                # Assume at least linear growth: skip what would clearly blow the budget.
                predicted = previous[1] * scale / previous[0]
                if predicted > args.budget:
                    print(
                        json.dumps(
                            {
                                "engine": engine,
                                "scale": scale,
                                "skipped": f"~{predicted:.0f} s predicted",
                            }
                        )
                    )
                    continue
            result = measure(engine, scale, args.budget)
            print(json.dumps(result), flush=True)
            if result is None or not isinstance(result.get("seconds"), float | int):
                break
            previous = (scale, float(result["seconds"]))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
