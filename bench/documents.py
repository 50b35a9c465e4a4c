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
from kgapi.web.negotiation import RDF, formats_of

# Every RDF format the service offers; rdflib names its serializers by media type too.
MEDIA_TYPES = tuple(item.media_type for item in formats_of(RDF))


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

    def with_rdflib(media_type: str) -> bytes:
        if media_type in ("application/trig", "application/n-quads"):  # only from a dataset
            dataset = Dataset()
            dataset.default_graph += asserted
            return dataset.serialize(format=media_type, encoding="utf-8")
        return asserted.serialize(format=media_type, encoding="utf-8")

    def with_the_writer(media_type: str) -> bytes:
        quads = query_store.store.quads_for_pattern(None, None, None, graph)
        return write_rdf(canonical(q.triple for q in quads), media_type, query_store.prefixes)

    print("| format | rdflib s | kgapi's writer s | ratio | rdflib MiB | writer MiB |")
    print("|---|---|---|---|---|---|")
    for media_type in MEDIA_TYPES:
        old, old_size = best(args.runs, lambda m=media_type: with_rdflib(m))  # type: ignore[misc]
        new, new_size = best(args.runs, lambda m=media_type: with_the_writer(m))  # type: ignore[misc]
        line = {"format": media_type, "rdflib_s": round(old, 3), "writer_s": round(new, 3)}
        print(json.dumps(line), file=sys.stderr)
        print(
            f"| {media_type} | {old:.3f} | {new:.3f} | {old / new:.1f}x "
            f"| {old_size / 2**20:.1f} | {new_size / 2**20:.1f} |"
        )


if __name__ == "__main__":
    main()
