"""Writing the whole ontology document (`GET /ontology`) in each RDF format: rdflib's serializers
(what the service wrote with before) against the one RDF writer (`kgapi.graph.documents`, on
pyoxigraph) reading the asserted graph from the query store, its blank nodes labelled by
RDFC-1.0 and sorted, as the route does. In process,
best of `--runs`, seconds. Not a test. Usage (from the checkout):

    python bench/documents.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable

import pyoxigraph as ox
from rdflib import Dataset

from kgapi.graph.documents import canonical, write_rdf
from kgapi.graph.knowledge import build_knowledge_graph
from kgapi.settings import Settings
from kgapi.sparql.store import build_query_store

FORMATS = {  # media type -> rdflib's name for it
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


def best(runs: int, work: Callable[[], bytes]) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        size = len(work())
        times.append(time.perf_counter() - started)
    return min(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    knowledge = build_knowledge_graph(Settings.from_sources())
    query_store = build_query_store(knowledge)
    asserted = knowledge.asserted
    graph = ox.NamedNode(query_store.asserted_graph)

    def with_rdflib(rdflib_format: str) -> bytes:
        if rdflib_format in ("trig", "nquads"):  # rdflib writes these only from a dataset
            dataset = Dataset()
            dataset.default_graph += asserted
            return dataset.serialize(format=rdflib_format, encoding="utf-8")
        return asserted.serialize(format=rdflib_format, encoding="utf-8")

    def with_the_writer(media_type: str) -> bytes:
        quads = query_store.store.quads_for_pattern(None, None, None, graph)
        return write_rdf(canonical(q.triple for q in quads), media_type, query_store.prefixes)

    print("| format | rdflib s | kgapi's writer s | ratio | rdflib MiB | writer MiB |")
    print("|---|---|---|---|---|---|")
    for media_type, rdflib_format in FORMATS.items():
        old, old_size = best(args.runs, lambda f=rdflib_format: with_rdflib(f))  # type: ignore[misc]
        new, new_size = best(args.runs, lambda m=media_type: with_the_writer(m))  # type: ignore[misc]
        line = {"format": media_type, "rdflib_s": round(old, 3), "writer_s": round(new, 3)}
        print(json.dumps(line), file=sys.stderr)
        print(
            f"| {media_type} | {old:.3f} | {new:.3f} | {old / new:.1f}x "
            f"| {old_size / 2**20:.1f} | {new_size / 2**20:.1f} |"
        )


if __name__ == "__main__":
    main()
