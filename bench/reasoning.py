"""Benchmark reasoning: owlrl vs the `reasonable` package vs kgapi's explainer engine, at scale.

Not a test. Each measurement runs in its own subprocess so that its peak RSS is its own.
Usage: python bench/reasoning.py [--scales 1,10,100,1000] [--budget SECONDS]
A scale is skipped when the previous one suggests it would take longer than the budget.
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
    from kgapi.loading import load_ontology

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


def run_one(engine: str, scale: int) -> dict[str, object]:
    graph = scaled_graph(scale)
    asserted = len(graph)
    started = time.perf_counter()
    if engine == "owlrl":
        from kgapi.reasoning import materialize

        inferred = len(materialize(graph))
    elif engine == "kgapi-rules":
        from kgapi.reasoning import is_trivial, normalize
        from kgapi.rules import derive

        derived = derive(graph)
        inferred = sum(1 for t in derived.first if not is_trivial(normalize(t)))
    elif engine == "reasonable":
        import reasonable

        reasoner = reasonable.PyReasoner()
        reasoner.from_graph(graph)
        inferred = len(reasoner.reason()) - asserted
    else:
        raise SystemExit(f"unknown engine {engine}")
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "engine": engine,
        "scale": scale,
        "asserted": asserted,
        "inferred": inferred,
        "seconds": round(seconds, 2),
        "peak_rss_mib": round(peak_mib),
    }


def compare_with_reasonable() -> dict[str, object]:
    """Served owlrl closure vs reasonable's, both filtered the same way, at scale 1."""
    import reasonable

    from kgapi.reasoning import is_trivial, materialize, normalize

    graph = scaled_graph(1)
    served = set(materialize(graph))
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(graph)
    theirs = {normalize(t) for t in reasoner.reason()}
    theirs = {t for t in theirs if t not in graph and not is_trivial(t)}
    return {
        "owlrl_only": len(served - theirs),
        "reasonable_only": len(theirs - served),
        "both": len(served & theirs),
        "owlrl_only_sample": [
            " ".join(t.n3() for t in triple) for triple in sorted(served - theirs)[:5]
        ],
        "reasonable_only_sample": [
            " ".join(t.n3() for t in triple) for triple in sorted(theirs - served)[:5]
        ],
    }


def start_times() -> dict[str, float]:
    from kgapi.knowledge import build_knowledge_graph
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
    parser.add_argument("--engines", default="owlrl,reasonable,kgapi-rules")
    parser.add_argument("--budget", type=float, default=300.0, help="seconds per measurement")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.scale)))
        return

    print(f"# {platform.platform()}, Python {platform.python_version()}")
    print(json.dumps({"start": start_times()}))
    print(json.dumps({"owlrl_vs_reasonable": compare_with_reasonable()}))
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
